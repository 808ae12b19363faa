import type { TransportName } from './events.js';
import type { Tier } from './transports/types.js';
import { MAX_DELAY } from './retry.js';

/** Options of `createClient`. Every duration is in milliseconds. */
export interface ClientOptions {
  /** Tiers to try, in order. Default: websocket, xhr-streaming, iframe, jsonp, polling. */
  transports?: readonly (TransportName | Tier)[];
  /** Least time a tier gets to open; the RTT-derived timeout applies when longer. Default 500 ms. */
  timeout?: number;
  /** Whether to reconnect after the connection drops. Default true. */
  reconnect?: boolean;
  /** Delay before reconnection attempt `attempt` (from 1), or null to stop. Default: full-jitter backoff from `reconnectDelay` to `maxReconnectDelay`. */
  retry?: (attempt: number) => number | null;
  /** Base of the default backoff. Default 1000 ms. */
  reconnectDelay?: number;
  /** Cap of the default backoff. Default 30000 ms. */
  maxReconnectDelay?: number;
  /** Time open after which the backoff starts over. Default 10000 ms. */
  stableAfter?: number;
  /** Silence beyond the server's heartbeat delay (25000 ms unless advertised) after which the connection counts as dead; the whole wait doubles (up to 8×) after each such drop until a frame is heard. Default 10000 ms. */
  heartbeatTimeout?: number;
  /** Plain polling interval while messages flow. Default 50 ms. */
  pollInterval?: number;
  /** Longest plain polling interval when idle. Default 2000 ms. */
  pollIdleInterval?: number;
  /** How often, while open below the best tier on a resumable session, a better one is tried in the background (the best first, then each tier above in turn; a cometkit server moves the session onto it without a gap); 0 never. Default 60000 ms. */
  upgradeInterval?: number;
  /** How long what was learnt about the network (the tier that worked, those that failed, tuning) is kept for the next page load, in localStorage; 0 keeps nothing. Default 3600000 ms. */
  remember?: number;
  /** Whether to resume sessions with a cometkit server that offers it (nothing lost or repeated across cuts). Default true. */
  resume?: boolean;
  /** Resume across a reload of the same tab (sessionStorage) within the server's grace period: the page leaving does not end the session. Default false. */
  persist?: boolean;
  /** Most messages waiting to be confirmed (queued while disconnected, or unacknowledged); a send beyond throws. Default 1000. */
  queueLimit?: number;
  /** Most bytes (UTF-8) of such messages; a send beyond throws. Default 1048576 (1 MiB). */
  queueBytes?: number;
  /** WebSocket constructor to use instead of the page's. */
  WebSocket?: typeof WebSocket;
}

/** The options with defaults filled in, and `transports` resolved to tier objects. */
export interface Resolved extends Required<Omit<ClientOptions, 'transports' | 'retry' | 'WebSocket'>> {
  transports: Tier[];
  retry: ClientOptions['retry'];
  WebSocket: ClientOptions['WebSocket'];
}

// Each option's default, whose type is the type the option must have
// (`undefined`: a function). `transports` (null) is checked on its own, after the
// loop. No prototype, so `in` finds no inherited names ('toString').
const DEFAULTS: Record<string, unknown> = {
  __proto__: null,
  transports: null,
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
  WebSocket: undefined,
};

/** Throws the TypeError that every misuse gets, prefixed `cometkit: `. */
export function fail(message: string): never {
  // (Called, not constructed: the same TypeError, and no `new` in the bundle.)
  throw TypeError('cometkit: ' + message);
}

/** Validates once, synchronously; `named` maps tier names to tiers (empty for the core client). */
export function resolveOptions(options: ClientOptions | undefined, named: readonly Tier[]): Resolved {
  const given = (options ?? {}) as Record<string, unknown>;
  if (typeof given != 'object') fail('options must be an object');
  const out = { ...DEFAULTS };
  // Own keys only: a page's old library may have added enumerable members to Object.prototype.
  for (const [key, value] of Object.entries(given)) {
    if (!(key in DEFAULTS)) fail('unknown option "' + key + '"');
    if (value === undefined) continue;
    // (An undefined default stands for a function: any function's type says so.)
    const type = typeof (DEFAULTS[key] ?? fail);
    // At most what a timer holds: a longer delay fires after 1 ms (a watchdog or poll would spin).
    if (key != 'transports' && (typeof value != type || (type == 'number' && !((value as number) >= 0 && (value as number) <= MAX_DELAY))))
      fail('option "' + key + '" must be a ' + (type == 'number' ? 'number from 0 to ' + MAX_DELAY : type));
    out[key] = value;
  }
  const list = (out.transports ?? named) as unknown[];
  if (!Array.isArray(list) || !list.length) fail('option "transports" must be a non-empty array');
  out.transports = list.map((t) => {
    const tier = typeof t == 'string' ? named.find((n) => n.name == t) : (t as Tier);
    if (!tier?.connect) fail('unknown transport ' + JSON.stringify(t));
    return tier;
  });
  return out as unknown as Resolved;
}
