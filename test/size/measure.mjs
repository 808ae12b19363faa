// How the size check, the parts table and the comparison measure: a rollup bundle of `entry` over the
// built ESM files (imported as 'cometkit' and 'cometkit/websocket'), minified with the build's own
// terser settings, and gzip at level 9.
import nodeResolve from '@rollup/plugin-node-resolve';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { rollup } from 'rollup';
import ts from 'typescript';
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

// TypeScript transpiled file by file (types dropped, nothing checked): fast, and it works on a copy of
// src/ anywhere on disk, which the project's TypeScript plugin (bound to tsconfig.json) does not.
const transpile = {
  name: 'transpile',
  resolveId(source, importer) {
    if (!importer || !source.startsWith('.') || !source.endsWith('.js')) return null;
    const file = resolve(dirname(importer), source.replace(/\.js$/, '.ts'));
    return existsSync(file) ? file : null;
  },
  transform(code, id) {
    if (!id.endsWith('.ts')) return null;
    return ts.transpileModule(code, { compilerOptions: { target: ts.ScriptTarget.ES2020, module: ts.ModuleKind.ESNext, isolatedModules: true } }).outputText;
  },
};

/** A rollup build of a TypeScript entry (src/index.ts or a copy of it), with `plugins` first. */
export function fromSource(input, plugins = []) {
  const root = fileURLToPath(new URL('../..', import.meta.url));
  return rollup({ input, plugins: [...plugins, transpile, nodeResolve({ browser: true, rootDir: root, modulePaths: [join(root, 'node_modules')] })], onwarn: () => {} });
}
