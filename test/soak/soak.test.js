// Soak: the resume test's random cuts (resume.test.js, "messages both ways through random cuts") over
// many seeds, fewer messages a run, and the fault proxy's other faults (test/network/fault-proxy.mjs),
// alone and mixed. Seeds, tiers, kinds and counts come from test/browser/support/soak-plan.js, which
// test/soak/run.mjs writes:
//
//   node test/soak/run.mjs --browsers chromium --seeds 2000-2019 --kinds cut,chaos --count 2000
//
// Kinds:
//   cut     cutRandom per tier (lower ranges than the resume test's: several cuts in a short run)
//   cutlat  cutRandom plus a seeded latency (1–25 ms) each way
//   kill    killAfter a seeded 100–600 ms for every connection (paced flow, ~4 s); not on jsonp and
//           polling, whose requests end sooner
//   swallow swallowSends: 1 every seeded 100–600 ms for 3 s of a paced flow (heartbeat 500 + timeout 500)
//   chaos   a seeded fault set every 150–400 ms for 3 s (cutRandom, latency, killIdleAfter, swallowSends,
//           rate, cutAfterBytes, failSends), then none: the flow must finish
//   stock   the stock SockJS server (no resume) under cutRandom: at most once, in order, nothing
//           reported lost, a send reported "not delivered" never echoed, and echoes after the cuts
//   multi   every tier, re-upgrades every 200 ms, WebSocket refused and requests cut at seeded moments
//   climb   multi's storm on WebSocket over one HTTP tier (opened on it), with upgrades that hang too
//   legacy  the legacy build in the IE sandbox (form posts: Chromium only) and with fetch, cutRandom
import { createClient } from '../../dist/cometkit.mjs';
import { createClient as createWebSocketClient } from '../../dist/websocket.mjs';
import { BROWSER } from '../browser/support/config.js';
import { admin, needAdmin } from '../browser/support/admin.js';
import { refuseCors } from '../browser/support/cors.js';
import { assertEqual, until } from '../browser/support/echo.js';
import { assertResumedThroughout, describeClient, flow, watch } from '../browser/support/flow.js';
import { seeded } from '../browser/support/random.js';
import { PLAN } from '../browser/support/soak-plan.js';

const TIERS = ['websocket', 'xhr-streaming', 'iframe', 'jsonp', 'polling'];
const HTTP_TIERS = TIERS.slice(1);
// Tiers whose receiving connection lives on while messages flow.
const HOLDS = TIERS.slice(0, 3);
const sleep = (time) => new Promise((resolve) => setTimeout(resolve, time));
const faultQuery = (faults) => `kind=fault&faults=${encodeURIComponent(JSON.stringify(faults))}`;
const realFetch = window.fetch;
const ms = (value) => `${Math.round(value)} ms`;

// Cut ranges per tier: lower than resume.test.js's, for several cuts in a run of a few thousand messages.
const RANGES = {
  websocket: { min: 1000, max: 12000, window: 300 },
  'xhr-streaming': { min: 800, max: 6000, window: 300 },
  iframe: { min: 1500, max: 6000, window: 300, heartbeat: 500, heartbeatTimeout: 500, limit: 40000 },
  jsonp: { min: 400, max: 4000, window: 300 },
  polling: { min: 400, max: 4000, window: 300 },
  'cometkit/websocket': { min: 1000, max: 12000, window: 300 },
  'jsonp no-cors': { min: 300, max: 4000, window: 100, noCors: true },
};
const RUN_NAMES = Object.keys(RANGES);
const tierOf = (run) => (run === 'cometkit/websocket' ? 'websocket' : run === 'jsonp no-cors' ? 'jsonp' : run);
const wanted = (run) => (!PLAN.tiers || PLAN.tiers.includes(tierOf(run))) && (!PLAN.runs || PLAN.runs.includes(run));
const kind = (name) => !PLAN.kinds || PLAN.kinds.includes(name);

