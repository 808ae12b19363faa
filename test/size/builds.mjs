// The browser builds the size check measures, with their budgets and no-growth marks; shared by
// test/size/size.mjs and the README test, which checks the figures README gives.
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
export const ENFORCED = false;
export const BUILDS = [
  // 4000 and 4500 before the proxies and resume work; the brief allows 5000 and 5500 with both in.
  { name: 'full client (ESM, all tiers)', entry: `export * from 'cometkit';`, budget: 5000, mark: 7476 },
  {
    name: 'WebSocket-only (cometkit/websocket)',
    entry: `import { createClient } from 'cometkit/websocket';
export const connect = (url) => createClient(url);`,
    budget: 1500,
    mark: 3782,
  },
  // For comparison, no budget: WebSocket alone from the main entry, which keeps the multi-tier code.
  {
    name: 'createCoreClient + websocket',
    entry: `import { createCoreClient, websocket } from 'cometkit';
export const connect = (url) => createCoreClient(url, { transports: [websocket] });`,
  },
  { name: 'script tag (cometkit.min.js)', file: 'cometkit.min.js', budget: 5500, mark: 7482 },
  // The legacy build (IE 7-class pages) meets its budget: enforced on its own.
  { name: 'legacy (cometkit.legacy.min.js)', file: 'cometkit.legacy.min.js', budget: 6000, enforced: true },
];

/** The minified code of a build and its min+gzip bytes. */
export async function measure(build) {
  const code = build.file ? await readFile(new URL(build.file, dist), 'utf8') : await minified(fromDist(build.entry));
  return { min: code.length, gz: gzipped(code) };
}
