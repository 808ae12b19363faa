// The cost of resume: the same traffic with the extension on (default) and off (`resume: false`),
// per tier, on the cometkit server over loopback. Run by `node test/bench/resume.mjs` (not part of
// `npm test`: it prints figures, asserts nothing but that every echo came back).
import { createClient } from '../../dist/cometkit.mjs';
import { BROWSER, config } from '../browser/support/config.js';

const TIERS = ['websocket', 'xhr-streaming', 'iframe', 'jsonp', 'polling'];
const BURST = 10000;
const ROUNDS = 100;

const median = (list) => [...list].sort((a, b) => a - b)[Math.floor(list.length / 2)];

function open(base, tier, resume) {
  return new Promise((resolve, reject) => {
    const client = createClient(`${base}/echo`, { transports: [tier], resume, queueLimit: BURST, queueBytes: 16 * 1048576 });
    client.on('error', ({ error }) => reject(error));
    client.on('open', () => resolve(client));
  });
}

// 10,000 sends in one go, each echoed: messages per second both ways, until the last echo and
// the last delivery confirmation (on HTTP tiers the answer to a send may come after its echo).
async function throughput(client) {
  let echoes = BURST;
  let confirmed = BURST;
  const started = performance.now();
  await new Promise((resolve, reject) => {
    const check = () => echoes || confirmed || (off(), resolve());
    const off = client.on('message', () => (--echoes, check()));
    for (let i = 0; i < BURST; i++) client.send(`message ${i} ${'x'.repeat(20)}`, (error) => (error ? reject(error) : (--confirmed, check())));
  });
  return BURST / ((performance.now() - started) / 1000);
}

async function roundTrip(client) {
  const times = [];
  for (let i = 0; i < ROUNDS; i++) {
    const started = performance.now();
    await new Promise((resolve) => {
      const off = client.on('message', () => (off(), resolve()));
      client.send(`ping ${i}`);
    });
    times.push(performance.now() - started);
  }
  return median(times);
}

describe('resume cost: resume on vs off', function () {
  this.timeout(300000);
  this.foreign = true;
  it('cross-origin, per tier', async function () {
    const base = config().servers.cometkit.cross;
    const rows = [];
    for (const tier of TIERS) {
      const figures = {};
      for (const resume of [false, true]) {
        const client = await open(base, tier, resume);
        const rate = await throughput(client);
        figures[resume] = { rate, rtt: await roundTrip(client).catch((error) => Promise.reject(new Error(`${tier} resume ${resume}: ${error.message}`))) };
        client.close();
      }
      rows.push(
        `${tier.padEnd(14)} msgs/s off ${Math.round(figures.false.rate).toString().padStart(7)} on ${Math.round(figures.true.rate).toString().padStart(7)}` +
          `   RTT ms off ${figures.false.rtt.toFixed(1).padStart(5)} on ${figures.true.rtt.toFixed(1).padStart(5)}`,
      );
    }
    console.log(`[bench] ${BROWSER} resume cost (${BURST} echoes, median of ${ROUNDS} round trips)\n` + rows.join('\n'));
  });
});
