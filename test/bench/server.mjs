// `node test/bench/server.mjs`: the reference server's share of a WebSocket round trip, with no
// browser: a Node `ws` client on loopback echoing sequentially through `listen()`'s /echo on the raw
// endpoint, the framed one (SockJS `["text"]` up, `a["text"]` down) and the framed one with resume (a
// cometkit client's `[pos, seq, "text"]` up, `k<n>\na["text"]` down). Nine interleaved rounds of
// 10,000 echoes per kind; prints the median round trip of each. Then the cost of keeping what a
// client has not acknowledged: 40,000 messages pushed one per turn to a resumable xhr_streaming
// receiver that never acknowledges. Asserts nothing.
import http from 'node:http';
import { WebSocket } from 'ws';
import { listen } from '../../dist/server.js';

const N = 10000;
const ROUNDS = 9;
const KINDS = ['raw', 'framed', 'resume'];

const server = await listen({ prefix: '/echo' }, (session) => session.on('message', (text) => session.send(text)));
const base = server.url.replace(/^http/, 'ws');
let sessions = 0;

/** Mean round trip, in µs, of N sequential echoes of one kind on a fresh socket. */
async function run(kind) {
  const url = kind === 'raw' ? `${base}/websocket` : `${base}/000/bench${++sessions}/websocket${kind === 'resume' ? '?pos=0' : ''}`;
  const ws = new WebSocket(url);
  // Listening before `open`: the opening frame can come in the same read as the handshake's answer.
  const first = new Promise((resolve) => ws.once('message', resolve));
  await new Promise((resolve, reject) => {
    ws.once('open', resolve);
    ws.once('error', reject);
  });
  if (kind !== 'raw') await first;
  let sent = 0;
  let got = 0;
  const started = process.hrtime.bigint();
  await new Promise((resolve) => {
    const next = () => {
      if (sent === N) return resolve();
      const text = `message ${++sent}`;
      ws.send(kind === 'raw' ? text : JSON.stringify(kind === 'resume' ? [got, sent, text] : [text]));
    };
    ws.on('message', (data) => {
      // Framed replies carry `a[…]`; a resumable session's `k` rides in the same message.
      if (kind === 'raw' || data.toString().includes('a[')) {
        got++;
        next();
      }
    });
    next();
  });
  const micros = Number(process.hrtime.bigint() - started) / 1000 / N;
  ws.terminate();
  return micros;
}

const results = Object.fromEntries(KINDS.map((kind) => [kind, []]));
for (let round = 0; round < ROUNDS; round++) for (const kind of KINDS) results[kind].push(await run(kind));
const median = (list) => [...list].sort((a, b) => a - b)[list.length >> 1];
const raw = median(results.raw);
console.log(`Server round trip over loopback, median of ${ROUNDS} rounds of ${N} sequential echoes (Node ${process.version}):`);
for (const kind of KINDS) {
  const m = median(results[kind]);
  console.log(`${kind.padEnd(8)} ${m.toFixed(1).padStart(6)} µs${kind === 'raw' ? '' : `  (+${Math.round((m / raw - 1) * 100)}% over raw)`}`);
}
await server.close();

// Kept until acknowledged: a client acknowledges every 64 KiB or so, and one that stalls may leave up to
// resumeLimit (raised here) of small messages kept.
const PUSHED = 40000;
let opened;
const connected = new Promise((resolve) => (opened = resolve));
const pusher = await listen({ prefix: '/push', resumeLimit: 16 * 1024 * 1024, responseLimit: 2 ** 30 }, opened);
const stream = http.request(`${pusher.url}/000/push1/xhr_streaming?pos=0`, { method: 'POST', agent: false }, (res) => res.resume());
stream.end();
const session = await connected;
const started = process.hrtime.bigint();
for (let i = 0; i < PUSHED; i++) {
  session.send(`tick ${i}`);
  await new Promise((resolve) => setImmediate(resolve));
}
console.log(`${PUSHED} messages pushed one per turn, none acknowledged: ${Math.round(Number(process.hrtime.bigint() - started) / 1e6)} ms`);
stream.destroy();
await pusher.close();
