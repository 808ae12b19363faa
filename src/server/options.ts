import { isOrigin } from './origin.js';
import type { Origins } from './origin.js';

/** Options of {@link createServer}. Every duration is in milliseconds, every size in bytes. */
export interface ServerOptions {
  /** Path the service is mounted at, starting with `/` and without a trailing `/`. Default `''` (the root). */
  prefix?: string;
  /** Idle time after which a receiver gets an `h` frame. Default 25000 ms. Proxies that kill idle connections want it shorter. */
  heartbeatDelay?: number;
  /** How long a session outlives its last receiving request. Default 5000 ms. */
  disconnectDelay?: number;
  /** Bytes a streaming response carries before the server ends it and the client opens a fresh one. Default 131072 (128 KiB). */
  responseLimit?: number;
  /**
   * Largest request body accepted on the send endpoints, and largest WebSocket message; a larger one
   * gets 413 (a WebSocket: closed with 1009) and ends the session with 1009 `Message too big`.
   * Advertised in `/info`. Default 1048576 (1 MiB).
   */
  maxBodySize?: number;
  /**
   * Resume (cometkit clients): how long a session waits for its client to come back after a
   * cut, keeping what the client has not acknowledged. Default 30000 ms, at most 600000; 0 turns
   * the extension off (sessions then behave as in plain SockJS).
   */
  resumeGrace?: number;
  /**
   * Resume: bytes (UTF-8) of unacknowledged messages a session keeps. Past it the session ends with
   * code 2011 and the client starts afresh, told of the loss. One larger message is kept when nothing
   * else is. Default 1048576 (1 MiB).
   */
  resumeLimit?: number;
  /**
   * Bytes a WebSocket may still hold unsent from earlier writes when the session writes again, for a
   * client that does not read them (a stalled network, a frozen tab), on a session without resume.
   * Past it the session ends with code 2011, its close frame queued behind what is held, rather than
   * grow the process without bound; one large message alone never trips it. Resumable sessions are
   * bounded by `resumeLimit` instead (one whose client acknowledges what it has not read, past this
   * plus 6 × the larger of `resumeLimit` and what it keeps). Default 1048576 (1 MiB).
   */
  bufferLimit?: number;
  /**
   * Most sessions the server keeps at once (open, waiting for their client to come back, or closed
   * and repeating their close frame until they expire; one its client left by `POST …/close`, or by a
   * WebSocket closed with 1000, is removed at once). Past it, a request that would open a session gets 503 `Too many sessions.` (`Retry-After: 5`; an
   * upgrade, the same status) and the client tries again later; the sessions there go on. A bound
   * on what a flood of new sessions may cost the process. Default 100000.
   */
  maxSessions?: number;
  /**
   * Session secrets (with resume): an HttpOnly cookie binds each resumable session to the browser
   * that opened it, so that whoever learns a session URL (from a log) cannot resume, take over,
   * send on or close it. Default true.
   */
  sessionSecrets?: boolean;
  /**
   * The pages allowed to use the service: their origins (`['https://app.example.com']`), or a
   * function given a request's origin (possibly `'null'`) that returns `true` to allow it. Requests
   * from other pages get 403 and WebSocket upgrades from them are refused, so that a page on another
   * site cannot act with the cookies of a user who visits it (cross-site WebSocket hijacking and its
   * HTTP kin). The server's own origin is always allowed. Default: every origin (as SockJS servers).
   */
  origins?: Origins;
  /** Whether the WebSocket endpoints are enabled. Default true. */
  websocket?: boolean;
  /** Whether session URLs set a `JSESSIONID` cookie (for sticky load balancers). Default false. */
  jsessionid?: boolean;
  /**
   * Script URL of a SockJS client that the `iframe*.html` pages load (stock sockjs-client's iframe
   * transports need it). Default: sockjs-client 1.6.1 from jsDelivr; point it at a copy you serve.
   */
  sockjsUrl?: string;
}

export interface ResolvedOptions {
  prefix: string;
  heartbeatDelay: number;
  disconnectDelay: number;
  responseLimit: number;
  maxBodySize: number;
  resumeGrace: number;
  resumeLimit: number;
  bufferLimit: number;
  maxSessions: number;
  origins: Origins | undefined;
  sessionSecrets: boolean;
  websocket: boolean;
  jsessionid: boolean;
  sockjsUrl: string;
}

