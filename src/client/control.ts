import { keptFrame, keptPosition } from '../protocol/frames.js';
import type { Connection, ConnectContext, Sink } from './transports/types.js';
import { fit } from './util/fit.js';
import { post } from './util/http.js';
import { utf8Bytes } from './util/utf8.js';

/**
 * Why a CORS-only tier (XHR streaming, polling) cannot run here, or ''. CORS
 * is assumed until the /info probe shows otherwise (only its JSONP form
 * answered): without /info there is no evidence either way, so the tier is
 * tried and its attempt says.
 */
export const noCors = (ctx: ConnectContext): string => (ctx.crossOrigin && ctx.info?.cors === false ? 'no CORS' : '');

/**
 * An HTTP tier's receiver, started once per connection. `frame` and `fail` do
 * nothing once the connection has closed, so no receiver needs its own
 * "stopped" flag; `signal` is aborted when it closes: fetches given it stop,
 * and its `abort` listeners free whatever else the receiver holds.
 */
export type Receive = (frame: (text: string) => void, fail: (reason: string) => void, signal: AbortSignal) => void;

/**
 * An HTTP tier's connection: its receiver plus the control channel.
 * Client-to-server messages go on their own requests, never behind the held
 * receiving request: one request in flight, everything queued meanwhile goes
 * in the next one, at once (in as many as the server's body limit asks). `sent`
 * runs after each batch, with the answer's text ('' after a 413). A tier with no
 * receiving request out may have a batch `ride` as a poll too (`pollOnSend`):
 * the answer then holds frames.
 */
