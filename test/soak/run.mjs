// Soak runner: many seeds through the fault proxy (test/soak/soak.test.js), one browser at a time
// if asked. Writes the plan the test file reads (test/browser/support/soak-plan.js), then runs karma.
// WebKit runs only when named (`--browsers webkit`): it needs the webkit stage's Xvfb and MiniBrowser.
//
//   node test/soak/run.mjs --browsers chromium,firefox[,webkit] --seeds 2000-2019 [--tiers websocket,jsonp]
//        [--kinds cut,cutlat,swallow,kill,stock,legacy] [--count 2000]
import fs from 'node:fs/promises';
import { runBrowserSuite } from '../browser/suite.mjs';

const args = Object.fromEntries(
  process.argv.slice(2).reduce((pairs, arg, i, all) => (arg.startsWith('--') ? [...pairs, [arg.slice(2), all[i + 1]]] : pairs), []),
);
const list = (text) => (text ? text.split(',').filter(Boolean) : undefined);
const seeds = (args.seeds ?? '2000-2004').split(',').flatMap((part) => {
  const [a, b] = part.split('-').map(Number);
  return b === undefined ? [a] : Array.from({ length: b - a + 1 }, (_, i) => a + i);
});
const BROWSERS = { chromium: 'ChromiumHeadlessCI', firefox: 'FirefoxHeadlessCI', webkit: 'WebKitHeadless' };
const browsers = (list(args.browsers) ?? ['chromium', 'firefox']).map((b) => BROWSERS[b]);
const plan = {
  seeds,
  tiers: list(args.tiers) ?? null,
  kinds: list(args.kinds) ?? null,
  runs: list(args.runs) ?? null,
  count: Number(args.count ?? 2000),
};
await fs.writeFile(
  new URL('../browser/support/soak-plan.js', import.meta.url),
  `// Written by test/soak/run.mjs for test/soak/soak.test.js: the seeds, tiers, kinds and count of a soak run.\nexport const PLAN = ${JSON.stringify(plan)};\n`,
);
const started = Date.now();
const result = await runBrowserSuite({ files: ['test/soak/soak.test.js'], browsers });
console.log(`[soak] plan ${JSON.stringify(plan)} browsers ${browsers.join(',')}: ${result.passed} passed, ${result.failed} failed in ${Math.round((Date.now() - started) / 1000)} s`);
process.exitCode = result.failed > 0 ? 1 : 0;
