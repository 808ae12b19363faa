// Browsers' per-host connection limit: over HTTP/1.1 a browser opens at most 6 connections to a host,
// so held receiving requests (one per client, one per tab) leave none for sending once there are about
// 6 of them (`node test/bench/hosts.mjs` measures that stall). Over HTTP/2 every request to the host
// shares one connection. These tests open more clients in one page than HTTP/1.1 would carry, on every
// tier, against the reference server on Node's HTTP/2 server and behind nginx with HTTP/2, and require
// every client to open and get all its echoes in order.
//
// Debian's Chromium through playwright-core (certificate errors ignored for the self-signed
// certificate): Firefox under karma has no switch to trust one, so these run in Chromium only.
// Run by `node test/run.mjs e2e`.
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { createServer as createHttpServer } from 'node:http';
import { createSecureServer } from 'node:http2';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { chromium } from 'playwright-core';
import { app, listening, run } from './hosts.mjs';
import { selfSignedCertificate, startNginx } from './nginx.mjs';

const TIERS = ['websocket', 'xhr-streaming', 'iframe', 'jsonp', 'polling'];
// Above HTTP/1.1's 6 connections per host: with that many streams held, nothing else gets through.
const CLIENTS = 10;
const ECHOES = 3;
// Bound on each page's run, far above the ~1 s it takes when the requests are multiplexed.
const WAIT = 15000;

let dir;
let browser;
let plain;
let secure;
let nginx;
const origins = {};

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'cometkit-hosts-'));
  await selfSignedCertificate(dir);
  const [key, cert] = await Promise.all(['key.pem', 'cert.pem'].map((f) => readFile(join(dir, f))));
  // WebSocket upgrades reach the HTTP/2 server over HTTP/1.1 (allowHTTP1), as browsers send them.
  secure = app(createSecureServer({ key, cert, allowHTTP1: true }));
  origins['the reference server on node:http2'] = `https://127.0.0.1:${await listening(secure)}`;
  plain = app(createHttpServer());
  nginx = await startNginx({ upstream: `http://127.0.0.1:${await listening(plain)}/`, config: 'http2' });
  origins['nginx with http2 in front'] = nginx.url;
  browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-dev-shm-usage'],
  });
});

after(async () => {
  await browser?.close();
  await nginx?.stop();
  for (const server of [secure, plain]) {
    server?.closeAllConnections?.();
    server?.close();
  }
  if (dir) await rm(dir, { recursive: true, force: true });
});

for (const name of ['the reference server on node:http2', 'nginx with http2 in front']) {
  describe(`${CLIENTS} clients in one page, ${name}`, () => {
    for (const tier of TIERS) {
      test(`every client opens on ${tier} and gets its echoes`, async () => {
        // A context of its own: its own connection pool, nothing left from the test before.
        const context = await browser.newContext({ ignoreHTTPSErrors: true });
        try {
          const page = await context.newPage();
          const errors = [];
          page.on('pageerror', (error) => errors.push(String(error)));
          await page.goto(`${origins[name]}/`, { timeout: 10000 });
          const { state, protocols, page: protocol } = await page.evaluate(run, { tier, clients: CLIENTS, echoes: ECHOES, wait: WAIT });
          assert.equal(protocol, 'h2', 'the page itself came over HTTP/2');
          // Sends (every HTTP tier) and the HTTP receivers the page itself makes all went over HTTP/2.
          if (tier != 'websocket') assert.ok(protocols.length > 0 && protocols.every((p) => p == 'h2'), `protocols: ${protocols}`);
          state.forEach((s, i) => {
            assert.equal(s.transport, tier, `client ${i} opened (${JSON.stringify(s)})`);
            assert.deepEqual(s.got, Array.from({ length: ECHOES }, (_, n) => `client ${i} message ${n} zażółć`), `client ${i}'s echoes`);
            assert.deepEqual(s.errors, [], `client ${i}'s errors`);
          });
          assert.deepEqual(errors, [], 'errors on the page');
        } finally {
          await context.close();
        }
      });
    }
  });
}
