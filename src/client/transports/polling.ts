import { httpConnection, noCors } from '../control.js';
import { probe } from '../info.js';
import { post } from '../util/http.js';
import type { Tier } from './types.js';

/**
 * Interval polling on a cometkit server's plain-polling extension: fast while
 * messages flow, backing off to the idle interval when they do not. A send
 * made with no poll out asks to be answered as one (`pollOnSend`), so a reply
 * comes back on it; otherwise, or when it brought no messages, a poll follows
 * at once, so replies come back without waiting for the interval.
 * Against a stock SockJS server: `xhr` long-polling, the nearest it offers.
 */
export const polling: Tier = {
  name: 'polling',
  roundTrips: 2,
  probe,
  unsupported: noCors,
  connect(ctx, sink) {
    const plain = !!ctx.info?.cometkit?.polling;
    const [fast, idle] = ctx.poll;
    // What takes frames, one request at a time: 1 a poll, 2 a send riding as one (answers that
    // could cross on the way would hand frames over out of order); 0 neither.
    let inFlight = 0;
    // A batch got through while a poll was out: that poll may have left before the reply was queued.
    let soon = false;
    let delay = fast;
    let timer: ReturnType<typeof setTimeout> | undefined;
    let poll: () => void;
    let answer: (text: string) => void;
    return httpConnection(
      ctx,
      sink,
      (frame, fail, signal) => {
        answer = (text) => {
          const rode = inFlight > 1;
          inFlight = 0;
          clearTimeout(timer);
          // Every frame ends with a newline: a last one without is an answer cut short.
          const lines = text.split('\n');
          if (lines.pop()) return fail('poll failed: answer cut short');
          const frames = lines.filter(Boolean);
          // An empty answer to a plain poll is as good as a heartbeat.
          if (!frames.length) frames.push('h');
          let busy = false;
          for (const f of frames) {
            busy ||= f[0] == 'a';
            frame(f);
          }
          // A send made while these were handled may have taken the next poll's place.
          return (
            signal.aborted ||
            inFlight ||
            (plain
              ? ((delay = busy ? fast : Math.min(idle, delay * 2 || 1)),
                // A send's answer without messages: the reply may come a moment later, poll for it now.
                (timer = setTimeout(poll, soon || (rode && !busy) ? 0 : delay)),
                (soon = false))
              : poll())
          );
        };
        poll = () => {
          clearTimeout(timer);
          inFlight = 1;
          // ('?t' + ctx.tune() as the other tiers' URLs end: gzip finds the same text.)
          post(ctx.session + (plain ? '/poll' : '/xhr') + '?t' + ctx.tune(), null, signal).then(answer, (e: unknown) => fail('poll failed: ' + (e as Error).message));
        };
        signal.addEventListener('abort', () => clearTimeout(timer));
        poll();
      },
      (text) =>
        plain &&
        ((delay = fast),
        inFlight > 1
          ? answer(text)
          : // A reply to what was just sent is likely queued already: fetch it now.
            // (After close, the aborted signal ends the poll before it starts.)
            inFlight
            ? (soon = true)
            : poll()),
      // With no poll out, a batch asks for what is ready on its own answer: one request per round
      // trip. Only on a resumable session, where a poll renews from what the client has: should the
      // answer be long in coming (a send the network swallowed), polling goes on, that poll gets
      // again what the answer held, and the answer, if it comes, is not read (a poll has taken over).
      () =>
        !inFlight &&
        ctx.info?.cometkit?.pollOnSend &&
        ctx.pos() >= 0 &&
        (clearTimeout(timer),
        (timer = setTimeout(poll, Math.min(idle, ctx.wait / 2))),
        // The answer is a renewal from the batch's `pos` (the server rewinds there, as to a poll's `ack`),
        // and is read from there: tune() moves the read position to it. (Read on from where the last
        // poll left off, while a re-upgrade try held acknowledgements back, repeats counted as new and
        // shifted every later position.)
        ctx.tune(),
        (inFlight = 2)),
    );
  },
};
