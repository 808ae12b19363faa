// What ships in dist/: browser builds free of Node globals, the script tag's
// global, the ESM exports, and a package.json whose exports point at real files.
import assert from 'node:assert/strict';
import { readFile, stat } from 'node:fs/promises';
import { describe, it } from 'node:test';
import vm from 'node:vm';
import * as acorn from 'acorn';

const dist = new URL('../../dist/', import.meta.url);
const read = (file) => readFile(new URL(file, dist), 'utf8');
// (The CommonJS files too: bundlers take them into pages.)
const BROWSER_BUILDS = ['cometkit.mjs', 'cometkit.cjs', 'cometkit.umd.js', 'cometkit.min.js', 'websocket.mjs', 'websocket.cjs'];
const EXPORTS = ['NegotiationError', 'TIERS', 'createClient', 'createCoreClient', 'iframe', 'jsonp', 'polling', 'websocket', 'xhrStreaming'];

describe('dist', () => {
  for (const file of BROWSER_BUILDS) {
    it(`${file} uses no Node globals`, async () => {
      // Comments may say "global"; the UMD wrapper's own `global` parameter is rollup's, not Node's.
      const code = (await read(file))
        .replace(/\/\*[\s\S]*?\*\/|\/\/.*$/gm, '')
        .replace(/^\(function \(global, factory\)[\s\S]*?\}\)\(this, /, '');
      for (const name of ['process', 'global', 'Buffer', 'require', '__dirname', 'setImmediate']) {
        assert.doesNotMatch(code, new RegExp(`(?<![.\\w$])${name}(?![\\w$])`), `${file} mentions ${name}`);
      }
    });
  }

  // README ("Browsers"): the modern builds run where ES2020 syntax does (Chromium 80, Firefox 74, Safari
  // 13.1). Parsed at that level, and searched for calls of what came after and that engines of that age
  // lack, unless guarded (`?.(`): the client once called AbortSignal.timeout() unguarded and never
  // connected in them.
  const LATER = ['AbortSignal.timeout', 'AbortSignal.any', 'structuredClone', 'Object.hasOwn', '.at', 'replaceAll', 'findLast', 'toSorted', 'withResolvers', 'randomUUID'];
  for (const file of BROWSER_BUILDS) {
    it(`${file} is ES2020 and calls nothing later unguarded`, async () => {
      const code = await read(file);
      acorn.parse(code, { ecmaVersion: 2020, sourceType: file.endsWith('.mjs') ? 'module' : 'script' });
      for (const name of LATER) assert.ok(!code.includes(name + '('), `${file} calls ${name}`);
    });
  }

  it('the bridge page the server serves (and the client carries) is ES2020', async () => {
    const { listen } = await import(new URL('server.js', dist));
    const server = await listen({ prefix: '/svc' });
    try {
      const page = await (await fetch(`${server.url}/iframe-cometkit.html`)).text();
      const script = /<script>([\s\S]*)<\/script>/.exec(page)?.[1];
      assert.ok(script, 'a script in the page');
      acorn.parse(script, { ecmaVersion: 2020, sourceType: 'script' });
      assert.throws(() => acorn.parse(script, { ecmaVersion: 2019, sourceType: 'script' }), 'the check can tell (optional chaining is ES2020)');
    } finally {
      await server.close();
    }
  });

  for (const file of ['cometkit.umd.js', 'cometkit.min.js']) {
    it(`${file} defines the global cometkit with every export as a classic script`, async () => {
      const sandbox = {};
      sandbox.self = sandbox;
      vm.runInNewContext(await read(file), sandbox);
      assert.deepEqual(Object.keys(sandbox.cometkit).sort(), EXPORTS);
      assert.equal(typeof sandbox.cometkit.createClient, 'function');
    });
  }

  // A page with an AMD loader (RequireJS, as on Magento 2 storefronts) or CommonJS-looking globals still
  // gets the global from the script tag, and the loader is left alone: a UMD file registered with the
  // loader instead, which rejects an anonymous define() from a script it did not load.
  it('cometkit.min.js defines the global on a page with an AMD loader or CommonJS-looking globals', async () => {
    const code = await read('cometkit.min.js');
    const defined = [];
    const define = (...args) => defined.push(args);
    define.amd = {};
    const sandbox = { define, exports: {}, module: { exports: {} } };
    vm.runInNewContext(code, sandbox);
    assert.deepEqual(Object.keys(sandbox.cometkit ?? {}).sort(), EXPORTS);
    assert.equal(defined.length, 0, 'define() calls');
    assert.deepEqual([Object.keys(sandbox.exports), Object.keys(sandbox.module.exports)], [[], []]);
  });

  for (const file of ['cometkit.legacy.js', 'cometkit.legacy.min.js']) {
    it(`${file} defines the global cometkit with createClient as a classic script, and mentions no Node global`, async () => {
      const code = await read(file);
      const sandbox = {};
      vm.runInNewContext(code, sandbox);
      assert.deepEqual(Object.keys(sandbox.cometkit), ['createClient']);
      assert.equal(typeof sandbox.cometkit.createClient, 'function');
      const bare = code.replace(/\/\*[\s\S]*?\*\/|\/\/.*$/gm, '');
      for (const name of ['process', 'global', 'Buffer', 'require', '__dirname', 'setImmediate']) {
        assert.doesNotMatch(bare, new RegExp(`(?<![.\\w$])${name}(?![\\w$])`), `${file} mentions ${name}`);
      }
    });
  }

  it('cometkit.mjs exports the public API and imports nothing', async () => {
    const code = await read('cometkit.mjs');
    assert.doesNotMatch(code, /^import /m);
    const mod = await import(new URL('cometkit.mjs', dist));
    assert.deepEqual(Object.keys(mod).sort(), EXPORTS);
  });

  it('websocket.mjs exports createClient and NegotiationError, imports nothing, and carries no multi-tier code', async () => {
    const code = (await read('websocket.mjs')).replace(/\/\*[\s\S]*?\*\/|\/\/.*$/gm, '');
    assert.doesNotMatch(code, /^import /m);
    const mod = await import(new URL('websocket.mjs', dist));
    assert.deepEqual(Object.keys(mod).sort(), ['NegotiationError', 'createClient']);
    // The network memory, stream-sense, tuning and re-upgrade, and every HTTP tier, are left out.
    for (const text of ['localStorage', 'takeover', 'streams are buffered', '&ttl=', 're-upgrade', 'xhr_send', 'htmlfile', 'jsonp']) {
      assert.ok(!code.includes(text), `websocket.mjs mentions ${text}`);
    }
  });

  it('importing cometkit.mjs has no side effects on the global object', async () => {
    const before = Object.keys(globalThis).sort();
    await import(new URL('cometkit.mjs?fresh', dist));
    assert.deepEqual(Object.keys(globalThis).sort(), before);
  });

  it('package.json exports and types point at built files', async () => {
    const pkg = JSON.parse(await readFile(new URL('../../package.json', import.meta.url), 'utf8'));
    assert.equal(pkg.type, 'module');
    assert.equal(pkg.sideEffects, false);
    // Every file named anywhere in the exports map (conditions nest), in `main`, `module`, `types`,
    // `typesVersions`.
    const targets = [];
    const walk = (value) => (typeof value === 'string' ? targets.push(value) : Object.values(value).forEach(walk));
    walk([pkg.exports, pkg.main, pkg.module, pkg.types, pkg.unpkg, pkg.typesVersions]);
    assert.ok(targets.length >= 19, `${targets.length} files named`);
    for (const target of targets) await stat(new URL(`../../${target}`, import.meta.url));
    assert.ok(pkg.exports['.'], 'exports "."');
    assert.ok(pkg.exports['./server'], 'exports "./server"');
    assert.ok(pkg.exports['./websocket'], 'exports "./websocket"');
    // CDNs serve a package's bare URL (`<script src="https://cdn.jsdelivr.net/npm/cometkit">`) from these
    // fields, jsDelivr from `main` without its own: that is the CommonJS file, which a page cannot run.
    assert.deepEqual([pkg.unpkg, pkg.jsdelivr], ['./dist/cometkit.min.js', './dist/cometkit.min.js'], 'unpkg and jsdelivr');
  });
});
