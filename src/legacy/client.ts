import type { ClientState } from '../client/client.js';
import type { Attempt } from '../client/errors.js';
import type { EventName, Handler, TransportName } from '../client/events.js';
import { MAX_DELAY, backoff, openTimeout } from '../client/retry.js';
import { utf8Bytes as size } from '../client/util/utf8.js';
import { leave } from './control.js';
import type { Control as Connection } from './control.js';
import { listen, now } from './dom.js';
import { negotiationError } from './errors.js';
import { createEmitter, rethrow } from './events.js';
import type { Frame } from '../protocol/frames.js';
import { keptPosition } from '../protocol/frames.js';
import { decodeFrame } from './frames.js';
import { probe } from './info.js';
import type { Extensions, Info } from './info.js';
import type { Cancel } from './jsonp.js';
import { fail, resolveOptions } from './options.js';
import type { LegacyOptions } from './options.js';
import { connect } from './transport.js';
import { sessionUrl, splitUrl } from './url.js';

/**
 * The modern build's client, minus getters (ES3 has none): `state` and
 * `transport` are plain properties that the client keeps up to date, so
 * reading them works the same in both builds. Do not assign them.
 */
export interface LegacyClient {
  /** Subscribes; returns the unsubscribe function. */
  on: <K extends EventName>(type: K, handler: Handler<K>) => () => void;
  off: <K extends EventName>(type: K, handler: Handler<K>) => void;
  /**
   * Sends a message; while not open it is queued and sent, in order, once open.
   * `done()` runs once the server has it, `done(error)` once it may not (the
   * connection dropped with it in flight, or the client closed first).
   */
  send: (text: string, done?: (error?: Error) => void) => void;
  /** Closes for good (code 1000 or 3000–4999, reason up to 123 characters) and tells the server at once. */
  close: (code?: number, reason?: string) => void;
  /** `'connecting' | 'open' | 'reconnecting' | 'closed'`, kept up to date. */
  state: ClientState;
  /** `'jsonp'` while open, else null, kept up to date. */
  transport: TransportName | null;
  /** Every tier tried by the latest negotiation, with outcome, reason and time. */
  diagnostics: () => Attempt[];
}

type Done = ((error?: Error) => void) | undefined;
/** A message not yet confirmed: its text, delivery callback and UTF-8 bytes. */
type Out = [string, Done, number];

/** Runs delivery callbacks (one that throws cannot stop the others); returns the bytes freed. */
function settle(list: Out[], error?: Error): number {
  let bytes = 0;
  for (let i = 0; i < list.length; i++) {
    const done = list[i][1];
    bytes += list[i][2];
    try {
      if (done) done(error);
    } catch (e) {
      rethrow(e);
    }
  }
  return bytes;
}

type TimerName = 'retry' | 'watch' | 'stable' | 'flush';

/**
 * Connects to a SockJS-compatible service in JSONP mode: script-tag
 * long-polling down, hidden form posts up, nothing an IE 7 page lacks.
 * The state machine is src/client/client.ts's, written again in ES3 terms
 * (no spread, Array#filter/find, Date.now, queueMicrotask or getters).
 * @example
 * var client = cometkit.createClient('https://example.com/echo');
 * client.on('message', function (e) { alert(e.data); });
 * client.send('hello');
 */
