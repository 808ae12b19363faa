/**
 * The SockJS 0.3 wire format, shared by the client and the server so both
 * speak exactly one dialect.
 */
/** Sent once, as the first frame of a new session. */
/** `k<pos>` (resume): the client's messages up to `pos` have arrived. */
function keptFrame(pos) {
    return 'k' + pos;
}
/** The position of a `k<pos>` frame, or -1 for any other frame. */
function keptPosition(text) {
    return /^k\d{1,15}$/.test(text) ? +text.slice(1) : -1;
}

/**
 * Every tier was skipped or failed; `attempts` says which, why and how long
 * each took. Check `error.name == 'NegotiationError'` across frames and realms.
 */
class NegotiationError extends Error {
    constructor(attempts, elapsed) {
        super('All transports failed in ' + elapsed + ' ms: ' + attempts.map((a) => a.transport + ' ' + a.outcome + ' (' + a.reason + ', ' + a.time + ' ms)').join('; '));
        this.name = 'NegotiationError';
        this.attempts = attempts;
    }
}

const MULTI_TIER = false;

function mitt(n){return {all:n=n||new Map,on:function(t,e){var i=n.get(t);i?i.push(e):n.set(t,[e]);},off:function(t,e){var i=n.get(t);i&&(e?i.splice(i.indexOf(e)>>>0,1):n.set(t,[]));},emit:function(t,e){var i=n.get(t);i&&i.slice().map(function(n){n(e);}),(i=n.get("*"))&&i.slice().map(function(n){n(t,e);});}}}

/**
 * An emitter on mitt's handler map, with mitt's semantics: on() appends,
 * off() removes the handler's first registration (without a handler: all of
 * the type's), emit() calls the handlers there when it starts. Unlike mitt,
 * on() returns an unsubscribe, and emit() calls every handler: mitt's stops
 * at the first that throws; this one reports what a handler throws where the
 * page's error handling sees it, later, so a handler can never break the
 * transport that is delivering.
 *
 * Only `mitt().all` is read, so the minifier drops mitt's own on/off/emit
 * (emit's '*' handling included, which the client never needs). Lists are
 * replaced, never changed in place, so emit() needs no copy for a handler
 * to unsubscribe itself.
 */
/**
 * Calls application code `fn(arg)` and returns what it returns; what it throws is reported where the
 * page's error handling sees it, later, so that it can never break the client calling it (which then
 * gets `undefined`: a `retry` that throws stops reconnecting).
 * (An argument, not a closure: emit() runs this for every handler of every message.)
 */
function guard(fn, arg) {
    try {
        return fn?.(arg);
    }
    catch (error) {
        setTimeout(() => {
            throw error;
        });
    }
    return undefined;
}
/** on, off and emit: a tuple, as the client takes them apart (an object's keys would stay in the bundle). */
function createEmitter() {
    const all = mitt().all;
    const off = (type, handler) => {
        const list = all.get(type) ?? [];
        const first = list.indexOf(handler);
        all.set(type, handler ? list.filter((_, i) => i != first) : []);
    };
    const on = (type, handler) => {
        all.set(type, [...(all.get(type) ?? []), handler]);
        return () => off(type, handler);
    };
    const emit = (type, event) => {
        for (const handler of (all.get(type) ?? []))
            guard(handler, event);
    };
    return [on, off, emit];
}

/**
 * The longest delay `setTimeout` holds, 2^31 - 1 ms (about 24.8 days): a longer one fires at once.
 * Every number option is at most this (both builds), and the clients' timers are clamped to it.
 */
const MAX_DELAY = 2147483647;
/**
 * Full-jitter exponential backoff: a random delay in [0, min(cap, base·2^(attempt-1))).
 * Spreads a crowd of clients reconnecting to a restarted server.
 */
function backoff(base, cap) {
    return (attempt) => Math.floor(Math.random() * Math.min(cap, base * 2 ** (attempt - 1)));
}
/** Per-tier open timeout: sockjs-client's RTO scaled by round trips, never under `floor`. 5 s while the RTT is unknown. */
function openTimeout(rtt, roundTrips, floor) {
    return Math.max(floor, 5000 );
}

