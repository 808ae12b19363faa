import type { TransportContext } from './context.js';
import { BodyTooLarge, HTML, NO_CACHE, TEXT, cors, readBody, reply } from '../http.js';
import { tooBig } from '../session.js';
import type { InternalSession } from '../session.js';
import { position } from '../position.js';
import { pollOnSend } from './polling.js';

type Parsed = { messages: string[] } | { error: string };

function parseMessages(body: string): Parsed {
  if (body === '') return { error: 'Payload expected.' };
  let value: unknown;
  try {
    value = JSON.parse(body);
  } catch {
    return { error: 'Broken JSON encoding.' };
  }
  if (!Array.isArray(value) || !value.every((m) => typeof m === 'string')) {
    return { error: 'Broken JSON encoding.' };
  }
  return { messages: value };
}

/**
 * Reads a batch of messages for the session, then `done`. `tellCut`: a resuming client (its batches
 * carry `seq`; a stock client's never do) whose stream the network cut without its knowing (a
 * forever-iframe: browsers fire no event for it) learns of it here, not a heartbeat delay later: the
 * send is answered 410 untaken, and the client resumes and sends the batch again. Only where the
 * client reads the answer's status (`xhr_send`; a no-cors `jsonp_send` cannot).
 */
async function receive(
  ctx: TransportContext,
  extract: (body: string) => string,
  done: (session: InternalSession) => void,
  tellCut = false,
): Promise<void> {
  const { req, res, headers } = ctx;
  const fail = { ...headers, ...NO_CACHE, ...cors(req) };
  const session = ctx.existing();
  const seq = position(ctx.url, 'seq');
  const cut = tellCut && !!session?.stranded && seq !== undefined;
  if (!session || cut) {
    req.resume();
    if (cut) reply(res, 410, 'Receiving connection cut: resume.', fail);
    else reply(res, 404, '', fail);
    return;
  }
  let body: string;
  try {
    body = extract(await readBody(req, ctx.options.maxBodySize));
  } catch (error) {
    // Answered once the body has ended (up to 8 MiB past the limit: readBody), so the client reads
    // this rather than a cut; closing the connection stops one still uploading a huger body.
    const tooLarge = error instanceof BodyTooLarge;
    reply(res, tooLarge ? 413 : 400, tooLarge ? 'Payload too large.' : 'Bad request.', { ...fail, Connection: 'close' });
    // A client keeps its batches within the limit (/info's maxBody): a body over it holds a message.
    if (tooLarge) tooBig(session);
    return;
  }
  const parsed = parseMessages(body);
  if ('error' in parsed) {
    reply(res, 500, parsed.error, fail);
    return;
  }
  // A resuming client numbers its batches (`seq`) and says what it has received (`pos`).
  const pos = position(ctx.url, 'pos');
  if (pos !== undefined) session.ack(pos);
  if (!session.receive(parsed.messages, seq)) {
    reply(res, 400, 'Out of order.', fail);
    return;
  }
  done(session);
}

/**
 * `POST /<server>/<session>/xhr_send`: a JSON array of messages; 204. With `poll` and `pos` (cometkit
 * extension `pollOnSend`, asked by a plain-polling client that has no poll out), 200 and answered as a
 * poll would be, so a reply the application sends at once comes back on this request instead of the
 * next poll: one request per round trip instead of two.
 */
export function xhrSend(ctx: TransportContext): Promise<void> {
  // A cometkit client asks only on a resumable session, whose sends all carry `pos` (read by the router
  // into the tuning); a stock client keeps its base URL's query (`?poll=1`) on its sends and never reads
  // their answers.
  const rides = ctx.url.searchParams.has('poll') && ctx.tuning.pos !== undefined;
  return receive(
    ctx,
    (body) => body,
    (session) => {
      if (rides) return pollOnSend(ctx, session);
      ctx.res.writeHead(204, { ...ctx.headers, ...NO_CACHE, ...cors(ctx.req), 'Content-Type': TEXT });
      ctx.res.end();
    },
    true,
  );
}

/**
 * A resuming client's form post (one that numbers its batch with `seq`) lands in a hidden iframe whose
 * page it cannot read. This answer holds one child frame, which a page can count across origins
 * (`frame.contentWindow.length`), and a browser's error page for a cut post has none: so the client
 * tells arrival from a cut, and resends what was cut instead of taking it as delivered.
 */
const FORM_ANSWER = '<!doctype html><iframe></iframe>';

/**
 * `POST /<server>/<session>/jsonp_send`: a form field `d` (or a raw body) holding the JSON array; `ok`
 * as in SockJS, or FORM_ANSWER for a resuming client's form post. A resuming client's raw body (a
 * no-cors fetch: an error page a proxy gave would read the same as `ok`) is confirmed by a `k` on the
 * session's receiver instead.
 */
export function jsonpSend(ctx: TransportContext): Promise<void> {
  const form = (ctx.req.headers['content-type'] ?? '').startsWith('application/x-www-form-urlencoded');
  const counted = form && position(ctx.url, 'seq') !== undefined;
  return receive(
    ctx,
    (body) => (form ? (new URLSearchParams(body).get('d') ?? '') : body),
    (session) => {
      // A resuming client's raw body comes from a no-cors fetch, whose answer it cannot read.
      if (!form && position(ctx.url, 'pos') !== undefined) session.owe();
      if (!counted) return reply(ctx.res, 200, 'ok', { ...ctx.headers, ...NO_CACHE });
      // Chunked, without a Content-Length: Chromium fires no load event for a frame whose answer was cut
      // short of its Content-Length, and the client would wait out its send timeout (30 s); cut short of
      // its last chunk, the answer loads as far as it came, without the child frame, and reads as a cut.
      ctx.res.writeHead(200, { ...ctx.headers, ...NO_CACHE, 'Content-Type': HTML });
      ctx.res.end(FORM_ANSWER);
    },
  );
}

/**
 * `POST /<server>/<session>/close` (cometkit extension): the client is gone
 * (closed, or its page hidden); end the session now instead of at its timeout.
 * 204, or 200 `ok` to a form post (the legacy build's JSONP mode): its hidden
 * iframe learns the post is done only from a load event, which a 204 never fires.
 */
export function closeSession(ctx: TransportContext): void {
  ctx.req.resume();
  const session = ctx.existing();
  session?.leave();
  const form = (ctx.req.headers['content-type'] ?? '').startsWith('application/x-www-form-urlencoded');
  const headers = { ...ctx.headers, ...NO_CACHE, ...cors(ctx.req) };
  if (session && form) reply(ctx.res, 200, 'ok', headers);
  else reply(ctx.res, session ? 204 : 404, '', headers);
}
