import { createHash, randomInt, randomBytes, randomUUID } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { createServer as createServer$1, STATUS_CODES } from 'node:http';
import { WebSocketServer } from 'ws';

const YEAR_SECONDS = 31536000;
const NO_CACHE = {
    'Cache-Control': 'no-store, no-cache, no-transform, must-revalidate, max-age=0',
};
const TEXT = 'text/plain;charset=UTF-8';
const JAVASCRIPT = 'application/javascript;charset=UTF-8';
const HTML = 'text/html;charset=UTF-8';
/**
 * For the pages the client frames (the bridge page, `htmlfile`): a cross-origin isolated page
 * (`Cross-Origin-Embedder-Policy`) frames only documents that have an embedder policy of their own.
 * These two load nothing from other origins, so `require-corp` costs them nothing.
 */
const EMBEDDABLE = { 'Cross-Origin-Embedder-Policy': 'require-corp' };
/** Long-lived caching for pages and preflights that never change. */
function cacheForever() {
    return {
        'Cache-Control': `public, max-age=${YEAR_SECONDS}`,
        Expires: new Date(Date.now() + YEAR_SECONDS * 1000).toUTCString(),
    };
}
/** Echoes the page's origin so credentialed cross-origin XHR works; `*` without an Origin. */
function cors(req) {
    const origin = req.headers.origin;
    if (!origin)
        return { 'Access-Control-Allow-Origin': '*' };
    return {
        'Access-Control-Allow-Origin': origin,
        'Access-Control-Allow-Credentials': 'true',
        Vary: 'Origin',
    };
}
/** A preflight answer, cached for a long time so each send costs one request. */
function preflight(req, res, methods) {
    const headers = {
        ...cors(req),
        ...cacheForever(),
        'Access-Control-Allow-Methods': methods,
        'Access-Control-Max-Age': String(YEAR_SECONDS),
    };
    const asked = req.headers['access-control-request-headers'];
    if (asked)
        headers['Access-Control-Allow-Headers'] = asked;
    res.writeHead(204, headers);
    res.end();
}
/** JSESSIONID for sticky load balancers: keeps the one the client has, else sets a dummy. */
function jsessionid(req) {
    const match = /(?:^|;\s*)JSESSIONID=([^;]*)/.exec(req.headers.cookie ?? '');
    return { 'Set-Cookie': `JSESSIONID=${match ? match[1] : 'dummy'}; path=/` };
}
function reply(res, status, body, headers = {}) {
    if (res.headersSent) {
        res.end();
        return;
    }
    // Firefox fires no iframe load event for an empty, untyped 404, so a forever-iframe
    // pointed at a wrong URL would wait out its timeout. 405s stay empty, as the protocol has them.
    if (status === 404 && body === '')
        body = 'Not found.\n';
    const extra = body === '' ? {} : { 'Content-Type': TEXT };
    res.writeHead(status, { ...extra, ...headers, 'Content-Length': String(Buffer.byteLength(body)) });
    res.end(body);
}
class BodyTooLarge extends Error {
    constructor(limit) {
        super(`Request body over ${limit} bytes`);
        this.name = 'BodyTooLarge';
    }
}
/**
 * How far past the limit a body is still read (and thrown away) before the 413: a browser still
 * uploading when the connection closes under it sees a network error, not the answer (WebKit always;
 * the others when the upload is far from done), and the client then cannot tell why its send failed.
 * Beyond this, the connection closes at once: nobody's upload is worth more.
 */
const DRAIN = 8 * 1024 * 1024;
/**
 * Reads a whole request body as UTF-8. One over `limit` bytes is refused once it has ended, or at once
 * when it is (or its Content-Length says it will be) over DRAIN bytes more.
 */
function readBody(req, limit) {
    return new Promise((resolve, reject) => {
        const tooLarge = () => reject(new BodyTooLarge(limit));
        if (Number(req.headers['content-length']) > limit + DRAIN) {
            req.resume();
            tooLarge();
            return;
        }
        const chunks = [];
        let size = 0;
        req.on('data', (chunk) => {
            size += chunk.length;
            if (size <= limit)
                chunks.push(chunk);
            else {
                // Over: nothing kept from here on (a rejection once settled ignores the calls after it).
                chunks.length = 0;
                if (size > limit + DRAIN)
                    tooLarge();
            }
        });
        req.on('end', () => (size > limit ? tooLarge() : resolve(Buffer.concat(chunks).toString('utf8'))));
        req.on('error', reject);
    });
}
const CALLBACK = /^[a-zA-Z0-9_.-]{1,32}$/;
/**
 * The JSONP callback name from `c` or `callback`; when it is missing or
 * invalid, answers 500 with the protocol's message and returns null.
 */
function callbackName(url, res) {
    const name = url.searchParams.get('c') ?? url.searchParams.get('callback');
    const error = !name ? '"callback" parameter required' : CALLBACK.test(name) ? '' : 'invalid "callback" parameter';
    if (!error)
        return name;
    reply(res, 500, error, NO_CACHE);
    return null;
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

/** Where the server serves cometkit's forever-iframe bridge (see protocol/bridge.ts). */
const BRIDGE_PATH = '/iframe-cometkit.html';
const bridgePage = {
    body: BRIDGE_PAGE,
    etag: '"' + createHash('sha1').update(BRIDGE_PAGE).digest('base64') + '"',
    headers: EMBEDDABLE,
};

function escapeAttribute(text) {
    return text.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;');
}
/** The SockJS iframe page; stock sockjs-client's iframe transports run inside it. */
function iframePage(sockjsUrl) {
    const body = `<!DOCTYPE html>
<html>
<head>
  <meta http-equiv="X-UA-Compatible" content="IE=edge" />
  <meta http-equiv="Content-Type" content="text/html; charset=UTF-8" />
  <script src="${escapeAttribute(sockjsUrl)}"></script>
  <script>
    document.domain = document.domain;
    SockJS.bootstrap_iframe();
  </script>
</head>
<body>
  <h2>Don't panic!</h2>
  <p>This is a SockJS hidden iframe. It's used for cross domain magic.</p>
</body>
</html>`;
    return { body, etag: '"' + createHash('sha1').update(body).digest('base64') + '"' };
}
/**
 * Serves a fixed page with its ETag: cached for a year (SockJS's rule for its iframe page), or,
 * with `fresh`, revalidated on every load (cometkit's bridge, which a newer version changes).
 */
function servePage(req, res, page, fresh) {
    // The page's own headers (the bridge's embedder policy) on a 304 too: they describe the cached page.
    const fixed = { ...page.headers, ...(fresh ? { 'Cache-Control': 'no-cache' } : cacheForever()) };
    if (req.headers['if-none-match'] === page.etag) {
        res.writeHead(304, { ETag: page.etag, ...fixed });
        res.end();
        return;
    }
    res.writeHead(200, {
        'Content-Type': HTML,
        ETag: page.etag,
        ...fixed,
        'Content-Length': String(Buffer.byteLength(page.body)),
    });
    res.end(page.body);
}

/**
 * The SockJS 0.3 wire format, shared by the client and the server so both
 * speak exactly one dialect.
 */
/** Sent once, as the first frame of a new session. */
const OPEN_FRAME = 'o';
/** Sent when a receiver has been idle for the heartbeat delay. */
const HEARTBEAT_FRAME = 'h';
// Characters that some browsers, proxies or JSON parsers mangle when raw:
// control characters, zero-width and bidi marks, line/paragraph separators,
// and the non-characters at the end of the BMP (the protocol's minimum set).
// eslint-disable-next-line no-control-regex -- the control characters are the point
const UNSAFE = /[\x00-\x1f\u200c-\u200f\u2028-\u202f\u2060-\u206f\ufff0-\uffff]/g;
function escapeChar(c) {
    return '\\u' + ('000' + c.charCodeAt(0).toString(16)).slice(-4);
}
/** JSON.stringify with every character that is unsafe on the wire escaped as `\uXXXX`. */
function quote(value) {
    return JSON.stringify(value).replace(UNSAFE, escapeChar);
}
/** `a["m1","m2"]`: one frame carrying every message given. */
function messageFrame(messages) {
    return 'a' + quote(messages);
}
/** `k<pos>` (resume): the client's messages up to `pos` have arrived. */
function keptFrame(pos) {
    return 'k' + pos;
}
/** The position of a `k<pos>` frame, or -1 for any other frame. */
function keptPosition(text) {
    return /^k\d{1,15}$/.test(text) ? +text.slice(1) : -1;
}
/** `c[3000,"Go away!"]` */
function closeFrame(code, reason) {
    return 'c' + quote([code, reason]);
}
/**
 * Decodes one server frame. Throws an Error naming the frame for malformed
 * input, so the caller can report it and go on.
 */
function decodeFrame(text) {
    if (text == 'o' || text == 'h')
        return [text];
    const type = text[0];
    const pos = keptPosition(text);
    if (pos >= 0)
        return ['k', pos];
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
            return ['a', value];
        if (type == 'c' && typeof value[0] == 'number' && typeof value[1] == 'string')
            return ['c', value[0], value[1]];
    }
    throw new Error('Malformed frame: ' + text.slice(0, 64));
}

