// What test/network/hosts.e2e.mjs and test/bench/hosts.mjs share: the app and the setups that serve it
// (HTTP/1.1, HTTP/2, HTTP/2 behind nginx), the page function that opens many clients at once, and the
// two browsers that run it (Chromium through playwright-core; Firefox headless, its page posting back).
import { execFile, spawn } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer as createHttpServer } from 'node:http';
import { createSecureServer } from 'node:http2';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { chromium } from 'playwright-core';
import { createServer } from '../../dist/server.js';
import { selfSignedCertificate, startNginx } from './nginx.mjs';

const dist = new URL('../../dist/', import.meta.url);
const PAGE = '<!doctype html><meta charset="utf-8"><title>hosts</title><body>';

/**
 * The app on `server` (node:http or node:http2): an echo service at /comet (each echo `echoDelay` ms
 * late, if given, and told to `onEcho(text)` once sent); outside it, dist/ files,
 * `/run?<json>` (a page that calls run() for each tier of `{ tiers, clients, echoes, wait }` and posts
 * each result to `/report`, for browsers driven without playwright), `/report` (to `onReport(result)`),
 * and a blank page.
 */
export function app(server, onReport = () => {}, { echoDelay = 0, onEcho = () => {} } = {}) {
  // Before attach(), which hands it what is outside the prefix.
  server.on('request', async (req, res) => {
    if (req.url == '/report' && req.method == 'POST') {
      // Bytes first, text once: a chunk may end inside a character.
      const chunks = [];
      for await (const chunk of req) chunks.push(chunk);
      onReport(JSON.parse(Buffer.concat(chunks).toString('utf8')));
      return res.writeHead(204).end();
    }
    if (req.url.startsWith('/run?')) {
      res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' });
      return res.end(runPage(JSON.parse(decodeURIComponent(req.url.slice(5)))));
    }
    if (req.url.startsWith('/dist/')) {
      const body = await readFile(new URL(req.url.slice(6), dist)).catch(() => null);
      res.writeHead(body ? 200 : 404, { 'Content-Type': 'text/javascript; charset=utf-8' });
      return res.end(body);
    }
    res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' });
    res.end(PAGE);
  });
  const comet = createServer({ prefix: '/comet' });
  const echo = (session, text) => {
    session.send(text);
    onEcho(text);
  };
  comet.on('connection', (session) => session.on('message', (text) => (echoDelay ? setTimeout(echo, echoDelay, session, text) : echo(session, text))));
  comet.attach(server);
  return server;
}

/** Resolves with the port once `server` listens on a free loopback port. */
export const listening = (server) => new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server.address().port)));

/** Promises by key, made by whichever comes first: `get(key)` (the promise) or `resolve(key, value)`. */
function boxes() {
  const all = new Map();
  const box = (key) => {
    if (!all.has(key)) {
      let resolve;
      all.set(key, { promise: new Promise((r) => (resolve = r)), resolve });
    }
    return all.get(key);
  };
  return { get: (key) => box(key).promise, resolve: (key, value) => box(key).resolve(value) };
}

/**
 * The app on node:http (HTTP/1.1) on a free loopback port (its echoes `echoDelay` ms late), and
 * Chromium (see launchChromium, given the other options): `{ origin, browser, echoed(text), stop() }`,
 * where `echoed` resolves once the server has sent that echo.
 */
export async function chromiumOnHttp1({ echoDelay, ...options } = {}) {
  const echoes = boxes();
  const server = app(createHttpServer(), undefined, { echoDelay, onEcho: (text) => echoes.resolve(text) });
  const origin = `http://127.0.0.1:${await listening(server)}`;
  const browser = await launchChromium(options);
  const stop = async () => {
    await browser.close();
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  };
  return { origin, browser, echoed: echoes.get, stop };
}

/**
 * Runs in the page (page.evaluate): `clients` clients on `tier` (or, for 'http tiers', on the four
 * HTTP tiers in their default order, as a page where WebSocket fails would), each sending `echoes`
 * messages once open. Resolves when every client has all its echoes, or after `wait` ms with what arrived.
 * state[i]: { transport, opened, done (ms from the start), got, errors }; protocols: nextHopProtocol of
 * the page's requests to the service; page: the page's own.
 */
