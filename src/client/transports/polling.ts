import { httpConnection } from '../control.js';
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
  // Without /info there is no evidence either way: try, and let the attempt say.
  unsupported: (ctx) => (ctx.crossOrigin && ctx.info?.cors === false ? 'no CORS' : ''),
  connect(ctx, sink) {
    const plain = !!ctx.info?.cometkit?.polling;
    const [fast, idle] = ctx.poll;
    const abort = new AbortController();
    let stopped = false;
    let inFlight = false;
    let delay = fast;
    let timer: ReturnType<typeof setTimeout> | undefined;
    let poll = () => {};
    return httpConnection(
      ctx,
      sink,
      (fail) => {
        poll = () => {
          clearTimeout(timer);
          inFlight = true;
          post(ctx.session + (plain ? '/poll' : '/xhr'), null, abort.signal).then((text) => {
            inFlight = false;
            const frames = text.split('\n').filter(Boolean);
            // An empty answer to a plain poll is as good as a heartbeat.
            if (!frames.length) frames.push('h');
            let busy = false;
            for (const frame of frames) {
              if (stopped) return;
              busy ||= frame.charAt(0) == 'a';
              sink.frame(frame);
            }
            if (stopped) return;
            if (!plain) return poll();
            delay = busy ? fast : Math.min(idle, delay * 2 || 1);
            timer = setTimeout(poll, delay);
          }, (e: unknown) => fail('poll failed: ' + (e as Error).message));
        };
        poll();
        return () => {
          stopped = true;
          clearTimeout(timer);
          abort.abort();
        };
      },
      // A reply to what was just sent is likely queued already: fetch it now.
      () => {
        if (plain && !inFlight && !stopped) {
          delay = fast;
          poll();
        }
      },
    );
  },
};
