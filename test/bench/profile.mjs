// `node test/bench/profile.mjs`: where a page's main thread spends a WebSocket round trip. Chromium
// (playwright-core, Debian's binary) loads a page that runs 20,000 sequential echoes through the built
// client (dist/cometkit.mjs) against a cometkit server on the same origin, under the CDP profiler
// (50 µs sampling); prints the mean round trip and the functions with the most self time.
// Prints figures, asserts nothing.
import { launchChromium } from '../network/hosts.mjs';
import { serveEchoPage } from './page.mjs';

const ROUNDS = 20000;

const { origin, close } = await serveEchoPage();
const browser = await launchChromium();
try {
  const page = await browser.newPage();
  await page.goto(`${origin}/`);
  await page.evaluate(async () => {
    const { createClient } = await import('/cometkit.mjs');
    const client = createClient(`${location.origin}/echo`, { transports: ['websocket'] });
    await new Promise((resolve) => client.on('open', resolve));
    let answered;
    client.on('message', () => answered());
    window.roundTrips = async (count) => {
      for (let i = 0; i < count; i++) await new Promise((resolve) => ((answered = resolve), client.send(`ping ${i}`)));
    };
    await window.roundTrips(500);
  });
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Profiler.enable');
  await cdp.send('Profiler.setSamplingInterval', { interval: 50 });
  await cdp.send('Profiler.start');
  const started = performance.now();
  await page.evaluate((count) => window.roundTrips(count), ROUNDS);
  const elapsed = performance.now() - started;
  const { profile } = await cdp.send('Profiler.stop');
  const nodes = new Map(profile.nodes.map((node) => [node.id, node]));
  const self = new Map();
  profile.samples.forEach((id, i) => {
    const { functionName, url, lineNumber } = nodes.get(id).callFrame;
    const key = `${functionName || '(anonymous)'} ${url ? `${url.split('/').pop()}:${lineNumber + 1}` : ''}`.trim();
    self.set(key, (self.get(key) ?? 0) + (profile.timeDeltas[i] ?? 0));
  });
  const total = [...self.values()].reduce((a, b) => a + b, 0);
  const ours = [...self].filter(([key]) => key.includes('cometkit.mjs')).reduce((sum, [, t]) => sum + t, 0);
  console.log(`${ROUNDS} round trips, ${((elapsed * 1000) / ROUNDS).toFixed(0)} µs each (profiler on); cometkit's own functions: ${((ours / total) * 100).toFixed(1)}% of the main thread`);
  for (const [key, time] of [...self].sort((a, b) => b[1] - a[1]).slice(0, 15)) console.log(`${((time / total) * 100).toFixed(1).padStart(6)}%  ${key}`);
} finally {
  await browser.close();
  close();
}
