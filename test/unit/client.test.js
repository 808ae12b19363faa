// The client's state machine, driven through fake tiers passed to createCoreClient:
// each fake records what the client asks of it and lets the test play the server.
import { NegotiationError, createCoreClient } from '../../dist/cometkit.mjs';
import { assertEqual, until } from '../browser/support/echo.js';
import { assert, assertJson, catchingAsyncThrow, json, nextEvent, tick } from '../browser/support/assert.js';
import { seeded } from '../browser/support/random.js';

// Never contacted: every tier here is a fake.
const BASE = 'https://push.example/svc';

/**
 * A tier whose connections the test drives. `onConnect(conn)` runs inside connect();
 * each connection records the batches sent to it and the `notify` of each close().
 */
function fakeTier(name, { roundTrips = 1, probe, unsupported = '', onConnect } = {}) {
  const connections = [];
  const tier = {
    name,
    roundTrips,
    unsupported: () => unsupported,
    connect(ctx, sink) {
      const conn = { ctx, sink, at: Date.now(), batches: [], closes: [] };
      connections.push(conn);
      onConnect?.(conn);
      return {
        send: (messages) => conn.batches.push([...messages]),
        close: (notify) => conn.closes.push(notify),
      };
    },
  };
  if (probe) tier.probe = probe;
  return { tier, connections };
}

/** Opens each connection of the tier on the next macrotask, as a network would. */
const opensLater = (conn) => setTimeout(() => conn.sink.frame('o'));
/** Fails each connection of the tier on the next macrotask with `reason`. */
const failsLater = (reason) => (conn) => setTimeout(() => conn.sink.close(reason));

const probeWith = (info) => () => Promise.resolve({ websocket: true, cors: true, ...info });


/** Every event of the client, in order, as `{ type, ...payload }`. */
function record(client) {
  const log = [];
  for (const type of ['open', 'message', 'close', 'reconnecting', 'transport', 'error']) {
    client.on(type, (event) => log.push({ type, ...event }));
  }
  return log;
}

