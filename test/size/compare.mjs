// Size comparison for README's table: min+gzip (gzip level 9, as test/size/size.mjs measures
// ours) of the browser builds that sockjs-client, socket.io-client and atmosphere.js ship in
// node_modules, next to cometkit's builds (from test/size/size.mjs). A file that is not
// minified already goes through terser with our settings first; the table says which.
// Run: `node test/size/compare.mjs`. Not part of `npm test`: it measures, it does not judge.
import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { minify } from 'terser';
import { terserOptions } from '../../rollup.config.mjs';
import { gzipped } from './measure.mjs';

const root = fileURLToPath(new URL('../..', import.meta.url));

/** The package's folder and version (read directly: not every package exports its package.json). */
async function pkg(name) {
  const dir = join(root, 'node_modules', name);
  const { version } = JSON.parse(await readFile(join(dir, 'package.json'), 'utf8'));
  return { dir, version };
}

// `minified`: the file ships minified (measured as it is); otherwise terser minifies it first.
const OTHERS = [
  { name: 'sockjs-client', file: 'dist/sockjs.min.js', minified: true, note: 'UMD, global SockJS, all transports' },
  { name: 'socket.io-client', file: 'dist/socket.io.min.js', minified: true, note: 'UMD, global io, polling + websocket + webtransport' },
  { name: 'atmosphere.js', file: 'dist/atmosphere.global.js', minified: true, note: 'IIFE, global AtmosphereJS (esbuild-minified as shipped)' },
  { name: 'atmosphere.js', file: 'dist/atmosphere.global.js', minified: false, note: 'the same file through terser' },
];

const rows = [];

for (const other of OTHERS) {
  const { dir, version } = await pkg(other.name);
  let code = await readFile(join(dir, other.file), 'utf8');
  if (!other.minified) code = (await minify(code, terserOptions)).code;
  rows.push({ build: `${other.name} ${version}: ${other.file}${other.minified ? '' : ' + terser'}`, min: code.length, gz: gzipped(code), note: other.note });
}

// Ours, as the size check measures them (its table: name, min, min+gz, budget).
const { stdout } = await promisify(execFile)(process.execPath, [join(root, 'test/size/size.mjs')], { cwd: root }).catch((error) => error);
const { version } = JSON.parse(await readFile(join(root, 'package.json'), 'utf8'));
for (const line of stdout.split('\n').slice(1)) {
  const m = /^(.+?)\s+(\d+)\s+(\d+)\s+\d+/.exec(line);
  if (m) rows.push({ build: `cometkit ${version}: ${m[1]}`, min: Number(m[2]), gz: Number(m[3]), note: 'test/size/size.mjs' });
}
if (!rows.some((r) => r.build.startsWith('cometkit'))) throw new Error(`compare: no figures from test/size/size.mjs:\n${stdout}`);

const width = Math.max(...rows.map((r) => r.build.length)) + 2;
console.log('build'.padEnd(width) + 'min'.padStart(8) + 'min+gz'.padStart(9) + '  note');
for (const r of rows) console.log(r.build.padEnd(width) + String(r.min).padStart(8) + String(r.gz).padStart(9) + `  ${r.note}`);
