// Clients for the network tests: a raw HTTP stream reader that timestamps every chunk, a
// WebSocket that records frames, and a cometkit echo server. Every wait is bounded.
import { request } from 'node:http';
import { connect } from 'node:net';
import WebSocket from 'ws';
import { listen } from '../../dist/server.js';

export const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

let sessions = 0;
/** A fresh session path under the service, e.g. `/echo/000/n1a2b3c/`. */
export const sessionPath = (prefix = '/echo') => `${prefix}/000/n${(++sessions).toString(36)}${Math.random().toString(36).slice(2, 8)}`;

/** The cometkit reference server as an echo service at /echo. */
export async function startEcho({ heartbeatDelay = 25000, ...options } = {}) {
  const server = await listen({ port: 0, prefix: '/echo', heartbeatDelay, ...options }, (session) =>
    session.on('message', (text) => session.send(text)),
  );
  return { ...server, origin: `http://127.0.0.1:${server.port}`, connections: () => new Promise((resolve) => server.http.getConnections((_e, n) => resolve(n))) };
}

/** Resolves once `predicate()` is true (checked every 10 ms); rejects after `timeout` ms with `what`. */
export async function until(predicate, timeout, what) {
  const deadline = Date.now() + timeout;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeout} ms waiting for ${what}`);
    await sleep(10);
  }
}

/**
 * Opens a raw HTTP request (own connection) and records the response as it streams.
 * Returns { chunks: [{ at, bytes, text }], status, headers, headersAt, outcome, endedAt, text(), bytes(),
 *           firstByteAt(), waitFor(textOrFn, timeout), ended(timeout), destroy() }.
 * `at` values are ms since the request was made; outcome: 'end' | 'aborted' | 'error: …' | null (still open).
 */
export function openStream(url, { method = 'GET', body, headers = {} } = {}) {
  const t0 = Date.now();
  const stream = {
    chunks: [],
    status: null,
    headers: null,
    headersAt: null,
    outcome: null,
    endedAt: null,
    text: () => stream.chunks.map((c) => c.text).join(''),
    bytes: () => stream.chunks.reduce((n, c) => n + c.bytes, 0),
    firstByteAt: () => stream.chunks[0]?.at ?? null,
    waitFor: (want, timeout = 2000) =>
      until(() => (typeof want === 'function' ? want(stream) : stream.text().includes(want)), timeout, `${JSON.stringify(String(want))} on ${url}`),
    ended: (timeout = 3000) => until(() => stream.outcome !== null, timeout, `the end of ${url}`).then(() => stream.outcome),
    destroy: () => req.destroy(),
  };
  const finish = (outcome) => {
    if (stream.outcome !== null) return;
    stream.outcome = outcome;
    stream.endedAt = Date.now() - t0;
  };
  const req = request(url, { method, headers, agent: false }, (res) => {
    stream.status = res.statusCode;
    stream.headers = res.headers;
    stream.headersAt = Date.now() - t0;
    res.on('data', (data) => stream.chunks.push({ at: Date.now() - t0, bytes: data.length, text: data.toString('latin1') }));
    res.on('end', () => finish('end'));
    res.on('aborted', () => finish('aborted'));
    res.on('error', () => finish('aborted'));
    res.on('close', () => finish('aborted'));
  });
  req.on('error', (error) => finish(`error: ${error.code ?? error.message}`));
  req.end(body);
  return stream;
}

/** POSTs messages to `<session>/xhr_send` on its own connection; resolves the status. */
export function xhrSend(url, messages, timeout = 3000) {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: 'POST', agent: false, headers: { 'Content-Type': 'text/plain' } }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode));
    });
    req.on('error', reject);
    req.setTimeout(timeout, () => req.destroy(new Error(`xhr_send to ${url} timed out`)));
    req.end(JSON.stringify(messages));
  });
}

/**
 * A WebSocket (the `ws` package) that records what happens.
 * Returns { ws, frames: [{ at, data }], opened (ms or null), status and statusBody (of a refused upgrade),
 *           closed: { at, code } | null, waitFor(frameText, timeout), waitClosed(timeout), send(text) }.
 */
export function openWebSocket(url) {
  const t0 = Date.now();
  const ws = new WebSocket(url.replace(/^http/, 'ws'));
  const socket = { ws, frames: [], opened: null, status: null, statusBody: null, closed: null };
  ws.on('open', () => (socket.opened = Date.now() - t0));
  ws.on('message', (data) => socket.frames.push({ at: Date.now() - t0, data: String(data) }));
  ws.on('unexpected-response', (_req, res) => {
    socket.status = res.statusCode;
    socket.statusBody = '';
    res.on('data', (data) => (socket.statusBody += data));
    res.on('end', () => ws.terminate());
    res.on('error', () => ws.terminate());
  });
  ws.on('error', () => {});
  ws.on('close', (code) => (socket.closed = { at: Date.now() - t0, code }));
  socket.waitFor = (text, timeout = 2000) => until(() => socket.frames.some((f) => f.data === text), timeout, `frame ${text} on ${url}`);
  socket.waitClosed = (timeout = 3000) => until(() => socket.closed !== null, timeout, `close of ${url}`).then(() => socket.closed);
  socket.send = (text) => ws.send(JSON.stringify([text]));
  return socket;
}

/** Whether something accepts TCP connections on the port. */
export function accepts(port) {
  return new Promise((resolve) => {
    const socket = connect({ port, host: '127.0.0.1' });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}
