// WebSocket against a raw WebSocket: issue 3 asks that cometkit on WebSocket stay within 10% of a raw
// WebSocket. All clients connected at once to the cometkit server's /echo over loopback; after a
// warm-up, each in turn runs a slice of 200 sequential echoes, 30 slices each: the figure is the median
// slice's mean round trip (total time / count, so the browser's timer resolution does not matter).
// Then each sends a burst of 10,000 messages at once; the figure is the time until the last is back.
// Run by `node test/bench/run.mjs websocket` (not part of `npm test`: it prints figures, asserts
// nothing), one browser at a time: a 10% target needs a quiet machine.
import { createClient } from '../../dist/cometkit.mjs';
import { createClient as createWebSocketClient } from '../../dist/websocket.mjs';
import { BROWSER, config } from '../browser/support/config.js';
import { cometkitConnection, sockjsConnection } from '../browser/support/connections.js';

const SLICE = 200;
const SLICES = 30;
const BURST = 10000;
const WARMUP = 100;

const median = (list) => [...list].sort((a, b) => a - b)[Math.floor(list.length / 2)];

/** A raw WebSocket on the server's raw endpoint (`/websocket`: text in, the same text out, no framing). */
function raw(base) {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`${base.replace(/^http/, 'ws')}/echo/websocket`);
    let handler = () => {};
    ws.onmessage = () => handler();
    ws.onerror = () => reject(new Error('raw WebSocket error'));
    ws.onopen = () => resolve({ send: (m) => ws.send(m), onMessage: (fn) => (handler = fn), close: () => ws.close() });
  });
}

/**
 * A bare WebSocket speaking SockJS framing to the framed endpoint, with no library: what the protocol
 * and the server cost over a raw WebSocket, apart from any client's own work. Each message is one
 * `a[…]` frame here (no heartbeat comes within a run).
 */
function framed(base) {
  return new Promise((resolve, reject) => {
    const id = Math.random().toString(36).slice(2, 10);
    const ws = new WebSocket(`${base.replace(/^http/, 'ws')}/echo/000/${id}/websocket`);
    let handler = () => {};
    ws.onmessage = (e) => {
      if (e.data === 'o') resolve({ send: (m) => ws.send(JSON.stringify([m])), onMessage: (fn) => (handler = fn), close: () => ws.close() });
      else if (e.data.charAt(0) === 'a') for (let n = JSON.parse(e.data.slice(1)).length; n > 0; n--) handler();
    };
    ws.onerror = () => reject(new Error('framed WebSocket error'));
  });
}

/**
 * A raw WebSocket whose messages are JSON arrays both ways (the raw endpoint echoes the text as it
 * is): the browser's share of what SockJS framing costs, without the server's framed path.
 */
function rawJson(base) {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`${base.replace(/^http/, 'ws')}/echo/websocket`);
    let handler = () => {};
    ws.onmessage = (e) => {
      for (let n = JSON.parse(e.data).length; n > 0; n--) handler();
    };
    ws.onerror = () => reject(new Error('raw WebSocket error'));
    ws.onopen = () => resolve({ send: (m) => ws.send(JSON.stringify([m])), onMessage: (fn) => (handler = fn), close: () => ws.close() });
  });
}

const cometkit = (create, options) => (base) =>
  cometkitConnection(create, `${base}/echo`, { transports: ['websocket'], queueLimit: BURST, ...options });
const sockjs = (base) => sockjsConnection(`${base}/echo`, 'websocket');

const CLIENTS = [
  ['raw WebSocket', raw],
  ['raw WebSocket + JSON', rawJson],
  ['WebSocket + SockJS frames', framed],
  ['cometkit', cometkit(createClient)],
  ['cometkit, resume: false', cometkit(createClient, { resume: false })],
  ['cometkit/websocket', cometkit(createWebSocketClient)],
  ['sockjs-client', sockjs],
];

/** Mean ms per round trip over `count` sequential echoes. */
async function sequential(conn, count) {
  const started = performance.now();
  for (let i = 0; i < count; i++) {
    await new Promise((resolve) => {
      conn.onMessage(resolve);
      conn.send(`ping ${i}`);
    });
  }
  return (performance.now() - started) / count;
}

/** Ms until `count` messages sent at once have all come back. */
function burst(conn, count) {
  return new Promise((resolve) => {
    let got = 0;
    const started = performance.now();
    conn.onMessage(() => {
      if (++got === count) resolve(performance.now() - started);
    });
    for (let i = 0; i < count; i++) conn.send(`burst ${i}`);
  });
}

describe('WebSocket against a raw WebSocket', function () {
  this.timeout(300000);
  this.foreign = true;
  it(`round trip (median of ${SLICES} interleaved slices of ${SLICE}) and burst`, async function () {
    const base = config().servers.cometkit.cross;
    const conns = [];
    for (const [, open] of CLIENTS) conns.push(await open(base));
    for (const conn of conns) await sequential(conn, WARMUP);
    // Slices of each client follow one another (the order rotating), so what slows the machine for a
    // while slows them alike; the median of the slices drops the spikes.
    const slices = CLIENTS.map(() => []);
    for (let n = 0; n < SLICES; n++) {
      for (let k = 0; k < CLIENTS.length; k++) {
        const i = (k + n) % CLIENTS.length;
        slices[i].push(await sequential(conns[i], SLICE));
      }
    }
    const bursts = [];
    for (const conn of conns) bursts.push(await burst(conn, BURST));
    for (const conn of conns) conn.close();
    const trips = slices.map(median);
    const vs = (value, base) => `${value >= base ? '+' : ''}${Math.round(((value - base) / base) * 100)}%`;
    const rows = CLIENTS.map(
      ([name], i) =>
        `${name.padEnd(26)} round trip ${(trips[i] * 1000).toFixed(0).padStart(5)} µs (${vs(trips[i], trips[0]).padStart(5)})` +
        `   burst of ${BURST} ${bursts[i].toFixed(0).padStart(5)} ms (${vs(bursts[i], bursts[0]).padStart(5)})`,
    );
    console.log(`[bench] ${BROWSER} WebSocket, cross-origin\n` + rows.join('\n'));
  });
});
