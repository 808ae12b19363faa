import { fit } from '../client/util/fit.js';
import { formPost } from './form.js';
import type { Extensions } from './info.js';
import { stringify } from './json.js';
import { withQuery } from './url.js';

/** How long one send post may take before the connection counts as broken, ms. */
const SEND_TIMEOUT = 30000;

export interface Control {
  /** Queues messages, the first at upstream position `seq`. */
  send: (messages: string[], seq: number) => void;
  /**
   * Stops sending; with `notify`, tells a cometkit server the client is gone. Returns how many of the
   * last messages given never left: a fresh session takes those (what left may or may not have arrived).
   */
  close: (notify?: boolean) => number;
}

/**
 * The post where the page has `fetch` (an old page in a new browser): `no-cors`, so no CORS is needed;
 * the answer is unreadable, but a cut request fails, which a form post cannot tell (Firefox fires no
 * event for a cut form post). Same contract as formPost: `done(ok)` once (never framed: an error page a
 * proxy gave reads as the server's `ok`), a cancel function.
 */
function fetchPost(url: string, body: string, done: (ok: boolean) => void): () => void {
  let over = false;
  const end = (ok: boolean) => {
    if (!over) {
      over = true;
      clearTimeout(timer);
      done(ok);
    }
  };
  const timer = setTimeout(() => end(false), SEND_TIMEOUT);
  // In a Blob labelled plain `text/plain` (a string goes as `text/plain;charset=UTF-8`): Vert.x's
  // jsonp_send takes that or a form only, and refuses anything else, unseen behind the opaque answer.
  window.fetch(url, { method: 'POST', mode: 'no-cors', credentials: 'include', body: new Blob([body], { type: 'text/plain' }) }).then(
    () => end(true),
    () => end(false)
  );
  return () => {
    over = true;
    clearTimeout(timer);
  };
}

/** Tells a cometkit server that its client has left `session` (`POST …/close`), so it frees it at once. */
export function leave(session: string, extra: string): void {
  // sendBeacon survives page unload where the page has it; a form post serves everywhere.
  const url = withQuery(session + '/close', extra);
  // (At most 3 s: the session expires by itself anyway, and Firefox fires no event for a post the
  // network refuses, a server down, which would keep its frame and form for the send timeout.)
  if (!(navigator.sendBeacon && navigator.sendBeacon(url))) formPost(url, null, 3000, () => {});
}

/**
 * Client-to-server messages on their own requests, never behind the held
 * receiving request: one `jsonp_send` post in flight (a no-cors fetch where the
 * page has fetch, else a form post), everything queued meanwhile goes in the
 * next one, at once (in as many as the server's body limit asks); `arrived(last)`
 * once the batch ending at upstream position `last` is in; `frame(text)` hands the receiver's sink a
 * close the server would have sent. Every request carries
 * `extra`, the service URL's own query (`&…` or ''). The rules of
 * src/client/control.ts, which needs AbortController and JSON besides fetch.
 */
export function createControl(
  session: string,
  ck: Extensions,
  fail: (reason: string) => void,
  pos: () => number,
  arrived: (last: number) => void,
  extra: string,
  frame: (text: string) => void,
  wait: number
): Control & {
  /** The receiver's `k` (or -1 for any other frame): what confirms a batch sent by fetch. */
  kept: (pos: number) => void;
} {
  let queue: string[] = [];
  // Upstream position of queue[0].
  let seq = 0;
  let cancel: (() => void) | null = null;
  let refused: ReturnType<typeof setTimeout> | undefined;
  let closed = false;
  // The last `k` the receiver brought, and the batch sent by fetch waiting for one.
  let got = -1;
  let confirmed: (() => void) | null = null;

  function pump(): void {
    if (cancel || closed || !queue.length) return;
    // Within the server's body limit (src/client/util/fit.ts); the rest goes in the next post, at once.
    const max = ck.maxBody;
    const n = fit(queue, max);
    const body = stringify(queue.slice(0, n));
    // A resuming client numbers the batch and says what it has received (PROTOCOL.md, "Resume").
    const at = pos();
    const last = seq + n - 1;
    const url = withQuery(session + '/jsonp_send', extra + (at < 0 ? '' : '&pos=' + at + '&seq=' + seq));
    seq = last + 1;
    queue = queue.slice(n);
    const done = (ok: boolean, framed?: boolean) => {
      // A body over the limit /info gave (ASCII: a fetch sends that many bytes, a form post more) was
      // refused 413, which an opaque answer or a form post cannot show, and the server ends the session
      // (1009): the receiver hears it and the message is reported maybe not delivered, as in the modern
      // build. `cancel` stays set: nothing more is sent until then. (Not against the 1 MiB assumed
      // without /info: a stock server takes more, and never ends the session for it.) A proxy whose limit
      // is no higher (nginx's client_max_body_size) refuses or cuts the body first and the server never
      // sees it: with no close within the send timeout, the client ends the session as the server would
      // have. Failing the send instead would resume the session and send the message again, for ever.
      if (body.length > (max as number)) {
        // (The server, which may never have seen the body, is told, or it would keep the session.)
        refused = setTimeout(() => {
          frame('c[1009,"Message too big"]');
          leave(session, extra);
        }, SEND_TIMEOUT);
        return;
      }
      if (!ok) return fail('send failed or timed out after ' + SEND_TIMEOUT + ' ms');
      // A numbered batch arrived only if the answer says so (a stock server's `ok` is never numbered),
      // or, sent by fetch, once the server's `k` on the receiver does (it owes one for each): without it
      // within the liveness wait the connection ends, and the resumed session gets the batch again.
      if (at >= 0 && !framed) {
        if (!byFetch) return fail('send failed: cut short');
        refused = setTimeout(() => fail('send timed out'), wait);
        return (confirmed = () => got >= last && (clearTimeout(refused), (confirmed = null), proceed()))();
      }
      proceed();
    };
    const proceed = () => {
      cancel = null;
      arrived(last);
      pump();
    };
    const byFetch = (window as { fetch?: unknown }).fetch;
    cancel = byFetch ? fetchPost(url, body, done) : formPost(url, body, SEND_TIMEOUT, done);
  }

  return {
    send(messages, from) {
      if (!queue.length) seq = from;
      queue = queue.concat(messages);
      pump();
    },
    close(notify) {
      closed = true;
      clearTimeout(refused);
      if (cancel) cancel();
      cancel = null;
      if (notify && ck.close) leave(session, extra);
      // The queue holds the last messages given: each batch out is taken from its front.
      return queue.length;
    },
    kept(pos) {
      if (pos > got) got = pos;
      if (confirmed) confirmed();
    }
  };
}
