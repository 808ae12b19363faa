// Shared helpers for the server tests (not a test file itself: `node --test`
// only runs files named like *.test.mjs).
import http from 'node:http';
import net from 'node:net';
import { once } from 'node:events';
import { WebSocket } from 'ws';
import { listen } from '../../dist/server.js';

export { listen };

/** How long any single awaited event may take before a helper gives up (a safety net, not a sleep). */
export const WAIT_MS = 3000;

let counter = 0;
/** A fresh session id per call, so tests sharing a server never collide. */
export function sid() {
  counter += 1;
  return `s${process.pid}x${counter}`;
}

/** Starts a server with fast timers unless the test overrides them. */
export function start(options = {}, onConnection) {
  return listen({ heartbeatDelay: 60000, disconnectDelay: 2000, ...options }, onConnection);
}

/** An echo server: every message comes back to its session. */
export function startEcho(options = {}) {
  return start(options, (session) => session.on('message', (m) => session.send(m)));
}

/** Resolves with the next 'connection' session of a server. */
export function nextConnection(server) {
  return withTimeout(once(server.comet, 'connection').then(([s]) => s), 'connection event');
}

export function withTimeout(promise, what, ms = WAIT_MS) {
  let timer;
  const guard = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out waiting for ${what}`)), ms);
  });
  return Promise.race([promise, guard]).finally(() => clearTimeout(timer));
}

/** Resolves once `predicate()` holds, checked every event-loop turn; rejects after WAIT_MS. */
export async function until(predicate, what) {
  const deadline = Date.now() + WAIT_MS;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setImmediate(resolve));
  }
}

/** Resolves once `server` holds a receiving request of session `id` (a poll, a stream). */
export const held = (server, id) => until(() => server.comet.sessions.get(id)?.receiver, `a request of session ${id} held`);

/**
 * A plain HTTP request with full control over headers (node:http, not fetch,
 * so Origin, Cookie and odd content types go out as given). Resolves with
 * status, headers and the whole body as a string.
 */
export function request(url, { method = 'GET', headers = {}, body } = {}) {
  return withTimeout(
    new Promise((resolve, reject) => {
      const req = http.request(url, { method, headers, agent: false }, (res) => {
        const chunks = [];
        res.on('data', (c) => chunks.push(c));
        res.on('end', () =>
          resolve({ status: res.statusCode, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }),
        );
        res.on('error', reject);
      });
      req.on('error', reject);
      if (body !== undefined) req.write(body);
      req.end();
    }),
    `${method} ${url}`,
  );
}

/** POSTs a JSON array of messages to xhr_send. */
export function xhrSend(base, id, messages, headers = {}) {
  return request(`${base}/000/${id}/xhr_send`, {
    method: 'POST',
    headers: { 'Content-Type': 'text/plain', ...headers },
    body: typeof messages === 'string' ? messages : JSON.stringify(messages),
  });
}

/** One xhr long-poll; resolves with the response (body holds one frame + "\n"). */
export function xhrPoll(base, id, headers = {}) {
  return request(`${base}/000/${id}/xhr`, { method: 'POST', headers });
}

/**
 * A held (streaming) response. `text` grows as data arrives; `until(pred)`
 * resolves once `pred(text)` holds, and `ended` resolves at the end of the body.
 */
export function openStream(url, { method = 'GET', headers = {} } = {}) {
  return withTimeout(
    new Promise((resolve, reject) => {
      const req = http.request(url, { method, headers, agent: false }, (res) => {
        const stream = {
          req,
          res,
          status: res.statusCode,
          headers: res.headers,
          text: '',
          done: false,
          waiters: new Set(),
          ended: null,
          until(pred, what = 'stream data') {
            if (pred(stream.text)) return Promise.resolve(stream.text);
            return withTimeout(
              new Promise((ok, fail) => {
                const waiter = () => {
                  if (pred(stream.text)) {
                    stream.waiters.delete(waiter);
                    ok(stream.text);
                  } else if (stream.done) {
                    stream.waiters.delete(waiter);
                    fail(new Error(`stream ended before ${what}; got ${JSON.stringify(stream.text.slice(-300))}`));
                  }
                };
                stream.waiters.add(waiter);
              }),
              what,
            );
          },
          abort() {
            req.destroy();
          },
        };
        res.setEncoding('utf8');
        res.on('data', (chunk) => {
          stream.text += chunk;
          for (const w of [...stream.waiters]) w();
        });
        stream.ended = new Promise((ok) => {
          const finish = () => {
            if (stream.done) return;
            stream.done = true;
            for (const w of [...stream.waiters]) w();
            ok(stream.text);
          };
          res.on('end', finish);
          res.on('close', finish);
        });
        resolve(stream);
      });
      req.on('error', reject);
      req.end();
    }),
    `response headers of ${method} ${url}`,
  );
}

// ---- Frame parsers, one per transport body format ----

/** xhr / xhr_streaming / poll: one frame per line (prelude stripped by the caller). */
export function xhrFrames(text) {
  return text.split('\n').slice(0, -1);
}

/** What an xhr_streaming response starts with: 2 KiB of `h` and a newline (SockJS's prelude). */
export const PRELUDE = 'h'.repeat(2048) + '\n';

/** xhr_streaming: the frames of a response body, prelude included. */
export function streamFrames(text) {
  return xhrFrames(text.slice(PRELUDE.length));
}

/** eventsource: `data: <frame>\r\n\r\n`, percent-escaped. */
export function eventsourceFrames(text) {
  const out = [];
  const re = /data: ([^\r\n]*)\r\n\r\n/g;
  let m;
  while ((m = re.exec(text)) !== null) out.push(decodeURI(m[1]));
  return out;
}

/** htmlfile: `<script>\np(<JSON string>);\n</script>\r\n`. */
export function htmlfileFrames(text) {
  const out = [];
  const re = /<script>\np\((".*?")\);\n<\/script>\r\n/g;
  let m;
  while ((m = re.exec(text)) !== null) out.push(JSON.parse(m[1]));
  return out;
}

/** jsonp: `/**\/<cb>(<JSON string>);\r\n`; returns [callback, frame]. */
export function jsonpFrame(text) {
  const m = /^\/\*\*\/([a-zA-Z0-9_.-]+)\((".*")\);\r\n$/s.exec(text);
  if (!m) throw new Error('not a JSONP frame: ' + JSON.stringify(text));
  return [m[1], JSON.parse(m[2])];
}

/** Messages of a list of frames, in order (`a[...]` frames only). */
export function messagesOf(frames) {
  return frames.filter((f) => f.startsWith('a')).flatMap((f) => JSON.parse(f.slice(1)));
}

// ---- WebSocket ----

/**
 * Opens a WebSocket (with request `headers`, if given) and queues what it receives: `next()`
 * resolves with the next text message, `closed` with `{ code, reason }`.
 */
export function openWs(url, { headers } = {}) {
  const ws = new WebSocket(url, { headers });
  const queue = [];
  const waiters = [];
  ws.on('message', (data) => {
    const text = data.toString('utf8');
    const w = waiters.shift();
    if (w) w(text);
    else queue.push(text);
  });
  const closed = new Promise((resolve) => {
    ws.on('close', (code, reason) => resolve({ code, reason: reason.toString() }));
  });
  ws.on('error', () => {});
  const client = {
    ws,
    queue,
    closed,
    /** The handshake's answer (the 101), for its headers; never settles for a refused upgrade. */
    upgraded: new Promise((resolve) => ws.once('upgrade', resolve)),
    next(what = 'websocket message') {
      if (queue.length > 0) return Promise.resolve(queue.shift());
      return withTimeout(new Promise((resolve) => waiters.push(resolve)), what);
    },
    opened: withTimeout(
      new Promise((resolve, reject) => {
        ws.once('open', resolve);
        ws.once('unexpected-response', (_req, res) => reject(Object.assign(new Error('upgrade refused'), { status: res.statusCode })));
        ws.once('error', reject);
      }),
      'websocket open',
    ),
  };
  return client;
}

export function wsUrl(base, path) {
  return base.replace(/^http/, 'ws') + path;
}

/** A raw HTTP/1.0 exchange over a socket; resolves with the whole response text once the server closes. */
export function rawHttp10(port, head) {
  return withTimeout(
    new Promise((resolve, reject) => {
      const socket = net.connect(port, '127.0.0.1', () => socket.write(head));
      let text = '';
      socket.setEncoding('utf8');
      socket.on('data', (d) => (text += d));
      socket.on('end', () => resolve(text));
      socket.on('error', reject);
    }),
    'HTTP/1.0 response',
  );
}

/**
 * Response-limit test for a streaming transport: the application sends `count`
 * messages over many ticks while the client reads one response after another
 * (each ended by the server at the response limit) until it has them all.
 * `open(id)` opens a response, `parse(text)` turns a (partial) body into frames.
 * Returns { messages, responses, frames, bodies } for the caller's assertions.
 */
export async function readAcrossResponses(server, { open, parse, count = 60 }) {
  const id = sid();
  const connection = nextConnection(server);
  let stream = await open(id);
  const session = await connection;
  void (async () => {
    for (let i = 0; i < count; i += 1) {
      session.send(`message-${i}`);
      if (i % 3 === 2) await new Promise((r) => setImmediate(r));
    }
  })();
  const messages = [];
  const frames = [];
  const bodies = [];
  for (;;) {
    const before = messages.length;
    const text = await stream.until((t) => stream.done || before + messagesOf(parse(t)).length >= count, 'messages');
    const got = parse(text);
    frames.push(...got);
    messages.push(...messagesOf(got));
    bodies.push(text);
    if (messages.length >= count) break;
    if (bodies.length > count) throw new Error('too many responses');
    stream = await open(id);
  }
  stream.abort();
  return { id, session, messages, frames, bodies, expected: Array.from({ length: count }, (_, i) => `message-${i}`) };
}
