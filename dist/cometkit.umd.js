(function (global, factory) {
    typeof exports === 'object' && typeof module !== 'undefined' ? factory(exports) :
    typeof define === 'function' && define.amd ? define(['exports'], factory) :
    (global = typeof globalThis !== 'undefined' ? globalThis : global || self, factory(global.cometkit = {}));
})(this, (function (exports) { 'use strict';

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

    /**
     * Whether the client carries what only matters with several tiers or HTTP
     * tiers: the network memory, stream-sense, kill adaptation, tuning and
     * re-upgrade. `cometkit/websocket` is built with this module replaced by one
     * that says false (rollup.config.mjs), so the minifier drops that code: with
     * WebSocket alone none of it can act (there is no /info to tune with, no other
     * tier to order, leave for or re-upgrade to).
     */
    const MULTI_TIER = true;

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
    /** How long the `/info` probe may take, as in sockjs-client: the client ends it then (its JSONP form too). */
    const INFO_TIMEOUT = 8000;
    /**
     * Full-jitter exponential backoff: a random delay in [0, min(cap, base·2^(attempt-1))).
     * Spreads a crowd of clients reconnecting to a restarted server.
     */
    function backoff(base, cap) {
        return (attempt) => Math.floor(Math.random() * Math.min(cap, base * 2 ** (attempt - 1)));
    }
    /** Per-tier open timeout: sockjs-client's RTO scaled by round trips, never under `floor`. 5 s while the RTT is unknown. */
    function openTimeout(rtt, roundTrips, floor) {
        return Math.max(floor, rtt === undefined ? 5000 : (rtt > 100 ? 4 * rtt : 300 + rtt) * roundTrips);
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
        {
            try {
                // JSON.parse(null) is null: nothing kept.
                const memory = JSON.parse(localStorage.getItem(key(base)));
                // A list of failed tiers, or none: one of another shape (a later version's, then rolled back)
                // would throw where the tiers are ordered, and the client would never open.
                if (memory?.until > Date.now() && Array.isArray(memory.bad))
                    return memory;
            }
            catch {
                // no storage, or a value that is not JSON: start blank
            }
        }
        return { bad: [], h: 0, ttl: 0, until: 0 };
    }
    /** Keeps `memory` for `ttl` ms (0 keeps nothing). */
    function remember(base, memory, ttl) {
        try {
            if (MULTI_TIER && ttl)
                localStorage.setItem(key(base), JSON.stringify({ ...memory, until: Date.now() + ttl }));
        }
        catch {
            // quota or no storage: the memory only saves time, nothing depends on it
        }
    }
    /** A tier failed or went silent: it goes last from now on. */
    function shun(memory, name) {
        if (!memory.bad.includes(name))
            memory.bad.push(name);
    }
    /** A tier opened: it goes first from now on. */
    function worked(memory, name) {
        {
            memory.good = name;
            memory.bad = memory.bad.filter((n) => n != name);
        }
    }

    /**
     * Seats: the connections to the service that clients may hold at once, for
     * every tab of the page's origin together. Over HTTP/1.1 a browser opens at
     * most 6 connections to a host, for all its tabs; a stream or a held poll takes
     * one for as long as it lasts, so six tabs on a holding tier leave nothing for
     * their sends (which wait until they time out) and none for a seventh tab
     * (whose every tier times out). Four seats leave two connections for the
     * sends, the polls and the page's own requests; a client without a seat tries
     * the tiers that hold no connection first (WebSocket, plain polling), and
     * climbs back later (re-upgrade) once a seat is free. Web Locks count them:
     * held per tab, shared by the tabs of one origin, and freed by the browser
     * when a tab goes.
     */
    const SEATS = 4;
    // Where seats cannot be counted (no Web Locks, an opaque origin) or need not be (HTTP/2 and 3 carry
    // every request on one connection), a client behaves as if it had one: as without seats.
    const free = () => undefined;
    /**
     * A seat for a client of a service on `origin`, or undefined when all are taken.
     * HTTP/2 is read from the resource timing of the service's requests (its
     * `/info` answer allows it across origins), so before any, seats count.
     */
    function takeSeat(origin) {
        return new Promise((resolve, reject) => {
            if (performance.getEntries().some((e) => !e.name.indexOf(origin + '/') && /^h\d/.test(e.nextHopProtocol))) {
                return resolve(free);
            }
            const take = (n) => n < SEATS
                ? navigator.locks
                    // A lock granted is held until its callback's promise settles: that promise's resolve
                    // function, handed out as the seat, frees it.
                    .request('cometkit ' + origin + ' ' + n, { ifAvailable: true }, (lock) => (lock ? new Promise(resolve) : take(n + 1)))
                    .catch(reject)
                : resolve();
            take(0);
        }).catch(() => free);
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
        const memory = recall(base);
        const keep = () => remember(base, memory, o.remember);
        // How the previous open connection ended (its age and idle time at the cut): two alike mean a proxy
        // is killing them. Undefined before the first cut: no time is alike to it (NaN compares false).
        let lastAge;
        let lastIdle;
        // The tier in use while open, and the context it opened with.
        let tier;
        let opened;
        // A better tier being tried in the background (re-upgrade), and its timer.
        let candidate;
        let upgradeTimer;
        // The tier the latest re-upgrade tried since the current one opened or was moved to: each try goes
        // to the next tier above in turn, best first, so that one that keeps failing (WebSocket behind a
        // proxy that refuses upgrades) does not hold the session from the others.
        let tried;
        // Held while the client needs a connection to the host: from a negotiation's probe until it opens
        // on a tier that holds none, or until the connection ends (seats.ts).
        let seat;
        const unseat = () => {
            if (!tier?.hold) {
                seat?.();
                seat = undefined;
            }
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
        // While the session moves to a re-upgrade candidate, acknowledgements stay at the position the
        // candidate resumes from: one beyond it would make that position one the server can no longer resume.
        // (After a try given up, until the old connection's next frame: see frame().)
        let frozen = Infinity;
        // (Only a re-upgrade freezes it: the WebSocket-only build has none.)
        const position = () => (Math.min(got, frozen) );
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
            {
                clearTimeout(upgradeTimer);
                candidate?.close();
            }
            // Messages the connection never sent out are not in doubt: a fresh session takes them (fresh()).
            // (Only the HTTP tiers' control channel queues any.)
            handed -= conn?.unsent?.() ?? 0;
            conn?.close(notify);
            conn = candidate = undefined;
            frozen = Infinity;
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
                query: extra ,
                info: null,
                // The page's origin, not its URL's: an about:srcdoc or about:blank frame has its parent's. (Outside
                // a page, as in Node, everything counts as cross-origin.)
                crossOrigin: service.origin != globalThis.origin,
                poll: [o.pollInterval, o.pollIdleInterval] ,
                WebSocket: o.WebSocket,
                pos: () => (sid ? position() : -1),
            };
            // (Only the probe sets it: in the WebSocket-only build it stays '', and folds away.)
            tune = '';
            // The tier that worked first, those that failed last; the rest keep their order (sort is stable).
            // Without a seat, the tiers that would hold a connection go after all of them.
            // (Sorted once the seat is known, after the probe: tiers without one, WebSocket alone, need no order.)
            const rank = (t) => (t.name == memory.good ? 0 : memory.bad.includes(t.name) ? 2 : 1) + (t.hold && !seat ? 3 : 0);
            const order = [...o.transports] ;
            // A stream that times out without a byte is buffered on this path, and so will the others be.
            let buffered = false;
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
                    wait: Math.min(1e9, ((shared.info?.cometkit?.heartbeat ?? 25000) + o.heartbeatTimeout) * patience),
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
                const why = t.stream && buffered ? 'streams are buffered on this path' : t.unsupported(ctx);
                if (why)
                    return record('skipped', why);
                const expire = (again) => {
                    // Half its time late, the timer says the page itself was busy (a heavy start-up): what the
                    // tier had to say may be waiting behind it (timers due earlier run first), so it gets its
                    // time once more; and should it still time out, the walk moves on without holding it
                    // against the tier for the next page loads (memory). The WebSocket-only build keeps no
                    // memory, and gives no second time: its one tier failing costs a reconnection, not a
                    // session on a lower tier.
                    const fair = Date.now() - since < ms * 1.5;
                    if (!fair && !again)
                        return later(() => expire(true), ms);
                    buffered || (buffered = !!t.stream);
                    failTier('timed out after ' + ms + ' ms', fair);
                };
                later(expire, ms);
                // Sink calls made while connect() runs wait until it has returned the connection. (The WebSocket
                // tier makes none then: its socket's events come later.)
                let early = true;
                const defer = (fn) => (early ? queueMicrotask(fn) : fn());
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
                                worked(memory, t.name);
                            unseat();
                            if (MULTI_TIER)
                                tried = undefined;
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
                early = false;
            };
            const probe = o.transports.find((t) => t.probe)?.probe;
            if (!probe)
                return next(0);
            // Until a tier connects, the probe stands as the connection: what ends one (close()) ends it, its
            // fetch included. It has INFO_TIMEOUT in all (the timer: fetch and JSONP form alike, in every
            // engine), then is ended: whatever it learnt by then, or nothing (failed, or out of time: WebSocket
            // may still work; HTTP tiers say why they cannot).
            const probing = new AbortController();
            conn = { close: () => probing.abort() };
            void new Promise((resolve) => {
                later(resolve, INFO_TIMEOUT);
                probe(base, probing.signal, extra).then(resolve, () => resolve());
            })
                .then((info) => {
                probing.abort();
                if (!info)
                    return;
                shared.info = info;
                // Only a cometkit server that says so understands the tuning parameters.
                if (info.cometkit?.tune)
                    tune = (memory.h ? '&h=' + memory.h : '') + (memory.ttl ? '&ttl=' + memory.ttl : '');
            })
                // After the probe, whose answer says whether the service speaks HTTP/2.
                .then(() => sit(gen))
                .then((ok) => {
                if (!ok)
                    return;
                order.sort((a, b) => rank(a) - rank(b));
                next(0);
            });
        }
        // The seat kept, or one taken (or none to be had), for generation `gen`: false when `gen` is stale by
        // then, and a seat taken for it freed.
        function sit(gen) {
            return Promise.resolve(seat || takeSeat(service.origin)).then((s) => {
                if (gen != generation) {
                    if (s != seat)
                        s?.();
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
        function frame(text, own) {
            if (!own) {
                lastSeen = Date.now();
                patience = 1;
                // A try given up thaws acknowledgements only once the connection's receiving request made during
                // it has been answered: a send carrying the client's position could otherwise reach the server
                // first, and that request's renewal from the frozen position would no longer rewind there (its
                // answer, read from that position, would start later: messages skipped as already had).
                if (!candidate)
                    frozen = Infinity;
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
                    // While a candidate takes the session over, the old connection's renewals find it taken (2010):
                    // they end only that request.
                    if (code == 2010 && candidate)
                        return;
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
            // A stream that falls silent while still open is being buffered: the
            // reconnection starts below the streaming tiers.
            {
                if (tier?.stream)
                    for (const t of o.transports)
                        if (t.stream)
                            shun(memory, t.name);
                if (memory.good == tier?.name)
                    memory.good = undefined;
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
        function sense() {
            const age = Date.now() - openedAt;
            const idle = Date.now() - lastSeen;
            const alike = (a, b) => a >= 1000 && Math.abs(a - b) <= a / 4;
            if (alike(idle, lastIdle) && !memory.h) {
                memory.h = Math.max(1000, idle >> 1);
            }
            else if (alike(age, lastAge)) {
                memory.h = memory.ttl = Math.max(1000, age >> 1);
                if (memory.good == 'websocket')
                    memory.good = undefined;
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
        function drop(code, reason, final, notify = code == 1001) {
            // An `error` handler (a failed negotiation, a lost session) may have closed the client already.
            if (state == 'closed')
                return;
            const wasOpen = state == 'open';
            if (wasOpen) {
                // (A cut while the browser is offline says nothing of the proxies on the path.)
                if (code == 1006 && onLine())
                    sense();
                // (Silent past the heartbeat delay: the watchdog and a held poll's timeout fire at the same time.)
                // Not from a streaming tier: on xhr-streaming a long frame's bytes are heard as they come, so its
                // silence is silence; a forever-iframe's cuts are silent, and waiting longer after each would only
                // find them later (the session moves below the streaming tiers, where the wait grows).
                if (!(tier?.stream) && Date.now() - lastSeen > opened.wait - o.heartbeatTimeout * patience && patience < 8)
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
            unseat();
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
            clearTimeout(upgradeTimer);
            // Not from a WebSocket: the server closes the one it takes a session from, which would read as a cut.
            // (Not once an `open` handler has closed the client: a try would take a seat nobody frees.)
            if (state == 'open' && o.upgradeInterval && sid && tier?.name != 'websocket' && opened?.info?.cometkit?.takeover)
                upgradeTimer = setTimeout(upgrade, o.upgradeInterval);
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
        function upgrade() {
            void sit(generation).then((ok) => {
                if (ok && state == 'open')
                    climb();
            });
        }
        function climb() {
            const ctx = opened;
            const from = tier;
            const above = o.transports.slice(0, o.transports.indexOf(from)).filter((t) => !t.unsupported(ctx) && (!t.hold || seat));
            // (By the last one tried, not a count of tries: which tiers are above changes with the seat.)
            const better = (tried = above[(above.indexOf(tried) + 1) % above.length]);
            // None now may mean no seat now: tried again later.
            if (!better) {
                unseat();
                return upgradeLater();
            }
            const gen = generation;
            // A try that a connection's end or close() overtook is over already (release()); its timer does
            // nothing then, where it would have scheduled tries for a client no longer open.
            const give = () => {
                if (gen != generation)
                    return;
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
                candidate = better.connect({ ...ctx, tune: query(tune + '&takeover=1', since) }, {
                    frame(text, own) {
                        if (gen != generation)
                            return;
                        if (moved)
                            return frame(text, own);
                        // Anything but the resume's k (an `o`: the server no longer knows the session) ends the try.
                        const kept = keptPosition(text);
                        if (kept < 0)
                            return give();
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
                        if (gen != generation)
                            return;
                        flush();
                        upgradeLater();
                    },
                    close(reason) {
                        if (gen != generation)
                            return;
                        if (moved)
                            drop(1006, reason);
                        else
                            give();
                    },
                });
            }
            catch {
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
     * The forever-iframe bridge page, one source for both sides: the cometkit
     * server serves it as `/iframe-cometkit.html`, which the client loads whenever
     * /info shows a cometkit server, and the client loads it from a blob: URL for
     * other servers on the page's origin (a blob document has the page's origin
     * without sharing its document.domain state, which an about:blank frame would).
     *
     * Its hash carries `[parentOrigin, htmlfileUrl, callbackName, query]`: the
     * htmlfile URL ends at its callback (`…/htmlfile?c=<name>`), and `query` (`&…`
     * or '') is the first request's (the service URL's own, the tuning, `&pos=…`).
     * It loads only an htmlfile URL on its own origin and posts each frame to the
     * parent's origin alone: `f<frame>`, `x` when the htmlfile has ended (at the
     * server's size limit, or cut), or `e<reason>` when the stream cannot start,
     * each after the callback name: the parent takes posts with its own only (a page
     * that frames the parent can navigate the bridge's frame to this page with a hash
     * of its own making, but cannot read the parent's name). It
     * reopens the htmlfile when the parent says `r<query>`, with that query (the
     * renewal's: `&ack=…`, the client's position, in place of `&pos=…`) after the
     * same URL. A query cannot leave the URL's path: it starts with `&` or is empty.
     * Modern syntax: only the ES2020 client loads it (the legacy build has no iframe tier).
     */
    // Kept terse by hand: the client bundle carries it. In order: read the hash;
    // refuse any URL that is not an htmlfile on this origin ending at its callback;
    // set document.domain (the htmlfile page sets it, and Firefox then lets it reach
    // only a parent that did too); open the htmlfile with the first query; on its
    // end tell the parent and wait for `r`, whose query must start with `&`.
    // Messages from the parent count only from the parent's own origin.
    // The optional tags left out: the parser makes the same html, head and body. `<body>` stays,
    // so the script runs in the body, where document.body exists for it.
    // One expression of literals, page and script together: a bundler that cannot tell
    // `literal + constant` free of side effects (esbuild) kept it, unused, in bundles without the iframe tier.
    const BRIDGE_PAGE = '<!doctype html><meta charset=utf-8><body><script>' +
        'let[o,u,k,q]=JSON.parse(decodeURIComponent(location.hash.slice(1))),c,f,E="ehtmlfile did not start",p=d=>parent.postMessage(k+d,o),' +
        'n=d=>{if(/^r(&|$)/.test(d)){let m=c={};f?.remove();f=document.createElement("iframe");f.onload=()=>c==m&&!m.s&&p(E);f.src=u+d.slice(1);document.body.append(f)}};' +
        'if(/\\/htmlfile\\?c=[\\w.-]+$/.test(u)&&new URL(u,location).origin==location.origin){' +
        'try{document.domain=document.domain}catch{}' +
        'onmessage=e=>{e.source==parent&&e.origin==o&&n(e.data+"")};' +
        'self[k]={start(){c.s=1},message:d=>p("f"+d),stop:()=>p(c.s?"x":E)};n("r"+q)}' +
        '</script>';

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

    /**
     * A credentialed POST that resolves with what `read` makes of the response (its text) if its
     * status is `expect`, else rejects with `HTTP <status>` or the network error, unread. `expect` 0, an
     * opaque answer's status, makes it a 'no-cors' request (any other 'cors', fetch's default for a URL),
     * which reaches a service that allows no CORS: the answer is unreadable, but it resolves once one
     * came and rejects when the request was cut.
     */
    function post(url, body, signal, expect = 200, read = (res) => res.text()) {
        return fetch(url, { method: 'POST', body, credentials: 'include', signal, mode: expect ? 'cors' : 'no-cors' })
            .then((res) => (res.status == expect ? res : Promise.reject(new Error('HTTP ' + res.status))))
            .then(read);
    }
    /**
     * Streams a POST response: `chunk` gets text as it arrives, `end` once, with
     * an error unless the server ended it (after `signal` aborts: the AbortError).
     *
     * fetch() with a body stream hands each chunk to the page at once (Chromium
     * batches XHR progress events every ~50 ms). Every engine that parses this
     * ES2020 build has body streams (Chromium 80, Firefox 74, Safari 13.1 for the
     * syntax; streams came years before), so there is no XHR-progress path; the
     * legacy build has no streaming tier.
     */
    function stream(url, signal, chunk, end) {
        const decoder = new TextDecoder();
        post(url, null, signal, 200, (res) => {
            // Only null-body statuses (204, 304) lack a body, never a 200.
            const reader = res.body.getReader();
            // (Resolves with undefined, which end() takes as no error.)
            const pump = () => reader.read().then((r) => {
                if (r.done)
                    return undefined;
                chunk(decoder.decode(r.value, { stream: true }));
                return pump();
            });
            return pump();
        })
            // Two arguments, not .then().catch(): an error thrown by end() itself must not call it again.
            .then(end, end);
    }

    /**
     * Why a CORS-only tier (XHR streaming, polling) cannot run here, or ''. CORS
     * is assumed until the /info probe shows otherwise (only its JSONP form
     * answered): without /info there is no evidence either way, so the tier is
     * tried and its attempt says.
     */
    const noCors = (ctx) => (ctx.crossOrigin && ctx.info?.cors === false ? 'no CORS' : '');
    /**
     * An HTTP tier's connection: its receiver plus the control channel.
     * Client-to-server messages go on their own requests, never behind the held
     * receiving request: one request in flight, everything queued meanwhile goes
     * in the next one, at once (in as many as the server's body limit asks). `sent`
     * runs after each batch, with the answer's text ('' after a 413). A tier with no
     * receiving request out may have a batch `ride` as a poll too (`pollOnSend`):
     * the answer then holds frames.
     */
    function httpConnection(ctx, sink, receive, sent, ride) {
        const queue = [];
        // Upstream position of queue[0]; and whether a bare acknowledgement is wanted (resume).
        let seq = 0;
        let ack = false;
        let busy = false;
        let timer;
        // Without CORS: the last `k` the receiver brought, and the batch waiting for one.
        let kept = -1;
        let confirmed;
        // Ending the session over a message too big (give()), once the receiver has caught up.
        let dying = false;
        const abort = new AbortController();
        const signal = abort.signal;
        // ('no CORS', or '' where CORS serves.)
        const opaque = noCors(ctx);
        // Fixed for the connection's life: the tier's context is made once the probe is over.
        const max = ctx.info?.cometkit?.maxBody;
        const end = (notify) => {
            clearTimeout(timer);
            abort.abort();
            if (notify && ctx.info?.cometkit) {
                // sendBeacon survives page unload; a plain POST serves where it is missing.
                const url = ctx.session + '/close?t' + ctx.query;
                if (!navigator.sendBeacon?.(url))
                    post(url, null).catch(() => undefined);
            }
        };
        const die = () => signal.aborted || (sink.frame('c[1009,"Message too big"]'), end(true));
        const fail = (reason) => {
            if (!signal.aborted) {
                end();
                sink.close(reason);
            }
        };
        function pump() {
            if (busy || signal.aborted || !(queue.length || ack))
                return;
            // What does not fit goes in the next request, at once.
            const batch = queue.splice(0, fit(queue, max));
            const body = JSON.stringify(batch);
            // A resuming client numbers the batch and says what it has received.
            const pos = ctx.pos();
            const rides = ride?.();
            const query = '?t' + ctx.query + (pos < 0 ? '' : '&pos=' + pos + (batch.length ? '&seq=' + seq : '')) + (rides ? '&poll' : '');
            const last = (seq += batch.length) - 1;
            ack = false;
            busy = true;
            // A no-cors fetch's answer is opaque: an error page a proxy gave reads as well as the server's `ok`.
            // A resuming client's batch is in once the server's `k` on the receiver says so (the server owes one
            // for every such send); until then nothing more is sent, and without it in time the send times out
            // (below) and resume sends what did not arrive again. A body over the limit /info gave was refused
            // 413, which the opaque answer cannot show either: as after a 413, no `k` comes and nothing more is
            // sent until the server's close frame (1009). (Not against the 1 MiB assumed without /info: a stock
            // server takes more, and never ends the session for it. With CORS the 413 rejects, below, so the bytes
            // are not counted there: as long as JSON.stringify takes, ~2 ms a MiB, every batch.)
            const next = (answer) => opaque && (pos >= 0 || utf8Bytes(body) > max) ? (confirmed = () => kept >= last && done(answer))() : done(answer);
            const done = (answer) => {
                confirmed = undefined;
                clearTimeout(timer);
                busy = false;
                // An answer means the batch is in: the same acknowledgement a server gives on a WebSocket.
                if (!signal.aborted)
                    sink.frame(keptFrame(last), true);
                sent?.(answer);
                pump();
            };
            // A body over the limit /info gave that fails (refused by a proxy in front at the same limit, as
            // nginx's 413, which carries no CORS headers, or never answered) ends the session as the server
            // would have (1009): failed, it would be resumed and sent again, and refused again, for ever. The
            // server, which may never have seen the body, is told, or the session would wait out its grace.
            // Not before the receiver has what the server wrote until now (an echo on its way, which ending at
            // once would lose): the `k` the server owes for an empty no-cors `jsonp_send` comes after it (a
            // polling tier polls for it at once, as after a 413). Without resume, or without it in time, at once.
            // (Not once closed: a send the close aborted fails too.)
            const give = (reason) => signal.aborted ||
                (utf8Bytes(body) > max
                    ? pos < 0
                        ? die()
                        : (clearTimeout(timer),
                            (dying = true),
                            (timer = setTimeout(die, ctx.wait)),
                            post(ctx.session + '/jsonp_send?t' + ctx.query + '&pos=' + ctx.pos(), '[]', signal, 0).catch(die),
                            sent?.(''))
                    : fail(reason));
            // A batch without an answer in time ends the connection, and resume sends it again: a request
            // black-holed on a keep-alive connection that the network dropped without a word would wait out
            // the browser's TCP timeout while receiving goes on. A long body gets longer (8 KB/s), so that a
            // slow link never cuts the same batch again and again.
            timer = setTimeout(give, ctx.wait + body.length / 8, 'send timed out');
            // Without CORS, `jsonp_send` by a no-cors fetch: unlike a form post into a hidden frame (the
            // legacy build's way), it fails when the request is cut, where Chromium reports a cut post's
            // error page as loaded and Firefox reports nothing at all.
            post(ctx.session + (opaque ? '/jsonp_send' : '/xhr_send') + query, body, signal, opaque ? 0 : rides ? 200 : 204).then(next, (e) => {
                // A message over the server's body limit (alone in its batch, see fit()): a cometkit server
                // ends the session, and its close frame, on the receiver, says so. Sending stops until then
                // (or the send timeout); a reconnection would resume, and send the message again.
                // (post() rejects with `HTTP <status>`; test() reads the error as a string.)
                if (!/ 413$/.test(e))
                    give('send failed: ' + e.message);
                // To the tier, an answer without frames: a polling tier fetches that close frame at once.
                else
                    sent?.('');
            });
        }
        receive((text) => {
            if (!signal.aborted) {
                sink.frame(text);
                const k = keptPosition(text);
                kept = Math.max(kept, k);
                if (dying && k >= 0)
                    die();
                confirmed?.();
            }
        }, fail, signal);
        return {
            send(messages, from) {
                if (!queue.length)
                    seq = from;
                for (const m of messages)
                    queue.push(m);
                ack || (ack = !messages.length);
                pump();
            },
            close: end,
            // The queue holds the last messages given: each batch out is taken from its front.
            unsent: () => queue.length,
        };
    }

    let counter = 0;
    /** A name no other cometkit request on this page uses: callbacks, iframe names. */
    function uniqueName() {
        return '_ck' + ++counter + Math.random().toString(36).slice(2, 8);
    }
    /** `tag` hidden and appended to the page, with `props` set; an iframe without `src` is a same-origin about:blank. */
    function hidden(tag, props) {
        const node = Object.assign(document.createElement(tag), props);
        node.style.display = 'none';
        (document.body ?? document.documentElement).append(node);
        return node;
    }

    /**
     * A private srcdoc iframe for script-tag requests, and the function that
     * removes it: no callback global touches the page, and removing the iframe
     * cancels a held request (a detached script tag would keep its connection
     * until the server answers). One iframe serves a connection's every poll: a
     * fresh one per poll put its setup into every JSONP round trip. Loads run one
     * at a time (they share the timeout timer); each takes its script node and
     * callback away when it ends, however it ends.
     */
    function jsonpFrame() {
        // srcdoc: a srcdoc document's requests send the page's URL as their Referer, which a server checking
        // origins needs for JSONP. An about:blank one sends none, nor (in WebKit) one the page has opened.
        // Its document comes a task later, on `load`.
        const frame = hidden('iframe', { srcdoc: '' });
        const ready = new Promise((resolve) => (frame.onload = resolve));
        let timer;
        const load = (url, timeout, done) => {
            const name = uniqueName();
            let over = false;
            // Made at once, by the frame's document: where that is refused (a sandboxed page's frame, Trusted
            // Types refusing the URL), the load throws, and the tier cannot start. In once the frame is ready.
            const script = Object.assign(frame.contentWindow.document.createElement('script'), {
                src: url + '&c=' + name,
                onerror: () => finish('script failed to load'),
                // A script cut short still loads (with a syntax error) but never calls back: no need to wait it out.
                onload: () => finish('script ended without an answer'),
            });
            const finish = (error, value) => {
                if (over)
                    return;
                over = true;
                clearTimeout(timer);
                script.remove();
                // (The frame's window, if the frame is still there: the callback is one of its globals.)
                delete frame.contentWindow?.[name];
                done(error, value);
            };
            timer = setTimeout(finish, timeout, 'timed out after ' + timeout + ' ms');
            void ready.then(() => {
                if (over)
                    return;
                frame.contentWindow[name] = (value) => finish(null, value);
                frame.contentDocument.body.append(script);
            });
        };
        return [
            load,
            () => {
                clearTimeout(timer);
                frame.remove();
            },
        ];
    }
    /**
     * One script-tag request in a frame of its own, as a promise. The answer is copied through JSON: it
     * was made in that frame, and one object of it kept by the caller (the client keeps the /info answer
     * for as long as it lives) would keep the removed frame, its window and its document alive (~350 KiB).
     */
    function jsonpCall(url, timeout, signal) {
        const [load, remove] = jsonpFrame();
        const call = new Promise((resolve, reject) => load(url, timeout, (error, value) => {
            remove();
            if (error)
                reject(new Error(error));
            else
                resolve(value);
        })).then((value) => JSON.parse(JSON.stringify(value)));
        // Given up (the client closed, maybe before the call began): the frame, its script and timer go at
        // once, and the call stays unsettled, as nobody waits for it.
        if (signal?.aborted)
            remove();
        signal?.addEventListener('abort', remove);
        return call;
    }

    /**
     * `GET <base>/info` (with the service URL's own `query`, `&…`): RTT, whether WebSocket is
     * allowed, and the server's extensions. Where CORS fails, a cometkit server answers the JSONP form.
     */
    async function probe(base, signal, query = '') {
        const started = Date.now();
        const done = (cors) => (body) => ({ ...body, rtt: Date.now() - started, cors });
        const jsonp = () => jsonpCall(base + '/info?t' + query, INFO_TIMEOUT, signal).then(done(false));
        // Ended by `signal` alone: the caller gives it its time (AbortSignal.timeout, combined with `signal`,
        // would need AbortSignal.any: Chromium 116, Firefox 124, Safari 17.4). (async: whatever else the
        // engine lacks, fetch() itself in a test page, say, rejects the probe, which then counts as none,
        // rather than throw into the negotiation.)
        return fetch(base + '/info?t=' + started + query, { credentials: 'include', signal }).then(
        // An HTTP status means the server answered: the JSONP form cannot do better.
        (res) => (res.ok ? res.json().then(done(true), jsonp) : Promise.reject(new Error('HTTP ' + res.status))), jsonp);
    }

    /**
     * The forever-iframe: the server's `htmlfile` page streams a `<script>` per
     * frame into a bridge page, which relays them by postMessage. The bridge is a
     * cometkit server's `/iframe-cometkit.html`, same-origin too: a page whose
     * Content-Security-Policy allows frames of the service's origin (`frame-src
     * 'self'`, say) allows it, where a blob: frame would also need `blob:` there.
     * Other servers (stock SockJS ones, on the page's origin) get it from a blob: URL.
     */
    const iframe = {
        name: 'iframe',
        stream: true,
        hold: true,
        roundTrips: 3,
        probe,
        unsupported: (ctx) => (ctx.crossOrigin && !ctx.info?.cometkit ? 'cross-origin needs a cometkit server' : ''),
        connect: (ctx, sink) => httpConnection(ctx, sink, (frame, fail, signal) => {
            const callback = uniqueName();
            const url = new URL(ctx.session + '/htmlfile?c=' + callback);
            // The page's origin, where the bridge posts: not its URL's, 'null' in an about:srcdoc frame.
            const hash = '#' + encodeURIComponent(JSON.stringify([origin, url.href, callback, ctx.tune()]));
            const blob = ctx.info?.cometkit ? '' : URL.createObjectURL(new Blob([BRIDGE_PAGE], { type: 'text/html' }));
            const bridge = hidden('iframe', { src: (blob || ctx.base + '/iframe-cometkit.html?t' + ctx.query) + hash });
            // Only the bridge we made, from the service's origin, may speak, each post after the callback name
            // the hash gave it: a page that frames this one can navigate the bridge's frame to a bridge page
            // (the service's origin) with a hash of its own, onto an htmlfile of its own, but cannot read ours.
            const relay = (e) => {
                const data = String(e.data);
                const kind = data[callback.length];
                const rest = data.slice(callback.length + 1);
                return (e.source != bridge.contentWindow ||
                    e.origin != url.origin ||
                    data.indexOf(callback) ||
                    (kind == 'f'
                        ? frame(rest)
                        : // The htmlfile ended: renewed, saying where the client is, so that what a cut swallowed comes again.
                            kind == 'x'
                                ? bridge.contentWindow?.postMessage('r' + ctx.tune(), url.origin)
                                : fail(rest)));
            };
            addEventListener('message', relay);
            signal.addEventListener('abort', () => {
                removeEventListener('message', relay);
                bridge.remove();
                if (blob)
                    URL.revokeObjectURL(blob);
            });
        }),
    };

    /** Script-tag long-poll: one frame per response, then the next poll at once. */
    const jsonp = {
        name: 'jsonp',
        hold: true,
        roundTrips: 1,
        probe,
        unsupported: () => '',
        connect: (ctx, sink) => httpConnection(ctx, sink, (frame, fail, signal) => {
            const [load, remove] = jsonpFrame();
            const poll = () => load(ctx.session + '/jsonp?t' + ctx.tune(), ctx.wait, (error, value) => error
                ? fail('poll failed: ' + error)
                : // As text: anything else (a broken or hostile answer) is then a malformed frame, reported
                    // as any other, where it would have thrown in the frame checks.
                    (frame(String(value)), signal.aborted || poll()));
            signal.addEventListener('abort', remove);
            poll();
        }),
    };

    /**
     * Interval polling on a cometkit server's plain-polling extension: fast while
     * messages flow, backing off to the idle interval when they do not. A send
     * made with no poll out asks to be answered as one (`pollOnSend`), so a reply
     * comes back on it; otherwise, or when it brought no messages, a poll follows
     * at once, so replies come back without waiting for the interval.
     * Against a stock SockJS server: `xhr` long-polling, the nearest it offers.
     */
    const polling = {
        name: 'polling',
        roundTrips: 2,
        probe,
        unsupported: noCors,
        connect(ctx, sink) {
            const plain = !!ctx.info?.cometkit?.polling;
            const [fast, idle] = ctx.poll;
            // What takes frames, one request at a time: 1 a poll, 2 a send riding as one (answers that
            // could cross on the way would hand frames over out of order); 0 neither.
            let inFlight = 0;
            // A batch got through while a poll was out: that poll may have left before the reply was queued.
            let soon = false;
            let delay = fast;
            let timer;
            let poll;
            let answer;
            return httpConnection(ctx, sink, (frame, fail, signal) => {
                answer = (text) => {
                    const rode = inFlight > 1;
                    inFlight = 0;
                    clearTimeout(timer);
                    // Every frame ends with a newline: a last one without is an answer cut short.
                    const lines = text.split('\n');
                    if (lines.pop())
                        return fail('poll failed: answer cut short');
                    const frames = lines.filter(Boolean);
                    // An empty answer to a plain poll is as good as a heartbeat.
                    if (!frames.length)
                        frames.push('h');
                    let busy = false;
                    for (const f of frames) {
                        busy || (busy = f[0] == 'a');
                        frame(f);
                    }
                    // A send made while these were handled may have taken the next poll's place.
                    return (signal.aborted ||
                        inFlight ||
                        (plain
                            ? ((delay = busy ? fast : Math.min(idle, delay * 2 || 1)),
                                // A send's answer without messages: the reply may come a moment later, poll for it now.
                                (timer = setTimeout(poll, soon || (rode && !busy) ? 0 : delay)),
                                (soon = false))
                            : poll()));
                };
                poll = () => {
                    clearTimeout(timer);
                    inFlight = 1;
                    // ('?t' + ctx.tune() as the other tiers' URLs end: gzip finds the same text.)
                    post(ctx.session + (plain ? '/poll' : '/xhr') + '?t' + ctx.tune(), null, signal).then(answer, (e) => fail('poll failed: ' + e.message));
                };
                signal.addEventListener('abort', () => clearTimeout(timer));
                poll();
            }, (text) => plain &&
                ((delay = fast),
                    inFlight > 1
                        ? answer(text)
                        : // A reply to what was just sent is likely queued already: fetch it now.
                            // (After close, the aborted signal ends the poll before it starts.)
                            inFlight
                                ? (soon = true)
                                : poll()), 
            // With no poll out, a batch asks for what is ready on its own answer: one request per round
            // trip. Only on a resumable session, where a poll renews from what the client has: should the
            // answer be long in coming (a send the network swallowed), polling goes on, that poll gets
            // again what the answer held, and the answer, if it comes, is not read (a poll has taken over).
            () => !inFlight &&
                ctx.info?.cometkit?.pollOnSend &&
                ctx.pos() >= 0 &&
                (clearTimeout(timer),
                    (timer = setTimeout(poll, Math.min(idle, ctx.wait / 2))),
                    // The answer is a renewal from the batch's `pos` (the server rewinds there, as to a poll's `ack`),
                    // and is read from there: tune() moves the read position to it. (Read on from where the last
                    // poll left off, while a re-upgrade try held acknowledgements back, repeats counted as new and
                    // shifted every later position.)
                    ctx.tune(),
                    (inFlight = 2)));
        },
    };

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
            return ctx.info?.websocket === false ? 'disabled by the server' : '';
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
                const part = messages.splice(0, fit(messages, ctx.info?.cometkit?.maxBody) );
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

    /**
     * Splits the text of a connection's responses into lines, skipping the first
     * line of each response (the 2 KiB `h` prelude) and handing every other
     * non-empty line on. A chunk that ends no line, once a frame has come, is
     * handed on as an `h`: a long frame still coming down a slow link, its
     * heartbeats queued behind it, is a sign of life, not silence. Given null (a
     * response's end), says whether it ended with a whole line; the next starts
     * with its own prelude.
     */
    function lineReader(frame) {
        let buffer = '';
        let prelude = true;
        // (Not before a frame: the first must be the open or resume frame.)
        let heard = false;
        return (text) => {
            if (text == null)
                return (prelude = true), !buffer;
            // Only the new text is split, its first piece joined to what came before: splitting all that had
            // come of a line again at every chunk made a long frame cost the square of its length (2 s of the
            // page's time for a 20 MiB one).
            const lines = text.split('\n');
            lines[0] = buffer + lines[0];
            // The last piece is the start of a line still to come ('' after a newline).
            buffer = lines.pop();
            for (const line of lines) {
                if (prelude)
                    prelude = false;
                else if (line) {
                    frame(line);
                    heard = true;
                }
            }
            if (heard && !lines.length)
                frame('h');
            return true;
        };
    }
    /** One long POST parsed as it arrives; a fresh one in the same session each time the server ends it. */
    const xhrStreaming = {
        name: 'xhr-streaming',
        stream: true,
        hold: true,
        roundTrips: 2,
        probe,
        unsupported: noCors,
        connect: (ctx, sink) => httpConnection(ctx, sink, (frame, fail, signal) => {
            // The server ends a response at its size limit; the session goes on in the next one.
            // Once closed, the aborted signal ends a fresh request before it starts.
            // One reader for all of them: a long frame first in a renewal is a sign of life too.
            const read = lineReader(frame);
            // Not once closed: a response's end can reach the page after the connection was given up (WebKit,
            // at a re-upgrade's switch), and ctx.tune() moves the client's count of what it has to the
            // renewal's, which would let the new connection's replay through as new (as the other tiers'
            // renewals check too).
            const open = () => signal.aborted ||
                stream(ctx.session + '/xhr_streaming?t' + ctx.tune(), signal, read, (error) => 
                // A response that ends mid-frame was cut, even where the browser reports a normal end.
                error || !read(null) ? fail('stream failed: ' + (error ? error.message : 'cut mid-frame')) : open());
            open();
        }),
    };

    /** The five tiers in their default fallback order. */
    const TIERS = [websocket, xhrStreaming, iframe, jsonp, polling];
    /**
     * Connects to a SockJS-compatible service with every tier available;
     * `options.transports` restricts and orders them by name.
     * @example
     * const client = createClient('https://example.com/echo');
     * client.on('message', ({ data }) => console.log(data));
     * client.send('hello');
     */
    function createClient(url, options) {
        return createCoreClient(url, options, TIERS);
    }

    exports.NegotiationError = NegotiationError;
    exports.TIERS = TIERS;
    exports.createClient = createClient;
    exports.createCoreClient = createCoreClient;
    exports.iframe = iframe;
    exports.jsonp = jsonp;
    exports.polling = polling;
    exports.websocket = websocket;
    exports.xhrStreaming = xhrStreaming;

}));