export function createClient(url: string, options?: LegacyOptions): LegacyClient {
  if (typeof url != 'string' || !/^(https?:)?\//.test(url)) fail('url must be an http(s) URL or a path');
  const o = resolveOptions(options);
  const retry = o.retry || backoff(o.reconnectDelay, o.maxReconnectDelay);
  // The URL's own query (a token, say) goes on every request, after the path each request adds.
  const [path, extra] = splitUrl(url);
  const base = path.replace(/\/+$/, '');
  const { on, off, emit } = createEmitter();
  const timers: Partial<Record<TimerName, ReturnType<typeof setTimeout>>> = {};
  let state: ClientState = 'connecting';
  let conn: Connection | null = null;
  // The connection a negotiation is waiting on: a later negotiation, or the end, closes it (left, its
  // poll loop would go on by itself, unheard, for good).
  let opening: Connection | null = null;
  let preferred = false;
  let probing: Cancel | null = null;
  let generation = 0;
  let retries = 0;
  // Upstream: messages the server has not confirmed, in order; pending[0] is at position `sent` + 1,
  // and the first `handed` went to the current connection. `bytes`: theirs, for the queue bound.
  let pending: Out[] = [];
  let sent = 0;
  let handed = 0;
  let bytes = 0;
  // Downstream: messages delivered (`got`), and the position of the frame being read (`at`, behind
  // `got` while a resumed session repeats what came before).
  let got = 0;
  let at = 0;
  // The session URL while it is resumable (PROTOCOL.md, "Resume"): reconnections resume it.
  let sid = '';
  let lastSeen = 0;
  let deadAfter = 0;
  // Doubled (up to 8×) by each drop of a connection that heard nothing past the heartbeat delay (the
  // watchdog or a poll's timeout), until a frame is heard again: the next connections wait that much
  // longer, so a message longer in coming than the wait (a large one on a slow link) gets through,
  // where a fixed wait would cut it, and have it resent, for ever.
  let patience = 1;
  let attempts: Attempt[] = [];
  const hideEvent = 'onpagehide' in window ? 'pagehide' : 'unload';

  const client: LegacyClient = {
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
      // Sends made in one tick leave together: one form post.
      if (pending.push([text, done, b]) == handed + 1) later('flush', flush, 0);
    },
    close(code = 1000, reason = 'Normal closure') {
      if (typeof code != 'number' || code % 1 || (code != 1000 && !(code >= 3000 && code < 5000)) || typeof reason != 'string' || reason.length > 123) {
        fail('close() takes a code of 1000 or 3000\u20134999 and a reason of up to 123 characters');
      }
      if (state == 'closed') return;
      stop(true, 'closed');
      emit('close', { code, reason, willReconnect: false });
    },
    state,
    transport: null,
    diagnostics: () => attempts.slice()
  };

  const setState = (next: ClientState, open?: boolean) => {
    client.state = state = next;
    client.transport = open ? 'jsonp' : null;
  };
  const later = (name: TimerName, fn?: () => void, ms?: number) => {
    clearTimeout(timers[name]);
    // Clamped: a delay beyond what a timer holds fires at once (a `retry` that returns Infinity).
    if (fn) timers[name] = setTimeout(fn, Math.min(ms as number, MAX_DELAY));
  };
  const giveUp = () => {
    opening?.close();
    opening = null;
  };
  const online = () => {
    if (state == 'reconnecting') start();
  };
  // Gone offline: the connection is dead or about to be; dropped now, not after the heartbeat wait,
  // the client waits for `online` and resumes from there.
  const offline = () => {
    if (state == 'open') drop(1006, 'Offline', true);
  };
  // Leaving the page: free the server session now, not after its timeout; not into the back-forward
  // cache (`persisted`, new browsers): the page may come back and resume it, where an ended one would
  // answer with its close frame (1000) and close the client for good.
  const hide = (e?: { persisted?: boolean }) => {
    const notify = !(e && e.persisted);
    if (conn) drop(1001, 'Page hidden', true, false, notify);
    else if (notify && sid) leave(sid, extra);
  };
  const wire = (on: boolean) => {
    // IE 8 fires `online` and `offline` on document.body, not on window. (Read here, once the page has
    // loaded: a client made in the page's <head> meets no body yet.)
    const body = document.body;
    listen(window, 'online', online, on);
    listen(window, 'offline', offline, on);
    if (body && !window.addEventListener) {
      listen(body, 'online', online, on);
      listen(body, 'offline', offline, on);
    }
    listen(window, 'pageshow', online, on);
    listen(window, hideEvent, hide, on);
    listen(document, 'visibilitychange', watch, on);
  };

  function start(): void {
    // (An `error` handler may have closed the client just before: a lost session starts afresh.)
    if (state == 'closed') return;
    later('retry');
    giveUp();
    const gen = ++generation;
    const started = now();
    const tried: Attempt[] = (attempts = []);
    let info: Info | null = null;
    // Once JSONP has worked, it goes first; the other names keep their order.
    let order = o.transports;
    if (preferred) {
      order = ['jsonp'];
      for (const name of o.transports) if (name != 'jsonp') order.push(name);
    }

    const next = (i: number): void => {
      const name = order[i];
      if (gen != generation) return;
      if (!name) {
        emit('error', { error: negotiationError(tried, now() - started) });
        return drop(2000, 'All transports failed', false);
      }
      const since = now();
      // 0 while opening, 1 once open, 2 once failed.
      let phase = 0;
      const record = (outcome: Attempt['outcome'], reason: string) => {
        tried.push({ transport: name, outcome, reason, time: now() - since });
        if (outcome != 'open') {
          emit('transport', { from: name, to: order[i + 1] || null, reason });
          next(i + 1);
        }
      };
      if (name != 'jsonp') return record('skipped', 'not in the legacy build');
      const ms = openTimeout(info?.rtt, 1, o.timeout);
      const failTier = (reason: string) => {
        if (phase || gen != generation) return;
        phase = 2;
        clearTimeout(timer);
        c?.close();
        record('failed', reason);
      };
      const timer = setTimeout(() => failTier('timed out after ' + ms + ' ms'), ms);
      // Declared apart: a tier may call the sink before connect() returns.
      // eslint-disable-next-line prefer-const
      let c: Connection | undefined;
      // A resumable session is resumed from where the client is; a new one starts at 0 (the server
      // makes a session resumable only when asked at 0).
      const from = sid ? got : 0;
      const session = sid || sessionUrl(base);
      let first = o.resume;
      // The liveness wait (the watchdog's once open), which a held poll's answer must also come within.
      // (Once: each `?.` is a long expression in ES3.)
      const ck: Extensions = (info && info.cometkit) || {};
      const wait = Math.min(MAX_DELAY, ((ck.heartbeat ?? 25000) + o.heartbeatTimeout) * patience);
      c = connect(
        session,
        ck,
        {
          frame(text) {
            if (gen != generation || phase == 2) return;
            if (phase) return frame(text);
            const kept = keptPosition(text);
            if (text != 'o' && kept < 0) {
              if (!sid || text.charAt(0) != 'c') return failTier('unexpected first frame ' + text.slice(0, 32));
              // A session that ended while the client was away answers with its close frame.
              phase = 1;
              clearTimeout(timer);
              conn = c as Connection;
              opening = null;
              return frame(text);
            }
            phase = 1;
            clearTimeout(timer);
            opening = null;
            record('open', 'opened');
            preferred = true;
            if (sid && kept < 0) {
              // The server no longer has the session (restarted, or the grace period passed):
              // report it, and start a fresh resumable one at once.
              (c as Connection).close();
              lost('the server no longer had the session');
              return start();
            }
            conn = c as Connection;
            const resumed = !!sid;
            if (resumed) {
              at = from;
              handed = 0;
              confirm(kept);
            } else {
              // What went to a session that is gone may or may not have arrived: at most once.
              fresh();
              if (kept >= 0 && o.resume) sid = session;
            }
            // A delivery callback may have closed the client.
            if (gen != generation) return;
            setState('open', true);
            deadAfter = wait;
            lastSeen = now();
            watch();
            later('stable', () => (retries = 0), o.stableAfter);
            emit('open', { transport: 'jsonp', resumed });
            flush();
          },
          close(reason) {
            if (gen != generation) return;
            if (phase) drop(1006, reason, true);
            else failTier(reason);
          }
        },
        // The first poll says where the client resumes from; each renewal what it has, so that what
        // a cut swallowed comes again (the renewal's frame starts after it).
        () => extra + (first ? ((first = false), '&pos=' + from) : sid ? '&ack=' + (at = got) : ''),
        () => (sid ? got : -1),
        confirm,
        extra,
        wait
      );
      if (phase == 2) c.close();
      else if (!phase) opening = c;
    };

    let jsonpListed = false;
    for (const name of order) if (name == 'jsonp') jsonpListed = true;
    if (!jsonpListed) return next(0);
    probing = probe(base, extra, (result) => {
      probing = null;
      info = result;
      next(0);
    });
  }

  function frame(text: string): void {
    lastSeen = now();
    patience = 1;
    const c = conn;
    let f: Frame;
    try {
      f = decodeFrame(text);
    } catch (error) {
      // A bad frame is reported and skipped; the connection goes on.
      return emit('error', { error: error as Error });
    }
    const [type, value, reason] = f;
    if (type == 'a') {
      for (const data of value) {
        // A resumed session may repeat what an older poll delivered: positions tell.
        // A handler may have closed the client: stop delivering then.
        if (++at > got && conn == c) {
          got = at;
          emit('message', { data });
        }
      }
    } else if (type == 'k') {
      confirm(value);
    } else if (type == 'c') {
      // Any close but 2010 ends the session; 2011 and 2012 end it with messages lost.
      if (value != 2010) {
        if (value == 2011 || value == 2012) lost(reason);
        sid = '';
      }
      // Application codes end the session for good; protocol codes (1001, 1002, 2010) are worth a retry.
      drop(value, reason, true, value == 1000 || (value >= 3000 && value < 5000));
    } else if (type == 'o') {
      drop(1006, 'Server lost session', true);
    }
  }

  // Wall-clock based, so a page whose timers the browser throttles still gets it right when they fire.
  function watch(): void {
    if (!conn) return;
    const left = lastSeen + deadAfter - now();
    if (left > 0) later('watch', watch, left);
    else drop(1006, 'No heartbeat for ' + deadAfter + ' ms', true);
  }

  function stop(notify: boolean, next: ClientState): void {
    generation++;
    probing?.();
    probing = null;
    giveUp();
    // Messages the connection never sent out are not in doubt: a fresh session takes them (fresh()).
    if (conn) handed -= conn.close(notify);
    // Between connections none tells the server: a resumable session (only a cometkit server has one)
    // is told on a request of its own, or it would wait out its grace.
    else if (notify && sid) leave(sid, extra);
    conn = null;
    later('watch');
    later('stable');
    later('retry');
    setState(next);
    if (next == 'closed') {
      later('flush');
      wire(false);
      // What was in flight may or may not have arrived; the rest was never sent.
      const gone = pending;
      const flown = gone.splice(0, handed);
      pending = [];
      handed = 0;
      bytes -= settle(flown, new Error('cometkit: maybe not delivered: the connection dropped'));
      bytes -= settle(gone, new Error('cometkit: not delivered: closed'));
    }
  }

  // Ends the connection, then reconnects unless `forGood` or the options say otherwise; `notify` tells
  // the server at once (leaving the page, unless into the back-forward cache).
  function drop(code: number, reason: string, wasOpen: boolean, forGood?: boolean, notify = code == 1001): void {
    // An `error` handler (a failed negotiation, a lost session) may have closed the client already.
    if (state == 'closed') return;
    // (Silent past the heartbeat delay: a poll may time out before the watchdog, its slack being its own.)
    if (wasOpen && now() - lastSeen > deadAfter - o.heartbeatTimeout * patience && patience < 8) patience *= 2;
    const delay = forGood || !o.reconnect ? null : retry(retries + 1);
    const again = delay != null;
    stop(notify, again ? 'reconnecting' : 'closed');
    if (wasOpen || !again) emit('close', { code, reason, willReconnect: again });
    // (Reconnecting means `again`, unless a `close` handler has closed the client.)
    if (state == 'reconnecting') emit('reconnecting', { attempt: ++retries, delay: delay as number });
    // While offline, wait for the browser's `online` event instead. (Not once a handler has closed the
    // client: no timer left behind.)
    if (state == 'reconnecting' && (navigator as { onLine?: boolean }).onLine !== false) later('retry', start, delay as number);
  }

  function flush(): void {
    if (!conn || handed >= pending.length) return;
    const batch: string[] = [];
    for (let i = handed; i < pending.length; i++) batch.push(pending[i][0]);
    const seq = sent + handed + 1;
    handed = pending.length;
    conn.send(batch, seq);
  }

  // The server has the client's messages up to position `pos`. (By what it confirms, not `pos`: a
  // broken server's `k` beyond what the client has would otherwise skip positions in its numbering.)
  function confirm(pos: number): void {
    const done = pending.splice(0, pos - sent);
    sent += done.length;
    handed = handed > done.length ? handed - done.length : 0;
    bytes -= settle(done);
  }

  // A new session: what the last one was handed fails (it may not have arrived), the rest goes on it.
  function fresh(): void {
    const gone = pending.splice(0, handed);
    sent = handed = got = at = 0;
    sid = '';
    bytes -= settle(gone, new Error('cometkit: maybe not delivered: the session ended'));
  }

  // A resumable session is gone with messages in between: say so, and start afresh.
  function lost(why: string): void {
    const error = new Error('cometkit: session lost (' + why + '); messages in between may be missing');
    error.name = 'SessionLostError';
    // Gone already: an error handler that closes the client has no session to tell the server of.
    sid = '';
    emit('error', { error });
    fresh();
  }

  // A long-poll <script> added while the page loads would hold its load event (and the
  // browser's busy indicator) until answered: begin once the page has loaded. (Nothing the listeners
  // hear matters before: they act on a connection or a reconnection.)
  const begin = () => {
    listen(window, 'load', begin, false);
    if (state != 'closed') {
      wire(true);
      start();
    }
  };
  const events = window as unknown as { addEventListener?: unknown; attachEvent?: unknown };
  if (document.readyState == 'complete' || !(events.addEventListener || events.attachEvent)) begin();
  else listen(window, 'load', begin, true);
  return client;
}
