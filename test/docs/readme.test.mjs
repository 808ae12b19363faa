// Every fenced code block in README.md, run or checked according to its info string:
//   ```sh                 each command is a package.json script, `npm ci`/`npm install`, or
//                         `node`/`bash` on a file that exists
//   ```js server          imported in Node with 'cometkit/server' pointing at dist/server.js and fixed
//                         ports turned into 0; it must answer /info, a WebSocket and an XHR round trip
//                         (and reach `app` outside the prefix when it mounts on one); then closed
//   ```html browser       in Chromium (playwright-core) against a cometkit server started here that
//   ```js browser         says "welcome" and echoes; the sample's URL points at it, the functions it calls
//                         (render, show, …) are stubs; the client must open and the stubs be called
//   ```js browser sockjs  the same against a stock sockjs-node server speaking enough STOMP
//   ```nginx              wrapped in a minimal config and passed to `nginx -t`
// A block with any other info string fails the test: every sample is exercised.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer as createHttpServer } from 'node:http';
import { createRequire } from 'node:module';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { extname, join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { chromium } from 'playwright-core';
import WebSocket from 'ws';
import { createServer as createCometServer } from '../../dist/server.js';
import { BUILDS, measure } from '../size/builds.mjs';

const root = fileURLToPath(new URL('../..', import.meta.url));
const require = createRequire(import.meta.url);
const NGINX = '/usr/sbin/nginx';
const CHROMIUM = '/usr/bin/chromium';
const WAIT = 10000;

/** The fenced blocks of a Markdown text: { lang, tags, key, code, line, section (the heading above) }. */
function fencedBlocks(markdown) {
  const blocks = [];
  let open = null;
  let section = '';
  markdown.split('\n').forEach((text, i) => {
    if (!open) {
      const heading = /^#+\s+(.*)$/.exec(text);
      if (heading) section = heading[1].replace(/`/g, '');
      const m = /^```(\S*)\s*(.*)$/.exec(text);
      if (m) open = { lang: m[1], tags: m[2].split(/\s+/).filter(Boolean), lines: [], line: i + 1, section };
    } else if (/^```\s*$/.test(text)) {
      blocks.push({ ...open, key: [open.lang, ...open.tags].join(' '), code: open.lines.join('\n') });
      open = null;
    } else {
      open.lines.push(text);
    }
  });
  assert.equal(open, null, `README.md: the block opened on line ${open?.line} is never closed`);
  return blocks;
}

const readme = readFileSync(join(root, 'README.md'), 'utf8');
const blocks = fencedBlocks(readme);
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
const of = (...keys) => blocks.filter((b) => keys.includes(b.key));
const name = (b) => `${b.section} (README.md:${b.line}, ${b.key})`;

const BROWSER = ['html browser', 'js browser', 'js browser sockjs'];
const KNOWN = ['sh', 'js server', 'nginx', ...BROWSER];

test('every README code block has a tag this test knows', () => {
  const unknown = blocks.filter((b) => !KNOWN.includes(b.key)).map(name);
  assert.deepEqual(unknown, [], `tag each block as one of: ${KNOWN.join(', ')}`);
  for (const key of KNOWN) assert.ok(of(key).length > 0, `no "${key}" block left: drop it from this test`);
});

test('README opens with the two commands: npm start and npm test', () => {
  const first = readme.indexOf('```');
  assert.ok(readme.slice(0, first).split('\n').filter(Boolean).length <= 1, 'only the title comes before them');
  assert.equal(blocks[0].key, 'sh');
  const commands = blocks[0].code.split('\n').map((l) => l.replace(/#.*/, '').trim()).filter(Boolean);
  assert.deepEqual(commands, ['npm start', 'npm test']);
  assert.match(pkg.scripts.start, /^node demo\/server\.mjs$/);
  assert.ok(existsSync(join(root, 'demo/server.mjs')));
});

// README gives the builds' sizes in KB of one decimal (1000 bytes): each must be the measured figure,
// so a change that moves a build by 50 bytes or more moves README with it.
test("README's sizes of cometkit's builds are today's", async () => {
  const kb = async (prefix) => (Math.round((await measure(BUILDS.find((b) => b.name.startsWith(prefix)))).gz / 100) / 10).toFixed(1);
  const said = (pattern) => {
    const m = readme.match(pattern);
    assert.ok(m, `README no longer says ${pattern}: update this test with it`);
    return m.slice(1);
  };
  const [script, full, ws, legacy] = said(/\*\*(\d\.\d) KB\*\* script tag, (\d\.\d) KB ESM all tiers, \*\*(\d\.\d) KB\*\* WebSocket only.*?, (\d\.\d) KB legacy/);
  const [onlyWs, throughMain] = said(/(\d\.\d) KB against (\d\.\d) KB for WebSocket alone through the main entry/);
  assert.deepEqual(
    { script, full, ws, legacy, onlyWs, throughMain },
    {
      script: await kb('script tag'),
      full: await kb('full client'),
      ws: await kb('WebSocket-only'),
      legacy: await kb('legacy'),
      onlyWs: await kb('WebSocket-only'),
      throughMain: await kb('createCoreClient + websocket'),
    },
  );
});

/** GitHub's anchor for a heading. */
const slug = (heading) => heading.toLowerCase().replace(/[^\p{L}\p{N} _-]/gu, '').replace(/ /g, '-');
const anchors = (markdown) => new Set([...markdown.matchAll(/^#+\s+(.*)$/gm)].map((m) => slug(m[1])));

test("README's links to its own sections and to files resolve", () => {
  const broken = [];
  for (const [, target] of readme.matchAll(/\]\(([^)\s]+)\)/g)) {
    if (/^https?:/.test(target)) continue;
    const [file, hash] = target.split('#');
    if (file && !existsSync(join(root, file))) broken.push(target);
    else if (hash && !anchors(file ? readFileSync(join(root, file), 'utf8') : readme).has(hash)) broken.push(target);
  }
  assert.deepEqual(broken, []);
});

// --- sh -------------------------------------------------------------------

function checkCommand(line) {
  const words = line.replace(/^(\w+=\S*\s+)+/, '').split(/\s+/);
  const [cmd, sub, arg] = words;
  if (cmd === 'npm') {
    if (sub === 'ci' || sub === 'install') return;
    const script = sub === 'run' ? arg : sub;
    assert.ok(['start', 'test'].includes(sub) || sub === 'run', `\`${line}\`: not an npm command this README uses`);
    assert.ok(pkg.scripts[script], `\`${line}\`: package.json has no "${script}" script`);
    return;
  }
  if (cmd === 'node' || cmd === 'bash') {
    assert.ok(existsSync(join(root, sub)), `\`${line}\`: ${sub} does not exist`);
    return;
  }
  assert.fail(`\`${line}\`: not an npm script, node or bash command`);
}

describe('sh blocks name scripts and files that exist', () => {
  for (const block of of('sh')) {
    test(name(block), () => {
      const lines = block.code.split('\n').map((l) => l.replace(/\s#.*$/, '').trim()).filter((l) => l && !l.startsWith('#'));
      assert.ok(lines.length > 0, 'empty block');
      for (const line of lines) checkCommand(line);
    });
  }
});

// --- js server ------------------------------------------------------------

const work = join(root, '.tmp', `readme-${process.pid}`);
after(() => rm(work, { recursive: true, force: true }));

/** A 'cometkit/server' that is dist/server.js, remembering the servers a sample creates. */
const SHIM = `import * as real from '../../dist/server.js';
export * from '../../dist/server.js';
export function createServer(options) {
  const comet = real.createServer(options);
  globalThis.readmeComets.push(comet);
  return comet;
}
export async function listen(options, onConnection) {
  const standalone = await real.listen(options, onConnection);
  globalThis.readmeComets.push(standalone.comet);
  return standalone;
}
`;

function serverSample(code) {
  let out = code.replace(/from 'cometkit\/server'/g, "from './cometkit-server.mjs'");
  out = out.replace(/\.listen\(8080\b/g, '.listen(0').replace(/\bport: 8080\b/g, 'port: 0');
  assert.doesNotMatch(out.replace(/\/\/.*$/gm, ''), /\b8080\b/, 'a fixed port this test does not know how to rewrite');
  // The "existing app" a sample mounts next to, when it does not make its own.
  const app = /\bapp\b/.test(out.replace(/\/\/.*$/gm, ''));
  if (app && !/\b(const|let|var) app\b/.test(out)) {
    out = `const app = (req, res) => { res.writeHead(200, { 'Content-Type': 'text/plain' }); res.end('app\\n'); };\n${out}`;
  }
  return { code: out, app };
}

function sockjsId() {
  return Math.random().toString(36).slice(2, 10);
}

async function websocketRoundTrip(wsBase) {
  const ws = new WebSocket(`${wsBase}/000/${sockjsId()}/websocket`);
  const frames = [];
  let wake = () => {};
  ws.on('message', (data) => {
    frames.push(String(data));
    wake();
  });
  const until = (test) =>
    new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`WebSocket: no such frame in ${JSON.stringify(frames)}`)), 3000);
      wake = () => {
        if (frames.some(test)) {
          clearTimeout(timer);
          resolve();
        }
      };
      wake();
    });
  try {
    await until((f) => f === 'o');
    ws.send(JSON.stringify(['readme over websocket']));
    await until((f) => f.startsWith('a') && f.includes('readme over websocket'));
  } finally {
    ws.terminate();
  }
}

async function xhrRoundTrip(base) {
  const session = `${base}/000/${sockjsId()}`;
  const post = (path, body) => fetch(session + path, { method: 'POST', body, headers: { 'Content-Type': 'text/plain' } });
  assert.equal(await (await post('/xhr')).text(), 'o\n');
  assert.equal((await post('/xhr_send', JSON.stringify(['readme over xhr']))).status, 204);
  assert.match(await (await post('/xhr')).text(), /^a\["readme over xhr"\]\n$/);
  await post('/close');
}

describe('js server blocks serve SockJS on dist/server.js', () => {
  before(async () => {
    await mkdir(work, { recursive: true });
    await writeFile(join(work, 'cometkit-server.mjs'), SHIM);
  });

  of('js server').forEach((block, n) => {
    test(name(block), async () => {
      const sample = serverSample(block.code);
      const file = join(work, `server-${n}.mjs`);
      await writeFile(file, sample.code);
      globalThis.readmeComets = [];
      const servers = [];
      const listen = net.Server.prototype.listen;
      net.Server.prototype.listen = function (...args) {
        servers.push(this);
        return listen.apply(this, args);
      };
      // The samples log; keep that out of the test report.
      const { log, info } = console;
      const logged = [];
      console.log = console.info = (...args) => logged.push(args.join(' '));
      try {
        await import(pathToFileURL(file).href);
      } finally {
        net.Server.prototype.listen = listen;
      }
      const comets = globalThis.readmeComets;
      try {
        assert.equal(servers.length, 1, 'one listening server');
        assert.equal(comets.length, 1, 'one cometkit server');
        const [server] = servers;
        if (!server.listening) await once(server, 'listening');
        const origin = `127.0.0.1:${server.address().port}`;
        const base = `http://${origin}${comets[0].options.prefix}`;
        const info = await fetch(`${base}/info`);
        assert.equal(info.status, 200);
        assert.equal((await info.json()).websocket, true);
        await websocketRoundTrip(`ws://${origin}${comets[0].options.prefix}`);
        await xhrRoundTrip(base);
        if (sample.app) assert.equal((await fetch(`http://${origin}/`)).status, 200, 'requests outside the prefix reach the app');
      } finally {
        for (const comet of comets) comet.close();
        for (const server of servers) {
          server.closeAllConnections?.();
          server.close();
        }
        await new Promise((resolve) => setTimeout(resolve, 50));
        Object.assign(console, { log, info });
      }
    });
  });
});

// --- nginx ----------------------------------------------------------------

describe('nginx blocks pass nginx -t', () => {
  for (const block of of('nginx')) {
    test(name(block), async (t) => {
      if (!existsSync(NGINX)) {
        t.skip(`${NGINX} is not installed (bash .ci/run installs it)`);
        return;
      }
      const dir = await mkdtemp(join(tmpdir(), 'readme-nginx-'));
      try {
        const temp = ['client_body', 'proxy', 'fastcgi', 'uwsgi', 'scgi'].map((k) => `    ${k}_temp_path ${dir}/${k};`).join('\n');
        const conf = `pid ${dir}/nginx.pid;\nerror_log ${dir}/error.log;\nevents {}\nhttp {\n    access_log off;\n${temp}\n${block.code}\n}\n`;
        await writeFile(join(dir, 'nginx.conf'), conf);
        const result = await promisify(execFile)(NGINX, ['-t', '-p', dir, '-e', join(dir, 'error.log'), '-c', join(dir, 'nginx.conf')]).catch(
          (error) => error,
        );
        assert.match(result.stderr, /test is successful/, `nginx -t on the block wrapped in a minimal config:\n${result.stderr}`);
      } finally {
        await rm(dir, { recursive: true, force: true });
      }
    });
  }
});

// --- browser --------------------------------------------------------------

/** Stubbed page functions: those expected to run (the sample's handlers call them) and those not. */
const CALLED = ['render', 'show', 'refetchState', 'markSent'];
const NOT_CALLED = ['retryLater'];
const STUBS = `<script>
window.readmeCalls = [];
for (const name of ${JSON.stringify([...CALLED, ...NOT_CALLED])}) {
  window[name] = (...args) => { window.readmeCalls.push({ name, args: JSON.parse(JSON.stringify(args)) }); };
}
window.order = { id: 1, item: 'tea' };
</script>`;
// After the sample: where the test finds its client, and its first open event.
const PROBE = "window.readmeClient = client; client.on('open', function (e) { window.readmeOpen = window.readmeOpen || e; });";

function browserPage(block, base) {
  let code = block.code.replace(/https?:\/\/(?:example\.com|127\.0\.0\.1:8080)\/(comet|stomp)\b/g, (_, path) => `${base}/${path}`);
  assert.notEqual(code, block.code, 'a sample URL this test points at its server');
  assert.match(code, /\b(const|let|var) client\b/, 'browser samples name their client `client`');
  if (block.lang === 'html') return `<!doctype html><meta charset="utf-8">${STUBS}\n${code}\n<script>${PROBE}</script>`;
  code = code.replace(/from 'cometkit'/g, "from '/dist/cometkit.mjs'").replace(/from 'cometkit\/websocket'/g, "from '/dist/websocket.mjs'");
  // A fragment that goes on from an earlier one (createClient without its import).
  if (!/^import /m.test(code)) code = `import { createClient } from '/dist/cometkit.mjs';\n${code}`;
  return `<!doctype html><meta charset="utf-8">${STUBS}\n<script type="module">\n${code}\n${PROBE}\n</script>`;
}

/** The part of a STOMP broker (Spring's simple broker) that the README's STOMP sample needs. */
function stompBroker(conn, frames) {
  conn.on('data', (text) => {
    frames.push(text);
    const header = (key) => new RegExp(`\\n${key}:([^\\n]*)`).exec(text)?.[1] ?? '';
    const command = text.split('\n', 1)[0];
    if (command === 'CONNECT' || command === 'STOMP') conn.write('CONNECTED\nversion:1.2\nheart-beat:0,0\n\n\0');
    if (command === 'SUBSCRIBE') {
      const body = JSON.stringify({ symbol: 'ACME', price: 101.5 });
      conn.write(`MESSAGE\nsubscription:${header('id')}\nmessage-id:1\ndestination:${header('destination')}\ncontent-type:application/json\n\n${body}\0`);
    }
  });
}

describe('browser blocks run in Chromium', () => {
  let http;
  let comet;
  let browser;
  let base;
  const pages = new Map();
  const received = []; // messages the cometkit server got
  const stomp = []; // frames the sockjs-node server got

  before(async () => {
    assert.ok(existsSync(CHROMIUM), `${CHROMIUM} is missing (bash .ci/run installs it)`);
    http = createHttpServer(async (req, res) => {
      const path = new URL(req.url, 'http://x').pathname;
      if (pages.has(path)) {
        res.writeHead(200, { 'Content-Type': 'text/html;charset=utf-8' });
        res.end(pages.get(path));
        return;
      }
      // dist/ at /dist/ and at the root, for samples that load "cometkit.legacy.min.js" from beside the page.
      const file = path.replace(/^\/(dist\/)?/, '');
      if (/^[\w.-]+\.m?js$/.test(file)) {
        try {
          const body = await readFile(join(root, 'dist', file));
          res.writeHead(200, { 'Content-Type': `application/javascript;charset=utf-8` });
          res.end(body);
          return;
        } catch {
          // not in dist/
        }
      }
      res.writeHead(404, { 'Content-Type': 'text/plain' });
      res.end(`not found: ${extname(path) ? path : 'page'}\n`);
    });
    const sockjs = require('sockjs');
    const stock = sockjs.createServer({ log: () => {} });
    stock.on('connection', (conn) => stompBroker(conn, stomp));
    stock.installHandlers(http, { prefix: '/stomp' });
    comet = createCometServer({ prefix: '/comet' });
    comet.on('connection', (session) => {
      session.send('welcome');
      session.on('message', (text) => {
        received.push(text);
        session.send(text);
      });
    });
    comet.attach(http);
    http.listen(0, '127.0.0.1');
    await once(http, 'listening');
    base = `http://127.0.0.1:${http.address().port}`;
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: [
        '--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--disable-background-networking',
        '--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1, EXCLUDE localhost',
      ],
    });
  });

  after(async () => {
    await browser?.close();
    comet?.close();
    http?.closeAllConnections();
    await new Promise((resolve) => (http ? http.close(resolve) : resolve()));
  });

  of(...BROWSER).forEach((block, n) => {
    test(name(block), async () => {
      const path = `/readme-${n}.html`;
      pages.set(path, browserPage(block, base));
      const stock = block.tags.includes('sockjs');
      const before = stock ? stomp.length : received.length;
      // A context each: no tier remembered in localStorage from an earlier sample.
      const context = await browser.newContext();
      const page = await context.newPage();
      const errors = [];
      const consoled = new Set();
      page.on('pageerror', (error) => errors.push(String(error)));
      page.on('console', (m) => consoled.add(m.type()));
      try {
        await page.goto(base + path, { waitUntil: 'load', timeout: WAIT });
        const waitFor = (what, fn, arg) =>
          page.waitForFunction(fn, arg, { timeout: WAIT }).catch((error) => assert.fail(`${what}: ${error.message.split('\n')[0]}`));
        await waitFor('the client opens', () => window.readmeClient?.state === 'open');
        const uses = (fn) => new RegExp(`\\b${fn}\\(`).test(block.code);
        for (const fn of CALLED.filter(uses)) {
          await waitFor(`the sample calls ${fn}()`, (f) => window.readmeCalls.some((c) => c.name === f), fn);
        }
        if (/\bclient\.send\(/.test(block.code)) {
          const sent = () => (stock ? stomp.length : received.length) > before;
          for (let waited = 0; !sent() && waited < WAIT; waited += 50) await new Promise((r) => setTimeout(r, 50));
          assert.ok(sent(), 'the server got what the sample sent');
        }
        for (const type of ['log', 'info']) {
          if (block.code.includes(`console.${type}(`)) {
            for (let waited = 0; !consoled.has(type) && waited < WAIT; waited += 50) await new Promise((r) => setTimeout(r, 50));
            assert.ok(consoled.has(type), `the sample's console.${type} ran`);
          }
        }
        const calls = await page.evaluate(() => window.readmeCalls);
        for (const fn of NOT_CALLED) assert.ok(!calls.some((c) => c.name === fn), `${fn}() is not called`);
        if (stock) {
          assert.equal(await page.evaluate(() => window.readmeOpen.resumed), false, 'no resume on a stock server');
          assert.deepEqual(stomp.slice(before).map((f) => f.split('\n', 1)[0]), ['CONNECT', 'SUBSCRIBE']);
          assert.deepEqual(calls.find((c) => c.name === 'render').args, [{ symbol: 'ACME', price: 101.5 }]);
        }
        await page.evaluate(() => window.readmeClient.close());
        assert.deepEqual(errors, [], 'errors on the page');
      } finally {
        await context.close();
        pages.delete(path);
      }
    });
  });
});
