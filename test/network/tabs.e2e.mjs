// Seats across real tabs (src/client/seats.ts): over HTTP/1.1 a browser opens at most 6 connections to
// a host for all its tabs, so the client lets at most 4 clients of a service's origin hold one, counted
// with Web Locks, which the tabs of one origin share. Here 8 tabs of one Chromium profile (a
// playwright context: one connection pool, one lock manager), each with one client that may choose
// among the four HTTP tiers (as where WebSocket fails), against the reference server on node:http:
// 4 stream, 4 poll, every one gets its echoes; a tab that closes frees its seat (the browser does), and
// a polling tab climbs onto it. (test/unit/seats.test.js and test/integration/seats.test.js cover
// clients in one page, in Chromium and Firefox.) Run by `node test/run.mjs e2e`.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { chromiumOnHttp1 } from './hosts.mjs';

const TABS = 8;
const SEATS = 4;
const HOLDING = ['xhr-streaming', 'iframe', 'jsonp'];

let setup;

before(async () => (setup = await chromiumOnHttp1()));
after(() => setup?.stop());

/** Runs in each tab: one client, kept on `window`; resolves with where it opened once its echoes came. */
function openTab({ echoes }) {
  return import('/dist/cometkit.mjs').then(
    ({ createClient }) =>
      new Promise((resolve, reject) => {
        const client = createClient('/comet', { transports: ['xhr-streaming', 'iframe', 'jsonp', 'polling'], remember: 0, upgradeInterval: 300 });
        window.client = client;
        // A move by re-upgrade, whenever it comes.
        window.moved = new Promise((moved) => client.on('transport', (event) => event.reason == 're-upgrade' && moved(event)));
        const got = [];
        const timer = setTimeout(() => reject(new Error(`on ${client.transport}: ${got.length} of ${echoes} echoes within 10 s`)), 10000);
        client.on('message', ({ data }) => {
          got.push(data);
          if (got.length == echoes) {
            clearTimeout(timer);
            resolve({ transport: client.transport, got, tried: client.diagnostics().length });
          }
        });
        client.on('open', () => {
          for (let n = 0; n < echoes; n++) client.send(`message ${n} zażółć`);
        });
      }),
  );
}

test(`${TABS} tabs over HTTP/1.1: ${SEATS} hold a connection, the others poll, all echo; a closed tab's seat goes to a polling one`, async () => {
  const context = await setup.browser.newContext();
  try {
    const pages = await Promise.all(Array.from({ length: TABS }, () => context.newPage()));
    await Promise.all(pages.map((page) => page.goto(`${setup.origin}/`)));
    const results = await Promise.all(pages.map((page) => page.evaluate(openTab, { echoes: 3 })));
    const on = results.map((r) => r.transport);
    for (const r of results) assert.deepEqual(r.got, ['message 0 zażółć', 'message 1 zażółć', 'message 2 zażółć']);
    assert.equal(on.filter((t) => HOLDING.includes(t)).length, SEATS, `tabs on a holding tier: ${on}`);
    assert.equal(on.filter((t) => t == 'polling').length, TABS - SEATS, `tabs on polling: ${on}`);
    // Each opened on its first try: none waited for a connection until a tier timed out.
    assert.deepEqual(
      results.map((r) => r.tried),
      Array(TABS).fill(1),
    );

    // A tab that streams closes: the browser frees its seat, and one polling tab climbs onto it.
    await pages[on.findIndex((t) => HOLDING.includes(t))].close();
    const polling = pages.filter((_, i) => on[i] == 'polling');
    const move = await Promise.race(
      polling.map((page) => page.evaluate(() => window.moved)).concat(new Promise((_, reject) => setTimeout(() => reject(new Error('no tab climbed within 5 s')), 5000).unref())),
    );
    assert.deepEqual(move, { from: 'polling', to: 'xhr-streaming', reason: 're-upgrade' });
    // Still no more than 4 hold one.
    const now = await Promise.all(pages.filter((page) => !page.isClosed()).map((page) => page.evaluate(() => window.client.transport)));
    assert.equal(now.filter((t) => HOLDING.includes(t)).length, SEATS, `tabs on a holding tier after the move: ${now}`);
  } finally {
    await context.close();
  }
});
