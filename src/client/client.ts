import { keptPosition } from '../protocol/frames.js';
import { NegotiationError } from './errors.js';
import { MULTI_TIER } from './features.js';
import type { Attempt } from './errors.js';
import { createEmitter, guard } from './events.js';
import type { EventName, Handler, TransportName } from './events.js';
import { fail, resolveOptions } from './options.js';
import type { ClientOptions } from './options.js';
import { INFO_TIMEOUT, MAX_DELAY, backoff, openTimeout } from './retry.js';
import type { Connection, ConnectContext, Info, Tier } from './transports/types.js';
import { sessionUrl } from './util/url.js';
import { recall, remember, shun, worked } from './remember.js';
import { takeSeat } from './seats.js';
import type { Seat } from './seats.js';
import { utf8Bytes as size } from './util/utf8.js';

/** Where a client stands. `closed` is final. */
export type ClientState = 'connecting' | 'open' | 'reconnecting' | 'closed';

/** A push connection that keeps itself alive. */
export interface Client {
  /** Subscribes; returns the unsubscribe function. */
  on: <K extends EventName>(type: K, handler: Handler<K>) => () => void;
  off: <K extends EventName>(type: K, handler: Handler<K>) => void;
  /**
   * Sends a message; while not open it is queued and sent, in order, once open.
   * `done` runs once the server has it (`done()`), or once it is known it may
   * not (`done(error)`). Throws when the queue of unconfirmed messages is full.
   */
  send: (text: string, done?: (error?: Error) => void) => void;
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

/** A message not yet confirmed by the server: text, UTF-8 bytes, callback. */
interface Out {
  t: string;
  b: number;
  d?: ((error?: Error) => void) | undefined;
}

const stash = (base: string) => 'cometkit resume ' + base;
/** Whether the browser says it is online (workers have `navigator.onLine` too; where it is absent, yes). */
const onLine = () => (navigator as { onLine?: boolean }).onLine != false;
/**
 * The client over the tiers given in `options.transports` (tier objects): what
 * a bundle does not pass in, it does not contain. `named` lets `createClient`
 * accept tier names.
 */
export function createCoreClient(url: string, options?: ClientOptions, named: readonly Tier[] = []): Client {
  // Absolute from here on: engines before 2024 (Chromium 125, Firefox 124, Safari 17.3) open only absolute
  // ws: URLs, and a URL that does not parse is refused now, not met in a later negotiation. A path
  // resolves as fetch() resolves it: against the document's base URL (an about:srcdoc or about:blank
  // frame's is its parent's), a worker's location, or nothing (an absolute URL needs none, in Node too).
  let service: URL | undefined;
  try {
    if (/^(https?:)?\//.test(url)) service = new URL(url, globalThis.document?.baseURI ?? globalThis.location?.href);
  } catch {
    // refused below
  }
  if (!service) fail('url must be an http(s) URL or a path');
  const o = resolveOptions(options, named);
  const retry = o.retry || backoff(o.reconnectDelay, o.maxReconnectDelay);
  // The URL's own query (a token, say) goes on every request, after the path each request adds; a
  // #fragment goes nowhere, as browsers never send one, and credentials neither (fetch() refuses them).
  const base = (service.origin + service.pathname).replace(/\/+$/, '');
  const extra = service.search.replace('?', '&');
  const [on, off, emit] = createEmitter();
  let state: ClientState = 'connecting';
  // What this page (or a recent one) learnt of the network to this service:
  // the tier that worked goes first, those that failed or went silent go last,
  // and the tuning asked of a cometkit server against proxies that kill requests.
  const memory = recall(base);
  const keep = () => remember(base, memory, o.remember);
  // How the previous open connection ended (its age and idle time at the cut): two alike mean a proxy
  // is killing them. Undefined before the first cut: no time is alike to it (NaN compares false).
  let lastAge: number | undefined;
  let lastIdle: number | undefined;
  // The tier in use while open, and the context it opened with.
  let tier: Tier | undefined;
  let opened: ConnectContext | undefined;
  // A better tier being tried in the background (re-upgrade), and its timer.
  let candidate: Connection | undefined;
  let upgradeTimer: ReturnType<typeof setTimeout> | undefined;
  // The tier the latest re-upgrade tried since the current one opened or was moved to: each try goes
  // to the next tier above in turn, best first, so that one that keeps failing (WebSocket behind a
  // proxy that refuses upgrades) does not hold the session from the others.
  let tried: Tier | undefined;
  // Held while the client needs a connection to the host: from a negotiation's probe until it opens
  // on a tier that holds none, or until the connection ends (seats.ts).
  let seat: Seat | undefined;
  const unseat = () => {
    if (MULTI_TIER && !tier?.hold) {
      seat?.();
      seat = undefined;
    }
  };
  // The connection a negotiation is waiting on, then the open one: never more than one.
  let conn: Connection | undefined;
  // Bumped by every drop: callbacks from an older generation's connections are stale.
  let generation = 0;
  let retries = 0;
  // Upstream: messages the server has not confirmed, in order; pending[0] is at
  // position `sent` + 1, and the first `handed` went to the current connection.
  let pending: Out[] = [];
  let bytes = 0;
  // Messages out of the queue: their bytes freed, `error` (or success) handed to each callback;
  // one that throws cannot stop the others.
  const settle = (list: Out[], error?: Error) => {
    for (const out of list) {
      bytes -= out.b;
      guard(out.d, error);
    }
  };
  let sent = 0;
  let handed = 0;
  // Downstream: messages delivered (`got`), the position of the stream being
  // read (`at`, behind `got` while a resumed stream repeats what came before),
  // and the last position acknowledged.
  let got = 0;
  let at = 0;
  let acked = 0;
  let unacked = 0;
  // The session URL while it is resumable: reconnections resume it.
  let sid = '';
  // `&h=…&ttl=…` for receiving requests, once /info says the server takes them.
  let tune = '';
  // While the session moves to a re-upgrade candidate, acknowledgements stay at the position the
  // candidate resumes from: one beyond it would make that position one the server can no longer resume.
  // (After a try given up, until the old connection's next frame: see frame().)
  let frozen = Infinity;
  // (Only a re-upgrade freezes it: the WebSocket-only build has none.)
  const position = () => (MULTI_TIER ? Math.min(got, frozen) : got);
  // A connection's receiving query: the URL's own, the tuning, then where the client resumes from
  // on the first request (`pos`) and what it has on each renewal (`ack`), so that what a cut
  // swallowed, even one that looked like the end of a response, comes again.
  const query = (tuned: string, from: number) => {
    let first = o.resume;
    // A renewal's stream starts after the position it names; frozen while the session moves.
    return () => extra + tuned + (first ? ((first = false), '&pos=' + from) : sid ? '&ack=' + (at = position()) : '');
  };
  // Resume across a reload (option `persist`): what the page before left in sessionStorage.
  if (o.persist) {
    try {
      // JSON.parse(null) is null: nothing left.
      const saved = JSON.parse(sessionStorage.getItem(stash(base)) as string) as [string, number, number, string[]] | null;
      sessionStorage.removeItem(stash(base));
      if (saved) {
        // The queue first: a stash of another shape throws here, before anything of it is taken.
        pending = saved[3].map((t) => ({ t, b: size(t) }));
        [sid, got, sent] = saved;
        for (const out of pending) bytes += out.b;
        // The page before may have sent them: resent only on a resume, which drops what arrived.
        handed = pending.length;
      }
    } catch {
      // no storage: a fresh session
    }
  }
  let openedAt = 0;
  // Doubled (up to 8×) by each drop of a connection that heard nothing past the heartbeat delay (the
  // watchdog, a held poll's or a send's timeout; not on a streaming tier, see drop()), until a frame
  // is heard again: the wait of the next
  // connections grows with it, so a message longer in coming than the wait (a large one on a slow
  // link, the heartbeats queued behind it) gets through, where a fixed wait would cut it, and have it
  // resent, for ever.
  let patience = 1;
  let lastSeen = 0;
  // The latest negotiation's attempts. Only the current negotiation records any (stale ones stop at
  // the generation check), so a NegotiationError can keep the list it is given.
  let attempts: Attempt[] = [];
  // The phases never overlap, so one timer serves them in turn: a tier's open
  // timeout while negotiating, the heartbeat watchdog while open, the
  // reconnection delay in between.
  let timer: ReturnType<typeof setTimeout> | undefined;

  const later = (fn?: () => void, ms?: number) => {
    clearTimeout(timer);
    // Clamped: a delay beyond what a timer holds fires at once (a `retry` that returns Infinity).
    if (fn) timer = setTimeout(fn, Math.min(ms as number, MAX_DELAY));
  };
  // Every change of phase starts here: the timer cleared, the connection (if any) closed.
  const release = (notify?: boolean) => {
    later();
    if (MULTI_TIER) {
      clearTimeout(upgradeTimer);
      candidate?.close();
    }
    // Messages the connection never sent out are not in doubt: a fresh session takes them (fresh()).
    // (Only the HTTP tiers' control channel queues any.)
    if (MULTI_TIER) handed -= conn?.unsent?.() ?? 0;
    conn?.close(notify);
    conn = candidate = undefined;
    if (MULTI_TIER) frozen = Infinity;
  };
  // Also on `pageshow`: back from the back-forward cache, the page goes on with this client, and what
  // it left for a reload (`persist`) is stale at once (a reload after close() would resume an ended
  // session with it). Only a page that was hidden has left anything.
  const online = () => {
    try {
      sessionStorage.removeItem(stash(base));
    } catch {
      // no storage: nothing was left
    }
    if (state == 'reconnecting') start();
  };
  // Gone offline: a connection through the network is dead or about to be, and the watchdog would find
  // that out only after the heartbeat wait, the app believing it open meanwhile. Dropped now, the
  // client waits for `online` and resumes from there.
  const offline = () => {
    if (state == 'open') drop(1006, 'Offline');
  };
  // Between connections there is none to tell a cometkit server by: a resumable session (only a
  // cometkit server has one) is told on a request of its own, or it would wait out its grace.
  const leave = (notify?: boolean) => notify && sid && state != 'open' && navigator.sendBeacon?.(sid + '/close?t' + extra);
  // Leaving the page: free the server session now, not after its timeout; or,
  // with `persist`, leave it for the reloaded page to resume. Not into the
  // back-forward cache (`persisted`): the page may come back, and resume then
  // picks the session up within the server's grace, where an ended one would
  // answer with its close frame (1000) and close the client for good.
  const hide = (e: Event) => {
    let notify = !(e as PageTransitionEvent).persisted;
    // (Firefox may have closed the page's connections already: a session being resumed counts too. A
    // closed client has no session, and has taken this listener away.)
    if (o.persist && sid) {
      try {
        sessionStorage.setItem(stash(base), JSON.stringify([sid, got, sent, pending.map((out) => out.t)]));
        notify = false;
      } catch {
        // no storage: end the session as without persist
      }
    }
    if (state == 'open') drop(1001, 'Page hidden', false, notify);
    else leave(notify);
  };
  const listen = (method: 'addEventListener' | 'removeEventListener') => {
    // `online` on the global scope, a worker's too: a worker's navigator says offline as a page's does,
    // and a client that waits for `online` there would otherwise wait for good.
    globalThis[method]?.('online', online);
    globalThis[method]?.('offline', offline);
    if (typeof document == 'object') {
      globalThis[method]('pageshow', online);
      globalThis[method]('pagehide', hide);
      document[method]('visibilitychange', watch);
    }
  };

  function start(): void {
    if (state == 'closed') return;
    release();
    const gen = ++generation;
    const started = Date.now();
    attempts = [];
    // What every tier's context shares; each attempt adds its session URL, query and wait.
    const shared: Omit<ConnectContext, 'wait' | 'session' | 'tune'> = {
      base,
      // (Only the HTTP tiers read it: the WebSocket gets it in `tune()`.)
      query: MULTI_TIER ? extra : '',
      info: null,
      // The page's origin, not its URL's: an about:srcdoc or about:blank frame has its parent's. (Outside
      // a page, as in Node, everything counts as cross-origin.)
      crossOrigin: MULTI_TIER && (service as URL).origin != globalThis.origin,
      poll: MULTI_TIER ? [o.pollInterval, o.pollIdleInterval] : [0, 0],
      WebSocket: o.WebSocket,
      pos: () => (sid ? position() : -1),
    };
    // (Only the probe sets it: in the WebSocket-only build it stays '', and folds away.)
    if (MULTI_TIER) tune = '';
    // The tier that worked first, those that failed last; the rest keep their order (sort is stable).
    // Without a seat, the tiers that would hold a connection go after all of them.
    // (Sorted once the seat is known, after the probe: tiers without one, WebSocket alone, need no order.)
    const rank = (t: Tier) => (t.name == memory.good ? 0 : memory.bad.includes(t.name) ? 2 : 1) + (t.hold && !seat ? 3 : 0);
    const order = MULTI_TIER ? [...o.transports] : o.transports;
    // A stream that times out without a byte is buffered on this path, and so will the others be.
    let buffered = false;

    const next = (i: number): void => {
      const t = order[i];
      if (gen != generation) return;
      if (!t) {
        emit('error', { error: new NegotiationError(attempts, Date.now() - started) });
        return drop(2000, 'All transports failed');
      }
      // A resumable session is resumed from where the client is. (A new session starts at 0: the
      // server makes a session resumable only when asked at 0.)
      const from = sid ? got : 0;
      const ctx = {
        ...shared,
        session: sid || sessionUrl(base),
        tune: query(tune, from),
        // At most 1e9 ms: the timers made from it (a send's adds its body's share) stay within
        // what setTimeout holds, even with a server that advertises an absurd heartbeat.
        wait: Math.min(1e9, ((shared.info?.cometkit?.heartbeat ?? 25000) + o.heartbeatTimeout) * patience),
      };
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
      const failTier = (reason: string, fair = true) => {
        if (phase || gen != generation) return;
        phase = 2;
        release();
        if (fair) shun(memory, t.name);
        record('failed', reason);
      };
      const why = MULTI_TIER && t.stream && buffered ? 'streams are buffered on this path' : t.unsupported(ctx);
      if (why) return record('skipped', why);
      const expire = (again?: boolean) => {
        // Half its time late, the timer says the page itself was busy (a heavy start-up): what the
        // tier had to say may be waiting behind it (timers due earlier run first), so it gets its
        // time once more; and should it still time out, the walk moves on without holding it
        // against the tier for the next page loads (memory). The WebSocket-only build keeps no
        // memory, and gives no second time: its one tier failing costs a reconnection, not a
        // session on a lower tier.
        const fair = Date.now() - since < ms * 1.5;
        if (MULTI_TIER && !fair && !again) return later(() => expire(true), ms);
        if (MULTI_TIER) buffered ||= !!t.stream;
        failTier('timed out after ' + ms + ' ms', MULTI_TIER && fair);
      };
      later(expire, ms);
      // Sink calls made while connect() runs wait until it has returned the connection. (The WebSocket
      // tier makes none then: its socket's events come later.)
      let early = true;
      const defer = (fn: () => void) => (MULTI_TIER && early ? queueMicrotask(fn) : fn());
      try {
        conn = t.connect(ctx, {
          frame: (text, own) =>
            defer(() => {
              if (gen != generation || phase == 2) return;
              if (phase) return frame(text, own);
              const kept = keptPosition(text);
              if (text != 'o' && kept < 0) {
                // A session that ended while the client was away answers with its close frame (which
                // drops: the tier's failure below is then stale); a malformed one is reported, and fails.
                if (sid && text[0] == 'c') frame(text);
                return failTier('unexpected first frame ' + text.slice(0, 32));
              }
              phase = 1;
              record('open', 'opened');
              tier = t;
              opened = ctx;
              // Not a tier that opened for want of a seat: the next page loads would start there
              // with seats free. (Without Web Locks, or over HTTP/2, the client counts as seated.)
              if (seat) worked(memory, t.name);
              unseat();
              if (MULTI_TIER) tried = undefined;
              keep();
              // Fewer of the client's messages than the server had confirmed: a fresh session under the
              // old id (a restarted server, asked at 0 by a client that has received nothing). An `o`
              // (kept -1) is below any count: the session is gone.
              if (sid && kept < sent) {
                // The server no longer has the session (restarted, or the grace period passed):
                // report it, and start a fresh resumable one at once. (Not open meanwhile: no tier.)
                tier = undefined;
                lost();
                return start();
              }
              const resumed = !!sid;
              if (resumed) {
                at = from;
                handed = 0;
                confirm(kept);
              } else {
                // What went to a session that is gone may or may not have arrived: at most once.
                fresh();
                if (kept >= 0 && o.resume) sid = ctx.session;
              }
              // A delivery callback may have closed the client.
              if (gen != generation) return;
              state = 'open';
              openedAt = lastSeen = Date.now();
              watch();
              emit('open', { transport: t.name, resumed });
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
        // e.g. the SecurityError for ws:// from an https: page, or for a URL the page's
        // Content-Security-Policy refuses: move on at once. By name and message: Firefox gives the
        // latter empty.
        failTier('could not start: ' + String(error));
      }
      early = false;
    };

    const probe = MULTI_TIER && o.transports.find((t) => t.probe)?.probe;
    if (!probe) return next(0);
    // Until a tier connects, the probe stands as the connection: what ends one (close()) ends it, its
    // fetch included. It has INFO_TIMEOUT in all (the timer: fetch and JSONP form alike, in every
    // engine), then is ended: whatever it learnt by then, or nothing (failed, or out of time: WebSocket
    // may still work; HTTP tiers say why they cannot).
    const probing = new AbortController();
    conn = { close: () => probing.abort() } as Connection;
    void new Promise<Info | undefined>((resolve: (info?: Info) => void) => {
      later(resolve, INFO_TIMEOUT);
      probe(base, probing.signal, extra).then(resolve, () => resolve());
    })
      .then((info) => {
        probing.abort();
        if (!info) return;
        shared.info = info;
        // Only a cometkit server that says so understands the tuning parameters.
        if (info.cometkit?.tune) tune = (memory.h ? '&h=' + memory.h : '') + (memory.ttl ? '&ttl=' + memory.ttl : '');
      })
      // After the probe, whose answer says whether the service speaks HTTP/2.
      .then(() => sit(gen))
      .then((ok) => {
        if (!ok) return;
        order.sort((a, b) => rank(a) - rank(b));
        next(0);
      });
  }

  // The seat kept, or one taken (or none to be had), for generation `gen`: false when `gen` is stale by
  // then, and a seat taken for it freed.
  function sit(gen: number): Promise<boolean> {
    return Promise.resolve(seat || takeSeat((service as URL).origin)).then((s) => {
      if (gen != generation) {
        if (s != seat) s?.();
        return false;
      }
      seat = s;
      return true;
    });
  }

  // `own`: a confirmation the tier made up from a send's answer, which says nothing of the receiving
  // side: counted as a sign of life, an application that sends more often than the wait would keep a
  // dead stream, poll or WebSocket looking alive for good.
  // Decoded here by decodeFrame's rules (src/protocol/frames.ts, which the server and the protocol tests
  // use), in the same pass as acting on it: its tuples, thrown error and second dispatch cost ~65 bytes
  // of the bundle. Only a malformed frame is reported (an `error` event), and skipped: the connection goes on.
  function frame(text: string, own?: boolean): void {
    if (!own) {
      lastSeen = Date.now();
      patience = 1;
      // A try given up thaws acknowledgements only once the connection's receiving request made during
      // it has been answered: a send carrying the client's position could otherwise reach the server
      // first, and that request's renewal from the frozen position would no longer rewind there (its
      // answer, read from that position, would start later: messages skipped as already had).
      if (MULTI_TIER && !candidate) frozen = Infinity;
    }
    const gen = generation;
    const kept = keptPosition(text);
    if (kept >= 0) return confirm(kept);
    if (text == 'h') {
      if (sid && got > acked) ack();
      return;
    }
    // An `o` on an open connection: the server started a new session, the client's is gone. (Kept,
    // its id would be resumed, and the plain session the server made under it answer nothing.)
    if (text == 'o') {
      if (sid) lost();
      return drop(1006, 'Server lost session');
    }
    let value: unknown;
    try {
      value = JSON.parse(text.slice(1));
    } catch {
      // falls through to the error below
    }
    if (text[0] == 'm' && typeof value == 'string') value = [value];
    if (Array.isArray(value)) {
      if ((text[0] == 'a' || text[0] == 'm') && value.every((m) => typeof m == 'string')) {
        // A resumed stream may repeat what an older connection delivered: positions tell.
        // A handler may have closed the client: stop delivering then.
        for (const data of value) {
          if (++at > got && gen == generation) {
            got = at;
            unacked += data.length;
            emit('message', { data });
          }
        }
        // The server keeps what is not acknowledged: every 64 KiB or so, say what arrived.
        if (sid && unacked >= 65536) ack();
        return;
      }
      const [code, reason] = value as [number, string];
      if (text[0] == 'c' && typeof code == 'number' && typeof reason == 'string') {
        // While a candidate takes the session over, the old connection's renewals find it taken (2010):
        // they end only that request.
        if (MULTI_TIER && code == 2010 && candidate) return;
        // Any other close ends the session; 2011 and 2012 end it with messages lost.
        if (code != 2010) {
          if (code == 2011 || code == 2012) lost(reason);
          sid = '';
        }
        // Application codes end the session for good; protocol codes (1001, 1002, 2010) are worth a retry.
        return drop(code, reason, isFinal(code));
      }
    }
    emit('error', { error: new Error('Malformed frame: ' + text.slice(0, 64)) });
  }

  // The server has the client's messages up to position `pos`. (By what it confirms, not `pos`: a
  // broken server's `k` beyond what the client has would otherwise skip positions in its numbering.)
  function confirm(pos: number): void {
    const done = pending.splice(0, pos - sent);
    sent += done.length;
    handed = Math.max(0, handed - done.length);
    settle(done);
  }

  function ack(): void {
    acked = got;
    unacked = 0;
    conn?.send([], sent + handed + 1);
  }

  // A new session: what the last one was handed fails (it may not have arrived), the rest goes on it.
  function fresh(): void {
    const gone = pending.splice(0, handed);
    sent = handed = got = at = acked = unacked = 0;
    sid = '';
    settle(gone, new Error('cometkit: maybe not delivered: the session ended'));
  }

  // A resumable session is gone with messages in between: say so, and start afresh.
  function lost(why = 'the server no longer had the session'): void {
    const error = new Error('cometkit: session lost (' + why + '); messages in between may be missing');
    error.name = 'SessionLostError';
    // Gone already: an error handler that closes the client has no session to tell the server of.
    sid = '';
    emit('error', { error });
    fresh();
  }

  // Wall-clock based, so a tab whose timers the browser throttles still gets it right when they fire.
  function watch(): void {
    if (state != 'open') return;
    const wait = (opened as ConnectContext).wait;
    const left = lastSeen + wait - Date.now();
    if (left > 0) return later(watch, left);
    // A stream that falls silent while still open is being buffered: the
    // reconnection starts below the streaming tiers.
    if (MULTI_TIER) {
      if (tier?.stream) for (const t of o.transports) if (t.stream) shun(memory, t.name);
      if (memory.good == tier?.name) memory.good = undefined;
    }
    drop(1006, 'No heartbeat for ' + wait + ' ms');
  }

  /**
   * A connection cut by the network. Two in a row cut after the same idle time
   * mean a proxy killing idle requests: ask for heartbeats twice as often. Two
   * cut at the same age (heartbeats flowing) mean a proxy killing old requests:
   * ask for streaming responses to end at half that age, and leave WebSocket,
   * which cannot be renewed that way.
   */
  function sense(): void {
    const age = Date.now() - openedAt;
    const idle = Date.now() - lastSeen;
    const alike = (a: number, b?: number) => a >= 1000 && Math.abs(a - (b as number)) <= a / 4;
    if (alike(idle, lastIdle) && !memory.h) {
      memory.h = Math.max(1000, idle >> 1);
    } else if (alike(age, lastAge)) {
      memory.h = memory.ttl = Math.max(1000, age >> 1);
      if (memory.good == 'websocket') memory.good = undefined;
      shun(memory, 'websocket');
    }
    lastAge = age;
    lastIdle = idle;
    keep();
  }

  /**
   * Ends the connection or the negotiation, then reconnects unless `final`, the
   * options or the retry policy say otherwise. `notify` tells the server at once
   * (close(), and 1001 for leaving the page).
   */
  function drop(code: number, reason: string, final?: boolean, notify = code == 1001): void {
    // An `error` handler (a failed negotiation, a lost session) may have closed the client already.
    if (state == 'closed') return;
    const wasOpen = state == 'open';
    if (wasOpen) {
      // (A cut while the browser is offline says nothing of the proxies on the path.)
      if (MULTI_TIER && code == 1006 && onLine()) sense();
      // (Silent past the heartbeat delay: the watchdog and a held poll's timeout fire at the same time.)
      // Not from a streaming tier: on xhr-streaming a long frame's bytes are heard as they come, so its
      // silence is silence; a forever-iframe's cuts are silent, and waiting longer after each would only
      // find them later (the session moves below the streaming tiers, where the wait grows).
      if (!(MULTI_TIER && tier?.stream) && Date.now() - lastSeen > (opened as ConnectContext).wait - o.heartbeatTimeout * patience && patience < 8) patience *= 2;
      // Open for stableAfter (by the wall clock, like the watchdog): the backoff starts over.
      if (Date.now() - openedAt >= o.stableAfter) retries = 0;
    }
    const delay = final || !o.reconnect ? null : guard(retry, retries + 1);
    const again = delay != null;
    generation++;
    leave(notify);
    release(notify);
    tier = undefined;
    unseat();
    state = again ? 'reconnecting' : 'closed';
    if (!again) {
      listen('removeEventListener');
      // What went out may have arrived; the rest never left.
      fresh();
      settle(pending.splice(0), new Error('cometkit: not delivered: closed (' + code + ')'));
    }
    if (wasOpen || !again) emit('close', { code, reason, willReconnect: again });
    // (Reconnecting means `again`, unless a `close` handler has closed the client.)
    if (state == 'reconnecting') emit('reconnecting', { attempt: ++retries, delay: delay as number });
    // While offline, wait for the browser's `online` event instead. (Not once a handler has closed the
    // client: no timer left behind.)
    if (state == 'reconnecting' && onLine()) later(start, delay as number);
  }

  function flush(): void {
    if (state != 'open' || handed >= pending.length) return;
    const batch = pending.slice(handed).map((out) => out.t);
    const seq = sent + handed + 1;
    handed = pending.length;
    conn?.send(batch, seq);
  }

  function upgradeLater(): void {
    if (!MULTI_TIER) return;
    clearTimeout(upgradeTimer);
    // Not from a WebSocket: the server closes the one it takes a session from, which would read as a cut.
    // (Not once an `open` handler has closed the client: a try would take a seat nobody frees.)
    if (state == 'open' && o.upgradeInterval && sid && tier?.name != 'websocket' && opened?.info?.cometkit?.takeover) upgradeTimer = setTimeout(upgrade, o.upgradeInterval);
  }

  /**
   * Re-upgrade, on a resumable session: tries a tier above the current one
   * (the best first, then the next at each try), resuming the session there
   * (`takeover=1`) from what was delivered.
   * Its `k` switches over at once: what the old connection delivered since
   * comes again and is skipped by position, unconfirmed sends go again and the
   * server drops what it has. Acknowledgements stay at the candidate's
   * position meanwhile: one beyond it would make that position one the server
   * can no longer resume (and after a try given up, until the old connection's
   * renewals made meanwhile have been answered).
   */
  function upgrade(): void {
    void sit(generation).then((ok) => {
      if (ok && state == 'open') climb();
    });
  }

  function climb(): void {
    const ctx = opened as ConnectContext;
    const from = tier as Tier;
    const above = o.transports.slice(0, o.transports.indexOf(from)).filter((t) => !t.unsupported(ctx) && (!t.hold || seat));
    // (By the last one tried, not a count of tries: which tiers are above changes with the seat.)
    const better = (tried = above[(above.indexOf(tried as Tier) + 1) % above.length]);
    // None now may mean no seat now: tried again later.
    if (!better) {
      unseat();
      return upgradeLater();
    }
    const gen = generation;
    // A try that a connection's end or close() overtook is over already (release()); its timer does
    // nothing then, where it would have scheduled tries for a client no longer open.
    const give = () => {
      if (gen != generation) return;
      clearTimeout(timeout);
      candidate?.close();
      candidate = undefined;
      unseat();
      upgradeLater();
    };
    // From where acknowledgements stand: still frozen after a try given up, a renewal made during it may
    // be on its way (see frame()), and a position beyond it must not reach the server first.
    const since = (frozen = position());
    let moved = false;
    const timeout = setTimeout(give, openTimeout(ctx.info?.rtt, better.roundTrips, o.timeout));
    try {
      candidate = better.connect(
        { ...ctx, tune: query(tune + '&takeover=1', since) },
        {
          frame(text, own) {
            if (gen != generation) return;
            if (moved) return frame(text, own);
            // Anything but the resume's k (an `o`: the server no longer knows the session) ends the try.
            const kept = keptPosition(text);
            if (kept < 0) return give();
            clearTimeout(timeout);
            conn?.close();
            conn = candidate;
            candidate = undefined;
            moved = true;
            frozen = Infinity;
            tier = better;
            worked(memory, better.name);
            unseat();
            tried = undefined;
            keep();
            emit('transport', { from: from.name, to: better.name, reason: 're-upgrade' });
            at = since;
            handed = 0;
            confirm(kept);
            // A delivery callback may have closed the client.
            if (gen != generation) return;
            flush();
            upgradeLater();
          },
          close(reason) {
            if (gen != generation) return;
            if (moved) drop(1006, reason);
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
    send(text, done) {
      if (typeof text != 'string' || (done && typeof done != 'function')) fail('send() takes a string and an optional callback');
      if (state == 'closed') throw new Error('cometkit: send() on a closed client');
      const b = size(text);
      if (pending.length >= o.queueLimit || bytes + b > o.queueBytes) {
        throw new Error('cometkit: send queue full (' + pending.length + ' messages, ' + bytes + ' bytes unconfirmed)');
      }
      bytes += b;
      // Sends made in one tick leave together: one frame, one request.
      if (pending.push({ t: text, b, d: done }) == handed + 1) queueMicrotask(flush);
    },
    close(code = 1000, reason = 'Normal closure') {
      if (typeof code != 'number' || code % 1 || !isFinal(code) || typeof reason != 'string' || reason.length > 123) {
        fail('close() takes a code of 1000 or 3000–4999 and a reason of up to 123 characters');
      }
      // (Once closed, drop() does nothing.)
      drop(code, reason, true, true);
    },
    get state() {
      return state;
    },
    get transport() {
      return tier?.name ?? null;
    },
    diagnostics: () => attempts.slice(),
  };
}
