// The upstream control channel under load: 1,000 sends, in one tick and each
// in its own task, come back in order on every tier, in far fewer HTTP requests
// than messages, with one request in flight at a time.
//
// Requests are counted with the Resource Timing API (fetch requests to
// `…/xhr_send`). WebSocket frames are invisible to the page (no Resource Timing
// entry, no devtools from inside): there only the echo, complete and in order,
// is checked. Form posts (the no-CORS path) are counted by watching the DOM.
import { createClient } from '../../dist/cometkit.mjs';
import { opened } from '../browser/support/client.js';
import { BROWSER, config } from '../browser/support/config.js';
import { refuseCors } from '../browser/support/cors.js';
import { assertEqual, assertSameMessages, until } from '../browser/support/echo.js';

const COUNT = 1000;
// The most requests that 1,000 sends, each in its own task, may take. How many depends on how many
// sends fit in one round trip; what must hold is one request at a time, so everything sent meanwhile
// rides in the next one. WebKit runs a task posted to itself about once a millisecond here (the 1,000
// take 0.7–1.3 s, on WebSocket too) and its send requests take about 3 ms: 2–3 sends each, 340–400
// requests, where one per message would be 1,000. (Chromium: 0.2–0.7 s and 20–40 requests; Firefox
// under 0.1 s and 3–10.)
const SPREAD_MOST = BROWSER === 'WebKit' ? COUNT / 2 : COUNT / 4;
const TIERS = ['websocket', 'xhr-streaming', 'iframe', 'jsonp', 'polling'];

/** A macrotask boundary without setTimeout's clamping: a message to ourselves. */
function nextTask() {
  return new Promise((resolve) => {
    const channel = new MessageChannel();
    channel.port1.onmessage = () => {
      channel.port1.close();
      resolve();
    };
    channel.port2.postMessage(null);
  });
}

const messages = () => Array.from({ length: COUNT }, (_, i) => `${i} ${i % 7 === 0 ? 'zażółć 😀 "q" \\ </script>' : 'm'.repeat(i % 50)}`);

/**
 * Sends COUNT messages (`spread`: each in its own task, else all in one tick) and
 * waits for every echo; checks they came back whole and in order.
 */
