// What the client learns of the network, driven through fake tiers: memory across
// clients (localStorage), stream-sense, and adapting to proxies that kill requests.
import { createCoreClient } from '../../dist/cometkit.mjs';
import { assertEqual, until } from '../browser/support/echo.js';

const BASE = 'https://push.example/learn';
// The tuning part of a connection's receiving query (the resume position aside).
const tuning = (ctx) => ctx.tune().replace(/&pos=\d+/, '');
const TUNABLE = () => Promise.resolve({ websocket: true, cors: true, rtt: 1, cometkit: { version: 1, tune: true, heartbeat: 25000 } });

/** A tier whose connections the test drives; `behaviour(conn)` runs inside connect(). */
function fakeTier(name, { stream = false, probe, behaviour } = {}) {
  const connections = [];
  const tier = {
    name,
    roundTrips: 1,
    stream,
    unsupported: () => '',
    connect(ctx, sink) {
      const conn = { ctx, sink };
      connections.push(conn);
      behaviour?.(conn);
      return { send() {}, close() {} };
    },
  };
  if (probe) tier.probe = probe;
  return { tier, connections };
}

const opens = (conn) => setTimeout(() => conn.sink.frame('o'));
const fails = (conn) => setTimeout(() => conn.sink.close('refused'));

function opened(client) {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('no open')), 3000);
    client.on('open', (event) => {
      clearTimeout(timer);
      resolve(event);
    });
  });
}

/** Two connections of `ws` in turn, each busy (a heartbeat every 200 ms) and then `cut(conn, n)` at ~1.2 s of age. */
async function cutTwiceAtTheSameAge(client, ws, cut) {
  for (let n = 1; n <= 2; n++) {
    await until(() => client.state === 'open' && ws.connections.length === n, 3000, `connection ${n}`);
    const conn = ws.connections[n - 1];
    const beat = setInterval(() => conn.sink.frame('h'), 200);
    await new Promise((resolve) => setTimeout(resolve, 1200));
    clearInterval(beat);
    cut(conn, n);
  }
}

