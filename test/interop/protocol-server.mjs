// The four services the SockJS protocol test suite (sockjs-protocol 0.3.3) expects,
// on one port, plus server-push services for the network and resume tests: /stream (ticks) and
// /burst (messages on request, sent later).
// Run as a script: `PORT=8081 node test/interop/protocol-server.mjs`.
// The browser tests start the same services through startProtocolServer().
import { readFileSync } from 'node:fs';
import { createServer as createHttpServer } from 'node:http';
import { fileURLToPath } from 'node:url';
import { createServer } from '../../dist/server.js';
import { GATE_PREFIX, installGate } from './gate.mjs';

const SOCKJS_CLIENT = fileURLToPath(new URL('../../node_modules/sockjs-client/dist/sockjs.min.js', import.meta.url));
/** What the /policy-page page loads: the script-tag build and the fixture that runs one client. */
const PAGE_SCRIPTS = {
  '/static/cometkit.min.js': new URL('../../dist/cometkit.min.js', import.meta.url),
  '/static/policy-page.js': new URL('../integration/fixtures/policy-page.js', import.meta.url),
};
/** Where the iframe pages find stock sockjs-client: served by this same server, so nothing leaves the machine. */
export const SOCKJS_PATH = '/static/sockjs.min.js';

function echo(session) {
  session.on('message', (text) => session.send(text));
}

/** Interval of the /stream service's ticks, ms. */
export const TICK_INTERVAL = 100;

/**
 * /stream: every session gets "tick 1", "tick 2", … every TICK_INTERVAL ms from when it opens, and
 * echoes what it is sent. A fresh session starts again at 1, so a client sees per connection
 * whether the stream arrived whole and in order.
 */
export function tickStream(session) {
  let n = 0;
  const timer = setInterval(() => {
    if (session.send(`tick ${++n}`) === false) clearInterval(timer);
  }, TICK_INTERVAL);
  timer.unref?.();
  session.on('close', () => clearInterval(timer));
  echo(session);
}

/**
 * /not_frames/<kind>: a service whose JSONP polls call their callback with something other than a
 * frame (a string): `number`, `null`, `object`, or nothing (`none`); its /info is plain JSON. Bad
 * input for the client's JSONP tier.
 */
const NOT_FRAMES = '/not_frames/';
const NOT_FRAME_VALUES = { number: '12', null: 'null', object: '{"o":1}', none: '' };

function notFrames(req, res) {
  const url = new URL(req.url, 'http://localhost');
  const [kind, , , endpoint] = url.pathname.slice(NOT_FRAMES.length).split('/');
  const cors = { 'Access-Control-Allow-Origin': req.headers.origin ?? '*', 'Access-Control-Allow-Credentials': 'true', 'Cache-Control': 'no-store' };
  if (url.pathname === NOT_FRAMES + kind + '/info') {
    res.writeHead(200, { ...cors, 'Content-Type': 'application/json' });
    return res.end(JSON.stringify({ websocket: false, cookie_needed: false, origins: ['*:*'], entropy: 1 }));
  }
  const callback = url.searchParams.get('c') ?? '';
  if (endpoint !== 'jsonp' || !(kind in NOT_FRAME_VALUES) || !/^[\w.]+$/.test(callback)) {
    res.writeHead(404, cors);
    return res.end();
  }
  res.writeHead(200, { ...cors, 'Content-Type': 'application/javascript; charset=UTF-8' });
  res.end(`/**/${callback}(${NOT_FRAME_VALUES[kind]});\r\n`);
}

/** /burst's largest burst, bytes. */
const MAX_BURST = 4 * 1024 * 1024;

/**
 * /burst: echoes, and on `burst <count> <size> <delay>` sends, `delay` ms later (up to 10 s), `count`
 * messages `burst <i> xxx…` of `size` bytes each (i from 1; count × size up to 4 MiB) in one tick,
 * whether or not the client is there to take them: how a server keeps sending to a client cut off.
 */
export function burstStream(session) {
  const timers = new Set();
  session.on('message', (text) => {
    const order = /^burst (\d+) (\d+) (\d+)$/.exec(text);
    if (!order) return session.send(text);
    const [count, size, delay] = order.slice(1).map(Number);
    if (count * size > MAX_BURST || delay > 10000) return session.send(`burst refused: ${text}`);
    const timer = setTimeout(() => {
      timers.delete(timer);
      for (let i = 1; i <= count; i++) {
        const head = `burst ${i} `;
        if (session.send(head + 'x'.repeat(Math.max(0, size - head.length))) === false) break;
      }
    }, delay);
    timer.unref?.();
    timers.add(timer);
  });
  session.on('close', () => timers.forEach((timer) => clearTimeout(timer)));
}

