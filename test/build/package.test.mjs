// The package as a consumer gets it: `npm pack`ed and unpacked into a project's node_modules, then
// loaded by Node (require and import), bundled by esbuild (CommonJS and ES module code), and
// type-checked by TypeScript under each module resolution it offers. The other tests read dist/
// directly; these go through package.json's exports, main and typesVersions, as users' tools do.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import vm from 'node:vm';
import { build } from 'esbuild';
import ts from 'typescript';

const run = promisify(execFile);
const root = fileURLToPath(new URL('../..', import.meta.url));
const ENTRIES = {
  cometkit: ['NegotiationError', 'TIERS', 'createClient', 'createCoreClient', 'iframe', 'jsonp', 'polling', 'websocket', 'xhrStreaming'],
  'cometkit/websocket': ['NegotiationError', 'createClient'],
  'cometkit/server': ['createServer', 'listen'],
};

describe('the package as installed', () => {
  let project;
  const write = (file, text) => writeFile(join(project, file), text);
  /** Runs `node <file>` in the project; its stdout as JSON. */
  const node = async (file) => JSON.parse((await run(process.execPath, [file], { cwd: project })).stdout);

  before(async () => {
    project = await mkdtemp(join(tmpdir(), 'cometkit-consumer-'));
    const modules = join(project, 'node_modules');
    await mkdir(join(modules, 'cometkit'), { recursive: true });
    // What `files` in package.json ships, no more: a file left out of it fails here.
    const { stdout } = await run('npm', ['pack', '--json', '--pack-destination', project], { cwd: root });
    const tarball = join(project, JSON.parse(stdout)[0].filename);
    await run('tar', ['-xzf', tarball, '-C', join(modules, 'cometkit'), '--strip-components=1']);
    // The server's one dependency, as npm would have installed it beside the package; and Node's types,
    // which a TypeScript project on Node has. Nothing else: declarations that needed more (mitt's, ws's)
    // would fail to type-check here.
    await symlink(join(root, 'node_modules', 'ws'), join(modules, 'ws'), 'dir');
    await mkdir(join(modules, '@types'));
    await symlink(join(root, 'node_modules', '@types', 'node'), join(modules, '@types', 'node'), 'dir');
    await write('package.json', '{ "private": true }');
  });
  after(() => rm(project, { recursive: true, force: true }));

  it('Node: require() and import() of every entry give the same exports', async () => {
    const names = Object.keys(ENTRIES);
    await write('require.cjs', `console.log(JSON.stringify(${JSON.stringify(names)}.map((n) => Object.keys(require(n)).sort())));`);
    await write('import.mjs', `console.log(JSON.stringify(await Promise.all(${JSON.stringify(names)}.map(async (n) => Object.keys(await import(n)).sort()))));`);
    const expected = Object.values(ENTRIES);
    // Before the CommonJS files, require('cometkit') loaded the UMD file as an ES module
    // ("type": "module"): no exports at all.
    assert.deepEqual(await node('require.cjs'), expected, 'require()');
    assert.deepEqual(await node('import.mjs'), expected, 'import()');
  });

  it('Node: a server required from CommonJS serves /info', async () => {
    await write(
      'server.cjs',
      `const { listen } = require('cometkit/server');
listen({ prefix: '/comet' }).then(async (server) => {
  const res = await fetch(server.url + '/info');
  console.log(JSON.stringify({ status: res.status, websocket: (await res.json()).websocket }));
  await server.close();
});`,
    );
    assert.deepEqual(await node('server.cjs'), { status: 200, websocket: true });
  });

  /** esbuild's browser bundle of `code` (a file of the project), run as a classic script; `globalThis.out` after. */
  const bundled = async (file, code) => {
    await write(file, code);
    const result = await build({ entryPoints: [join(project, file)], bundle: true, write: false, platform: 'browser', format: 'iife', minify: true, logLevel: 'silent' });
    const text = result.outputFiles[0].text;
    const sandbox = { URL, location: { href: 'http://127.0.0.1/' } };
    vm.runInNewContext(text, sandbox);
    // Through JSON: the sandbox's arrays are of another realm.
    return { text, out: JSON.parse(JSON.stringify(sandbox.out)) };
  };

  it('esbuild: CommonJS code that requires cometkit gets the API (TypeScript compiled with module: commonjs)', async () => {
    const { out } = await bundled('app.cjs', `const { createClient, createCoreClient, websocket, TIERS } = require('cometkit');
globalThis.out = [typeof createClient, typeof createCoreClient, websocket.name, TIERS.length];`);
    assert.deepEqual(out, ['function', 'function', 'websocket', 5]);
  });

  it('esbuild: an ES module importing the WebSocket-only entry, or the core with websocket, carries no HTTP tier', async () => {
    const only = await bundled('ws.mjs', `import { createClient } from 'cometkit/websocket';\nglobalThis.out = typeof createClient;`);
    const core = await bundled(
      'core.mjs',
      `import { createCoreClient, websocket } from 'cometkit';\nglobalThis.out = [typeof createCoreClient, websocket.name];`,
    );
    assert.equal(only.out, 'function');
    assert.deepEqual(core.out, ['function', 'websocket']);
    for (const { text } of [only, core]) {
      for (const word of ['xhr_streaming', 'xhr_send', 'htmlfile', '/jsonp']) assert.ok(!text.includes(word), `the bundle carries ${word}`);
    }
  });

  /** TypeScript's errors for the project's `file`, strict, libraries checked, with Node's types and `lib`. */
  const typeErrors = (file, options, lib) => {
    const program = ts.createProgram([join(project, file)], { ...options, strict: true, noEmit: true, skipLibCheck: false, target: ts.ScriptTarget.ES2022, lib, types: ['node'] });
    return ts.getPreEmitDiagnostics(program).map((d) => ts.flattenDiagnosticMessageText(d.messageText, '\n'));
  };

  // What a consumer writes, typed: wrong types or an unresolved entry are errors.
  const USE = `const client: Client = createClient('/comet', { transports: ['websocket', 'polling'] });
client.on('message', (e) => e.data.toUpperCase());
const other: Client = createWebSocketClient('/comet');
const server: CometServer = createServer({ prefix: '/comet' });
export const used = [client, other, server, createCoreClient('/comet', { transports: [websocket] })];
`;
  const ESM = `import { createClient, createCoreClient, websocket } from 'cometkit';
import type { Client } from 'cometkit';
import { createClient as createWebSocketClient } from 'cometkit/websocket';
import { createServer } from 'cometkit/server';
type CometServer = ReturnType<typeof createServer>;
${USE}`;
  const CJS = `import cometkit = require('cometkit');
import ws = require('cometkit/websocket');
import serverApi = require('cometkit/server');
const { createClient, createCoreClient, websocket } = cometkit;
type Client = cometkit.Client;
const createWebSocketClient = ws.createClient;
const createServer = serverApi.createServer;
type CometServer = ReturnType<typeof createServer>;
${USE}`;
  const NODE16 = { module: ts.ModuleKind.Node16, moduleResolution: ts.ModuleResolutionKind.Node16 };
  const MODES = [
    // TypeScript's default for module commonjs: no exports map, main/types and typesVersions only.
    { name: 'node10 (module commonjs)', file: 'node10.ts', code: ESM, options: { module: ts.ModuleKind.CommonJS, moduleResolution: ts.ModuleResolutionKind.Node10 } },
    { name: 'node16, CommonJS file', file: 'cjs.cts', code: CJS, options: NODE16 },
    { name: 'node16, ES module file', file: 'esm.mts', code: ESM, options: NODE16 },
    { name: 'bundler', file: 'bundler.ts', code: ESM, options: { module: ts.ModuleKind.ESNext, moduleResolution: ts.ModuleResolutionKind.Bundler } },
  ];
  // A Node project that serves: no DOM in its lib, so the server's declarations must not need one.
  it('TypeScript, a Node project without the DOM library: cometkit/server resolves, typed', async () => {
    await write(
      'node-only.mts',
      `import { createServer, listen } from 'cometkit/server';
const comet = createServer({ prefix: '/comet', origins: ['https://app.example'] });
comet.on('connection', (session) => session.on('message', (text: string) => session.send(text.toUpperCase())));
export const started = listen({ port: 0 }).then(({ url, close }) => [url, close] as const);
`,
    );
    assert.deepEqual(typeErrors('node-only.mts', NODE16, ['lib.es2022.d.ts']), []);
  });

  for (const mode of MODES) {
    it(`TypeScript, moduleResolution ${mode.name}: every entry resolves, typed`, async () => {
      await write(mode.file, mode.code);
      const errors = typeErrors(mode.file, mode.options, ['lib.es2022.d.ts', 'lib.dom.d.ts']);
      assert.deepEqual(errors, []);
    });
  }
});
