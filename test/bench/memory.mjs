// `node test/bench/memory.mjs`: does a long session leak? Per tier, Chromium (playwright-core, Debian's
// binary) runs the built client (dist/cometkit.mjs) against a cometkit server through the fault proxy
// (test/network/fault-proxy.mjs): a warm-up of 2,000 echoes, then five laps of 20,000 more (100 in
// flight) during each of which the proxy cuts every live connection 10 times (the client resumes). After
// each part: garbage collection, then the page's JS heap, DOM nodes, documents, frames and event
// listeners (CDP `Performance.getMetrics`; the listener count includes the 13 that playwright's
// evaluate and waitForFunction leave on the window). What the engine keeps once (compiled code, caches)
// shows in the first lap; a client that keeps something per message or per connection keeps growing
// lap after lap. Then the client closes: the last row says what is left once it has. Prints figures, asserts nothing (BENCHMARKS.md, "Memory over a long session").
import { startFaultProxy } from '../network/fault-proxy.mjs';
import { launchChromium } from '../network/hosts.mjs';
import { serveEchoPage } from './page.mjs';

const TIERS = ['websocket', 'xhr-streaming', 'iframe', 'jsonp', 'polling'];
const WARMUP = 2000;
const LONG = 20000;
const LAPS = 5;
const CUTS = 10;

// A short heartbeat, and a short heartbeatTimeout in the page: a cut forever-iframe fires no event in
// either browser and is found by the liveness check alone (heartbeat + heartbeatTimeout, 35 s by default).
const { origin, close } = await serveEchoPage({ heartbeatDelay: 1000 });
const proxy = await startFaultProxy({ upstream: origin });
const browser = await launchChromium();

/** Runs in the page: the client, and `echo(count)`, which keeps 100 echoes in flight until `count` are back. */
function setUp({ url, tier }) {
  return import('/cometkit.mjs').then(({ createClient }) => {
    const client = createClient(url, { transports: [tier], retry: () => 0, heartbeatTimeout: 1000 });
    window.client = client;
    window.opens = 0;
    client.on('open', () => window.opens++);
    let done = null;
    let back = 0;
    let sent = 0;
    let goal = 0;
    const pump = () => {
      while (sent < goal && sent - back < 100) client.send(`m ${sent++}`);
    };
    client.on('message', () => {
      window.back = ++back;
      if (back === goal) done();
      else pump();
    });
    window.echo = (count) =>
      new Promise((resolve) => {
        done = resolve;
        goal += count;
        pump();
      });
    return new Promise((resolve) => client.on('open', resolve));
  });
}

const rows = [];
try {
  for (const tier of TIERS) {
    const page = await browser.newPage();
    const cdp = await page.context().newCDPSession(page);
    await cdp.send('Performance.enable');
    const measure = async () => {
      await cdp.send('HeapProfiler.collectGarbage');
      const { metrics } = await cdp.send('Performance.getMetrics');
      const m = Object.fromEntries(metrics.map(({ name, value }) => [name, value]));
      return { heap: m.JSHeapUsedSize, nodes: m.Nodes, documents: m.Documents, frames: m.Frames, listeners: m.JSEventListeners };
    };
    await page.goto(`${origin}/`);
    const before = await measure();
    await page.evaluate(setUp, { url: `${proxy.url}/echo`, tier });
    await page.evaluate((n) => window.echo(n), WARMUP);
    const warm = await measure();
    const kills = proxy.stats.kills;
    const laps = [];
    for (let lap = 0; lap < LAPS; lap++) {
      const start = WARMUP + lap * LONG;
      const long = page.evaluate((n) => window.echo(n), LONG);
      // Reported by the await below, or made moot by an error before it.
      long.catch(() => {});
      // A cut each time another eleventh of the lap has come back: the flow goes on through them.
      for (let i = 1; i <= CUTS; i++) {
        const target = start + Math.round((LONG * i) / (CUTS + 1));
        await page.waitForFunction((n) => window.back >= n, target, { timeout: 30000 }).catch(async (error) => {
          const where = await page.evaluate(() => ({ back: window.back, opens: window.opens, state: window.client.state, transport: window.client.transport }));
          throw new Error(`${tier}: stalled before cut ${i} of lap ${lap + 1} (${JSON.stringify(where)}, waiting for ${target})`, { cause: error });
        });
        // Every live connection through the proxy dies at once; new ones pass.
        proxy.setFaults({ killAfter: 1 });
        await new Promise((resolve) => setTimeout(resolve, 20));
        proxy.setFaults({ killAfter: 0 });
      }
      await long;
      laps.push(await measure());
    }
    const opens = await page.evaluate(() => window.opens);
    await page.evaluate(() => window.client.close());
    // Frames go away asynchronously in the browser: measured until back to the page's own (at most 2 s).
    const closedAt = Date.now();
    let closed = await measure();
    while ((closed.nodes !== before.nodes || closed.frames !== before.frames) && Date.now() - closedAt < 2000) closed = await measure();
    closed.settled = Date.now() - closedAt;
    rows.push({ tier, before, warm, laps, closed, opens, kills: proxy.stats.kills - kills });
    await page.close();
  }
} finally {
  await browser.close();
  await proxy.stop();
  close();
}

const kb = (bytes) => `${(bytes / 1024).toFixed(0)} KiB`;
const line = (label, m) => `${label.padEnd(34)} heap ${kb(m.heap).padStart(9)}  nodes ${String(m.nodes).padStart(4)}  documents ${m.documents}  frames ${m.frames}  listeners ${String(m.listeners).padStart(3)}`;
for (const { tier, before, warm, laps, closed, opens, kills } of rows) {
  console.log(`\n${tier} (${opens} opens, ${kills} connections cut)`);
  console.log(line('page, before the client', before));
  console.log(line(`after ${WARMUP} echoes`, warm));
  laps.forEach((m, i) => console.log(line(`lap ${i + 1}: ${LONG} more, ${CUTS} cuts`, m)));
  console.log(line(`after close() (+${closed.settled} ms)`, closed));
  console.log(`heap change over each lap: ${laps.map((m, i) => kb(m.heap - (i ? laps[i - 1] : warm).heap)).join(', ')}`);
}
