// How the size check, the parts table and the comparison measure: a rollup bundle of `entry` over the
// built ESM files (imported as 'cometkit' and 'cometkit/websocket'), minified with the build's own
// terser settings, and gzip at level 9.
import { readFile } from 'node:fs/promises';
import { gzipSync } from 'node:zlib';
import { rollup } from 'rollup';
import { minify } from 'terser';
import { terserOptions } from '../../rollup.config.mjs';
import virtual from './virtual.mjs';

const dist = new URL('../../dist/', import.meta.url);

/** Bytes of `code` gzipped at level 9. */
export const gzipped = (code) => gzipSync(code, { level: 9 }).length;

/** The minified code of a rollup build (a promise of one, or of rollup's bundle). */
export async function minified(build) {
  const { output } = await (await build).generate({ format: 'es' });
  return (await minify(output[0].code, { ...terserOptions, module: true })).code;
}

/** A rollup build of the module `entry`, which imports from 'cometkit' and 'cometkit/websocket' (dist/). */
export async function fromDist(entry) {
  const [cometkit, websocket] = await Promise.all(['cometkit.mjs', 'websocket.mjs'].map((f) => readFile(new URL(f, dist), 'utf8')));
  return rollup({ input: 'entry', plugins: [virtual({ entry, cometkit, 'cometkit/websocket': websocket })] });
}
