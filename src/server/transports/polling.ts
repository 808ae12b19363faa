import type { TransportContext } from './context.js';
import { JAVASCRIPT, NO_CACHE, cors } from '../http.js';
import { attachHttpReceiver } from '../receiver.js';
import type { InternalSession } from '../session.js';

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

/**
 * An `xhr_send` that asks for it (cometkit extension `pollOnSend`), its messages taken: answered as a
 * plain poll, with its own tuning, not the request's: its `pos` says what the client has received, not
 * where it resumes, so it counts as a renewal's `ack`: what was written after it goes again (an earlier
 * answer cut right after its headers reads as an empty one, and its messages were lost). Only onto a
 * free session: a receiver already there (a try at another tier taking the session over) keeps what it
 * is owed, and this answer stays empty.
 */
export function pollOnSend(ctx: TransportContext, session: InternalSession): void {
  if (!session.receiver) return plainPolling(ctx, session, { takeOver: false, secrets: ctx.tuning.secrets, ack: ctx.tuning.pos });
  start(ctx);
  ctx.res.end();
}