export function httpConnection(ctx: ConnectContext, sink: Sink, receive: Receive, sent?: (answer: string) => void, ride?: () => unknown): Connection {
  const queue: string[] = [];
  // Upstream position of queue[0]; and whether a bare acknowledgement is wanted (resume).
  let seq = 0;
  let ack = false;
  let busy = false;
  let timer: ReturnType<typeof setTimeout> | undefined;
  // Without CORS: the last `k` the receiver brought, and the batch waiting for one.
  let kept = -1;
  let confirmed: (() => void) | undefined;
  // Ending the session over a message too big (give()), once the receiver has caught up.
  let dying = false;
  const abort = new AbortController();
  const signal = abort.signal;
  // ('no CORS', or '' where CORS serves.)
  const opaque = noCors(ctx);
  // Fixed for the connection's life: the tier's context is made once the probe is over.
  const max = ctx.info?.cometkit?.maxBody;

  const end = (notify?: boolean) => {
    clearTimeout(timer);
    abort.abort();
    if (notify && ctx.info?.cometkit) {
      // sendBeacon survives page unload; a plain POST serves where it is missing.
      const url = ctx.session + '/close?t' + ctx.query;
      if (!navigator.sendBeacon?.(url)) post(url, null).catch(() => undefined);
    }
  };
  const die = () => signal.aborted || (sink.frame('c[1009,"Message too big"]'), end(true));
  const fail = (reason: string) => {
    if (!signal.aborted) {
      end();
      sink.close(reason);
    }
  };

  function pump(): void {
    if (busy || signal.aborted || !(queue.length || ack)) return;
    // What does not fit goes in the next request, at once.
    const batch = queue.splice(0, fit(queue, max));
    const body = JSON.stringify(batch);
    // A resuming client numbers the batch and says what it has received.
    const pos = ctx.pos();
    const rides = ride?.();
    const query = '?t' + ctx.query + (pos < 0 ? '' : '&pos=' + pos + (batch.length ? '&seq=' + seq : '')) + (rides ? '&poll' : '');
    const last = (seq += batch.length) - 1;
    ack = false;
    busy = true;
    // A no-cors fetch's answer is opaque: an error page a proxy gave reads as well as the server's `ok`.
    // A resuming client's batch is in once the server's `k` on the receiver says so (the server owes one
    // for every such send); until then nothing more is sent, and without it in time the send times out
    // (below) and resume sends what did not arrive again. A body over the limit /info gave was refused
    // 413, which the opaque answer cannot show either: as after a 413, no `k` comes and nothing more is
    // sent until the server's close frame (1009). (Not against the 1 MiB assumed without /info: a stock
    // server takes more, and never ends the session for it. With CORS the 413 rejects, below, so the bytes
    // are not counted there: as long as JSON.stringify takes, ~2 ms a MiB, every batch.)
    const next = (answer: string) =>
      opaque && (pos >= 0 || utf8Bytes(body) > (max as number)) ? (confirmed = () => kept >= last && done(answer))() : done(answer);
    const done = (answer: string) => {
      confirmed = undefined;
      clearTimeout(timer);
      busy = false;
      // An answer means the batch is in: the same acknowledgement a server gives on a WebSocket.
      if (!signal.aborted) sink.frame(keptFrame(last), true);
      sent?.(answer);
      pump();
    };
    // A body over the limit /info gave that fails (refused by a proxy in front at the same limit, as
    // nginx's 413, which carries no CORS headers, or never answered) ends the session as the server
    // would have (1009): failed, it would be resumed and sent again, and refused again, for ever. The
    // server, which may never have seen the body, is told, or the session would wait out its grace.
    // Not before the receiver has what the server wrote until now (an echo on its way, which ending at
    // once would lose): the `k` the server owes for an empty no-cors `jsonp_send` comes after it (a
    // polling tier polls for it at once, as after a 413). Without resume, or without it in time, at once.
    // (Not once closed: a send the close aborted fails too.)
    const give = (reason: string) =>
      signal.aborted ||
      (utf8Bytes(body) > (max as number)
        ? pos < 0
          ? die()
          : (clearTimeout(timer),
            (dying = true),
            (timer = setTimeout(die, ctx.wait)),
            post(ctx.session + '/jsonp_send?t' + ctx.query + '&pos=' + ctx.pos(), '[]', signal, 0).catch(die),
            sent?.(''))
        : fail(reason));
    // A batch without an answer in time ends the connection, and resume sends it again: a request
    // black-holed on a keep-alive connection that the network dropped without a word would wait out
    // the browser's TCP timeout while receiving goes on. A long body gets longer (8 KB/s), so that a
    // slow link never cuts the same batch again and again.
    timer = setTimeout(give, ctx.wait + body.length / 8, 'send timed out');
    // Without CORS, `jsonp_send` by a no-cors fetch: unlike a form post into a hidden frame (the
    // legacy build's way), it fails when the request is cut, where Chromium reports a cut post's
    // error page as loaded and Firefox reports nothing at all.
    post(ctx.session + (opaque ? '/jsonp_send' : '/xhr_send') + query, body, signal, opaque ? 0 : rides ? 200 : 204).then(next, (e: unknown) => {
      // A message over the server's body limit (alone in its batch, see fit()): a cometkit server
      // ends the session, and its close frame, on the receiver, says so. Sending stops until then
      // (or the send timeout); a reconnection would resume, and send the message again.
      // (post() rejects with `HTTP <status>`; test() reads the error as a string.)
      if (!/ 413$/.test(e as string)) give('send failed: ' + (e as Error).message);
      // To the tier, an answer without frames: a polling tier fetches that close frame at once.
      else sent?.('');
    });
  }

  receive(
    (text) => {
      if (!signal.aborted) {
        sink.frame(text);
        const k = keptPosition(text);
        kept = Math.max(kept, k);
        if (dying && k >= 0) die();
        confirmed?.();
      }
    },
    fail,
    signal,
  );
  return {
    send(messages, from) {
      if (!queue.length) seq = from;
      for (const m of messages) queue.push(m);
      ack ||= !messages.length;
      pump();
    },
    close: end,
    // The queue holds the last messages given: each batch out is taken from its front.
    unsent: () => queue.length,
  };
}
