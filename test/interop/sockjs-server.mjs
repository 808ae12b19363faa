// The stock `sockjs` npm server with the same /echo, /close and /stream services as
// protocol-server.mjs: the interop peer that cometkit's client must work against.
import { readFileSync } from 'node:fs';
import { createServer as createHttpServer } from 'node:http';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

import { GATE_PREFIX, installGate } from './gate.mjs';

const require = createRequire(import.meta.url);
const sockjs = require('sockjs');
const SOCKJS_CLIENT = fileURLToPath(new URL('../../node_modules/sockjs-client/dist/sockjs.min.js', import.meta.url));
const SOCKJS_PATH = '/static/sockjs.min.js';
/** As protocol-server.mjs's /stream: "tick <n>" every 100 ms per connection, from 1, plus echo. */
const TICK_INTERVAL = 100;

const STRICT_PREFIX = '/strict_echo';

/**
 * Vert.x's SockJS handler (vertx-web, JsonPTransport.handleSend) takes a `jsonp_send` whose Content-Type
 * is exactly `application/x-www-form-urlencoded` or `text/plain`, and answers anything else (such as
 * `text/plain;charset=UTF-8`, what fetch() labels a string body) 500 "Invalid Content-Type": the
 * STRICT_PREFIX service does the same, in front of sockjs's own handler.
 */
function guardSendType(http) {
  const listeners = http.listeners('request');
  http.removeAllListeners('request');
  http.on('request', (req, res) => {
    const type = (req.headers['content-type'] ?? '').toLowerCase();
    if (req.url.startsWith(STRICT_PREFIX + '/') && /\/jsonp_send(\?|$)/.test(req.url) && type !== 'text/plain' && type !== 'application/x-www-form-urlencoded') {
      res.writeHead(500, { 'Content-Type': 'text/plain' });
      res.end('Invalid Content-Type');
      return;
    }
    for (const listener of listeners) listener.call(http, req, res);
  });
}

/** Resolves with { port, url, close() }. */
export async function startSockjsServer({ port = 0, host = '127.0.0.1' } = {}) {
  const script = readFileSync(SOCKJS_CLIENT);
  const http = createHttpServer((req, res) => {
    if (req.url === SOCKJS_PATH) {
      res.writeHead(200, { 'Content-Type': 'application/javascript' });
      res.end(script);
      return;
    }
    res.writeHead(404, { 'Content-Type': 'text/plain' });
    res.end('Not found\n');
  });
  const quiet = () => {};
  const echo = (conn) => conn.on('data', (text) => conn.write(text));
  const services = {
    '/echo': echo,
    '/close': (conn) => conn.close(3000, 'Go away!'),
    // Behind a gate that refuses requests without the token in their query (gate.mjs).
    [GATE_PREFIX]: echo,
    // WebSocket messages of at most 8 KiB, the socket closed (1009) over it: what Spring on Tomcat
    // takes by default (faye-websocket, under sockjs, is told the same: OPTIONS below).
    '/small_echo': echo,
    // Sends by jsonp_send taken only as exactly text/plain or a form, as Vert.x takes them (guardSendType).
    [STRICT_PREFIX]: echo,
    '/stream': (conn) => {
      let n = 0;
      const timer = setInterval(() => conn.write(`tick ${++n}`), TICK_INTERVAL);
      timer.unref?.();
      conn.on('close', () => clearInterval(timer));
      echo(conn);
    },
  };
  const OPTIONS = { '/small_echo': { faye_server_options: { maxLength: 8192 } } };
  for (const [prefix, onConnection] of Object.entries(services)) {
    const server = sockjs.createServer({ sockjs_url: SOCKJS_PATH, log: quiet, response_limit: 4096, ...OPTIONS[prefix] });
    server.on('connection', onConnection);
    server.installHandlers(http, { prefix });
  }
  installGate(http);
  guardSendType(http);
  await new Promise((resolve, reject) => {
    http.once('error', reject);
    http.listen(port, host, resolve);
  });
  const actual = http.address().port;
  return {
    port: actual,
    url: `http://${host}:${actual}`,
    close: () =>
      new Promise((resolve) => {
        http.closeAllConnections();
        http.close(() => resolve());
      }),
  };
}