function assertThrows(fn, Type, message, what) {
  try {
    fn();
  } catch (error) {
    assert(error instanceof Type, `${what}: expected a ${Type.name}, got ${error}`);
    assertEqual(error.message, message, `${what}: message`);
    return;
  }
  throw new Error(`${what}: did not throw`);
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** The longest delay a browser timer holds; beyond it, setTimeout fires at once. */
const MAX_DELAY = 2147483647;

/** Runs `fn` and returns the delays of the timers it set. */
function timerDelays(fn) {
  const delays = [];
  const real = window.setTimeout;
  window.setTimeout = (handler, ms, ...args) => (delays.push(ms), real(handler, ms, ...args));
  try {
    fn();
  } finally {
    window.setTimeout = real;
  }
  return delays;
}

describe('createCoreClient', function () {
  let clients = [];
  /**
   * createCoreClient, closed again after the test whatever happens. The client
   * starts negotiating on the next microtask (so handlers added right after
   * createCoreClient see every event): this resolves once it has.
   */
  async function connect(options, url = BASE) {
    const client = createCoreClient(url, options);
    clients.push(client);
    logs.set(client, record(client));
    await null;
    return client;
  }
  /** Every event since the client was created, for tests whose events may come before the first await returns. */
  const logs = new WeakMap();
  /** The first `type` event since creation, waiting for it if it has not come yet. */
  async function eventOf(client, type, ms = 2000) {
    const log = logs.get(client);
    await until(() => log.some((e) => e.type === type), ms, `a ${type} event`);
    const payload = { ...log.find((e) => e.type === type) };
    delete payload.type;
    return payload;
  }
  afterEach(function () {
    for (const client of clients) client.close();
    clients = [];
  });

  describe('opening', function () {
    it('emits open with the tier name and reports state and transport', async function () {
      const { tier, connections } = fakeTier('xhr-streaming');
      const client = await connect({ transports: [tier] });
      assertEqual(client.state, 'connecting', 'state before open');
      assertEqual(client.transport, null, 'transport before open');
      assertEqual(connections.length, 1, 'connect() calls');
      const opened = nextEvent(client, 'open');
      connections[0].sink.frame('o');
      assertJson(await opened, { transport: 'xhr-streaming', resumed: false }, 'open event');
      assertEqual(client.state, 'open', 'state');
      assertEqual(client.transport, 'xhr-streaming', 'transport');
    });

    it('gives each connect() the base without trailing slashes and a fresh session URL', async function () {
      const { tier, connections } = fakeTier('polling', { probe: probeWith({ rtt: 1 }), onConnect: failsLater('no') });
      const client = await connect({ transports: [tier], retry: (n) => (n < 2 ? 0 : null) }, BASE + '//');
      await until(() => client.state === 'closed', 2000, 'two failed negotiations');
      assertEqual(connections.length, 2, 'connect() calls');
      const [a, b] = connections.map((conn) => conn.ctx);
      assertEqual(a.base, BASE, 'ctx.base');
      assert(/^https:\/\/push\.example\/svc\/\d{3}\/[0-9a-z]{8}$/.test(a.session), `session URL ${a.session}`);
      assert(a.session !== b.session, 'each connect gets its own session');
      assertEqual(a.info.rtt, 1, 'ctx.info from the probe');
    });

    // The probe's 8 s are the client's, in every engine, its JSONP form included: a probe still out
    // then is ended (its signal aborted) and the walk goes on without /info.
    it('ends a probe still out after 8 s and walks the tiers without /info', async function () {
      let signal;
      const never = (base, given) => ((signal = given), new Promise(() => {}));
      const { tier, connections } = fakeTier('polling', { probe: never, onConnect: opensLater });
      // The 8 s made short: the only timer of 8000 ms the client sets.
      const real = window.setTimeout;
      const delays = [];
      window.setTimeout = (fn, ms, ...args) => (delays.push(ms), real(fn, ms === 8000 ? 0 : ms, ...args));
      try {
        const client = await connect({ transports: [tier] });
        assertEqual((await nextEvent(client, 'open')).transport, 'polling', 'open.transport');
      } finally {
        window.setTimeout = real;
      }
      assert(delays.includes(8000), `timer delays: ${json(delays)}`);
      assertEqual(signal.aborted, true, 'the probe signal aborted');
      assertEqual(connections[0].ctx.info, null, 'ctx.info');
    });

    it('gives a tier that never opens the timeout of 4·rtt·roundTrips once the rtt exceeds 100 ms', async function () {
      const { tier, connections } = fakeTier('websocket', { roundTrips: 2, probe: probeWith({ rtt: 200 }) });
      const client = await connect({ transports: [tier], timeout: 100, reconnect: false });
      const moved = nextEvent(client, 'transport', 4000);
      const failed = nextEvent(client, 'error', 4000);
      const event = await moved;
      const waited = Date.now() - connections[0].at;
      assertJson(event, { from: 'websocket', to: null, reason: 'timed out after 1600 ms' }, 'transport event');
      assert(waited >= 1590 && waited < 2500, `failed after ${waited} ms`);
      assertEqual(connections[0].closes.length, 1, 'the timed-out connection is closed');
      assertEqual((await failed).error.attempts[0].reason, 'timed out after 1600 ms', 'attempt reason');
    });

    it('gives a tier on a fast network (300 + rtt)·roundTrips when that exceeds the timeout option', async function () {
      const { tier, connections } = fakeTier('polling', { roundTrips: 2, probe: probeWith({ rtt: 10 }) });
      const client = await connect({ transports: [tier], timeout: 100, reconnect: false });
      const event = await nextEvent(client, 'transport', 3000);
      const waited = Date.now() - connections[0].at;
      assertEqual(event.reason, 'timed out after 620 ms', 'reason');
      assert(waited >= 610 && waited < 1500, `failed after ${waited} ms`);
    });

    it('gives a tier on a fast network the timeout option when that exceeds (300 + rtt)·roundTrips', async function () {
      const { tier } = fakeTier('polling', { roundTrips: 1, probe: probeWith({ rtt: 10 }) });
      const client = await connect({ transports: [tier], timeout: 450, reconnect: false });
      assertEqual((await nextEvent(client, 'transport', 3000)).reason, 'timed out after 450 ms', 'reason');
    });

    it('walks past an unsupported and a failing tier, says why at each step, and opens on the third', async function () {
      const a = fakeTier('websocket', { unsupported: 'not in this test' });
      const b = fakeTier('xhr-streaming', { probe: probeWith({ rtt: 1 }), onConnect: failsLater('refused') });
      const c = fakeTier('iframe', { onConnect: opensLater });
      const client = await connect({ transports: [a.tier, b.tier, c.tier] });
      const log = logs.get(client);
      await eventOf(client, 'open');
      assertJson(
        log,
        [
          { type: 'transport', from: 'websocket', to: 'xhr-streaming', reason: 'not in this test' },
          { type: 'transport', from: 'xhr-streaming', to: 'iframe', reason: 'refused' },
          { type: 'open', transport: 'iframe', resumed: false },
        ],
        'events',
      );
      assertEqual(a.connections.length, 0, 'the unsupported tier is not connected');
      const attempts = client.diagnostics();
      assertJson(
        attempts.map(({ transport, outcome, reason }) => ({ transport, outcome, reason })),
        [
          { transport: 'websocket', outcome: 'skipped', reason: 'not in this test' },
          { transport: 'xhr-streaming', outcome: 'failed', reason: 'refused' },
          { transport: 'iframe', outcome: 'open', reason: 'opened' },
        ],
        'diagnostics()',
      );
      for (const attempt of attempts) {
        assert(Number.isFinite(attempt.time) && attempt.time >= 0 && attempt.time < 1000, `time ${attempt.time}`);
      }
    });

    it('fails a tier whose first frame is not o', async function () {
      const a = fakeTier('websocket', { probe: probeWith({ rtt: 1 }), onConnect: (conn) => setTimeout(() => conn.sink.frame('h')) });
      const b = fakeTier('polling', { onConnect: opensLater });
      const client = await connect({ transports: [a.tier, b.tier] });
      assertEqual((await nextEvent(client, 'transport')).reason, 'unexpected first frame h', 'reason');
      await nextEvent(client, 'open');
      assertEqual(a.connections[0].closes.length, 1, 'the failed connection is closed');
    });

    it('emits a NegotiationError naming every tier when all of them fail, then closes', async function () {
      const a = fakeTier('websocket', { unsupported: 'no sockets' });
      const b = fakeTier('xhr-streaming', { probe: probeWith({ rtt: 1 }), onConnect: failsLater('refused') });
      const c = fakeTier('jsonp', { onConnect: failsLater('script error') });
      const client = await connect({ transports: [a.tier, b.tier, c.tier], reconnect: false });
      const log = record(client);
      const { error } = await nextEvent(client, 'error');
      assert(error instanceof NegotiationError, 'error is a NegotiationError');
      assertEqual(error.name, 'NegotiationError', 'error.name');
      assertJson(
        error.attempts.map(({ transport, outcome, reason }) => [transport, outcome, reason]),
        [
          ['websocket', 'skipped', 'no sockets'],
          ['xhr-streaming', 'failed', 'refused'],
          ['jsonp', 'failed', 'script error'],
        ],
        'attempts',
      );
      const pattern =
        /^All transports failed in \d+ ms: websocket skipped \(no sockets, \d+ ms\); xhr-streaming failed \(refused, \d+ ms\); jsonp failed \(script error, \d+ ms\)$/;
      assert(pattern.test(error.message), `message: ${error.message}`);
      assertJson(log.at(-1), { type: 'close', code: 2000, reason: 'All transports failed', willReconnect: false }, 'last event');
      assertEqual(log.filter((e) => e.type === 'close').length, 1, 'close events');
      assertEqual(client.state, 'closed', 'state');
      assertEqual(client.diagnostics().length, 3, 'diagnostics()');
    });

    it('stays closed when an error handler closes the client on a NegotiationError', async function () {
      const { tier, connections } = fakeTier('websocket', { onConnect: failsLater('refused') });
      const client = await connect({ transports: [tier], retry: () => 0 });
      client.on('error', () => client.close(4000, 'gave up'));
      const log = logs.get(client);
      await until(() => client.state === 'closed', 2000, 'closed');
      await sleep(50);
      assertJson(
        log.map((e) => (e.type == 'close' ? `close ${e.code} ${e.willReconnect}` : e.type)),
        ['transport', 'error', 'close 4000 false'],
        'events',
      );
      assertEqual(client.state, 'closed', 'state');
      assertEqual(connections.length, 1, 'connect() calls');
    });

    it('reports a negotiation that ends inside createCoreClient through events subscribed right after it', async function () {
      // Without a probe an unsupported-only walk needs no I/O: it must still wait for the caller to subscribe.
      const { tier } = fakeTier('websocket', { unsupported: 'no sockets' });
      const client = createCoreClient(BASE, { transports: [tier], reconnect: false });
      clients.push(client);
      const log = record(client);
      await tick();
      assertJson(
        log.map((e) => e.type),
        ['transport', 'error', 'close'],
        'events seen by handlers added right after createCoreClient returned',
      );
    });

    it('uses a tier that opens from inside connect()', async function () {
      const { tier, connections } = fakeTier('polling', {
        probe: probeWith({ rtt: 1 }),
        onConnect: (conn) => conn.sink.frame('o'),
      });
      const client = await connect({ transports: [tier] });
      await eventOf(client, 'open');
      client.send('hello');
      await tick();
      assertJson(connections[0].batches, [['hello']], 'batches sent to the connection');
      client.close();
      assertJson(connections[0].closes, [true], 'close() calls on the connection');
    });
  });

  describe('frames', function () {
    /** A client open on a fake tier, its event log and its connection. */
    async function openClient(options = {}) {
      const { tier, connections } = fakeTier('websocket');
      const client = await connect({ transports: [tier], ...options });
      const opened = nextEvent(client, 'open');
      connections[0].sink.frame('o');
      await opened;
      return { client, conn: connections[0], log: record(client), connections };
    }

    it('delivers the messages of an a-frame in order', async function () {
      const { conn, log } = await openClient();
      conn.sink.frame('a["one","two","three \\u2028 ż"]');
      conn.sink.frame('a["four"]');
      assertJson(
        log.map((e) => e.data),
        ['one', 'two', 'three \u2028 ż', 'four'],
        'messages',
      );
    });

    for (const bad of ['a[1', 'x', 'a[1,2]', 'c["x"]']) {
      it(`reports the malformed frame ${bad} as an error and goes on`, async function () {
        const { client, conn, log } = await openClient();
        conn.sink.frame(bad);
        conn.sink.frame('a["after"]');
        assertEqual(log.length, 2, `events: ${json(log)}`);
        assertEqual(log[0].type, 'error', 'first event');
        assertEqual(log[0].error.message, `Malformed frame: ${bad}`, 'error message');
        assertJson(log[1], { type: 'message', data: 'after' }, 'second event');
        assertEqual(client.state, 'open', 'state');
        assertEqual(conn.closes.length, 0, 'connection closes');
      });
    }

    it('takes 2,000 seeded random frames: each malformed one an error event, each good one delivered in order', async function () {
      const { client, conn, log } = await openClient();
      // Seeded, so a failure replays.
      const { next, pick } = seeded(7);
      const texts = ['', 'x', 'ż', '\u2028', '\ud800', '"', '\\', '</script>', 'a'.repeat(100), '\u0000', '😀', '[1]', 'c[3000,"x"]'];
      const good = () => Array.from({ length: Math.floor(next() * 4) }, () => pick(texts));
      // Each is malformed by construction, whatever the random parts.
      const malformed = [
        () => 'a' + JSON.stringify(good()).slice(0, -1),
        () => 'a' + JSON.stringify([...good(), pick([1, null, {}, []])]),
        () => pick(['x', 'b', 'A', 'C', 'K', '{', '[', ' ']) + JSON.stringify(good()),
        () => 'c' + JSON.stringify(pick([['x', 3000], [3000], [3000, 1], 'c', {}])),
        () => 'm' + JSON.stringify(pick([1, null, [1]])),
        () => 'k' + pick(['', '-1', '1.5', 'x', '1e3', '9'.repeat(16)]),
        () => pick(['', 'oo', 'hh', 'o ', 'h\n']),
      ];
      const expected = [];
      for (let i = 0; i < 2000; i++) {
        const r = next();
        if (r < 0.4) {
          const messages = good();
          conn.sink.frame('a' + JSON.stringify(messages));
          for (const data of messages) expected.push({ type: 'message', data });
        } else if (r < 0.45) {
          const data = pick(texts);
          conn.sink.frame('m' + JSON.stringify(data));
          expected.push({ type: 'message', data });
        } else if (r < 0.5) {
          conn.sink.frame(pick(['h', 'k0']));
        } else {
          const text = pick(malformed)();
          conn.sink.frame(text);
          expected.push({ type: 'error', message: `Malformed frame: ${text.slice(0, 64)}` });
        }
      }
      const seen = log.map((e) => (e.type === 'error' ? { type: 'error', message: e.error.message } : e));
      assertEqual(seen.length, expected.length, 'events');
      assertJson(seen, expected, 'events in order');
      assertEqual(client.state, 'open', 'state');
      assertEqual(conn.closes.length, 0, 'connection closes');
    });

    it('ignores h frames', async function () {
      const { client, conn, log } = await openClient();
      conn.sink.frame('h');
      assertEqual(log.length, 0, 'events');
      assertEqual(client.state, 'open', 'state');
    });

    it('drops with 1006 "Server lost session" on a second o frame and reconnects', async function () {
      const { client, conn, log } = await openClient({ reconnectDelay: 60000 });
      conn.sink.frame('o');
      assertJson(log[0], { type: 'close', code: 1006, reason: 'Server lost session', willReconnect: true }, 'close event');
      assertEqual(log[1].type, 'reconnecting', 'next event');
      assertEqual(client.state, 'reconnecting', 'state');
      assertJson(conn.closes, [false], 'close() calls on the connection');
    });

    it('closes for good on a c-frame with an application code', async function () {
      const { client, conn, log } = await openClient();
      conn.sink.frame('c[3000,"Go away!"]');
      assertJson(log, [{ type: 'close', code: 3000, reason: 'Go away!', willReconnect: false }], 'events');
      assertEqual(client.state, 'closed', 'state');
      assertEqual(client.transport, null, 'transport');
      assertEqual(conn.closes.length, 1, 'connection closes');
    });

    it('closes for good on a c-frame with code 1000', async function () {
      const { client, conn, log } = await openClient();
      conn.sink.frame('c[1000,"Normal closure"]');
      assertEqual(log[0].willReconnect, false, 'willReconnect');
      assertEqual(client.state, 'closed', 'state');
    });

    it('reconnects after a c-frame with protocol code 1002', async function () {
      const { client, conn, log } = await openClient({ reconnectDelay: 60000 });
      conn.sink.frame('c[1002,"Broken framing"]');
      assertJson(log[0], { type: 'close', code: 1002, reason: 'Broken framing', willReconnect: true }, 'close event');
      assertEqual(client.state, 'reconnecting', 'state');
    });

    it('delivers the next message after a message handler throws, and rethrows the error asynchronously', async function () {
      const { client, conn } = await openClient();
      const boom = new Error('handler failure');
      const received = [];
      client.on('message', ({ data }) => {
        received.push(data);
        if (data === 'one') throw boom;
      });
      const { seen, rethrownSynchronously } = await catchingAsyncThrow(boom, (seen) => {
        conn.sink.frame('a["one","two"]');
        conn.sink.frame('a["three"]');
        assertJson(received, ['one', 'two', 'three'], 'messages delivered');
        return seen.length;
      });
      assertEqual(rethrownSynchronously, 0, 'rethrown synchronously');
      assertEqual(seen.length, 1, 'error rethrown asynchronously, once');
      assertEqual(client.state, 'open', 'state');
    });

    it('delivers a message to every handler when one of them throws', async function () {
      const { client, conn } = await openClient();
      const boom = new Error('first handler failure');
      const second = [];
      client.on('message', () => {
        throw boom;
      });
      client.on('message', ({ data }) => second.push(data));
      const { seen } = await catchingAsyncThrow(boom, () => conn.sink.frame('a["one"]'));
      assertEqual(seen.length, 1, 'the first handler error rethrown asynchronously, once');
      assertJson(second, ['one'], 'messages seen by the second handler');
    });

    it('stops delivering the rest of a frame once a handler closes the client', async function () {
      const { client, conn } = await openClient();
      const received = [];
      client.on('message', ({ data }) => {
        received.push(data);
        client.close();
      });
      conn.sink.frame('a["one","two"]');
      assertJson(received, ['one'], 'messages');
    });
  });

  describe('sending', function () {
    it('queues sends made before open and delivers them in order, in one batch, on open', async function () {
      const { tier, connections } = fakeTier('websocket');
      const client = await connect({ transports: [tier] });
      client.send('first');
      await tick();
      client.send('second');
      client.send('third');
      await tick();
      assertEqual(connections[0].batches.length, 0, 'batches before open');
      connections[0].sink.frame('o');
      await tick();
      assertJson(connections[0].batches, [['first', 'second', 'third']], 'batches');
    });

    it('hands the sends of one tick to the tier as one batch', async function () {
      const { tier, connections } = fakeTier('websocket');
      const client = await connect({ transports: [tier] });
      connections[0].sink.frame('o');
      client.send('a');
      client.send('b');
      client.send('c');
      assertEqual(connections[0].batches.length, 0, 'batches within the tick');
      await tick();
      client.send('d');
      await tick();
      assertJson(connections[0].batches, [['a', 'b', 'c'], ['d']], 'batches');
    });

    it('delivers 1,000 rapid sends in order in fewer send() calls than messages', async function () {
      const { tier, connections } = fakeTier('websocket');
      const client = await connect({ transports: [tier] });
      connections[0].sink.frame('o');
      const sent = [];
      for (let i = 0; i < 1000; i++) {
        sent.push(`m${i}`);
        client.send(`m${i}`);
        if (i % 7 === 6) await null;
      }
      await tick();
      const { batches } = connections[0];
      assertJson(batches.flat(), sent, 'messages in send() calls');
      assert(batches.length > 1 && batches.length < 1000, `${batches.length} send() calls`);
    });

    it('throws on send() after close', async function () {
      const { tier } = fakeTier('websocket');
      const client = await connect({ transports: [tier] });
      client.close();
      assertThrows(() => client.send('late'), Error, 'cometkit: send() on a closed client', 'send after close');
    });

    it('throws a TypeError on send() of a non-string', async function () {
      const { tier } = fakeTier('websocket');
      const client = await connect({ transports: [tier] });
      assertThrows(() => client.send(42), TypeError, 'cometkit: send() takes a string and an optional callback', 'send(42)');
    });
  });

  describe('closing', function () {
    it('emits close once, tells the tier with notify and ignores the tier afterwards', async function () {
      const { tier, connections } = fakeTier('websocket');
      const client = await connect({ transports: [tier] });
      connections[0].sink.frame('o');
      const log = record(client);
      client.close(4000, 'bye');
      assertJson(log, [{ type: 'close', code: 4000, reason: 'bye', willReconnect: false }], 'events');
      assertJson(connections[0].closes, [true], 'close() calls on the connection');
      assertEqual(client.state, 'closed', 'state');
      assertEqual(client.transport, null, 'transport');
      connections[0].sink.frame('a["late"]');
      connections[0].sink.frame('c[3000,"late"]');
      connections[0].sink.close('late');
      client.close();
      await sleep(50);
      assertEqual(log.length, 1, `events after close: ${json(log)}`);
      assertEqual(connections.length, 1, 'connect() calls');
    });

    it('closes with 1000 "Normal closure" by default', async function () {
      const { tier, connections } = fakeTier('websocket');
      const client = await connect({ transports: [tier] });
      connections[0].sink.frame('o');
      const log = record(client);
      client.close();
      assertJson(log, [{ type: 'close', code: 1000, reason: 'Normal closure', willReconnect: false }], 'events');
    });

    it('closes the connection a negotiation is waiting on', async function () {
      const { tier, connections } = fakeTier('websocket');
      const client = await connect({ transports: [tier] });
      client.close();
      assertEqual(connections[0].closes.length, 1, 'close() calls on the connecting connection');
    });

    const BAD_CLOSE = 'cometkit: close() takes a code of 1000 or 3000–4999 and a reason of up to 123 characters';
    for (const [args, label] of [
      [[1001], 'code 1001'],
      [[2999], 'code 2999'],
      [[5000], 'code 5000'],
      [[NaN], 'code NaN'],
      [[3000.5], 'code 3000.5'],
      [[Infinity], 'code Infinity'],
      [['1000'], "code '1000' (a string)"],
      [['3000'], "code '3000' (a string)"],
      [[1000, 'x'.repeat(124)], 'a 124-character reason'],
      [[1000, 42], 'a number as reason'],
    ]) {
      it(`throws a TypeError on close() with ${label} and stays open`, async function () {
        const { tier, connections } = fakeTier('websocket');
        const client = await connect({ transports: [tier] });
        connections[0].sink.frame('o');
        assertThrows(() => client.close(...args), TypeError, BAD_CLOSE, `close(${label})`);
        assertEqual(client.state, 'open', 'state');
        assertEqual(connections[0].closes.length, 0, 'connection closes');
      });
    }

    it('accepts code 4999 and a 123-character reason', async function () {
      const { tier } = fakeTier('websocket');
      const client = await connect({ transports: [tier] });
      client.close(4999, 'x'.repeat(123));
      assertEqual(client.state, 'closed', 'state');
    });
  });

  describe('reconnecting', function () {
    it('reconnects after the connection drops, within reconnectDelay', async function () {
      const { tier, connections } = fakeTier('websocket', { onConnect: opensLater });
      const client = await connect({ transports: [tier], reconnectDelay: 30 });
      await nextEvent(client, 'open');
      const log = record(client);
      const reopened = nextEvent(client, 'open');
      connections[0].sink.close('network gone');
      assertJson(log[0], { type: 'close', code: 1006, reason: 'network gone', willReconnect: true }, 'close event');
      assertEqual(log[1].type, 'reconnecting', 'next event');
      assertEqual(log[1].attempt, 1, 'attempt');
      assert(log[1].delay >= 0 && log[1].delay < 30, `delay ${log[1].delay}`);
      assertEqual(client.state, 'reconnecting', 'state');
      assertEqual(client.transport, null, 'transport');
      await reopened;
      assertEqual(connections.length, 2, 'connect() calls');
      assertEqual(client.state, 'open', 'state');
    });

    it('stops when retry returns null', async function () {
      const { tier, connections } = fakeTier('websocket', { onConnect: opensLater });
      const attempts = [];
      const client = await connect({ transports: [tier], retry: (n) => (attempts.push(n), null) });
      await nextEvent(client, 'open');
      const log = record(client);
      connections[0].sink.close('network gone');
      assertJson(log, [{ type: 'close', code: 1006, reason: 'network gone', willReconnect: false }], 'events');
      assertJson(attempts, [1], 'retry() calls');
      assertEqual(client.state, 'closed', 'state');
      assertThrows(() => client.send('x'), Error, 'cometkit: send() on a closed client', 'send after giving up');
    });

    it('closes, and rethrows asynchronously, when retry throws', async function () {
      const { tier, connections } = fakeTier('websocket', { onConnect: opensLater });
      const boom = new Error('retry failure');
      const client = await connect({
        transports: [tier],
        retry: () => {
          throw boom;
        },
      });
      await nextEvent(client, 'open');
      const log = record(client);
      // Thrown into the sink, it used to leave the client `open` on a dead connection, with no `close`.
      const { seen } = await catchingAsyncThrow(boom, () => connections[0].sink.close('network gone'));
      assertJson(log, [{ type: 'close', code: 1006, reason: 'network gone', willReconnect: false }], 'events');
      assertEqual(client.state, 'closed', 'state');
      assertEqual(seen.length, 1, 'error rethrown asynchronously, once');
    });

    it('leaves no timer behind when a reconnecting handler closes the client', async function () {
      const { tier, connections } = fakeTier('websocket', { onConnect: opensLater });
      const client = await connect({ transports: [tier], retry: () => 60000 });
      await eventOf(client, 'open');
      client.on('reconnecting', () => client.close());
      const delays = timerDelays(() => connections[0].sink.close('cut'));
      assertEqual(client.state, 'closed', 'state');
      assert(!delays.includes(60000), `timers set: ${json(delays)}`);
    });

    it('passes attempts 1, 2, 3 to retry on repeated failures', async function () {
      const { tier, connections } = fakeTier('websocket', { probe: probeWith({ rtt: 1 }), onConnect: failsLater('refused') });
      const attempts = [];
      const client = await connect({ transports: [tier], retry: (n) => (attempts.push(n), n <= 3 ? 0 : null) });
      const log = record(client);
      await until(() => client.state === 'closed', 3000, 'giving up');
      assertJson(attempts, [1, 2, 3, 4], 'retry() calls');
      assertJson(
        log.filter((e) => e.type === 'reconnecting').map((e) => e.attempt),
        [1, 2, 3],
        'reconnecting attempts',
      );
      assertEqual(log.filter((e) => e.type === 'error').length, 4, 'NegotiationErrors');
      assertJson(log.at(-1), { type: 'close', code: 2000, reason: 'All transports failed', willReconnect: false }, 'last event');
      assertEqual(connections.length, 4, 'connect() calls');
    });

    it('keeps backoff delays within [0, min(max, base·2^(n-1)))', async function () {
      this.timeout(15000);
      const { tier } = fakeTier('websocket', { probe: probeWith({ rtt: 1 }), onConnect: failsLater('refused') });
      const base = 3;
      const max = 50;
      const client = await connect({ transports: [tier], reconnectDelay: base, maxReconnectDelay: max });
      const events = [];
      client.on('reconnecting', (event) => events.push(event));
      await until(() => events.length >= 40, 10000, '40 reconnecting events');
      client.close();
      events.forEach(({ attempt, delay }, i) => {
        assertEqual(attempt, i + 1, 'attempt');
        const cap = Math.min(max, base * 2 ** (attempt - 1));
        assert(Number.isFinite(delay) && delay >= 0 && delay < cap, `attempt ${attempt}: delay ${delay} outside [0, ${cap})`);
      });
      const capped = events.filter((e) => e.attempt >= 6).map((e) => e.delay);
      assert(new Set(capped).size > 1, `jitter: capped delays ${json(capped)}`);
    });

    it('waits the delay it announces before reconnecting', async function () {
      const { tier, connections } = fakeTier('websocket', { probe: probeWith({ rtt: 1 }), onConnect: failsLater('refused') });
      const client = await connect({ transports: [tier], retry: (n) => (n === 1 ? 150 : null) });
      await nextEvent(client, 'reconnecting');
      const announced = Date.now();
      await until(() => connections.length === 2, 2000, 'the second connect()');
      const waited = Date.now() - announced;
      assert(waited >= 140, `reconnected after ${waited} ms`);
    });

    it('holds a retry delay beyond what a timer holds instead of reconnecting at once', async function () {
      const { tier, connections } = fakeTier('websocket', { onConnect: opensLater });
      const client = await connect({ transports: [tier], retry: () => Infinity });
      await nextEvent(client, 'open');
      const log = record(client);
      const delays = timerDelays(() => connections[0].sink.close('network gone'));
      assertJson(log.map((e) => e.type), ['close', 'reconnecting'], 'events');
      assertEqual(log[1].delay, Infinity, 'the delay announced is the one retry gave');
      assertJson(delays, [MAX_DELAY], 'timer delays');
      await tick();
      assertEqual(connections.length, 1, 'connect() calls');
      assertEqual(client.state, 'reconnecting', 'state');
    });

    it('starts the backoff over after stableAfter ms open', async function () {
      const { tier, connections } = fakeTier('websocket', { onConnect: opensLater });
      const client = await connect({ transports: [tier], retry: () => 0, stableAfter: 60 });
      const attempts = [];
      client.on('reconnecting', ({ attempt }) => attempts.push(attempt));
      await nextEvent(client, 'open');
      let reopened = nextEvent(client, 'open');
      connections[0].sink.close('drop 1');
      await reopened;
      reopened = nextEvent(client, 'open');
      connections[1].sink.close('drop 2');
      await reopened;
      // No event marks the reset: stay open past stableAfter, then drop.
      await sleep(150);
      connections[2].sink.close('drop 3');
      assertJson(attempts, [1, 2, 1], 'reconnecting attempts');
    });

    it('closes the connection a reconnection is waiting on when the browser comes back online', async function () {
      const { tier, connections } = fakeTier('websocket');
      const client = await connect({ transports: [tier], retry: () => 0 });
      connections[0].sink.frame('o');
      connections[0].sink.close('network gone');
      await until(() => connections.length === 2, 2000, 'the reconnection connect()');
      assertEqual(client.state, 'reconnecting', 'state while the reconnection is opening');
      window.dispatchEvent(new Event('online'));
      assertEqual(connections.length, 3, 'connect() calls');
      assertEqual(connections[1].closes.length, 1, 'close() calls on the abandoned connection');
    });

    describe('offline', function () {
      afterEach(function () {
        delete navigator.onLine;
      });

      /** No connect() while offline (retry delays are 0 here), then one inside the `online` event. */
      async function staysOfflineThenReconnects(connections) {
        await sleep(100);
        assertEqual(connections.length, 1, 'connect() calls while offline');
        delete navigator.onLine;
        window.dispatchEvent(new Event('online'));
        assertEqual(connections.length, 2, 'connect() calls right after online');
      }

      it('runs no reconnect timer while offline and reconnects at once on online', async function () {
        const { tier, connections } = fakeTier('websocket');
        const client = await connect({ transports: [tier], retry: () => 0 });
        connections[0].sink.frame('o');
        Object.defineProperty(navigator, 'onLine', { configurable: true, get: () => false });
        assertEqual(navigator.onLine, false, 'navigator.onLine override');
        const log = record(client);
        connections[0].sink.close('network gone');
        assertJson(log[1], { type: 'reconnecting', attempt: 1, delay: 0 }, 'reconnecting event');
        await staysOfflineThenReconnects(connections);
      });

      it('drops an open connection at once on offline, waits, and reconnects on online', async function () {
        const { tier, connections } = fakeTier('websocket');
        const client = await connect({ transports: [tier], retry: () => 0 });
        connections[0].sink.frame('o');
        const log = record(client);
        Object.defineProperty(navigator, 'onLine', { configurable: true, get: () => false });
        window.dispatchEvent(new Event('offline'));
        assertJson(log, [{ type: 'close', code: 1006, reason: 'Offline', willReconnect: true }, { type: 'reconnecting', attempt: 1, delay: 0 }], 'events on offline');
        assertEqual(client.state, 'reconnecting', 'state while offline');
        // Left without telling the server: the session stays resumable.
        assertJson(connections[0].closes, [false], 'close() calls on the connection (notify)');
        await staysOfflineThenReconnects(connections);
      });

      it('ignores offline while negotiating and once closed', async function () {
        const { tier, connections } = fakeTier('websocket');
        const client = await connect({ transports: [tier], retry: () => 0 });
        const log = record(client);
        Object.defineProperty(navigator, 'onLine', { configurable: true, get: () => false });
        window.dispatchEvent(new Event('offline'));
        assertEqual(client.state, 'connecting', 'state after offline while connecting');
        assertJson(connections[0].closes, [], 'close() calls on the opening connection');
        client.close();
        window.dispatchEvent(new Event('offline'));
        assertJson(log.map((e) => e.type), ['close'], 'events');
      });

      it('ignores online while open', async function () {
        const { tier, connections } = fakeTier('websocket');
        const client = await connect({ transports: [tier] });
        connections[0].sink.frame('o');
        window.dispatchEvent(new Event('online'));
        assertEqual(connections.length, 1, 'connect() calls');
        assertEqual(client.state, 'open', 'state');
      });
    });
  });

  describe('liveness', function () {
    // heartbeat 50 advertised + heartbeatTimeout 100: silence for 150 ms means dead.
    async function openWatched() {
      const { tier, connections } = fakeTier('websocket', {
        probe: probeWith({ rtt: 1, cometkit: { version: 1, heartbeat: 50 } }),
        onConnect: opensLater,
      });
      const client = await connect({ transports: [tier], heartbeatTimeout: 100, reconnect: false });
      await nextEvent(client, 'open');
      return { client, conn: connections[0], opened: Date.now() };
    }

    it('drops a silent connection after the advertised heartbeat plus heartbeatTimeout', async function () {
      const { client, conn, opened } = await openWatched();
      const closed = await nextEvent(client, 'close', 1000);
      const silent = Date.now() - opened;
      assertEqual(closed.code, 1006, 'close code');
      assert(closed.reason.startsWith('No heartbeat'), `close reason ${closed.reason}`);
      assertEqual(closed.reason, 'No heartbeat for 150 ms', 'close reason');
      assert(silent >= 145, `dropped after ${silent} ms`);
      assertEqual(conn.closes.length, 1, 'connection closes');
    });

    it('keeps a connection that sends h frames open', async function () {
      const { client, conn } = await openWatched();
      const log = record(client);
      const beat = setInterval(() => conn.sink.frame('h'), 20);
      try {
        await sleep(400);
      } finally {
        clearInterval(beat);
      }
      assertEqual(log.length, 0, `events while beating: ${json(log)}`);
      assertEqual(client.state, 'open', 'state');
      // And the watchdog still runs once the beats stop.
      assertEqual((await nextEvent(client, 'close', 1000)).code, 1006, 'close code after the beats stop');
    });

    it('keeps the watchdog within what a timer holds when the heartbeat and heartbeatTimeout are huge', async function () {
      const { tier, connections } = fakeTier('websocket', {
        probe: probeWith({ rtt: 1, cometkit: { version: 1, heartbeat: MAX_DELAY } }),
      });
      const client = await connect({ transports: [tier], heartbeatTimeout: MAX_DELAY, reconnect: false });
      await until(() => connections.length === 1, 2000, 'connect()');
      // Every timer made from it (the watchdog, a send's timeout) stays below what a timer holds.
      assertEqual(connections[0].ctx.wait, 1e9, 'the wait a tier is given');
      const delays = timerDelays(() => connections[0].sink.frame('o'));
      await tick();
      assertEqual(client.state, 'open', 'state');
      assert(delays.length > 0 && delays.every((ms) => ms <= MAX_DELAY), `timer delays ${json(delays)}`);
      await tick();
      assertEqual(client.state, 'open', 'state after a tick');
    });

    it('doubles the wait after each drop of a connection silent for its whole wait, up to 8×, and goes back once a frame is heard', async function () {
      // heartbeat 10 advertised + heartbeatTimeout 10: each connection opens, hears nothing and is dropped.
      const { tier, connections } = fakeTier('websocket', {
        probe: probeWith({ rtt: 1, cometkit: { version: 1, heartbeat: 10 } }),
        onConnect: opensLater,
      });
      const client = await connect({ transports: [tier], heartbeatTimeout: 10, retry: () => 0 });
      const log = record(client);
      await until(() => connections.length >= 6 && client.state === 'open', 3000, 'a sixth open connection');
      assertJson(connections.slice(0, 6).map((c) => c.ctx.wait), [20, 40, 80, 160, 160, 160], 'the wait each connection was given');
      assertJson(
        log.filter((e) => e.type === 'close').slice(0, 5).map((e) => e.reason),
        [20, 40, 80, 160, 160].map((ms) => `No heartbeat for ${ms} ms`),
        'close reasons',
      );
      // A frame heard, then a cut: the next connection waits as long as the first did.
      const sixth = connections[5];
      sixth.sink.frame('h');
      sixth.sink.close('network gone');
      await until(() => connections.length >= 7, 1000, 'the seventh connection');
      assertEqual(connections[6].ctx.wait, 20, 'the wait after a frame was heard');
    });

    it("doubles the wait after a tier's own timeout once silent past the heartbeat delay, not after a cut sooner", async function () {
      // heartbeat 50 advertised + heartbeatTimeout 100: a wait of 150 ms.
      const { tier, connections } = fakeTier('websocket', {
        probe: probeWith({ rtt: 1, cometkit: { version: 1, heartbeat: 50 } }),
        onConnect: opensLater,
      });
      const client = await connect({ transports: [tier], heartbeatTimeout: 100, retry: () => 0 });
      await nextEvent(client, 'open');
      // A cut with nothing missed yet: the next connection waits as long.
      connections[0].sink.close('network gone');
      await until(() => connections.length >= 2 && client.state === 'open', 1000, 'the reconnection');
      assertEqual(connections[1].ctx.wait, 150, 'the wait after a cut within the heartbeat delay');
      // Silent past the heartbeat delay, the tier gives up first (a held poll's timeout): doubled.
      await sleep(80);
      connections[1].sink.close('poll failed: timed out after 150 ms');
      await until(() => connections.length >= 3, 1000, 'the second reconnection');
      assertEqual(connections[2].ctx.wait, 300, 'the wait after a silent drop by the tier');
    });

    it('checks liveness at once when the page becomes visible', async function () {
      const { client } = await openWatched();
      const log = record(client);
      document.dispatchEvent(new Event('visibilitychange'));
      assertEqual(log.length, 0, 'events on a live connection');
      // A throttled tab: wall-clock time passes while no timer runs.
      const deadline = Date.now() + 160;
      while (Date.now() < deadline);
      document.dispatchEvent(new Event('visibilitychange'));
      assertJson(log, [{ type: 'close', code: 1006, reason: 'No heartbeat for 150 ms', willReconnect: false }], 'events');
      assertEqual(client.state, 'closed', 'state');
    });
  });
});
