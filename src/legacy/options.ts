import type { TransportName } from '../client/events.js';
import { MAX_DELAY } from '../client/retry.js';

/**
 * Throws the TypeError that every misuse gets, prefixed `cometkit: `, as
 * src/client/options.ts does (importing it would bring TypeScript's ES5
 * helpers for that module's object spread along).
 */
export function fail(message: string): never {
  throw new TypeError('cometkit: ' + message);
}

/**
 * Options of the legacy `createClient`: the modern build's names, types and
 * defaults, so one call works with either build. Every duration is in ms.
 */
export interface LegacyOptions {
  /** Tier names to try, in order. Only `jsonp` runs here; the others are skipped with a reason. Default: `['jsonp']`. */
  transports?: readonly TransportName[];
  /** Least time a tier gets to open; the RTT-derived timeout applies when longer. Default 500 ms. */
  timeout?: number;
  /** Whether to reconnect after the connection drops. Default true. */
  reconnect?: boolean;
  /** Delay before reconnection attempt `attempt` (from 1), or null to stop. Default: full-jitter backoff. */
  retry?: (attempt: number) => number | null;
  /** Base of the default backoff. Default 1000 ms. */
  reconnectDelay?: number;
  /** Cap of the default backoff. Default 30000 ms. */
  maxReconnectDelay?: number;
  /** Time open after which the backoff starts over. Default 10000 ms. */
  stableAfter?: number;
  /** Silence beyond the server's heartbeat delay (25000 ms unless advertised) after which the connection counts as dead; the whole wait doubles (up to 8×) after each such drop until a frame is heard. Default 10000 ms. */
  heartbeatTimeout?: number;
  /** Accepted for parity with the modern build; plain polling is not in the legacy build. */
  pollInterval?: number;
  /** Accepted for parity with the modern build; plain polling is not in the legacy build. */
  pollIdleInterval?: number;
  /** Accepted for parity with the modern build; the legacy build keeps no memory across page loads. */
  remember?: number;
  /** Accepted for parity with the modern build; with one tier there is nothing to re-upgrade to. */
  upgradeInterval?: number;
  /** Whether to resume sessions with a cometkit server that offers it (nothing lost or repeated across cuts). Default true. */
  resume?: boolean;
  /** Accepted for parity with the modern build; the legacy build does not resume across a reload. */
  persist?: boolean;
  /** Most messages waiting to be confirmed (queued, or sent and not yet arrived); a send beyond throws. Default 1000. */
  queueLimit?: number;
  /** Most bytes (UTF-8) of such messages; a send beyond throws. Default 1048576 (1 MiB). */
  queueBytes?: number;
  /** Accepted for parity with the modern build; WebSocket is not in the legacy build. */
  WebSocket?: unknown;
}

export interface Resolved {
  transports: TransportName[];
  timeout: number;
  reconnect: boolean;
  retry: ((attempt: number) => number | null) | undefined;
  reconnectDelay: number;
  maxReconnectDelay: number;
  stableAfter: number;
  heartbeatTimeout: number;
  resume: boolean;
  queueLimit: number;
  queueBytes: number;
}

// The type of each default is the type an option must have; `undefined`
// defaults (transports, retry, WebSocket) are checked on their own.
const DEFAULTS: Record<string, unknown> = {
  transports: undefined,
  timeout: 500,
  reconnect: true,
  retry: undefined,
  reconnectDelay: 1000,
  maxReconnectDelay: 30000,
  stableAfter: 10000,
  heartbeatTimeout: 10000,
  pollInterval: 50,
  pollIdleInterval: 2000,
  remember: 3600000,
  upgradeInterval: 60000,
  resume: true,
  persist: false,
  queueLimit: 1000,
  queueBytes: 1048576,
  WebSocket: undefined
};

const NAMES = ' websocket xhr-streaming iframe jsonp polling ';

// Own keys only: old pages (Prototype.js and friends) add enumerable members to prototypes.
const own = (o: object, key: string) => Object.prototype.hasOwnProperty.call(o, key);

/**
 * Validates once, synchronously, with the modern build's messages. Written
 * apart from src/client/options.ts, which needs object spread, Array#map/find
 * and JSON.stringify.
 */
export function resolveOptions(options: LegacyOptions | undefined): Resolved {
  const given = (options ?? {}) as Record<string, unknown>;
  if (typeof given != 'object') fail('options must be an object');
  const out: Record<string, unknown> = {};
  for (const key in DEFAULTS) if (own(DEFAULTS, key)) out[key] = DEFAULTS[key];
  for (const key in given) {
    if (!own(given, key)) continue;
    const value = given[key];
    if (!own(DEFAULTS, key)) fail('unknown option "' + key + '"');
    if (value === undefined) continue;
    const type = key == 'transports' ? 'object' : typeof DEFAULTS[key] == 'undefined' ? 'function' : typeof DEFAULTS[key];
    // At most what a timer holds: a longer delay fires at once (a watchdog would spin).
    if (typeof value != type || (type == 'number' && !((value as number) >= 0 && (value as number) <= MAX_DELAY))) {
      fail('option "' + key + '" must be a ' + (type == 'number' ? 'number from 0 to ' + MAX_DELAY : type == 'object' ? 'non-empty array' : type));
    }
    out[key] = value;
  }
  const list = (out.transports ?? ['jsonp']) as unknown[];
  // toString, not instanceof: the array may come from another frame.
  if (Object.prototype.toString.call(list) != '[object Array]' || !list.length) fail('option "transports" must be a non-empty array');
  for (const t of list) {
    if (typeof t != 'string' || NAMES.indexOf(' ' + t + ' ') < 0) fail('unknown transport "' + String(t) + '"');
  }
  out.transports = list;
  return out as unknown as Resolved;
}
