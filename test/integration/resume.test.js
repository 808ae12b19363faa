// Loss-free resume (PROTOCOL.md, "Resume") in Chromium and Firefox, against real servers from the
// suite's admin endpoint (config().admin, see startAdmin() in test/browser/suite.mjs): each test gets
// a cometkit instance of its own, mostly behind a fault proxy of its own (test/network/fault-proxy.mjs),
// so the two browsers, which run at once, never share one.
//
//   - On every tier, 10,000 echoes through a proxy that cuts every connection after a seeded random
//     number of bytes (cutRandom): each echo exactly once and in order, each send confirmed, each
//     reconnection resumed, no session lost.
//   - The tier changing mid-stream (re-upgrade, and a downgrade forced by a proxy that starts refusing
//     WebSocket), a reload mid-stream (option persist), the send queue's bounds.
//   - Where resume cannot help: the grace period passed, a server restart, the server's memory bound
//     (2011): the client says so (SessionLostError) once and goes on with a fresh session; and a
//     stock SockJS server, which never resumes (at most once, nothing reported as lost).
import { createClient } from '../../dist/cometkit.mjs';
import { createClient as createWebSocketClient } from '../../dist/websocket.mjs';
import { BROWSER } from '../browser/support/config.js';
import { admin, needAdmin, sessionsAt, untilSessions } from '../browser/support/admin.js';
import { refuseCors } from '../browser/support/cors.js';
import { assertEqual, until } from '../browser/support/echo.js';
import { assertLost, assertResumedThroughout, flow, waitFor, watch } from '../browser/support/flow.js';

const TIERS = ['websocket', 'xhr-streaming', 'iframe', 'jsonp', 'polling'];
const RELOAD_PAGE = new URL('./fixtures/resume-page.html', import.meta.url).pathname;

const ms = (value) => `${Math.round(value)} ms`;
const sleep = (time) => new Promise((resolve) => setTimeout(resolve, time));
const faultQuery = (faults) => `kind=fault&faults=${encodeURIComponent(JSON.stringify(faults))}`;

