// `node test/bench/hosts.mjs`: browsers' per-host connection limit. Per tier, 10 clients in one page,
// each sending 3 messages once open, against the reference server over HTTP/1.1 (node:http), over
// HTTP/2 (node:http2, TLS), and behind nginx with HTTP/2: how many opened, how many got all their
// echoes within 5 s, and when the last did; and the same with the four HTTP tiers to choose from
// ('http tiers', as where WebSocket fails), with where the clients went. Debian's Chromium through playwright-core, and Debian's
// Firefox ESR headless on a page that posts its results back (test/network/hosts.mjs). Prints one
// Markdown table per browser (what BENCHMARKS.md's "Many clients to one host" holds). About a minute.
import { join } from 'node:path';
import { launchChromium, runInChromium, runInFirefox, startSetups } from '../network/hosts.mjs';

// 'http tiers': the four HTTP tiers to choose from, as where WebSocket fails (seats at work).
const TIERS = ['websocket', 'xhr-streaming', 'iframe', 'jsonp', 'polling', 'http tiers'];
const OPTIONS = { clients: 10, echoes: 3, wait: 5000 };

const { setups, dir, stop } = await startSetups({ http1: true });

function cell({ state, error }, tier) {
  if (error) return `page failed: ${error}`;
  const opened = state.filter((s) => s.transport).length;
  // Where the clients that could choose went.
  const on = {};
  for (const s of state) if (s.transport) on[s.transport] = (on[s.transport] ?? 0) + 1;
  const where = tier == 'http tiers' ? ` (${Object.entries(on).map(([t, n]) => `${n} ${t}`).join(', ')})` : '';
  const done = state.filter((s) => s.done !== null);
  const last = done.length == state.length ? `, last at ${Math.max(...done.map((s) => s.done))} ms` : '';
  return `${opened}/${state.length} open${where}, ${done.length}/${state.length} echoed${last}`;
}

function table(browser, results) {
  console.log(`\n### ${browser}\n`);
  console.log(`| tier | ${setups.map((s) => s.name).join(' | ')} |`);
  console.log(`|---|${setups.map(() => '---').join('|')}|`);
  for (const tier of TIERS) console.log(`| ${tier} | ${setups.map((s) => cell(results.get(s)[tier], tier)).join(' | ')} |`);
}

const started = Date.now();
try {
  const chromiumResults = new Map();
  const browser = await launchChromium();
  for (const setup of setups) {
    const results = {};
    for (const tier of TIERS) results[tier] = (await runInChromium(browser, setup.origin, { tier, ...OPTIONS })).result;
    chromiumResults.set(setup, results);
  }
  await browser.close();
  table('Chromium', chromiumResults);

  const firefoxResults = new Map();
  for (const [i, setup] of setups.entries()) {
    const firefox = await runInFirefox(setup, { tiers: TIERS, ...OPTIONS }, join(dir, `firefox-${i}`));
    // Each tier reports within its wait (plus a report that waited for a free connection).
    const deadline = Date.now() + 15000 + (OPTIONS.wait + 5000) * TIERS.length;
    const results = {};
    for (const tier of TIERS) {
      const timeout = new Promise((resolve) => setTimeout(() => resolve({ error: 'no report' }), deadline - Date.now()).unref());
      results[tier] = await Promise.race([setup.report(tier), timeout]);
    }
    await firefox.stop();
    firefoxResults.set(setup, results);
  }
  table('Firefox', firefoxResults);
} finally {
  await stop();
}
console.log(`\n${((Date.now() - started) / 1000).toFixed(0)} s`);
