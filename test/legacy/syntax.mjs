// The legacy build's syntax check (`npm test` stage legacy-syntax): es-check es3 on
// dist/cometkit.legacy.js and .min.js, then a strict ES3 parse of both, because
// es-check 9 parses "es3" as ES5 and so lets through what IE 8 and older reject:
// reserved words as property names (`a.default`, `{ class: 1 }`), getters and
// setters, and trailing commas in object literals; and trailing commas in array
// literals, legal ES3 that old IE reads as one more element.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../../', import.meta.url));
const FILES = ['dist/cometkit.legacy.js', 'dist/cometkit.legacy.min.js'];
// The acorn es-check itself parses with.
const acorn = createRequire(new URL('node_modules/es-check/package.json', `file://${root}`))('acorn');

let failed = 0;
const esCheck = spawnSync(process.execPath, [new URL('node_modules/es-check/lib/cli/index.js', `file://${root}`).pathname, 'es3', ...FILES], {
  cwd: root,
  stdio: 'inherit',
});
if (esCheck.status !== 0) failed++;

for (const file of FILES) {
  const code = readFileSync(new URL(file, `file://${root}`), 'utf8');
  const problems = [];
  try {
    // allowReserved 'never': no reserved word as an identifier or a property name, as ES3 says.
    acorn.parse(code, { ecmaVersion: 3, allowReserved: 'never', sourceType: 'script' });
  } catch (error) {
    problems.push(error.message);
  }
  let previous = null;
  for (const token of acorn.tokenizer(code, { ecmaVersion: 5, locations: true })) {
    if (previous?.type.label === ',' && token.type.label === ']') problems.push(`trailing comma in an array literal (${token.loc.start.line}:${token.loc.start.column})`);
    previous = token;
  }
  if (/[^\t\n\r\x20-\x7e]/.test(code) && file.endsWith('.min.js')) problems.push('non-ASCII characters (the page charset would decide how they read)');
  if (problems.length > 0) {
    failed++;
    console.error(`${file} is not ES3: ${problems.join('; ')}`);
  } else {
    console.log(`${file}: strict ES3 parse ok (${code.length} bytes)`);
  }
}
process.exitCode = failed > 0 ? 1 : 0;