describe('learning the network', function () {
  let clients = [];
  const make = (options) => {
    const client = createCoreClient(BASE, options);
    clients.push(client);
    return client;
  };
  afterEach(function () {
    for (const client of clients) client.close();
    clients = [];
  });

  it('starts the next client on the tier that worked and tries the one that failed last', async function () {
    const a = fakeTier('websocket', { probe: TUNABLE, behaviour: fails });
    const b = fakeTier('xhr-streaming', { behaviour: opens });
    const c = fakeTier('jsonp', { behaviour: opens });
    const first = make({ transports: [a.tier, b.tier, c.tier] });
    assertEqual((await opened(first)).transport, 'xhr-streaming', 'first client');
    first.close();
    const second = make({ transports: [a.tier, b.tier, c.tier] });
    assertEqual((await opened(second)).transport, 'xhr-streaming', 'second client');
    assertEqual(second.diagnostics()[0].transport, 'xhr-streaming', 'tried first');
    assertEqual(a.connections.length, 1, 'the failed tier is not tried again while another opens');
  });

  // A tier that times out goes last for the next page: unless the timer fired so late that the page
  // itself was busy (a heavy start-up holding the main thread), when the tier never had a fair chance.
  for (const [busy, remembered] of [[0, true], [800, false]]) {
    it(busy ? 'does not hold a timeout against a tier when the page was too busy to hear it' : 'holds a timeout against a tier on a page free to hear it', async function () {
      // Opens in 301 ms or times out (RTT 1 ms, one round trip, no floor); `busy` ms of main thread
      // taken right after it started push the timer late by about that much.
      const silent = fakeTier('websocket', {
        probe: TUNABLE,
        behaviour: () =>
          busy &&
          setTimeout(() => {
            const end = performance.now() + busy;
            while (performance.now() < end);
          }),
      });
      // Opens for the first client (which remembers it as the tier that worked), fails for the second.
      const b = fakeTier('xhr-streaming', { behaviour: (conn) => (b.connections.length == 1 ? opens : fails)(conn) });
      const c = fakeTier('jsonp', { behaviour: opens });
      const transports = [silent.tier, b.tier, c.tier];
      const first = make({ transports, timeout: 0 });
      assertEqual((await opened(first)).transport, 'xhr-streaming', 'first client');
      assertEqual(first.diagnostics()[0].reason, 'timed out after 301 ms', 'first attempt');
      first.close();
      // The tier that worked goes first; then the others in their order, a tier held as failed last.
      const second = make({ transports, timeout: 0 });
      assertEqual((await opened(second)).transport, 'jsonp', 'second client');
      const tried = second.diagnostics().map((a) => a.transport).join(' ');
      assertEqual(tried, remembered ? 'xhr-streaming jsonp' : 'xhr-streaming websocket jsonp', 'tried by the next client');
    });
  }

  it('gives a tier its time once more when the page was too busy to hear it: an open that waited behind the busy page counts', async function () {
    // Opens in 301 ms or times out (RTT 1 ms, one round trip, no floor). Its open frame comes at 400 ms,
    // while 800 ms of main thread are taken: the timeout, due first, runs first once the page is free.
    const late = fakeTier('websocket', {
      probe: TUNABLE,
      behaviour: (conn) => {
        setTimeout(() => {
          const end = performance.now() + 800;
          while (performance.now() < end);
        });
        setTimeout(() => conn.sink.frame('o'), 400);
      },
    });
    const other = fakeTier('xhr-streaming', { behaviour: opens });
    const client = make({ transports: [late.tier, other.tier], timeout: 0 });
    assertEqual((await opened(client)).transport, 'websocket', 'opened on');
    assertEqual(other.connections.length, 0, 'the next tier was not tried');
    assertEqual(client.diagnostics().map((a) => `${a.transport} ${a.outcome}`).join(', '), 'websocket open', 'attempts');
  });

  it('keeps nothing with remember: 0', async function () {
    const a = fakeTier('websocket', { probe: TUNABLE, behaviour: fails });
    const b = fakeTier('xhr-streaming', { behaviour: opens });
    const first = make({ transports: [a.tier, b.tier], remember: 0 });
    await opened(first);
    first.close();
    const second = make({ transports: [a.tier, b.tier], remember: 0 });
    await opened(second);
    assertEqual(second.diagnostics()[0].transport, 'websocket', 'tried first');
  });

  // As a later version of the memory could leave it (then rolled back within the hour it is kept):
  // taken as this code wrote it, its `bad` not a list threw in the negotiation, and the client never opened.
  it('takes a memory of another shape as none', async function () {
    localStorage.setItem(`cometkit ${BASE}`, JSON.stringify({ until: Date.now() + 60000, good: 'jsonp', bad: { websocket: 1 }, h: 0, ttl: 0 }));
    try {
      const a = fakeTier('websocket', { probe: TUNABLE, behaviour: opens });
      const b = fakeTier('jsonp', { behaviour: opens });
      const client = make({ transports: [a.tier, b.tier] });
      assertEqual((await opened(client)).transport, 'websocket', 'opened on');
    } finally {
      localStorage.removeItem(`cometkit ${BASE}`);
    }
  });

  it('skips the other streaming tiers once one times out without a byte', async function () {
    const silent = fakeTier('xhr-streaming', { stream: true, probe: TUNABLE });
    const other = fakeTier('iframe', { stream: true, behaviour: opens });
    const last = fakeTier('jsonp', { behaviour: opens });
    const client = make({ transports: [silent.tier, other.tier, last.tier], timeout: 0 });
    assertEqual((await opened(client)).transport, 'jsonp', 'landed on');
    const [stream, iframe] = client.diagnostics();
    assertEqual(stream.outcome, 'failed', 'silent stream');
    assertEqual(iframe.outcome, 'skipped', 'other stream');
    assertEqual(iframe.reason, 'streams are buffered on this path', 'reason');
    assertEqual(other.connections.length, 0, 'the other stream is never connected');
  });

  it('asks for heartbeats twice as often after two connections cut after the same idle time', async function () {
    this.timeout(10000);
    const ws = fakeTier('websocket', { probe: TUNABLE, behaviour: opens });
    const client = make({ transports: [ws.tier], retry: () => 0 });
    for (let n = 1; n <= 2; n++) {
      await until(() => client.state === 'open' && ws.connections.length === n, 3000, `connection ${n}`);
      // Idle for ~1.2 s, then cut, as a proxy with an idle timeout does.
      await new Promise((resolve) => setTimeout(resolve, 1200));
      ws.connections[n - 1].sink.close('cut');
    }
    await until(() => ws.connections.length === 3, 3000, 'connection 3');
    const h = Number(/&h=(\d+)/.exec(tuning(ws.connections[2].ctx))?.[1]);
    // Half of the ~1.2 s idle time, but never under the 1000 ms floor.
    if (h !== 1000) throw new Error(`tune ${JSON.stringify(tuning(ws.connections[2].ctx))}, expected h=1000`);
    assertEqual(tuning(ws.connections[0].ctx), '', 'no tuning before the cuts');
  });

  it('takes no cut while the browser is offline for a proxy\'s', async function () {
    this.timeout(10000);
    const ws = fakeTier('websocket', { probe: TUNABLE, behaviour: opens });
    const stream = fakeTier('xhr-streaming', { stream: true, behaviour: opens });
    const client = make({ transports: [ws.tier, stream.tier], retry: () => 0 });
    try {
      // As a proxy's kills would look, but the browser went offline (the second cut comes without the
      // offline event, as a connection may fail before it).
      await cutTwiceAtTheSameAge(client, ws, (conn, n) => {
        Object.defineProperty(navigator, 'onLine', { configurable: true, get: () => false });
        if (n == 1) window.dispatchEvent(new Event('offline'));
        else conn.sink.close('network gone');
        delete navigator.onLine;
        window.dispatchEvent(new Event('online'));
      });
      await until(() => ws.connections.length === 3, 3000, 'connection 3');
    } finally {
      delete navigator.onLine;
    }
    assertEqual(tuning(ws.connections[2].ctx), '', 'tuning after the cuts');
    assertEqual(stream.connections.length, 0, 'connections on xhr-streaming');
  });

  it('leaves WebSocket and asks for short-lived streams after two connections cut at the same age', async function () {
    this.timeout(10000);
    const ws = fakeTier('websocket', { probe: TUNABLE, behaviour: opens });
    const stream = fakeTier('xhr-streaming', { stream: true, behaviour: opens });
    const client = make({ transports: [ws.tier, stream.tier], retry: () => 0 });
    await cutTwiceAtTheSameAge(client, ws, (conn) => conn.sink.close('killed'));
    await until(() => client.state === 'open' && client.transport === 'xhr-streaming', 3000, 'open on xhr-streaming');
    const ttl = Number(/&ttl=(\d+)/.exec(tuning(stream.connections[0].ctx))?.[1]);
    if (ttl !== 1000) throw new Error(`tune ${JSON.stringify(tuning(stream.connections[0].ctx))}, expected ttl 1000 (half of 1.2 s, at least 1000)`);
  });

  it('sends no tuning to a server that does not advertise it', async function () {
    const ws = fakeTier('websocket', { probe: () => Promise.resolve({ websocket: true, cors: true, rtt: 1 }), behaviour: opens });
    const client = make({ transports: [ws.tier] });
    await opened(client);
    assertEqual(tuning(ws.connections[0].ctx), '', 'tune');
  });
});
