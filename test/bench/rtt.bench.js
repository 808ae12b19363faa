// Round trips, message by message, per tier: cometkit's client against the
// cometkit server, and stock sockjs-client on the nearest transport, side by side.
// Run by `node test/bench/run.mjs` (not part of `npm test`: it prints figures, asserts nothing).
import { createClient } from '../../dist/cometkit.mjs';
import { BROWSER, config } from '../browser/support/config.js';
import { cometkitConnection, sockjsConnection } from '../browser/support/connections.js';

const ROUNDS = 100;
const PAIRS = [
  ['websocket', 'websocket'],
  ['xhr-streaming', 'xhr-streaming'],
  ['iframe', 'iframe-htmlfile'],
  ['jsonp', 'jsonp-polling'],
  ['polling', 'xhr-polling'],
];

const median = (list) => {
  const sorted = [...list].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
};

async function measure(open) {
  const { send, onMessage, close } = await open();
  const times = [];
  for (let i = 0; i < ROUNDS; i++) {
    const started = performance.now();
    await new Promise((resolve) => {
      onMessage(resolve);
      send(`ping ${i}`);
    });
    times.push(performance.now() - started);
  }
  close();
  return median(times);
}

const cometkit = (base, tier) => () => cometkitConnection(createClient, `${base}/echo`, { transports: [tier] });
const sockjs = (base, transport) => () => sockjsConnection(`${base}/echo`, transport);

describe('round trip, median of 100 (ms)', function () {
  this.timeout(120000);
  this.foreign = true;
  for (const origin of ['cross', 'same']) {
    it(`${origin}-origin`, async function () {
      const base = config().servers.cometkit[origin];
      const rows = [];
      for (const [tier, peer] of PAIRS) {
        const ours = await measure(cometkit(base, tier));
        const theirs = await measure(sockjs(base, peer));
        rows.push(`${tier.padEnd(14)} cometkit ${ours.toFixed(1).padStart(6)}   sockjs-client (${peer}) ${theirs.toFixed(1).padStart(6)}`);
      }
      console.log(`[bench] ${BROWSER} ${origin}-origin\n` + rows.join('\n'));
    });
  }
});
