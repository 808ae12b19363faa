import { decodeFrame } from '../protocol/frames.js';
import { NegotiationError } from './errors.js';
import type { Attempt } from './errors.js';
import { createEmitter } from './events.js';
import type { EventName, Handler, TransportName } from './events.js';
import { resolveOptions } from './options.js';
import type { ClientOptions } from './options.js';
import { backoff, openTimeout } from './retry.js';
import type { Connection, ConnectContext, Info, Tier } from './transports/types.js';
import { isCrossOrigin, sessionUrl } from './util/url.js';

/** Where a client stands. `closed` is final. */
export type ClientState = 'connecting' | 'open' | 'reconnecting' | 'closed';

/** A push connection that keeps itself alive. */
export interface Client {
  /** Subscribes; returns the unsubscribe function. */
  on<K extends EventName>(type: K, handler: Handler<K>): () => void;
  off<K extends EventName>(type: K, handler: Handler<K>): void;
  /** Sends a message; while not open it is queued and sent, in order, once open. */
  send(text: string): void;
  /** Closes for good (code 1000 or 3000–4999, reason up to 123 characters) and tells the server at once. */
  close(code?: number, reason?: string): void;
  readonly state: ClientState;
  /** The tier in use, or null while not open. */
  readonly transport: TransportName | null;
  /** Every tier tried by the latest negotiation, with outcome, reason and time. */
  diagnostics(): Attempt[];
}

const DEFAULT_HEARTBEAT = 25000;

/**
 * The client over the tiers given in `options.transports` (tier objects): what
 * a bundle does not pass in, it does not contain.
 */
