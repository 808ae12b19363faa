import { decodeFrame } from '../protocol/frames.js';
import { NegotiationError } from './errors.js';
import type { Attempt } from './errors.js';
import { createEmitter } from './events.js';
import type { EventName, Handler, TransportName } from './events.js';
import { fail, resolveOptions } from './options.js';
import type { ClientOptions } from './options.js';
import { backoff, openTimeout } from './retry.js';
import type { Connection, ConnectContext, Tier } from './transports/types.js';
import { isCrossOrigin, sessionUrl } from './util/url.js';

/** Where a client stands. `closed` is final. */
export type ClientState = 'connecting' | 'open' | 'reconnecting' | 'closed';

/** A push connection that keeps itself alive. */
export interface Client {
  /** Subscribes; returns the unsubscribe function. */
  on: <K extends EventName>(type: K, handler: Handler<K>) => () => void;
  off: <K extends EventName>(type: K, handler: Handler<K>) => void;
  /** Sends a message; while not open it is queued and sent, in order, once open. */
  send: (text: string) => void;
  /** Closes for good (code 1000 or 3000–4999, reason up to 123 characters) and tells the server at once. */
  close: (code?: number, reason?: string) => void;
  readonly state: ClientState;
  /** The tier in use, or null while not open. */
  readonly transport: TransportName | null;
  /** Every tier tried by the latest negotiation, with outcome, reason and time. */
  diagnostics: () => Attempt[];
}

type TimerName = 'retry' | 'watch' | 'stable';

/**
 * The client over the tiers given in `options.transports` (tier objects): what
 * a bundle does not pass in, it does not contain. `named` lets `createClient`
 * accept tier names.
 */
