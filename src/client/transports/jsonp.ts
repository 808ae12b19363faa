import { httpConnection } from '../control.js';
import { probe } from '../info.js';
import { jsonpFrame } from '../util/jsonp.js';
import type { Tier } from './types.js';

/** Script-tag long-poll: one frame per response, then the next poll at once. */
export const jsonp: Tier = {
  name: 'jsonp',
  roundTrips: 1,
  probe,
  unsupported: () => '',
  connect: (ctx, sink) =>
    httpConnection(ctx, sink, (frame, fail, signal) => {
      const [load, remove] = jsonpFrame();
      // A held poll may take the server's heartbeat delay, plus slack for the network.
      const timeout = (ctx.info?.cometkit?.heartbeat ?? 25000) + 10000;
      const poll = () =>
        load(ctx.session + '/jsonp?t' + ctx.tune(), timeout, (error, value) => {
          if (error) return fail('poll failed: ' + error);
          frame(value as string);
          if (!signal.aborted) poll();
        });
      signal.addEventListener('abort', remove);
      poll();
    }),
};