export function run({ tier, clients, echoes, wait }) {
  return import('/dist/cometkit.mjs').then(({ createClient }) => {
    const started = performance.now();
    const ms = () => Math.round(performance.now() - started);
    const state = Array.from({ length: clients }, () => ({ transport: null, opened: null, done: null, got: [], errors: [] }));
    const all = [];
    return new Promise((resolve) => {
      const finish = () => {
        for (const client of all) client.close();
        // This run's requests only: in a page that runs the tiers in turn, Firefox adds the entry of a
        // request aborted at the end of one run (a poll: no protocol known) late, for the next to read.
        const mine = performance.getEntriesByType('resource').filter((e) => e.name.includes('/comet/') && e.startTime >= started);
        const protocols = mine.map((e) => e.nextHopProtocol);
        // Requests with no protocol said, for a failing check to show.
        const unsaid = mine
          .filter((e) => !e.nextHopProtocol)
          .map((e) => `${e.initiatorType} ${e.name.replace(/^.*\/comet\//, '')} status ${e.responseStatus} start ${Math.round(e.startTime)} response ${Math.round(e.responseStart)}-${Math.round(e.responseEnd)}`);
        resolve({ state, protocols, unsaid, page: performance.getEntriesByType('navigation')[0].nextHopProtocol });
      };
      const timer = setTimeout(finish, wait);
      state.forEach((s, i) => {
        const transports = tier == 'http tiers' ? ['xhr-streaming', 'iframe', 'jsonp', 'polling'] : [tier];
        const client = createClient('/comet', { transports, remember: 0 });
        all.push(client);
        client.on('open', ({ transport }) => {
          s.transport = transport;
          s.opened = ms();
          for (let n = 0; n < echoes; n++) client.send(`client ${i} message ${n} zażółć`);
        });
        client.on('error', ({ error }) => s.errors.push(error.message));
        client.on('message', ({ data }) => {
          s.got.push(data);
          if (s.got.length == echoes) s.done = ms();
          if (state.every((x) => x.got.length >= echoes)) {
            clearTimeout(timer);
            finish();
          }
        });
      });
    });
  });
}

/** The `/run` page: run() for each tier in turn, each result (or the error) posted to /report. */
function runPage({ tiers, ...options }) {
  return `${PAGE}<script type="module">
const run = ${run.toString()};
const report = (result) => fetch('/report', { method: 'POST', body: JSON.stringify(result) });
addEventListener('error', (e) => report({ tier: 'page', error: String(e.message) }));
for (const tier of ${JSON.stringify(tiers)}) {
  await run({ tier, ...${JSON.stringify(options)} }).then((result) => report({ tier, ...result }), (error) => report({ tier, error: String(error) }));
}
</script>`;
}

/**
 * Starts Debian's Firefox ESR headless on `url` with a fresh profile in `dir` that trusts `cert` (a PEM
 * file, if given) for each of `hosts` ("127.0.0.1:port"), the way a user's "accept the risk" would. Returns
 * stop(), which ends it by PID (its process group: the content processes are its children).
 */
export async function startFirefox({ url, dir, cert, hosts }) {
  await mkdir(dir, { recursive: true });
  if (cert) {
    const { stdout } = await promisify(execFile)('openssl', ['x509', '-in', cert, '-noout', '-fingerprint', '-sha256']);
    const fingerprint = stdout.trim().split('=')[1];
    const lines = hosts.map((host) => `${host}:\tOID.2.16.840.1.101.3.4.2.1\t${fingerprint}\t`);
    await writeFile(join(dir, 'cert_override.txt'), `# PSM Certificate Override Settings file\n${lines.join('\n')}\n`);
  }
  await writeFile(
    join(dir, 'user.js'),
    ['browser.shell.checkDefaultBrowser', 'app.update.enabled', 'datareporting.policy.dataSubmissionEnabled', 'toolkit.telemetry.enabled']
      .map((pref) => `user_pref(${JSON.stringify(pref)}, false);`)
      .join('\n'),
  );
  const child = spawn('firefox-esr', ['--headless', '--no-remote', '--profile', dir, url], { stdio: 'ignore', detached: true });
  const exited = new Promise((resolve) => child.once('exit', resolve));
  const kill = () => {
    try {
      process.kill(-child.pid, 'SIGTERM');
    } catch {
      // already gone
    }
  };
  // Detached (its own process group), so it would outlive a test process that dies without stop().
  process.once('exit', kill);
  return {
    async stop() {
      kill();
      process.off('exit', kill);
      await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 3000).unref())]);
    },
  };
}

