// `node test/bench/long-frame.mjs`: how long one large message takes on xhr-streaming, from the
// server's send to the client's `message` event: the built client (dist/cometkit.mjs) in Node (its
// fetch streams, as in a browser) against the reference server on 127.0.0.1, which sends one message
// of each size to a fresh session as it opens. Best of three per size. Prints figures, asserts nothing.
import { createClient } from '../../dist/cometkit.mjs';
import { listen } from '../../dist/server.js';

// The client is for browsers: Node 20 has no `navigator` (its close() looks for sendBeacon there).
globalThis.navigator ??= {};

const SIZES_MIB = [1, 5, 20];
const RUNS = 3;

const server = await listen({ prefix: '/big' }, (session) => {
  const mib = Number(new URL(session.info.url, 'http://x').searchParams.get('mib') ?? 0);
  session.send('x'.repeat(mib * 1024 * 1024));
});

/** Milliseconds from the open to the message of `mib` MiB. */
function once(mib) {
  return new Promise((resolve, reject) => {
    const client = createClient(`${server.url}?mib=${mib}`, { transports: ['xhr-streaming'], reconnect: false, resume: false });
    let opened = 0;
    client.on('open', () => (opened = performance.now()));
    client.on('message', ({ data }) => {
      const ms = performance.now() - opened;
      client.close();
      if (data.length !== mib * 1024 * 1024) reject(new Error(`got ${data.length} characters`));
      else resolve(ms);
    });
    client.on('error', ({ error }) => reject(error));
  });
}

try {
  for (const mib of SIZES_MIB) {
    const times = [];
    for (let run = 0; run < RUNS; run++) times.push(await once(mib));
    console.log(`${String(mib).padStart(3)} MiB message on xhr-streaming: ${Math.min(...times).toFixed(0)} ms from open to message (best of ${RUNS})`);
  }
} finally {
  await server.close();
}
