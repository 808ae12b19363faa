// `node test/bench/proxies.mjs`: per proxy scenario (real nginx, the fault-injecting proxy), time to
// open, tier chosen and time to first message, cometkit's client against stock sockjs-client, in
// Chromium and Firefox (karma, both at once), each run on a fresh proxy and server on loopback.
// Prints one Markdown table per browser (what BENCHMARKS.md's "Behind proxies" holds).
import { runBrowserSuite } from '../browser/suite.mjs';

const rows = [];
const started = Date.now();
const result = await runBrowserSuite({ files: ['test/bench/proxies.bench.js'], onReport: (row) => rows.push(row) });

const cell = (s) => (s.open === null ? `did not open (${s.errors.join('; ')}) | — | —` : `${s.tier} | ${s.open} | ${s.first ?? '—'}${s.failed ? ` (${s.failed}/${s.runs} did not open)` : ''}`);
for (const browser of ['Chromium', 'Firefox']) {
  const mine = rows.filter((row) => row.browser === browser);
  if (!mine.length) continue;
  console.log(`\n### ${browser}\n`);
  console.log('| scenario | cometkit tier | open | first message | sockjs-client tier | open | first message |');
  console.log('|---|---|---|---|---|---|---|');
  for (const row of mine) console.log(`| ${row.scenario} | ${cell(row.cometkit)} | ${cell(row['sockjs-client'])} |`);
}
console.log(`\n${rows.length} rows in ${((Date.now() - started) / 1000).toFixed(0)} s; ${result.passed} passed, ${result.failed} failed`);
process.exitCode = result.failed > 0 ? 1 : 0;