export function createCoreClient(url: string, options?: ClientOptions, named: readonly Tier[] = []): Client {
  if (typeof url != 'string' || !/^(https?:|\/)/.test(url)) throw new TypeError('cometkit: url must be an http(s) URL or an absolute path');
  const o = resolveOptions(options, named);
  const retry = o.retry ?? backoff(o.reconnectDelay, o.maxReconnectDelay);
  const base = url.replace(/\/+$/, '');
  const bus = createEmitter();
  const win = typeof window == 'object' ? window : null;
  let state: ClientState = 'connecting';
  let tier: Tier | null = null;
  let preferred: Tier | null = null;
  let conn: Connection | null = null;
  let generation = 0;
  let retries = 0;
  let outbox: string[] = [];
  let flushing = false;
  let lastSeen = 0;
  let deadAfter = DEFAULT_HEARTBEAT;
  let attempts: Attempt[] = [];
  let retryTimer: ReturnType<typeof setTimeout> | undefined;
  let watchTimer: ReturnType<typeof setTimeout> | undefined;
  let stableTimer: ReturnType<typeof setTimeout> | undefined;

  const online = () => {
    if (state == 'reconnecting') start();
  };
  const visible = () => watch();
  const hide = () => {
    // Leaving the page: free the server session now, not after its timeout.
    if (conn) drop(1001, 'Page hidden', true);
  };
  const listeners: [EventTarget | null, string, () => void][] = [
    [win, 'online', online],
    [win, 'pagehide', hide],
    [win, 'pageshow', online],
    [typeof document == 'object' ? document : null, 'visibilitychange', visible],
  ];
  const listen = (on: boolean) => {
    for (const [target, type, fn] of listeners) {
      if (on) target?.addEventListener(type, fn);
      else target?.removeEventListener(type, fn);
    }
  };

  function start(): void {
    clearTimeout(retryTimer);
    const gen = ++generation;
    const started = Date.now();
    const probe = o.tiers.find((t) => t.probe)?.probe;
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
    const tried: Attempt[] = (attempts = []);

    const next = (i: number): void => {
      if (gen != generation) return;
      const t = order[i];
      if (!t) {
        const error = new NegotiationError(tried, Date.now() - started);
        bus.emit('error', { error });
        drop(2000, 'All transports failed', false);
        return;
      }
      const ctx = { ...shared, session: sessionUrl(base) };
      const record = (outcome: Attempt['outcome'], reason: string, since: number) => {
        tried.push({ transport: t.name, outcome, reason, time: Date.now() - since });
        if (outcome != 'open') bus.emit('transport', { from: t.name, to: order[i + 1]?.name ?? null, reason });
      };
      const why = t.unsupported(ctx);
      if (why) {
        record('skipped', why, Date.now());
        return next(i + 1);
      }
      const since = Date.now();
      const timeout = openTimeout(shared.info?.rtt, t.roundTrips, o.timeout);
      let opened = false;
      let failed = false;
      let c: Connection | undefined = undefined;
      const failTier = (reason: string) => {
        if (failed || opened || gen != generation) return;
        failed = true;
        clearTimeout(timer);
        c?.close();
        record('failed', reason, since);
        next(i + 1);
      };
      const timer = setTimeout(() => failTier('timed out after ' + timeout + ' ms'), timeout);
      c = t.connect(ctx, {
        frame(text) {
          if (gen != generation || failed) return;
          if (opened) return frame(text);
          if (text != 'o') return failTier('unexpected first frame ' + text.slice(0, 32));
          opened = true;
          clearTimeout(timer);
          record('open', 'opened', since);
          open(t, c as Connection, ctx.info);
        },
        close(reason) {
          if (gen != generation) return;
          if (opened) drop(1006, reason, true);
          else failTier(reason);
        },
      });
      if (failed) c.close();
    };

    if (!probe) return next(0);
    probe(base).then(
      (info) => {
        shared.info = info;
        next(0);
      },
      // No /info: WebSocket may still work; HTTP tiers will say why they cannot.
      () => next(0),
    );
  }

  function open(t: Tier, c: Connection, info: Info | null): void {
    conn = c;
    tier = preferred = t;
    state = 'open';
    deadAfter = (info?.cometkit?.heartbeat ?? DEFAULT_HEARTBEAT) + o.heartbeatTimeout;
    lastSeen = Date.now();
    watch();
    stableTimer = setTimeout(() => (retries = 0), o.stableAfter);
    bus.emit('open', { transport: t.name });
    flush();
  }

  function frame(text: string): void {
    lastSeen = Date.now();
    const c = conn;
    let f;
    try {
      f = decodeFrame(text);
    } catch (error) {
      // A bad frame is reported and skipped; the connection goes on.
      bus.emit('error', { error: error as Error });
      return;
    }
    if (f.type == 'a') {
      for (const data of f.messages) {
        // A handler may have closed the client: stop delivering then.
        if (conn != c) return;
        bus.emit('message', { data });
      }
    } else if (f.type == 'c') {
      // Application codes end the session for good; protocol codes (1001, 1002, 2010) are worth a retry.
      drop(f.code, f.reason, true, f.code == 1000 || (f.code >= 3000 && f.code <= 4999));
    } else if (f.type == 'o') {
      drop(1006, 'Server lost session', true);
    }
  }

  // Wall-clock based, so a tab whose timers the browser throttles still gets it right when they fire.
  function watch(): void {
    clearTimeout(watchTimer);
    if (!conn) return;
    const left = lastSeen + deadAfter - Date.now();
    if (left <= 0) drop(1006, 'No heartbeat for ' + deadAfter + ' ms', true);
    else watchTimer = setTimeout(watch, left);
  }

  function teardown(notify: boolean): void {
    generation++;
    conn?.close(notify);
    conn = tier = null;
    clearTimeout(watchTimer);
    clearTimeout(stableTimer);
    clearTimeout(retryTimer);
  }

  function drop(code: number, reason: string, wasOpen: boolean, final = false): void {
    teardown(code == 1001);
    const delay = final || !o.reconnect ? null : retry(retries + 1);
    if (delay == null) {
      state = 'closed';
      listen(false);
    } else {
      state = 'reconnecting';
      retries++;
    }
    if (wasOpen || delay == null) bus.emit('close', { code, reason, willReconnect: delay != null });
    if (delay != null && state == 'reconnecting') {
      bus.emit('reconnecting', { attempt: retries, delay });
      // While offline, wait for the browser's `online` event instead.
      if ((navigator as { onLine?: boolean }).onLine !== false) retryTimer = setTimeout(start, delay);
    }
  }

  function flush(): void {
    flushing = false;
    if (conn && outbox.length > 0) {
      const batch = outbox;
      outbox = [];
      conn.send(batch);
    }
  }

  listen(true);
  start();

  return {
    on: bus.on,
    off: bus.off,
    send(text) {
      if (typeof text != 'string') throw new TypeError('cometkit: send() takes a string');
      if (state == 'closed') throw new Error('cometkit: send() on a closed client');
      outbox.push(text);
      // Sends made in one tick leave together: one frame, one request.
      if (conn && !flushing) {
        flushing = true;
        queueMicrotask(flush);
      }
    },
    close(code = 1000, reason = 'Normal closure') {
      if (code !== 1000 && !(code >= 3000 && code <= 4999)) throw new TypeError('cometkit: close code must be 1000 or 3000–4999');
      if (typeof reason != 'string' || reason.length > 123) throw new TypeError('cometkit: close reason must be a string of up to 123 characters');
      if (state == 'closed') return;
      teardown(true);
      state = 'closed';
      listen(false);
      bus.emit('close', { code, reason, willReconnect: false });
    },
    get state() {
      return state;
    },
    get transport() {
      return tier ? tier.name : null;
    },
    diagnostics: () => attempts.slice(),
  };
}