// Each option's default, whose type is the type the option must have
// (`undefined`: a function). `transports` (null) is checked on its own, after the
// loop. No prototype, so `in` finds no inherited names ('toString').
const DEFAULTS = {
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
function fail(message) {
    // (Called, not constructed: the same TypeError, and no `new` in the bundle.)
    throw TypeError('cometkit: ' + message);
}
/** Validates once, synchronously; `named` maps tier names to tiers (empty for the core client). */
function resolveOptions(options, named) {
    const given = (options ?? {});
    if (typeof given != 'object')
        fail('options must be an object');
    const out = { ...DEFAULTS };
    // Own keys only: a page's old library may have added enumerable members to Object.prototype.
    for (const [key, value] of Object.entries(given)) {
        if (!(key in DEFAULTS))
            fail('unknown option "' + key + '"');
        if (value === undefined)
            continue;
        // (An undefined default stands for a function: any function's type says so.)
        const type = typeof (DEFAULTS[key] ?? fail);
        // At most what a timer holds: a longer delay fires after 1 ms (a watchdog or poll would spin).
        if (key != 'transports' && (typeof value != type || (type == 'number' && !(value >= 0 && value <= MAX_DELAY))))
            fail('option "' + key + '" must be a ' + (type == 'number' ? 'number from 0 to ' + MAX_DELAY : type));
        out[key] = value;
    }
    const list = (out.transports ?? named);
    if (!Array.isArray(list) || !list.length)
        fail('option "transports" must be a non-empty array');
    out.transports = list.map((t) => {
        const tier = typeof t == 'string' ? named.find((n) => n.name == t) : t;
        if (!tier?.connect)
            fail('unknown transport ' + JSON.stringify(t));
        return tier;
    });
    return out;
}

/** Session URL stem: a random server id (for load-balancer affinity) and session id, as SockJS clients pick them. */
function sessionUrl(base) {
    // Three digits: "0.ddd" (or "1.000", rounded up), from the third character on.
    return base + '/' + Math.random().toFixed(3).slice(2) + '/' + Math.random().toString(36).slice(2, 10).padEnd(8, '0');
}

const key = (base) => 'cometkit ' + base;
/**
 * The memory for `base`, or a blank one. localStorage, so that it serves the
 * next page load and the other tabs; a page without it (privacy modes, old
 * engines, sandboxed frames throw on access) simply learns afresh. The
 * WebSocket-only build (one tier: nothing to order) keeps none.
 */
function recall(base) {
    return { bad: [], h: 0, ttl: 0, until: 0 };
}
/** Keeps `memory` for `ttl` ms (0 keeps nothing). */
function remember(base, memory, ttl) {
    try {
        if (MULTI_TIER && ttl)
            ;
    }
    catch {
        // quota or no storage: the memory only saves time, nothing depends on it
    }
}
/** A tier failed or went silent: it goes last from now on. */
function shun(memory, name) {
}
/** A tier opened: it goes first from now on. */
function worked(memory, name) {
}

/**
 * UTF-8 bytes of `text`: what a message weighs against the send queue's byte
 * bound, in both builds (a Blob would say the same, far slower in Chromium).
 */
function utf8Bytes(text) {
    let n = text.length;
    for (let i = 0; i < text.length; i++) {
        const c = text.charCodeAt(i);
        // 2 bytes below 2048; 3 above, but a surrogate half counts 2 (its pair makes 4).
        if (c > 127)
            n += c < 2048 || c >> 11 == 27 ? 1 : 2;
    }
    return n;
}

/** Close codes that end a session for good: 1000 and the application range 3000–4999. */
const isFinal = (code) => code == 1000 || (code >= 3000 && code < 5000);
const stash = (base) => 'cometkit resume ' + base;
/** Whether the browser says it is online (workers have `navigator.onLine` too; where it is absent, yes). */
const onLine = () => navigator.onLine != false;
/**
 * The client over the tiers given in `options.transports` (tier objects): what
 * a bundle does not pass in, it does not contain. `named` lets `createClient`
 * accept tier names.
 */
function createCoreClient(url, options, named = []) {
    // Absolute from here on: engines before 2024 (Chromium 125, Firefox 124, Safari 17.3) open only absolute
    // ws: URLs, and a URL that does not parse is refused now, not met in a later negotiation. A path
    // resolves as fetch() resolves it: against the document's base URL (an about:srcdoc or about:blank
    // frame's is its parent's), a worker's location, or nothing (an absolute URL needs none, in Node too).
    let service;
    try {
        if (/^(https?:)?\//.test(url))
            service = new URL(url, globalThis.document?.baseURI ?? globalThis.location?.href);
    }
    catch {
        // refused below
    }
    if (!service)
        fail('url must be an http(s) URL or a path');
    const o = resolveOptions(options, named);
    const retry = o.retry || backoff(o.reconnectDelay, o.maxReconnectDelay);
    // The URL's own query (a token, say) goes on every request, after the path each request adds; a
    // #fragment goes nowhere, as browsers never send one, and credentials neither (fetch() refuses them).
    const base = (service.origin + service.pathname).replace(/\/+$/, '');
    const extra = service.search.replace('?', '&');
    const [on, off, emit] = createEmitter();
    let state = 'connecting';
    // What this page (or a recent one) learnt of the network to this service:
    // the tier that worked goes first, those that failed or went silent go last,
    // and the tuning asked of a cometkit server against proxies that kill requests.
    const memory = recall();
    const keep = () => remember(base, memory, o.remember);
    // The tier in use while open, and the context it opened with.
    let tier;
    let opened;
    // The tier the latest re-upgrade tried since the current one opened or was moved to: each try goes
    // to the next tier above in turn, best first, so that one that keeps failing (WebSocket behind a
    // proxy that refuses upgrades) does not hold the session from the others.
    let tried;
    // Held while the client needs a connection to the host: from a negotiation's probe until it opens
    // on a tier that holds none, or until the connection ends (seats.ts).
    let seat;
    const unseat = () => {
    };
    // The connection a negotiation is waiting on, then the open one: never more than one.
    let conn;
    // Bumped by every drop: callbacks from an older generation's connections are stale.
    let generation = 0;
    let retries = 0;
    // Upstream: messages the server has not confirmed, in order; pending[0] is at
    // position `sent` + 1, and the first `handed` went to the current connection.
    let pending = [];
    let bytes = 0;
    // Messages out of the queue: their bytes freed, `error` (or success) handed to each callback;
    // one that throws cannot stop the others.
    const settle = (list, error) => {
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
    // (Only a re-upgrade freezes it: the WebSocket-only build has none.)
    const position = () => (got);
    // A connection's receiving query: the URL's own, the tuning, then where the client resumes from
    // on the first request (`pos`) and what it has on each renewal (`ack`), so that what a cut
    // swallowed, even one that looked like the end of a response, comes again.
    const query = (tuned, from) => {
        let first = o.resume;
        // A renewal's stream starts after the position it names; frozen while the session moves.
        return () => extra + tuned + (first ? ((first = false), '&pos=' + from) : sid ? '&ack=' + (at = position()) : '');
    };
    // Resume across a reload (option `persist`): what the page before left in sessionStorage.
    if (o.persist) {
        try {
            // JSON.parse(null) is null: nothing left.
            const saved = JSON.parse(sessionStorage.getItem(stash(base)));
            sessionStorage.removeItem(stash(base));
            if (saved) {
                // The queue first: a stash of another shape throws here, before anything of it is taken.
                pending = saved[3].map((t) => ({ t, b: utf8Bytes(t) }));
                [sid, got, sent] = saved;
                for (const out of pending)
                    bytes += out.b;
                // The page before may have sent them: resent only on a resume, which drops what arrived.
                handed = pending.length;
            }
        }
        catch {
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
    let attempts = [];
    // The phases never overlap, so one timer serves them in turn: a tier's open
    // timeout while negotiating, the heartbeat watchdog while open, the
    // reconnection delay in between.
    let timer;
    const later = (fn, ms) => {
        clearTimeout(timer);
        // Clamped: a delay beyond what a timer holds fires at once (a `retry` that returns Infinity).
        if (fn)
            timer = setTimeout(fn, Math.min(ms, MAX_DELAY));
    };
    // Every change of phase starts here: the timer cleared, the connection (if any) closed.
    const release = (notify) => {
        later();
        conn?.close(notify);
        conn = undefined;
    };
    // Also on `pageshow`: back from the back-forward cache, the page goes on with this client, and what
    // it left for a reload (`persist`) is stale at once (a reload after close() would resume an ended
    // session with it). Only a page that was hidden has left anything.
    const online = () => {
        try {
            sessionStorage.removeItem(stash(base));
        }
        catch {
            // no storage: nothing was left
        }
        if (state == 'reconnecting')
            start();
    };
    // Gone offline: a connection through the network is dead or about to be, and the watchdog would find
    // that out only after the heartbeat wait, the app believing it open meanwhile. Dropped now, the
    // client waits for `online` and resumes from there.
    const offline = () => {
        if (state == 'open')
            drop(1006, 'Offline');
    };
    // Between connections there is none to tell a cometkit server by: a resumable session (only a
    // cometkit server has one) is told on a request of its own, or it would wait out its grace.
    const leave = (notify) => notify && sid && state != 'open' && navigator.sendBeacon?.(sid + '/close?t' + extra);
    // Leaving the page: free the server session now, not after its timeout; or,
    // with `persist`, leave it for the reloaded page to resume. Not into the
    // back-forward cache (`persisted`): the page may come back, and resume then
    // picks the session up within the server's grace, where an ended one would
    // answer with its close frame (1000) and close the client for good.
    const hide = (e) => {
        let notify = !e.persisted;
        // (Firefox may have closed the page's connections already: a session being resumed counts too. A
        // closed client has no session, and has taken this listener away.)
        if (o.persist && sid) {
            try {
                sessionStorage.setItem(stash(base), JSON.stringify([sid, got, sent, pending.map((out) => out.t)]));
                notify = false;
            }
            catch {
                // no storage: end the session as without persist
            }
        }
        if (state == 'open')
            drop(1001, 'Page hidden', false, notify);
        else
            leave(notify);
    };
    const listen = (method) => {
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
    function start() {
        if (state == 'closed')
            return;
        release();
        const gen = ++generation;
        const started = Date.now();
        attempts = [];
        // What every tier's context shares; each attempt adds its session URL, query and wait.
        const shared = {
            base,
            // (Only the HTTP tiers read it: the WebSocket gets it in `tune()`.)
            query: '',
            info: null,
            // The page's origin, not its URL's: an about:srcdoc or about:blank frame has its parent's. (Outside
            // a page, as in Node, everything counts as cross-origin.)
            crossOrigin: MULTI_TIER,
            poll: [0, 0],
            WebSocket: o.WebSocket,
            pos: () => (sid ? position() : -1),
        };
        const order = o.transports;
        const next = (i) => {
            const t = order[i];
            if (gen != generation)
                return;
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
                wait: Math.min(1e9, ((25000) + o.heartbeatTimeout) * patience),
            };
            const since = Date.now();
            const ms = openTimeout(shared.info?.rtt, t.roundTrips, o.timeout);
            // 0 while opening, 1 once open, 2 once failed.
            let phase = 0;
            const record = (outcome, reason) => {
                attempts.push({ transport: t.name, outcome, reason, time: Date.now() - since });
                if (outcome != 'open') {
                    emit('transport', { from: t.name, to: order[i + 1]?.name ?? null, reason });
                    next(i + 1);
                }
            };
            const failTier = (reason, fair = true) => {
                if (phase || gen != generation)
                    return;
                phase = 2;
                release();
                if (fair)
                    shun(memory, t.name);
                record('failed', reason);
            };
            const why = t.unsupported(ctx);
            if (why)
                return record('skipped', why);
            const expire = (again) => {
                failTier('timed out after ' + ms + ' ms', MULTI_TIER);
            };
            later(expire, ms);
            const defer = (fn) => (fn());
            try {
                conn = t.connect(ctx, {
                    frame: (text, own) => defer(() => {
                        if (gen != generation || phase == 2)
                            return;
                        if (phase)
                            return frame(text, own);
                        const kept = keptPosition(text);
                        if (text != 'o' && kept < 0) {
                            // A session that ended while the client was away answers with its close frame (which
                            // drops: the tier's failure below is then stale); a malformed one is reported, and fails.
                            if (sid && text[0] == 'c')
                                frame(text);
                            return failTier('unexpected first frame ' + text.slice(0, 32));
                        }
                        phase = 1;
                        record('open', 'opened');
                        tier = t;
                        opened = ctx;
                        // Not a tier that opened for want of a seat: the next page loads would start there
                        // with seats free. (Without Web Locks, or over HTTP/2, the client counts as seated.)
                        if (seat)
                            ;
                        unseat();
                        if (MULTI_TIER)
                            ;
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
                        }
                        else {
                            // What went to a session that is gone may or may not have arrived: at most once.
                            fresh();
                            if (kept >= 0 && o.resume)
                                sid = ctx.session;
                        }
                        // A delivery callback may have closed the client.
                        if (gen != generation)
                            return;
                        state = 'open';
                        openedAt = lastSeen = Date.now();
                        watch();
                        emit('open', { transport: t.name, resumed });
                        flush();
                        upgradeLater();
                    }),
                    close: (reason) => defer(() => {
                        if (gen != generation)
                            return;
                        if (phase)
                            drop(1006, reason);
                        else
                            failTier(reason);
                    }),
                });
            }
            catch (error) {
                // e.g. the SecurityError for ws:// from an https: page, or for a URL the page's
                // Content-Security-Policy refuses: move on at once. By name and message: Firefox gives the
                // latter empty.
                failTier('could not start: ' + String(error));
            }
        };
        return next(0);
    }
    // `own`: a confirmation the tier made up from a send's answer, which says nothing of the receiving
    // side: counted as a sign of life, an application that sends more often than the wait would keep a
    // dead stream, poll or WebSocket looking alive for good.
    // Decoded here by decodeFrame's rules (src/protocol/frames.ts, which the server and the protocol tests
    // use), in the same pass as acting on it: its tuples, thrown error and second dispatch cost ~65 bytes
    // of the bundle. Only a malformed frame is reported (an `error` event), and skipped: the connection goes on.
    function frame(text, own) {
        if (!own) {
            lastSeen = Date.now();
            patience = 1;
        }
        const gen = generation;
        const kept = keptPosition(text);
        if (kept >= 0)
            return confirm(kept);
        if (text == 'h') {
            if (sid && got > acked)
                ack();
            return;
        }
        // An `o` on an open connection: the server started a new session, the client's is gone. (Kept,
        // its id would be resumed, and the plain session the server made under it answer nothing.)
        if (text == 'o') {
            if (sid)
                lost();
            return drop(1006, 'Server lost session');
        }
        let value;
        try {
            value = JSON.parse(text.slice(1));
        }
        catch {
            // falls through to the error below
        }
        if (text[0] == 'm' && typeof value == 'string')
            value = [value];
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
                if (sid && unacked >= 65536)
                    ack();
                return;
            }
            const [code, reason] = value;
            if (text[0] == 'c' && typeof code == 'number' && typeof reason == 'string') {
                // Any other close ends the session; 2011 and 2012 end it with messages lost.
                if (code != 2010) {
                    if (code == 2011 || code == 2012)
                        lost(reason);
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
    function confirm(pos) {
        const done = pending.splice(0, pos - sent);
        sent += done.length;
        handed = Math.max(0, handed - done.length);
        settle(done);
    }
    function ack() {
        acked = got;
        unacked = 0;
        conn?.send([], sent + handed + 1);
    }
    // A new session: what the last one was handed fails (it may not have arrived), the rest goes on it.
    function fresh() {
        const gone = pending.splice(0, handed);
        sent = handed = got = at = acked = unacked = 0;
        sid = '';
        settle(gone, new Error('cometkit: maybe not delivered: the session ended'));
    }
    // A resumable session is gone with messages in between: say so, and start afresh.
    function lost(why = 'the server no longer had the session') {
        const error = new Error('cometkit: session lost (' + why + '); messages in between may be missing');
        error.name = 'SessionLostError';
        // Gone already: an error handler that closes the client has no session to tell the server of.
        sid = '';
        emit('error', { error });
        fresh();
    }
    // Wall-clock based, so a tab whose timers the browser throttles still gets it right when they fire.
    function watch() {
        if (state != 'open')
            return;
        const wait = opened.wait;
        const left = lastSeen + wait - Date.now();
        if (left > 0)
            return later(watch, left);
        drop(1006, 'No heartbeat for ' + wait + ' ms');
    }
    /**
     * Ends the connection or the negotiation, then reconnects unless `final`, the
     * options or the retry policy say otherwise. `notify` tells the server at once
     * (close(), and 1001 for leaving the page).
     */
    function drop(code, reason, final, notify = code == 1001) {
        // An `error` handler (a failed negotiation, a lost session) may have closed the client already.
        if (state == 'closed')
            return;
        const wasOpen = state == 'open';
        if (wasOpen) {
            // (Silent past the heartbeat delay: the watchdog and a held poll's timeout fire at the same time.)
            // Not from a streaming tier: on xhr-streaming a long frame's bytes are heard as they come, so its
            // silence is silence; a forever-iframe's cuts are silent, and waiting longer after each would only
            // find them later (the session moves below the streaming tiers, where the wait grows).
            if (Date.now() - lastSeen > opened.wait - o.heartbeatTimeout * patience && patience < 8)
                patience *= 2;
            // Open for stableAfter (by the wall clock, like the watchdog): the backoff starts over.
            if (Date.now() - openedAt >= o.stableAfter)
                retries = 0;
        }
        const delay = final || !o.reconnect ? null : guard(retry, retries + 1);
        const again = delay != null;
        generation++;
        leave(notify);
        release(notify);
        tier = undefined;
        state = again ? 'reconnecting' : 'closed';
        if (!again) {
            listen('removeEventListener');
            // What went out may have arrived; the rest never left.
            fresh();
            settle(pending.splice(0), new Error('cometkit: not delivered: closed (' + code + ')'));
        }
        if (wasOpen || !again)
            emit('close', { code, reason, willReconnect: again });
        // (Reconnecting means `again`, unless a `close` handler has closed the client.)
        if (state == 'reconnecting')
            emit('reconnecting', { attempt: ++retries, delay: delay });
        // While offline, wait for the browser's `online` event instead. (Not once a handler has closed the
        // client: no timer left behind.)
        if (state == 'reconnecting' && onLine())
            later(start, delay);
    }
    function flush() {
        if (state != 'open' || handed >= pending.length)
            return;
        const batch = pending.slice(handed).map((out) => out.t);
        const seq = sent + handed + 1;
        handed = pending.length;
        conn?.send(batch, seq);
    }
    function upgradeLater() {
        return;
    }
    listen('addEventListener');
    // Later, so that handlers subscribed right after createClient() see every event.
    queueMicrotask(start);
    return {
        on,
        off,
        send(text, done) {
            if (typeof text != 'string' || (done && typeof done != 'function'))
                fail('send() takes a string and an optional callback');
            if (state == 'closed')
                throw new Error('cometkit: send() on a closed client');
            const b = utf8Bytes(text);
            if (pending.length >= o.queueLimit || bytes + b > o.queueBytes) {
                throw new Error('cometkit: send queue full (' + pending.length + ' messages, ' + bytes + ' bytes unconfirmed)');
            }
            bytes += b;
            // Sends made in one tick leave together: one frame, one request.
            if (pending.push({ t: text, b, d: done }) == handed + 1)
                queueMicrotask(flush);
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

/**
 * How many of `messages`, from the first, one request or WebSocket message carries: as many as keep
 * it within the server's body limit `max` (bytes: /info's `maxBody`; where the server does not say,
 * as on WebSocket alone, 1 MiB: the reference server's default, and nginx's `client_max_body_size`;
 * SockJS servers take more), and one at the least. A body over the limit is refused whole, and sent
 * again whole after every reconnection: a backlog larger than it would never go. A character counts
 * as the most its encoding may take, in a form post (`%E2%82%AC`, 9 bytes; in JSON 6 at most,
 * `\u001f`), with 99 bytes left for the batch's own brackets and positions.
 */
function fit(messages, max = 1048576) {
    let n = 0;
    while (n < messages.length && ((max -= messages[n].length * 9 + 3) > 99 || !n))
        n++;
    return n;
}

/** Framed SockJS over one WebSocket: the only duplex tier. */
const websocket = {
    name: 'websocket',
    roundTrips: 2,
    unsupported(ctx) {
        // Looked up when connecting, not at import: test tools (msw) replace it late.
        if (!(ctx.WebSocket ?? globalThis.WebSocket))
            return 'no WebSocket in this browser';
        // (Only the /info probe sets `info`: the WebSocket-only build has none.)
        // Only `websocket: false` says no, as sockjs-client reads it: an /info without the field leaves
        // WebSocket to be tried.
        return '';
    },
    connect(ctx, sink) {
        // (Spelt as in unsupported(): the repeat costs the bundle next to nothing.)
        const Socket = ctx.WebSocket ?? globalThis.WebSocket;
        const ws = new Socket(ctx.session.replace(/^http/, 'ws') + '/websocket?t' + ctx.tune());
        // Detached before anything else, so the socket is heard no more: the sink
        // gets one close (not one per error and close event) and nothing after it.
        const detach = () => (ws.onmessage = ws.onclose = ws.onerror = null);
        const end = (reason) => {
            detach();
            sink.close(reason);
        };
        // A cometkit server joins a confirmation (`k`) and the frame after it with a newline, which no
        // frame contains (JSON escapes it).
        // As text: a binary message (no SockJS server sends one) is then a malformed frame, reported.
        ws.onmessage = (e) => String(e.data).split('\n').map((text) => sink.frame(text));
        ws.onclose = (e) => end('WebSocket closed (' + e.code + (e.reason ? ' ' + e.reason : '') + ')');
        ws.onerror = () => end('WebSocket error');
        // In as many WebSocket messages as the server's body limit asks (see fit()); `messages` is the
        // caller's to give away. Only several tiers probe /info, which says the limit.
        const send = (messages, seq) => {
            const part = messages.splice(0, fit(messages));
            const pos = ctx.pos();
            if (pos >= 0)
                ws.send(JSON.stringify([pos, part.length ? seq : null, ...part]));
            else {
                // One WebSocket message per message, as sockjs-client sends them: stock servers cap a
                // message far below 1 MiB and close the socket (1009) over it (Spring on Tomcat: 8 KiB), so
                // a batch of small sends must not make one large message.
                for (const text of part)
                    ws.send(JSON.stringify([text]));
                // Without resume, handing them to the socket is all the delivery there is to report (and
                // a batch is never empty: only a resumable session sends bare acknowledgements).
                sink.frame(keptFrame(seq + part.length - 1), true);
            }
            if (messages.length)
                send(messages, seq + part.length);
        };
        return {
            send,
            // 1000 ends the session; a connection given up for another (4000) leaves it to be resumed.
            close(notify) {
                detach();
                ws.close(notify ? 1000 : 4000);
            },
        };
    },
};

// `cometkit/websocket`: the client on WebSocket alone. Built with the multi-tier
// features folded away (src/client/features.ts); this list is the whole of its API.
/**
 * Connects to a SockJS-compatible service over WebSocket alone: the full
 * client's API, options, reconnection, liveness, send queue and resume, and
 * no HTTP tier. `options.transports` may only name `websocket`.
 * @example
 * const client = createClient('https://example.com/echo');
 * client.on('message', ({ data }) => console.log(data));
 * client.send('hello');
 */
function createClient(url, options) {
    return createCoreClient(url, options, [websocket]);
}

export { NegotiationError, createClient };
