// `node test/bench/hosts.mjs`: browsers' per-host connection limit. Per tier, 10 clients in one page,
// each sending 3 messages once open, against the reference server over HTTP/1.1 (node:http), over
// HTTP/2 (node:http2, TLS), and behind nginx with HTTP/2: how many opened, how many got all their
// echoes within 5 s, and when the last did. Debian's Chromium through playwright-core, and Debian's
// Firefox ESR headless on a page that posts its results back (test/network/hosts.mjs). Prints one
// Markdown table per browser (what BENCHMARKS.md's "Many clients to one host" holds). About a minute.
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { createServer as createHttpServer } from 'node:http';
import { createSecureServer } from 'node:http2';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { app, listening, run, startFirefox } from '../network/hosts.mjs';
import { selfSignedCertificate, startNginx } from '../network/nginx.mjs';

const TIERS = ['websocket', 'xhr-streaming', 'iframe', 'jsonp', 'polling'];
const OPTIONS = { clients: 10, echoes: 3, wait: 5000 };

const dir = await mkdtemp(join(tmpdir(), 'cometkit-hosts-'));
await selfSignedCertificate(dir);
const [key, cert] = await Promise.all(['key.pem', 'cert.pem'].map((f) => readFile(join(dir, f))));
// Firefox's results, as its pages post them: one list per server.
const reports = new Map();
const collect = (server) => (reports.set(server, []), app(server, (result) => reports.get(server).push(result)));
const plain = collect(createHttpServer());
const secure = collect(createSecureServer({ key, cert, allowHTTP1: true }));
const upstream = collect(createHttpServer());
const nginx = await startNginx({ upstream: `http://127.0.0.1:${await listening(upstream)}/`, config: 'http2' });
const setups = [
  { name: 'HTTP/1.1 (node:http)', origin: `http://127.0.0.1:${await listening(plain)}`, server: plain },
  { name: 'HTTP/2 (node:http2)', origin: `https://127.0.0.1:${await listening(secure)}`, server: secure, cert: join(dir, 'cert.pem') },
  { name: 'HTTP/2 (nginx in front)', origin: nginx.url, server: upstream, cert: join(nginx.dir, 'cert.pem') },
];

function cell({ state, error }) {
  if (error) return `page failed: ${error}`;
  const opened = state.filter((s) => s.transport).length;
  const done = state.filter((s) => s.done !== null);
  const last = done.length == state.length ? `, last at ${Math.max(...done.map((s) => s.done))} ms` : '';
  return `${opened}/${state.length} open, ${done.length}/${state.length} echoed${last}`;
}

function table(browser, results) {
  console.log(`\n### ${browser}\n`);
  console.log(`| tier | ${setups.map((s) => s.name).join(' | ')} |`);
  console.log(`|---|${setups.map(() => '---').join('|')}|`);
  for (const tier of TIERS) console.log(`| ${tier} | ${setups.map((s) => cell(results.get(s)[tier])).join(' | ')} |`);
}

const started = Date.now();
try {
  const chromiumResults = new Map();
  const browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-dev-shm-usage'],
  });
  for (const setup of setups) {
    const results = {};
    for (const tier of TIERS) {
      const context = await browser.newContext({ ignoreHTTPSErrors: true });
      const page = await context.newPage();
      await page.goto(`${setup.origin}/`);
      results[tier] = await page.evaluate(run, { tier, ...OPTIONS });
      await context.close();
    }
    chromiumResults.set(setup, results);
  }
  await browser.close();
  table('Chromium', chromiumResults);

  const firefoxResults = new Map();
  for (const [i, setup] of setups.entries()) {
    const host = new URL(setup.origin).host;
    const query = encodeURIComponent(JSON.stringify({ tiers: TIERS, ...OPTIONS }));
    const firefox = await startFirefox({ url: `${setup.origin}/run?${query}`, dir: join(dir, `firefox-${i}`), cert: setup.cert ?? join(dir, 'cert.pem'), hosts: [host] });
    const list = reports.get(setup.server);
    // Each tier reports within its wait (plus a report that waited for a free connection).
    const deadline = Date.now() + 15000 + (OPTIONS.wait + 5000) * TIERS.length;
    while (list.length < TIERS.length && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 100));
    await firefox.stop();
    firefoxResults.set(setup, Object.fromEntries(TIERS.map((tier) => [tier, list.find((r) => r.tier == tier) ?? { error: 'no report' }])));
  }
  table('Firefox', firefoxResults);
} finally {
  await nginx.stop();
  for (const server of [plain, secure, upstream]) {
    server.closeAllConnections?.();
    server.close();
  }
  await rm(dir, { recursive: true, force: true });
}
console.log(`\n${((Date.now() - started) / 1000).toFixed(0)} s`);
