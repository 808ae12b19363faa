import { httpConnection } from '../control.js';
import { probe } from '../info.js';
import { jsonpFrame } from '../util/jsonp.js';
import type { Tier } from './types.js';

/** Script-tag long-poll: one frame per response, then the next poll at once. */
export const jsonp: Tier = {
  name: 'jsonp',
  hold: true,
  roundTrips: 1,
  probe,
  unsupported: () => '',
  connect: (ctx, sink) =>
    httpConnection(ctx, sink, (frame, fail, signal) => {
      const [load, remove] = jsonpFrame();
      const poll = () =>
        load(ctx.session + '/jsonp?t' + ctx.tune(), ctx.wait, (error, value) =>
          error
            ? fail('poll failed: ' + error)
            : // As text: anything else (a broken or hostile answer) is then a malformed frame, reported
              // as any other, where it would have thrown in the frame checks.
              (frame(String(value)), signal.aborted || poll()),
        );
      signal.addEventListener('abort', remove);
      poll();
    }),
};
