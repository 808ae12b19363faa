import { httpConnection, noCors } from '../control.js';
import { probe } from '../info.js';
import { post } from '../util/http.js';
import type { Tier } from './types.js';

/**
 * Interval polling on a cometkit server's plain-polling extension: fast while
 * messages flow, backing off to the idle interval when they do not, and
 * polling at once after each send so replies come back without waiting.
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
    let inFlight = false;
    // A batch got through while a poll was out: that poll may have left before the reply was queued.
    let soon = false;
    let delay = fast;
    let timer: ReturnType<typeof setTimeout> | undefined;
    let poll = () => {};
    return httpConnection(
      ctx,
      sink,
      (frame, fail, signal) => {
        poll = () => {
          clearTimeout(timer);
          inFlight = true;
          post(ctx.session + (plain ? '/poll?t' : '/xhr?t') + ctx.tune(), null, signal).then((text) => {
            inFlight = false;
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
            if (signal.aborted) return;
            if (!plain) return poll();
            delay = busy ? fast : Math.min(idle, delay * 2 || 1);
            timer = setTimeout(poll, soon ? 0 : delay);
            soon = false;
          }, (e: unknown) => fail('poll failed: ' + (e as Error).message));
        };
        signal.addEventListener('abort', () => clearTimeout(timer));
        poll();
      },
      // A reply to what was just sent is likely queued already: fetch it now.
      // (After close, the aborted signal ends the poll before it starts.)
      () => {
        if (plain) {
          delay = fast;
          if (inFlight) soon = true;
          else poll();
        }
      },
    );
  },
};
