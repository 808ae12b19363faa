// Browsers' per-host connection limit: over HTTP/1.1 a browser opens at most 6 connections to a host,
// so held receiving requests (one per client, one per tab) leave none for sending once there are about
// 6 of them (`node test/bench/hosts.mjs` measures that stall). Over HTTP/2 every request to the host
// shares one connection. These tests open more clients in one page than HTTP/1.1 would carry, on every
// tier, against the reference server on Node's HTTP/2 server and behind nginx with HTTP/2, and require
// every client to open and get all its echoes in order.
//
// Debian's Chromium through playwright-core (certificate errors ignored), and Debian's Firefox ESR
// started headless with a profile that trusts the tests' self-signed certificate (karma's Firefox has
// no way to), whose page posts its results back. Run by `node test/run.mjs e2e`.
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { createServer as createHttpServer } from 'node:http';
import { createSecureServer } from 'node:http2';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { chromium } from 'playwright-core';
import { app, listening, run, startFirefox } from './hosts.mjs';
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
// Each setup's certificate (nginx makes its own).
const certs = {};
const SETUPS = ['the reference server on node:http2', 'nginx with http2 in front'];

// Results the Firefox pages post back, by `${origin} ${tier}`: a promise each, made by whichever
// side comes first (the report or the test waiting for it).
const mail = new Map();
const box = (key) => {
  if (!mail.has(key)) {
    let resolve;
    mail.set(key, { promise: new Promise((r) => (resolve = r)), resolve });
    mail.get(key).resolve = resolve;
  }
  return mail.get(key);
};
const post = (origin) => (result) => box(`${origin} ${result.tier}`).resolve(result);

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'cometkit-hosts-'));
  await selfSignedCertificate(dir);
  const [key, cert] = await Promise.all(['key.pem', 'cert.pem'].map((f) => readFile(join(dir, f))));
  // WebSocket upgrades reach the HTTP/2 server over HTTP/1.1 (allowHTTP1), as browsers send them.
  secure = createSecureServer({ key, cert, allowHTTP1: true });
  origins[SETUPS[0]] = `https://127.0.0.1:${await listening(app(secure, (r) => post(origins[SETUPS[0]])(r)))}`;
  plain = createHttpServer();
  const upstream = `http://127.0.0.1:${await listening(app(plain, (r) => post(origins[SETUPS[1]])(r)))}/`;
  nginx = await startNginx({ upstream, config: 'http2' });
  origins[SETUPS[1]] = nginx.url;
  certs[SETUPS[0]] = join(dir, 'cert.pem');
  certs[SETUPS[1]] = join(nginx.dir, 'cert.pem');
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

/** Every client opened on `tier` and got its echoes in order; everything went over HTTP/2. */
function check(tier, { state, protocols, page, error }, pageErrors = []) {
  assert.equal(error, undefined, 'the page ran');
  assert.equal(page, 'h2', 'the page itself came over HTTP/2');
  // Sends (every HTTP tier) and the HTTP receivers the page itself makes all went over HTTP/2.
  if (tier != 'websocket') assert.ok(protocols.length > 0 && protocols.every((p) => p == 'h2'), `protocols: ${protocols}`);
  state.forEach((s, i) => {
    assert.equal(s.transport, tier, `client ${i} opened (${JSON.stringify(s)})`);
    assert.deepEqual(s.got, Array.from({ length: ECHOES }, (_, n) => `client ${i} message ${n} zażółć`), `client ${i}'s echoes`);
    assert.deepEqual(s.errors, [], `client ${i}'s errors`);
  });
  assert.deepEqual(pageErrors, [], 'errors on the page');
}

for (const name of SETUPS) {
  describe(`${CLIENTS} clients in one Chromium page, ${name}`, () => {
    for (const tier of TIERS) {
      test(`every client opens on ${tier} and gets its echoes`, async () => {
        // A context of its own: its own connection pool, nothing left from the test before.
        const context = await browser.newContext({ ignoreHTTPSErrors: true });
        try {
          const page = await context.newPage();
          const errors = [];
          page.on('pageerror', (error) => errors.push(String(error)));
          await page.goto(`${origins[name]}/`, { timeout: 10000 });
          check(tier, await page.evaluate(run, { tier, clients: CLIENTS, echoes: ECHOES, wait: WAIT }), errors);
        } finally {
          await context.close();
        }
      });
    }
  });

  describe(`${CLIENTS} clients in one Firefox page, ${name}`, () => {
    let firefox;
    // One deadline for the page's whole run: a Firefox that never reports fails every test at once.
    let deadline;
    before(async () => {
      deadline = Date.now() + 10000 + WAIT * TIERS.length;
      // One page runs the tiers in turn and posts each result; the tests below wait for theirs.
      const options = { tiers: TIERS, clients: CLIENTS, echoes: ECHOES, wait: WAIT };
      firefox = await startFirefox({
        url: `${origins[name]}/run?${encodeURIComponent(JSON.stringify(options))}`,
        dir: join(dir, `firefox-${SETUPS.indexOf(name)}`),
        cert: certs[name],
        hosts: [new URL(origins[name]).host],
      });
    });
    after(() => firefox?.stop());
    for (const tier of TIERS) {
      test(`every client opens on ${tier} and gets its echoes`, async () => {
        const report = box(`${origins[name]} ${tier}`).promise;
        // Bounded: Firefox's start, and each tier within WAIT.
        const timeout = new Promise((_, reject) => setTimeout(() => reject(new Error(`no report from Firefox for ${tier}`)), deadline - Date.now()).unref());
        check(tier, await Promise.race([report, timeout]));
      });
    }
  });
}
