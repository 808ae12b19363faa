// Programmatic entry for the browser tests (karma.conf.cjs does the browser/launcher setup).
//
//   const { passed, failed, skipped } = await runKarma({
//     files: ['test/browser/foo.test.js'],          // default: test/browser/**/*.test.js
//     clientArgs: { serverPort: 1234 },              // read in the browser with support/config.js
//     proxies: { '/same/': 'http://127.0.0.1:1234/' },
//     browsers: ['ChromiumHeadlessCI'],              // default: Chromium and Firefox, concurrently
//   });
//
// `failed` also counts browser-level errors (a file that fails to load, a disconnect, a browser
// that never started), so `failed === 0` means a green run.
import fs from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import karma from 'karma';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const BUILD_DIR = fileURLToPath(new URL('./.build/', import.meta.url));

/**
 * @param {{ files?: Array<string|object>, clientArgs?: object, proxies?: Record<string, string|object>,
 *           browsers?: string[], mocha?: object, port?: number }} [options]
 *   files: test modules (strings) or karma file entries (objects, e.g. served-only helpers);
 *   mocha: merged into client.mocha, e.g. { timeout: 20000 }.
 * @returns {Promise<{ passed: number, failed: number, skipped: number, errors: number, exitCode: number, browsers: object }>}
 */
export async function runKarma({ files, clientArgs = {}, proxies = {}, browsers, mocha, port } = {}) {
  const overrides = { client: { args: [clientArgs] }, proxies };
  if (files) overrides.testFiles = files;
  if (browsers) overrides.browsers = browsers;
  if (mocha) overrides.client.mocha = mocha;
  if (port) overrides.port = port;
  const config = await karma.config.parseConfig(path.join(ROOT, 'karma.conf.cjs'), overrides, {
    promiseConfig: true,
    throwErrors: true,
  });

  return new Promise((resolve, reject) => {
    let totals = { passed: 0, failed: 0, skipped: 0, errors: 0, browsers: {} };
    const server = new karma.Server(config, (exitCode) => {
      // A non-zero exit with nothing to show for it (e.g. a browser that never started) is a failure too.
      const unexplained = exitCode !== 0 && totals.failed + totals.errors === 0 ? 1 : 0;
      resolve({ ...totals, failed: totals.failed + totals.errors + unexplained, exitCode });
    });
    server.on('summary_totals', (t) => { totals = t; });
    server.start().catch(reject);
  });
}

// msw's ES module build has bare imports (outvariant, @mswjs/interceptors, ...) that a browser
// cannot resolve without a bundler, so bundle the parts the tests use into one ES module.
const MSW_ENTRY = `
export { setupWorker } from 'msw/browser';
export { http, HttpResponse, delay, passthrough, bypass, ws } from 'msw';
`;

/** Bundles test-only browser dependencies into test/browser/.build/ (skipped when up to date). */
export async function buildTestDeps() {
  const { version } = JSON.parse(await fs.readFile(path.join(ROOT, 'node_modules/msw/package.json'), 'utf8'));
  const out = path.join(BUILD_DIR, 'msw.js');
  const stamp = `// msw ${version}: ${MSW_ENTRY.replace(/\s+/g, ' ').trim()}\n`;
  const current = await fs.readFile(out, 'utf8').catch(() => '');
  if (current.startsWith(stamp)) return;

  const { rollup } = await import('rollup');
  const { nodeResolve } = await import('@rollup/plugin-node-resolve');
  // A virtual entry inside the repo, so node-resolve finds node_modules from it whatever the cwd.
  const entryId = path.join(BUILD_DIR, 'msw-entry.js');
  const bundle = await rollup({
    input: entryId,
    plugins: [
      { name: 'entry', resolveId: (id) => (id === entryId ? id : null), load: (id) => (id === entryId ? MSW_ENTRY : null) },
      nodeResolve({ browser: true, rootDir: ROOT }),
    ],
    onwarn(warning, warn) {
      if (warning.code !== 'CIRCULAR_DEPENDENCY') warn(warning);
    },
  });
  const { output } = await bundle.generate({ format: 'es', inlineDynamicImports: true });
  await bundle.close();
  await fs.mkdir(BUILD_DIR, { recursive: true });
  await fs.writeFile(out, stamp + output[0].code);
}
