import { randomUUID } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { STATUS_CODES, createServer as createHttpServer } from 'node:http';
import type { IncomingMessage, Server as HttpServer, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer } from 'ws';
import { NO_CACHE, TEXT, cors, jsessionid, preflight, reply } from './http.js';
import type { Headers } from './http.js';
import { BRIDGE_PATH, bridgePage } from './bridge.js';
import { iframePage, servePage } from './iframe.js';
import { info } from './info.js';
import { MAX_NUMBER, resolveOptions } from './options.js';
import { originCheck } from './origin.js';
import type { ResolvedOptions, ServerOptions } from './options.js';
import { checkClose, createSession } from './session.js';
import { position } from './position.js';
import { newSecret, secretCookie, shownSecrets } from './secret.js';
import type { ReceiveTuning } from './receiver.js';
import type { InternalSession, Session, SessionHost, SessionInfo } from './session.js';
import type { TransportContext } from './transports/context.js';
import { eventsource } from './transports/eventsource.js';
import { htmlfile } from './transports/htmlfile.js';
import { jsonp } from './transports/jsonp.js';
import { plainPolling, xhrPolling } from './transports/polling.js';
import { closeSession, jsonpSend, xhrSend } from './transports/send.js';
import { xhrStreaming } from './transports/xhr-streaming.js';
import { framedWebsocket, rawWebsocket } from './transports/websocket.js';

export interface ServerEvents {
  connection: [session: Session];
  /** A bug while handling a request (answered with 500); without a listener it is logged. */
  error: [error: unknown];
}

/** A SockJS-compatible endpoint, mounted on one or more `http.Server`s. */
export interface CometServer extends EventEmitter<ServerEvents> {
  readonly options: Readonly<ResolvedOptions>;
  /**
   * Open sessions by id (WebSocket sessions included, under their own ids). A WebSocket that opened a
   * session on an id in use (the protocol allows it) is not listed while that id's session is open.
   */
  readonly sessions: ReadonlyMap<string, Session>;
  /** Takes over requests and upgrades under the prefix; everything else goes to the server's other listeners. */
  attach(server: HttpServer): void;
  /** For frameworks: handles the request if it is under the prefix and returns true, else returns false. */
  handleRequest(req: IncomingMessage, res: ServerResponse): boolean;
  /** For frameworks: handles the upgrade if it is under the prefix and returns true, else returns false. */
  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): boolean;
  /** Sends a message to every open session. */
  broadcast(text: string): void;
  /** Closes every session (code 1001 "Server shutting down" unless given) and opens no new one (503, upgrades too). */
  close(code?: number, reason?: string): void;
}

type Handler = (ctx: TransportContext) => void | Promise<void>;

interface Route {
  methods: string;
  handler: Handler;
  /** Answers CORS preflights (XHR routes only). */
  preflight: boolean;
  /** Receives: a request for a session id not in use opens that session. */
  opens?: boolean;
}

const ROUTES: Partial<Record<string, Route>> = {
  xhr_streaming: { methods: 'POST', handler: xhrStreaming, preflight: true, opens: true },
  xhr: { methods: 'POST', handler: xhrPolling, preflight: true, opens: true },
  poll: { methods: 'POST', handler: plainPolling, preflight: true, opens: true },
  xhr_send: { methods: 'POST', handler: xhrSend, preflight: true },
  eventsource: { methods: 'GET', handler: eventsource, preflight: false, opens: true },
  htmlfile: { methods: 'GET', handler: htmlfile, preflight: false, opens: true },
  jsonp: { methods: 'GET', handler: jsonp, preflight: false, opens: true },
  jsonp_send: { methods: 'POST', handler: jsonpSend, preflight: false },
  close: { methods: 'POST', handler: closeSession, preflight: true },
};

/** Answers an upgrade request with `status` and no body (`header`: more header lines), and closes it. */
function refuseUpgrade(socket: Duplex, status: number, header = ''): true {
  socket.end(`HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nConnection: close\r\n${header}Content-Length: 0\r\n\r\n`);
  return true;
}

