// The built client behind real nginx and behind the fault-injecting proxy, in Chromium and Firefox.
// Each test gets its own proxy in front of a cometkit server of its own (or of the shared stock
// sockjs server) from the suite's admin endpoint (config().admin, see startAdmin() in
// test/browser/suite.mjs), so the two browsers, which run at once, never share a proxy.
//
// Every scenario checks the tier the client lands on, that the server's /stream service arrives
// ("tick 1", "tick 2", … every 100 ms, counted afresh per session) and that an echo stream comes back
// in order, and prints the timings: time to open, tier, time to first message (from createClient).
//
// What the current design guarantees, and so what is asserted: within one connection (from an
// `open` to the next `close`) messages arrive in order, none lost, none twice: one connection is one
// server session and a session's ticks start at 1, so a connection must see exactly 1, 2, …, k.
// There is no resume yet: a reconnection starts a fresh session, so whatever was in flight when a
// connection died is lost, and the ticks start again at 1. Gaps *between* connections are therefore
// allowed; gaps, duplicates or reordering *within* one are not.
import { createClient } from '../../dist/cometkit.mjs';
import { BROWSER } from '../browser/support/config.js';
import { admin, needAdmin } from '../browser/support/admin.js';
import { assertEqual, until } from '../browser/support/echo.js';

const ECHOES = 50;
const TICKS = 10;
const FAST_TIERS = ['jsonp', 'polling'];

const ms = (value) => `${Math.round(value)} ms`;

/** Follows a client from its creation: connections (each with its ticks), echoes, closes, errors. */
function watch(client) {
  const t0 = performance.now();
  const w = { t0, connections: [], echoes: [], closes: [], retries: [], errors: [], firstMessageAt: null };
  client.on('open', ({ transport, resumed }) => {
    w.connections.push({ transport, resumed, at: performance.now() - t0, ticks: [], attempts: client.diagnostics() });
  });
  client.on('message', ({ data }) => {
    const now = performance.now() - t0;
    w.firstMessageAt ??= now;
    const tick = /^tick (\d+)$/.exec(data);
    const current = w.connections[w.connections.length - 1];
    if (tick) current.ticks.push(Number(tick[1]));
    else w.echoes.push(data);
  });
  client.on('close', (event) => w.closes.push({ ...event, at: performance.now() - t0 }));
  client.on('reconnecting', (event) => w.retries.push(event));
  client.on('error', ({ error }) => w.errors.push(error));
  return w;
}

/** "websocket failed 3 ms (WebSocket error); xhr-streaming open 20 ms" */
function describeAttempts(attempts) {
  return attempts.map((a) => `${a.transport} ${a.outcome} ${a.time} ms${a.outcome === 'open' ? '' : ` (${a.reason})`}`).join('; ');
}

function state(client, w) {
  return `state ${client.state}, connections ${JSON.stringify(w.connections.map((c) => [c.transport, c.ticks.length]))}, ` +
    `closes ${JSON.stringify(w.closes.map((c) => `${c.code} ${c.reason}`))}, errors ${w.errors.length}, last negotiation: ${describeAttempts(client.diagnostics())}`;
}

/** Waits (bounded) for `predicate`, with the client's state in the failure message. */
async function waitFor(client, w, predicate, timeout, what) {
  try {
    await until(predicate, timeout, what);
  } catch {
    throw new Error(`no ${what} within ${timeout} ms: ${state(client, w)}`);
  }
}

/**
 * Every session's ticks are exactly 1, 2, …, k: in order, nothing lost or repeated. A connection
 * that resumed the session (cometkit server, resume) goes on from where the one before stopped;
 * a fresh session starts again at 1.
 */
function assertTicks(w) {
  let expected = 1;
  w.connections.forEach((c, i) => {
    if (!c.resumed) expected = 1;
    c.ticks.forEach((n, j) => {
      if (n !== expected) {
        throw new Error(`connection ${i + 1} (${c.transport}, ${c.resumed ? 'resumed' : 'fresh'}): tick ${j + 1} was "tick ${n}", expected ${expected} (ticks ${c.ticks.slice(Math.max(0, j - 3), j + 3).join(',')})`);
      }
      expected++;
    });
  });
}