/** Protocol version of cometkit's extensions, bumped on incompatible changes. */
const EXTENSIONS_VERSION = 1;
/**
 * The `/info` body. Stock clients read the SockJS fields and ignore
 * `cometkit`, which advertises the extensions this server speaks.
 */
function infoBody(options) {
    return {
        websocket: options.websocket,
        cookie_needed: options.jsessionid,
        origins: ['*:*'],
        entropy: randomInt(0, 2 ** 32 - 1),
        cometkit: {
            version: EXTENSIONS_VERSION,
            polling: true,
            // An xhr_send with `poll` is answered as a plain poll (PROTOCOL.md).
            pollOnSend: true,
            close: true,
            tune: true,
            takeover: true,
            heartbeat: options.heartbeatDelay,
            // The largest send body taken (bytes): a cometkit client keeps each request within it.
            maxBody: options.maxBodySize,
            // The grace period in ms: a client resumes only when it is there.
            ...(options.resumeGrace > 0 ? { resume: options.resumeGrace } : {}),
            // Resumable sessions are bound to the browser's secret cookie (session secrets).
            ...(options.resumeGrace > 0 && options.sessionSecrets ? { secret: 'cookie' } : {}),
        },
    };
}
/** `GET /info`, and its JSONP form `GET /info?c=<callback>` for pages without CORS. */
function info(req, res, url, options) {
    const body = infoBody(options);
    if (url.searchParams.has('c') || url.searchParams.has('callback')) {
        const callback = callbackName(url, res);
        if (callback === null)
            return;
        reply(res, 200, `/**/${callback}(${quote(body)});\r\n`, {
            ...NO_CACHE,
            'Content-Type': JAVASCRIPT,
            'X-Content-Type-Options': 'nosniff',
        });
        return;
    }
    const allowed = cors(req);
    reply(res, 200, JSON.stringify(body), {
        ...NO_CACHE,
        ...allowed,
        // The page may read how this answer came (resource timing): a cometkit client counts held
        // connections only over HTTP/1.x (its seats), which across origins it can tell only so.
        'Timing-Allow-Origin': allowed['Access-Control-Allow-Origin'],
        'Content-Type': 'application/json;charset=UTF-8',
    });
}

/**
 * Whether `origin` is what a browser sends in `Origin`: scheme, host and port only, lower-case,
 * the default port left out (`https://app.example.com`, `http://localhost:3000`).
 */