export function createCoreClient(url: string, options?: ClientOptions, named: readonly Tier[] = []): Client {
  if (typeof url != 'string' || !/^(https?:)?\//.test(url)) fail('url must be an http(s) URL or a path');
  const o = resolveOptions(options, named);
  const retry = o.retry || backoff(o.reconnectDelay, o.maxReconnectDelay);
  const base = url.replace(/\/+$/, '');
  const { on, off, emit } = createEmitter();
  const timers: Partial<Record<TimerName, ReturnType<typeof setTimeout>>> = {};
  let state: ClientState = 'connecting';
  let tier: Tier | null = null;
  let preferred: Tier | null = null;
  let conn: Connection | null = null;
  // The connection a negotiation is waiting on, until it opens or fails.
  let pending: Connection | undefined;
  let generation = 0;
  let retries = 0;
  const outbox: string[] = [];
  let lastSeen = 0;
  let deadAfter = 0;
  let attempts: Attempt[] = [];

  const later = (name: TimerName, fn?: () => void, ms?: number) => {
    clearTimeout(timers[name]);
    if (fn) timers[name] = setTimeout(fn, ms);
  };
  const online = () => {
    if (state == 'reconnecting') start();
  };
  // Leaving the page: free the server session now, not after its timeout.
  const hide = () => {
    if (conn) drop(1001, 'Page hidden', true);
  };
  const listen = (method: 'addEventListener' | 'removeEventListener') => {
    if (typeof document == 'object') {
      window[method]('online', online);
      window[method]('pageshow', online);
      window[method]('pagehide', hide);
      document[method]('visibilitychange', watch);
    }
  };

  function start(): void {
    if (state == 'closed') return;
    later('retry');
    pending?.close();
    pending = undefined;
    const gen = ++generation;
    const started = Date.now();
    const tried: Attempt[] = (attempts = []);
    const shared: ConnectContext = {
      base,
      session: '',
      info: null,
      crossOrigin: isCrossOrigin(base),
      poll: [o.pollInterval, o.pollIdleInterval],
      WebSocket: o.WebSocket,
    };
    // Start from the tier that worked last; the rest keep their order.
    const order = preferred ? [preferred, ...o.tiers.filter((t) => t != preferred)] : o.tiers;

    const next = (i: number): void => {
      const t = order[i];
      if (gen != generation) return;
      if (!t) {
        emit('error', { error: new NegotiationError(tried, Date.now() - started) });
        return drop(2000, 'All transports failed', false);
      }
      const ctx = { ...shared, session: sessionUrl(base) };
      const since = Date.now();
      const ms = openTimeout(shared.info?.rtt, t.roundTrips, o.timeout);
      // 0 while opening, 1 once open, 2 once failed.
      let phase = 0;
      const record = (outcome: Attempt['outcome'], reason: string) => {
        tried.push({ transport: t.name, outcome, reason, time: Date.now() - since });
        if (outcome != 'open') {
          emit('transport', { from: t.name, to: order[i + 1]?.name ?? null, reason });
          next(i + 1);
        }
      };
      const failTier = (reason: string) => {
        if (phase || gen != generation) return;
        phase = 2;
        clearTimeout(timer);
        pending?.close();
        pending = undefined;
        record('failed', reason);
      };
      const why = t.unsupported(ctx);
      if (why) return record('skipped', why);
      const timer = setTimeout(() => failTier('timed out after ' + ms + ' ms'), ms);
      // Sink calls made while connect() runs wait until it has returned the connection.
      let early: (() => void)[] | null = [];
      const defer = (fn: () => void) => (early ? early.push(fn) : fn());
      let c: Connection;
      try {
        c = pending = t.connect(ctx, {
          frame: (text) =>
            defer(() => {
              if (gen != generation || phase == 2) return;
              if (phase) return frame(text);
              if (text != 'o') return failTier('unexpected first frame ' + text.slice(0, 32));
              phase = 1;
              clearTimeout(timer);
              record('open', 'opened');
              pending = undefined;
              conn = c;
              tier = preferred = t;
              state = 'open';
              deadAfter = (ctx.info?.cometkit?.heartbeat ?? 25000) + o.heartbeatTimeout;
              lastSeen = Date.now();
              watch();
              later('stable', () => (retries = 0), o.stableAfter);
              emit('open', { transport: t.name });
              flush();
            }),
          close: (reason) =>
            defer(() => {
              if (gen != generation) return;
              if (phase) drop(1006, reason, true);
              else failTier(reason);
            }),
        });
      } catch (error) {
        // e.g. the SecurityError for ws:// from an https: page: move on at once.
        early = null;
        return failTier('could not start: ' + (error as Error).message);
      }
      const queued = early;
      early = null;
      for (const fn of queued) fn();
    };

    const probe = o.tiers.find((t) => t.probe)?.probe;
    if (!probe) return next(0);
    probe(base).then(
      (info) => {
        shared.info = info;
        next(0);
      },
      // No /info: WebSocket may still work; HTTP tiers say why they cannot.
      () => next(0),
    );
  }

  function frame(text: string): void {
    lastSeen = Date.now();
    const c = conn;
    let f;
    try {
      f = decodeFrame(text);
    } catch (error) {
      // A bad frame is reported and skipped; the connection goes on.
      return emit('error', { error: error as Error });
    }
    if (f.type == 'a') {
      for (const data of f.messages) {
        // A handler may have closed the client: stop delivering then.
        if (conn == c) emit('message', { data });
      }
    } else if (f.type == 'c') {
      // Application codes end the session for good; protocol codes (1001, 1002, 2010) are worth a retry.
      drop(f.code, f.reason, true, f.code == 1000 || (f.code >= 3000 && f.code < 5000));
    } else if (f.type == 'o') {
      drop(1006, 'Server lost session', true);
    }
  }

  // Wall-clock based, so a tab whose timers the browser throttles still gets it right when they fire.
  function watch(): void {
    if (!conn) return;
    const left = lastSeen + deadAfter - Date.now();
    if (left > 0) later('watch', watch, left);
    else drop(1006, 'No heartbeat for ' + deadAfter + ' ms', true);
  }

  function stop(notify: boolean, next: ClientState): void {
    generation++;
    conn?.close(notify);
    pending?.close(notify);
    conn = tier = null;
    pending = undefined;
    later('watch');
    later('stable');
    later('retry');
    state = next;
    if (next == 'closed') listen('removeEventListener');
  }

  function drop(code: number, reason: string, wasOpen: boolean, final?: boolean): void {
    const delay = final || !o.reconnect ? null : retry(retries + 1);
    const again = delay != null;
    stop(code == 1001, again ? 'reconnecting' : 'closed');
    if (wasOpen || !again) emit('close', { code, reason, willReconnect: again });
    if (again && state == 'reconnecting') {
      emit('reconnecting', { attempt: ++retries, delay });
      // While offline, wait for the browser's `online` event instead.
      if ((navigator as { onLine?: boolean }).onLine !== false) later('retry', start, delay);
    }
  }

  function flush(): void {
    if (conn && outbox.length) conn.send(outbox.splice(0));
  }

  listen('addEventListener');
  // Later, so that handlers subscribed right after createClient() see every event.
  queueMicrotask(start);

  return {
    on,
    off,
    send(text) {
      if (typeof text != 'string') fail('send() takes a string');
      if (state == 'closed') throw new Error('cometkit: send() on a closed client');
      // Sends made in one tick leave together: one frame, one request.
      if (outbox.push(text) == 1) queueMicrotask(flush);
    },
    close(code = 1000, reason = 'Normal closure') {
      if (typeof code != 'number' || (code != 1000 && !(code >= 3000 && code < 5000)) || typeof reason != 'string' || reason.length > 123) {
        fail('close() takes a code of 1000 or 3000–4999 and a reason of up to 123 characters');
      }
      if (state == 'closed') return;
      stop(true, 'closed');
      emit('close', { code, reason, willReconnect: false });
    },
    get state() {
      return state;
    },
    get transport() {
      return tier && tier.name;
    },
    diagnostics: () => attempts.slice(),
  };
}
