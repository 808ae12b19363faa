// `npm test`: every check, in the order that fails fastest. Prints one
// "N passed, N failed" line at the end and exits non-zero on any failure.
import { spawn } from 'node:child_process';
import { mkdir, readFile, readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const only = process.argv.slice(2);
const bin = (name) => join(root, 'node_modules', '.bin', name);

let passed = 0;
let failed = 0;
const failures = [];

function run(cmd, args, { env = {}, capture = false } = {}) {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, {
      cwd: root,
      env: { ...process.env, ...env },
      stdio: ['ignore', capture ? 'pipe' : 'inherit', 'inherit'],
    });
    let out = '';
    if (capture) child.stdout.on('data', (d) => (out += d));
    child.on('close', (code) => resolve({ code, out }));
  });
}

async function stage(name, fn) {
  if (only.length > 0 && !only.includes(name)) return;
  const started = Date.now();
  console.log(`\n=== ${name}`);
  let result;
  try {
    result = await fn();
  } catch (error) {
    console.error(error);
    result = { passed: 0, failed: 1 };
  }
  passed += result.passed;
  failed += result.failed;
  if (result.failed > 0) failures.push(name);
  console.log(`=== ${name}: ${result.passed} passed, ${result.failed} failed (${((Date.now() - started) / 1000).toFixed(1)} s)`);
}

const check = async (cmd, args, opts) => ((await run(cmd, args, opts)).code === 0 ? { passed: 1, failed: 0 } : { passed: 0, failed: 1 });

async function listFiles(dir) {
  const entries = await readdir(dir, { withFileTypes: true, recursive: true });
  return entries.filter((e) => e.isFile()).map((e) => join(e.parentPath ?? e.path, e.name).slice(dir.length + 1)).sort();
}

// dist/ is committed for script-tag users, so it must be exactly what the sources build.
async function distIsFresh() {
  const fresh = join(root, '.tmp', 'dist-check');
  await rm(fresh, { recursive: true, force: true });
  const built = await run(bin('rollup'), ['-c', '--silent'], { env: { OUT_DIR: fresh } });
  if (built.code !== 0) return { passed: 0, failed: 1 };
  const want = await listFiles(fresh);
  const have = await listFiles(join(root, 'dist'));
  const stale = [];
  for (const file of new Set([...want, ...have])) {
    const [a, b] = await Promise.all([
      readFile(join(fresh, file)).catch(() => null),
      readFile(join(root, 'dist', file)).catch(() => null),
    ]);
    if (!a || !b || !a.equals(b)) stale.push(file);
  }
  if (stale.length > 0) {
    console.error(`dist/ differs from a fresh build (run \`npm run build\` and commit dist/): ${stale.join(', ')}`);
    return { passed: 0, failed: 1 };
  }
  console.log(`dist/ matches a fresh build (${want.length} files)`);
  return { passed: 1, failed: 0 };
}

async function nodeTests() {
  const files = (await listFiles(join(root, 'test')))
    .filter((f) => f.endsWith('.test.mjs') && !f.startsWith('browser/'))
    .map((f) => join('test', f));
  return nodeTestRun(files, 'node-tests', 120000);
}

/** Runs `node --test` on `files`, counting passes and failures from its TAP report. */
async function nodeTestRun(files, name, timeout) {
  const tap = join(root, '.tmp', `${name}.tap`);
  await mkdir(join(root, '.tmp'), { recursive: true });
  await run(process.execPath, [
    '--test',
    // A test that hangs fails after this instead of holding the whole run. Node 20 applies it to each
    // file as a whole too, so it bounds a file's total: a file of many short tests (the package test, 18 s
    // here) failed at 30 s on a busy machine though each of its tests passed.
    `--test-timeout=${timeout}`,
    '--test-reporter=dot',
    '--test-reporter-destination=stdout',
    '--test-reporter=tap',
    `--test-reporter-destination=${tap}`,
    ...files,
  ]);
  const text = await readFile(tap, 'utf8').catch(() => '');
  const count = (key) => Number(new RegExp(`^# ${key} (\\d+)$`, 'm').exec(text)?.[1] ?? 0);
  for (const m of text.matchAll(/^\s*not ok \d+ - (.*)$/gm)) console.error(`  not ok: ${m[1]}`);
  const result = { passed: count('pass'), failed: count('fail') + count('cancelled') };
  if (result.passed + result.failed === 0) result.failed = 1;
  return result;
}

// Chromium through playwright-core: the demo pages (test/e2e/) and the HTTP/2 pages (test/network/).
async function e2eTests() {
  const files = (await listFiles(join(root, 'test'))).filter((f) => f.endsWith('.e2e.mjs')).map((f) => join('test', f));
  return nodeTestRun(files, 'e2e-tests', 300000);
}

async function browserTests() {
  const { runBrowserSuite } = await import('./browser/suite.mjs');
  return runBrowserSuite();
}

async function webkitTests() {
  const { WEBKIT_TEST_FILES, runBrowserSuite } = await import('./browser/suite.mjs');
  return runBrowserSuite({ files: WEBKIT_TEST_FILES, browsers: ['WebKitHeadless'] });
}

const started = Date.now();
await stage('lint', async () => {
  const types = await check(bin('tsc'), ['-p', 'tsconfig.json', '--noEmit']);
  const lint = await check(bin('eslint'), ['.']);
  return { passed: types.passed + lint.passed, failed: types.failed + lint.failed };
});
await stage('dist', distIsFresh);
await stage('legacy-syntax', () => check(process.execPath, ['test/legacy/syntax.mjs']));
await stage('size', () => check(process.execPath, ['test/size/size.mjs']));
await stage('node', nodeTests);
await stage('browser', browserTests);
await stage('webkit', webkitTests);
await stage('e2e', e2eTests);

console.log(`\nTotal time ${((Date.now() - started) / 1000).toFixed(0)} s${failures.length ? `; failed stages: ${failures.join(', ')}` : ''}`);
console.log(`${passed} passed, ${failed} failed`);
process.exitCode = failed > 0 ? 1 : 0;
