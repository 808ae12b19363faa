// Size check: min+gzip of every browser build, against the budgets. Prints a
// table and exits non-zero when a build is over. Run: `node test/size/size.mjs`.
import { readFile } from 'node:fs/promises';
import { fromDist, gzipped, minified } from './measure.mjs';

const dist = new URL('../../dist/', import.meta.url);

// Budgets in bytes of min+gzip (1 KB = 1000 bytes, the stricter reading).
// ENFORCED is false while the client is still over them (issue 3 stays open
// until it is not): the table still prints every figure and marks OVER.
// Meanwhile each build over its budget has a no-growth mark, its measured
// size, which fails the check when passed: bytes a change adds must come out
// elsewhere. A change that takes bytes out lowers the mark to the new figure.
// A mark is not a budget: the budgets stay as the brief set them. Code that only
// moves between modules shifts gzip's output by a few bytes either way; such a
// move may shift a mark by those bytes, said so in CHANGELOG.md. A fix (for a failure users would
// meet, or for a target an issue sets and the build misses, measured) may raise a mark by what it
// costs when nothing of lesser worth can pay for it, named with its figure in CHANGELOG.md.
const ENFORCED = false;
const BUILDS = [
  // 4000 and 4500 before the proxies and resume work; the brief allows 5000 and 5500 with both in.
  { name: 'full client (ESM, all tiers)', entry: `export * from 'cometkit';`, budget: 5000, mark: 6849 },
  {
    name: 'WebSocket-only (cometkit/websocket)',
    entry: `import { createClient } from 'cometkit/websocket';
export const connect = (url) => createClient(url);`,
    budget: 1500,
    mark: 3794,
  },
  // For comparison, no budget: WebSocket alone from the main entry, which keeps the multi-tier code.
  {
    name: 'createCoreClient + websocket',
    entry: `import { createCoreClient, websocket } from 'cometkit';
export const connect = (url) => createCoreClient(url, { transports: [websocket] });`,
  },
  { name: 'script tag (cometkit.min.js)', file: 'cometkit.min.js', budget: 5500, mark: 6914 },
  // The legacy build (IE 7-class pages) meets its budget: enforced on its own.
  { name: 'legacy (cometkit.legacy.min.js)', file: 'cometkit.legacy.min.js', budget: 6000, enforced: true },
];

let over = 0;
let grown = 0;
console.log('build'.padEnd(36) + 'min'.padStart(8) + 'min+gz'.padStart(9) + 'budget'.padStart(9) + 'mark'.padStart(7));
for (const build of BUILDS) {
  const code = build.file ? await readFile(new URL(build.file, dist), 'utf8') : await minified(fromDist(build.entry));
  const gz = gzipped(code);
  const ok = !build.budget || gz <= build.budget;
  if (!ok && build.enforced) process.exitCode = 1;
  if (!ok) over++;
  const grew = build.mark !== undefined && gz > build.mark;
  if (grew) grown++;
  console.log(
    build.name.padEnd(36) +
      String(code.length).padStart(8) +
      String(gz).padStart(9) +
      String(build.budget ?? '-').padStart(9) +
      String(build.mark ?? '-').padStart(7) +
      (ok ? '' : '  OVER') +
      (grew ? `  GREW by ${gz - build.mark}` : ''),
  );
}
if (grown > 0) {
  console.error(`${grown} build(s) grew past their no-growth mark: take the bytes out elsewhere`);
  process.exitCode = 1;
}
if (over > 0) {
  console.error(`${over} build(s) over budget${ENFORCED ? '' : ' (not enforced yet where not marked enforced)'}`);
  if (ENFORCED) process.exitCode = 1;
}
