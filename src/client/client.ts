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
import { recall, remember } from './remember.js';
import type { Memory } from './remember.js';

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

/** Close codes that end a session for good: 1000 and the application range 3000–4999. */
const isFinal = (code: number) => code == 1000 || (code >= 3000 && code < 5000);

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
  let state: ClientState = 'connecting';
  // What this page (or a recent one) learnt of the network to this service:
  // the tier that worked goes first, those that failed or went silent go last,
  // and the tuning asked of a cometkit server against proxies that kill requests.
  const memory: Memory = recall(base);
  // How the previous open connection ended: two alike mean a proxy is killing them.
  let lastCut: { age: number; idle: number } | undefined;
  // The tier in use while open, and the context it opened with.
  let tier: Tier | undefined;
  let opened: ConnectContext | undefined;
  // A better tier being tried in the background (re-upgrade), and its timer.
  let candidate: Connection | undefined;
  let upgradeTimer: ReturnType<typeof setTimeout> | undefined;
  // While the session moves to the candidate: sends wait, and so do the candidate's frames.
  let moving = false;
  // The connection a negotiation is waiting on, then the open one: never more than one.
  let conn: Connection | undefined;
  // Bumped by every drop: callbacks from an older generation's connections are stale.
  let generation = 0;
  let retries = 0;
  const outbox: string[] = [];
  let openedAt = 0;
  let lastSeen = 0;
  let deadAfter = 0;
  // The latest negotiation's attempts. Only the current negotiation records any (stale ones stop at
  // the generation check), so a NegotiationError can keep the list it is given.
  let attempts: Attempt[] = [];
  // The phases never overlap, so one timer serves them in turn: a tier's open
  // timeout while negotiating, the heartbeat watchdog while open, the
  // reconnection delay in between.
  let timer: ReturnType<typeof setTimeout> | undefined;

  const later = (fn?: () => void, ms?: number) => {
    clearTimeout(timer);
    if (fn) timer = setTimeout(fn, ms);
  };
  // Every change of phase starts here: the timer cleared, the connection (if any) closed.
  const release = (notify?: boolean) => {
    later();
    clearTimeout(upgradeTimer);
    candidate?.close();
    conn?.close(notify);
    conn = candidate = undefined;
    moving = false;
  };
  const online = () => {
    if (state == 'reconnecting') start();
  };
  // Leaving the page: free the server session now, not after its timeout.
  const hide = () => {
    if (state == 'open') drop(1001, 'Page hidden');
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
    release();
    const gen = ++generation;
    const started = Date.now();
    attempts = [];
    const shared: ConnectContext = {
      base,
      session: '',
      info: null,
      crossOrigin: isCrossOrigin(base),
      poll: [o.pollInterval, o.pollIdleInterval],
      WebSocket: o.WebSocket,
      tune: '',
    };
    // The tier that worked first, those that failed last; the rest keep their order (sort is stable).
    const rank = (t: Tier) => (t.name == memory.good ? 0 : memory.bad.includes(t.name) ? 2 : 1);
    const order = [...o.transports].sort((a, b) => rank(a) - rank(b));
    // A stream that times out without a byte is buffered on this path, and so will the others be.
    let buffered = false;

    const next = (i: number): void => {
      const t = order[i];
      if (gen != generation) return;
      if (!t) {
        emit('error', { error: new NegotiationError(attempts, Date.now() - started) });
        return drop(2000, 'All transports failed');
      }
      const ctx = { ...shared, session: sessionUrl(base) };
      const since = Date.now();
      const ms = openTimeout(shared.info?.rtt, t.roundTrips, o.timeout);
      // 0 while opening, 1 once open, 2 once failed.
      let phase = 0;
      const record = (outcome: Attempt['outcome'], reason: string) => {
        attempts.push({ transport: t.name, outcome, reason, time: Date.now() - since });
        if (outcome != 'open') {
          emit('transport', { from: t.name, to: order[i + 1]?.name ?? null, reason });
          next(i + 1);
        }
      };
      const failTier = (reason: string) => {
        if (phase || gen != generation) return;
        phase = 2;
        release();
        if (!memory.bad.includes(t.name)) memory.bad.push(t.name);
        record('failed', reason);
      };
      const why = t.stream && buffered ? 'streams are buffered on this path' : t.unsupported(ctx);
      if (why) return record('skipped', why);
      later(() => {
        buffered ||= !!t.stream;
        failTier('timed out after ' + ms + ' ms');
      }, ms);
      // Sink calls made while connect() runs wait until it has returned the connection.
      let early: (() => void)[] | null = [];
      const defer = (fn: () => void) => (early ? early.push(fn) : fn());
      try {
        conn = t.connect(ctx, {
          frame: (text) =>
            defer(() => {
              if (gen != generation || phase == 2) return;
              if (phase) return frame(text);
              if (text != 'o') return failTier('unexpected first frame ' + text.slice(0, 32));
              phase = 1;
              record('open', 'opened');
              tier = t;
              opened = ctx;
              memory.good = t.name;
              memory.bad = memory.bad.filter((name) => name != t.name);
              remember(base, memory, o.remember);
              state = 'open';
              openedAt = lastSeen = Date.now();
              deadAfter = (ctx.info?.cometkit?.heartbeat ?? 25000) + o.heartbeatTimeout;
              watch();
              emit('open', { transport: t.name });
              flush();
              upgradeLater();
            }),
          close: (reason) =>
            defer(() => {
              if (gen != generation) return;
              if (phase) drop(1006, reason);
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

    const probe = o.transports.find((t) => t.probe)?.probe;
    if (!probe) return next(0);
    probe(base).then(
      (info) => {
        shared.info = info;
        // Only a cometkit server that says so understands the tuning parameters.
        if (info.cometkit?.tune) shared.tune = (memory.h ? '&h=' + memory.h : '') + (memory.ttl ? '&ttl=' + memory.ttl : '');
        next(0);
      },
      // No /info: WebSocket may still work; HTTP tiers say why they cannot.
      () => next(0),
    );
  }

  function frame(text: string): void {
    lastSeen = Date.now();
    const gen = generation;
    let f;
    try {
      f = decodeFrame(text);
    } catch (error) {
      // A bad frame is reported and skipped; the connection goes on.
      return emit('error', { error: error as Error });
    }
    if (f.type == 'a') {
      // A handler may have closed the client: stop delivering then.
      for (const data of f.messages) if (gen == generation) emit('message', { data });
    } else if (f.type == 'c') {
      // While the session moves to a candidate, a renewal the old connection sent just before can
      // reach the server after the move: its 2010 ends only that request, which then counts as drained.
      if (f.code == 2010 && candidate) return;
      // Application codes end the session for good; protocol codes (1001, 1002, 2010) are worth a retry.
      drop(f.code, f.reason, isFinal(f.code));
    } else if (f.type == 'o') {
      drop(1006, 'Server lost session');
    }
  }

  // Wall-clock based, so a tab whose timers the browser throttles still gets it right when they fire.
  function watch(): void {
    if (state != 'open') return;
    const left = lastSeen + deadAfter - Date.now();
    if (left > 0) return later(watch, left);
    // A stream that falls silent while still open is being buffered: the
    // reconnection starts below the streaming tiers.
    if (tier?.stream) for (const t of o.transports) if (t.stream && !memory.bad.includes(t.name)) memory.bad.push(t.name);
    if (memory.good == tier?.name) memory.good = undefined;
    drop(1006, 'No heartbeat for ' + deadAfter + ' ms');
  }

  /**
   * A connection cut by the network. Two in a row cut after the same idle time
   * mean a proxy killing idle requests: ask for heartbeats twice as often. Two
   * cut at the same age (heartbeats flowing) mean a proxy killing old requests:
   * ask for streaming responses to end at half that age, and leave WebSocket,
   * which cannot be renewed that way.
   */
  function sense(): void {
    const cut = { age: Date.now() - openedAt, idle: Date.now() - lastSeen };
    const alike = (a: number, b: number) => a >= 1000 && Math.abs(a - b) <= a / 4;
    if (lastCut && alike(cut.idle, lastCut.idle) && !memory.h) {
      memory.h = Math.max(1000, cut.idle >> 1);
    } else if (lastCut && alike(cut.age, lastCut.age)) {
      memory.h = memory.ttl = Math.max(1000, cut.age >> 1);
      if (memory.good == 'websocket') memory.good = undefined;
      if (!memory.bad.includes('websocket')) memory.bad.push('websocket');
    }
    lastCut = cut;
    remember(base, memory, o.remember);
  }

  /**
   * Ends the connection or the negotiation, then reconnects unless `final`, the
   * options or the retry policy say otherwise. `notify` tells the server at once
   * (close(), and 1001 for leaving the page).
   */
  function drop(code: number, reason: string, final?: boolean, notify = code == 1001): void {
    const wasOpen = state == 'open';
    if (wasOpen && code == 1006) sense();
    // Open for stableAfter (by the wall clock, like the watchdog): the backoff starts over.
    if (wasOpen && Date.now() - openedAt >= o.stableAfter) retries = 0;
    const delay = final || !o.reconnect ? null : retry(retries + 1);
    const again = delay != null;
    generation++;
    release(notify);
    tier = undefined;
    state = again ? 'reconnecting' : 'closed';
    if (!again) listen('removeEventListener');
    if (wasOpen || !again) emit('close', { code, reason, willReconnect: again });
    if (again && state == 'reconnecting') {
      emit('reconnecting', { attempt: ++retries, delay });
      // While offline, wait for the browser's `online` event instead.
      if ((navigator as { onLine?: boolean }).onLine !== false) later(start, delay);
    }
  }

  function flush(): void {
    if (state == 'open' && !moving && outbox.length) conn?.send(outbox.splice(0));
  }

  function upgradeLater(): void {
    clearTimeout(upgradeTimer);
    if (o.upgradeInterval && opened?.info?.cometkit?.takeover && conn?.drain) upgradeTimer = setTimeout(upgrade, o.upgradeInterval);
  }

  /**
   * Re-upgrade: tries the best tier above the current one on the same session
   * (`takeover=1`). Once the server has moved the session (its `h` on the new
   * receiver), the old connection drains: its last request ends and no send
   * is in flight; then the new one takes over, its held frames first, so
   * nothing is lost, repeated or reordered.
   */
  function upgrade(): void {
    const ctx = opened as ConnectContext;
    const from = tier as Tier;
    const old = conn as Connection;
    const better = o.transports.slice(0, o.transports.indexOf(from)).find((t) => !t.unsupported(ctx));
    if (!better) return;
    const gen = generation;
    const held: string[] = [];
    let acked = false;
    let drained = false;
    // The old connection renews no request from now on: one renewed during the
    // move would find the session gone to the candidate (c[2010]).
    const resume = (old.drain as NonNullable<Connection['drain']>)(() => {
      drained = true;
      if (acked) moved();
    });
    const give = () => {
      clearTimeout(timeout);
      candidate?.close();
      candidate = undefined;
      moving = false;
      resume();
      upgradeLater();
    };
    const timeout = setTimeout(give, openTimeout(ctx.info?.rtt, better.roundTrips, o.timeout));
    const moved = () => {
      if (gen != generation) return;
      old.close();
      conn = candidate;
      candidate = undefined;
      moving = false;
      tier = better;
      memory.good = better.name;
      remember(base, memory, o.remember);
      emit('transport', { from: from.name, to: better.name, reason: 're-upgrade' });
      for (const text of held.splice(0)) frame(text);
      flush();
      upgradeLater();
    };
    try {
      candidate = better.connect(
        { ...ctx, tune: ctx.tune + '&takeover=1' },
        {
          frame(text) {
            if (gen != generation) return;
            if (acked) return moving ? void held.push(text) : frame(text);
            // Anything but the takeover's h (an `o`: the server no longer knows the session) ends the try.
            if (text != 'h') return give();
            acked = moving = true;
            clearTimeout(timeout);
            if (drained) moved();
          },
          close(reason) {
            if (gen != generation) return;
            if (acked) drop(1006, reason);
            else give();
          },
        },
      );
    } catch {
      give();
    }
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
      if (typeof code != 'number' || !isFinal(code) || typeof reason != 'string' || reason.length > 123) {
        fail('close() takes a code of 1000 or 3000–4999 and a reason of up to 123 characters');
      }
      if (state != 'closed') drop(code, reason, true, true);
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
