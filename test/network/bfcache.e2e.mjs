// Back from the back-forward cache: a page left for another and come back to (the browser's Back
// button) is restored as it was, its client included. The client closes its connection on `pagehide`
// (an open one would keep the page out of the cache) but keeps the session when the page goes into the
// cache (`persisted`), and resumes it on `pageshow`: nothing lost (an echo the server sends while the
// page is away arrives after it is back), nothing to redo. It used to end the session there too (the
// server's `/close`), so the restored client resumed a session closed with 1000 and closed for good.
// Debian's Chromium through playwright-core, launched with its back-forward cache on (playwright turns
// it off by default), against the reference server on node:http echoing 300 ms late, every tier.
// Chromium only: Firefox keeps a page out of its back-forward cache while a WebSocket is open or a
// request is in flight when the navigation starts (it decides before `pagehide`), so on Back a page with
// a live connection is loaded again, with a fresh client (measured on every tier; plain polling is
// cached when the page leaves between polls, which a test cannot time).
// Run by `node test/run.mjs e2e`.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { chromiumOnHttp1 } from './hosts.mjs';

const TIERS = ['websocket', 'xhr-streaming', 'iframe', 'jsonp', 'polling'];

let setup;

before(async () => (setup = await chromiumOnHttp1({ backForwardCache: true, echoDelay: 300 })));
after(() => setup?.stop());

/** In the page: a client on `tier`, kept on `window`, its events logged on `window.log`. */
function startClient(tier) {
  return import('/dist/cometkit.mjs').then(({ createClient }) => {
    const client = createClient('/comet', { transports: [tier], remember: 0 });
    window.client = client;
    window.log = [];
    for (const type of ['open', 'close', 'error']) client.on(type, (e) => window.log.push(`${type} ${JSON.stringify(type == 'error' ? e.error.message : e)}`));
    addEventListener('pageshow', (e) => window.log.push(`pageshow ${e.persisted}`));
  });
}

/** In the page: resolves once `text` comes back from the echo service; rejects after 5 s. */
function echo(text) {
  return new Promise((resolve, reject) => {
    const { client } = window;
    const timer = setTimeout(() => reject(new Error(`no echo of ${text} within 5 s: ${window.log.join('; ')}`)), 5000);
    const send = () => client.send(text);
    const off = client.on('message', ({ data }) => {
      if (data != text) return;
      clearTimeout(timer);
      off();
      resolve(text);
    });
    if (client.state == 'open') send();
    else {
      const wait = client.on('open', () => (wait(), send()));
    }
  });
}

for (const tier of TIERS) {
  test(`${tier}: restored from the back-forward cache, the client resumes its session and echoes`, async () => {
    const context = await setup.browser.newContext();
    try {
      const page = await context.newPage();
      await page.goto(`${setup.origin}/a`);
      await page.evaluate(startClient, tier);
      assert.equal(await page.evaluate(echo, 'before'), 'before');
      // Echoed while the page is away: it leaves at once, and comes back once the server has sent it.
      const sent = setup.echoed(`while away on ${tier}`);
      await page.evaluate((text) => {
        window.away = new Promise((resolve) =>
          window.client.on('message', ({ data }) => {
            if (data != text) return;
            window.log.push('got it');
            resolve(data);
          }),
        );
        window.client.send(text);
      }, `while away on ${tier}`);
      await page.goto(`${setup.origin}/b`);
      await sent;
      await page.goBack({ waitUntil: 'commit' });
      // Restored (no load: the same document): its pageshow says so.
      await page.waitForFunction(() => window.log?.some((line) => line.startsWith('pageshow ')), null, { timeout: 5000 });
      const log = () => page.evaluate(() => window.log);
      assert.ok((await log()).includes('pageshow true'), `not restored from the back-forward cache: ${await log()}`);
      const away = page.evaluate(() => Promise.race([window.away, new Promise((_, reject) => setTimeout(() => reject(new Error(`no echo sent while away within 5 s: ${window.log.join('; ')}`)), 5000))]));
      assert.equal(await away, `while away on ${tier}`);
      // (After the page came back: it was sent while the page was away.)
      assert.ok((await log()).indexOf('got it') > (await log()).indexOf('pageshow true'), `order: ${await log()}`);
      assert.equal(await page.evaluate(echo, 'after'), 'after');
      const lines = await log();
      assert.deepEqual(
        lines.filter((line) => line.startsWith('open ') || line.startsWith('close ') || line.startsWith('error ')),
        [
          `open {"transport":"${tier}","resumed":false}`,
          'close {"code":1001,"reason":"Page hidden","willReconnect":true}',
          `open {"transport":"${tier}","resumed":true}`,
        ],
      );
      assert.equal(await page.evaluate(() => window.client.state), 'open');
    } finally {
      await context.close();
    }
  });
}
