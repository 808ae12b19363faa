// What each optional feature of the full client costs: min+gzip of the main entry built from a copy of
// src/ with that feature's code cut out, against the same build of src/ as it is. The cuts are text
// edits of today's sources, made for measuring only (the cut builds are not tested and not shipped);
// an edit whose anchor is gone fails loudly, so the table never reports a cut that did not happen.
// Same rollup, terser and gzip settings as the size check (test/size/measure.mjs, fromSource).
// Prints a Markdown table (BENCHMARKS.md, "What each feature costs"), then the same for `cometkit/websocket`
// (built as it ships, with MULTI_TIER false) with resume and persist cut. Run: `node test/size/features.mjs`.
import { cp, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { webSocketOnly } from '../../rollup.config.mjs';
import { fromSource, gzipped, minified } from './measure.mjs';

const src = fileURLToPath(new URL('../../src/', import.meta.url));
const CLIENT = 'client/client.ts';

/** Cuts `from` up to (not including) `to` out of the text, keeping `keep` in their place. */
const between = (from, to, keep = '') => (text) => {
  const a = text.indexOf(from);
  const b = text.indexOf(to, a);
  if (a < 0 || b < 0) throw new Error(`anchor gone: ${a < 0 ? from : to}`);
  return text.slice(0, a) + keep + text.slice(b);
};
/** Replaces every `old` (at least one must be there) with `now`. */
const swapAll = (old, now) => (text) => {
  if (!text.includes(old)) throw new Error(`anchor gone: ${old}`);
  return text.split(old).join(now);
};
/** Replaces `old` (which must be there) with `now`. */
const swap = (old, now = '') => (text) => {
  if (!text.includes(old)) throw new Error(`anchor gone: ${old}`);
  return text.replace(old, now);
};

// The persist cut, also part of the WebSocket-only build's resume cut below.
const PERSIST = [
  [CLIENT, between('  // Resume across a reload (option `persist`)', '  let openedAt = 0;')],
  [CLIENT, between('    if (o.persist && sid) {', "    if (state == 'open') drop(1001, 'Page hidden'")],
  [CLIENT, between('    try {\n      sessionStorage.removeItem(stash(base));', "    if (state == 'reconnecting') start();")],
];

const FEATURES = [
  // (First: the re-upgrade cut below takes one of its anchors with it.)
  ['seats (at most 4 clients of a host holding a connection over HTTP/1.x)', [
    ['client/seats.ts', between('  return new Promise<Seat | undefined>', '\n}\n', '  return Promise.resolve(origin ? free : undefined);')],
    [CLIENT, swap(' + (t.hold && !seat ? 3 : 0)')],
    [CLIENT, swap(' && (!t.hold || seat)')],
    [CLIENT, swapAll('unseat();', '')],
  ]],
  ['re-upgrade (background tries of a better tier, takeover)', [[CLIENT, between('  function upgradeLater(): void {', "  listen('addEventListener');", '  function upgradeLater(): void {}\n')]]],
  ['network memory kept across page loads (localStorage)', [['client/remember.ts', swap('  if (MULTI_TIER) {\n    try {', '  if (!MULTI_TIER) {\n    try {')], ['client/remember.ts', swap('if (MULTI_TIER && ttl)', 'if (!MULTI_TIER && ttl)')]]],
  ['kill adaptation (cuts at a steady age or idle time → h, ttl)', [[CLIENT, swap('if (MULTI_TIER && code == 1006 && onLine()) sense();')]]],
  ['stream-sense (buffered streams at open and mid-session)', [
    [CLIENT, swap("const why = MULTI_TIER && t.stream && buffered ? 'streams are buffered on this path' : t.unsupported(ctx);", 'const why = t.unsupported(ctx);')],
    [CLIENT, swap('if (tier?.stream) for (const t of o.transports) if (t.stream) shun(memory, t.name);')],
  ]],
  ['persist (resume across a reload)', PERSIST],
  ['the JSONP form of /info (probing without CORS)', [['client/info.ts', swap("const jsonp = () => jsonpCall(base + '/info?t' + query, INFO_TIMEOUT, signal).then(done(false));", "const jsonp = () => Promise.reject(new Error('no CORS'));")]]],
  ['the iframe tier (its bridge page included)', [
    ['client/create-client.ts', swap('export const TIERS = [websocket, xhrStreaming, iframe, jsonp, polling];', 'export const TIERS = [websocket, xhrStreaming, jsonp, polling];')],
    ['index.ts', swap("export { iframe } from './client/transports/iframe.js';\n")],
  ]],
];

// Messages of more than 12 characters with a space (errors, event reasons) shortened to a code.
async function terseMessages(dir) {
  const files = (await readdir(join(dir, 'client'), { recursive: true })).filter((f) => f.endsWith('.ts')).map((f) => join(dir, 'client', f));
  let n = 0;
  for (const file of [...files, join(dir, 'protocol/frames.ts')]) {
    const text = await readFile(file, 'utf8');
    await writeFile(file, text.replace(/'((?:[^'\\\n]|\\.)*)'/g, (m, body) => (body.length > 12 && body.includes(' ') ? `'E${++n}'` : m)));
  }
}

// The size check's WebSocket-only entry, as a file of the copy.
const WS_ENTRY = `import { createClient } from './websocket.js';\nexport const connect = (url: string) => createClient(url);\n`;

async function measure(edits, extra, ws = false) {
  const dir = await mkdtemp(join(tmpdir(), 'cometkit-features-'));
  try {
    await cp(src, dir, { recursive: true });
    for (const [file, edit] of edits) {
      const path = join(dir, file);
      await writeFile(path, edit(await readFile(path, 'utf8')));
    }
    if (extra) await extra(dir);
    if (!ws) return gzipped(await minified(fromSource(join(dir, 'index.ts'))));
    await writeFile(join(dir, 'ws-entry.ts'), WS_ENTRY);
    return gzipped(await minified(fromSource(join(dir, 'ws-entry.ts'), [webSocketOnly])));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

const base = await measure([]);
console.log(`Full client built from src/ as it is: ${base} bytes min+gzip.\n`);
console.log('| cut out | min+gzip | saves |');
console.log('|---|---|---|');
for (const [name, edits] of FEATURES) {
  const size = await measure(edits);
  console.log(`| ${name} | ${size} | ${base - size} |`);
}
const terse = await measure([], terseMessages);
console.log(`| long messages shortened to codes (errors, reasons) | ${terse} | ${base - terse} |`);
const all = await measure(FEATURES.flatMap(([, edits]) => edits), terseMessages);
console.log(`| all of the above at once | ${all} | ${base - all} |`);

// `cometkit/websocket` (budget 1500): resume and persist (no position, no `k`, no stash: at most once, as
// against a stock server) and the long messages; what is left is issue 3's own list on one tier.
const NO_RESUME = [
  [CLIENT, swapAll('o.resume', 'false')],
  ...PERSIST,
];
const wsBase = await measure([], undefined, true);
console.log(`\n\`cometkit/websocket\` built from src/ as it is: ${wsBase} bytes min+gzip.\n`);
console.log('| cut out | min+gzip | saves |');
console.log('|---|---|---|');
const wsNoResume = await measure(NO_RESUME, undefined, true);
console.log(`| resume and persist | ${wsNoResume} | ${wsBase - wsNoResume} |`);
const wsBoth = await measure(NO_RESUME, terseMessages, true);
console.log(`| resume and persist, and long messages shortened to codes | ${wsBoth} | ${wsBase - wsBoth} |`);