// sockjs-node's rule: both ids non-empty, without `/` or `.`.
const SESSION_PATH = /^\/([^/.]+)\/([^/.]+)\/([a-z_]+)$/;
const IFRAME_PATH = /^\/iframe[0-9a-z_.-]*\.html$/;

function describe(req: IncomingMessage, transport: string): SessionInfo {
  return {
    transport,
    remoteAddress: req.socket.remoteAddress,
    headers: req.headers,
    url: req.url ?? '',
  };
}

// Shorter than this, heartbeats and held requests would cost more than the proxies they outwit.
const MIN_TUNED = 1000;

/**
 * A whole number of ms from a query parameter, at least `floor`; undefined when absent, not written
 * in digits, or beyond what a timer holds (MAX_NUMBER: no limit asked, in effect).
 */
function msParam(url: URL, name: string, floor: number): number | undefined {
  const raw = url.searchParams.get(name) ?? '';
  // Digits only: Number() reads an empty or blank value (a base URL's `ttl=`) as 0, the floor.
  const value = /^\d+$/.test(raw) ? Number(raw) : NaN;
  return value <= MAX_NUMBER ? Math.max(floor, value) : undefined;
}

/**
 * `ttl`, `takeover`, `pos`, `ack` and `h`, which cometkit clients add to receiving requests (see
 * PROTOCOL.md). `h`: a client behind a proxy that kills idle connections asks for more frequent
 * heartbeats; never less frequent than the server's own.
 */
function tuningOf(url: URL, options: ResolvedOptions): ReceiveTuning {
  const resume = options.resumeGrace > 0;
  const asked = msParam(url, 'h', MIN_TUNED);
  return {
    ttl: msParam(url, 'ttl', MIN_TUNED),
    takeOver: url.searchParams.get('takeover') === '1',
    pos: resume ? position(url, 'pos') : undefined,
    ack: resume ? position(url, 'ack') : undefined,
    heartbeat: asked === undefined ? undefined : Math.min(asked, options.heartbeatDelay),
  };
}

function methodNotAllowed(res: ServerResponse, allow: string): void {
  reply(res, 405, '', { Allow: allow });
}

