// A size probe, not shipped and not part of the API: the smallest WebSocket-only client written here
// that still meets issue 3's own requirements for one tier (the API and its events on mitt, options
// checked with exact messages, a NegotiationError and diagnostics(), an open timeout, full-jitter
// reconnection reset after a stable period, paused while offline, the wall-clock heartbeat watchdog also
// run on visibilitychange, a send queue batched per tick, close() with its checks), and nothing of
// issues 5 and 6 (no resume, no delivery callbacks, no queue limits, no persist, no growing wait).
// test/size/floor.mjs measures it against the WebSocket-only budget and checks that it works.
import mitt from 'mitt';

const MAX = 2147483647;
const fail = (m) => {
  throw new TypeError('cometkit: ' + m);
};
// 0 stands for a function (no default); `transports` is checked on its own.
const DEFAULTS = { __proto__: null, transports: 0, timeout: 500, reconnect: true, retry: 0, reconnectDelay: 1000, maxReconnectDelay: 30000, stableAfter: 10000, heartbeatTimeout: 10000, WebSocket: 0 };
const guard = (fn, arg) => {
  try {
    fn?.(arg);
  } catch (e) {
    setTimeout(() => {
      throw e;
    });
  }
};
const isFinal = (c) => c == 1000 || (c >= 3000 && c < 5000);

export class NegotiationError extends Error {
  constructor(attempts, time) {
    super('All transports failed in ' + time + ' ms: ' + attempts.map((a) => a.transport + ' ' + a.outcome + ' (' + a.reason + ', ' + a.time + ' ms)').join('; '));
    this.name = 'NegotiationError';
    this.attempts = attempts;
  }
}

