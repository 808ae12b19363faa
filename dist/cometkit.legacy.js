var cometkit = (function (exports) {

    /**
     * The longest delay `setTimeout` holds, 2^31 - 1 ms (about 24.8 days): a longer one fires at once.
     * Every number option is at most this (both builds), and the clients' timers are clamped to it.
     */
    var MAX_DELAY = 2147483647;
    /**
     * Full-jitter exponential backoff: a random delay in [0, min(cap, base·2^(attempt-1))).
     * Spreads a crowd of clients reconnecting to a restarted server.
     */
    function backoff(base, cap) {
        return function (attempt) { return Math.floor(Math.random() * Math.min(cap, base * Math.pow(2, (attempt - 1)))); };
    }
    /** Per-tier open timeout: sockjs-client's RTO scaled by round trips, never under `floor`. 5 s while the RTT is unknown. */
    function openTimeout(rtt, roundTrips, floor) {
        return Math.max(floor, rtt === undefined ? 5000 : (rtt > 100 ? 4 * rtt : 300 + rtt) * roundTrips);
    }

    /**
     * UTF-8 bytes of `text`: what a message weighs against the send queue's byte
     * bound, in both builds (a Blob would say the same, far slower in Chromium).
     */
    function utf8Bytes(text) {
        var n = text.length;
        for (var i = 0; i < text.length; i++) {
            var c = text.charCodeAt(i);
            // 2 bytes below 2048; 3 above, but a surrogate half counts 2 (its pair makes 4).
            if (c > 127)
                n += c < 2048 || c >> 11 == 27 ? 1 : 2;
        }
        return n;
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
    function fit(messages, max) {
        if (max === void 0) { max = 1048576; }
        var n = 0;
        while (n < messages.length && ((max -= messages[n].length * 9 + 3) > 99 || !n))
            n++;
        return n;
    }

    var counter = 0;
    /** A name no other cometkit request on this page uses: callbacks, iframe names. */
    function uniqueName() {
        return '_ck' + ++counter + Math.random().toString(36).slice(2, 8);
    }
    /** Removes `node` from the page, if there; for the legacy build, whose pages lack `Element#remove`. */
    function remove(node) {
        // (`&&`, not `?.`: ES3 spells each `?.` out at length.)
        var parent = node && node.parentNode;
        if (parent)
            parent.removeChild(node);
    }

    /**
     * The DOM an IE 7-class page has: DOM 0 properties, getElementsByTagName,
     * and either the standard event model or IE's attachEvent.
     */
    /**
     * Adds (`on`) or removes a listener: the standard way where it exists, IE's
     * attachEvent where that is all there is, and nothing where neither is
     * (a DOM 0 `on<type>` property would overwrite the page's own handler).
     * Called as methods, never through `.call`: IE 8 and older's DOM methods are
     * host objects without call/apply.
     */
    function listen(target, type, listener, on) {
        var t = target;
        if (t.addEventListener && t.removeEventListener) {
            if (on)
                t.addEventListener(type, listener, false);
            else
                t.removeEventListener(type, listener, false);
        }
        else if (t.attachEvent && t.detachEvent) {
            if (on)
                t.attachEvent('on' + type, listener);
            else
                t.detachEvent('on' + type, listener);
        }
    }
    /** Milliseconds since the epoch (Date.now is ES5). */
    function now() {
        return new Date().getTime();
    }
    /**
     * Puts a node first in `<head>` (scripts) or `<body>` (forms, frames).
     * insertBefore rather than appendChild: IE 7 aborts the whole page
     * ("Operation aborted") when a script appends to an element still being parsed.
     */
    function insert(node, inBody) {
        var parent = (inBody ? document.body : document.getElementsByTagName('head')[0]) || document.documentElement;
        parent.insertBefore(node, parent.firstChild);
    }

    /**
     * POSTs `data` (as form field `d`, or no field) by a hidden form into a
     * hidden iframe: the one upstream path an IE 7 page has across origins, with
     * no XHR and no CORS. `done(true)` once the iframe loads (the answer is on the
     * server's origin and unreadable: arriving is all a page learns), `done(false)`
     * after `timeout` ms without. Both nodes are removed either way. Returns a
     * function that removes them at once (cancelling the post if still running).
     * src/client/control.ts has the same idea but names the frame after creating
     * it and listens with onload only, which IE 7 and 8 ignore on such frames.
     */
    function formPost(url, data, timeout, done) {
        var name = uniqueName();
        var frame;
        try {
            // IE 7 ignores a name set after creation: the form would open a new window.
            frame = document.createElement('<iframe name="' + name + '">');
        }
        catch (_a) {
            frame = document.createElement('iframe');
            frame.name = name;
        }
        var form = document.createElement('form');
        form.style.display = frame.style.display = 'none';
        form.method = 'POST';
        form.action = url;
        form.target = name;
        if (data != null) {
            var field = document.createElement('textarea');
            field.name = 'd';
            field.value = data;
            form.appendChild(field);
        }
        var cleanup = function () {
            clearTimeout(timer);
            frame.onload = frame.onreadystatechange = null;
            remove(form);
            remove(frame);
        };
        var end = function (ok) {
            // The answer page is unreadable across origins, but its child frames can be counted: a resuming
            // client's answer has one, an error page for a cut post none. Where even that is refused, it
            // counts as an answer.
            var framed = true;
            try {
                framed = ok && frame.contentWindow.length > 0;
            }
            catch (_a) {
                // counted as framed
            }
            cleanup();
            done(ok, framed);
        };
        insert(frame, true);
        insert(form, true);
        form.submit();
        var timer = setTimeout(function () { return end(false); }, timeout);
        // Handlers come after submit(), and the blank document's own load (late
        // in some engines) is not the answer: only the server's page counts.
        frame.onload = frame.onreadystatechange = function () {
            try {
                if (frame.contentWindow.location.href == 'about:blank')
                    return;
            }
            catch (_a) {
                // another origin's page: the answer (a frame without a window throws too, and goes on alike)
            }
            if (!frame.readyState || frame.readyState == 'complete')
                end(true);
        };
        return cleanup;
    }

    /**
     * JSON without the native JSON object (IE 7, and IE 8 in IE 7 mode): a
     * serializer for the string arrays the client sends, and a hand parser for
     * what server frames hold. The parser never evaluates anything, so a hostile
     * or broken frame cannot run code, and no CSP `unsafe-eval` is needed.
     */
    // Escaped as \uXXXX: controls and everything beyond ASCII, so a send body is
    // pure ASCII and survives a page in any charset (windows-1252 intranet pages,
    // a form's accept-charset that IE ignores). Quote and backslash get \" and \\.
    // eslint-disable-next-line no-control-regex -- the control characters are the point
    var UNSAFE = /["\\\x00-\x1f\x7f-\uffff]/g;
    function escapeChar(c) {
        return c == '"' || c == '\\' ? '\\' + c : '\\u' + (0x10000 + c.charCodeAt(0)).toString(16).slice(1);
    }
    /** `["m1","m2"]`, ASCII only. */
    function stringify(messages) {
        var out = [];
        for (var _i = 0, messages_1 = messages; _i < messages_1.length; _i++) {
            var m = messages_1[_i];
            out.push('"' + m.replace(UNSAFE, escapeChar) + '"');
        }
        return '[' + out.join(',') + ']';
    }
    var ESCAPES = { '"': '"', '\\': '\\', '/': '/', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t' };
    // Tokens, matched at a given position. The string pattern is "unrolled"
    // (no alternation inside the star), so a 64 KiB message costs no backtracking stack.
    var STRING = /"([^"\\]*(?:\\.[^"\\]*)*)"/g;
    var NUMBER = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/g;
    var SPACE = /[ \t\r\n]*/g;
    function unescapeString(s) {
        if (s.indexOf('\\') < 0)
            return s;
        // IE 8 passes '' rather than undefined for a group that did not match: test truthiness only.
        return s.replace(/\\(?:u([0-9a-fA-F]{4})|(.))/g, function (_, hex, c) {
            var e = hex ? String.fromCharCode(parseInt(hex, 16)) : ESCAPES[c];
            if (e == null)
                throw new SyntaxError('bad escape \\' + c);
            return e;
        });
    }
    /** Parses a JSON string, number or array (of those, nested). Throws a SyntaxError on anything else. */
    function parse(text) {
        var pos = 0;
        // The token `re` matches exactly at `pos`, or null. Sets lastIndex itself:
        // IE 8 misreports it after empty matches.
        var at = function (re) {
            re.lastIndex = pos;
            var m = re.exec(text);
            if (!m || m.index != pos)
                return null;
            pos += m[0].length;
            return m[0];
        };
        var value = function () {
            at(SPACE);
            var c = text.charAt(pos);
            if (c == '[') {
                pos++;
                var list = [];
                at(SPACE);
                if (text.charAt(pos) == ']') {
                    pos++;
                    return list;
                }
                for (;;) {
                    list.push(value());
                    at(SPACE);
                    var d = text.charAt(pos++);
                    if (d == ']')
                        return list;
                    if (d != ',')
                        break;
                }
            }
            else {
                var token = at(c == '"' ? STRING : NUMBER);
                if (token != null)
                    return c == '"' ? unescapeString(token.slice(1, -1)) : +token;
            }
            throw new SyntaxError('unexpected input at ' + pos);
        };
        var result = value();
        at(SPACE);
        if (pos < text.length)
            throw new SyntaxError('unexpected input at ' + pos);
        return result;
    }

    /**
     * Session URL stem `<base>/<server>/<session>`, as SockJS clients pick them:
     * three random digits (load-balancer affinity) and eight random characters.
     * src/client/util/url.ts needs padStart/padEnd, which are ES2017.
     */
    function sessionUrl(base) {
        var server = String(1000 + Math.floor(Math.random() * 1000)).slice(1);
        return base + '/' + server + '/' + (Math.random().toString(36) + '00000000').slice(2, 10);
    }
    /**
     * The service URL without its #fragment (browsers never send one), split at its first `?`:
     * [path, its own query as `&…`, or '']. Not a split by a regular expression with a capture
     * group, which old IE gets wrong.
     */
    function splitUrl(url) {
        var whole = url.split('#')[0];
        var at = whole.indexOf('?');
        return at < 0 ? [whole, ''] : [whole.slice(0, at), '&' + whole.slice(at + 1)];
    }
    /** `path` with a query given as `&…` (or ''), its first `&` made the `?` that starts it. */
    function withQuery(path, query) {
        return path + query.replace('&', '?');
    }

    /** How long one send post may take before the connection counts as broken, ms. */
    var SEND_TIMEOUT = 30000;
    /**
     * The post where the page has `fetch` (an old page in a new browser): `no-cors`, so no CORS is needed;
     * the answer is unreadable, but a cut request fails, which a form post cannot tell (Firefox fires no
     * event for a cut form post). Same contract as formPost: `done(ok)` once (never framed: an error page a
     * proxy gave reads as the server's `ok`), a cancel function.
     */
    function fetchPost(url, body, done) {
        var over = false;
        var end = function (ok) {
            if (!over) {
                over = true;
                clearTimeout(timer);
                done(ok);
            }
        };
        var timer = setTimeout(function () { return end(false); }, SEND_TIMEOUT);
        // In a Blob labelled plain `text/plain` (a string goes as `text/plain;charset=UTF-8`): Vert.x's
        // jsonp_send takes that or a form only, and refuses anything else, unseen behind the opaque answer.
        window.fetch(url, { method: 'POST', mode: 'no-cors', credentials: 'include', body: new Blob([body], { type: 'text/plain' }) }).then(function () { return end(true); }, function () { return end(false); });
        return function () {
            over = true;
            clearTimeout(timer);
        };
    }
    /** Tells a cometkit server that its client has left `session` (`POST …/close`), so it frees it at once. */
    function leave(session, extra) {
        // sendBeacon survives page unload where the page has it; a form post serves everywhere.
        var url = withQuery(session + '/close', extra);
        // (At most 3 s: the session expires by itself anyway, and Firefox fires no event for a post the
        // network refuses, a server down, which would keep its frame and form for the send timeout.)
        if (!(navigator.sendBeacon && navigator.sendBeacon(url)))
            formPost(url, null, 3000, function () { });
    }
    /**
     * Client-to-server messages on their own requests, never behind the held
     * receiving request: one `jsonp_send` post in flight (a no-cors fetch where the
     * page has fetch, else a form post), everything queued meanwhile goes in the
     * next one, at once (in as many as the server's body limit asks); `arrived(last)`
     * once the batch ending at upstream position `last` is in; `frame(text)` hands the receiver's sink a
     * close the server would have sent. Every request carries
     * `extra`, the service URL's own query (`&…` or ''). The rules of
     * src/client/control.ts, which needs AbortController and JSON besides fetch.
     */
    function createControl(session, ck, fail, pos, arrived, extra, frame, wait) {
        var queue = [];
        // Upstream position of queue[0].
        var seq = 0;
        var cancel = null;
        var refused;
        var closed = false;
        // The last `k` the receiver brought, and the batch sent by fetch waiting for one.
        var got = -1;
        var confirmed = null;
        function pump() {
            if (cancel || closed || !queue.length)
                return;
            // Within the server's body limit (src/client/util/fit.ts); the rest goes in the next post, at once.
            var max = ck.maxBody;
            var n = fit(queue, max);
            var body = stringify(queue.slice(0, n));
            // A resuming client numbers the batch and says what it has received (PROTOCOL.md, "Resume").
            var at = pos();
            var last = seq + n - 1;
            var url = withQuery(session + '/jsonp_send', extra + (at < 0 ? '' : '&pos=' + at + '&seq=' + seq));
            seq = last + 1;
            queue = queue.slice(n);
            var done = function (ok, framed) {
                // A body over the limit /info gave (ASCII: a fetch sends that many bytes, a form post more) was
                // refused 413, which an opaque answer or a form post cannot show, and the server ends the session
                // (1009): the receiver hears it and the message is reported maybe not delivered, as in the modern
                // build. `cancel` stays set: nothing more is sent until then. (Not against the 1 MiB assumed
                // without /info: a stock server takes more, and never ends the session for it.) A proxy whose limit
                // is no higher (nginx's client_max_body_size) refuses or cuts the body first and the server never
                // sees it: with no close within the send timeout, the client ends the session as the server would
                // have. Failing the send instead would resume the session and send the message again, for ever.
                if (body.length > max) {
                    // (The server, which may never have seen the body, is told, or it would keep the session.)
                    refused = setTimeout(function () {
                        frame('c[1009,"Message too big"]');
                        leave(session, extra);
                    }, SEND_TIMEOUT);
                    return;
                }
                if (!ok)
                    return fail('send failed or timed out after ' + SEND_TIMEOUT + ' ms');
                // A numbered batch arrived only if the answer says so (a stock server's `ok` is never numbered),
                // or, sent by fetch, once the server's `k` on the receiver does (it owes one for each): without it
                // within the liveness wait the connection ends, and the resumed session gets the batch again.
                if (at >= 0 && !framed) {
                    if (!byFetch)
                        return fail('send failed: cut short');
                    refused = setTimeout(function () { return fail('send timed out'); }, wait);
                    return (confirmed = function () { return got >= last && (clearTimeout(refused), (confirmed = null), proceed()); })();
                }
                proceed();
            };
            var proceed = function () {
                cancel = null;
                arrived(last);
                pump();
            };
            var byFetch = window.fetch;
            cancel = byFetch ? fetchPost(url, body, done) : formPost(url, body, SEND_TIMEOUT, done);
        }
        return {
            send: function (messages, from) {
                if (!queue.length)
                    seq = from;
                queue = queue.concat(messages);
                pump();
            },
            close: function (notify) {
                closed = true;
                clearTimeout(refused);
                if (cancel)
                    cancel();
                cancel = null;
                if (notify && ck.close)
                    leave(session, extra);
                // The queue holds the last messages given: each batch out is taken from its front.
                return queue.length;
            },
            kept: function (pos) {
                if (pos > got)
                    got = pos;
                if (confirmed)
                    confirmed();
            }
        };
    }

    /**
     * The modern build's NegotiationError as a plain Error with `name` and
     * `attempts`: its class compiles to ES5 helpers that need Object.create or
     * setPrototypeOf, and subclassing Error breaks `instanceof` in ES5 anyway.
     * Test `error.name == 'NegotiationError'`, which also works across frames.
     */
    function negotiationError(attempts, elapsed) {
        var parts = [];
        for (var _i = 0, attempts_1 = attempts; _i < attempts_1.length; _i++) {
            var a = attempts_1[_i];
            parts.push(a.transport + ' ' + a.outcome + ' (' + a.reason + ', ' + a.time + ' ms)');
        }
        var error = new Error('All transports failed in ' + elapsed + ' ms: ' + parts.join('; '));
        error.name = 'NegotiationError';
        error.attempts = attempts;
        return error;
    }

    function mitt(n){return {all:n=n||new Map,on:function(t,e){var i=n.get(t);i?i.push(e):n.set(t,[e]);},off:function(t,e){var i=n.get(t);i&&(e?i.splice(i.indexOf(e)>>>0,1):n.set(t,[]));},emit:function(t,e){var i=n.get(t);i&&i.slice().map(function(n){n(e);}),(i=n.get("*"))&&i.slice().map(function(n){n(t,e);});}}}

    /**
     * mitt calls `indexOf` on a handler list in off() and `slice().map()` in
     * emit(): ES5 array methods. Each list mitt gets carries its own three, so
     * the page's Array.prototype is never touched (old pages patch it themselves).
     */
    function handlerList(items) {
        items.indexOf = function (fn) {
            for (var i = 0; i < items.length; i++)
                if (items[i] === fn)
                    return i;
            return -1;
        };
        items.slice = function () {
            var copy = [];
            for (var _i = 0, items_1 = items; _i < items_1.length; _i++) {
                var fn = items_1[_i];
                copy.push(fn);
            }
            return handlerList(copy);
        };
        // eslint-disable-next-line no-restricted-properties -- defining it on this one list, for mitt
        items.map = function (call) {
            var out = [];
            for (var i = 0; i < items.length; i++)
                out.push(call(items[i], i, items));
            return out;
        };
        return items;
    }
    /**
     * The modern build's emitter (src/client/events.ts: `on()` returns an
     * unsubscribe, a throwing handler cannot break the caller) on mitt with an
     * object-backed map instead of `Map`, which IE 10 and older lack.
     */
    /** Reports what application code threw where the page's error handling sees it, later. */
    function rethrow(error) {
        setTimeout(function () {
            throw error;
        }, 0);
    }
    function createEmitter() {
        // '$' keeps event names clear of Object.prototype's ('constructor', 'toString').
        var lists = {};
        var all = {
            get: function (type) { return lists['$' + type]; },
            set: function (type, items) {
                lists['$' + type] = handlerList(items);
            }
        };
        var bus = mitt(all);
        return {
            on: function (type, handler) {
                bus.on(type, handler);
                return function () { return bus.off(type, handler); };
            },
            off: function (type, handler) { return bus.off(type, handler); },
            emit: function (type, event) {
                try {
                    bus.emit(type, event);
                }
                catch (error) {
                    // A throwing handler must not kill the transport that is delivering.
                    rethrow(error);
                }
            }
        };
    }

    /**
     * The SockJS 0.3 wire format, shared by the client and the server so both
     * speak exactly one dialect.
     */
    /** Sent once, as the first frame of a new session. */
    /** The position of a `k<pos>` frame, or -1 for any other frame. */
    function keptPosition(text) {
        return /^k\d{1,15}$/.test(text) ? +text.slice(1) : -1;
    }

    function allStrings(list) {
        for (var _i = 0, list_1 = list; _i < list_1.length; _i++) {
            var v = list_1[_i];
            if (typeof v != 'string')
                return false;
        }
        return true;
    }
    /**
     * Decodes one server frame, as src/protocol/frames.ts does, but without
     * JSON.parse, Array.isArray or Array#every (ES5). Throws an Error naming the
     * frame for malformed input, so the caller can report it and go on.
     */
    function decodeFrame(text) {
        var type = text.charAt(0);
        if (text.length == 1 && (type == 'o' || type == 'h'))
            return [type];
        var pos = keptPosition(text);
        if (pos >= 0)
            return ['k', pos];
        var value;
        try {
            value = parse(text.slice(1));
        }
        catch (_a) {
            // falls through to the error below
        }
        if (type == 'm' && typeof value == 'string')
            value = [value];
        if (value instanceof Array) {
            if ((type == 'a' || type == 'm') && allStrings(value))
                return ['a', value];
            if (type == 'c' && typeof value[0] == 'number' && typeof value[1] == 'string')
                return ['c', value[0], value[1]];
        }
        throw new Error('Malformed frame: ' + text.slice(0, 64));
    }

    /**
     * How long a script may still call back after IE reports it `loaded`: IE 9
     * and older have no reliable onerror on scripts and may report `loaded`
     * just before running the script.
     */
    var GRACE = 1000;
    /**
     * The one window global, named once per copy of the build, whose properties are the requests'
     * callbacks (`c=<holder>.<callback>`: SockJS servers take dots, and sockjs-client's own are `_jp.a…`).
     * IE 8 and older cannot delete a window property: a global per request would stay, blanked, for the
     * life of the page, thousands on a long JSONP session. An ordinary object's property deletes in every
     * engine; the holder goes too once empty, where the engine lets it.
     */
    var HOLDER = uniqueName();
    /** Callbacks in the holder. */
    var held = 0;
    /**
     * `GET <url>?c=<callback>` by script tag, the one cross-origin read an IE 7
     * page has. The callback, in the holder, is unique to this request; it and
     * the script are removed on every path: answer, failed load, `timeout` ms
     * without an answer (all an IE 8 page learns of a failure), and cancel.
     * `done` gets '' and the callback's argument, or the reason it failed.
     * (The modern build loads the script inside a private iframe instead, one
     * per connection: it needs no global.)
     */
    function jsonp(url, timeout, done) {
        var globals = window;
        var holder = (globals[HOLDER] || (globals[HOLDER] = {}));
        var name = uniqueName();
        held++;
        var script = document.createElement('script');
        var report = done;
        var finished = false;
        var grace;
        var end = function (error, value) {
            if (finished)
                return;
            finished = true;
            clearTimeout(timer);
            clearTimeout(grace);
            // Handlers on a removed node keep it alive in IE's separate DOM heap.
            script.onload = script.onerror = script.onreadystatechange = null;
            remove(script);
            // eslint-disable-next-line @typescript-eslint/no-dynamic-delete -- a per-request callback is the point
            delete holder[name];
            if (!--held) {
                try {
                    // eslint-disable-next-line @typescript-eslint/no-dynamic-delete
                    delete globals[HOLDER];
                }
                catch (_a) {
                    // IE 8 and older refuse (and throw): the empty holder stays, for the next request
                }
            }
            report(error, value);
        };
        var timer = setTimeout(function () { return end('timed out after ' + timeout + ' ms'); }, timeout);
        var failed = function () { return end('script failed to load'); };
        holder[name] = function (value) { return end('', value); };
        // onload and onerror fire after the script has run: no call by then means no answer.
        script.onload = script.onerror = failed;
        script.onreadystatechange = function () {
            if (!grace && /loaded|complete/.test(script.readyState))
                grace = setTimeout(failed, GRACE);
        };
        // The server's Content-Type says UTF-8 too; this covers servers that omit the charset.
        script.setAttribute('charset', 'UTF-8');
        script.src = url + (url.indexOf('?') < 0 ? '?' : '&') + 'c=' + HOLDER + '.' + name;
        insert(script);
        return function (linger) {
            report = function () { };
            // (A request that has ended has nothing to wait for: no timer for it.)
            if (!linger || finished)
                return end('');
            clearTimeout(timer);
            timer = setTimeout(function () { return end(''); }, linger);
        };
    }

    /** How long the `/info` probe may take, as in sockjs-client. */
    var INFO_TIMEOUT = 8000;
    /**
     * `GET <base>/info?c=<callback>` (after the service URL's own query, `extra`),
     * the JSONP form a cometkit server answers (`/**\/callback({...});`). A stock
     * SockJS server answers plain JSON, which
     * calls no callback (or never runs): `done(null)` then, and the client goes
     * straight to JSONP without extensions, as it also does when the probe fails.
     */
    function probe(base, extra, done) {
        var started = now();
        return jsonp(withQuery(base + '/info', extra), INFO_TIMEOUT, function (error, body) {
            var info = !error && body && typeof body == 'object' ? body : null;
            if (info)
                info.rtt = now() - started;
            done(info);
        });
    }

    /**
     * Throws the TypeError that every misuse gets, prefixed `cometkit: `, as
     * src/client/options.ts does (importing it would bring TypeScript's ES5
     * helpers for that module's object spread along).
     */
    function fail(message) {
        throw new TypeError('cometkit: ' + message);
    }
    // The type of each default is the type an option must have; `undefined`
    // defaults (transports, retry, WebSocket) are checked on their own.
    var DEFAULTS = {
        transports: undefined,
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
        WebSocket: undefined
    };
    var NAMES = ' websocket xhr-streaming iframe jsonp polling ';
    // Own keys only: old pages (Prototype.js and friends) add enumerable members to prototypes.
    var own = function (o, key) { return Object.prototype.hasOwnProperty.call(o, key); };
    /**
     * Validates once, synchronously, with the modern build's messages. Written
     * apart from src/client/options.ts, which needs object spread, Array#map/find
     * and JSON.stringify.
     */
    function resolveOptions(options) {
        var _a;
        var given = (options !== null && options !== void 0 ? options : {});
        if (typeof given != 'object')
            fail('options must be an object');
        var out = {};
        for (var key in DEFAULTS)
            if (own(DEFAULTS, key))
                out[key] = DEFAULTS[key];
        for (var key in given) {
            if (!own(given, key))
                continue;
            var value = given[key];
            if (!own(DEFAULTS, key))
                fail('unknown option "' + key + '"');
            if (value === undefined)
                continue;
            var type = key == 'transports' ? 'object' : typeof DEFAULTS[key] == 'undefined' ? 'function' : typeof DEFAULTS[key];
            // At most what a timer holds: a longer delay fires at once (a watchdog would spin).
            if (typeof value != type || (type == 'number' && !(value >= 0 && value <= MAX_DELAY))) {
                fail('option "' + key + '" must be a ' + (type == 'number' ? 'number from 0 to ' + MAX_DELAY : type == 'object' ? 'non-empty array' : type));
            }
            out[key] = value;
        }
        var list = ((_a = out.transports) !== null && _a !== void 0 ? _a : ['jsonp']);
        // toString, not instanceof: the array may come from another frame.
        if (Object.prototype.toString.call(list) != '[object Array]' || !list.length)
            fail('option "transports" must be a non-empty array');
        for (var _i = 0, list_1 = list; _i < list_1.length; _i++) {
            var t = list_1[_i];
            if (typeof t != 'string' || NAMES.indexOf(' ' + t + ' ') < 0)
                fail('unknown transport "' + String(t) + '"');
        }
        out.transports = list;
        return out;
    }

    /**
     * How long a poll given up keeps its callback (a no-op), ms: a cometkit server answers it at once when
     * told of a close, or when the session's next connection (a reconnection resuming it) takes over, and
     * a script that finds its callback gone raises an error in the page.
     */
    var LINGER = 3000;
    /**
     * JSONP mode: receives by script-tag long-poll (`jsonp`, one frame per
     * answer, then the next poll at once) and sends by form posts on the control
     * channel (`jsonp_send`). The sink contract of src/client/transports/types.ts:
     * `close` once when the connection ends by itself, nothing after close().
     * `query()` is each poll's query as `&…` (the service URL's own, `extra`, then
     * for resume `&pos=…` on the first, `&ack=…` on the renewals); `pos`, `arrived`
     * and `extra` go to the control channel. A poll waits for its answer `wait` ms: the client's liveness
     * wait (the server's heartbeat and `heartbeatTimeout`, times its patience after liveness drops).
     */
    function connect(session, ck, sink, query, pos, arrived, extra, wait) {
        var closed = false;
        var cancel = function () { };
        // (A stock server answers a held poll only at its next heartbeat: keeping the callback that long
        // would keep the page from being clean long after a close.)
        var linger = ck.close ? LINGER : 0;
        var end = function (notify) {
            closed = true;
            cancel(linger);
            return control.close(notify);
        };
        var fail = function (reason) {
            if (!closed) {
                end();
                sink.close(reason);
            }
        };
        var control = createControl(session, ck, fail, pos, arrived, extra, sink.frame, wait);
        // (`wait` is at most what a timer holds: an absurd advertised heartbeat must not make it fire at once.)
        var poll = function () {
            cancel = jsonp(withQuery(session + '/jsonp', query()), wait, function (error, frame) {
                if (closed)
                    return;
                if (error || typeof frame != 'string')
                    return fail('poll failed: ' + (error || 'not a frame'));
                sink.frame(frame);
                control.kept(keptPosition(frame));
                if (!closed)
                    poll();
            });
        };
        poll();
        return { send: control.send, close: end };
    }

    /** Runs delivery callbacks (one that throws cannot stop the others); returns the bytes freed. */
    function settle(list, error) {
        var bytes = 0;
        for (var i = 0; i < list.length; i++) {
            var done = list[i][1];
            bytes += list[i][2];
            try {
                if (done)
                    done(error);
            }
            catch (e) {
                rethrow(e);
            }
        }
        return bytes;
    }
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
    function createClient(url, options) {
        if (typeof url != 'string' || !/^(https?:)?\//.test(url))
            fail('url must be an http(s) URL or a path');
        var o = resolveOptions(options);
        var retry = o.retry || backoff(o.reconnectDelay, o.maxReconnectDelay);
        // The URL's own query (a token, say) goes on every request, after the path each request adds.
        var _a = splitUrl(url), path = _a[0], extra = _a[1];
        var base = path.replace(/\/+$/, '');
        var _b = createEmitter(), on = _b.on, off = _b.off, emit = _b.emit;
        var timers = {};
        var state = 'connecting';
        var conn = null;
        // The connection a negotiation is waiting on: a later negotiation, or the end, closes it (left, its
        // poll loop would go on by itself, unheard, for good).
        var opening = null;
        var preferred = false;
        var probing = null;
        var generation = 0;
        var retries = 0;
        // Upstream: messages the server has not confirmed, in order; pending[0] is at position `sent` + 1,
        // and the first `handed` went to the current connection. `bytes`: theirs, for the queue bound.
        var pending = [];
        var sent = 0;
        var handed = 0;
        var bytes = 0;
        // Downstream: messages delivered (`got`), and the position of the frame being read (`at`, behind
        // `got` while a resumed session repeats what came before).
        var got = 0;
        var at = 0;
        // The session URL while it is resumable (PROTOCOL.md, "Resume"): reconnections resume it.
        var sid = '';
        var lastSeen = 0;
        var deadAfter = 0;
        // Doubled (up to 8×) by each drop of a connection that heard nothing past the heartbeat delay (the
        // watchdog or a poll's timeout), until a frame is heard again: the next connections wait that much
        // longer, so a message longer in coming than the wait (a large one on a slow link) gets through,
        // where a fixed wait would cut it, and have it resent, for ever.
        var patience = 1;
        var attempts = [];
        var hideEvent = 'onpagehide' in window ? 'pagehide' : 'unload';
        var client = {
            on: on,
            off: off,
            send: function (text, done) {
                if (typeof text != 'string' || (done && typeof done != 'function'))
                    fail('send() takes a string and an optional callback');
                if (state == 'closed')
                    throw new Error('cometkit: send() on a closed client');
                var b = utf8Bytes(text);
                if (pending.length >= o.queueLimit || bytes + b > o.queueBytes) {
                    throw new Error('cometkit: send queue full (' + pending.length + ' messages, ' + bytes + ' bytes unconfirmed)');
                }
                bytes += b;
                // Sends made in one tick leave together: one form post.
                if (pending.push([text, done, b]) == handed + 1)
                    later('flush', flush, 0);
            },
            close: function (code, reason) {
                if (code === void 0) { code = 1000; }
                if (reason === void 0) { reason = 'Normal closure'; }
                if (typeof code != 'number' || code % 1 || (code != 1000 && !(code >= 3000 && code < 5000)) || typeof reason != 'string' || reason.length > 123) {
                    fail('close() takes a code of 1000 or 3000\u20134999 and a reason of up to 123 characters');
                }
                if (state == 'closed')
                    return;
                stop(true, 'closed');
                emit('close', { code: code, reason: reason, willReconnect: false });
            },
            state: state,
            transport: null,
            diagnostics: function () { return attempts.slice(); }
        };
        var setState = function (next, open) {
            client.state = state = next;
            client.transport = open ? 'jsonp' : null;
        };
        var later = function (name, fn, ms) {
            clearTimeout(timers[name]);
            // Clamped: a delay beyond what a timer holds fires at once (a `retry` that returns Infinity).
            if (fn)
                timers[name] = setTimeout(fn, Math.min(ms, MAX_DELAY));
        };
        var giveUp = function () {
            opening === null || opening === void 0 ? void 0 : opening.close();
            opening = null;
        };
        var online = function () {
            if (state == 'reconnecting')
                start();
        };
        // Gone offline: the connection is dead or about to be; dropped now, not after the heartbeat wait,
        // the client waits for `online` and resumes from there.
        var offline = function () {
            if (state == 'open')
                drop(1006, 'Offline', true);
        };
        // Leaving the page: free the server session now, not after its timeout; not into the back-forward
        // cache (`persisted`, new browsers): the page may come back and resume it, where an ended one would
        // answer with its close frame (1000) and close the client for good.
        var hide = function (e) {
            var notify = !(e && e.persisted);
            if (conn)
                drop(1001, 'Page hidden', true, false, notify);
            else if (notify && sid)
                leave(sid, extra);
        };
        var wire = function (on) {
            // IE 8 fires `online` and `offline` on document.body, not on window. (Read here, once the page has
            // loaded: a client made in the page's <head> meets no body yet.)
            var body = document.body;
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
        function start() {
            // (An `error` handler may have closed the client just before: a lost session starts afresh.)
            if (state == 'closed')
                return;
            later('retry');
            giveUp();
            var gen = ++generation;
            var started = now();
            var tried = (attempts = []);
            var info = null;
            // Once JSONP has worked, it goes first; the other names keep their order.
            var order = o.transports;
            if (preferred) {
                order = ['jsonp'];
                for (var _i = 0, _a = o.transports; _i < _a.length; _i++) {
                    var name_1 = _a[_i];
                    if (name_1 != 'jsonp')
                        order.push(name_1);
                }
            }
            var next = function (i) {
                var _a;
                var name = order[i];
                if (gen != generation)
                    return;
                if (!name) {
                    emit('error', { error: negotiationError(tried, now() - started) });
                    return drop(2000, 'All transports failed', false);
                }
                var since = now();
                // 0 while opening, 1 once open, 2 once failed.
                var phase = 0;
                var record = function (outcome, reason) {
                    tried.push({ transport: name, outcome: outcome, reason: reason, time: now() - since });
                    if (outcome != 'open') {
                        emit('transport', { from: name, to: order[i + 1] || null, reason: reason });
                        next(i + 1);
                    }
                };
                if (name != 'jsonp')
                    return record('skipped', 'not in the legacy build');
                var ms = openTimeout(info === null || info === void 0 ? void 0 : info.rtt, 1, o.timeout);
                var failTier = function (reason) {
                    if (phase || gen != generation)
                        return;
                    phase = 2;
                    clearTimeout(timer);
                    c === null || c === void 0 ? void 0 : c.close();
                    record('failed', reason);
                };
                var timer = setTimeout(function () { return failTier('timed out after ' + ms + ' ms'); }, ms);
                // Declared apart: a tier may call the sink before connect() returns.
                // eslint-disable-next-line prefer-const
                var c;
                // A resumable session is resumed from where the client is; a new one starts at 0 (the server
                // makes a session resumable only when asked at 0).
                var from = sid ? got : 0;
                var session = sid || sessionUrl(base);
                var first = o.resume;
                // The liveness wait (the watchdog's once open), which a held poll's answer must also come within.
                // (Once: each `?.` is a long expression in ES3.)
                var ck = (info && info.cometkit) || {};
                var wait = Math.min(MAX_DELAY, (((_a = ck.heartbeat) !== null && _a !== void 0 ? _a : 25000) + o.heartbeatTimeout) * patience);
                c = connect(session, ck, {
                    frame: function (text) {
                        if (gen != generation || phase == 2)
                            return;
                        if (phase)
                            return frame(text);
                        var kept = keptPosition(text);
                        if (text != 'o' && kept < 0) {
                            if (!sid || text.charAt(0) != 'c')
                                return failTier('unexpected first frame ' + text.slice(0, 32));
                            // A session that ended while the client was away answers with its close frame.
                            phase = 1;
                            clearTimeout(timer);
                            conn = c;
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
                            c.close();
                            lost('the server no longer had the session');
                            return start();
                        }
                        conn = c;
                        var resumed = !!sid;
                        if (resumed) {
                            at = from;
                            handed = 0;
                            confirm(kept);
                        }
                        else {
                            // What went to a session that is gone may or may not have arrived: at most once.
                            fresh();
                            if (kept >= 0 && o.resume)
                                sid = session;
                        }
                        // A delivery callback may have closed the client.
                        if (gen != generation)
                            return;
                        setState('open', true);
                        deadAfter = wait;
                        lastSeen = now();
                        watch();
                        later('stable', function () { return (retries = 0); }, o.stableAfter);
                        emit('open', { transport: 'jsonp', resumed: resumed });
                        flush();
                    },
                    close: function (reason) {
                        if (gen != generation)
                            return;
                        if (phase)
                            drop(1006, reason, true);
                        else
                            failTier(reason);
                    }
                }, 
                // The first poll says where the client resumes from; each renewal what it has, so that what
                // a cut swallowed comes again (the renewal's frame starts after it).
                function () { return extra + (first ? ((first = false), '&pos=' + from) : sid ? '&ack=' + (at = got) : ''); }, function () { return (sid ? got : -1); }, confirm, extra, wait);
                if (phase == 2)
                    c.close();
                else if (!phase)
                    opening = c;
            };
            var jsonpListed = false;
            for (var _b = 0, order_1 = order; _b < order_1.length; _b++) {
                var name_2 = order_1[_b];
                if (name_2 == 'jsonp')
                    jsonpListed = true;
            }
            if (!jsonpListed)
                return next(0);
            probing = probe(base, extra, function (result) {
                probing = null;
                info = result;
                next(0);
            });
        }
        function frame(text) {
            lastSeen = now();
            patience = 1;
            var c = conn;
            var f;
            try {
                f = decodeFrame(text);
            }
            catch (error) {
                // A bad frame is reported and skipped; the connection goes on.
                return emit('error', { error: error });
            }
            var type = f[0], value = f[1], reason = f[2];
            if (type == 'a') {
                for (var _i = 0, value_1 = value; _i < value_1.length; _i++) {
                    var data = value_1[_i];
                    // A resumed session may repeat what an older poll delivered: positions tell.
                    // A handler may have closed the client: stop delivering then.
                    if (++at > got && conn == c) {
                        got = at;
                        emit('message', { data: data });
                    }
                }
            }
            else if (type == 'k') {
                confirm(value);
            }
            else if (type == 'c') {
                // Any close but 2010 ends the session; 2011 and 2012 end it with messages lost.
                if (value != 2010) {
                    if (value == 2011 || value == 2012)
                        lost(reason);
                    sid = '';
                }
                // Application codes end the session for good; protocol codes (1001, 1002, 2010) are worth a retry.
                drop(value, reason, true, value == 1000 || (value >= 3000 && value < 5000));
            }
            else if (type == 'o') {
                drop(1006, 'Server lost session', true);
            }
        }
        // Wall-clock based, so a page whose timers the browser throttles still gets it right when they fire.
        function watch() {
            if (!conn)
                return;
            var left = lastSeen + deadAfter - now();
            if (left > 0)
                later('watch', watch, left);
            else
                drop(1006, 'No heartbeat for ' + deadAfter + ' ms', true);
        }
        function stop(notify, next) {
            generation++;
            probing === null || probing === void 0 ? void 0 : probing();
            probing = null;
            giveUp();
            // Messages the connection never sent out are not in doubt: a fresh session takes them (fresh()).
            if (conn)
                handed -= conn.close(notify);
            // Between connections none tells the server: a resumable session (only a cometkit server has one)
            // is told on a request of its own, or it would wait out its grace.
            else if (notify && sid)
                leave(sid, extra);
            conn = null;
            later('watch');
            later('stable');
            later('retry');
            setState(next);
            if (next == 'closed') {
                later('flush');
                wire(false);
                // What was in flight may or may not have arrived; the rest was never sent.
                var gone = pending;
                var flown = gone.splice(0, handed);
                pending = [];
                handed = 0;
                bytes -= settle(flown, new Error('cometkit: maybe not delivered: the connection dropped'));
                bytes -= settle(gone, new Error('cometkit: not delivered: closed'));
            }
        }
        // Ends the connection, then reconnects unless `forGood` or the options say otherwise; `notify` tells
        // the server at once (leaving the page, unless into the back-forward cache).
        function drop(code, reason, wasOpen, forGood, notify) {
            if (notify === void 0) { notify = code == 1001; }
            // An `error` handler (a failed negotiation, a lost session) may have closed the client already.
            if (state == 'closed')
                return;
            // (Silent past the heartbeat delay: a poll may time out before the watchdog, its slack being its own.)
            if (wasOpen && now() - lastSeen > deadAfter - o.heartbeatTimeout * patience && patience < 8)
                patience *= 2;
            var delay = forGood || !o.reconnect ? null : retry(retries + 1);
            var again = delay != null;
            stop(notify, again ? 'reconnecting' : 'closed');
            if (wasOpen || !again)
                emit('close', { code: code, reason: reason, willReconnect: again });
            // (Reconnecting means `again`, unless a `close` handler has closed the client.)
            if (state == 'reconnecting')
                emit('reconnecting', { attempt: ++retries, delay: delay });
            // While offline, wait for the browser's `online` event instead. (Not once a handler has closed the
            // client: no timer left behind.)
            if (state == 'reconnecting' && navigator.onLine !== false)
                later('retry', start, delay);
        }
        function flush() {
            if (!conn || handed >= pending.length)
                return;
            var batch = [];
            for (var i = handed; i < pending.length; i++)
                batch.push(pending[i][0]);
            var seq = sent + handed + 1;
            handed = pending.length;
            conn.send(batch, seq);
        }
        // The server has the client's messages up to position `pos`. (By what it confirms, not `pos`: a
        // broken server's `k` beyond what the client has would otherwise skip positions in its numbering.)
        function confirm(pos) {
            var done = pending.splice(0, pos - sent);
            sent += done.length;
            handed = handed > done.length ? handed - done.length : 0;
            bytes -= settle(done);
        }
        // A new session: what the last one was handed fails (it may not have arrived), the rest goes on it.
        function fresh() {
            var gone = pending.splice(0, handed);
            sent = handed = got = at = 0;
            sid = '';
            bytes -= settle(gone, new Error('cometkit: maybe not delivered: the session ended'));
        }
        // A resumable session is gone with messages in between: say so, and start afresh.
        function lost(why) {
            var error = new Error('cometkit: session lost (' + why + '); messages in between may be missing');
            error.name = 'SessionLostError';
            // Gone already: an error handler that closes the client has no session to tell the server of.
            sid = '';
            emit('error', { error: error });
            fresh();
        }
        // A long-poll <script> added while the page loads would hold its load event (and the
        // browser's busy indicator) until answered: begin once the page has loaded. (Nothing the listeners
        // hear matters before: they act on a connection or a reconnection.)
        var begin = function () {
            listen(window, 'load', begin, false);
            if (state != 'closed') {
                wire(true);
                start();
            }
        };
        var events = window;
        if (document.readyState == 'complete' || !(events.addEventListener || events.attachEvent))
            begin();
        else
            listen(window, 'load', begin, true);
        return client;
    }

    exports.createClient = createClient;

    return exports;

})({});
