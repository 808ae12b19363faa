// `node test/bench/slow-link.mjs` (~1 min): one large message down a slow link, longer in coming than
// the client's liveness wait. The built client (dist/cometkit.mjs) in Node (`ws` for its WebSocket,
// its own fetch streams) against the reference server (1 s heartbeat) through the fault proxy paced at
// 40 KiB/s, with heartbeatTimeout 1000: a wait of 2 s, doubling after each silent drop. Per tier and
// size: the time from the send to the message, and the drops on the way. Prints figures, asserts nothing.
import WebSocket from 'ws';
import { createClient } from '../../dist/cometkit.mjs';
import { listen } from '../../dist/server.js';
import { startFaultProxy } from '../network/fault-proxy.mjs';

// The client is for browsers: Node 20 has no `navigator` (its close() looks for sendBeacon there).
globalThis.navigator ??= {};

const RATE = 40 * 1024;
const SIZES_KIB = [40, 120, 280];
const TIERS = ['websocket', 'xhr-streaming', 'polling'];
const GIVE_UP = 40000;

const server = await listen({ prefix: '/big', heartbeatDelay: 1000 }, (session) => session.on('message', (m) => session.send('x'.repeat(Number(m) * 1024))));
const proxy = await startFaultProxy({ upstream: new URL(server.url).origin });

function once(tier, kib) {
  return new Promise((resolve) => {
    // (A WebSocket alone reads no /info, and would not know the server's heartbeat: polling listed after it.)
    const transports = tier === 'websocket' ? [tier, 'polling'] : [tier];
    const client = createClient(`${proxy.url}/big`, { transports, heartbeatTimeout: 1000, reconnectDelay: 50, remember: 0, WebSocket });
    const drops = [];
    let sent = 0;
    const end = (result) => {
      clearTimeout(timer);
      proxy.setFaults({ rate: 0 });
      client.close();
      resolve(result);
    };
    const timer = setTimeout(() => end({ ms: null, drops }), GIVE_UP);
    client.on('open', () => {
      if (sent) return;
      proxy.setFaults({ rate: RATE });
      sent = performance.now();
      client.send(String(kib));
    });
    client.on('close', ({ code, reason }) => code === 1006 && drops.push(reason.replace(/^No heartbeat for (\d+) ms$/, '$1 ms')));
    client.on('message', ({ data }) => end({ ms: data.length === kib * 1024 ? performance.now() - sent : NaN, drops }));
  });
}

try {
  console.log(`| tier | message | at ${RATE / 1024} KiB/s | from send to message | drops on the way (2 s wait at first) |`);
  console.log('|---|---|---|---|---|');
  for (const tier of TIERS) {
    for (const kib of SIZES_KIB) {
      const { ms, drops } = await once(tier, kib);
      const took = ms === null ? `not in ${GIVE_UP / 1000} s` : `${(ms / 1000).toFixed(1)} s`;
      console.log(`| ${tier} | ${kib} KiB | ${((kib * 1024) / RATE).toFixed(1)} s | ${took} | ${drops.length ? drops.join(', ') : 'none'} |`);
    }
  }
} finally {
  await proxy.stop();
  await server.close();
}
