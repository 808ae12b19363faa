import { createControl } from '../control.js';
import { probe } from '../info.js';
import { jsonpScript } from '../util/jsonp.js';
import type { Tier } from './types.js';

/** The longest a held poll may take beyond the server's heartbeat before it counts as lost. */
const SLACK = 10000;

/** Script-tag long-poll: one frame per response, then the next poll at once. */
export const jsonp: Tier = {
  name: 'jsonp',
  roundTrips: 1,
  probe,
  unsupported: () => '',
  connect(ctx, sink) {
    let closed = false;
    let cancel = () => {};
    const fail = (reason: string) => {
      if (!closed) {
        closed = true;
        cancel();
        control.close();
        sink.close(reason);
      }
    };
    const control = createControl(ctx, fail);
    const poll = () => {
      cancel = jsonpScript(ctx.session + '/jsonp', (ctx.info?.cometkit?.heartbeat ?? 25000) + SLACK, (error, frame) => {
        if (closed) return;
        if (error) return fail('poll failed: ' + error.message);
        sink.frame(frame as string);
        if (!closed) poll();
      });
    };
    poll();
    return {
      send: control.send,
      close(notify) {
        closed = true;
        cancel();
        control.close(notify);
      },
    };
  },
};
