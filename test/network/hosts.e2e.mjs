// Browsers' per-host connection limit: over HTTP/1.1 a browser opens at most 6 connections to a host,
// so held receiving requests (one per client, one per tab) leave none for sending once there are about
// 6 of them (`node test/bench/hosts.mjs` measures that stall). Over HTTP/2 every request to the host
// shares one connection. These tests open more clients in one page than HTTP/1.1 would carry, on every
// tier, against the reference server on Node's HTTP/2 server and behind nginx with HTTP/2, and require
// every client to open and get all its echoes in order. With the four HTTP tiers to choose from
// ('http tiers'), every client streams: over HTTP/2 the client's seats (src/client/seats.ts), which
// keep all but 4 clients of a host off the holding tiers over HTTP/1.1, do not apply.
//
// Debian's Chromium through playwright-core (certificate errors ignored), and Debian's Firefox ESR
// started headless with a profile that trusts the tests' self-signed certificate (karma's Firefox has
// no way to), whose page posts its results back. Run by `node test/run.mjs e2e`.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { launchChromium, runInChromium, runInFirefox, startSetups } from './hosts.mjs';

const TIERS = ['websocket', 'xhr-streaming', 'iframe', 'jsonp', 'polling', 'http tiers'];
// Above HTTP/1.1's 6 connections per host: with that many streams held, nothing else gets through.
const CLIENTS = 10;
const ECHOES = 3;
// Bound on each page's run, far above the ~1 s it takes when the requests are multiplexed.
const WAIT = 15000;
const OPTIONS = { clients: CLIENTS, echoes: ECHOES, wait: WAIT };

// Started before the tests are declared: they are declared per setup.
const served = await startSetups();
let browser;

before(async () => (browser = await launchChromium()));
after(async () => {
  await browser?.close();
  await served.stop();
});

/** Every client opened on `tier` and got its echoes in order; everything went over HTTP/2. */
function check(tier, { state, protocols, unsaid, page, error }, pageErrors = []) {
  assert.equal(error, undefined, 'the page ran');
  assert.equal(page, 'h2', 'the page itself came over HTTP/2');
  // Sends (every HTTP tier) and the HTTP receivers the page itself makes all went over HTTP/2.
  if (tier != 'websocket') assert.ok(protocols.length > 0 && protocols.every((p) => p == 'h2'), `protocols: ${protocols}; without one: ${unsaid}`);
  state.forEach((s, i) => {
    assert.equal(s.transport, tier == 'http tiers' ? 'xhr-streaming' : tier, `client ${i} opened (${JSON.stringify(s)})`);
    assert.deepEqual(s.got, Array.from({ length: ECHOES }, (_, n) => `client ${i} message ${n} zażółć`), `client ${i}'s echoes`);
    assert.deepEqual(s.errors, [], `client ${i}'s errors`);
  });
  assert.deepEqual(pageErrors, [], 'errors on the page');
}

for (const [i, setup] of served.setups.entries()) {
  describe(`${CLIENTS} clients in one Chromium page, ${setup.name}`, () => {
    for (const tier of TIERS) {
      test(`every client opens on ${tier == 'http tiers' ? 'xhr-streaming, of the HTTP tiers,' : tier} and gets its echoes`, async () => {
        const { result, errors } = await runInChromium(browser, setup.origin, { tier, ...OPTIONS });
        check(tier, result, errors);
      });
    }
  });

  describe(`${CLIENTS} clients in one Firefox page, ${setup.name}`, () => {
    let firefox;
    // One deadline for the page's whole run: a Firefox that never reports fails every test at once.
    let deadline;
    before(async () => {
      deadline = Date.now() + 10000 + WAIT * TIERS.length;
      // One page runs the tiers in turn and posts each result; the tests below wait for theirs.
      firefox = await runInFirefox(setup, { tiers: TIERS, ...OPTIONS }, join(served.dir, `firefox-${i}`));
    });
    after(() => firefox?.stop());
    for (const tier of TIERS) {
      test(`every client opens on ${tier == 'http tiers' ? 'xhr-streaming, of the HTTP tiers,' : tier} and gets its echoes`, async () => {
        const timeout = new Promise((_, reject) => setTimeout(() => reject(new Error(`no report from Firefox for ${tier}`)), deadline - Date.now()).unref());
        check(tier, await Promise.race([setup.report(tier), timeout]));
      });
    }
  });
}