describe('resume', function () {
  this.timeout(20000);
  let clients = [];
  let proxies = [];
  let instances = [];
  let frames = [];

  // Stock sockjs-client (test/interop/) tidies its forms and frames away late; let it (see reconnect.test.js).
  before(async function () {
    needAdmin(this);
    await until(() => !document.querySelector('form, iframe'), 3000, 'a page free of forms and frames').catch(() => {});
  });

  afterEach(async function () {
    for (const client of clients) if (client.state !== 'closed') client.close();
    clients = [];
    for (const frame of frames) frame.remove();
    frames = [];
    await Promise.all([
      ...proxies.map((id) => admin('DELETE', `/proxy/${id}`).catch(() => {})),
      ...instances.map((id) => admin('DELETE', `/cometkit/${id}`).catch(() => {})),
    ]);
    proxies = [];
    instances = [];
  });

  async function proxy(query) {
    const made = await admin('POST', `/proxy?${query}`);
    proxies.push(made.id);
    return made;
  }
  async function instance(query = '') {
    const made = await admin('POST', `/cometkit${query}`);
    instances.push(made.id);
    return made;
  }
  const setFaults = (p, faults) => admin('POST', `/proxy/${p.id}/faults`, JSON.stringify(faults));
  const proxyStats = async (p) => (await admin('GET', `/proxy/${p.id}`)).stats;

  function connect(url, options, create = createClient) {
    const client = create(url, options);
    clients.push(client);
    return { client, w: watch(client) };
  }

  /** Sends `texts` (one tick) and waits for their echoes, in order, and their callbacks' success. */
  async function echoed(client, w, texts, timeout = 5000) {
    const got = [];
    const results = [];
    const off = client.on('message', ({ data }) => texts.includes(data) && got.push(data));
    texts.forEach((text, i) => client.send(text, (error) => (results[i] = error ?? 'ok')));
    try {
      await waitFor(client, w, () => got.length >= texts.length && results.filter(Boolean).length === texts.length, timeout, `${texts.length} echoes`);
    } finally {
      off();
    }
    assertEqual(JSON.stringify(got), JSON.stringify(texts), 'echoes');
    results.forEach((r, i) => assertEqual(r, 'ok', `callback of ${texts[i]}`));
  }

  describe('messages both ways through random cuts (fault proxy cutRandom)', function () {
    // Cut points per tier: every connection, HTTP request or WebSocket, dies after a seeded random number
    // of bytes (both ways) in [min, max]. min stays above the /info answer and the WebSocket's first
    // frames so that a connection can open at all; max is low enough for several cuts in the ~250 KB
    // (WebSocket) or ~120 KB down plus ~100 KB up (HTTP tiers) a run moves. `window`: sends unconfirmed
    // at a time, so a batch (window × ~10 bytes) fits in most requests' budgets.
    const PLAN = {
      websocket: { seed: 1001, min: 2000, max: 40000, window: 300 },
      'xhr-streaming': { seed: 1002, min: 1500, max: 12000, window: 300 },
      // A cut htmlfile ends like a full one (the bridge reports its end, and the renewal's `ack` has
      // the server write again what the cut swallowed); a cut send or bridge page is a failed request.
      // The 500 ms heartbeat and timeout bound a cut that no event reports.
      // Firefox fires no event at all for a cut htmlfile, so there each such cut costs the liveness
      // check (1 s here): 6.6–10.7 s measured in Firefox alone, more with both browsers busy; hence
      // the longer bound (`limit`) than the other tiers' 15 s.
      iframe: { seed: 1003, min: 2000, max: 12000, window: 300, heartbeat: 500, heartbeatTimeout: 500, limit: 30000 },
      jsonp: { seed: 1004, min: 1000, max: 12000, window: 300 },
      polling: { seed: 1005, min: 1000, max: 12000, window: 300 },
    };
    const RUNS = [
      ...TIERS.map((tier) => [tier, tier, createClient, PLAN[tier]]),
      // The WebSocket-only build (cometkit/websocket) runs the websocket plan too.
      ['websocket', 'cometkit/websocket', createWebSocketClient, PLAN.websocket],
      // Without CORS the sends go as no-cors jsonp_send requests (a cut one fails, so it goes again on the
      // resumed session); with form posts into hidden frames a cut post read as delivered in Chromium
      // (its error page loads) and as nothing at all in Firefox. JSONP only: every HTTP tier sends
      // through the same control channel, and the iframe tier's receiving side in Firefox (no event for
      // a cut htmlfile, see PLAN) would make this a test of its liveness check instead. Smaller cut
      // points: JSONP requests are small.
      ['jsonp', 'jsonp without CORS (no-cors jsonp_send)', createClient, { seed: 1006, min: 500, max: 4000, window: 200, count: 4000, noCors: true, limit: 25000 }],
    ];

    for (const [tier, label, create, plan] of RUNS) {
      it(`${label}: every echo exactly once and in order, every send confirmed, every reconnection resumed`, async function () {
        const { seed, min, max, window, heartbeat, heartbeatTimeout, limit = 15000, count = 10000, noCors = false } = plan;
        this.timeout(limit + 5000);
        const p = await proxy(faultQuery({ cutRandom: { seed, min, max } }) + (heartbeat ? `&heartbeat=${heartbeat}` : ''));
        // After the admin requests: they are cross-origin fetches too.
        const cors = noCors ? refuseCors() : null;
        let w;
        const started = performance.now();
        try {
          let client;
          ({ client, w } = connect(
            `${p.url}/echo`,
            {
              transports: [tier],
              retry: () => 0,
              queueLimit: count,
              ...(heartbeatTimeout ? { heartbeatTimeout } : {}),
            },
            create,
          ));
          // A passing run takes 0.2–3 s (Firefox's iframe longer, see PLAN); the bound leaves room for
          // slow machines and still fails fast.
          await flow(client, w, { count, window }).done(limit);
        } finally {
          cors?.restore();
        }
        const time = performance.now() - started;
        const stats = await proxyStats(p);
        const sends = cors?.opaque.filter((path) => path.endsWith('/jsonp_send')).length;
        console.log(
          `[resume] ${BROWSER} ${label} cutRandom seed ${seed} [${min}, ${max}]: ${count} echoes in ${ms(time)}; ` +
            `${stats.cuts} cuts, ${w.opens.length - 1} reconnections (${w.closes.length} closes, ${w.retries} reconnecting events, ` +
            `${w.errors.length} failed negotiations), proxy: ${stats.requests} requests, ${stats.upgrades} upgrades` +
            (cors ? `, ${sends} no-cors jsonp_send requests` : ''),
        );
        assertEqual(w.opens[0].transport, tier, 'opened on');
        assertResumedThroughout(w);
        if (stats.cuts < 5) throw new Error(`only ${stats.cuts} cuts (seed ${seed}): the run proves little`);
        if (w.opens.length < 2) throw new Error('no reconnection');
        if (cors) {
          assertEqual(cors.refused.filter((path) => path.endsWith('/xhr_send')).length, 0, 'xhr_send fetches');
          if (sends < 1) throw new Error('no no-cors jsonp_send request');
        }
      });
    }
  });

  describe('a send the network swallows (fault proxy swallowSends)', function () {
    // A send request that gets no answer, as on a keep-alive connection a NAT dropped without a word,
    // while receiving goes on: the client gives up on it after the server's heartbeat delay plus
    // heartbeatTimeout (500 + 500 ms here), reconnects, resumes and sends the batch again. Without a
    // bound it would wait for the browser's TCP timeout, and every later send behind it.
    for (const tier of ['xhr-streaming', 'iframe', 'jsonp', 'polling']) {
      it(`${tier}: the connection is dropped after heartbeat + heartbeatTimeout, the batch goes again on the resumed session, each echo once and in order`, async function () {
        const p = await proxy('kind=fault&heartbeat=500');
        const { client, w } = connect(`${p.url}/echo`, { transports: [tier], heartbeatTimeout: 500, retry: () => 0 });
        await waitFor(client, w, () => w.opens.length > 0, 5000, 'open');
        await setFaults(p, { swallowSends: 1 });
        const sentAt = performance.now() - w.t0;
        await echoed(client, w, ['one', 'two', 'three'], 6000);
        assertEqual((await proxyStats(p)).swallowed, 1, 'sends swallowed by the proxy');
        const close = w.closes[0];
        assertEqual(`${close?.code} ${close?.reason}`, '1006 send timed out', 'the close');
        assertEqual(w.opens.length, 2, 'opens');
        assertResumedThroughout(w);
        const gaveUp = close.at - sentAt;
        console.log(`[resume] ${BROWSER} ${tier} swallowed send: connection dropped ${ms(gaveUp)} after the send, resumed ${ms(w.opens[1].at - close.at)} later`);
        // Not a speed target: a bound below heartbeat + heartbeatTimeout would cut sends that are merely slow.
        if (gaveUp < 950) throw new Error(`gave up ${ms(gaveUp)} after the send: sooner than heartbeat + heartbeatTimeout (1000 ms)`);
      });
    }
  });

  describe('a send a proxy answers with an error page, without CORS (fault proxy failSends)', function () {
    // Without CORS the sends are no-cors fetches (jsonp_send) with opaque answers: a proxy's 502 page
    // reads as the server's `ok`. Taken as delivered, the batch was lost, and every later one with it
    // (refused by the server as out of order, and as opaque). Such a batch counts only once the server's
    // `k` on the receiver confirms it; without one the send times out (heartbeat + heartbeatTimeout, 500
    // + 500 ms here) and the resumed session gets the batch again.
    for (const tier of ['jsonp', 'iframe']) {
      it(`${tier}: the batch is not taken as delivered; the resumed session gets it again, each echo once and in order`, async function () {
        const p = await proxy('kind=fault&heartbeat=500');
        // (The admin endpoint is across origins too: set between the refusals.)
        let cors = refuseCors();
        try {
          const { client, w } = connect(`${p.url}/echo`, { transports: [tier], heartbeatTimeout: 500, retry: () => 0 });
          await waitFor(client, w, () => w.opens.length > 0, 5000, 'open');
          await echoed(client, w, ['before']);
          cors.restore();
          await setFaults(p, { failSends: 1 });
          cors = refuseCors();
          const sentAt = performance.now() - w.t0;
          await echoed(client, w, ['one', 'two', 'three'], 6000);
          await echoed(client, w, ['after']);
          cors.restore();
          assertEqual((await proxyStats(p)).failed, 1, 'sends answered with an error page');
          const close = w.closes[0];
          assertEqual(`${close?.code} ${close?.reason}`, '1006 send timed out', 'the close');
          assertEqual(w.opens.length, 2, 'opens');
          assertResumedThroughout(w);
          // (The reconnection's /info goes by CORS first, refused: only the sends must not.)
          assertEqual(cors.refused.filter((path) => path.endsWith('/xhr_send')).length, 0, 'xhr_send fetches');
          if (!cors.opaque.some((path) => path.endsWith('/jsonp_send'))) throw new Error('no no-cors jsonp_send after the error page');
          console.log(`[resume] ${BROWSER} ${tier} without CORS, a send answered 502 by a proxy: connection dropped ${ms(close.at - sentAt)} after the send, resumed ${ms(w.opens[1].at - close.at)} later`);
        } finally {
          cors.restore();
        }
      });
    }
  });

  describe('a forever-iframe the network cuts (fault proxy cutAfterBytes)', function () {
    // Chromium and Firefox fire no event for a cut htmlfile: left to itself the client finds it at its
    // liveness check (the server's heartbeat delay + heartbeatTimeout: 35 s by default). A cometkit
    // server that saw the cut answers the client's next send 410: the client resumes at once and sends
    // the batch again. Heartbeats are left at the defaults here, so only that answer can be quick.
    // WebKit ends a cut htmlfile's frame (its load event), which reads as the server's end of the
    // response: the client renews it on the same session at once, and a renewal made before the proxy's
    // fault is lifted is cut before it starts (`htmlfile did not start`), a cut the client hears. Either
    // way the session resumes and the echo the cut swallowed arrives once, in order.
    it('iframe: the cut is found (by the next send, or in WebKit by the frame), the session resumes, each echo once and in order', async function () {
      const p = await proxy('kind=fault');
      const { client, w } = connect(`${p.url}/echo`, { transports: ['iframe'], retry: () => 0 });
      const got = [];
      client.on('message', ({ data }) => got.push(data));
      await waitFor(client, w, () => w.opens.length > 0, 5000, 'open');
      await echoed(client, w, ['before']);
      // The next body bytes of every response cut it: the echo of "poke" is what cuts the htmlfile.
      await setFaults(p, { cutAfterBytes: 1 });
      client.send('poke');
      const until = Date.now() + 5000;
      while ((await proxyStats(p)).cuts < 1) {
        if (Date.now() > until) throw new Error('the proxy cut nothing');
        await sleep(20);
      }
      await setFaults(p, { cutAfterBytes: 0 });
      const webkit = BROWSER === 'WebKit';
      if (!webkit) assertEqual(w.closes.length, 0, 'closes before the next send (the browser saw no cut)');
      const sentAt = performance.now() - w.t0;
      await echoed(client, w, ['after'], 5000);
      assertEqual(JSON.stringify(got), JSON.stringify(['before', 'poke', 'after']), 'every echo');
      assertResumedThroughout(w);
      if (webkit) {
        if (!w.closes.every((c) => c.willReconnect && /^1006 (htmlfile did not start|send failed: HTTP 410)$/.test(`${c.code} ${c.reason}`))) {
          throw new Error(`closes other than cuts: ${JSON.stringify(w.closes)}`);
        }
        assertEqual(w.opens.length, w.closes.length + 1, 'opens (one per cut, and the first)');
        console.log(`[resume] ${BROWSER} iframe cut: ${w.closes.length} cut(s) heard, ${w.opens.length - 1} resume(s)`);
        return;
      }
      const close = w.closes[0];
      assertEqual(`${close?.code} ${close?.reason}`, '1006 send failed: HTTP 410', 'the close');
      assertEqual(w.opens.length, 2, 'opens');
      console.log(`[resume] ${BROWSER} iframe cut: found ${ms(close.at - sentAt)} after the next send, resumed ${ms(w.opens[1].at - close.at)} later`);
    });
  });

  describe('the tier changing mid-stream', function () {
    const COUNT = 4000;

    it('re-upgrade xhr-streaming → websocket while 4,000 messages flow each way: nothing lost or repeated, one session', async function () {
      const p = await proxy(faultQuery({ refuseUpgrade: 403 }));
      const { client, w } = connect(`${p.url}/echo`, { upgradeInterval: 300, retry: () => 50 });
      await waitFor(client, w, () => w.opens.length > 0, 5000, 'open');
      assertEqual(w.opens[0].transport, 'xhr-streaming', 'landed on');
      const f = flow(client, w, { count: COUNT, window: 100, rate: 1000 });
      await waitFor(client, w, () => f.received >= 1000 || f.problem, 5000, '1000 echoes before the switch');
      await setFaults(p, { refuseUpgrade: false });
      await waitFor(client, w, () => client.transport === 'websocket' || f.problem, 5000, 'the re-upgrade');
      const at = f.received;
      await f.done(10000);
      const move = w.moves.find((m) => m.reason === 're-upgrade');
      assertEqual(`${move?.from} → ${move?.to}`, 'xhr-streaming → websocket', 're-upgrade');
      if (COUNT - at < 500) throw new Error(`the switch came after echo ${at}: too late to prove anything`);
      assertEqual(w.opens.length, 1, `opens (the session never ended; closes: ${JSON.stringify(w.closes)})`);
      assertResumedThroughout(w);
      console.log(`[resume] ${BROWSER} re-upgrade mid-stream: moved to websocket at echo ${at} of ${COUNT}`);
    });

    it('downgrade websocket → xhr-streaming (WebSocket killed, then refused) while 4,000 messages flow each way: resumed, nothing lost or repeated', async function () {
      const p = await proxy('kind=fault');
      const { client, w } = connect(`${p.url}/echo`, { transports: ['websocket', 'xhr-streaming'], retry: () => 100 });
      await waitFor(client, w, () => w.opens.length > 0, 5000, 'open');
      assertEqual(w.opens[0].transport, 'websocket', 'landed on');
      const f = flow(client, w, { count: COUNT, window: 100, rate: 1000 });
      await waitFor(client, w, () => f.received >= 1000 || f.problem, 5000, '1000 echoes before the cut');
      // The live WebSocket dies (killAfter 1 ms counts from now) and no new one gets through.
      await setFaults(p, { refuseUpgrade: 403, killAfter: 1 });
      await waitFor(client, w, () => w.closes.length > 0 || f.problem, 3000, 'the WebSocket to die');
      const at = f.received;
      await setFaults(p, { killAfter: 0 });
      await waitFor(client, w, () => w.opens.length > 1 || f.problem, 5000, 'the reconnection');
      await f.done(10000);
      const again = w.opens[1];
      assertEqual(again.transport, 'xhr-streaming', 'reopened on');
      assertEqual(again.resumed, true, 'the downgrade\'s open.resumed');
      assertResumedThroughout(w);
      if (COUNT - at < 500) throw new Error(`the cut came after echo ${at}: too late to prove anything`);
      console.log(
        `[resume] ${BROWSER} downgrade mid-stream: cut at echo ${at} of ${COUNT} (${w.closes[0].code} ${w.closes[0].reason}), ` +
          `resumed on ${again.transport} ${ms(again.at - w.closes[0].at)} later`,
      );
    });
  });

  describe('reload mid-stream (persist)', function () {
    /** Loads the page in a frame; resolves its message log, which grows with each page life ('ready'). */
    function openPage(url, tiers) {
      const log = { lives: [], all: [] };
      const onMessage = (event) => {
        if (event.origin !== location.origin || event.data?.page !== 'resume') return;
        const m = event.data;
        log.all.push(m);
        if (m.type === 'ready') log.lives.push({ opens: [], ticks: [], errors: [], closes: [] });
        const life = log.lives[log.lives.length - 1];
        if (!life) return;
        if (m.type === 'open') life.opens.push(m);
        if (m.type === 'error') life.errors.push(m);
        if (m.type === 'close') life.closes.push(m);
        if (m.type === 'message') life.ticks.push(m.data);
      };
      addEventListener('message', onMessage);
      const frame = document.createElement('iframe');
      frame.src = `${RELOAD_PAGE}?url=${encodeURIComponent(url)}&tiers=${tiers.join(',')}`;
      frames.push(frame);
      document.body.appendChild(frame);
      log.frame = frame;
      log.stop = () => removeEventListener('message', onMessage);
      log.describe = () => JSON.stringify(log.lives.map((l) => ({ opens: l.opens, ticks: l.ticks.length, errors: l.errors, closes: l.closes })));
      return log;
    }

    for (const tier of ['websocket', 'xhr-streaming']) {
      it(`${tier}: the reloaded page's client opens with resumed: true, and across both lives every tick arrives exactly once, in order`, async function () {
        const made = await instance();
        const log = openPage(`${made.url}/stream`, [tier]);
        const waitLog = (predicate, timeout, what) =>
          until(predicate, timeout, what).catch(() => {
            throw new Error(`no ${what} within ${timeout} ms: ${log.describe()}`);
          });
        try {
          await waitLog(() => log.lives[0]?.ticks.length >= 10, 5000, '10 ticks in the first life');
          assertEqual(log.lives[0].opens[0]?.resumed, false, 'first life open.resumed');
          const before = log.lives[0].ticks.length;
          const reloaded = performance.now();
          log.frame.contentWindow.location.reload();
          await waitLog(() => log.lives[1]?.opens.length > 0, 5000, 'the reloaded page to open');
          const reopened = performance.now() - reloaded;
          const inFirst = log.lives[0].ticks.length;
          await waitLog(() => log.lives[1].ticks.length >= 15, 5000, '15 ticks in the second life');
          log.frame.contentWindow.postMessage({ cmd: 'close' }, location.origin);
          await waitLog(() => log.lives[1].closes.some((c) => !c.willReconnect), 3000, 'the close');
          const [first, second] = log.lives;
          assertEqual(second.opens[0].transport, tier, 'reloaded page opened on');
          assertEqual(second.opens[0].resumed, true, `reloaded page open.resumed (first life's closes: ${JSON.stringify(first.closes)})`);
          assertEqual(second.opens.length, 1, 'opens in the second life');
          const errors = [...first.errors, ...second.errors];
          if (errors.length) throw new Error(`errors: ${JSON.stringify(errors)}`);
          const all = [...first.ticks, ...second.ticks];
          all.forEach((tick, i) => assertEqual(tick, `tick ${i + 1}`, `message ${i + 1} across the reload (${first.ticks.length} before it)`));
          console.log(
            `[resume] ${BROWSER} reload (${tier}): ${inFirst} ticks before the reload (${before} when it was asked), ` +
              `reloaded page resumed ${ms(reopened)} later, ${second.ticks.length} after; ticks 1…${all.length} exactly once`,
          );
        } finally {
          log.stop();
        }
      });
    }
  });

  describe('send queue bounds', function () {
    /** A client on websocket through a proxy, then cut off (the live WebSocket killed, new ones refused). */
    async function cutOff(options) {
      const p = await proxy('kind=fault');
      const { client, w } = connect(`${p.url}/echo`, { transports: ['websocket'], retry: () => 50, ...options });
      await waitFor(client, w, () => w.opens.length > 0, 5000, 'open');
      await echoed(client, w, ['before']);
      await setFaults(p, { refuseUpgrade: 403, killAfter: 1 });
      await waitFor(client, w, () => w.closes.length > 0, 3000, 'the cut');
      assertEqual(client.state, 'reconnecting', 'state');
      return { p, client, w };
    }

    function assertFull(client, text) {
      let thrown = null;
      try {
        client.send(text, () => {
          throw new Error(`the refused ${text} got a callback`);
        });
      } catch (error) {
        thrown = error;
      }
      if (!/^cometkit: send queue full \(/.test(thrown?.message)) throw new Error(`send(${JSON.stringify(text)}) did not throw "send queue full": ${thrown}`);
    }

    /** Heals the path and checks that exactly `queued` came back, once, in order, with successful callbacks. */
    async function heal(p, client, w, queued, results) {
      const got = [];
      client.on('message', ({ data }) => got.push(data));
      await setFaults(p, { refuseUpgrade: false, killAfter: 0 });
      await waitFor(client, w, () => w.opens.length > 1, 5000, 'the reconnection');
      assertEqual(w.opens[1].resumed, true, 'open.resumed after the cut');
      await waitFor(client, w, () => results.filter(Boolean).length === queued.length && got.length >= queued.length, 5000, 'the queued messages');
      // One more round trip: anything repeated would have come before its echo.
      await echoed(client, w, ['after']);
      assertEqual(JSON.stringify(got.filter((m) => m !== 'after')), JSON.stringify(queued), 'echoes of the queued messages (each once)');
      results.forEach((r, i) => assertEqual(r, 'ok', `callback of ${queued[i]}`));
      assertResumedThroughout(w);
    }

    it('queueLimit 5: the 6th send while disconnected throws; the 5 queued go out once after resuming', async function () {
      const { p, client, w } = await cutOff({ queueLimit: 5 });
      const queued = ['q0', 'q1', 'q2', 'q3', 'q4'];
      const results = [];
      queued.forEach((text, i) => client.send(text, (error) => (results[i] = error ?? 'ok')));
      assertFull(client, 'q5');
      assertFull(client, 'q6');
      await heal(p, client, w, queued, results);
    });

    it('queueBytes 100: a send past 100 bytes (UTF-8) of unconfirmed messages throws; one that fits exactly does not', async function () {
      const { p, client, w } = await cutOff({ queueBytes: 100 });
      // 3 × 30 bytes; 'ż' and 'ó' are 2 bytes each in UTF-8.
      const thirty = (c) => `${c}:` + 'żó'.repeat(7);
      const queued = ['a', 'b', 'c'].map(thirty);
      queued.forEach((t) => assertEqual(new Blob([t]).size, 30, `bytes of ${t}`));
      const results = [];
      queued.forEach((text, i) => client.send(text, (error) => (results[i] = error ?? 'ok')));
      assertFull(client, thirty('d'));
      assertFull(client, 'x'.repeat(11));
      // Exactly at the bound: 90 + 10 = 100 bytes.
      queued.push('y'.repeat(10));
      client.send(queued[3], (error) => (results[3] = error ?? 'ok'));
      assertFull(client, 'z');
      await heal(p, client, w, queued, results);
    });
  });

  describe('when the session is gone', function () {
    it('grace period passed (resumeGrace 1000 ms): SessionLostError, a fresh session, unconfirmed sends fail, queued ones go out', async function () {
      const grace = 1000;
      const p = await proxy(`kind=fault&resumeGrace=${grace}&disconnectDelay=500`);
      const { client, w } = connect(`${p.url}/echo`, { transports: ['websocket'], retry: () => 100 });
      await waitFor(client, w, () => w.opens.length > 0, 5000, 'open');
      await echoed(client, w, ['before']);
      const got = [];
      client.on('message', ({ data }) => got.push(data));
      // The live WebSocket turns into a black hole: these are handed to it and never arrive.
      await setFaults(p, { silentUpgrade: true });
      const results = {};
      const send = (text) => client.send(text, (error) => (results[text] = error ?? 'ok'));
      ['void 0', 'void 1', 'void 2'].forEach(send);
      // Then it dies, and no new one gets through.
      await setFaults(p, { refuseUpgrade: 403, killAfter: 1 });
      await waitFor(client, w, () => w.closes.length > 0, 3000, 'the cut');
      const cutAt = performance.now();
      // Sent while disconnected: never handed to the old session, so they go on the fresh one.
      ['queued 0', 'queued 1'].forEach(send);
      // The server forgets the session once the grace period has passed; the client stays cut off till then.
      await untilSessions(`/proxy/${p.id}`, (sessions) => !sessions.length, grace + 3000, 'the server forgetting the session');
      const forgotten = performance.now() - cutAt;
      assertEqual(w.opens.length, 1, 'opens while cut off');
      await setFaults(p, { refuseUpgrade: false, killAfter: 0, silentUpgrade: false });
      await waitFor(client, w, () => w.opens.length > 1, 5000, 'the reconnection');
      assertLost(w, 1, 'grace passed');
      assertEqual(w.opens[1].resumed, false, 'open.resumed after the grace period');
      await waitFor(client, w, () => Object.keys(results).length === 5 && got.length >= 2, 5000, 'callbacks and echoes');
      for (const text of ['void 0', 'void 1', 'void 2']) {
        if (!(results[text] instanceof Error)) throw new Error(`${text}'s callback: ${results[text]}, expected an error`);
      }
      assertEqual(results['queued 0'], 'ok', 'callback of queued 0');
      assertEqual(results['queued 1'], 'ok', 'callback of queued 1');
      await echoed(client, w, ['after 0', 'after 1']);
      assertEqual(JSON.stringify(got), JSON.stringify(['queued 0', 'queued 1', 'after 0', 'after 1']), 'echoes on the fresh session');
      assertLost(w, 1, 'in the end');
      console.log(
        `[resume] ${BROWSER} grace ${grace} ms passed: fresh session ${ms(w.opens[1].at - w.closes[0].at)} after the cut ` +
          `(forgotten ${ms(forgotten)} after it, ${ms(performance.now() - cutAt)} to here); "${w.lost[0].message}"; void sends: ${results['void 0'].message}`,
      );
    });

    it('server restart (crash: in-memory sessions gone): SessionLostError once, then open {resumed: false}, and echoes work', async function () {
      const made = await instance();
      const { client, w } = connect(`${made.url}/echo`, { transports: ['websocket'], retry: () => 100 });
      await waitFor(client, w, () => w.opens.length > 0, 5000, 'open');
      await echoed(client, w, ['before']);
      await admin('POST', `/cometkit/${made.id}/restart?down=300&mode=crash`);
      await waitFor(client, w, () => w.opens.length > 1, 5000, 'the reconnection');
      assertEqual(w.opens[1].resumed, false, 'open.resumed after the restart');
      assertLost(w, 1, 'after the restart');
      await echoed(client, w, ['after', 'zażółć 😀']);
      assertLost(w, 1, 'after the echoes');
      assertEqual(w.opens.length, 2, 'opens');
      console.log(`[resume] ${BROWSER} server restart: "${w.lost[0].message}"; fresh session ${ms(w.opens[1].at - w.closes[0].at)} after the drop`);
    });

    it('server memory bound (resumeLimit 100000): the server keeps sending to a client cut off, ends the session with 2011; SessionLostError, fresh session', async function () {
      const p = await proxy('kind=fault&resumeLimit=100000');
      const { client, w } = connect(`${p.url}/burst`, { transports: ['websocket'], retry: () => 100 });
      await waitFor(client, w, () => w.opens.length > 0, 5000, 'open');
      await echoed(client, w, ['before']);
      const bursts = [];
      client.on('message', ({ data }) => data.startsWith('burst ') && bursts.push(data));
      // 4 × 40000 bytes, 400 ms after the server has the order: by then the client is cut off.
      let confirmed = null;
      client.send('burst 4 40000 400', (error) => (confirmed = error ?? 'ok'));
      await waitFor(client, w, () => confirmed, 3000, 'the burst order to be confirmed');
      assertEqual(confirmed, 'ok', 'the burst order\'s callback');
      await setFaults(p, { refuseUpgrade: 403, killAfter: 1 });
      await waitFor(client, w, () => w.closes.length > 0, 3000, 'the cut');
      const cutAt = performance.now();
      // The burst goes out to nobody 400 ms after the order, over the session's bound: the server ends it.
      await untilSessions(`/proxy/${p.id}`, (sessions) => !sessions.length, 3000, 'the server ending the session over its bound');
      assertEqual(bursts.length, 0, 'burst messages that reached the client before the cut');
      await setFaults(p, { refuseUpgrade: false, killAfter: 0 });
      await waitFor(client, w, () => w.opens.length > 1, 5000, 'the reconnection');
      assertLost(w, 1, 'memory bound');
      if (!/Unacknowledged messages over the limit/.test(w.lost[0].message)) throw new Error(`SessionLostError: ${w.lost[0].message}`);
      assertEqual(w.opens[1].resumed, false, 'open.resumed after 2011');
      await echoed(client, w, ['after']);
      assertEqual(bursts.length, 0, 'burst messages (the lost session\'s, never placed in the stream)');
      assertLost(w, 1, 'in the end');
      console.log(
        `[resume] ${BROWSER} memory bound: "${w.lost[0].message}"; fresh session ${ms(performance.now() - cutAt)} after the cut (${w.closes.map((c) => c.code).join(', ')})`,
      );
    });
  });

  // Between connections (offline, or waiting to reconnect) the client has none to tell the server by; a
  // resumable session it leaves then used to wait out its grace (30 s), open on the server all along.
  describe('leaving between connections', function () {
    const sessionsOf = (made) => sessionsAt(`/cometkit/${made.id}/sessions`);
    const ended = (made, what) => untilSessions(`/cometkit/${made.id}/sessions`, (sessions) => !sessions.length, 5000, `${what}: the server session ended`);
    /** A client on `tier` of `create`, open on a resumable session and then cut off (offline), waiting a minute to reconnect. */
    async function between(tier, create) {
      const made = await instance();
      const { client, w } = connect(`${made.url}/echo`, { transports: [tier], retry: () => 60000 }, create);
      await waitFor(client, w, () => w.opens.length > 0, 5000, 'open');
      await echoed(client, w, ['before']);
      assertEqual((await sessionsOf(made)).length, 1, 'server sessions while open');
      window.dispatchEvent(new Event('offline'));
      assertEqual(client.state, 'reconnecting', 'state once offline');
      assertEqual((await sessionsOf(made)).length, 1, 'server sessions while reconnecting (kept for resume)');
      return { made, client };
    }

    for (const [tier, label, create] of [
      ['websocket', 'websocket', createClient],
      ['xhr-streaming', 'xhr-streaming', createClient],
      ['websocket', 'cometkit/websocket', createWebSocketClient],
    ]) {
      it(`${label}: close() while reconnecting ends the server session at once`, async function () {
        const { made, client } = await between(tier, create);
        client.close();
        await ended(made, 'close()');
      });
    }

    it('leaving the page (pagehide) while reconnecting ends the server session at once', async function () {
      const { made } = await between('websocket', createClient);
      window.dispatchEvent(new PageTransitionEvent('pagehide', { persisted: false }));
      await ended(made, 'pagehide');
    });
  });

  describe('stock SockJS server (no resume)', function () {
    for (const tier of ['websocket', 'xhr-streaming']) {
      it(`${tier}: open {resumed: false}; after a cut, a fresh session with nothing reported lost`, async function () {
        const p = await proxy('kind=fault&upstream=sockjs');
        const { client, w } = connect(`${p.url}/echo`, { transports: [tier], retry: () => 100 });
        await waitFor(client, w, () => w.opens.length > 0, 5000, 'open');
        assertEqual(w.opens[0].resumed, false, 'open.resumed');
        await echoed(client, w, ['before']);
        await setFaults(p, { killAfter: 1 });
        await waitFor(client, w, () => w.closes.length > 0, 3000, 'the cut');
        await setFaults(p, { killAfter: 0 });
        await waitFor(client, w, () => w.opens.length > 1, 5000, 'the reconnection');
        assertEqual(w.opens[1].resumed, false, 'open.resumed after the cut');
        await echoed(client, w, ['after', 'zażółć 😀']);
        assertLost(w, 0, 'with a server that never resumes');
        console.log(`[resume] ${BROWSER} stock sockjs ${tier}: cut (${w.closes[0].code} ${w.closes[0].reason}), fresh session ${ms(w.opens[1].at - w.closes[0].at)} later`);
      });
    }
  });
});