export const DEFAULTS: ResolvedOptions = {
  prefix: '',
  heartbeatDelay: 25000,
  disconnectDelay: 5000,
  responseLimit: 131072,
  maxBodySize: 1048576,
  resumeGrace: 30000,
  resumeLimit: 1048576,
  bufferLimit: 1048576,
  maxSessions: 100000,
  origins: undefined,
  sessionSecrets: true,
  websocket: true,
  jsessionid: false,
  sockjsUrl: 'https://cdn.jsdelivr.net/npm/sockjs-client@1.6.1/dist/sockjs.min.js',
};

const NUMBERS = ['heartbeatDelay', 'disconnectDelay', 'responseLimit', 'maxBodySize', 'resumeLimit', 'bufferLimit', 'maxSessions'] as const;
/**
 * The largest of them: 2^31 - 1, the longest delay a timer holds (Node fires a longer one after
 * 1 ms: heartbeats would spin and sessions end at once). Bytes beyond it are no sane limit either.
 */
export const MAX_NUMBER = 2147483647;
/** The longest resume grace period: a session kept longer holds memory for clients long gone. */
export const MAX_RESUME_GRACE = 600000;
const BOOLEANS = ['websocket', 'jsessionid', 'sessionSecrets'] as const;

/** Validates once, up front; every message names the option and what it takes. */
export function resolveOptions(options: unknown): ResolvedOptions {
  if (options === undefined) return { ...DEFAULTS };
  if (options === null || typeof options !== 'object') {
    throw new TypeError('cometkit server: options must be an object');
  }
  const given = options as Record<string, unknown>;
  for (const key of Object.keys(given)) {
    if (!(key in DEFAULTS)) {
      throw new TypeError(`cometkit server: unknown option "${key}"`);
    }
  }
  const out = { ...DEFAULTS };
  const prefix = given.prefix;
  if (prefix !== undefined) {
    if (typeof prefix !== 'string' || (prefix !== '' && (!prefix.startsWith('/') || prefix.endsWith('/')))) {
      throw new TypeError('cometkit server: option "prefix" must be "" or a path that starts with "/" and does not end with "/"');
    }
    out.prefix = prefix;
  }
  for (const key of NUMBERS) {
    const value = given[key];
    if (value === undefined) continue;
    if (typeof value !== 'number' || !Number.isInteger(value) || value <= 0 || value > MAX_NUMBER) {
      throw new TypeError(`cometkit server: option "${key}" must be a positive integer up to ${MAX_NUMBER}`);
    }
    out[key] = value;
  }
  const grace = given.resumeGrace;
  if (grace !== undefined) {
    if (typeof grace !== 'number' || !Number.isInteger(grace) || grace < 0 || grace > MAX_RESUME_GRACE) {
      throw new TypeError(`cometkit server: option "resumeGrace" must be an integer from 0 to ${MAX_RESUME_GRACE}`);
    }
    out.resumeGrace = grace;
  }
  for (const key of BOOLEANS) {
    const value = given[key];
    if (value === undefined) continue;
    if (typeof value !== 'boolean') {
      throw new TypeError(`cometkit server: option "${key}" must be a boolean`);
    }
    out[key] = value;
  }
  const origins = given.origins;
  if (typeof origins === 'function') {
    out.origins = origins as Origins;
  } else if (origins !== undefined) {
    if (!Array.isArray(origins) || !origins.every((o) => typeof o === 'string' && isOrigin(o))) {
      throw new TypeError(
        'cometkit server: option "origins" must be an array of origins such as "https://app.example.com" (scheme, host, port if not the default; lower-case) or a function',
      );
    }
    out.origins = Object.freeze([...(origins as string[])]);
  }
  if (given.sockjsUrl !== undefined) {
    if (typeof given.sockjsUrl !== 'string' || given.sockjsUrl === '') {
      throw new TypeError('cometkit server: option "sockjsUrl" must be a non-empty string');
    }
    out.sockjsUrl = given.sockjsUrl;
  }
  return out;
}