async function sendAndEcho(client, spread, ms = 20000) {
  const expected = messages();
  const received = [];
  let off;
  const all = new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${received.length} of ${COUNT} echoes within ${ms} ms`)), ms);
    off = client.on('message', ({ data }) => {
      received.push(data);
      if (received.length === COUNT) {
        clearTimeout(timer);
        resolve();
      }
    });
  });
  const started = performance.now();
  for (const m of expected) {
    client.send(m);
    if (spread) await nextTask();
  }
  const sent = performance.now();
  try {
    await all;
  } finally {
    off();
  }
  assertSameMessages(received, expected);
  return { sendMs: sent - started, totalMs: performance.now() - started };
}

/** The `…/xhr_send` requests to `base` that started after `since`, in start order. */
function sendRequests(base, since) {
  const origin = new URL(base, location.href).origin;
  return performance
    .getEntriesByType('resource')
    .filter((e) => e.name.startsWith(origin) && e.name.includes('/xhr_send') && e.startTime >= since)
    .sort((a, b) => a.startTime - b.startTime);
}

/** One request in flight: each starts once the one before has ended (timings are coarsened to ~1 ms). */
function assertOneInFlight(entries) {
  for (let i = 1; i < entries.length; i++) {
    if (entries[i].startTime < entries[i - 1].responseEnd - 1) {
      throw new Error(`xhr_send ${i} started at ${entries[i].startTime.toFixed(1)} ms, before ${i - 1} ended at ${entries[i - 1].responseEnd.toFixed(1)} ms`);
    }
  }
}

describe('control channel', function () {
  this.timeout(30000);
  // Stock sockjs-client (test/interop/, run before these in a full run) tidies its form posts and
  // frames away asynchronously, after its tests have ended: let it finish first, or the page check
  // removes them under it and its late removeChild throws inside one of these tests. (One of its
  // form posts may never finish: the page check then charges it to the first test here.)
  before(async function () {
    const started = performance.now();
    await until(() => !document.querySelector('form, iframe'), 3000, 'a page free of forms and frames').catch(() => {});
    const waited = performance.now() - started;
    if (waited > 10) console.log(`[control] waited ${Math.round(waited)} ms for earlier tests' forms and frames to go`);
  });
  let client = null;
  const restores = [];

  before(function () {
    // The default buffer (250 entries) would silently drop entries in a run that failed to batch.
    performance.setResourceTimingBufferSize(10000);
  });

  afterEach(function () {
    while (restores.length) restores.pop()();
    if (client && client.state !== 'closed') {
      let closed = false;
      const off = client.on('close', () => (closed = true));
      client.close();
      off();
      if (!closed) throw new Error('client did not close');
    }
    client = null;
  });

  const cases = [
    ...TIERS.map((tier) => ['cometkit', tier]),
    ['sockjs', 'websocket'],
    ['sockjs', 'xhr-streaming'],
  ];
  for (const [server, tier] of cases) {
    describe(`${server} server, ${tier}`, function () {
      for (const spread of [false, true]) {
        const how = spread ? 'each in its own task' : 'in one tick';
        const title =
          tier === 'websocket'
            ? `echoes ${COUNT} sends made ${how}, all in order`
            : `echoes ${COUNT} sends made ${how}, in order, over ${spread ? 'far fewer xhr_send requests than messages, one at a time' : 'one xhr_send request'}`;
        it(title, async function () {
          const base = `${config().servers[server].cross}/echo`;
          client = createClient(base, { transports: [tier], reconnect: false });
          const open = await opened(client);
          assertEqual(open.transport, tier, 'open.transport');
          performance.clearResourceTimings();
          const since = performance.now();
          const { sendMs, totalMs } = await sendAndEcho(client, spread);
          // An entry is added once its response has ended, which may be just after the echo it caused
          // came in on the other connection: give the last one a moment.
          if (tier !== 'websocket') await until(() => sendRequests(base, since).length > 0, 2000, 'an xhr_send Resource Timing entry');
          const requests = sendRequests(base, since);
          console.log(
            `[control] ${server} ${tier}, ${how}: ${COUNT} sent in ${Math.round(sendMs)} ms, all echoed after ${Math.round(totalMs)} ms, ` +
              (tier === 'websocket' ? 'over WebSocket frames (not countable from the page)' : `${requests.length} xhr_send request(s)`),
          );
          if (tier === 'websocket') {
            assertEqual(requests.length, 0, 'xhr_send requests');
            return;
          }
          if (spread) {
            // 2–80 sends per request seen (SPREAD_MOST).
            if (!(requests.length >= 1 && requests.length <= SPREAD_MOST)) throw new Error(`${requests.length} xhr_send requests for ${COUNT} messages`);
            assertOneInFlight(requests);
          } else {
            // Sends made in one tick leave together.
            assertEqual(requests.length, 1, 'xhr_send requests');
          }
        });
      }
    });
  }

  // Plain polling's round trip: against a cometkit server (pollOnSend in /info) a send asks to be
  // answered as a poll, and the echo comes back on it: one request per round trip, not a send and
  // then a poll. Never while a poll is out (answers that crossed would hand frames over out of
  // order). A stock server offers no such thing: its sends are never asked.
  for (const server of ['cometkit', 'sockjs']) {
    it(`${server} server, polling: ${server === 'cometkit' ? 'each echo comes back on its own send\'s answer, never beside a poll' : 'sends never ask to be answered as a poll'}`, async function () {
      const base = `${config().servers[server].cross}/echo`;
      client = createClient(base, { transports: ['polling'], reconnect: false });
      await opened(client);
      const origin = new URL(base, location.href).origin;
      const requests = (since) =>
        performance.getEntriesByType('resource').filter((e) => e.name.startsWith(origin) && /\/(xhr_send|poll|xhr)\?/.test(e.name) && e.startTime >= since);
      const N = 50;
      const since = performance.now();
      for (let i = 0; i < N; i++) {
        const echo = new Promise((resolve) => {
          const off = client.on('message', ({ data }) => {
            if (data === `echo ${i}`) {
              off();
              resolve();
            }
          });
        });
        client.send(`echo ${i}`);
        await echo;
      }
      await until(() => requests(since).filter((e) => e.name.includes('/xhr_send')).length === N, 2000, `${N} xhr_send Resource Timing entries`);
      const all = requests(since);
      const sends = all.filter((e) => e.name.includes('/xhr_send'));
      const asking = sends.filter((e) => /[?&]poll(&|$)/.test(e.name));
      const polls = all.filter((e) => !e.name.includes('/xhr_send'));
      console.log(`[control] ${server} polling, ${N} echoes one after another: ${sends.length} xhr_send (${asking.length} asking for a poll), ${polls.length} polls`);
      if (server === 'sockjs') return assertEqual(asking.length, 0, 'xhr_send requests asking for a poll');
      assertEqual(asking.length, N, 'xhr_send requests asking for a poll');
      // Polls now come only from the poll timer (50 ms while messages flow); one per echo without.
      if (polls.length > N / 5) throw new Error(`${polls.length} polls for ${N} echoes`);
      const taking = [...asking, ...polls.filter((e) => e.name.includes('/poll?'))].sort((a, b) => a.startTime - b.startTime);
      for (let i = 1; i < taking.length; i++) {
        if (taking[i].startTime < taking[i - 1].responseEnd - 1) throw new Error(`${taking[i].name} started before ${taking[i - 1].name} had its answer`);
      }
    });
  }

  // Without CORS (every cross-origin cors-mode fetch refused, as the browser would), sends
  // leave as no-cors fetches to jsonp_send: batched the same way, one at a time.
  for (const tier of ['iframe', 'jsonp']) {
    it(`batches ${COUNT} sends made each in its own task into few no-cors jsonp_send requests without CORS (${tier})`, async function () {
      const { refused, opaque, restore } = refuseCors();
      restores.push(restore);

      client = createClient(`${config().servers.cometkit.cross}/echo`, { transports: [tier], reconnect: false });
      const open = await opened(client);
      assertEqual(open.transport, tier, 'open.transport');
      const { sendMs, totalMs } = await sendAndEcho(client, true);
      const posts = opaque.filter((path) => path.endsWith('/jsonp_send'));
      console.log(`[control] cometkit ${tier} without CORS: ${COUNT} sent in ${Math.round(sendMs)} ms, all echoed after ${Math.round(totalMs)} ms, ${posts.length} no-cors jsonp_send request(s), at most ${opaque.most} at once`);
      if (!(posts.length >= 1 && posts.length <= SPREAD_MOST)) throw new Error(`${posts.length} jsonp_send requests for ${COUNT} messages`);
      assertEqual(posts.length, opaque.length, 'no-cors requests other than jsonp_send');
      assertEqual(opaque.most, 1, 'jsonp_send requests at once');
      assertEqual(refused.filter((path) => path.endsWith('/xhr_send')).length, 0, 'xhr_send fetches');
    });
  }
});