/**
 * Outside the services: /policy-page?<JSON headers> (a page served with those headers, a
 * Content-Security-Policy or an embedder policy, that runs test/integration/fixtures/policy-page.js)
 * and the scripts it loads, under /static/.
 * Starts /echo, /close, /disabled_websocket_echo, /cookie_needed_echo, /stream (see tickStream), /burst (see burstStream), /sink and /token_echo (behind gate.mjs) on one
 * http.Server. Resolves with { port, url, http, sessions(), close(), crash() }: sessions() lists the open
 * sessions as `<prefix>/<session id>` (what a test needs to act on a session without its client); close() ends
 * every session with a close frame (1001 "Server shutting down"); crash() cuts
 * every connection, WebSockets included, with no frame at all, as a dying process would.
 */
export async function startProtocolServer({ port = 0, host = '127.0.0.1', options = {} } = {}) {
  const script = readFileSync(SOCKJS_CLIENT);
  const http = createHttpServer((req, res) => {
    if (req.url?.startsWith(NOT_FRAMES)) return notFrames(req, res);
    // /policy-page?<JSON headers>: a page served with those headers (a Content-Security-Policy, an
    // embedder policy), running policy-page.js (its hash says what).
    if (req.url?.startsWith('/policy-page?')) {
      let headers;
      try {
        headers = JSON.parse(decodeURIComponent(req.url.slice(13)));
      } catch {
        res.writeHead(400, { 'Content-Type': 'text/plain' });
        return res.end('The query must be a JSON object of headers.\n');
      }
      res.writeHead(200, { ...headers, 'Content-Type': 'text/html; charset=utf-8' });
      return res.end('<!doctype html><meta charset="utf-8"><title>policies</title><body><script src="/static/cometkit.min.js"></script><script src="/static/policy-page.js"></script>');
    }
    if (req.url in PAGE_SCRIPTS) {
      res.writeHead(200, { 'Content-Type': 'text/javascript; charset=utf-8', 'Cache-Control': 'no-store' });
      return res.end(readFileSync(PAGE_SCRIPTS[req.url]));
    }
    if (req.url === SOCKJS_PATH) {
      res.writeHead(200, { 'Content-Type': 'application/javascript', 'Cache-Control': 'max-age=3600' });
      res.end(script);
      return;
    }
    res.writeHead(404, { 'Content-Type': 'text/plain' });
    res.end('Not found\n');
  });
  const base = { sockjsUrl: SOCKJS_PATH, ...options };
  const services = [
    [{ prefix: '/echo', responseLimit: 4096 }, echo],
    [{ prefix: '/close' }, (session) => session.close(3000, 'Go away!')],
    [{ prefix: '/disabled_websocket_echo', websocket: false }, echo],
    [{ prefix: '/cookie_needed_echo', jsessionid: true }, echo],
    [{ prefix: '/stream', responseLimit: 4096 }, tickStream],
    [{ prefix: '/burst' }, burstStream],
    // Takes messages and sends none: a client that has only sent (its sends confirmed, nothing received).
    [{ prefix: '/sink' }, () => {}],
    // Behind a gate that refuses requests without the token in their query (gate.mjs); streaming
    // responses end after a frame or two, so that renewals (each with the query) are many.
    [{ prefix: GATE_PREFIX, responseLimit: 256 }, echo],
  ];
  const comets = services.map(([opts, onConnection]) => {
    const comet = createServer({ ...base, ...opts });
    comet.on('connection', onConnection);
    comet.attach(http);
    return comet;
  });
  installGate(http);
  // Upgraded sockets leave the server's own bookkeeping (closeAllConnections misses them): track every one.
  const sockets = new Set();
  http.on('connection', (socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });
  await new Promise((resolve, reject) => {
    http.once('error', reject);
    http.listen(port, host, resolve);
  });
  const actual = http.address().port;
  const close = () =>
    new Promise((resolve) => {
      for (const comet of comets) comet.close();
      http.closeAllConnections();
      http.close(() => resolve());
    });
  return {
    port: actual,
    url: `http://${host}:${actual}`,
    http,
    sessions: () => comets.flatMap((comet) => [...comet.sessions.keys()].map((id) => comet.options.prefix + '/' + id)),
    close,
    crash: async () => {
      const gone = [...sockets].map((socket) => new Promise((resolve) => socket.once('close', resolve)));
      for (const socket of sockets) socket.destroy();
      // Let the sessions see their connections die before close() would write close frames to them.
      await Promise.all(gone);
      await close();
    },
  };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const server = await startProtocolServer({ port: Number(process.env.PORT ?? 8081) });
  console.log(`SockJS protocol test services on ${server.url}: /echo /close /disabled_websocket_echo /cookie_needed_echo /stream /burst /token_echo`);
}