function isOrigin(origin) {
    if (!/^https?:\/\/[^/?#]+$/.test(origin))
        return false;
    try {
        return new URL(origin).origin === origin;
    }
    catch {
        return false;
    }
}
/** `new URL(text)`'s `part`, or 'null' when `text` is no URL (an opaque origin, garbage). */
function partOf(text, part) {
    try {
        return new URL(text)[part];
    }
    catch {
        return 'null';
    }
}
/**
 * The check behind `origins` (undefined when every origin is allowed). A browser names the page a
 * request comes from in `Origin` (fetch, XHR, form posts, WebSocket), else in `Referer` (script
 * tags, iframes), unless the page's referrer policy drops it; fetch metadata (`Sec-Fetch-Site`)
 * still tells whether it came from the server's own origin. The server's own origin (its `Host`)
 * is always allowed: the bridge and iframe pages make their requests from it.
 *
 * `strict` is for what hands data to whichever page asked, whoever it is: a JSONP answer runs in
 * that page, an iframe page relays to it. A request that names no origin, and whose fetch metadata
 * does not say it is the server's own, is refused there; elsewhere it is allowed, since a browser
 * names the origin of every cross-origin request that can read an answer (what sends none is not a
 * page: a Node client, curl).
 * `onError` gets what a function given as `origins` threw (the request is then refused).
 */
function originCheck(origins, onError) {
    if (origins === undefined)
        return undefined;
    const allows = (origin) => {
        if (typeof origins !== 'function')
            return origins.includes(origin);
        try {
            // Only `true`: an async function's promise (truthy) must not let every origin in.
            const answer = origins(origin);
            return answer === true;
        }
        catch (error) {
            onError(error);
            return false;
        }
    };
    return (req, strict) => {
        const { origin, referer, host } = req.headers;
        const named = origin ?? (referer === undefined ? undefined : partOf(referer, 'origin'));
        if (named !== undefined)
            return partOf(named, 'host') === host || allows(named);
        const site = req.headers['sec-fetch-site'];
        if (site === 'same-origin' || site === 'none')
            return true;
        return site === undefined && !strict;
    };
}

const DEFAULTS = {
    prefix: '',
    heartbeatDelay: 25000,
    disconnectDelay: 5000,
    responseLimit: 131072,
    maxBodySize: 1048576,
    resumeGrace: 30000,
    resumeLimit: 1048576,
    bufferLimit: 1048576,
    maxSessions: 100000,
    origins: undefined,
    sessionSecrets: true,
    websocket: true,
    jsessionid: false,
    sockjsUrl: 'https://cdn.jsdelivr.net/npm/sockjs-client@1.6.1/dist/sockjs.min.js',
};
const NUMBERS = ['heartbeatDelay', 'disconnectDelay', 'responseLimit', 'maxBodySize', 'resumeLimit', 'bufferLimit', 'maxSessions'];
/**
 * The largest of them: 2^31 - 1, the longest delay a timer holds (Node fires a longer one after
 * 1 ms: heartbeats would spin and sessions end at once). Bytes beyond it are no sane limit either.
 */
const MAX_NUMBER = 2147483647;
/** The longest resume grace period: a session kept longer holds memory for clients long gone. */
const MAX_RESUME_GRACE = 600000;
const BOOLEANS = ['websocket', 'jsessionid', 'sessionSecrets'];
/** Validates once, up front; every message names the option and what it takes. */
function resolveOptions(options) {
    if (options === undefined)
        return { ...DEFAULTS };
    if (options === null || typeof options !== 'object') {
        throw new TypeError('cometkit server: options must be an object');
    }
    const given = options;
    for (const key of Object.keys(given)) {
        if (!(key in DEFAULTS)) {
            throw new TypeError(`cometkit server: unknown option "${key}"`);
        }
    }
    const out = { ...DEFAULTS };
    const prefix = given.prefix;
    if (prefix !== undefined) {
        if (typeof prefix !== 'string' || (prefix !== '' && (!prefix.startsWith('/') || prefix.endsWith('/')))) {
            throw new TypeError('cometkit server: option "prefix" must be "" or a path that starts with "/" and does not end with "/"');
        }
        out.prefix = prefix;
    }
    for (const key of NUMBERS) {
        const value = given[key];
        if (value === undefined)
            continue;
        if (typeof value !== 'number' || !Number.isInteger(value) || value <= 0 || value > MAX_NUMBER) {
            throw new TypeError(`cometkit server: option "${key}" must be a positive integer up to ${MAX_NUMBER}`);
        }
        out[key] = value;
    }
    const grace = given.resumeGrace;
    if (grace !== undefined) {
        if (typeof grace !== 'number' || !Number.isInteger(grace) || grace < 0 || grace > MAX_RESUME_GRACE) {
            throw new TypeError(`cometkit server: option "resumeGrace" must be an integer from 0 to ${MAX_RESUME_GRACE}`);
        }
        out.resumeGrace = grace;
    }
    for (const key of BOOLEANS) {
        const value = given[key];
        if (value === undefined)
            continue;
        if (typeof value !== 'boolean') {
            throw new TypeError(`cometkit server: option "${key}" must be a boolean`);
        }
        out[key] = value;
    }
    const origins = given.origins;
    if (typeof origins === 'function') {
        out.origins = origins;
    }
    else if (origins !== undefined) {
        if (!Array.isArray(origins) || !origins.every((o) => typeof o === 'string' && isOrigin(o))) {
            throw new TypeError('cometkit server: option "origins" must be an array of origins such as "https://app.example.com" (scheme, host, port if not the default; lower-case) or a function');
        }
        out.origins = Object.freeze([...origins]);
    }
    if (given.sockjsUrl !== undefined) {
        if (typeof given.sockjsUrl !== 'string' || given.sockjsUrl === '') {
            throw new TypeError('cometkit server: option "sockjsUrl" must be a non-empty string');
        }
        out.sockjsUrl = given.sockjsUrl;
    }
    return out;
}

/**
 * Throws unless `close(code, reason)` got an integer and a string, on a session or on the server: a
 * wrong type would reach the client as a close frame it cannot read.
 */
function checkClose(code, reason) {
    if (!Number.isInteger(code) || typeof reason !== 'string') {
        throw new TypeError('cometkit server: close() takes an integer code and a string reason');
    }
}
/** Close code of a session whose unacknowledged messages outgrew `resumeLimit`. */
const OVERFLOW = 2011;
/** Close code of a session a client asked to resume from a position it cannot have. */
const CANNOT_RESUME = 2012;
/**
 * Ends a session whose client sent a message over `maxBodySize` (on a send or a WebSocket), with
 * WebSocket's "message too big" code: such a message can never be taken, and a resuming client would
 * send it again and again.
 */
function tooBig(session) {
    session.close(1009, 'Message too big');
}
function createSession(id, host, info) {
    const { disconnectDelay, resumeGrace, resumeLimit } = host.options;
    let heartbeatDelay = host.options.heartbeatDelay;
    let queue = [];
    // Resume (a cometkit client that sends positions): what has been written but
    // not acknowledged is kept, after position `acked`, until the client says it
    // has it; `kept` counts the bytes of it and of the queue.
    let resumable = false;
    let retained = [];
    // UTF-8 bytes of each kept message, in position order (retained, then queued), so a
    // message's size is computed once however it leaves.
    let sizes = [];
    let acked = 0;
    let kept = 0;
    let received = 0;
    // Set once the session ended with messages dropped: it can no longer be resumed, only told of.
    let lost = false;
    // Session secrets (resumable sessions only): whether the session is guarded, and the secret it
    // belongs to, the first one a request showed (its opening one, or a later one when the browser
    // had none yet).
    let guarded = false;
    let secret;
    // A streaming receiver was cut and none has attached since (see `stranded`).
    let stranded = false;
    // Its client said it is gone (leave()): removed as soon as it has no receiver.
    let left = false;
    let state = 'connecting';
    let receiver = null;
    let closing = null;
    let flushScheduled = false;
    // A `k` the client waits for (owe()).
    let owed = false;
    let heartbeat;
    let expiry;
    // Receivers that have ended. A client that stops reading (and keeps its connections open) would
    // have the process hold what was written to them for good: Node times no response out. One is cut
    // once the session has another receiver or expires, if the client has not taken all of it by then.
    let ended = [];
    const session = new EventEmitter();
    // Writes can end a receiver (polling, response limit), so re-read it after each one.
    function attached() {
        return receiver;
    }
    function cutEnded() {
        const list = ended;
        ended = [];
        for (const gone of list)
            gone.cut?.();
    }
    function armHeartbeat() {
        clearTimeout(heartbeat);
        if (receiver)
            heartbeat = setTimeout(beat, heartbeatDelay);
    }
    function beat() {
        if (receiver)
            write(HEARTBEAT_FRAME);
    }
    function write(frame) {
        // Re-arm before writing: a polling receiver detaches inside write().
        const target = receiver;
        armHeartbeat();
        target.write(frame);
    }
    // Everything queued goes out as one frame per write, whatever the transport.
    function flush() {
        flushScheduled = false;
        if (!receiver)
            return;
        // What was queued goes first: a reply the application wrote as it heard the batch is not held back
        // by the confirmation, which, on a polling receiver (one frame an answer), waits for the next poll.
        if (queue.length > 0) {
            const batch = queue;
            queue = [];
            // In place: a copy per flush grew with what the client had not acknowledged yet.
            if (resumable)
                for (const text of batch)
                    retained.push(text);
            if (receiver.writeMessages) {
                armHeartbeat();
                receiver.writeMessages(batch);
            }
            else {
                write(messageFrame(batch));
            }
        }
        if (owed && attached()) {
            owed = false;
            write(keptFrame(received));
        }
        const last = attached();
        if (last && closing !== null) {
            write(closing);
            // The close frame is the last word on this connection.
            if (attached() === last) {
                receiver = null;
                clearTimeout(heartbeat);
                last.end();
                ended.push(last);
                // end() does not detach, so start the countdown here: without it a
                // session closed under a streaming receiver was never removed.
                expireLater();
            }
        }
    }
    function expireLater() {
        clearTimeout(expiry);
        // A resumable session waits out the grace period for its client to come back.
        expiry = setTimeout(expire, left ? 0 : resumable ? Math.max(disconnectDelay, resumeGrace) : disconnectDelay);
        // Waiting for a client to come back must not keep a process alive once its
        // server has closed (listen().close() would otherwise hang for the whole delay).
        expiry.unref();
    }
    function expire() {
        if (receiver)
            return;
        cutEnded();
        if (state !== 'closed')
            finish(1000, 'Session timed out');
        host.removed(session);
    }
    function finish(code, reason) {
        state = 'closed';
        closing ?? (closing = closeFrame(code, reason));
        // Listeners run inside socket and timer callbacks, where a throw would take the process down.
        try {
            session.emit('close', code, reason);
        }
        catch (error) {
            host.error(error);
        }
    }
    Object.defineProperties(session, {
        id: { value: id, enumerable: true },
        info: { value: info, enumerable: true },
        state: { get: () => state, enumerable: true },
        receiver: { get: () => receiver },
        received: { get: () => received },
        resumable: { get: () => resumable },
        kept: { get: () => kept },
        stranded: { get: () => stranded },
    });
    // For a session that ends with the loss reported (2011, 2012): what it kept can no longer be
    // placed in the client's stream, and the memory it holds should not wait out the grace period.
    function lose() {
        queue = [];
        retained = [];
        sizes = [];
        kept = 0;
        lost = true;
    }
    // After a position the client cannot have, nothing is in order: the close frame alone (2012).
    function cannotResume(pos) {
        lose();
        if (state === 'open')
            finish(CANNOT_RESUME, 'Cannot resume from position ' + String(pos));
    }
    // Drops retained messages up to position `pos`; false when the client cannot be at `pos`.
    function confirm(pos) {
        const drop = pos - acked;
        if (drop < 0 || drop > retained.length)
            return false;
        retained.splice(0, drop);
        for (const size of sizes.splice(0, drop))
            kept -= size;
        acked = pos;
        return true;
    }
    // The client has up to `pos`: what was written after it goes again; false when it cannot be at `pos`.
    function rewind(pos) {
        if (!confirm(pos))
            return false;
        queue = retained.concat(queue);
        retained = [];
        return true;
    }
    session.send = (text) => {
        if (typeof text !== 'string')
            throw new TypeError('cometkit server: send() takes a string');
        if (state === 'closed')
            return false;
        const size = resumable ? Buffer.byteLength(text) : 0;
        // One message larger than the limit, with nothing else kept, is no sign of a client that is not
        // taking what it is sent (an application's state dump on connection: refused, it would be sent
        // again on every fresh session, for ever).
        if (resumable && kept > 0 && kept + size > resumeLimit) {
            // Kept for a client that is not taking it: end the session and say why, rather than grow
            // without bound. The refused message must not reach the client after all, nor a resume
            // get the queue (positions after what was kept) as if it followed the client's position.
            lose();
            session.close(OVERFLOW, 'Unacknowledged messages over the limit');
            return false;
        }
        queue.push(text);
        if (resumable) {
            sizes.push(size);
            kept += size;
        }
        schedule();
        return true;
    };
    function schedule() {
        if (receiver && !flushScheduled) {
            flushScheduled = true;
            setImmediate(flush);
        }
    }
    session.close = (code = 3000, reason = 'Go away!') => {
        checkClose(code, reason);
        if (state === 'closed')
            return;
        if (state === 'connecting') {
            state = 'closed';
            closing = closeFrame(code, reason);
        }
        else {
            finish(code, reason);
        }
        if (receiver)
            flush();
    };
    session.leave = () => {
        left = true;
        session.close(1000, 'Normal closure');
        // Its place and its id are free at once; what it still holds goes at the next turn (expire(), at
        // once from expireLater() now), when the close frame written just now has had its chance to leave.
        host.removed(session);
        if (!receiver)
            expireLater();
    };
    session.admits = (shown) => {
        if (!guarded)
            return true;
        // Until a request has shown a secret, any goes (a browser that keeps no cookies, or one whose
        // first answer, and the secret issued in it, was cut before its headers arrived).
        if (secret === undefined) {
            secret = shown?.[0];
            return true;
        }
        return !!shown?.includes(secret);
    };
    session.attach = (next, tuning = { takeOver: false }) => {
        const { takeOver, pos, ack } = tuning;
        if (state === 'connecting') {
            // A client asking to resume a session this server does not know (restarted, expired) gets a
            // plain one and its `o`: the client learns of the loss and starts a fresh resumable one at 0.
            resumable = pos === 0;
            guarded = resumable && !!tuning.secrets;
        }
        if (!session.admits(tuning.secrets)) {
            // Someone with the session's URL and not its secret: told no (the code a client that lost
            // its cookie needs, to report the loss and start afresh), and the session goes on untouched.
            next.write(closeFrame(CANNOT_RESUME, 'Session secret missing'));
            next.end();
            return false;
        }
        // A resuming client says where it is: it takes the session over, rewound to there.
        const resuming = resumable && pos !== undefined && state !== 'connecting';
        let rewound = false;
        if (resuming && !lost) {
            // A closed session rewinds too: the client gets what it missed before the close frame,
            // rather than the queue alone, which would read as following its position.
            rewound = rewind(pos);
            if (!rewound)
                cannotResume(pos);
        }
        // A renewal says what the client has: what was written after it (lost in a cut that looked like
        // the end of a response) goes again, without a word. Only onto a free session: a renewal that
        // finds another receiver is refused (2010) as ever, since it may be one sent just before the
        // client moved the session elsewhere. A session closed during the cut rewinds too, as on a resume:
        // its queue alone would read as following the client's position.
        if (!resuming && resumable && ack !== undefined && state !== 'connecting' && !lost && !receiver && !rewind(ack)) {
            if (ack < acked) {
                // Overtaken by an acknowledgement sent after it: the client has more than this says, and an
                // answer written on from there would be read from n, every message at a wrong position (and
                // as many skipped as already had). h alone, taking and writing nothing, has it renew from
                // where it stands.
                next.write(HEARTBEAT_FRAME);
                next.end();
                return false;
            }
            // Beyond what was written: as for a resume.
            cannotResume(ack);
        }
        const old = receiver;
        if (old && !resuming && !(takeOver && state === 'open')) {
            next.write(closeFrame(2010, 'Another connection still open'));
            next.end();
            return false;
        }
        // Only a receiver the session takes tunes its heartbeat: a request refused above changes nothing.
        if (tuning.heartbeat)
            heartbeatDelay = tuning.heartbeat;
        // Before `old` joins them: a client moving to another tier may still be reading it.
        cutEnded();
        if (old) {
            receiver = null;
            // An h completes a held poll properly (an empty answer would be a broken script or frame).
            old.write(HEARTBEAT_FRAME);
            old.end();
            ended.push(old);
        }
        clearTimeout(expiry);
        expiry = undefined;
        receiver = next;
        stranded = false;
        // Count idle time from the moment it attaches: a receiver that joins an
        // existing session with nothing to send would otherwise never get a heartbeat.
        armHeartbeat();
        if (state === 'connecting') {
            state = 'open';
            // `k0` opens a resumable session: the client learns, in band, that positions are on.
            write(resumable ? 'k0' : OPEN_FRAME);
            host.opened(session);
        }
        else if (rewound && (state !== 'closed' || queue.length > 0)) {
            // The resume answer: how many of the client's messages arrived, so it resends the rest. A
            // closed session with nothing left to deliver answers with its close frame alone: a client
            // told it resumed would resend at once what ended the session (a message over maxBodySize)
            // and, on a tier whose receiver takes one frame per request, never hear the close.
            owed = false;
            write(keptFrame(received));
        }
        else if (takeOver && state === 'open') {
            write(HEARTBEAT_FRAME);
        }
        // A polling receiver may already have ended on the open (or takeover) frame.
        if (attached())
            flush();
        else
            expireLater();
        return true;
    };
    session.detach = (gone, aborted) => {
        if (receiver !== gone)
            return;
        receiver = null;
        clearTimeout(heartbeat);
        ended.push(gone);
        stranded = aborted && resumable && !!gone.streaming;
        if (aborted && state === 'open' && !resumable) {
            // A receiver cut by the network leaves the client unsure of what it got;
            // the protocol lets the server end the session and say so.
            finish(1002, 'Connection interrupted');
        }
        expireLater();
    };
    session.ack = (pos) => {
        if (resumable)
            confirm(pos);
    };
    session.owe = () => {
        if (!resumable || state !== 'open')
            return;
        owed = true;
        schedule();
    };
    session.receive = (batch, seq) => {
        let messages = batch;
        if (resumable && seq !== undefined) {
            const skip = received + 1 - seq;
            if (skip < 0)
                return false;
            messages = batch.slice(skip);
        }
        received += messages.length;
        if (state !== 'open')
            return true;
        for (const m of messages) {
            // One throwing listener must not crash the process or drop the rest of the batch.
            try {
                session.emit('message', m);
            }
            catch (error) {
                host.error(error);
            }
        }
        return true;
    };
    return session;
}

/** A resume position (`pos`, `seq`, `ack`): a whole number ≥ 0 that JavaScript holds exactly. */
const isPosition = (n) => Number.isSafeInteger(n) && n >= 0;
/** A position from a query parameter, written in digits only; undefined when absent or malformed. */
function position(url, name) {
    const raw = url.searchParams.get(name) ?? '';
    return /^\d+$/.test(raw) && isPosition(+raw) ? +raw : undefined;
}

/**
 * Session secrets (PROTOCOL.md): a resumable session belongs to the browser that opened it. The
 * secret is an HttpOnly cookie, so it never appears in a URL (where logs and proxies see session
 * ids) and costs the client no code: browsers send it with every tier's requests (fetch with
 * credentials, WebSocket handshakes, scripts, frames, form posts).
 *
 * Each secret is a cookie of its own name (`cometkit_<8 characters>`). Clients that open sessions
 * at once in a browser with none (ten in a page, tabs restored together) are each issued one; under
 * a single name the last to arrive would replace the others, and the sessions bound to them would be
 * refused. Under their own names they add up instead, and only that first burst makes more than one.
 */
const SHOWN = /(?:^|;\s*)(cometkit_[\w-]{8}=[\w-]{24})(?=;|$)/g;
/** The secret cookies a request carries (`name=value` each); only the shape this server issues counts. */
function shownSecrets(req) {
    return [...(req.headers.cookie ?? '').matchAll(SHOWN)].map((match) => match[1]);
}
/** A fresh secret, `cometkit_<48 random bits>=<144 random bits>`, base64url. */
function newSecret() {
    const bytes = randomBytes(24).toString('base64url');
    return `cometkit_${bytes.slice(0, 8)}=${bytes.slice(8)}`;
}
/**
 * The `Set-Cookie` value for `secret`, scoped to the service's path. A browser-session cookie: it
 * lives as long as the sessions it guards can (a reload included). Over TLS it is `SameSite=None;
 * Secure; Partitioned`, so pages on other sites send it too (browsers that block third-party
 * cookies keep it per top-level site, or drop it: see PROTOCOL.md); over plain HTTP browsers refuse
 * `SameSite=None`, so it is `Lax`, sent by pages of the same site.
 */
function secretCookie(secret, prefix, req) {
    const proto = req.headers['x-forwarded-proto'];
    // (A TLS socket says `encrypted`; a plain one has no such field.)
    const tls = req.httpVersionMajor >= 2 || 'encrypted' in req.socket || String(proto).startsWith('https');
    return `${secret}; Path=${prefix || '/'}; HttpOnly; ` + (tls ? 'SameSite=None; Secure; Partitioned' : 'SameSite=Lax');
}

/** Attaches a held HTTP response to a session as its receiver. */
function attachHttpReceiver(session, res, options, tuning = { takeOver: false }) {
    let written = 0;
    let ended = false;
    let timer;
    // Ends the response the way the response limit does: the session goes on in the next request.
    const finish = () => {
        if (ended)
            return;
        ended = true;
        clearTimeout(timer);
        session.detach(receiver, false);
        res.end();
    };
    const receiver = {
        streaming: options.streaming,
        write(frame) {
            if (ended)
                return;
            const chunk = options.format(frame);
            res.write(chunk);
            written += Buffer.byteLength(chunk);
            if (!options.streaming || written >= options.limit)
                finish();
        },
        end() {
            if (ended)
                return;
            ended = true;
            clearTimeout(timer);
            res.end();
        },
        cut() {
            // Finished: all of it handed to the system (what is left of it there is not the process's to hold).
            if (!res.writableFinished)
                res.destroy();
        },
    };
    // 'close' also fires after a normal end; only an early one is an abort.
    res.on('close', () => {
        clearTimeout(timer);
        if (ended)
            return;
        ended = true;
        session.detach(receiver, true);
    });
    if (options.streaming && tuning.ttl)
        timer = setTimeout(finish, tuning.ttl);
    session.attach(receiver, tuning);
    return receiver;
}

/** `GET /<server>/<session>/eventsource`: Server-Sent Events, a frame per event. */
function eventsource({ req, res, session, options, headers, tuning }) {
    res.writeHead(200, {
        ...headers,
        ...NO_CACHE,
        ...cors(req),
        'Content-Type': 'text/event-stream',
        'X-Accel-Buffering': 'no',
    });
    res.write('\r\n');
    attachHttpReceiver(session(), res, {
        streaming: true,
        limit: options.responseLimit,
        // Frames are JSON and hold no raw line breaks; escaping keeps that true for any frame.
        // eslint-disable-next-line no-control-regex -- NUL must not reach the event stream
        format: (frame) => 'data: ' + frame.replace(/[%\r\n\x00]/g, encodeURIComponent) + '\r\n\r\n',
    }, tuning);
}

function head(callback) {
    const html = `<!doctype html>
<html><head>
  <meta http-equiv="X-UA-Compatible" content="IE=edge" />
  <meta http-equiv="Content-Type" content="text/html; charset=UTF-8" />
</head><body><h2>Don't panic!</h2>
  <script>
    document.domain = document.domain;
    var c = parent.${callback};
    c.start();
    function p(d) {c.message(d);};
    window.onload = function() {c.stop();};
  </script>`;
    // Browsers start rendering (and running the scripts) only after ~1 KiB.
    return html + ' '.repeat(Math.max(0, 1024 - html.length)) + '\r\n\r\n';
}
/** `GET /<server>/<session>/htmlfile?c=<callback>`: the forever-iframe, a `<script>` per frame. */
function htmlfile({ res, url, session, options, headers, tuning }) {
    const callback = callbackName(url, res);
    if (callback === null)
        return;
    res.writeHead(200, {
        ...headers,
        ...NO_CACHE,
        ...EMBEDDABLE,
        'Content-Type': HTML,
        'X-Accel-Buffering': 'no',
    });
    res.write(head(callback));
    attachHttpReceiver(session(), res, {
        streaming: true,
        limit: options.responseLimit,
        // `<` escaped so a message holding "</script>" cannot end the script element.
        format: (frame) => '<script>\np(' + JSON.stringify(frame).replace(/</g, '\\u003c') + ');\n</script>\r\n',
    }, tuning);
}

/** `GET /<server>/<session>/jsonp?c=<callback>`: script-tag long-poll, one frame per response. */
function jsonp({ res, url, session, headers, tuning }) {
    const callback = callbackName(url, res);
    if (callback === null)
        return;
    res.writeHead(200, {
        ...headers,
        ...NO_CACHE,
        'Content-Type': JAVASCRIPT,
        'X-Content-Type-Options': 'nosniff',
    });
    attachHttpReceiver(session(), res, {
        streaming: false,
        limit: 0,
        // The leading comment defuses Rosetta-Flash-style content sniffing.
        format: (frame) => `/**/${callback}(${quote(frame)});\r\n`,
    }, tuning);
}

function start({ req, res, headers }) {
    res.writeHead(200, { ...headers, ...NO_CACHE, ...cors(req), 'Content-Type': JAVASCRIPT });
}
/** `POST /<server>/<session>/xhr`: SockJS long-poll, held until one frame is ready. */
function xhrPolling(ctx) {
    start(ctx);
    attachHttpReceiver(ctx.session(), ctx.res, { streaming: false, limit: 0, format: (frame) => frame + '\n' }, ctx.tuning);
}
/**
 * `POST /<server>/<session>/poll` (cometkit extension): answered at once with
 * the frame that is ready, or an empty body, for networks that kill held requests.
 */
function plainPolling(ctx, session = ctx.session(), tuning = ctx.tuning) {
    start(ctx);
    const receiver = attachHttpReceiver(session, ctx.res, { streaming: false, limit: 0, format: (frame) => frame + '\n' }, tuning);
    // Nothing was ready: give the receiver back at once instead of holding it.
    if (session.receiver === receiver) {
        session.detach(receiver, false);
        receiver.end();
    }
}
/**
 * An `xhr_send` that asks for it (cometkit extension `pollOnSend`), its messages taken: answered as a
 * plain poll, with its own tuning, not the request's: its `pos` says what the client has received, not
 * where it resumes, so it counts as a renewal's `ack`: what was written after it goes again (an earlier
 * answer cut right after its headers reads as an empty one, and its messages were lost). Only onto a
 * free session: a receiver already there (a try at another tier taking the session over) keeps what it
 * is owed, and this answer stays empty.
 */
function pollOnSend(ctx, session) {
    if (!session.receiver)
        return plainPolling(ctx, session, { takeOver: false, secrets: ctx.tuning.secrets, ack: ctx.tuning.pos });
    start(ctx);
    ctx.res.end();
}

function parseMessages(body) {
    if (body === '')
        return { error: 'Payload expected.' };
    let value;
    try {
        value = JSON.parse(body);
    }
    catch {
        return { error: 'Broken JSON encoding.' };
    }
    if (!Array.isArray(value) || !value.every((m) => typeof m === 'string')) {
        return { error: 'Broken JSON encoding.' };
    }
    return { messages: value };
}
/**
 * Reads a batch of messages for the session, then `done`. `tellCut`: a resuming client (its batches
 * carry `seq`; a stock client's never do) whose stream the network cut without its knowing (a
 * forever-iframe: browsers fire no event for it) learns of it here, not a heartbeat delay later: the
 * send is answered 410 untaken, and the client resumes and sends the batch again. Only where the
 * client reads the answer's status (`xhr_send`; a no-cors `jsonp_send` cannot).
 */
async function receive(ctx, extract, done, tellCut = false) {
    const { req, res, headers } = ctx;
    const fail = { ...headers, ...NO_CACHE, ...cors(req) };
    const session = ctx.existing();
    const seq = position(ctx.url, 'seq');
    const cut = tellCut && !!session?.stranded && seq !== undefined;
    if (!session || cut) {
        req.resume();
        if (cut)
            reply(res, 410, 'Receiving connection cut: resume.', fail);
        else
            reply(res, 404, '', fail);
        return;
    }
    let body;
    try {
        body = extract(await readBody(req, ctx.options.maxBodySize));
    }
    catch (error) {
        // Answered once the body has ended (up to 8 MiB past the limit: readBody), so the client reads
        // this rather than a cut; closing the connection stops one still uploading a huger body.
        const tooLarge = error instanceof BodyTooLarge;
        reply(res, tooLarge ? 413 : 400, tooLarge ? 'Payload too large.' : 'Bad request.', { ...fail, Connection: 'close' });
        // A client keeps its batches within the limit (/info's maxBody): a body over it holds a message.
        if (tooLarge)
            tooBig(session);
        return;
    }
    const parsed = parseMessages(body);
    if ('error' in parsed) {
        reply(res, 500, parsed.error, fail);
        return;
    }
    // A resuming client numbers its batches (`seq`) and says what it has received (`pos`).
    const pos = position(ctx.url, 'pos');
    if (pos !== undefined)
        session.ack(pos);
    if (!session.receive(parsed.messages, seq)) {
        reply(res, 400, 'Out of order.', fail);
        return;
    }
    done(session);
}
/**
 * `POST /<server>/<session>/xhr_send`: a JSON array of messages; 204. With `poll` and `pos` (cometkit
 * extension `pollOnSend`, asked by a plain-polling client that has no poll out), 200 and answered as a
 * poll would be, so a reply the application sends at once comes back on this request instead of the
 * next poll: one request per round trip instead of two.
 */
function xhrSend(ctx) {
    // A cometkit client asks only on a resumable session, whose sends all carry `pos` (read by the router
    // into the tuning); a stock client keeps its base URL's query (`?poll=1`) on its sends and never reads
    // their answers.
    const rides = ctx.url.searchParams.has('poll') && ctx.tuning.pos !== undefined;
    return receive(ctx, (body) => body, (session) => {
        if (rides)
            return pollOnSend(ctx, session);
        ctx.res.writeHead(204, { ...ctx.headers, ...NO_CACHE, ...cors(ctx.req), 'Content-Type': TEXT });
        ctx.res.end();
    }, true);
}
/**
 * A resuming client's form post (one that numbers its batch with `seq`) lands in a hidden iframe whose
 * page it cannot read. This answer holds one child frame, which a page can count across origins
 * (`frame.contentWindow.length`), and a browser's error page for a cut post has none: so the client
 * tells arrival from a cut, and resends what was cut instead of taking it as delivered.
 */
const FORM_ANSWER = '<!doctype html><iframe></iframe>';
/**
 * `POST /<server>/<session>/jsonp_send`: a form field `d` (or a raw body) holding the JSON array; `ok`
 * as in SockJS, or FORM_ANSWER for a resuming client's form post. A resuming client's raw body (a
 * no-cors fetch: an error page a proxy gave would read the same as `ok`) is confirmed by a `k` on the
 * session's receiver instead.
 */
function jsonpSend(ctx) {
    const form = (ctx.req.headers['content-type'] ?? '').startsWith('application/x-www-form-urlencoded');
    const counted = form && position(ctx.url, 'seq') !== undefined;
    return receive(ctx, (body) => (form ? (new URLSearchParams(body).get('d') ?? '') : body), (session) => {
        // A resuming client's raw body comes from a no-cors fetch, whose answer it cannot read.
        if (!form && position(ctx.url, 'pos') !== undefined)
            session.owe();
        if (!counted)
            return reply(ctx.res, 200, 'ok', { ...ctx.headers, ...NO_CACHE });
        // Chunked, without a Content-Length: Chromium fires no load event for a frame whose answer was cut
        // short of its Content-Length, and the client would wait out its send timeout (30 s); cut short of
        // its last chunk, the answer loads as far as it came, without the child frame, and reads as a cut.
        ctx.res.writeHead(200, { ...ctx.headers, ...NO_CACHE, 'Content-Type': HTML });
        ctx.res.end(FORM_ANSWER);
    });
}
/**
 * `POST /<server>/<session>/close` (cometkit extension): the client is gone
 * (closed, or its page hidden); end the session now instead of at its timeout.
 * 204, or 200 `ok` to a form post (the legacy build's JSONP mode): its hidden
 * iframe learns the post is done only from a load event, which a 204 never fires.
 */
function closeSession(ctx) {
    ctx.req.resume();
    const session = ctx.existing();
    session?.leave();
    const form = (ctx.req.headers['content-type'] ?? '').startsWith('application/x-www-form-urlencoded');
    const headers = { ...ctx.headers, ...NO_CACHE, ...cors(ctx.req) };
    if (session && form)
        reply(ctx.res, 200, 'ok', headers);
    else
        reply(ctx.res, session ? 204 : 404, '', headers);
}

// 2 KiB of `h` pushes old browsers (and Chromium's MIME sniffer) to hand the
// stream to the page from the first byte.
const PRELUDE = 'h'.repeat(2048) + '\n';
/** `POST /<server>/<session>/xhr_streaming`: one long response, a frame per line. */
function xhrStreaming({ req, res, session, options, headers, tuning }) {
    res.writeHead(200, {
        ...headers,
        ...NO_CACHE,
        ...cors(req),
        'Content-Type': JAVASCRIPT,
        'X-Accel-Buffering': 'no',
        'X-Content-Type-Options': 'nosniff',
    });
    res.write(PRELUDE);
    attachHttpReceiver(session(), res, {
        streaming: true,
        limit: options.responseLimit,
        format: (frame) => frame + '\n',
    }, tuning);
}

// The client sends one JSON string, or an array of them; an empty payload is a heartbeat. On a
// resumable session the array may start with the client's position and the first message's
// (`null` when it only acknowledges).
function parseUpstream(data, resumable) {
    if (data === '')
        return null;
    let value;
    try {
        value = JSON.parse(data);
    }
    catch {
        return 'broken';
    }
    if (typeof value === 'string')
        return { messages: [value] };
    if (!Array.isArray(value))
        return 'broken';
    let up = { messages: value };
    if (resumable && isPosition(value[0]) && (value[1] === null || isPosition(value[1]))) {
        up = { pos: value[0], seq: value[1] ?? undefined, messages: value.slice(2) };
    }
    return up.messages.every((m) => typeof m === 'string') ? up : 'broken';
}
/** The most bytes a frame spends on one UTF-8 byte of a message (a control character: `\u001f`). */
const EXPANSION = 6;
/**
 * Ends a session whose client does not read (a stalled network, a frozen tab): `ws` holds without
 * bound what is not yet sent. Called after a write with what was still unsent from earlier writes
 * when it came (`ws.bufferedAmount` read before it), so that one large write (its own size no sign of
 * a client that does not read) never trips it; past `limit` bytes of that the session ends, its close
 * frame queued behind what is held (which `ws` drops with the socket if the client never reads on).
 * A resumable session is bounded by `resumeLimit` instead, and its client resumes: what it has not
 * acknowledged is kept, and no more can be unsent than that, framed. A client that acknowledges what
 * it has not read (its positions run ahead of its reading) escaped both; past that much, and `limit`
 * more, its session ends too.
 */
function endIfStalled(session, unsent, limit, resumeLimit) {
    const bound = session.resumable ? limit + EXPANSION * Math.max(session.kept, resumeLimit) : limit;
    if (unsent > bound && session.state === 'open') {
        session.close(OVERFLOW, 'Client not reading: unsent messages over the limit');
    }
}
function bindClose(ws, session, receiver) {
    ws.on('error', (error) => {
        // A message over maxPayload (maxBodySize): `ws` has sent its 1009 close frame and ends the socket
        // once it is out, reading on to the end of the message. Destroying the socket here would reset
        // it with the message unread, and the reset could overtake the close frame (Firefox and WebKit
        // then saw an error, not 1009). Without more, a resuming client would send the message again on
        // the next socket; the session ends, saying why (the client hears it when it comes back), as for
        // an HTTP send over the limit.
        if (error.code === 'WS_ERR_UNSUPPORTED_MESSAGE_LENGTH') {
            if (session.receiver === receiver)
                tooBig(session);
            return;
        }
        ws.terminate();
    });
    ws.on('close', (code) => {
        // A socket another receiver took over no longer speaks for the session.
        if (session.receiver !== receiver)
            return;
        // A client that says goodbye ends the session normally; anything else is an interruption. A
        // browser leaving the page says 1001: a resumable session waits for the next page (`persist`).
        // One that said goodbye is gone: removed at once, as by `POST …/close`.
        const clean = code === 1000 || (code === 1001 && !session.resumable);
        session.detach(receiver, !clean);
        if (clean)
            session.leave();
    });
}
/** `/<server>/<session>/websocket`: SockJS framing over one WebSocket, both ways. */
function framedWebsocket(ws, session, tuning, limit, resumeLimit) {
    // A confirmation due (`k`, below) rides in the same WebSocket message as the next frame written
    // (the reply it caused, usually), joined by a newline: one message per round trip instead of two.
    // Only a client that asked for resume (`pos`) gets `k` frames, and it splits.
    let confirming = false;
    const confirmation = () => {
        confirming = false;
        return keptFrame(session.received);
    };
    const receiver = {
        write(frame) {
            const unsent = ws.bufferedAmount;
            ws.send(confirming ? confirmation() + '\n' + frame : frame);
            endIfStalled(session, unsent, limit, resumeLimit);
        },
        end: () => ws.close(1000),
    };
    const broken = () => {
        session.close(3000, 'Broken framing.');
        ws.close(1000);
    };
    // A socket the session refused (another connection, no secret) does not speak for it.
    let attached = false;
    ws.on('message', (data, isBinary) => {
        if (!attached)
            return;
        const up = isBinary ? 'broken' : parseUpstream(data.toString(), session.resumable);
        if (up === 'broken')
            return broken();
        if (!up)
            return;
        if (up.pos !== undefined)
            session.ack(up.pos);
        if (up.seq === undefined && up.pos !== undefined)
            return;
        // A WebSocket send has no answer of its own: say what arrived (`k`), in the next frame written
        // (the application's answer, usually, which it then precedes), or alone once what the
        // application answered in this turn has gone (scheduled after it): once per burst either way.
        // (Scheduled after receive(), so after the flush of what the application answered in it.)
        const due = up.seq !== undefined && !confirming;
        if (up.seq !== undefined)
            confirming = true;
        if (!session.receive(up.messages, up.seq))
            return broken();
        if (due) {
            setImmediate(() => {
                if (confirming && session.receiver === receiver)
                    ws.send(confirmation());
            });
        }
    });
    bindClose(ws, session, receiver);
    attached = session.attach(receiver, tuning);
}
/** `/websocket`: a raw WebSocket, one message per WebSocket message, no framing. */
function rawWebsocket(ws, session, limit) {
    const receiver = {
        write(frame) {
            // Only the close frame means something without SockJS framing.
            if (frame.charAt(0) !== 'c')
                return;
            const close = decodeFrame(frame);
            if (close[0] !== 'c')
                return;
            const [, given, reason] = close;
            // A WebSocket close reason holds 123 bytes (ws throws beyond, and the socket would stay open):
            // cut between code points, so that what is left is valid UTF-8.
            const chars = Array.from(reason);
            let bytes = Buffer.byteLength(reason);
            while (bytes > 123)
                bytes -= Buffer.byteLength(chars.pop());
            // A WebSocket close code must be 1000 or 3000–4999; protocol codes (2010, 1002) map to 1000.
            ws.close(given === 1000 || (given >= 3000 && given <= 4999) ? given : 1000, chars.join(''));
        },
        writeMessages(messages) {
            const unsent = ws.bufferedAmount;
            for (const m of messages)
                ws.send(m);
            // (A raw WebSocket's session never resumes.)
            endIfStalled(session, unsent, limit, 0);
        },
        end: () => ws.close(1000),
    };
    ws.on('message', (data) => session.receive([data.toString()]));
    bindClose(ws, session, receiver);
    session.attach(receiver);
}

const ROUTES = {
    xhr_streaming: { methods: 'POST', handler: xhrStreaming, preflight: true, opens: true },
    xhr: { methods: 'POST', handler: xhrPolling, preflight: true, opens: true },
    poll: { methods: 'POST', handler: plainPolling, preflight: true, opens: true },
    xhr_send: { methods: 'POST', handler: xhrSend, preflight: true },
    eventsource: { methods: 'GET', handler: eventsource, preflight: false, opens: true },
    htmlfile: { methods: 'GET', handler: htmlfile, preflight: false, opens: true },
    jsonp: { methods: 'GET', handler: jsonp, preflight: false, opens: true },
    jsonp_send: { methods: 'POST', handler: jsonpSend, preflight: false },
    close: { methods: 'POST', handler: closeSession, preflight: true },
};
/** Answers an upgrade request with `status` and no body (`header`: more header lines), and closes it. */
function refuseUpgrade(socket, status, header = '') {
    socket.end(`HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nConnection: close\r\n${header}Content-Length: 0\r\n\r\n`);
    return true;
}
// sockjs-node's rule: both ids non-empty, without `/` or `.`.
const SESSION_PATH = /^\/([^/.]+)\/([^/.]+)\/([a-z_]+)$/;
const IFRAME_PATH = /^\/iframe[0-9a-z_.-]*\.html$/;
function describe(req, transport) {
    return {
        transport,
        remoteAddress: req.socket.remoteAddress,
        headers: req.headers,
        url: req.url ?? '',
    };
}
// Shorter than this, heartbeats and held requests would cost more than the proxies they outwit.
const MIN_TUNED = 1000;
/**
 * A whole number of ms from a query parameter, at least `floor`; undefined when absent, not written
 * in digits, or beyond what a timer holds (MAX_NUMBER: no limit asked, in effect).
 */
function msParam(url, name, floor) {
    const raw = url.searchParams.get(name) ?? '';
    // Digits only: Number() reads an empty or blank value (a base URL's `ttl=`) as 0, the floor.
    const value = /^\d+$/.test(raw) ? Number(raw) : NaN;
    return value <= MAX_NUMBER ? Math.max(floor, value) : undefined;
}
/**
 * `ttl`, `takeover`, `pos`, `ack` and `h`, which cometkit clients add to receiving requests (see
 * PROTOCOL.md). `h`: a client behind a proxy that kills idle connections asks for more frequent
 * heartbeats; never less frequent than the server's own.
 */
function tuningOf(url, options) {
    const resume = options.resumeGrace > 0;
    const asked = msParam(url, 'h', MIN_TUNED);
    return {
        ttl: msParam(url, 'ttl', MIN_TUNED),
        takeOver: url.searchParams.get('takeover') === '1',
        pos: resume ? position(url, 'pos') : undefined,
        ack: resume ? position(url, 'ack') : undefined,
        heartbeat: asked === undefined ? undefined : Math.min(asked, options.heartbeatDelay),
    };
}
function methodNotAllowed(res, allow) {
    reply(res, 405, '', { Allow: allow });
}
/** Creates a SockJS 0.3-compatible server; attach it to an `http.Server` to serve. */
function createServer(options) {
    const resolved = resolveOptions(options);
    const { prefix } = resolved;
    const sessions = new Map();
    // Open sessions (`sessions`, `broadcast`, `close`).
    const live = new Set();
    // Every session in memory, from its opening until it is removed: open ones, and closed ones that
    // repeat their close frame (or wait for their client to resume) until they expire. (Counting open
    // ones only, a client that opened sessions and cut them in a loop was never held to maxSessions.)
    const kept = new Set();
    const page = iframePage(resolved.sockjsUrl);
    const wss = new WebSocketServer({ noServer: true, perMessageDeflate: false, maxPayload: resolved.maxBodySize });
    const comet = new EventEmitter();
    const checkOrigin = originCheck(resolved.origins, (error) => report(error));
    // A new session past maxSessions (every one kept counts: open, closed and not yet expired, waiting
    // for its client to resume); a request to a session in use goes on.
    // Once close() has run, no new session: clients reconnecting after its 1001 would open them on the
    // HTTP tiers of a server shutting down, upgrades alone being refused.
    let shut = false;
    const full = (id) => !sessions.has(id) && (shut || kept.size >= resolved.maxSessions);
    /** A refusal a page can read across origins, so that its client can say why. */
    const refuse = (req, res, status, text, headers = {}) => reply(res, status, text, { ...NO_CACHE, ...cors(req), ...headers });
    /** Answers 403 unless the request's page may use the service. */
    function refused(req, res, strict) {
        if (!checkOrigin || checkOrigin(req, strict))
            return false;
        refuse(req, res, 403, 'Origin not allowed.');
        return true;
    }
    // Session secrets guard resumable sessions only: a stock client has none, and may send no cookie
    // on some of its requests (cross-origin EventSource).
    const secrets = resolved.sessionSecrets && resolved.resumeGrace > 0;
    // The Set-Cookie of a secret issued to a WebSocket upgrade, for its 101.
    const upgrades = new WeakMap();
    wss.on('headers', (headers, req) => {
        const cookie = upgrades.get(req);
        if (cookie)
            headers.push('Set-Cookie: ' + cookie);
    });
    /**
     * The session secrets a request shows (undefined when secrets are off). A receiving request of a
     * cometkit client (`pos` or `ack`) that shows none is issued one, as the Set-Cookie handed to
     * `issue`; no other request is (`issue` undefined for sends and closes, which carry `pos` too), so
     * stock clients and the SockJS protocol suite see no cookie they did not ask for.
     */
    function see(req, tuning, issue) {
        if (!secrets)
            return undefined;
        const shown = shownSecrets(req);
        if (issue && !shown.length && (tuning.pos !== undefined || tuning.ack !== undefined))
            issue(secretCookie(newSecret(), prefix, req));
        return shown;
    }
    const host = {
        options: resolved,
        opened(session) {
            live.add(session);
            kept.add(session);
            session.once('close', () => live.delete(session));
            // Runs inside WebSocket upgrade callbacks too, where a throw would crash the process.
            try {
                comet.emit('connection', session);
            }
            catch (error) {
                report(error);
            }
        },
        removed(session) {
            kept.delete(session);
            if (sessions.get(session.id) === session)
                sessions.delete(session.id);
        },
        error: (error) => report(error),
    };
    // An 'error' event without a listener would throw and take the process down.
    function report(error) {
        if (comet.listenerCount('error') > 0)
            comet.emit('error', error);
        else
            console.error('cometkit server:', error);
    }
    function localPath(url) {
        const path = url.split('?', 1)[0] ?? '';
        if (path === prefix || path === prefix + '/')
            return '/';
        return path.startsWith(prefix + '/') ? path.slice(prefix.length) : null;
    }
    function handleRequest(req, res) {
        const path = localPath(req.url ?? '/');
        if (path === null)
            return false;
        const method = req.method ?? 'GET';
        // A cross-origin isolated page (COEP `require-corp`) loads what it does not fetch with CORS (JSONP
        // scripts, `no-cors` sends, framed pages) only from responses that allow it; browsers allow any
        // page without COEP to load them anyway, so this gives no page more than it had.
        res.setHeader('Cross-Origin-Resource-Policy', 'cross-origin');
        try {
            // Not `new URL(req.url, base)`: it reads `//…` as a host and throws (GET // is the welcome page).
            const url = new URL('http://localhost' + (req.url ?? '/'));
            route(req, res, path, method, url);
        }
        catch (error) {
            // A bug in one request must not take the process, or other sessions, down.
            reply(res, 500, 'Internal error.', NO_CACHE);
            report(error);
        }
        return true;
    }
    function route(req, res, path, method, url) {
        if (path === '/' || path === '//') {
            if (method !== 'GET')
                return methodNotAllowed(res, 'GET');
            return reply(res, 200, 'Welcome to SockJS!\n', { 'Content-Type': TEXT });
        }
        if (path === '/info') {
            if (method === 'OPTIONS')
                return preflight(req, res, 'OPTIONS, GET');
            if (method !== 'GET')
                return methodNotAllowed(res, 'OPTIONS, GET');
            // The JSONP form answers whichever page loads it.
            if (refused(req, res, url.searchParams.has('c') || url.searchParams.has('callback')))
                return;
            return info(req, res, url, resolved);
        }
        if (path === BRIDGE_PATH) {
            if (method !== 'GET')
                return methodNotAllowed(res, 'GET');
            // The iframe pages relay what they hear to the page that embeds them: checked by its origin
            // on every load (revalidated, not cached, while origins are checked).
            if (refused(req, res, true))
                return;
            return servePage(req, res, bridgePage, true);
        }
        if (IFRAME_PATH.test(path)) {
            if (method !== 'GET')
                return methodNotAllowed(res, 'GET');
            if (refused(req, res, true))
                return;
            return servePage(req, res, page, !!checkOrigin);
        }
        if (path === '/websocket')
            return websocketOverHttp(res, method);
        const match = SESSION_PATH.exec(path);
        if (!match)
            return reply(res, 404, '');
        const [, , id = '', transport = ''] = match;
        if (transport === 'websocket')
            return websocketOverHttp(res, method);
        // Own members only: `__proto__` and `constructor` are transport names too, to the pattern.
        const spec = Object.prototype.hasOwnProperty.call(ROUTES, transport) ? ROUTES[transport] : undefined;
        if (!spec)
            return reply(res, 404, '');
        if (method === 'OPTIONS' && spec.preflight)
            return preflight(req, res, 'OPTIONS, ' + spec.methods);
        if (method !== spec.methods)
            return methodNotAllowed(res, spec.preflight ? 'OPTIONS, ' + spec.methods : spec.methods);
        if (refused(req, res, transport === 'jsonp'))
            return;
        if (spec.opens && full(id))
            return refuse(req, res, 503, shut ? 'Server shutting down.' : 'Too many sessions.', { 'Retry-After': '5' });
        const headers = resolved.jsessionid ? jsessionid(req) : {};
        const tuning = tuningOf(url, resolved);
        tuning.secrets = see(req, tuning, spec.opens
            ? (cookie) => {
                const set = headers['Set-Cookie'];
                headers['Set-Cookie'] = set ? [set, cookie].flat() : cookie;
            }
            : undefined);
        const ctx = {
            req,
            res,
            url,
            options: resolved,
            headers,
            tuning,
            session: () => {
                let session = sessions.get(id);
                if (!session) {
                    session = createSession(id, host, describe(req, transport));
                    sessions.set(id, session);
                }
                return session;
            },
            // A session that does not admit the request is, to it, one that does not exist.
            existing: () => {
                const session = sessions.get(id);
                return session?.admits(tuning.secrets) ? session : undefined;
            },
        };
        const done = spec.handler(ctx);
        if (done) {
            done.catch((error) => {
                reply(res, 500, 'Internal error.', NO_CACHE);
                report(error);
            });
        }
    }
    function websocketOverHttp(res, method) {
        if (!resolved.websocket)
            return reply(res, 404, '');
        if (method !== 'GET')
            return methodNotAllowed(res, 'GET');
        reply(res, 400, 'Can "Upgrade" only to "WebSocket".');
    }
    function handleUpgrade(req, socket, head) {
        const path = localPath(req.url ?? '/');
        if (path === null)
            return false;
        const match = SESSION_PATH.exec(path);
        const raw = path === '/websocket';
        if (!resolved.websocket || !(raw || match?.[3] === 'websocket'))
            return refuseUpgrade(socket, 404);
        socket.on('error', () => socket.destroy());
        // As over plain HTTP, and as the protocol asks: 405 with `Allow: GET` and no body.
        if (req.method !== 'GET')
            return refuseUpgrade(socket, 405, 'Allow: GET\r\n');
        if (checkOrigin && !checkOrigin(req, false))
            return refuseUpgrade(socket, 403);
        const url = new URL('http://localhost' + (req.url ?? '/'));
        const tuning = tuningOf(url, resolved);
        const id = match?.[2] ?? '';
        const existing = raw ? undefined : sessions.get(id);
        // A cometkit client moving this session onto a WebSocket (re-upgrade), or resuming it. Any other
        // upgrade opens a session, on an id in use too (the protocol allows it), and so takes a place.
        const reused = (tuning.takeOver && existing?.state === 'open') || (existing && tuning.pos !== undefined) ? existing : undefined;
        if (!reused && (shut || kept.size >= resolved.maxSessions))
            return refuseUpgrade(socket, 503, 'Retry-After: 5\r\n');
        if (!raw)
            tuning.secrets = see(req, tuning, (cookie) => upgrades.set(req, cookie));
        wss.handleUpgrade(req, socket, head, (ws) => {
            if (raw) {
                rawWebsocket(ws, createSession('raw-' + randomUUID(), host, describe(req, 'rawwebsocket')), resolved.bufferLimit);
                return;
            }
            if (reused) {
                framedWebsocket(ws, reused, tuning, resolved.bufferLimit, resolved.resumeLimit);
                return;
            }
            const session = createSession(id, host, describe(req, 'websocket'));
            // The protocol lets a WebSocket reuse a session id that is in use; only
            // a free id is registered (so that another tier can take it over later).
            if (!existing)
                sessions.set(id, session);
            framedWebsocket(ws, session, tuning, resolved.bufferLimit, resolved.resumeLimit);
        });
        return true;
    }
    Object.defineProperties(comet, {
        options: { value: Object.freeze(resolved), enumerable: true },
        sessions: {
            get: () => {
                const open = new Map();
                // A WebSocket that opened a session on an id in use shares the id: the one listed is the one
                // requests to that id reach.
                for (const s of live)
                    if (!open.has(s.id) || sessions.get(s.id) === s)
                        open.set(s.id, s);
                return open;
            },
            enumerable: true,
        },
    });
    comet.handleRequest = handleRequest;
    comet.handleUpgrade = handleUpgrade;
    comet.attach = (server) => {
        // Like sockjs-node: requests outside the prefix still reach the listeners the server had.
        for (const event of ['request', 'upgrade']) {
            const previous = server.listeners(event);
            server.removeAllListeners(event);
            server.on(event, (req, second, head) => {
                const handled = event === 'request'
                    ? handleRequest(req, second)
                    : handleUpgrade(req, second, head ?? Buffer.alloc(0));
                if (handled)
                    return;
                if (previous.length > 0) {
                    for (const listener of previous)
                        listener.call(server, req, second, head);
                }
                else if (event === 'request') {
                    reply(second, 404, '');
                }
                else {
                    second.destroy();
                }
            });
        }
    };
    comet.broadcast = (text) => {
        if (typeof text !== 'string')
            throw new TypeError('cometkit server: broadcast() takes a string');
        for (const session of live)
            session.send(text);
    };
    comet.close = (code = 1001, reason = 'Server shutting down') => {
        checkClose(code, reason);
        shut = true;
        for (const session of [...live])
            session.close(code, reason);
        for (const client of wss.clients)
            client.terminate();
        // As documented: later upgrades are refused (ws answers them 503).
        wss.close();
    };
    return comet;
}
/**
 * One line to a running server.
 * @example const { url } = await listen({ port: 8080, prefix: '/echo' }, (s) => s.on('message', (m) => s.send(m)));
 */
async function listen(options = {}, onConnection) {
    const { port = 0, host = '127.0.0.1', ...rest } = options;
    if (!Number.isInteger(port) || port < 0 || port > 65535) {
        throw new TypeError('cometkit server: option "port" must be an integer from 0 to 65535');
    }
    const comet = createServer(rest);
    if (onConnection)
        comet.on('connection', onConnection);
    const http = createServer$1();
    comet.attach(http);
    await new Promise((resolve, reject) => {
        http.once('error', reject);
        http.listen(port, host, () => resolve());
    });
    const address = http.address();
    const actual = typeof address === 'object' && address ? address.port : port;
    return {
        comet,
        http,
        port: actual,
        url: `http://${host.includes(':') ? `[${host}]` : host}:${actual}${comet.options.prefix}`,
        close: () => new Promise((resolve) => {
            comet.close();
            http.closeAllConnections();
            http.close(() => resolve());
        }),
    };
}

export { createServer, listen };