/** Sends `ECHOES` messages in one tick and checks they all come back in order. */
async function echoRound(client, w, label, count = ECHOES, timeout = 5000) {
  const from = w.echoes.length;
  const sent = Array.from({ length: count }, (_, i) => `${label} ${i}`);
  for (const text of sent) client.send(text);
  await waitFor(client, w, () => w.echoes.length >= from + count, timeout, `${count} echoes (${label}; got ${w.echoes.length - from})`);
  const got = w.echoes.slice(from, from + count);
  got.forEach((text, i) => assertEqual(text, sent[i], `echo ${i} of ${label}`));
}

describe('behind proxies', function () {
  this.timeout(25000);
  let nginx = false;
  let clients = [];
  let proxies = [];

  before(async function () {
    needAdmin(this);
    ({ nginx } = await admin('GET', '/proxy'));
  });

  afterEach(async function () {
    for (const client of clients) if (client.state !== 'closed') client.close();
    clients = [];
    await Promise.all(proxies.map((id) => admin('DELETE', `/proxy/${id}`).catch(() => {})));
    proxies = [];
  });

  async function proxy(query) {
    if (/kind=nginx/.test(query) && !nginx) {
      console.log(`[proxies] skipped in ${BROWSER}: nginx is not installed (bash .ci/run installs it): ${this.test.fullTitle()}`);
      this.skip();
    }
    const made = await admin('POST', `/proxy?${query}`);
    proxies.push(made.id);
    return made;
  }

  const setFaults = (p, faults) => admin('POST', `/proxy/${p.id}/faults`, JSON.stringify(faults));

  function connect(url, options) {
    const client = createClient(url, options);
    clients.push(client);
    return { client, w: watch(client) };
  }

  /**
   * The common check: opens on `service` through the proxy, lands on one of `tiers` within `openWithin`,
   * gets TICKS ticks and an echo round in order. Returns what the rest of the test needs.
   */
  async function land(test, { query, service = '/stream', options, tiers, openWithin = 8000, name }) {
    const p = await proxy.call(test, query);
    const { client, w } = connect(p.url + service, options);
    await waitFor(client, w, () => w.connections.length > 0, openWithin, 'open');
    const first = w.connections[0];
    if (!tiers.includes(first.transport)) {
      throw new Error(`landed on ${first.transport}, expected ${tiers.join(' or ')} (${describeAttempts(first.attempts)})`);
    }
    if (service === '/stream') await waitFor(client, w, () => w.connections[0].ticks.length >= TICKS, 5000, `${TICKS} ticks`);
    await echoRound(client, w, 'echo');
    assertEqual(w.connections.length, 1, 'connections (no drop during the check)');
    assertTicks(w);
    const firstMessage = w.firstMessageAt === null ? 'none yet' : ms(w.firstMessageAt);
    console.log(`[proxies] ${BROWSER} ${name}: open ${ms(first.at)} on ${first.transport}, first message ${firstMessage}; ${describeAttempts(first.attempts)}`);
    return { p, client, w, first };
  }

  describe('nginx', function () {
    it('default config (no Upgrade, buffering on): WebSocket refused, the server\'s X-Accel-Buffering: no makes it stream → xhr-streaming', async function () {
      const { first } = await land(this, { name: 'nginx default', query: 'kind=nginx&config=default', tiers: ['xhr-streaming'], openWithin: 3000 });
      assertEqual(first.attempts[0].transport, 'websocket', 'first attempt');
      assertEqual(first.attempts[0].outcome, 'failed', 'websocket outcome');
    });

    it('default config with X-Accel-Buffering ignored: the first stream times out, the others are skipped as buffered → jsonp, within 1 s', async function () {
      const { first } = await land(this, {
        name: 'nginx default, header ignored',
        query: 'kind=nginx&config=default&ignoreAccelBuffering=1',
        tiers: FAST_TIERS,
        openWithin: 8000,
      });
      const stream = first.attempts.find((a) => a.transport === 'xhr-streaming');
      if (stream?.outcome !== 'failed' || !/timed out/.test(stream.reason)) throw new Error(`xhr-streaming: ${JSON.stringify(stream)}, expected a timeout`);
      // Stream-sense: a stream that gets no byte within its open timeout is buffered, and so would the iframe's be.
      const iframe = first.attempts.find((a) => a.transport === 'iframe');
      if (iframe?.outcome !== 'skipped' || iframe.reason !== 'streams are buffered on this path') throw new Error(`iframe: ${JSON.stringify(iframe)}, expected skipped as buffered`);
      // WebSocket fails at once (400); xhr-streaming waits out its open timeout (~610 ms on loopback).
      if (first.at > 1000) throw new Error(`open took ${ms(first.at)}`);
    });

    it('websocket config (Upgrade forwarded, buffering off) → websocket', async function () {
      await land(this, { name: 'nginx websocket', query: 'kind=nginx&config=websocket', tiers: ['websocket'], openWithin: 3000 });
    });

    it('short proxy_read_timeout (2 s) with the default 25 s heartbeat: idle connections are cut twice, then the client asks for heartbeats often enough and stays up', async function () {
      this.timeout(35000);
      const readTimeout = 2000;
      const { p, client, w } = await land(this, {
        name: 'nginx short-read-timeout (idle /echo)',
        query: `kind=nginx&config=short-read-timeout&readTimeout=${readTimeout}`,
        service: '/echo',
        tiers: ['websocket'],
        openWithin: 3000,
      });
      // A stream that is never idle that long is never cut: the ticks (every 100 ms) keep it alive.
      const busy = connect(p.url + '/stream');
      for (let cut = 1; cut <= 2; cut++) {
        const idleFrom = performance.now() - w.t0;
        // The server's heartbeat (25 s) is far above the proxy's timeout: the idle connection is cut.
        await waitFor(client, w, () => w.closes.length >= cut, readTimeout + 3000, `cut ${cut}`);
        const close = w.closes[cut - 1];
        assertEqual(close.willReconnect, true, 'close.willReconnect');
        assertEqual(close.code, 1006, 'close.code');
        // Default backoff: attempt n waits up to 2^(n-1) s (the backoff never resets: no connection stays up 10 s).
        await waitFor(client, w, () => w.connections.length > cut, 2 ** cut * 1000 + 3000, `reconnection ${cut}`);
        const again = w.connections[cut];
        assertEqual(again.transport, 'websocket', 'reconnected on');
        console.log(
          `[proxies] ${BROWSER} nginx short-read-timeout: cut ${cut} after ${ms(close.at - idleFrom)} idle (${close.code} ${close.reason}), ` +
            `open again ${ms(again.at - close.at)} later (reconnecting #${w.retries[cut - 1].attempt} in ${w.retries[cut - 1].delay} ms)`,
        );
        await echoRound(client, w, `after cut ${cut}`);
      }
      // Two cuts after the same idle time: the client asked the server for a heartbeat of half that
      // (h=1000), so the third connection outlives several read timeouts.
      const thirdAt = performance.now();
      await new Promise((resolve) => setTimeout(resolve, 3 * readTimeout));
      assertEqual(w.closes.length, 2, `cuts (the third connection lived ${ms(performance.now() - thirdAt)})`);
      await echoRound(client, w, 'after adapting');
      assertEqual(busy.w.closes.length, 0, 'closes of the busy /stream client');
      assertEqual(busy.w.connections.length, 1, 'connections of the busy /stream client');
      assertTicks(busy.w);
      if (busy.w.connections[0].ticks.length < 30) throw new Error(`busy stream: only ${busy.w.connections[0].ticks.length} ticks`);
    });
  });

  describe('fault proxy', function () {
    const faults = (f) => `kind=fault&faults=${encodeURIComponent(JSON.stringify(f))}`;

    for (const [lower, transports] of [
      ['xhr-streaming', undefined],
      ['polling', ['websocket', 'polling']],
      ['jsonp', ['websocket', 'jsonp']],
      ['iframe', ['websocket', 'iframe']],
    ]) {
      it(`re-upgrades from ${lower} to websocket once upgrades pass, without losing, repeating or reordering a message`, async function () {
        this.timeout(20000);
        const p = await proxy.call(this, faults({ refuseUpgrade: 403 }));
        const { client, w } = connect(p.url + '/stream', { upgradeInterval: 300, transports });
        const moves = [];
        client.on('transport', (event) => moves.push(event));
        await waitFor(client, w, () => w.connections.length > 0, 3000, 'open');
        assertEqual(w.connections[0].transport, lower, 'landed on');
        await waitFor(client, w, () => w.connections[0].ticks.length >= 5, 3000, 'ticks before the switch');
        const asked = performance.now();
        await setFaults(p, { refuseUpgrade: false });
        // Echoes in flight across the switch must come back in order too.
        const echoing = echoRound(client, w, 'across the switch', 50, 8000);
        await waitFor(client, w, () => client.transport === 'websocket', 5000, 'the re-upgrade');
        const movedAt = performance.now() - asked;
        await echoing;
        const ticksAtSwitch = w.connections[0].ticks.length;
        await waitFor(client, w, () => w.connections[0].ticks.length >= ticksAtSwitch + 10, 3000, 'ticks after the switch');
        await echoRound(client, w, 'after the switch');
        assertEqual(w.connections.length, 1, 'open events (the session never ended)');
        assertEqual(w.closes.length, 0, 'close events');
        assertTicks(w);
        const move = moves.find((m) => m.reason === 're-upgrade');
        assertEqual(move?.from, lower, 're-upgrade from');
        assertEqual(move?.to, 'websocket', 're-upgrade to');
        console.log(`[proxies] ${BROWSER} re-upgrade ${lower} → websocket ${ms(movedAt)} after upgrades passed again; ticks 1…${w.connections[0].ticks.length} on one session`);
      });
    }

    for (const lower of ['polling', 'jsonp']) {
      it(`${lower} under re-upgrade tries, with polls held back: every message once and in order`, async function () {
        // While a try is out, the client acknowledges only the position the candidate resumes from, and
        // each renewal rewinds there. A send answered as a poll (pollOnSend) rewinds to its `pos` too, so
        // its answer is read from there (read on from where the last poll left off, repeats came through
        // as new: the hanging tries below). A poll made during a try and held back (delayReceives) is
        // overtaken by the sends made once the try is given up: those carry the client's position only
        // once that poll is answered (before, the server could no longer rewind the poll, and its answer,
        // read from the frozen position, skipped what came between: the refused tries under bursts).
        this.timeout(20000);
        const p = await proxy.call(this, faults({ refuseUpgrade: 403 }));
        const { client, w } = connect(p.url + '/stream', { upgradeInterval: 10, transports: ['websocket', lower] });
        await waitFor(client, w, () => w.connections.length > 0, 3000, 'open');
        assertEqual(w.connections[0].transport, lower, 'landed on');
        // Each try now waits out its open timeout (~600 ms), and the next starts 10 ms after; polls reach
        // the server 80 ms late (a try given up and the next started may both come in that time).
        await setFaults(p, { refuseUpgrade: false, silentUpgrade: true, delayReceives: 80 });
        for (let round = 0; round < 20; round++) await echoRound(client, w, `round ${round}`, 1);
        // Then tries refused at once (a short freeze each) under bursts: a poll made during one, held
        // back, is overtaken by the sends made after it; its answer, a burst long, is read in full.
        await setFaults(p, { refuseUpgrade: 403, silentUpgrade: false });
        const from = w.echoes.length;
        const sent = [];
        for (let burst = 0; burst < 100; burst++) {
          for (let i = 0; i < 30; i++) {
            sent.push(`b${burst} ${i}`);
            client.send(`b${burst} ${i}`);
          }
          await new Promise((resolve) => setTimeout(resolve, 20));
        }
        await waitFor(client, w, () => w.echoes.length >= from + sent.length, 10000, `${sent.length} echoes of the bursts (got ${w.echoes.length - from})`);
        w.echoes.slice(from).forEach((text, i) => assertEqual(text, sent[i], `echo ${i} of the bursts`));
        assertEqual(client.transport, lower, 'tier');
        assertEqual(w.connections.length, 1, 'open events (the session never ended)');
        assertEqual(w.closes.length, 0, 'close events');
        assertTicks(w);
        const { stats } = await admin('GET', `/proxy/${p.id}`);
        if (stats.upgrades < 2) throw new Error(`${stats.upgrades} upgrade tries: the test did not test`);
        console.log(`[proxies] ${BROWSER} ${lower} under re-upgrade tries, polls held 80 ms: 20 echoes one at a time (tries hanging), 100 bursts of 30 (tries refused), ticks 1…${w.connections[0].ticks.length} once each; ${stats.upgrades} tries, ${stats.delayed} polls held`);
      });
    }

    it('climbs past a tier above that keeps failing: upgrades refused throughout, jsonp → xhr-streaming once streams pass', async function () {
      this.timeout(20000);
      const p = await proxy.call(this, faults({ refuseUpgrade: 403, bufferBytes: 65536 }));
      // (No iframe: a re-upgrade to it first would make the climb two moves.)
      const transports = ['websocket', 'xhr-streaming', 'jsonp'];
      const { client, w } = connect(p.url + '/stream', { upgradeInterval: 300, remember: 0, transports });
      const moves = [];
      client.on('transport', (event) => moves.push(event));
      await waitFor(client, w, () => w.connections.length > 0, 5000, 'open');
      assertEqual(w.connections[0].transport, 'jsonp', 'landed on');
      const asked = performance.now();
      await setFaults(p, { bufferBytes: 0 });
      // Each try of WebSocket is refused; the next try goes to the next tier above.
      await waitFor(client, w, () => client.transport === 'xhr-streaming', 8000, 'the re-upgrade to xhr-streaming');
      const movedAt = performance.now() - asked;
      await echoRound(client, w, 'after the climb');
      assertEqual(w.connections.length, 1, 'open events (the session never ended)');
      assertTicks(w);
      const move = moves.find((m) => m.reason === 're-upgrade');
      assertEqual(`${move?.from} → ${move?.to}`, 'jsonp → xhr-streaming', 're-upgrade');
      const { stats } = await admin('GET', `/proxy/${p.id}`);
      if (stats.refused < 2) throw new Error(`${stats.refused} upgrades refused: WebSocket was not tried before and after`);
      console.log(`[proxies] ${BROWSER} re-upgrade past a refused WebSocket: jsonp → xhr-streaming ${ms(movedAt)} after streams passed; ${stats.refused} upgrades refused`);
    });

    it('WebSocket upgrades refused (403) → xhr-streaming, quickly', async function () {
      const { first } = await land(this, { name: 'fault refuseUpgrade 403', query: faults({ refuseUpgrade: 403 }), tiers: ['xhr-streaming'], openWithin: 3000 });
      // A refusal is an answer: no open timeout to wait out.
      if (first.at > 900) throw new Error(`open took ${ms(first.at)}`);
    });

    it('silent upgrade (101, then nothing) → the WebSocket open timeout, then xhr-streaming', async function () {
      const { first } = await land(this, { name: 'fault silentUpgrade', query: faults({ silentUpgrade: true }), tiers: ['xhr-streaming'], openWithin: 5000 });
      const ws = first.attempts[0];
      assertEqual(ws.transport, 'websocket', 'first attempt');
      const timeout = Number(/^timed out after (\d+) ms$/.exec(ws.reason)?.[1]);
      if (!timeout) throw new Error(`websocket: ${JSON.stringify(ws)}, expected a timeout`);
      // openTimeout(): max(option timeout 500, (300 + rtt) × 2 round trips), about 610 ms on loopback.
      if (timeout < 500 || timeout > 1000) throw new Error(`websocket open timeout ${timeout} ms`);
      // The issue's target: open within 1 s behind any hostile path.
      if (first.at > 1000) throw new Error(`open took ${ms(first.at)}`);
      if (ws.time < timeout - 20 || ws.time > timeout + 500) throw new Error(`websocket gave up after ${ws.time} ms, timeout ${timeout} ms`);
    });

    it('a buffering proxy (64 KiB) without WebSocket: streaming tiers deliver nothing → jsonp/polling', async function () {
      // The fault proxy pipes upgraded connections raw (bufferBytes applies to HTTP responses only), so
      // a buffering proxy that also passes WebSocket would simply land on websocket: refuse upgrades,
      // as a buffering proxy of that kind (nginx's default config) does.
      const { first } = await land(this, {
        name: 'fault bufferBytes 64 KiB + refuseUpgrade 400',
        query: faults({ bufferBytes: 65536, refuseUpgrade: 400 }),
        tiers: FAST_TIERS,
        openWithin: 8000,
      });
      // One stream times out, the other is skipped as buffered.
      if (first.at > 1000) throw new Error(`open took ${ms(first.at)}`);
    });

    it('100 ms latency each way → websocket, everything in order', async function () {
      await land(this, { name: 'fault latency 100 ms', query: faults({ latency: 100 }), tiers: ['websocket'], openWithin: 5000 });
    });

    it('every connection killed after 3 s: after two kills the client leaves WebSocket for streams renewed before the kill', async function () {
      this.timeout(40000);
      const { client, w } = await land(this, { name: 'fault killAfter 3000', query: faults({ killAfter: 3000 }), tiers: ['websocket'], openWithin: 3000 });
      // Two more connections. Default backoff: up to 1 s, then up to 2 s (it never resets: no
      // connection lives the 10 s of stableAfter), so the third opens within ~3 + 1 + 3 + 2 s.
      for (let n = 2; n <= 3; n++) {
        await waitFor(client, w, () => w.connections.length >= n, 3000 + 2 ** (n - 2) * 1000 + 3000, `connection ${n}`);
        await echoRound(client, w, `connection ${n}`);
        await waitFor(client, w, () => w.connections[n - 1].ticks.length >= 5, 3000, `ticks on connection ${n}`);
      }
      assertTicks(w);
      const lives = w.closes.map((c, i) => c.at - w.connections[i].at);
      w.closes.forEach((c) => assertEqual(c.willReconnect, true, 'close.willReconnect'));
      for (const life of lives) if (life < 2000 || life > 4000) throw new Error(`a connection lived ${ms(life)} (killAfter 3000)`);
      // Two connections killed at the same age: WebSocket (which cannot be renewed before the kill) is
      // left, and streaming responses are asked to end at half that age, so nothing is killed any more.
      assertEqual(w.connections[2].transport, 'xhr-streaming', 'third connection');
      await new Promise((resolve) => setTimeout(resolve, 7000));
      assertEqual(w.closes.length, 2, 'kills after adapting');
      await echoRound(client, w, 'after adapting');
      assertTicks(w);
      const gaps = w.closes.map((c, i) => w.connections[i + 1].at - c.at);
      // Printed, not asserted: the backoff's attempt count only starts over after stableAfter (10 s) open, so
      // behind a proxy that kills every connection sooner the possible delay doubles at each reconnection.
      console.log(
        `[proxies] ${BROWSER} fault killAfter 3000: connections lived ${lives.map(ms).join(', ')}; reopened after ${gaps.map(ms).join(', ')} ` +
          `(${w.connections.map((c) => `${c.transport}: ${c.ticks.length} ticks`).join(', ')}); ` +
          `reconnecting ${w.retries.map((r) => `#${r.attempt} in ${r.delay} ms`).join(', ')}`,
      );
    });

    for (const [tier, query, cutAfterBytes] of [
      // WebSocket: frames after the 101: 'o', 10 ticks of ~14 bytes and the echo round (~500 bytes) during
      // the first check (~640 bytes), then ~14 bytes per tick: cut ~1 s later. Every byte counts: an echo
      // round larger than what is left of the budget is cut (and lost) with its connection.
      ['websocket', {}, 800],
      // xhr-streaming: the 2 KiB prelude counts too (~2680 bytes after the first check); under the
      // server's 4096-byte response limit, so the proxy cuts before the server would end the response.
      ['xhr-streaming', { refuseUpgrade: 403 }, 3000],
    ]) {
      it(`a ${tier} stream cut mid-way (after ${cutAfterBytes} bytes): the client reconnects and delivers again`, async function () {
        const { client, w } = await land(this, {
          name: `fault cutAfterBytes ${cutAfterBytes} (${tier})`,
          query: faults({ ...query, cutAfterBytes }),
          tiers: [tier],
          openWithin: 3000,
        });
        await waitFor(client, w, () => w.closes.length >= 1, 8000, 'the cut');
        assertEqual(w.closes[0].willReconnect, true, 'close.willReconnect');
        await waitFor(client, w, () => w.connections.length >= 2, 4000, 'the reconnection');
        assertEqual(w.connections[1].transport, tier, 'reconnected on');
        // Short messages (~300 bytes in all): the new connection's budget holds them and ~30 ticks more.
        await echoRound(client, w, 'x');
        await waitFor(client, w, () => w.connections[1].ticks.length >= 3, 3000, 'ticks after the cut');
        assertTicks(w);
        const c = w.closes[0];
        console.log(
          `[proxies] ${BROWSER} fault cutAfterBytes ${cutAfterBytes} (${tier}): cut after ${w.connections[0].ticks.length} ticks ` +
            `(${c.code} ${c.reason}), open again ${ms(w.connections[1].at - c.at)} later`,
        );
      });
    }
  });

  describe('mid-session changes', function () {
    it('a stream that starts buffering: the liveness check leaves it (1 s server heartbeat + 1 s), the client lands on a tier that works', async function () {
      // The client only notices a silent stream by its liveness check: heartbeat delay + heartbeatTimeout
      // (25 s + 10 s by default; 1 s + 10 s with this server). heartbeatTimeout: 1000 keeps it to ~2 s.
      const { p, client, w } = await land(this, {
        name: 'mid-session buffering (start)',
        query: 'kind=fault&heartbeat=1000',
        options: { transports: ['xhr-streaming', 'jsonp', 'polling'], heartbeatTimeout: 1000 },
        tiers: ['xhr-streaming'],
        openWithin: 3000,
      });
      const started = performance.now() - w.t0;
      await setFaults(p, { bufferBytes: 65536 });
      await waitFor(client, w, () => w.closes.length >= 1, 5000, 'the client giving up on the silent stream');
      const close = w.closes[0];
      assertEqual(close.willReconnect, true, 'close.willReconnect');
      if (!/^No heartbeat for \d+ ms$/.test(close.reason)) throw new Error(`close.reason ${JSON.stringify(close.reason)}`);
      await waitFor(client, w, () => w.connections.length >= 2, 6000, 'the reconnection');
      const again = w.connections[1];
      // It starts from the tier that worked last (xhr-streaming), which times out behind the buffer.
      if (!FAST_TIERS.includes(again.transport)) throw new Error(`reconnected on ${again.transport} (${describeAttempts(again.attempts)})`);
      await echoRound(client, w, 'after buffering');
      await waitFor(client, w, () => again.ticks.length >= 5, 3000, 'ticks after buffering');
      assertTicks(w);
      console.log(
        `[proxies] ${BROWSER} mid-session buffering: silent stream left ${ms(close.at - started)} after the change (${close.reason}); ` +
          `open again on ${again.transport} ${ms(again.at - close.at)} later; ${describeAttempts(again.attempts)}`,
      );
    });

    it('a proxy that starts killing every connection after 2 s: the client recovers each time', async function () {
      const { p, client, w } = await land(this, { name: 'mid-session killAfter (start)', query: 'kind=fault', tiers: ['websocket'], openWithin: 3000 });
      const started = performance.now() - w.t0;
      await setFaults(p, { killAfter: 2000 });
      await waitFor(client, w, () => w.closes.length >= 1, 4000, 'the kill');
      await waitFor(client, w, () => w.connections.length >= 2, 4000, 'the reconnection');
      await echoRound(client, w, 'after the kill');
      await waitFor(client, w, () => w.connections[1].ticks.length >= 5, 3000, 'ticks after the kill');
      // The network heals: the connection stays.
      await setFaults(p, { killAfter: 0 });
      const healed = w.connections.length;
      await waitFor(client, w, () => w.connections[w.connections.length - 1].ticks.length >= 25, 6000, '25 ticks on one connection after healing');
      if (w.connections.length > healed + 1) throw new Error(`${w.connections.length - healed} reconnections after the kills stopped`);
      assertTicks(w);
      const c = w.closes[0];
      console.log(
        `[proxies] ${BROWSER} mid-session killAfter 2000: killed ${ms(c.at - started)} after the change (${c.code} ${c.reason}), ` +
          `open again on ${w.connections[1].transport} ${ms(w.connections[1].at - c.at)} later`,
      );
    });
  });

  describe('a slow link', function () {
    // One message longer in coming than the liveness wait (the server's 500 ms heartbeat +
    // heartbeatTimeout 500 ms): paced at 64 KiB/s, the 96 KiB echo takes ~1.5 s, the heartbeats queued
    // behind it. The first connection hears nothing for 1 s and is dropped; each silent drop doubles
    // the wait of the next connections until a frame is heard, so the resumed session's next
    // connection (2 s) hears it. With a fixed wait it would be cut, and resent, for ever. On
    // xhr-streaming the reader sees the frame's bytes come, and nothing is dropped.
    for (const tier of ['websocket', 'xhr-streaming', 'iframe', 'jsonp', 'polling']) {
      it(`on ${tier}: a message longer in coming than the liveness wait arrives, once${tier === 'iframe' ? ' (on jsonp)' : ''}, on the resumed session`, async function () {
        const p = await proxy.call(this, 'kind=fault&heartbeat=500');
        // (A WebSocket alone reads no /info, and would not know the server's heartbeat: polling listed
        // after it. A forever-iframe's cuts are silent, so its silence does not lengthen the wait: the
        // session moves below the streaming tiers, to jsonp here, where it does.)
        const transports = { websocket: [tier, 'polling'], iframe: [tier, 'jsonp'] }[tier] ?? [tier];
        const lands = tier === 'iframe' ? 'jsonp' : tier;
        const { client, w } = connect(p.url + '/echo', { transports, heartbeatTimeout: 500, reconnectDelay: 50, remember: 0 });
        await waitFor(client, w, () => w.connections.length > 0, 5000, 'open');
        await setFaults(p, { rate: 65536 });
        const started = performance.now();
        const long = 'x'.repeat(96 * 1024);
        client.send(long);
        await waitFor(client, w, () => w.echoes.length >= 1, 12000, 'the long echo');
        const took = performance.now() - started;
        await setFaults(p, { rate: 0 });
        await echoRound(client, w, 'after');
        assertEqual(w.echoes.length, 1 + ECHOES, 'echoes (the long one once, then the round)');
        assertEqual(w.echoes[0] === long, true, 'the long echo whole');
        // The watchdog and a held poll's timeout (jsonp, polling) fire at the same time: either may drop it.
        const dropped = w.closes.filter((c) => /^(No heartbeat for|poll failed: timed out after) \d+ ms$/.test(c.reason));
        const last = w.connections[w.connections.length - 1];
        assertEqual(last.transport, lands, 'the tier');
        if (tier === 'xhr-streaming') {
          // Its reader sees the long frame's bytes coming: signs of life, no drop at all.
          assertEqual(JSON.stringify(w.closes), '[]', 'closes');
          assertEqual(w.connections.length, 1, 'connections');
        } else {
          if (dropped.length < 1) throw new Error(`no silent drop: the link was not slow enough to test anything (${state(client, w)})`);
          assertEqual(last.resumed, true, 'the last connection resumed the session');
        }
        console.log(
          `[proxies] ${BROWSER} slow link (${tier}, 64 KiB/s): 96 KiB echo in ${ms(took)}, after ${dropped.length} silent drop(s): ` +
            dropped.map((c) => c.reason).join('; '),
        );
      });
    }
  });

  describe('stock sockjs server', function () {
    const sockjs = (query) => `${query}&upstream=sockjs`;

    it('nginx default config → a polling tier (no X-Accel-Buffering: nginx buffers every stream)', async function () {
      await land(this, { name: 'sockjs server, nginx default', query: sockjs('kind=nginx&config=default'), tiers: FAST_TIERS, openWithin: 8000 });
    });

    it('WebSocket upgrades refused (403) → xhr-streaming', async function () {
      const query = sockjs(`kind=fault&faults=${encodeURIComponent(JSON.stringify({ refuseUpgrade: 403 }))}`);
      await land(this, { name: 'sockjs server, refuseUpgrade 403', query, tiers: ['xhr-streaming'], openWithin: 3000 });
    });

    it('a buffering proxy (64 KiB) without WebSocket → jsonp/polling', async function () {
      const query = sockjs(`kind=fault&faults=${encodeURIComponent(JSON.stringify({ bufferBytes: 65536, refuseUpgrade: 400 }))}`);
      await land(this, { name: 'sockjs server, bufferBytes 64 KiB + refuseUpgrade 400', query, tiers: FAST_TIERS, openWithin: 8000 });
    });
  });
});
