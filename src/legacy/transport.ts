import type { Sink } from '../client/transports/types.js';
import { keptPosition } from '../protocol/frames.js';
import { createControl } from './control.js';
import type { Control } from './control.js';
import type { Extensions } from './info.js';
import { jsonp } from './jsonp.js';
import type { Cancel } from './jsonp.js';
import { withQuery } from './url.js';

/**
 * How long a poll given up keeps its callback (a no-op), ms: a cometkit server answers it at once when
 * told of a close, or when the session's next connection (a reconnection resuming it) takes over, and
 * a script that finds its callback gone raises an error in the page.
 */
const LINGER = 3000;

/**
 * JSONP mode: receives by script-tag long-poll (`jsonp`, one frame per
 * answer, then the next poll at once) and sends by form posts on the control
 * channel (`jsonp_send`). The sink contract of src/client/transports/types.ts:
 * `close` once when the connection ends by itself, nothing after close().
 * `query()` is each poll's query as `&…` (the service URL's own, `extra`, then
 * for resume `&pos=…` on the first, `&ack=…` on the renewals); `pos`, `arrived`
 * and `extra` go to the control channel. A poll waits for its answer `wait` ms: the client's liveness
 * wait (the server's heartbeat and `heartbeatTimeout`, times its patience after liveness drops).
 */
export function connect(
  session: string,
  ck: Extensions,
  sink: Sink,
  query: () => string,
  pos: () => number,
  arrived: (last: number) => void,
  extra: string,
  wait: number
): Control {
  let closed = false;
  let cancel: Cancel = () => {};
  // (A stock server answers a held poll only at its next heartbeat: keeping the callback that long
  // would keep the page from being clean long after a close.)
  const linger = ck.close ? LINGER : 0;
  const end = (notify?: boolean) => {
    closed = true;
    cancel(linger);
    return control.close(notify);
  };
  const fail = (reason: string) => {
    if (!closed) {
      end();
      sink.close(reason);
    }
  };
  const control = createControl(session, ck, fail, pos, arrived, extra, sink.frame, wait);
  // (`wait` is at most what a timer holds: an absurd advertised heartbeat must not make it fire at once.)
  const poll = () => {
    cancel = jsonp(withQuery(session + '/jsonp', query()), wait, (error, frame) => {
      if (closed) return;
      if (error || typeof frame != 'string') return fail('poll failed: ' + (error || 'not a frame'));
      sink.frame(frame);
      control.kept(keptPosition(frame));
      if (!closed) poll();
    });
  };
  poll();
  return { send: control.send, close: end };
}
