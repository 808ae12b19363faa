// `node test/bench/hotpath.mjs`: the client's own work per WebSocket round trip, with no network: the
// built client (dist/cometkit.mjs) in Node over a fake WebSocket whose "server" answers through a
// MessageChannel (k joined with the reply on a resumable session, as a cometkit server does), against
// the bare channel. Best of three runs of 20,000 sequential echoes each. Prints figures, asserts nothing.
import { createClient } from '../../dist/cometkit.mjs';

const N = 20000;
const RUNS = 3;

/** A fake WebSocket: answers `k0` (resumable) or `o`, then echoes every message on the next turn. */
function fakeWebSocket(channel) {
  return class FakeWebSocket {
    constructor(url) {
      this.resumable = /[?&]pos=0/.test(url);
      this.received = 0;
      channel.port2.onmessage = (e) => this.onmessage?.({ data: e.data });
      setTimeout(() => channel.port1.postMessage(this.resumable ? 'k0' : 'o'));
    }
    send(text) {
      const value = JSON.parse(text);
      const messages = this.resumable ? value.slice(2) : value;
      if (this.resumable && value[1] !== null) this.received += messages.length;
      if (!messages.length) return;
      const frame = 'a' + JSON.stringify(messages);
      channel.port1.postMessage(this.resumable ? `k${this.received}\n${frame}` : frame);
    }
    close() {}
  };
}

/** The same hop with no client: the "server" answers at once on the channel, one hop per round trip as above. */
async function bare() {
  const { port1, port2 } = new MessageChannel();
  let resolve;
  port2.onmessage = () => resolve();
  const started = performance.now();
  for (let i = 0; i < N; i++) {
    await new Promise((r) => {
      resolve = r;
      port1.postMessage(`ping ${i}`);
    });
  }
  port1.close();
  port2.close();
  return (performance.now() - started) / N;
}

async function cometkit(options) {
  const channel = new MessageChannel();
  const client = createClient('http://127.0.0.1:9/echo', { transports: ['websocket'], WebSocket: fakeWebSocket(channel), remember: 0, ...options });
  await new Promise((r) => client.on('open', r));
  let resolve;
  client.on('message', () => resolve());
  const started = performance.now();
  for (let i = 0; i < N; i++) {
    await new Promise((r) => {
      resolve = r;
      client.send(`ping ${i}`);
    });
  }
  const per = (performance.now() - started) / N;
  client.close();
  channel.port1.close();
  channel.port2.close();
  return per;
}

const rows = [
  ['bare MessageChannel', bare],
  ['cometkit (resume)', () => cometkit({})],
  ['cometkit, resume: false', () => cometkit({ resume: false })],
];
const best = rows.map(() => Infinity);
for (let run = 0; run < RUNS; run++) for (const [i, [, measure]] of rows.entries()) best[i] = Math.min(best[i], await measure());
for (const [i, [name]] of rows.entries()) console.log(`${name.padEnd(26)} ${(best[i] * 1000).toFixed(1).padStart(6)} µs per round trip`);
