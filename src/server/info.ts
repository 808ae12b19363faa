import { randomInt } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { quote } from '../protocol/frames.js';
import { JAVASCRIPT, NO_CACHE, callbackName, cors, reply } from './http.js';
import type { ResolvedOptions } from './options.js';

/** Protocol version of cometkit's extensions, bumped on incompatible changes. */
export const EXTENSIONS_VERSION = 1;

/**
 * The `/info` body. Stock clients read the SockJS fields and ignore
 * `cometkit`, which advertises the extensions this server speaks.
 */
export function infoBody(options: ResolvedOptions): Record<string, unknown> {
  return {
    websocket: options.websocket,
    cookie_needed: options.jsessionid,
    origins: ['*:*'],
    entropy: randomInt(0, 2 ** 32 - 1),
    cometkit: {
      version: EXTENSIONS_VERSION,
      polling: true,
      // An xhr_send with `poll` is answered as a plain poll (PROTOCOL.md).
      pollOnSend: true,
      close: true,
      tune: true,
      takeover: true,
      heartbeat: options.heartbeatDelay,
      // The largest send body taken (bytes): a cometkit client keeps each request within it.
      maxBody: options.maxBodySize,
      // The grace period in ms: a client resumes only when it is there.
      ...(options.resumeGrace > 0 ? { resume: options.resumeGrace } : {}),
      // Resumable sessions are bound to the browser's secret cookie (session secrets).
      ...(options.resumeGrace > 0 && options.sessionSecrets ? { secret: 'cookie' } : {}),
    },
  };
}

/** `GET /info`, and its JSONP form `GET /info?c=<callback>` for pages without CORS. */
export function info(req: IncomingMessage, res: ServerResponse, url: URL, options: ResolvedOptions): void {
  const body = infoBody(options);
  if (url.searchParams.has('c') || url.searchParams.has('callback')) {
    const callback = callbackName(url, res);
    if (callback === null) return;
    reply(res, 200, `/**/${callback}(${quote(body)});\r\n`, {
      ...NO_CACHE,
      'Content-Type': JAVASCRIPT,
      'X-Content-Type-Options': 'nosniff',
    });
    return;
  }
  const allowed = cors(req);
  reply(res, 200, JSON.stringify(body), {
    ...NO_CACHE,
    ...allowed,
    // The page may read how this answer came (resource timing): a cometkit client counts held
    // connections only over HTTP/1.x (its seats), which across origins it can tell only so.
    'Timing-Allow-Origin': allowed['Access-Control-Allow-Origin'],
    'Content-Type': 'application/json;charset=UTF-8',
  });
}