/** Creates a SockJS 0.3-compatible server; attach it to an `http.Server` to serve. */
export function createServer(options?: ServerOptions): CometServer {
  const resolved = resolveOptions(options);
  const { prefix } = resolved;
  const sessions = new Map<string, InternalSession>();
  // Open sessions (`sessions`, `broadcast`, `close`).
  const live = new Set<InternalSession>();
  // Every session in memory, from its opening until it is removed: open ones, and closed ones that
  // repeat their close frame (or wait for their client to resume) until they expire. (Counting open
  // ones only, a client that opened sessions and cut them in a loop was never held to maxSessions.)
  const kept = new Set<InternalSession>();
  const page = iframePage(resolved.sockjsUrl);
  const wss = new WebSocketServer({ noServer: true, perMessageDeflate: false, maxPayload: resolved.maxBodySize });
  const comet = new EventEmitter<ServerEvents>() as CometServer;
  const checkOrigin = originCheck(resolved.origins, (error) => report(error));
  // A new session past maxSessions (every one kept counts: open, closed and not yet expired, waiting
  // for its client to resume); a request to a session in use goes on.
  // Once close() has run, no new session: clients reconnecting after its 1001 would open them on the
  // HTTP tiers of a server shutting down, upgrades alone being refused.
  let shut = false;
  const full = (id: string): boolean => !sessions.has(id) && (shut || kept.size >= resolved.maxSessions);
  /** A refusal a page can read across origins, so that its client can say why. */
  const refuse = (req: IncomingMessage, res: ServerResponse, status: number, text: string, headers: Headers = {}): void =>
    reply(res, status, text, { ...NO_CACHE, ...cors(req), ...headers });
  /** Answers 403 unless the request's page may use the service. */
  function refused(req: IncomingMessage, res: ServerResponse, strict: boolean): boolean {
    if (!checkOrigin || checkOrigin(req, strict)) return false;
    refuse(req, res, 403, 'Origin not allowed.');
    return true;
  }
  // Session secrets guard resumable sessions only: a stock client has none, and may send no cookie
  // on some of its requests (cross-origin EventSource).
  const secrets = resolved.sessionSecrets && resolved.resumeGrace > 0;
  // The Set-Cookie of a secret issued to a WebSocket upgrade, for its 101.
  const upgrades = new WeakMap<IncomingMessage, string>();
  wss.on('headers', (headers, req) => {
    const cookie = upgrades.get(req);
    if (cookie) headers.push('Set-Cookie: ' + cookie);
  });

  /**
   * The session secrets a request shows (undefined when secrets are off). A receiving request of a
   * cometkit client (`pos` or `ack`) that shows none is issued one, as the Set-Cookie handed to
   * `issue`; no other request is (`issue` undefined for sends and closes, which carry `pos` too), so
   * stock clients and the SockJS protocol suite see no cookie they did not ask for.
   */
  function see(req: IncomingMessage, tuning: ReceiveTuning, issue?: (cookie: string) => void): string[] | undefined {
    if (!secrets) return undefined;
    const shown = shownSecrets(req);
    if (issue && !shown.length && (tuning.pos !== undefined || tuning.ack !== undefined)) issue(secretCookie(newSecret(), prefix, req));
    return shown;
  }

  const host: SessionHost = {
    options: resolved,
    opened(session) {
      live.add(session);
      kept.add(session);
      session.once('close', () => live.delete(session));
      // Runs inside WebSocket upgrade callbacks too, where a throw would crash the process.
      try {
        comet.emit('connection', session);
      } catch (error) {
        report(error);
      }
    },
    removed(session) {
      kept.delete(session);
      if (sessions.get(session.id) === session) sessions.delete(session.id);
    },
    error: (error) => report(error),
  };

  // An 'error' event without a listener would throw and take the process down.
  function report(error: unknown): void {
    if (comet.listenerCount('error') > 0) comet.emit('error', error);
    else console.error('cometkit server:', error);
  }

  function localPath(url: string): string | null {
    const path = url.split('?', 1)[0] ?? '';
    if (path === prefix || path === prefix + '/') return '/';
    return path.startsWith(prefix + '/') ? path.slice(prefix.length) : null;
  }

  function handleRequest(req: IncomingMessage, res: ServerResponse): boolean {
    const path = localPath(req.url ?? '/');
    if (path === null) return false;
    const method = req.method ?? 'GET';
    // A cross-origin isolated page (COEP `require-corp`) loads what it does not fetch with CORS (JSONP
    // scripts, `no-cors` sends, framed pages) only from responses that allow it; browsers allow any
    // page without COEP to load them anyway, so this gives no page more than it had.
    res.setHeader('Cross-Origin-Resource-Policy', 'cross-origin');
    try {
      // Not `new URL(req.url, base)`: it reads `//…` as a host and throws (GET // is the welcome page).
      const url = new URL('http://localhost' + (req.url ?? '/'));
      route(req, res, path, method, url);
    } catch (error) {
      // A bug in one request must not take the process, or other sessions, down.
      reply(res, 500, 'Internal error.', NO_CACHE);
      report(error);
    }
    return true;
  }

  function route(req: IncomingMessage, res: ServerResponse, path: string, method: string, url: URL): void {
    if (path === '/' || path === '//') {
      if (method !== 'GET') return methodNotAllowed(res, 'GET');
      return reply(res, 200, 'Welcome to SockJS!\n', { 'Content-Type': TEXT });
    }
    if (path === '/info') {
      if (method === 'OPTIONS') return preflight(req, res, 'OPTIONS, GET');
      if (method !== 'GET') return methodNotAllowed(res, 'OPTIONS, GET');
      // The JSONP form answers whichever page loads it.
      if (refused(req, res, url.searchParams.has('c') || url.searchParams.has('callback'))) return;
      return info(req, res, url, resolved);
    }
    if (path === BRIDGE_PATH) {
      if (method !== 'GET') return methodNotAllowed(res, 'GET');
      // The iframe pages relay what they hear to the page that embeds them: checked by its origin
      // on every load (revalidated, not cached, while origins are checked).
      if (refused(req, res, true)) return;
      return servePage(req, res, bridgePage, true);
    }
    if (IFRAME_PATH.test(path)) {
      if (method !== 'GET') return methodNotAllowed(res, 'GET');
      if (refused(req, res, true)) return;
      return servePage(req, res, page, !!checkOrigin);
    }
    if (path === '/websocket') return websocketOverHttp(res, method);
    const match = SESSION_PATH.exec(path);
    if (!match) return reply(res, 404, '');
    const [, , id = '', transport = ''] = match;
    if (transport === 'websocket') return websocketOverHttp(res, method);
    // Own members only: `__proto__` and `constructor` are transport names too, to the pattern.
    const spec = Object.prototype.hasOwnProperty.call(ROUTES, transport) ? ROUTES[transport] : undefined;
    if (!spec) return reply(res, 404, '');
    if (method === 'OPTIONS' && spec.preflight) return preflight(req, res, 'OPTIONS, ' + spec.methods);
    if (method !== spec.methods) return methodNotAllowed(res, spec.preflight ? 'OPTIONS, ' + spec.methods : spec.methods);
    if (refused(req, res, transport === 'jsonp')) return;
    if (spec.opens && full(id)) return refuse(req, res, 503, shut ? 'Server shutting down.' : 'Too many sessions.', { 'Retry-After': '5' });
    const headers: Headers = resolved.jsessionid ? jsessionid(req) : {};
    const tuning = tuningOf(url, resolved);
    tuning.secrets = see(
      req,
      tuning,
      spec.opens
        ? (cookie) => {
            const set = headers['Set-Cookie'];
            headers['Set-Cookie'] = set ? [set, cookie].flat() : cookie;
          }
        : undefined,
    );
    const ctx: TransportContext = {
      req,
      res,
      url,
      options: resolved,
      headers,
      tuning,
      session: () => {
        let session = sessions.get(id);
        if (!session) {
          session = createSession(id, host, describe(req, transport));
          sessions.set(id, session);
        }
        return session;
      },
      // A session that does not admit the request is, to it, one that does not exist.
      existing: () => {
        const session = sessions.get(id);
        return session?.admits(tuning.secrets) ? session : undefined;
      },
    };
    const done = spec.handler(ctx);
    if (done) {
      done.catch((error: unknown) => {
        reply(res, 500, 'Internal error.', NO_CACHE);
        report(error);
      });
    }
  }

  function websocketOverHttp(res: ServerResponse, method: string): void {
    if (!resolved.websocket) return reply(res, 404, '');
    if (method !== 'GET') return methodNotAllowed(res, 'GET');
    reply(res, 400, 'Can "Upgrade" only to "WebSocket".');
  }

  function handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): boolean {
    const path = localPath(req.url ?? '/');
    if (path === null) return false;
    const match = SESSION_PATH.exec(path);
    const raw = path === '/websocket';
    if (!resolved.websocket || !(raw || match?.[3] === 'websocket')) return refuseUpgrade(socket, 404);
    socket.on('error', () => socket.destroy());
    // As over plain HTTP, and as the protocol asks: 405 with `Allow: GET` and no body.
    if (req.method !== 'GET') return refuseUpgrade(socket, 405, 'Allow: GET\r\n');
    if (checkOrigin && !checkOrigin(req, false)) return refuseUpgrade(socket, 403);
    const url = new URL('http://localhost' + (req.url ?? '/'));
    const tuning = tuningOf(url, resolved);
    const id = match?.[2] ?? '';
    const existing = raw ? undefined : sessions.get(id);
    // A cometkit client moving this session onto a WebSocket (re-upgrade), or resuming it. Any other
    // upgrade opens a session, on an id in use too (the protocol allows it), and so takes a place.
    const reused = (tuning.takeOver && existing?.state === 'open') || (existing && tuning.pos !== undefined) ? existing : undefined;
    if (!reused && (shut || kept.size >= resolved.maxSessions)) return refuseUpgrade(socket, 503, 'Retry-After: 5\r\n');
    if (!raw) tuning.secrets = see(req, tuning, (cookie) => upgrades.set(req, cookie));
    wss.handleUpgrade(req, socket, head, (ws) => {
      if (raw) {
        rawWebsocket(ws, createSession('raw-' + randomUUID(), host, describe(req, 'rawwebsocket')), resolved.bufferLimit);
        return;
      }
      if (reused) {
        framedWebsocket(ws, reused, tuning, resolved.bufferLimit, resolved.resumeLimit);
        return;
      }
      const session = createSession(id, host, describe(req, 'websocket'));
      // The protocol lets a WebSocket reuse a session id that is in use; only
      // a free id is registered (so that another tier can take it over later).
      if (!existing) sessions.set(id, session);
      framedWebsocket(ws, session, tuning, resolved.bufferLimit, resolved.resumeLimit);
    });
    return true;
  }

  Object.defineProperties(comet, {
    options: { value: Object.freeze(resolved), enumerable: true },
    sessions: {
      get: () => {
        const open = new Map<string, Session>();
        // A WebSocket that opened a session on an id in use shares the id: the one listed is the one
        // requests to that id reach.
        for (const s of live) if (!open.has(s.id) || sessions.get(s.id) === s) open.set(s.id, s);
        return open;
      },
      enumerable: true,
    },
  });

  comet.handleRequest = handleRequest;
  comet.handleUpgrade = handleUpgrade;

  comet.attach = (server: HttpServer): void => {
    // Like sockjs-node: requests outside the prefix still reach the listeners the server had.
    for (const event of ['request', 'upgrade'] as const) {
      const previous = server.listeners(event) as ((...args: unknown[]) => void)[];
      server.removeAllListeners(event);
      server.on(event, (req: IncomingMessage, second: ServerResponse | Duplex, head?: Buffer) => {
        const handled =
          event === 'request'
            ? handleRequest(req, second as ServerResponse)
            : handleUpgrade(req, second as Duplex, head ?? Buffer.alloc(0));
        if (handled) return;
        if (previous.length > 0) {
          for (const listener of previous) listener.call(server, req, second, head);
        } else if (event === 'request') {
          reply(second as ServerResponse, 404, '');
        } else {
          (second as Duplex).destroy();
        }
      });
    }
  };

  comet.broadcast = (text: string): void => {
    if (typeof text !== 'string') throw new TypeError('cometkit server: broadcast() takes a string');
    for (const session of live) session.send(text);
  };

  comet.close = (code = 1001, reason = 'Server shutting down'): void => {
    checkClose(code, reason);
    shut = true;
    for (const session of [...live]) session.close(code, reason);
    for (const client of wss.clients) client.terminate();
    // As documented: later upgrades are refused (ws answers them 503).
    wss.close();
  };

  return comet;
}

