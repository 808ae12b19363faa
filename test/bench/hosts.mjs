// `node test/bench/hosts.mjs`: browsers' per-host connection limit. Per tier, 10 clients in one page
// (Debian's Chromium through playwright-core), each sending 3 messages once open, against the
// reference server over HTTP/1.1, over HTTP/2 (node:http2, TLS), and behind nginx with HTTP/2: how
// many opened, how many got all their echoes within 5 s, and when the last did. Prints a Markdown
// table (what BENCHMARKS.md's "Many clients to one host" holds). About half a minute.
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { createServer as createHttpServer } from 'node:http';
import { createSecureServer } from 'node:http2';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { app, listening, run } from '../network/hosts.mjs';
import { selfSignedCertificate, startNginx } from '../network/nginx.mjs';

const TIERS = ['websocket', 'xhr-streaming', 'iframe', 'jsonp', 'polling'];
const CLIENTS = 10;
const ECHOES = 3;
const WAIT = 5000;

const dir = await mkdtemp(join(tmpdir(), 'cometkit-hosts-'));
await selfSignedCertificate(dir);
const [key, cert] = await Promise.all(['key.pem', 'cert.pem'].map((f) => readFile(join(dir, f))));
const plain = app(createHttpServer());
const secure = app(createSecureServer({ key, cert, allowHTTP1: true }));
const upstream = app(createHttpServer());
const nginx = await startNginx({ upstream: `http://127.0.0.1:${await listening(upstream)}/`, config: 'http2' });
const setups = [
  ['HTTP/1.1 (node:http)', `http://127.0.0.1:${await listening(plain)}`],
  ['HTTP/2 (node:http2)', `https://127.0.0.1:${await listening(secure)}`],
  ['HTTP/2 (nginx in front)', nginx.url],
];
const browser = await chromium.launch({
  executablePath: '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-dev-shm-usage'],
});

console.log(`| tier | ${setups.map(([name]) => name).join(' | ')} |`);
console.log(`|---|${setups.map(() => '---').join('|')}|`);
try {
  for (const tier of TIERS) {
    const cells = [];
    for (const [, origin] of setups) {
      const context = await browser.newContext({ ignoreHTTPSErrors: true });
      const page = await context.newPage();
      await page.goto(`${origin}/`);
      const { state } = await page.evaluate(run, { tier, clients: CLIENTS, echoes: ECHOES, wait: WAIT });
      await context.close();
      const opened = state.filter((s) => s.transport).length;
      const done = state.filter((s) => s.done !== null);
      const last = done.length == CLIENTS ? `, last at ${Math.max(...done.map((s) => s.done))} ms` : '';
      cells.push(`${opened}/${CLIENTS} open, ${done.length}/${CLIENTS} echoed${last}`);
    }
    console.log(`| ${tier} | ${cells.join(' | ')} |`);
  }
} finally {
  await browser.close();
  await nginx.stop();
  for (const server of [plain, secure, upstream]) {
    server.closeAllConnections?.();
    server.close();
  }
  await rm(dir, { recursive: true, force: true });
}