export function createClient(url, options = {}) {
  if (typeof url != 'string' || !/^(https?:)?\//.test(url)) fail('url must be an http(s) URL or a path');
  if (typeof options != 'object') fail('options must be an object');
  const o = { ...DEFAULTS };
  for (const k in options) {
    const v = options[k];
    if (!(k in DEFAULTS)) fail('unknown option "' + k + '"');
    if (v === undefined) continue;
    const type = DEFAULTS[k] === 0 ? 'function' : typeof DEFAULTS[k];
    if (k == 'transports' ? !(Array.isArray(v) && v.length && v.every((t) => t == 'websocket')) : typeof v != type || (type == 'number' && !(v >= 0 && v <= MAX)))
      fail('option "' + k + '" must be a ' + (k == 'transports' ? "list of 'websocket'" : type == 'number' ? 'number from 0 to ' + MAX : type));
    o[k] = v;
  }
  const retry = o.retry || ((n) => Math.floor(Math.random() * Math.min(o.maxReconnectDelay, o.reconnectDelay * 2 ** (n - 1))));
  const [path, search] = url.split(/\?([^#]*)|#/);
  const base = path.replace(/\/+$/, '');
  const all = mitt().all;
  const off = (type, h) => {
    const l = all.get(type) ?? [];
    const i = l.indexOf(h);
    all.set(type, h ? l.filter((_, j) => j != i) : []);
  };
  const emit = (type, e) => {
    for (const h of all.get(type) ?? []) guard(h, e);
  };
  const wait = 25000 + o.heartbeatTimeout;
  const W = o.WebSocket ?? globalThis.WebSocket;
  let state = 'connecting', ws, timer, since, gen = 0, retries = 0, attempts = [], openedAt = 0, lastSeen = 0, queue = [], open = false;
  const later = (fn, ms) => {
    clearTimeout(timer);
    if (fn) timer = setTimeout(fn, Math.min(ms, MAX));
  };
  const release = (code) => {
    later();
    if (ws) {
      ws.onmessage = ws.onclose = ws.onerror = null;
      ws.close(code);
    }
    ws = undefined;
    open = false;
  };
  const online = () => state == 'reconnecting' && start();
  const hide = () => state == 'open' && drop(1001, 'Page hidden');
  const listen = (m) => {
    if (typeof document == 'object') {
      window[m]('online', online);
      window[m]('pageshow', online);
      window[m]('pagehide', hide);
      document[m]('visibilitychange', watch);
    }
  };
  const failed = (reason) => {
    attempts = [{ transport: 'websocket', outcome: W ? 'failed' : 'skipped', reason, time: Date.now() - since }];
    release();
    emit('transport', { from: 'websocket', to: null, reason });
    emit('error', { error: new NegotiationError(attempts, Date.now() - since) });
    drop(2000, 'All transports failed');
  };
  function start() {
    if (state == 'closed') return;
    release();
    const g = ++gen, ms = Math.max(o.timeout, 5000);
    since = Date.now();
    if (!W) return failed('no WebSocket in this browser');
    later(() => failed('timed out after ' + ms + ' ms'), ms);
    try {
      ws = new W(base.replace(/^http/, 'ws') + '/' + String(Math.random()).slice(2, 5) + '/' + Math.random().toString(36).slice(2, 10) + '/websocket' + (search ? '?' + search : ''));
    } catch (e) {
      return failed('could not start: ' + e.message);
    }
    ws.onmessage = (e) => {
      for (const f of String(e.data).split('\n')) if (g == gen) frame(f);
    };
    ws.onclose = ws.onerror = (e) => {
      const r = 'WebSocket ' + (e.type == 'error' ? 'error' : 'closed (' + e.code + (e.reason ? ' ' + e.reason : '') + ')');
      open ? drop(1006, r) : failed(r);
    };
  }
  function frame(text) {
    lastSeen = Date.now();
    const t = text[0];
    let v;
    try {
      v = JSON.parse(text.slice(1) || 0);
    } catch {
      // malformed: reported below
    }
    if (!open) {
      if (text != 'o') return failed('unexpected first frame ' + text.slice(0, 32));
      attempts = [{ transport: 'websocket', outcome: 'open', reason: 'opened', time: Date.now() - since }];
      open = true;
      state = 'open';
      openedAt = lastSeen;
      watch();
      emit('open', { transport: 'websocket', resumed: false });
      return flush();
    }
    if (t == 'm' && typeof v == 'string') v = [v];
    if ((t == 'a' || t == 'm') && Array.isArray(v) && v.every((d) => typeof d == 'string')) {
      const g = gen;
      for (const data of v) if (g == gen) emit('message', { data });
    } else if (t == 'c' && Array.isArray(v) && typeof v[0] == 'number' && typeof v[1] == 'string') drop(v[0], v[1], isFinal(v[0]));
    else if (text != 'h') emit('error', { error: new Error('Malformed frame: ' + text.slice(0, 64)) });
  }
  function watch() {
    if (state != 'open') return;
    const left = lastSeen + wait - Date.now();
    if (left > 0) return later(watch, left);
    drop(1006, 'No heartbeat for ' + wait + ' ms');
  }
  function drop(code, reason, final, notify) {
    const wasOpen = state == 'open';
    if (wasOpen && Date.now() - openedAt >= o.stableAfter) retries = 0;
    const delay = final || !o.reconnect ? null : retry(retries + 1);
    const again = delay != null;
    gen++;
    release(notify ? 1000 : 4000);
    state = again ? 'reconnecting' : 'closed';
    if (!again) listen('removeEventListener');
    if (wasOpen || !again) emit('close', { code, reason, willReconnect: again });
    if (again && state == 'reconnecting') {
      emit('reconnecting', { attempt: ++retries, delay });
      if (globalThis.navigator?.onLine !== false) later(start, delay);
    }
  }
  function flush() {
    if (open && queue.length) ws.send(JSON.stringify(queue.splice(0)));
  }
  listen('addEventListener');
  queueMicrotask(start);
  return {
    on: (type, h) => (all.set(type, [...(all.get(type) ?? []), h]), () => off(type, h)),
    off,
    send(text) {
      if (typeof text != 'string') fail('send() takes a string');
      if (state == 'closed') throw new Error('cometkit: send() on a closed client');
      if (queue.push(text) == 1) queueMicrotask(flush);
    },
    close(code = 1000, reason = 'Normal closure') {
      if (typeof code != 'number' || !isFinal(code) || typeof reason != 'string' || reason.length > 123) fail('close() takes a code of 1000 or 3000–4999 and a reason of up to 123 characters');
      if (state != 'closed') drop(code, reason, true, true);
    },
    get state() {
      return state;
    },
    get transport() {
      return open ? 'websocket' : null;
    },
    diagnostics: () => attempts.slice(),
  };
}
