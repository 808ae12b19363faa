/**
 * The SockJS 0.3 wire format, shared by the client and the server so both
 * speak exactly one dialect.
 */
/** Sent once, as the first frame of a new session. */
/**
 * Decodes one server frame. Throws an Error naming the frame for malformed
 * input, so the caller can report it and go on.
 */
function decodeFrame(text) {
    const type = text.charAt(0);
    if (text.length == 1 && (type == 'o' || type == 'h'))
        return { type };
    let value;
    try {
        value = JSON.parse(text.slice(1));
    }
    catch {
        // falls through to the error below
    }
    if (type == 'm' && typeof value == 'string')
        value = [value];
    if (Array.isArray(value)) {
        if ((type == 'a' || type == 'm') && value.every((m) => typeof m == 'string'))
            return { type: 'a', messages: value };
        if (type == 'c' && typeof value[0] == 'number' && typeof value[1] == 'string')
            return { type, code: value[0], reason: value[1] };
    }
    throw new Error('Malformed frame: ' + text.slice(0, 64));
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

function mitt(n){return {all:n=n||new Map,on:function(t,e){var i=n.get(t);i?i.push(e):n.set(t,[e]);},off:function(t,e){var i=n.get(t);i&&(e?i.splice(i.indexOf(e)>>>0,1):n.set(t,[]));},emit:function(t,e){var i=n.get(t);i&&i.slice().map(function(n){n(e);}),(i=n.get("*"))&&i.slice().map(function(n){n(t,e);});}}}

/** mitt, with `on()` returning an unsubscribe and handlers that cannot break the caller. */
function createEmitter() {
    const bus = mitt();
    return {
        on(type, handler) {
            bus.on(type, handler);
            return () => bus.off(type, handler);
        },
        off: (type, handler) => bus.off(type, handler),
        // mitt's own emit stops at a throwing handler; this one calls every handler
        // and reports what one throws where the page's error handling sees it, later,
        // so a handler can never break the transport that is delivering.
        emit(type, event) {
            for (const handler of bus.all.get(type)?.slice() ?? []) {
                try {
                    handler(event);
                }
                catch (error) {
                    setTimeout(() => {
                        throw error;
                    });
                }
            }
        },
    };
}

// The type of each default is the type an option must have; `undefined`
// defaults (transports, retry, WebSocket) are checked on their own.
const DEFAULTS = {
    transports: undefined,
    timeout: 1000,
    reconnect: true,
    retry: undefined,
    reconnectDelay: 1000,
    maxReconnectDelay: 30000,
    stableAfter: 10000,
    heartbeatTimeout: 10000,
    pollInterval: 50,
    pollIdleInterval: 2000,
    WebSocket: undefined,
};
/** Throws the TypeError that every misuse gets, prefixed `cometkit: `. */
function fail(message) {
    throw new TypeError('cometkit: ' + message);
}
/** Validates once, synchronously; `named` maps tier names to tiers (empty for the core client). */
function resolveOptions(options, named) {
    const given = (options ?? {});
    if (typeof given != 'object')
        fail('options must be an object');
    const out = { ...DEFAULTS };
    for (const key in given) {
        const value = given[key];
        if (!Object.prototype.hasOwnProperty.call(DEFAULTS, key))
            fail('unknown option "' + key + '"');
        if (value === undefined)
            continue;
        const type = key == 'transports' ? 'object' : typeof out[key] == 'undefined' ? 'function' : typeof out[key];
        if (typeof value != type || (type == 'number' && !(value >= 0 && value < Infinity))) {
            fail('option "' + key + '" must be a ' + (type == 'number' ? 'number of ms ≥ 0' : type == 'object' ? 'non-empty array' : type));
        }
        out[key] = value;
    }
    const list = (out.transports ?? named);
    if (!Array.isArray(list) || !list.length)
        fail('option "transports" must be a non-empty array');
    out.tiers = list.map((t) => {
        const tier = typeof t == 'string' ? named.find((n) => n.name == t) : t;
        if (!tier?.connect)
            fail('unknown transport ' + JSON.stringify(t));
        return tier;
    });
    return out;
}

/**
 * Full-jitter exponential backoff: a random delay in [0, min(cap, base·2^(attempt-1))).
 * Spreads a crowd of clients reconnecting to a restarted server.
 */
function backoff(base, cap) {
    return (attempt) => Math.floor(Math.random() * Math.min(cap, base * 2 ** (attempt - 1)));
}
/** Per-tier open timeout: sockjs-client's RTO scaled by round trips, never under `floor`. 5 s while the RTT is unknown. */
function openTimeout(rtt, roundTrips, floor) {
    if (rtt === undefined)
        return Math.max(floor, 5000);
    return Math.max(floor, (rtt > 100 ? 4 * rtt : 300 + rtt) * roundTrips);
}

/** Session URL stem: a random server id (for load-balancer affinity) and session id, as SockJS clients pick them. */
function sessionUrl(base) {
    const id = Math.random().toString(36).slice(2, 10).padEnd(8, '0');
    return base + '/' + String(Math.floor(Math.random() * 1000)).padStart(3, '0') + '/' + id;
}
function isCrossOrigin(base) {
    return typeof location === 'undefined' || new URL(base, location.href).origin !== location.origin;
}

/**
 * The client over the tiers given in `options.transports` (tier objects): what
 * a bundle does not pass in, it does not contain. `named` lets `createClient`
 * accept tier names.
 */
function createCoreClient(url, options, named = []) {
    if (typeof url != 'string' || !/^(https?:)?\//.test(url))
        fail('url must be an http(s) URL or a path');
    const o = resolveOptions(options, named);
    const retry = o.retry || backoff(o.reconnectDelay, o.maxReconnectDelay);
    const base = url.replace(/\/+$/, '');
    const { on, off, emit } = createEmitter();
    const timers = {};
    let state = 'connecting';
    let tier = null;
    let preferred = null;
    let conn = null;
    // The connection a negotiation is waiting on, until it opens or fails.
    let pending;
    let generation = 0;
    let retries = 0;
    const outbox = [];
    let lastSeen = 0;
    let deadAfter = 0;
    let attempts = [];
    const later = (name, fn, ms) => {
        clearTimeout(timers[name]);
        if (fn)
            timers[name] = setTimeout(fn, ms);
    };
    const online = () => {
        if (state == 'reconnecting')
            start();
    };
    // Leaving the page: free the server session now, not after its timeout.
    const hide = () => {
        if (conn)
            drop(1001, 'Page hidden', true);
    };
    const listen = (method) => {
        if (typeof document == 'object') {
            window[method]('online', online);
            window[method]('pageshow', online);
            window[method]('pagehide', hide);
            document[method]('visibilitychange', watch);
        }
    };
    function start() {
        if (state == 'closed')
            return;
        later('retry');
        pending?.close();
        pending = undefined;
        const gen = ++generation;
        const started = Date.now();
        const tried = (attempts = []);
        const shared = {
            base,
            session: '',
            info: null,
            crossOrigin: isCrossOrigin(base),
            poll: [o.pollInterval, o.pollIdleInterval],
            WebSocket: o.WebSocket,
        };
        // Start from the tier that worked last; the rest keep their order.
        const order = preferred ? [preferred, ...o.tiers.filter((t) => t != preferred)] : o.tiers;
        const next = (i) => {
            const t = order[i];
            if (gen != generation)
                return;
            if (!t) {
                emit('error', { error: new NegotiationError(tried, Date.now() - started) });
                return drop(2000, 'All transports failed', false);
            }
            const ctx = { ...shared, session: sessionUrl(base) };
            const since = Date.now();
            const ms = openTimeout(shared.info?.rtt, t.roundTrips, o.timeout);
            // 0 while opening, 1 once open, 2 once failed.
            let phase = 0;
            const record = (outcome, reason) => {
                tried.push({ transport: t.name, outcome, reason, time: Date.now() - since });
                if (outcome != 'open') {
                    emit('transport', { from: t.name, to: order[i + 1]?.name ?? null, reason });
                    next(i + 1);
                }
            };
            const failTier = (reason) => {
                if (phase || gen != generation)
                    return;
                phase = 2;
                clearTimeout(timer);
                pending?.close();
                pending = undefined;
                record('failed', reason);
            };
            const why = t.unsupported(ctx);
            if (why)
                return record('skipped', why);
            const timer = setTimeout(() => failTier('timed out after ' + ms + ' ms'), ms);
            // Sink calls made while connect() runs wait until it has returned the connection.
            let early = [];
            const defer = (fn) => (early ? early.push(fn) : fn());
            let c;
            try {
                c = pending = t.connect(ctx, {
                    frame: (text) => defer(() => {
                        if (gen != generation || phase == 2)
                            return;
                        if (phase)
                            return frame(text);
                        if (text != 'o')
                            return failTier('unexpected first frame ' + text.slice(0, 32));
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
                    close: (reason) => defer(() => {
                        if (gen != generation)
                            return;
                        if (phase)
                            drop(1006, reason, true);
                        else
                            failTier(reason);
                    }),
                });
            }
            catch (error) {
                // e.g. the SecurityError for ws:// from an https: page: move on at once.
                early = null;
                return failTier('could not start: ' + error.message);
            }
            const queued = early;
            early = null;
            for (const fn of queued)
                fn();
        };
        const probe = o.tiers.find((t) => t.probe)?.probe;
        if (!probe)
            return next(0);
        probe(base).then((info) => {
            shared.info = info;
            next(0);
        }, 
        // No /info: WebSocket may still work; HTTP tiers say why they cannot.
        () => next(0));
    }
    function frame(text) {
        lastSeen = Date.now();
        const c = conn;
        let f;
        try {
            f = decodeFrame(text);
        }
        catch (error) {
            // A bad frame is reported and skipped; the connection goes on.
            return emit('error', { error: error });
        }
        if (f.type == 'a') {
            for (const data of f.messages) {
                // A handler may have closed the client: stop delivering then.
                if (conn == c)
                    emit('message', { data });
            }
        }
        else if (f.type == 'c') {
            // Application codes end the session for good; protocol codes (1001, 1002, 2010) are worth a retry.
            drop(f.code, f.reason, true, f.code == 1000 || (f.code >= 3000 && f.code < 5000));
        }
        else if (f.type == 'o') {
            drop(1006, 'Server lost session', true);
        }
    }
    // Wall-clock based, so a tab whose timers the browser throttles still gets it right when they fire.
    function watch() {
        if (!conn)
            return;
        const left = lastSeen + deadAfter - Date.now();
        if (left > 0)
            later('watch', watch, left);
        else
            drop(1006, 'No heartbeat for ' + deadAfter + ' ms', true);
    }
    function stop(notify, next) {
        generation++;
        conn?.close(notify);
        pending?.close(notify);
        conn = tier = null;
        pending = undefined;
        later('watch');
        later('stable');
        later('retry');
        state = next;
        if (next == 'closed')
            listen('removeEventListener');
    }
    function drop(code, reason, wasOpen, final) {
        const delay = final || !o.reconnect ? null : retry(retries + 1);
        const again = delay != null;
        stop(code == 1001, again ? 'reconnecting' : 'closed');
        if (wasOpen || !again)
            emit('close', { code, reason, willReconnect: again });
        if (again && state == 'reconnecting') {
            emit('reconnecting', { attempt: ++retries, delay });
            // While offline, wait for the browser's `online` event instead.
            if (navigator.onLine !== false)
                later('retry', start, delay);
        }
    }
    function flush() {
        if (conn && outbox.length)
            conn.send(outbox.splice(0));
    }
    listen('addEventListener');
    // Later, so that handlers subscribed right after createClient() see every event.
    queueMicrotask(start);
    return {
        on,
        off,
        send(text) {
            if (typeof text != 'string')
                fail('send() takes a string');
            if (state == 'closed')
                throw new Error('cometkit: send() on a closed client');
            // Sends made in one tick leave together: one frame, one request.
            if (outbox.push(text) == 1)
                queueMicrotask(flush);
        },
        close(code = 1000, reason = 'Normal closure') {
            if (typeof code != 'number' || (code != 1000 && !(code >= 3000 && code < 5000)) || typeof reason != 'string' || reason.length > 123) {
                fail('close() takes a code of 1000 or 3000–4999 and a reason of up to 123 characters');
            }
            if (state == 'closed')
                return;
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

/**
 * The forever-iframe bridge page, one source for both sides: the cometkit
 * server serves it as `/iframe-cometkit.html` for cross-origin pages, and the
 * client loads it from a blob: URL when the service is on the page's origin
 * (a blob document has the page's origin without sharing its document.domain
 * state, which an about:blank frame would).
 *
 * Its hash carries `[parentOrigin, htmlfileUrl, callbackName]`. It loads only
 * an htmlfile URL on its own origin, reopens it each time the server ends a
 * response at its size limit, and posts each frame to the parent's origin
 * alone: `f<frame>`, or `e<reason>` when the stream cannot start.
 * ES5 on purpose: it runs in whatever browser loads it.
 */
// Kept terse by hand: the client bundle carries it. In order: read the hash;
// refuse any URL that is not an htmlfile on this origin; set document.domain
// (the htmlfile page sets it, and Firefox then lets it reach only a parent
// that did too); open the htmlfile, reopening on `stop` once it had started.
const BRIDGE_SCRIPT = 'var h=JSON.parse(decodeURIComponent(location.hash.slice(1))),o=h[0],u=h[1],c,f;' +
    'function p(d){parent.postMessage(d,o)}' +
    'function n(){var m=c={};f&&f.parentNode.removeChild(f);f=document.createElement("iframe");' +
    'f.onload=function(){c==m&&!m.s&&p("ehtmlfile did not start")};f.src=u;document.body.appendChild(f)}' +
    'if(/\\/htmlfile\\?c=[\\w.-]+$/.test(u)&&new URL(u,location.href).origin==location.origin){' +
    'try{document.domain=document.domain}catch(e){}' +
    'window[h[2]]={start:function(){c.s=1},message:function(d){p("f"+d)},stop:function(){c.s?n():p("ehtmlfile did not start")}};n()}';
const BRIDGE_PAGE = '<!doctype html><html><head><meta charset="utf-8"></head><body><script>' + BRIDGE_SCRIPT + '</script></body></html>';

let counter = 0;
/** A name no other cometkit request on this page uses: callbacks, iframe names. */
function uniqueName() {
    return '_ck' + (++counter).toString(36) + Math.random().toString(36).slice(2, 8);
}
/** A hidden iframe appended to the page; `src` omitted gives a same-origin about:blank. */
function hiddenFrame(src, name) {
    const frame = document.createElement('iframe');
    if (name)
        frame.name = name;
    frame.style.display = 'none';
    if (src)
        frame.src = src;
    (document.body || document.documentElement).appendChild(frame);
    return frame;
}
function remove(node) {
    node?.parentNode?.removeChild(node);
}

/** A POST that resolves with the response text, or rejects with `HTTP <status>` or the network error. */
function post(url, body, signal, expect = 200) {
    return fetch(url, { method: 'POST', body, credentials: 'include', signal }).then((res) => res.status === expect ? res.text() : Promise.reject(new Error('HTTP ' + res.status)));
}
/**
 * Streams a POST response: `chunk` gets text as it arrives, `end` once (with
 * an error unless the server ended it). Returns an abort function after
 * which neither is called.
 *
 * fetch() with a body stream hands each chunk to the page at once (Chromium
 * batches XHR progress events every ~50 ms). Every engine that parses this
 * ES2020 build has body streams, so the XHR-progress fallback lives in the
 * legacy build only.
 */
function stream(url, chunk, end) {
    const abort = new AbortController();
    const decoder = new TextDecoder();
    let done = false;
    const finish = (error) => {
        if (!done) {
            done = true;
            end(error);
        }
    };
    fetch(url, { method: 'POST', credentials: 'include', signal: abort.signal })
        .then((res) => {
        if (res.status != 200 || !res.body)
            throw new Error('HTTP ' + res.status);
        const reader = res.body.getReader();
        const pump = () => reader.read().then((r) => {
            if (done)
                return;
            if (r.done)
                return finish();
            chunk(decoder.decode(r.value, { stream: true }));
            return pump();
        });
        return pump();
    })
        .catch((e) => finish(e));
    return () => {
        done = true;
        abort.abort();
    };
}

/**
 * A form POST into a hidden iframe: the one upstream path that needs no CORS.
 * Returns a function that removes both nodes (on load, or when closing early).
 */
function formPost(url, data, done) {
    const name = uniqueName();
    const frame = hiddenFrame(undefined, name);
    const form = document.createElement('form');
    const field = document.createElement('textarea');
    const cleanup = () => {
        remove(form);
        remove(frame);
    };
    form.style.display = 'none';
    form.method = 'POST';
    form.acceptCharset = 'UTF-8';
    form.action = url;
    form.target = name;
    field.name = 'd';
    field.value = data;
    form.appendChild(field);
    document.body.appendChild(form);
    frame.onload = () => {
        // The answer is on the server's origin and unreadable; arriving is all we learn.
        cleanup();
        done();
    };
    form.submit();
    return cleanup;
}
/**
 * An HTTP tier's connection: its receiver, started by `receive` (which gets
 * the failure callback and returns its stop function), plus the control
 * channel. Client-to-server messages go on their own requests, never behind
 * the held receiving request: one request in flight, everything queued
 * meanwhile goes in the next one, at once. `sent` runs after each batch.
 */
function httpConnection(ctx, sink, receive, sent) {
    let queue = [];
    let busy = false;
    let closed = false;
    const abort = new AbortController();
    let cancelForm;
    // CORS is assumed until the /info probe shows otherwise (only its JSONP form answered).
    const cors = !ctx.crossOrigin || ctx.info?.cors !== false;
    const end = (notify) => {
        closed = true;
        stop();
        abort.abort();
        cancelForm?.();
        if (notify && ctx.info?.cometkit) {
            // sendBeacon survives page unload; a plain POST serves where it is missing.
            const url = ctx.session + '/close';
            if (!navigator.sendBeacon?.(url))
                post(url, null).catch(() => undefined);
        }
    };
    const fail = (reason) => {
        if (!closed) {
            end();
            sink.close(reason);
        }
    };
    function pump() {
        if (busy || closed || !queue.length)
            return;
        const body = JSON.stringify(queue);
        queue = [];
        busy = true;
        const next = () => {
            busy = false;
            sent?.();
            pump();
        };
        if (cors) {
            post(ctx.session + '/xhr_send', body, abort.signal, 204).then(next, (e) => fail('send failed: ' + e.message));
        }
        else {
            cancelForm = formPost(ctx.session + '/jsonp_send', body, next);
        }
    }
    const stop = receive(fail);
    return {
        send(messages) {
            queue.push(...messages);
            pump();
        },
        close: end,
    };
}

/**
 * Loads `<url>?c=<callback>` as a script inside a private about:blank iframe:
 * no callback global touches the page, and removing the iframe cancels a
 * held request (a detached script tag would keep its connection until the
 * server answers). `done` gets the callback's argument, or an error.
 */
function jsonpScript(url, timeout, done) {
    const frame = hiddenFrame();
    const win = frame.contentWindow;
    const name = uniqueName();
    const finish = (error, value) => {
        cleanup();
        done(error, value);
    };
    const timer = setTimeout(() => finish(new Error('timed out after ' + timeout + ' ms')), timeout);
    const cleanup = () => {
        clearTimeout(timer);
        remove(frame);
    };
    if (!win) {
        finish(new Error('no iframe window'));
        return cleanup;
    }
    win[name] = (value) => finish(null, value);
    const script = win.document.createElement('script');
    script.src = url + (url.includes('?') ? '&' : '?') + 'c=' + name;
    script.onerror = () => finish(new Error('script failed to load'));
    (win.document.body || win.document.documentElement).appendChild(script);
    return cleanup;
}
/** {@link jsonpScript} as a promise. */
function jsonpCall(url, timeout) {
    return new Promise((resolve, reject) => {
        jsonpScript(url, timeout, (error, value) => (error ? reject(error) : resolve(value)));
    });
}

/** How long the `/info` probe may take, as in sockjs-client. */
const INFO_TIMEOUT = 8000;
/**
 * `GET <base>/info`: RTT, whether WebSocket is allowed, and the server's
 * extensions. Where CORS fails, a cometkit server answers the JSONP form.
 */
function probe(base) {
    const started = Date.now();
    const done = (cors) => (body) => ({ ...body, rtt: Date.now() - started, cors });
    const signal = AbortSignal.timeout(INFO_TIMEOUT);
    return fetch(base + '/info?t=' + started, { credentials: 'include', signal })
        .then((res) => (res.ok ? res.json() : Promise.reject(new Error('/info: HTTP ' + res.status))))
        .then(done(true), (error) => {
        // An HTTP status means the server answered: the JSONP form cannot do better.
        if (error.message.startsWith('/info'))
            throw error;
        return jsonpCall(base + '/info', INFO_TIMEOUT).then((body) => done(false)(body));
    });
}

/**
 * The forever-iframe: the server's `htmlfile` page streams a `<script>` per
 * frame into a bridge page, which relays them by postMessage. The bridge comes
 * from a blob: URL on the page's own origin, or from a cometkit server's
 * `/iframe-cometkit.html` across origins.
 */
const iframe = {
    name: 'iframe',
    roundTrips: 3,
    probe,
    unsupported: (ctx) => (ctx.crossOrigin && !ctx.info?.cometkit ? 'cross-origin needs a cometkit server' : ''),
    connect: (ctx, sink) => httpConnection(ctx, sink, (fail) => {
        const url = new URL(ctx.session + '/htmlfile?c=' + uniqueName(), location.href).href;
        const hash = '#' + encodeURIComponent(JSON.stringify([location.origin, url, url.split('=')[1]]));
        const blob = ctx.crossOrigin ? '' : URL.createObjectURL(new Blob([BRIDGE_PAGE], { type: 'text/html' }));
        const frame = hiddenFrame((blob || ctx.base + '/iframe-cometkit.html') + hash);
        const origin = new URL(url).origin;
        // Only the bridge we made, from the service's origin, may speak.
        const relay = (e) => {
            if (e.source != frame.contentWindow || e.origin != origin)
                return;
            const data = String(e.data);
            if (data.charAt(0) == 'f')
                sink.frame(data.slice(1));
            else
                fail(data.slice(1));
        };
        addEventListener('message', relay);
        return () => {
            removeEventListener('message', relay);
            remove(frame);
            if (blob)
                URL.revokeObjectURL(blob);
        };
    }),
};

/** Script-tag long-poll: one frame per response, then the next poll at once. */
const jsonp = {
    name: 'jsonp',
    roundTrips: 1,
    probe,
    unsupported: () => '',
    connect: (ctx, sink) => httpConnection(ctx, sink, (fail) => {
        let stopped = false;
        let cancel = () => { };
        // A held poll may take the server's heartbeat delay, plus slack for the network.
        const timeout = (ctx.info?.cometkit?.heartbeat ?? 25000) + 10000;
        const poll = () => {
            cancel = jsonpScript(ctx.session + '/jsonp', timeout, (error, frame) => {
                if (error)
                    return fail('poll failed: ' + error.message);
                sink.frame(frame);
                if (!stopped)
                    poll();
            });
        };
        poll();
        return () => {
            stopped = true;
            cancel();
        };
    }),
};

/**
 * Interval polling on a cometkit server's plain-polling extension: fast while
 * messages flow, backing off to the idle interval when they do not, and
 * polling at once after each send so replies come back without waiting.
 * Against a stock SockJS server: `xhr` long-polling, the nearest it offers.
 */
const polling = {
    name: 'polling',
    roundTrips: 2,
    probe,
    // Without /info there is no evidence either way: try, and let the attempt say.
    unsupported: (ctx) => (ctx.crossOrigin && ctx.info?.cors === false ? 'no CORS' : ''),
    connect(ctx, sink) {
        const plain = !!ctx.info?.cometkit?.polling;
        const [fast, idle] = ctx.poll;
        const abort = new AbortController();
        let stopped = false;
        let inFlight = false;
        let delay = fast;
        let timer;
        let poll = () => { };
        return httpConnection(ctx, sink, (fail) => {
            poll = () => {
                clearTimeout(timer);
                inFlight = true;
                post(ctx.session + (plain ? '/poll' : '/xhr'), null, abort.signal).then((text) => {
                    inFlight = false;
                    const frames = text.split('\n').filter(Boolean);
                    // An empty answer to a plain poll is as good as a heartbeat.
                    if (!frames.length)
                        frames.push('h');
                    let busy = false;
                    for (const frame of frames) {
                        if (stopped)
                            return;
                        busy || (busy = frame.charAt(0) == 'a');
                        sink.frame(frame);
                    }
                    if (stopped)
                        return;
                    if (!plain)
                        return poll();
                    delay = busy ? fast : Math.min(idle, delay * 2 || 1);
                    timer = setTimeout(poll, delay);
                }, (e) => fail('poll failed: ' + e.message));
            };
            poll();
            return () => {
                stopped = true;
                clearTimeout(timer);
                abort.abort();
            };
        }, 
        // A reply to what was just sent is likely queued already: fetch it now.
        () => {
            if (plain && !inFlight && !stopped) {
                delay = fast;
                poll();
            }
        });
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
        return ctx.info && !ctx.info.websocket ? 'disabled by the server' : '';
    },
    connect(ctx, sink) {
        const Socket = ctx.WebSocket ?? WebSocket;
        const ws = new Socket(ctx.session.replace(/^http/, 'ws') + '/websocket');
        let done = false;
        const end = (reason) => {
            if (!done) {
                done = true;
                sink.close(reason);
            }
        };
        ws.onmessage = (e) => {
            if (!done)
                sink.frame(e.data);
        };
        ws.onclose = (e) => end('WebSocket closed (' + e.code + (e.reason ? ' ' + e.reason : '') + ')');
        ws.onerror = () => end('WebSocket error');
        return {
            send: (messages) => ws.send(JSON.stringify(messages)),
            close() {
                done = true;
                ws.onmessage = ws.onclose = ws.onerror = null;
                ws.close(1000);
            },
        };
    },
};

/**
 * Splits a text stream into lines, skipping the first line of each response
 * (the 2 KiB `h` prelude) and handing every other non-empty line on.
 */
function lineReader(sink) {
    let buffer = '';
    let prelude = true;
    return (text) => {
        buffer += text;
        let end;
        while ((end = buffer.indexOf('\n')) >= 0) {
            const line = buffer.slice(0, end);
            buffer = buffer.slice(end + 1);
            if (prelude)
                prelude = false;
            else if (line)
                sink.frame(line);
        }
    };
}
/** One long POST parsed as it arrives; a fresh one in the same session each time the server ends it. */
const xhrStreaming = {
    name: 'xhr-streaming',
    roundTrips: 2,
    probe,
    // Without /info there is no evidence either way: try, and let the attempt say.
    unsupported: (ctx) => (ctx.crossOrigin && ctx.info?.cors === false ? 'no CORS' : ''),
    connect: (ctx, sink) => httpConnection(ctx, sink, (fail) => {
        let stopped = false;
        let abort = () => { };
        const open = () => {
            abort = stream(ctx.session + '/xhr_streaming', lineReader(sink), (error) => {
                // The server ends a response at its size limit; the session goes on in the next one.
                if (error)
                    fail('stream failed: ' + error.message);
                else if (!stopped)
                    open();
            });
        };
        open();
        return () => {
            stopped = true;
            abort();
        };
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

export { NegotiationError, TIERS, createClient, createCoreClient, iframe, jsonp, polling, websocket, xhrStreaming };