describe(`soak (${BROWSER})`, function () {
  this.timeout(60000);
  let clients = [];
  let proxies = [];
  let stopChaos = null;
  const pageErrors = [];
  const onError = (e) => pageErrors.push(`error: ${e.message ?? e}`);
  const onRejection = (e) => pageErrors.push(`unhandledrejection: ${e.reason?.stack ?? e.reason}`);

  before(async function () {
    needAdmin(this);
    await until(() => !document.querySelector('form, iframe'), 3000, 'a page free of forms and frames').catch(() => {});
    addEventListener('error', onError);
    addEventListener('unhandledrejection', onRejection);
  });
  after(() => {
    removeEventListener('error', onError);
    removeEventListener('unhandledrejection', onRejection);
  });
  beforeEach(() => (pageErrors.length = 0));
  afterEach(async () => {
    // (Its failure, if any, was the test's.)
    stopChaos?.().catch(() => {});
    stopChaos = null;
    for (const client of clients) if (client.state !== 'closed') client.close();
    clients = [];
    await Promise.all(proxies.map((id) => admin('DELETE', `/proxy/${id}`).catch(() => {})));
    proxies = [];
  });

  async function proxy(query) {
    const made = await admin('POST', `/proxy?${query}`);
    proxies.push(made.id);
    return made;
  }
  const setFaults = (p, faults) => admin('POST', `/proxy/${p.id}/faults`, JSON.stringify(faults), realFetch);
  const proxyStats = async (p) => (await admin('GET', `/proxy/${p.id}`, undefined, realFetch)).stats;
  function connect(url, options, create = createClient) {
    const client = create(url, options);
    clients.push(client);
    return { client, w: watch(client) };
  }
  function assertNoPageErrors() {
    if (pageErrors.length) throw new Error(`page errors: ${pageErrors.slice(0, 3).join(' | ')}`);
  }

  /** One resumable flow through proxy faults; `during(p, client)` may change them while it runs. */
  async function soak(test, run, seed, { faults, query = '', during, label, paced = false, counts }) {
    const range = RANGES[run];
    const tier = tierOf(run);
    const { window, heartbeatTimeout, noCors, limit = 30000 } = range;
    test.timeout(limit + 15000);
    const p = await proxy(faultQuery(faults) + query);
    const cors = noCors ? refuseCors() : null;
    const started = performance.now();
    let w;
    let client;
    try {
      ({ client, w } = connect(
        `${p.url}/echo`,
        { transports: [tier], retry: () => 0, queueLimit: PLAN.count, ...(heartbeatTimeout || query.includes('heartbeat') ? { heartbeatTimeout: heartbeatTimeout ?? 500 } : {}) },
        run === 'cometkit/websocket' ? createWebSocketClient : createClient,
      ));
      // Paced (time-based faults): the flow lasts about 4 s.
      const f = flow(client, w, { count: PLAN.count, window, rate: paced ? Math.ceil(PLAN.count / 4) : 0 });
      const chaos = during?.(p, client);
      try {
        await f.done(limit);
      } finally {
        await chaos?.stop();
      }
    } finally {
      cors?.restore();
    }
    const time = performance.now() - started;
    const stats = await proxyStats(p);
    console.log(
      `[soak] ${BROWSER} ${label} ${run} seed ${seed}: ${PLAN.count} echoes in ${ms(time)}; ${stats.cuts} cuts, ${stats.kills} kills, ` +
        `${stats.swallowed} swallowed, ${w.opens.length - 1} reconnections, ${w.errors.length} errors ` +
        `(${[...new Set(w.errors.map((e) => e.name))].join(',')})`,
    );
    assertEqual(w.opens[0].transport, tier, 'opened on');
    // (A fault that took no effect would leave a plain echo run passing: the test did not test.)
    if (counts && !stats[counts]) throw new Error(`no ${counts} at the proxy: the faults took no effect`);
    assertResumedThroughout(w);
    assertNoPageErrors();
    // Closed: the proxy sees every connection end.
    client.close();
    const deadline = Date.now() + 3000;
    let active;
    while ((active = (await proxyStats(p)).active) > 0 && Date.now() < deadline) await sleep(100);
    if (active > 0) throw new Error(`${active} connection(s) still open at the proxy 3 s after close()`);
  }

  /**
   * Changes the faults (`pick(random)`) at seeded moments in `[lo, hi]` ms for `lasts` ms, then sets
   * `calm`, so that the flow can finish; `stop()` (at the latest when the flow ends) does that at once
   * and resolves once `calm` is in.
   */
  function every(p, seed, [lo, hi], pick, lasts, calm) {
    const r = seeded(seed);
    let stopped = null;
    let timer;
    let chain = Promise.resolve();
    // A change the proxy refused would leave the run calmer than it says: reported by stop().
    const failed = [];
    const set = (faults) => setFaults(p, faults).catch((error) => failed.push(error.message));
    const next = () => (timer = setTimeout(tick, lo + r.next() * (hi - lo)));
    const tick = () => {
      const faults = pick(r);
      chain = chain.then(() => set(faults));
      next();
    };
    next();
    const stop = () =>
      (stopped ??= (async () => {
        clearTimeout(timer);
        clearTimeout(end);
        await chain;
        await set(calm);
        if (failed.length) throw new Error(`fault changes refused: ${failed.slice(0, 3).join(' | ')}`);
      })());
    const end = setTimeout(stop, lasts);
    stopChaos = stop;
    return { stop };
  }

  /** `multi` and `climb`: a paced echo flow while a seeded storm moves the session between tiers. */
  async function storm(test, label, seed, transports) {
    test.timeout(60000);
    const climbing = !!transports;
    // (Starts refusing upgrades when climbing: the session opens on the tier below.)
    const calm = { ...NO_FAULTS, refuseUpgrade: false };
    const p = await proxy(`${faultQuery(climbing ? { refuseUpgrade: 403 } : {})}&heartbeat=500`);
    const { client, w } = connect(`${p.url}/echo`, { upgradeInterval: 200, retry: () => 0, remember: 0, heartbeatTimeout: 500, queueLimit: PLAN.count, transports });
    const started = performance.now();
    const f = flow(client, w, { count: PLAN.count, window: 200, rate: Math.ceil(PLAN.count / 5) });
    const c = every(p, seed, [100, 400], (r) => {
      const faults = { ...calm };
      if (r.next() < 0.7) faults.refuseUpgrade = 403;
      if (r.next() < 0.6) faults.cutRandom = { seed: Math.floor(r.next() * 1e9), min: 200, max: 4000 };
      if (r.next() < 0.2) faults.latency = Math.floor(r.next() * 30);
      if (r.next() < 0.15) faults.killIdleAfter = 200 + Math.floor(r.next() * 800);
      if (r.next() < 0.15) faults.swallowSends = 1;
      if (r.next() < 0.1) faults.killAfter = 100 + Math.floor(r.next() * 900);
      // Drawn last, so that multi's fault sets stay what they were.
      if (climbing && !faults.refuseUpgrade && r.next() < 0.5) faults.silentUpgrade = true;
      return faults;
    }, 4000, calm);
    try {
      await f.done(40000);
    } finally {
      await c.stop();
    }
    const stats = await proxyStats(p);
    const moves = w.moves.filter((m) => m.reason === 're-upgrade').length;
    console.log(
      `[soak] ${BROWSER} ${label} seed ${seed}: ${PLAN.count} echoes in ${ms(performance.now() - started)}; ${stats.cuts} cuts, ${stats.kills} kills, ` +
        `${stats.swallowed} swallowed, ${stats.refused} refused; ${w.opens.length - 1} reconnections on ${[...new Set(w.opens.map((o) => o.transport))].join('/')}, ` +
        `${moves} re-upgrades, ${w.errors.length} errors, ends on ${client.transport}`,
    );
    if (climbing && w.opens[0]?.transport !== transports[1]) throw new Error(`opened on ${w.opens[0]?.transport}, not ${transports[1]}`);
    assertResumedThroughout(w);
    assertNoPageErrors();
  }

  const NO_FAULTS = { cutRandom: false, latency: 0, killAfter: 0, killIdleAfter: 0, swallowSends: 0, failSends: 0, silentUpgrade: false, rate: 0, cutAfterBytes: 0 };

  for (const seed of PLAN.seeds) {
    for (const run of RUN_NAMES.filter(wanted)) {
      const tier = tierOf(run);
      const { min, max, heartbeat } = RANGES[run];
      const hb = heartbeat ? `&heartbeat=${heartbeat}` : '';
      if (kind('cut')) {
        it(`cut ${run} seed ${seed}`, async function () {
          await soak(this, run, seed, { label: 'cut', faults: { cutRandom: { seed, min, max } }, query: hb });
        });
      }
      if (kind('cutlat')) {
        it(`cutlat ${run} seed ${seed}`, async function () {
          const latency = 1 + Math.floor(seeded(seed).next() * 25);
          await soak(this, run, seed, { label: `cutlat(${latency} ms)`, faults: { cutRandom: { seed, min, max }, latency }, query: hb });
        });
      }
      // Not on jsonp and polling: while messages flow, a poll is answered within a few milliseconds, and
      // no deadline (not even 5–30 ms, tried) killed one in most runs; `cut` and `chaos` cover them.
      if (kind('kill') && HOLDS.includes(tier)) {
        it(`kill ${run} seed ${seed}`, async function () {
          const r = seeded(seed);
          // An htmlfile answer (frames in script tags) reaches the server's response limit, 128 KiB,
          // within 300–500 ms of this flow in Chromium: a later deadline killed none (seed 3600, 524 ms).
          const killAfter = 100 + Math.floor(r.next() * (tier === 'iframe' ? 200 : 500));
          await soak(this, run, seed, { label: `kill(${killAfter} ms)`, paced: true, faults: { killAfter }, query: hb, counts: 'kills' });
        });
      }
      if (kind('swallow') && HTTP_TIERS.includes(tier)) {
        it(`swallow ${run} seed ${seed}`, async function () {
          await soak(this, run, seed, {
            label: 'swallow',
            paced: true,
            counts: 'swallowed',
            faults: {},
            query: '&heartbeat=500',
            // Swallows for 3 s (each costs the client 1 s), then none.
            during: (p) => every(p, seed, [100, 600], () => ({ swallowSends: 1 }), 3000, { swallowSends: 0 }),
          });
        });
      }
      if (kind('chaos')) {
        it(`chaos ${run} seed ${seed}`, async function () {
          await soak(this, run, seed, {
            label: 'chaos',
            paced: true,
            faults: {},
            query: '&heartbeat=500',
            // A limited storm: faults for 3 s, then none.
            during: (p) =>
              every(p, seed, [150, 400], (r) => {
                const f = { ...NO_FAULTS };
                if (r.next() < 0.5) f.cutRandom = { seed: Math.floor(r.next() * 1e9), min: tier === 'websocket' ? 200 : 50, max: Math.min(max, 3000) };
                if (r.next() < 0.3) f.latency = Math.floor(r.next() * 40);
                if (r.next() < 0.2) f.killIdleAfter = 200 + Math.floor(r.next() * 800);
                if (r.next() < 0.2 && tier !== 'websocket') f.swallowSends = 1;
                if (r.next() < 0.15) f.rate = 20000 + Math.floor(r.next() * 200000);
                if (r.next() < 0.15) f.cutAfterBytes = 100 + Math.floor(r.next() * 5000);
                // (Drawn last: a seed's first fault set stays as it was before this draw; the later ones move.)
                if (r.next() < 0.2 && tier !== 'websocket') f.failSends = 1;
                return f;
              }, 3000, NO_FAULTS),
          });
        });
      }
    }

    // The stock SockJS server: no resume. At most once and in order; nothing reported lost.
    if (kind('stock')) {
      for (const tier of ['websocket', 'xhr-streaming', 'jsonp', 'polling'].filter((t) => !PLAN.tiers || PLAN.tiers.includes(t))) {
        it(`stock ${tier} seed ${seed}`, async function () {
          this.timeout(60000);
          const p = await proxy(faultQuery({ cutRandom: { seed, min: 50, max: 3000 } }) + '&upstream=sockjs');
          const { client, w } = connect(`${p.url}/echo`, { transports: [tier], retry: () => 0, queueLimit: PLAN.count });
          const count = Math.min(PLAN.count, 1000);
          const results = new Array(count);
          const order = [];
          let last = -1;
          const problems = [];
          const echoed = new Set();
          client.on('message', ({ data }) => {
            if (!data.startsWith('s ')) return;
            const i = Number(data.slice(2));
            if (i <= last) problems.push(`echo ${i} after ${last} (${echoed.has(i) ? 'duplicate' : 'reordered'})`);
            last = Math.max(last, i);
            echoed.add(i);
          });
          let sent = 0;
          let settled = 0;
          const window = 50;
          // Paced: about 4 s of sends, so that the cuts land all along.
          let budget = 0;
          const pacer = setInterval(() => {
            budget = Math.min(budget + count / 400, count / 40);
            pump();
          }, 10);
          const pump = () => {
            while (sent < count && sent - settled < window && budget >= 1) {
              budget--;
              const i = sent++;
              client.send(`s ${i}`, (error) => {
                if (results[i] !== undefined) problems.push(`callback ${i} twice`);
                results[i] = error ? error.message : 'ok';
                order.push(i);
                settled++;
                pump();
              });
            }
          };
          pump();
          await until(() => settled === count || problems.length, 45000, 'every callback').catch(() => {
            problems.push(`callbacks: ${settled} of ${count}; ${describeClient(client, w)}`);
          });
          clearInterval(pacer);
          await setFaults(p, { cutRandom: false });
          // After the cuts: an echo gets through.
          const got = [];
          client.on('message', ({ data }) => data === 'final' && got.push(data));
          client.send('final');
          await until(() => got.length, 10000, 'the final echo').catch(() => problems.push(`no final echo: ${describeClient(client, w)}`));
          order.forEach((i, k) => k !== i && problems.push(`callback ${i} came ${k}th`));
          const notDelivered = results.map((r, i) => [r, i]).filter(([r]) => /not delivered/.test(r) && !/maybe/.test(r));
          for (const [, i] of notDelivered) if (echoed.has(i)) problems.push(`send ${i} reported not delivered, but echoed`);
          const maybe = results.filter((r) => /maybe/.test(r)).length;
          const lostOk = [...results.keys()].filter((i) => results[i] === 'ok' && !echoed.has(i)).length;
          const stats = await proxyStats(p);
          console.log(
            `[soak] ${BROWSER} stock ${tier} seed ${seed}: ${count} sends; ${echoed.size} echoed, ${maybe} maybe-not-delivered, ` +
              `${notDelivered.length} not delivered, ${lostOk} confirmed but not echoed; ${stats.cuts} cuts, ${w.opens.length} opens, ${w.lost.length} lost`,
          );
          if (w.lost.length) problems.push(`${w.lost.length} SessionLostError from a server that never resumes`);
          if (w.opens.some((o) => o.resumed)) problems.push('an open said resumed');
          if (pageErrors.length) problems.push(...pageErrors);
          if (problems.length) throw new Error(problems.slice(0, 5).join('; '));
        });
      }
    }

    // Every tier, re-upgrades every 200 ms, and a storm that refuses and cuts WebSockets, cuts and
    // swallows requests: the session moves between tiers (re-upgrade, downgrade) under cuts.
    if (kind('multi')) {
      it(`multi seed ${seed}`, async function () {
        await storm(this, 'multi', seed);
      });
    }
    // The same storm with WebSocket and one HTTP tier below it, which it lands on and climbs from, and
    // upgrades that sometimes hang (each try waits out its open timeout while the tier below goes on).
    if (kind('climb')) {
      for (const run of HTTP_TIERS.filter(wanted)) {
        it(`climb ${run} seed ${seed}`, async function () {
          await storm(this, `climb ${run}`, seed, ['websocket', run]);
        });
      }
    }

    if (kind('legacy')) {
      for (const mode of ['forms', 'fetch']) {
        it(`legacy ${mode} seed ${seed}`, async function () {
          // Firefox is silent on a cut form post (README.md); WebKit has no page without fetch (legacy.test.js).
          if (mode === 'forms' && BROWSER !== 'Chromium') this.skip();
          this.timeout(60000);
          const frame = document.createElement('iframe');
          frame.src = `${new URL('../legacy/sandbox.html', import.meta.url).pathname}?events=none${mode === 'fetch' ? '&keep=fetch' : ''}`;
          const loaded = new Promise((resolve) => (frame.onload = resolve));
          document.body.appendChild(frame);
          try {
            await loaded;
            const win = frame.contentWindow;
            const max = mode === 'fetch' ? 4000 : 8000;
            const p = await proxy(faultQuery({ cutRandom: { seed, min: 1000, max } }));
            const count = Math.min(PLAN.count, 2000);
            const client = win.cometkit.createClient(`${p.url}/echo`, { retry: () => 0, queueLimit: count });
            clients.push(client);
            const w = watch(client);
            const started = performance.now();
            // A timeline of what the build adds and removes (posts, polls), and what the client says.
            const timeline = [];
            const t = () => Math.round(performance.now() - started);
            const short = (url) => url.replace(/^.*\/echo\/\d+\/[^/]+\//, '').replace(/c=[^&]+&?/, '');
            const observer = new MutationObserver((records) => {
              for (const record of records) {
                for (const node of record.addedNodes) {
                  if (node.nodeName === 'FORM') timeline.push(`${t()} +post ${short(node.action)}`);
                  if (node.nodeName === 'SCRIPT' && node.src) timeline.push(`${t()} +poll ${short(node.src)}`);
                }
                for (const node of record.removedNodes) {
                  if (node.nodeName === 'IFRAME') timeline.push(`${t()} -postframe`);
                  if (node.nodeName === 'SCRIPT' && node.src) timeline.push(`${t()} -poll ${short(node.src)}`);
                }
              }
            });
            observer.observe(win.document.documentElement, { childList: true, subtree: true });
            client.on('open', (e) => timeline.push(`${t()} open resumed=${e.resumed}`));
            client.on('close', (e) => timeline.push(`${t()} close ${e.code} ${e.reason}`));
            let echoes = 0;
            client.on('message', () => (++echoes % 100 === 0 ? timeline.push(`${t()} echo #${echoes}`) : 0));
            const f = flow(client, w, { count, window: 200 });
            try {
              await f.done(40000);
            } catch (error) {
              const stats = await proxyStats(p);
              error.message += `\nproxy ${JSON.stringify(stats)}\ntimeline:\n${timeline.slice(-40).join('\n')}`;
              throw error;
            } finally {
              observer.disconnect();
            }
            const stats = await proxyStats(p);
            console.log(`[soak] ${BROWSER} legacy ${mode} seed ${seed}: ${count} echoes in ${ms(performance.now() - started)}; ${stats.cuts} cuts, ${w.opens.length - 1} reconnections`);
            assertResumedThroughout(w);
            client.close();
            const errors = Array.prototype.filter.call(win.__sandbox.errors, (e) => !/^Script error\./.test(e));
            assertEqual(errors.join('\n'), '', 'script errors in the sandbox other than cut polls');
            assertNoPageErrors();
          } finally {
            frame.remove();
          }
        });
      }
    }
  }
});