/** Options of {@link listen}: the server's, plus where to listen. */
export interface ListenOptions extends ServerOptions {
  /** TCP port; 0 picks a free one. Default 0. */
  port?: number;
  /** Interface to listen on. Default `127.0.0.1`. */
  host?: string;
}

/** A standalone server started by {@link listen}. */
export interface StandaloneServer {
  comet: CometServer;
  http: HttpServer;
  port: number;
  /** The service's base URL, e.g. `http://127.0.0.1:8080/echo`. */
  url: string;
  /** Closes every session and the listening socket. */
  close(): Promise<void>;
}

/**
 * One line to a running server.
 * @example const { url } = await listen({ port: 8080, prefix: '/echo' }, (s) => s.on('message', (m) => s.send(m)));
 */
export async function listen(options: ListenOptions = {}, onConnection?: (session: Session) => void): Promise<StandaloneServer> {
  const { port = 0, host = '127.0.0.1', ...rest } = options;
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new TypeError('cometkit server: option "port" must be an integer from 0 to 65535');
  }
  const comet = createServer(rest);
  if (onConnection) comet.on('connection', onConnection);
  const http = createHttpServer();
  comet.attach(http);
  await new Promise<void>((resolve, reject) => {
    http.once('error', reject);
    http.listen(port, host, () => resolve());
  });
  const address = http.address();
  const actual = typeof address === 'object' && address ? address.port : port;
  return {
    comet,
    http,
    port: actual,
    url: `http://${host.includes(':') ? `[${host}]` : host}:${actual}${comet.options.prefix}`,
    close: () =>
      new Promise<void>((resolve) => {
        comet.close();
        http.closeAllConnections();
        http.close(() => resolve());
      }),
  };
}
