import type { TransportContext } from './context.js';
import { JAVASCRIPT, NO_CACHE, cors } from '../http.js';
import { attachHttpReceiver } from '../receiver.js';

function start({ req, res, headers }: TransportContext): void {
  res.writeHead(200, { ...headers, ...NO_CACHE, ...cors(req), 'Content-Type': JAVASCRIPT });
}

/** `POST /<server>/<session>/xhr`: SockJS long-poll, held until one frame is ready. */
export function xhrPolling(ctx: TransportContext): void {
  start(ctx);
  attachHttpReceiver(ctx.session(), ctx.res, { streaming: false, limit: 0, format: (frame) => frame + '\n' }, ctx.tuning);
}

/**
 * `POST /<server>/<session>/poll` (cometkit extension): answered at once with
 * the frame that is ready, or an empty body, for networks that kill held requests.
 * Also the answer to an `xhr_send` that asks for one (`pollOnSend`), with its own tuning.
 */
export function plainPolling(ctx: TransportContext, session = ctx.session(), tuning = ctx.tuning): void {
  start(ctx);
  const receiver = attachHttpReceiver(session, ctx.res, { streaming: false, limit: 0, format: (frame) => frame + '\n' }, tuning);
  // Nothing was ready: give the receiver back at once instead of holding it.
  if (session.receiver === receiver) {
    session.detach(receiver, false);
    receiver.end();
  }
}