/**
 * Debian's Chromium, headless, through playwright-core; with `backForwardCache`, with its back-forward
 * cache on (playwright turns it off).
 */
export const launchChromium = ({ backForwardCache = false } = {}) =>
  chromium.launch({
    executablePath: '/usr/bin/chromium',
    ignoreDefaultArgs: backForwardCache ? ['--disable-back-forward-cache'] : [],
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-dev-shm-usage'],
  });

/**
 * run() with `options` on `origin` in a fresh Chromium context (its own connection pool, nothing left
 * from a run before; the self-signed certificate accepted). Resolves with run()'s result and the
 * page's uncaught errors.
 */
export async function runInChromium(browser, origin, options) {
  const context = await browser.newContext({ ignoreHTTPSErrors: true });
  try {
    const page = await context.newPage();
    const errors = [];
    page.on('pageerror', (error) => errors.push(String(error)));
    await page.goto(`${origin}/`, { timeout: 10000 });
    return { result: await page.evaluate(run, options), errors };
  } finally {
    await context.close();
  }
}

/**
 * The app served three ways, from a temp dir of its own: on node:http (HTTP/1.1, only with `http1`),
 * on node:http2 (TLS; `allowHTTP1` takes WebSocket upgrades, which browsers send over HTTP/1.1), and
 * on node:http behind nginx with HTTP/2. Resolves with { setups, dir, stop() }; each setup has `name`,
 * `origin`, `cert` (the PEM its TLS uses, if any) and `report(tier)`: a promise of what a Firefox
 * page on it posted for `tier` (made by whichever comes first, the post or the wait).
 */
export async function startSetups({ http1 = false } = {}) {
  const dir = await mkdtemp(join(tmpdir(), 'cometkit-hosts-'));
  await selfSignedCertificate(dir);
  const [key, cert] = await Promise.all(['key.pem', 'cert.pem'].map((f) => readFile(join(dir, f))));
  const servers = [];
  const setups = [];
  const serve = async (name, server, scheme, certFile) => {
    const reports = boxes();
    servers.push(app(server, (result) => reports.resolve(result.tier, result)));
    const setup = { name, origin: `${scheme}://127.0.0.1:${await listening(server)}`, cert: certFile, report: reports.get };
    setups.push(setup);
    return setup;
  };
  if (http1) await serve('HTTP/1.1 (node:http)', createHttpServer(), 'http');
  await serve('HTTP/2 (node:http2)', createSecureServer({ key, cert, allowHTTP1: true }), 'https', join(dir, 'cert.pem'));
  const upstream = await serve('HTTP/2 (nginx in front)', createHttpServer(), 'http');
  const nginx = await startNginx({ upstream: `${upstream.origin}/`, config: 'http2' });
  Object.assign(upstream, { origin: nginx.url, cert: join(nginx.dir, 'cert.pem') });
  return {
    setups,
    dir,
    async stop() {
      await nginx.stop();
      for (const server of servers) {
        server.closeAllConnections?.();
        server.close();
      }
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** Starts Firefox on `setup`'s /run page with `options` (`tiers` included), a profile in `dir`. */
export function runInFirefox(setup, options, dir) {
  const url = `${setup.origin}/run?${encodeURIComponent(JSON.stringify(options))}`;
  return startFirefox({ url, dir, cert: setup.cert, hosts: [new URL(setup.origin).host] });
}
