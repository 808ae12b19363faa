// Loss-free resume (PROTOCOL.md, "Resume"), send callbacks and the bounded send queue.
// The core client over fake tiers whose connections the test drives (it plays the server by
// feeding frames such as `k0` to the sink); the websocket tier over a fake WebSocket; the
// HTTP control channel against a server mocked with msw.
import { createClient, createCoreClient } from '../../dist/cometkit.mjs';
import { assertEqual, until } from '../browser/support/echo.js';
import { HttpResponse, http, startMsw, stopMsw } from '../browser/support/msw.js';
import { assert, assertJson, catchingAsyncThrow, json, nextEvent, tick } from '../browser/support/assert.js';
import { fakeWebSocket } from '../browser/support/fake-websocket.js';

// Never contacted: the core-client tests use fake tiers only.
const BASE = 'https://push.example/svc';
const STASH = `cometkit resume ${BASE}`;

/**
 * A tier whose connections the test drives. Each connection records its ctx and sink, every
 * send(messages, seq) as `[messages, seq]` and the `notify` of each close(). `next()` resolves
 * with the next connection made.
 */
function fakeTier(name, { probe } = {}) {
  const connections = [];
  let waiting = [];
  const tier = {
    name,
    roundTrips: 1,
    unsupported: () => '',
    connect(ctx, sink) {
      const conn = { ctx, sink, sends: [], closes: [] };
      connections.push(conn);
      const connection = {
        send: (messages, seq) => conn.sends.push([[...messages], seq]),
        close: (notify) => conn.closes.push(notify),
      };
      const resolvers = waiting;
      waiting = [];
      for (const resolve of resolvers) resolve(conn);
      return connection;
    },
  };
  if (probe) tier.probe = probe;
  /** The next connection made (or the one made already when `count` are there), or a rejection after `ms`. */
  const next = (count = connections.length + 1, ms = 2000) => {
    if (connections.length >= count) return Promise.resolve(connections[count - 1]);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no connection ${count} of ${name} within ${ms} ms (${connections.length} made)`)), ms);
      waiting.push((conn) => {
        clearTimeout(timer);
        resolve(conn);
      });
    }).then(() => next(count, ms));
  };
  return { tier, connections, next };
}

const probeWith = (info) => () => Promise.resolve({ websocket: true, cors: true, ...info });

/** A send callback recording how each call went: 'delivered', or the message of the Error it got. */
function callback() {
  const calls = [];
  const done = (...args) => {
    if (args.length && args[0] !== undefined && !(args[0] instanceof Error)) calls.push(`not an Error: ${String(args[0])}`);
    else calls.push(args[0] === undefined ? 'delivered' : args[0].message);
  };
  done.calls = calls;
  return done;
}

/** Every event of the client, in order, as `{ type, ...payload }`. */
function record(client) {
  const log = [];
  for (const type of ['open', 'message', 'close', 'reconnecting', 'transport', 'error']) {
    client.on(type, (event) => log.push({ type, ...event }));
  }
  return log;
}
const messagesOf = (log) => log.filter((e) => e.type === 'message').map((e) => e.data);
const typesOf = (log) => log.map((e) => e.type);


function assertThrows(fn, Type, check, what) {
  try {
    fn();
  } catch (error) {
    assert(error instanceof Type, `${what}: expected a ${Type.name}, got ${error}`);
    assert(Type !== Error || !(error instanceof TypeError), `${what}: expected a plain Error, got ${error}`);
    if (typeof check === 'string') assertEqual(error.message, check, `${what}: message`);
    else assert(check(error.message), `${what}: message ${JSON.stringify(error.message)}`);
    return;
  }
  throw new Error(`${what}: did not throw`);
}
/** Asserts a SessionLostError as the client reports it in an `error` event. */
function assertSessionLost(event, why) {
  assert(event && event.type === 'error', `expected an error event, got ${json(event)}`);
  const { error } = event;
  assert(error instanceof Error, `error event carries an Error: ${error}`);
  assertEqual(error.name, 'SessionLostError', 'error.name');
  assertEqual(error.message, `cometkit: session lost (${why}); messages in between may be missing`, 'error.message');
}


function clearStash() {
  for (const key of Object.keys(sessionStorage)) if (key.startsWith('cometkit ')) sessionStorage.removeItem(key);
}

describe('resume, send callbacks and the send queue', function () {
  let clients = [];
  const logs = new WeakMap();
  /** createCoreClient (closed after the test), its log from creation on; resolves once it has started. */
  async function connect(options, url = BASE) {
    const client = createCoreClient(url, { retry: () => 0, ...options });
    clients.push(client);
    logs.set(client, record(client));
    await null;
    return client;
  }
  afterEach(function () {
    for (const client of clients) client.close();
    clients = [];
    clearStash();
  });

  /** A client on one fake tier (then those of `more`) whose first connection answered `first`: client, log, tier, conn. */
  async function openWith(first, options = {}, more = []) {
    const fake = fakeTier('websocket');
    const client = await connect({ transports: [fake.tier, ...more.map((m) => m.tier)], ...options });
    const conn = await fake.next(1);
    const opened = nextEvent(client, 'open');
    conn.sink.frame(first);
    await opened;
    return { client, log: logs.get(client), conn, ...fake };
  }

  /** Cuts `conn` as the network would, and resolves with the reconnection's connection. */
  async function cut(fake, conn) {
    const count = fake.connections.length;
    conn.sink.close('network gone');
    return fake.next(count + 1);
  }

  describe('opening and resuming', function () {
    it('opens a session answered o as not resumed, and reconnects to a new session URL asking pos=0', async function () {
      const fake = fakeTier('websocket');
      const client = await connect({ transports: [fake.tier] });
      const conn = await fake.next(1);
      assertJson([conn.ctx.tune(), conn.ctx.tune()], ['&pos=0', ''], 'ctx.tune() of the first connection: first call, then a renewal');
      const opened = nextEvent(client, 'open');
      conn.sink.frame('o');
      assertJson(await opened, { transport: 'websocket', resumed: false }, 'open event');
      assertEqual(conn.ctx.pos(), -1, 'ctx.pos() on a non-resumable session');
      conn.sink.frame('a["m1"]');
      const again = await cut(fake, conn);
      assert(again.ctx.session !== conn.ctx.session, `a non-resumable session is not reused: ${again.ctx.session}`);
      assertEqual(again.ctx.tune(), '&pos=0', 'ctx.tune() of the reconnection');
      const reopened = nextEvent(client, 'open');
      again.sink.frame('o');
      assertJson(await reopened, { transport: 'websocket', resumed: false }, 'open event of the reconnection');
    });

    it('opens a session answered k0 as resumable but not resumed', async function () {
      const { conn, log } = await openWith('k0');
      assertJson(log, [{ type: 'open', transport: 'websocket', resumed: false }], 'events');
      assertEqual(conn.ctx.pos(), 0, 'ctx.pos() on a fresh resumable session');
    });

    it('resumes a k0 session on the same session URL from the messages received, and opens resumed on k<m>', async function () {
      const { client, conn, log, ...fake } = await openWith('k0');
      conn.sink.frame('a["m1","m2"]');
      conn.sink.frame('a["m3"]');
      assertEqual(conn.ctx.pos(), 3, 'ctx.pos() after 3 messages');
      const again = await cut(fake, conn);
      assertEqual(again.ctx.session, conn.ctx.session, 'session URL of the reconnection');
      // Renewals say what the client has (ack), so the server writes again what a cut swallowed.
      assertJson([again.ctx.tune(), again.ctx.tune(), again.ctx.tune()], ['&pos=3', '&ack=3', '&ack=3'], 'ctx.tune() of the reconnection: first call, then renewals');
      const reopened = nextEvent(client, 'open');
      again.sink.frame('k0');
      assertJson(await reopened, { transport: 'websocket', resumed: true }, 'open event of the resumed connection');
      again.sink.frame('a["m4"]');
      assertJson(messagesOf(log), ['m1', 'm2', 'm3', 'm4'], 'messages');
      assertEqual(again.ctx.tune(), '&ack=4', 'ctx.tune() of a renewal after m4');
      assertEqual(again.ctx.pos(), 4, 'ctx.pos() after the resumed stream');
      // And the next cut resumes from there.
      const third = await cut(fake, again);
      assertEqual(third.ctx.session, conn.ctx.session, 'session URL of the second reconnection');
      assertEqual(third.ctx.tune(), '&pos=4', 'ctx.tune() of the second reconnection');
    });

    // A server that shuts down gracefully closes every session with 1001: the next session is a new
    // one, and only pos=0 makes a new session resumable (a server answers a higher one with a plain o).
    for (const [code, reason] of [
      [1001, 'Server shutting down'],
      [1002, 'Broken framing'],
    ]) {
      it(`starts a new resumable session, asking pos=0, after c[${code}] ended a resumable one`, async function () {
        const { client, conn, log, ...fake } = await openWith('k0');
        conn.sink.frame('a["m1","m2"]');
        conn.sink.frame(`c[${code},"${reason}"]`);
        assertJson(log.find((e) => e.type === 'close'), { type: 'close', code, reason, willReconnect: true }, 'close event');
        const again = await fake.next(2);
        assert(again.ctx.session !== conn.ctx.session, `a closed session is not resumed: ${again.ctx.session}`);
        assertEqual(again.ctx.tune(), '&pos=0', 'ctx.tune() of the new session');
        const opened = nextEvent(client, 'open');
        again.sink.frame('k0');
        assertJson(await opened, { transport: 'websocket', resumed: false }, 'open event of the new session');
        assertEqual(again.ctx.pos(), 0, 'ctx.pos() on the new session');
      });
    }

    // A garbled close frame answering a resume says nothing of the session: it is reported as any
    // malformed frame, the tier fails as on any unexpected first frame, and the session is resumed
    // again, nothing lost. (The negotiation used to wait on it for good.)
    for (const bad of ['c[3000', 'c{}', 'c[1,2,3]']) {
      it(`reports ${bad} answering a resume as a malformed frame, fails the tier and resumes on the next, nothing lost`, async function () {
        const b = fakeTier('polling');
        const { client, conn: first, log, ...a } = await openWith('k0', {}, [b]);
        first.sink.frame('a["m1"]');
        const x = callback();
        client.send('x', x);
        await tick();
        const again = await cut(a, first);
        assertEqual(again.ctx.tune(), '&pos=1', 'ctx.tune() of the resume');
        const count = log.length;
        again.sink.frame(bad);
        const next = await b.next(1);
        const [error, ...rest] = log.slice(count);
        assertEqual(error?.type, 'error', `first event after ${bad}`);
        assertEqual(error.error.message, `Malformed frame: ${bad}`, 'error message');
        assertJson(rest, [{ type: 'transport', from: 'websocket', to: 'polling', reason: `unexpected first frame ${bad}` }], 'events after the error');
        assertEqual(again.closes.length, 1, 'close() calls on the connection that answered');
        assertEqual(next.ctx.session, first.ctx.session, 'session URL of the next tier');
        assertEqual(next.ctx.tune(), '&pos=1', 'ctx.tune() of the next tier');
        const resumed = nextEvent(client, 'open');
        next.sink.frame('k0');
        assertJson(await resumed, { transport: 'polling', resumed: true }, 'open event');
        assertJson(next.sends, [[['x'], 1]], 'what the next tier is sent');
        next.sink.frame('k1');
        next.sink.frame('a["m2"]');
        assertJson(x.calls, ['delivered'], 'callback of x');
        assertJson(messagesOf(log), ['m1', 'm2'], 'messages');
      });
    }

    it('resumes again from the same position, after the retry delay, when its only tier answers a resume with a malformed close frame', async function () {
      const { client, conn, log, ...fake } = await openWith('k0');
      conn.sink.frame('a["m1"]');
      const again = await cut(fake, conn);
      assertEqual(again.ctx.tune(), '&pos=1', 'ctx.tune() of the resume');
      const count = log.length;
      again.sink.frame('c[3000');
      const third = await fake.next(3);
      assertJson(
        log.slice(count).map((e) => (e.type == 'error' ? e.error.name : e.type)),
        ['Error', 'transport', 'NegotiationError', 'reconnecting'],
        'events after the malformed frame',
      );
      assertEqual(third.ctx.session, conn.ctx.session, 'session URL of the next resume');
      assertEqual(third.ctx.tune(), '&pos=1', 'ctx.tune() of the next resume');
      const resumed = nextEvent(client, 'open');
      third.sink.frame('k0');
      assertJson(await resumed, { transport: 'websocket', resumed: true }, 'open event');
    });
  });

  describe('positions downstream', function () {
    it('delivers nothing twice when a resumed stream repeats what was delivered (re-upgrade onto a better tier)', async function () {
      const ws = fakeTier('websocket');
      const poll = fakeTier('polling', { probe: probeWith({ rtt: 1, cometkit: { version: 1, takeover: true } }) });
      const client = await connect({ transports: [ws.tier, poll.tier], upgradeInterval: 20 });
      const log = logs.get(client);
      (await ws.next(1)).sink.close('refused');
      const old = await poll.next(1);
      assertEqual(old.ctx.tune(), '&pos=0', 'ctx.tune() of the first request');
      const opened = nextEvent(client, 'open');
      old.sink.frame('k0');
      await opened;
      old.sink.frame('a["m1","m2"]');
      // The re-upgrade: a candidate on the better tier resumes the session from what was delivered.
      const candidate = await ws.next(2);
      assertEqual(candidate.ctx.session, old.ctx.session, 'session URL of the candidate');
      assertEqual(candidate.ctx.tune(), '&takeover=1&pos=2', 'ctx.tune() of the candidate');
      // The old connection still delivers m3, but renews and acknowledges at the candidate's position.
      old.sink.frame('a["m3"]');
      assertEqual(old.ctx.tune(), '&ack=2', 'ctx.tune() of a renewal while the session moves');
      assertEqual(old.ctx.pos(), 2, 'ctx.pos() while the session moves');
      assertEqual(old.closes.length, 0, 'closes of the old connection before the candidate answers');
      // The candidate's k switches over at once; its stream, from position 2, repeats m3.
      const moved = nextEvent(client, 'transport');
      candidate.sink.frame('k0');
      assertJson(await moved, { from: 'polling', to: 'websocket', reason: 're-upgrade' }, 'transport event');
      assertEqual(old.closes.length, 1, 'closes of the old connection after the move');
      candidate.sink.frame('a["m3","m4"]');
      candidate.sink.frame('a["m5"]');
      assertJson(messagesOf(log), ['m1', 'm2', 'm3', 'm4', 'm5'], 'messages');
      assertEqual(candidate.ctx.pos(), 5, 'ctx.pos() after the move');
    });

    /**
     * A client on `better` then `lower` (both fakes, a takeover server), with `better` refused and
     * `lower` opened by `first`: no candidate on `better` comes within ten upgrade intervals.
     */
    async function assertNoReUpgrade(better, lower, first) {
      const info = { probe: probeWith({ rtt: 1, cometkit: { version: 1, takeover: true } }) };
      const up = fakeTier(better, better == 'websocket' ? {} : info);
      const down = fakeTier(lower, lower == 'websocket' ? {} : info);
      const client = await connect({ transports: [up.tier, down.tier], upgradeInterval: 20 });
      (await up.next(1)).sink.close('refused');
      const opened = nextEvent(client, 'open');
      (await down.next(1)).sink.frame(first);
      await opened;
      const candidate = await up.next(2, 200).then(
        () => true,
        () => false,
      );
      assertEqual(candidate, false, 'a candidate connection');
      assertEqual(client.transport, lower, 'transport');
    }

    it('tries each tier above in turn, best first, and starts from the best again after a move', async function () {
      const info = { probe: probeWith({ rtt: 1, cometkit: { version: 1, takeover: true } }) };
      const ws = fakeTier('websocket');
      const xs = fakeTier('xhr-streaming', info);
      const poll = fakeTier('polling', info);
      const client = await connect({ transports: [ws.tier, xs.tier, poll.tier], upgradeInterval: 20, remember: 0 });
      (await ws.next(1)).sink.close('refused');
      (await xs.next(1)).sink.close('refused');
      const opened = nextEvent(client, 'open');
      (await poll.next(1)).sink.frame('k0');
      await opened;
      // Refused candidates: WebSocket, then the next tier above, then WebSocket again.
      const tried = [];
      const refuse = async (tier, count) => {
        const candidate = await tier.next(count);
        tried.push(candidate.ctx.tune().includes('takeover=1') ? tier.tier.name : `${tier.tier.name} (not a candidate)`);
        candidate.sink.close('refused');
      };
      await refuse(ws, 2);
      await refuse(xs, 2);
      await refuse(ws, 3);
      // The fourth try (xhr-streaming) takes the session over.
      const candidate = await xs.next(3);
      tried.push('xhr-streaming');
      const moved = nextEvent(client, 'transport');
      candidate.sink.frame('k0');
      assertJson(await moved, { from: 'polling', to: 'xhr-streaming', reason: 're-upgrade' }, 'transport event');
      // From xhr-streaming the one tier above is WebSocket.
      await refuse(ws, 4);
      assertJson(tried, ['websocket', 'xhr-streaming', 'websocket', 'xhr-streaming', 'websocket'], 'candidates, in order');
      assertEqual(poll.connections.length, 1, 'polling connections (the session never reconnected)');
    });

    it('tries nothing more once close() overtook a try (its open timeout ran after the close)', async function () {
      const info = { probe: probeWith({ rtt: 1, cometkit: { version: 1, takeover: true } }) };
      const ws = fakeTier('websocket');
      const poll = fakeTier('polling', info);
      // Open timeout 301 ms (RTT 1 ms, one round trip, no floor).
      const client = await connect({ transports: [ws.tier, poll.tier], upgradeInterval: 20, timeout: 0, remember: 0 });
      (await ws.next(1)).sink.close('refused');
      const opened = nextEvent(client, 'open');
      (await poll.next(1)).sink.frame('k0');
      await opened;
      // A candidate that never answers; the client closes while it is tried.
      await ws.next(2);
      client.close();
      // Its open timeout (301 ms) and an upgrade interval (20 ms) on, a try would have started.
      const another = await ws.next(3, 700).then(
        () => true,
        () => false,
      );
      assertEqual(another, false, 'a candidate connection after close()');
      assertEqual(client.state, 'closed', 'state');
    });

    it('tries no better tier from a WebSocket (the server would close it on the move)', async function () {
      await assertNoReUpgrade('xhr-streaming', 'websocket', 'k0');
    });

    it('tries no better tier on a session that is not resumable (re-upgrade rides on resume)', async function () {
      await assertNoReUpgrade('websocket', 'polling', 'o');
    });
  });

  describe('upstream', function () {
    it('runs a send callback once a k frame covers its message, not before, and once', async function () {
      const { client, conn } = await openWith('k0');
      const [a, b] = [callback(), callback()];
      client.send('a', a);
      client.send('b', b);
      await tick();
      assertJson(conn.sends, [[['a', 'b'], 1]], 'send() calls on the connection');
      assertJson([a.calls, b.calls], [[], []], 'callbacks before any k frame');
      conn.sink.frame('k0');
      assertJson([a.calls, b.calls], [[], []], 'callbacks after k0');
      conn.sink.frame('k1');
      assertJson([a.calls, b.calls], [['delivered'], []], 'callbacks after k1');
      conn.sink.frame('k2');
      conn.sink.frame('k2');
      assertJson([a.calls, b.calls], [['delivered'], ['delivered']], 'callbacks after k2 (twice)');
    });

    it('takes a k frame beyond what was sent (a broken server) as confirming what was sent, and numbers on from there', async function () {
      const { client, conn } = await openWith('k0');
      const [a, b] = [callback(), callback()];
      client.send('a', a);
      client.send('b', b);
      await tick();
      conn.sink.frame('k100');
      assertJson([a.calls, b.calls], [['delivered'], ['delivered']], 'callbacks after k100');
      client.send('c');
      await tick();
      assertJson(conn.sends, [[['a', 'b'], 1], [['c'], 3]], 'send() calls on the connection');
    });

    it('after a resume answered k<m>, resends exactly the unconfirmed messages from seq m+1, then those sent while cut', async function () {
      const { client, conn, ...fake } = await openWith('k0');
      const cbs = ['a', 'b', 'c', 'd'].map(() => callback());
      client.send('a', cbs[0]);
      client.send('b', cbs[1]);
      client.send('c', cbs[2]);
      await tick();
      conn.sink.frame('k1');
      const again = await cut(fake, conn);
      client.send('d', cbs[3]);
      await tick();
      assertJson(conn.sends, [[['a', 'b', 'c'], 1]], 'send() calls on the cut connection');
      assertJson(again.sends, [], 'send() calls before the resume answered');
      again.sink.frame('k2');
      await tick();
      assertJson(again.sends, [[['c', 'd'], 3]], 'send() calls on the resumed connection');
      assertJson(cbs.map((cb) => cb.calls), [['delivered'], ['delivered'], [], []], 'callbacks after k2');
      again.sink.frame('k4');
      assertJson(cbs.map((cb) => cb.calls), [['delivered'], ['delivered'], ['delivered'], ['delivered']], 'callbacks after k4');
    });

    it('sends what was sent while cut once, on the resumed connection', async function () {
      const { client, conn, ...fake } = await openWith('k0');
      client.send('x');
      await tick();
      conn.sink.frame('k1');
      const again = await cut(fake, conn);
      const y = callback();
      client.send('y', y);
      await tick();
      again.sink.frame('k1');
      await tick();
      assertJson(conn.sends, [[['x'], 1]], 'send() calls on the cut connection');
      assertJson(again.sends, [[['y'], 2]], 'send() calls on the resumed connection');
      again.sink.frame('k2');
      assertJson(y.calls, ['delivered'], 'callback');
    });
  });

  describe('non-resumable sessions', function () {
    it('fails what went to a session that dropped when the next one opens, and sends there only what never went out', async function () {
      const { client, conn, ...fake } = await openWith('o');
      const [a, b] = [callback(), callback()];
      client.send('a', a);
      await tick();
      assertJson(conn.sends, [[['a'], 1]], 'send() calls on the first connection');
      const again = await cut(fake, conn);
      client.send('b', b);
      await tick();
      assertJson([a.calls, b.calls], [[], []], 'callbacks while reconnecting');
      again.sink.frame('o');
      assertJson([a.calls, b.calls], [['cometkit: maybe not delivered: the session ended'], []], 'callbacks once the new session opened');
      await tick();
      assertJson(again.sends, [[['b'], 1]], 'send() calls on the new session');
    });
  });

  describe('lost sessions', function () {
    it('reports a resume answered o as a SessionLostError and starts a fresh resumable session', async function () {
      const { client, conn, log, ...fake } = await openWith('k0');
      conn.sink.frame('a["m1"]');
      const a = callback();
      client.send('a', a);
      await tick();
      const again = await cut(fake, conn);
      assertEqual(again.ctx.tune(), '&pos=1', 'ctx.tune() of the resume');
      const count = log.length;
      again.sink.frame('o');
      const fresh = await fake.next(3);
      assertSessionLost(log[count], 'the server no longer had the session');
      assertEqual(log.length, count + 1, `events after the o: ${json(log.slice(count))}`);
      assertEqual(again.closes.length, 1, 'close() calls on the connection that answered o');
      assert(fresh.ctx.session !== conn.ctx.session, `the fresh session has a new URL: ${fresh.ctx.session}`);
      assertEqual(fresh.ctx.tune(), '&pos=0', 'ctx.tune() of the fresh session');
      assertJson(a.calls, ['cometkit: maybe not delivered: the session ended'], 'callback of what went to the lost session');
      const opened = nextEvent(client, 'open');
      fresh.sink.frame('k0');
      assertJson(await opened, { transport: 'websocket', resumed: false }, 'open event of the fresh session');
      fresh.sink.frame('a["n1"]');
      assertJson(messagesOf(log), ['m1', 'n1'], 'messages');
      assertEqual(fresh.ctx.pos(), 1, 'ctx.pos() counts from the fresh session');
      assertJson(fresh.sends, [], 'nothing resent on the fresh session');
    });

    for (const [code, reason] of [
      [2011, 'Unacknowledged messages over the limit'],
      [2012, 'Cannot resume from position 7'],
    ]) {
      it(`reports c[${code}] on an open session as a SessionLostError and starts a fresh session`, async function () {
        const { conn, log, ...fake } = await openWith('k0');
        conn.sink.frame('a["m1"]');
        const count = log.length;
        conn.sink.frame(`c[${code},"${reason}"]`);
        assertSessionLost(log[count], reason);
        assertJson(log[count + 1], { type: 'close', code, reason, willReconnect: true }, 'close event');
        const fresh = await fake.next(2);
        assert(fresh.ctx.session !== conn.ctx.session, `the fresh session has a new URL: ${fresh.ctx.session}`);
        assertEqual(fresh.ctx.tune(), '&pos=0', 'ctx.tune() of the fresh session');
      });
    }

    it('stays closed when an error handler closes the client on c[2011], and on a resume answered o', async function () {
      for (const answer of ['c[2011,"Unacknowledged messages over the limit"]', 'o']) {
        const { client, conn, log, ...fake } = await openWith('k0');
        let transport;
        client.on('error', () => {
          transport = client.transport;
          client.close(4000, 'gave up');
        });
        const count = log.length;
        if (answer == 'o') (await cut(fake, conn)).sink.frame('o');
        else conn.sink.frame(answer);
        const after = log.slice(count).map((e) => (e.type == 'close' ? `close ${e.code} ${e.willReconnect}` : e.type));
        const expected = answer == 'o' ? ['close 1006 true', 'reconnecting', 'error', 'close 4000 false'] : ['error', 'close 4000 false'];
        assertJson(after, expected, `events after ${answer}`);
        // (While not open there is no tier in use, a resume answered o included.)
        assertEqual(transport, answer == 'o' ? null : 'websocket', `transport in the error handler after ${answer}`);
        assertEqual(client.state, 'closed', `state after ${answer}`);
        await new Promise((resolve) => setTimeout(resolve, 50));
        assertEqual(fake.connections.length, answer == 'o' ? 2 : 1, `connections after ${answer}`);
        assertEqual(log.length, count + expected.length, `events later: ${json(log.slice(count + expected.length))}`);
      }
    });

    it('reports c[2012] answering a resume as a SessionLostError and starts a fresh session', async function () {
      const { conn, log, ...fake } = await openWith('k0');
      conn.sink.frame('a["m1","m2"]');
      const again = await cut(fake, conn);
      const count = log.length;
      again.sink.frame('c[2012,"Cannot resume from position 2"]');
      assertSessionLost(log[count], 'Cannot resume from position 2');
      const fresh = await fake.next(3);
      assert(fresh.ctx.session !== conn.ctx.session, `the fresh session has a new URL: ${fresh.ctx.session}`);
      assertEqual(fresh.ctx.tune(), '&pos=0', 'ctx.tune() of the fresh session');
      assert(!log.slice(count).some((e) => e.type === 'open'), `no open on the lost session: ${json(log.slice(count))}`);
    });

    it('closes for good on c[3000] answering a resume, failing what waits', async function () {
      const { client, conn, log, ...fake } = await openWith('k0');
      const a = callback();
      client.send('a', a);
      await tick();
      const again = await cut(fake, conn);
      const count = log.length;
      again.sink.frame('c[3000,"Go away"]');
      assertJson(log.slice(count), [{ type: 'close', code: 3000, reason: 'Go away', willReconnect: false }], 'events');
      assertEqual(client.state, 'closed', 'state');
      // Sent before the cut: the server may have it.
      assertJson(a.calls, ['cometkit: maybe not delivered: the session ended'], 'callback');
      await tick();
      assertEqual(fake.connections.length, 2, 'connections');
    });
  });

  describe('send queue', function () {
    it('throws once queueLimit messages wait (queued before open too), and takes more once some are confirmed', async function () {
      const fake = fakeTier('websocket');
      const client = await connect({ transports: [fake.tier], queueLimit: 3 });
      client.send('1');
      client.send('2');
      client.send('3');
      assertThrows(() => client.send('4'), Error, (m) => m.startsWith('cometkit: send queue full'), 'a 4th send before open');
      const conn = await fake.next(1);
      conn.sink.frame('k0');
      await tick();
      assertJson(conn.sends, [[['1', '2', '3'], 1]], 'send() calls');
      assertThrows(() => client.send('4'), Error, (m) => m.startsWith('cometkit: send queue full'), 'a 4th send while 3 are unconfirmed');
      conn.sink.frame('k1');
      client.send('4');
      assertThrows(() => client.send('5'), Error, (m) => m.startsWith('cometkit: send queue full'), 'a 5th send while 3 are unconfirmed');
      await tick();
      assertJson(conn.sends, [[['1', '2', '3'], 1], [['4'], 4]], 'send() calls: no refused message among them');
    });

    it('throws once queueBytes would be exceeded, counting UTF-8 bytes, and frees them on confirmation', async function () {
      const { client, conn } = await openWith('k0', { queueBytes: 10 });
      client.send('żżab'); // 6 bytes (4 characters)
      assertThrows(() => client.send('żabc'), Error, (m) => m.startsWith('cometkit: send queue full'), 'a 5-byte send on top of 6 bytes');
      client.send('żż'); // 4 bytes: exactly 10
      assertThrows(() => client.send('a'), Error, (m) => m.startsWith('cometkit: send queue full'), 'a 1-byte send on top of 10 bytes');
      await tick();
      conn.sink.frame('k1');
      client.send('żabc'); // 4 + 5 = 9 bytes
      assertThrows(() => client.send('żż'), Error, (m) => m.startsWith('cometkit: send queue full'), 'a 4-byte send on top of 9 bytes');
      await tick();
      assertJson(conn.sends, [[['żżab', 'żż'], 1], [['żabc'], 3]], 'send() calls');
    });

    it('counts 3- and 4-byte characters (a surrogate pair) as UTF-8 does', async function () {
      const { client, conn } = await openWith('k0', { queueBytes: 10 });
      client.send('😀€'); // 4 + 3 = 7 bytes (3 UTF-16 units)
      assertThrows(() => client.send('abcd'), Error, (m) => m.startsWith('cometkit: send queue full'), 'a 4-byte send on top of 7 bytes');
      client.send('abc'); // exactly 10
      await tick();
      conn.sink.frame('k2');
      client.send('\u{10FFFF}\uFFFF\u07FF'); // 4 + 3 + 2 = 9 bytes
      assertThrows(() => client.send('ab'), Error, (m) => m.startsWith('cometkit: send queue full'), 'a 2-byte send on top of 9 bytes');
      client.send('a');
      await tick();
      assertJson(conn.sends, [[['😀€', 'abc'], 1], [['\u{10FFFF}\uFFFF\u07FF', 'a'], 3]], 'send() calls');
    });

    for (const [key, value, message] of [
      ['queueLimit', -1, 'cometkit: option "queueLimit" must be a number from 0 to 2147483647'],
      ['queueLimit', '3', 'cometkit: option "queueLimit" must be a number from 0 to 2147483647'],
      ['queueLimit', NaN, 'cometkit: option "queueLimit" must be a number from 0 to 2147483647'],
      ['queueLimit', Infinity, 'cometkit: option "queueLimit" must be a number from 0 to 2147483647'],
      ['queueBytes', -1, 'cometkit: option "queueBytes" must be a number from 0 to 2147483647'],
      ['queueBytes', '10', 'cometkit: option "queueBytes" must be a number from 0 to 2147483647'],
      ['queueBytes', 2147483648, 'cometkit: option "queueBytes" must be a number from 0 to 2147483647'],
      ['resume', 'yes', 'cometkit: option "resume" must be a boolean'],
      ['resume', 1, 'cometkit: option "resume" must be a boolean'],
      ['persist', 'true', 'cometkit: option "persist" must be a boolean'],
      ['persist', 0, 'cometkit: option "persist" must be a boolean'],
    ]) {
      it(`throws a TypeError synchronously on ${key}: ${typeof value === 'string' ? json(value) : String(value)}`, async function () {
        const fake = fakeTier('websocket');
        assertThrows(() => createCoreClient(BASE, { transports: [fake.tier], [key]: value }), TypeError, message, `${key}: ${String(value)}`);
        await tick();
        assertEqual(fake.connections.length, 0, 'connections');
      });
    }
  });

  describe('closing', function () {
    // Those handed to the connection may have arrived (a WebSocket's, surely): reported as never sent,
    // they read as safe to send again.
    it('fails every waiting callback: "maybe not delivered" for what was sent, "not delivered: closed (1000)" for what never left', async function () {
      const { client } = await openWith('k0');
      const cbs = [callback(), callback(), callback()];
      client.send('handed 1', cbs[0]);
      client.send('handed 2', cbs[1]);
      await tick();
      client.send('queued', cbs[2]);
      client.close();
      const maybe = ['cometkit: maybe not delivered: the session ended'];
      const failed = ['cometkit: not delivered: closed (1000)'];
      assertJson(cbs.map((cb) => cb.calls), [maybe, maybe, failed], 'callbacks');
      await tick();
      assertJson(cbs.map((cb) => cb.calls), [maybe, maybe, failed], 'callbacks a tick later');
    });

    it('names the close code in the error of each waiting callback', async function () {
      const { client } = await openWith('o');
      const a = callback();
      client.send('a', a);
      client.close(4001, 'done');
      assertJson(a.calls, ['cometkit: not delivered: closed (4001)'], 'callback');
    });

    it('runs every callback when one throws, and rethrows its error asynchronously', async function () {
      const { client } = await openWith('k0');
      const boom = new Error('callback failure');
      const [a, c] = [callback(), callback()];
      client.send('a', a);
      client.send('b', () => {
        throw boom;
      });
      client.send('c', c);
      await tick();
      const { seen, rethrownSynchronously } = await catchingAsyncThrow(boom, () => {
        let thrown = null;
        try {
          client.close();
        } catch (error) {
          thrown = error;
        }
        return thrown;
      });
      assertEqual(rethrownSynchronously, null, 'close() threw');
      assertJson([a.calls, c.calls], [['cometkit: maybe not delivered: the session ended'], ['cometkit: maybe not delivered: the session ended']], 'the other callbacks');
      assertEqual(seen.length, 1, 'the callback error rethrown asynchronously, once');
      assertEqual(client.state, 'closed', 'state');
    });

    // A callback may give up on the client when it learns how its message went; the opening it
    // runs in must not bring the closed client back to life.
    it('stays closed when a callback closes the client while a new session opens (maybe not delivered)', async function () {
      const { client, conn, log, ...fake } = await openWith('o');
      client.send('a', (error) => error && client.close(4002, 'gave up'));
      await tick();
      const again = await cut(fake, conn);
      const count = log.length;
      again.sink.frame('o');
      assertJson(log.slice(count), [{ type: 'close', code: 4002, reason: 'gave up', willReconnect: false }], 'events once the new session answered');
      assertEqual(client.state, 'closed', 'state');
      assertJson(again.closes, [true], 'close() calls on the new connection');
    });

    it('stays closed when a callback closes the client while a session resumes (delivered)', async function () {
      const { client, conn, log, ...fake } = await openWith('k0');
      client.send('a', (error) => !error && client.close(4002, 'got it'));
      await tick();
      const again = await cut(fake, conn);
      const count = log.length;
      again.sink.frame('k1');
      assertJson(log.slice(count), [{ type: 'close', code: 4002, reason: 'got it', willReconnect: false }], 'events once the resume answered');
      assertEqual(client.state, 'closed', 'state');
    });
  });

  describe('acknowledgements', function () {
    it('acknowledges on its own once 64 KiB of messages arrived on a resumable session', async function () {
      const { conn } = await openWith('k0');
      conn.sink.frame(`a[${json('x'.repeat(40000))}]`);
      assertJson(conn.sends, [], 'send() calls after 40000 characters');
      conn.sink.frame(`a[${json('y'.repeat(25535))}]`);
      assertJson(conn.sends, [], 'send() calls after 65535 characters');
      conn.sink.frame('a["z"]');
      assertJson(conn.sends, [[[], 1]], 'send() calls after 65536 characters');
      conn.sink.frame(`a[${json('w'.repeat(1000))}]`);
      assertJson(conn.sends, [[[], 1]], 'send() calls 1000 characters later');
    });

    it('acknowledges on an h frame only when something is unacknowledged', async function () {
      const { client, conn } = await openWith('k0');
      conn.sink.frame('h');
      assertJson(conn.sends, [], 'send() calls after h with nothing received');
      conn.sink.frame('a["m1"]');
      conn.sink.frame('h');
      assertJson(conn.sends, [[[], 1]], 'send() calls after m1, h');
      conn.sink.frame('h');
      assertJson(conn.sends, [[[], 1]], 'send() calls after a second h');
      client.send('x');
      await tick();
      conn.sink.frame('a["m2"]');
      conn.sink.frame('h');
      assertJson(conn.sends, [[[], 1], [['x'], 1], [[], 2]], 'send() calls after x, m2, h');
    });

    it('never acknowledges on a non-resumable session', async function () {
      const { conn } = await openWith('o');
      conn.sink.frame(`a[${json('x'.repeat(70000))}]`);
      conn.sink.frame('a["m"]');
      conn.sink.frame('h');
      assertJson(conn.sends, [], 'send() calls');
    });
  });

  describe('option resume: false', function () {
    it('asks for no position and reconnects to a new session URL', async function () {
      const fake = fakeTier('websocket');
      const client = await connect({ transports: [fake.tier], resume: false });
      const conn = await fake.next(1);
      assertJson([conn.ctx.tune(), conn.ctx.tune()], ['', ''], 'ctx.tune() calls');
      const opened = nextEvent(client, 'open');
      conn.sink.frame('o');
      assertEqual((await opened).resumed, false, 'open.resumed');
      assertEqual(conn.ctx.pos(), -1, 'ctx.pos()');
      const again = await cut(fake, conn);
      assert(again.ctx.session !== conn.ctx.session, 'a new session URL');
      assertEqual(again.ctx.tune(), '', 'ctx.tune() of the reconnection');
    });

    // A server answers k0 only to pos=0, which this client never says; if one does anyway,
    // the client must still not go on to resume (nor report a lost session it never asked for).
    it('does not resume a session that answered k0 anyway: the reconnection uses a new session URL', async function () {
      const { client, conn, log, ...fake } = await openWith('k0', { resume: false });
      assertEqual(log[0].resumed, false, 'open.resumed');
      conn.sink.frame('a["m1"]');
      const again = await cut(fake, conn);
      assert(again.ctx.session !== conn.ctx.session, `the reconnection reuses the session URL ${again.ctx.session}`);
      assertEqual(again.ctx.tune(), '', 'ctx.tune() of the reconnection');
      const count = log.length;
      const opened = nextEvent(client, 'open');
      again.sink.frame('o');
      assertEqual((await opened).resumed, false, 'open.resumed of the reconnection');
      assertJson(typesOf(log.slice(count)), ['open'], 'events once the reconnection answered o');
    });
  });

  describe('option persist', function () {
    /** A persist client with two messages received, u1 confirmed and u2, u3 handed but not; then pagehide. */
    async function hidden() {
      const { client, conn, log } = await openWith('k0', { persist: true, retry: () => 60000 });
      conn.sink.frame('a["m1","m2"]');
      client.send('u1');
      await tick();
      conn.sink.frame('k1');
      client.send('u2');
      client.send('u3');
      await tick();
      assertJson(conn.sends, [[['u1'], 1], [['u2', 'u3'], 2]], 'send() calls before pagehide');
      const count = log.length;
      window.dispatchEvent(new Event('pagehide'));
      return { client, conn, events: log.slice(count) };
    }

    it('leaves a resumable session for the next page on pagehide, without telling the server', async function () {
      const { conn, events } = await hidden();
      assertJson(JSON.parse(sessionStorage.getItem(STASH)), [conn.ctx.session, 2, 1, ['u2', 'u3']], `sessionStorage["${STASH}"]`);
      assertEqual(conn.closes.length, 1, 'close() calls on the connection');
      assert(!conn.closes[0], `close(notify) with notify ${conn.closes[0]}`);
      assertJson(events[0], { type: 'close', code: 1001, reason: 'Page hidden', willReconnect: true }, 'close event');
    });

    it('resumes the stored session on the next page, from the stored position, resending what was unconfirmed', async function () {
      const { conn } = await hidden();
      const fake = fakeTier('websocket');
      const client = createCoreClient(BASE, { transports: [fake.tier], persist: true });
      clients.push(client);
      const log = record(client);
      assertEqual(sessionStorage.getItem(STASH), null, 'sessionStorage entry once read');
      const next = await fake.next(1);
      assertEqual(next.ctx.session, conn.ctx.session, 'session URL');
      assertEqual(next.ctx.tune(), '&pos=2', 'ctx.tune() of the first connection');
      const opened = nextEvent(client, 'open');
      next.sink.frame('k2');
      assertJson(await opened, { transport: 'websocket', resumed: true }, 'open event');
      await tick();
      assertJson(next.sends, [[['u3'], 3]], 'send() calls');
      next.sink.frame('a["m3"]');
      assertJson(messagesOf(log), ['m3'], 'messages');
      assertEqual(next.ctx.pos(), 3, 'ctx.pos()');
    });

    it('starts a fresh session from a stash of another shape, taking nothing of it', async function () {
      // As a stash left by a version that kept its queue otherwise would be.
      sessionStorage.setItem(STASH, JSON.stringify(['https://elsewhere.example/x/1/2', 9, 4, 'not a list']));
      const fake = fakeTier('websocket');
      const client = createCoreClient(BASE, { transports: [fake.tier], persist: true });
      clients.push(client);
      assertEqual(sessionStorage.getItem(STASH), null, 'sessionStorage entry once read');
      const next = await fake.next(1);
      if (!next.ctx.session.startsWith(BASE + '/')) throw new Error(`session URL ${next.ctx.session}`);
      assertEqual(next.ctx.tune(), '&pos=0', 'ctx.tune() of the first connection');
      const opened = nextEvent(client, 'open');
      next.sink.frame('k0');
      assertJson(await opened, { transport: 'websocket', resumed: false }, 'open event');
    });

    // Back from the back-forward cache the page goes on with its own client: what it left for a reload is
    // stale at once. Kept, a reload after close() (or after the session stopped being resumable) read it and
    // resumed a session already ended: the new page's client closed for good on its close frame.
    it('takes back what it left for the next page when the page is shown again (back-forward cache)', async function () {
      await hidden();
      assert(sessionStorage.getItem(STASH), 'sessionStorage entry after pagehide');
      window.dispatchEvent(new PageTransitionEvent('pageshow', { persisted: true }));
      assertEqual(sessionStorage.getItem(STASH), null, 'sessionStorage entry after pageshow');
    });

    // Into the back-forward cache the page may come back with this client: the session is kept (resume
    // picks it up), not ended. Ended, the restored client resumed a session closed with 1000, for good
    // (test/network/bfcache.e2e.mjs shows it in a real back-forward cache).
    it('keeps the session when the page goes into the back-forward cache, and resumes it when shown again', async function () {
      const { client, conn, log, next } = await openWith('k0', { retry: () => 60000 });
      conn.sink.frame('a["m1"]');
      const count = log.length;
      window.dispatchEvent(new PageTransitionEvent('pagehide', { persisted: true }));
      assertJson(conn.closes, [false], 'close() calls on the connection (true would tell the server)');
      window.dispatchEvent(new PageTransitionEvent('pageshow', { persisted: true }));
      const again = await next(2);
      assertEqual(again.ctx.session, conn.ctx.session, 'session URL after the page came back');
      assertEqual(again.ctx.tune(), '&pos=1', 'ctx.tune() of the resuming connection');
      const opened = nextEvent(client, 'open');
      again.sink.frame('k0');
      assertJson(await opened, { transport: 'websocket', resumed: true }, 'open event');
      assertJson(typesOf(log.slice(count)), ['close', 'reconnecting', 'open'], 'events from pagehide on');
    });

    it('stores nothing and tells the server on pagehide when the session is not resumable', async function () {
      const { conn } = await openWith('o', { persist: true, retry: () => 60000 });
      window.dispatchEvent(new Event('pagehide'));
      assertEqual(sessionStorage.getItem(STASH), null, 'sessionStorage entry');
      assertJson(conn.closes, [true], 'close() calls on the connection');
    });

    it('stores nothing and tells the server on pagehide without persist', async function () {
      const { conn } = await openWith('k0', { retry: () => 60000 });
      window.dispatchEvent(new Event('pagehide'));
      assertEqual(sessionStorage.getItem(STASH), null, 'sessionStorage entry');
      assertJson(conn.closes, [true], 'close() calls on the connection');
    });
  });
});

describe('resume on the websocket tier (fake WebSocket)', function () {
  let clients = [];
  afterEach(function () {
    for (const client of clients) client.close();
    clients = [];
  });

  /** A client on the websocket tier alone whose first socket answered `first`. */
  async function openSocket(first, options = {}) {
    const { FakeWebSocket, sockets } = fakeWebSocket();
    const client = createClient('http://push.example/svc', { transports: ['websocket'], WebSocket: FakeWebSocket, retry: () => 0, ...options });
    clients.push(client);
    await null;
    const opened = nextEvent(client, 'open');
    sockets[0].receive(first);
    await opened;
    return { client, socket: sockets[0], sockets };
  }

  it('puts [pos, seq, …messages] on a resumable socket, a bare acknowledgement as [pos, null], and runs callbacks on k', async function () {
    const { client, socket } = await openSocket('k0');
    const cbs = [callback(), callback(), callback()];
    client.send('a', cbs[0]);
    client.send('b "q" ż', cbs[1]);
    await tick();
    assertJson(socket.sent, [json([0, 1, 'a', 'b "q" ż'])], 'frames sent');
    socket.receive('a["m1"]');
    socket.receive('h');
    assertJson(socket.sent.slice(1), [json([1, null])], 'frames sent after m1, h');
    client.send('c', cbs[2]);
    await tick();
    assertJson(socket.sent.slice(2), [json([1, 3, 'c'])], 'frames sent after c');
    assertJson(cbs.map((cb) => cb.calls), [[], [], []], 'callbacks before k');
    socket.receive('k3');
    assertJson(cbs.map((cb) => cb.calls), [['delivered'], ['delivered'], ['delivered']], 'callbacks after k3');
  });

  it('reads a k joined with the frame after it in one socket message: callbacks first, then the reply', async function () {
    const { client, socket } = await openSocket('k0');
    const order = [];
    client.on('message', ({ data }) => order.push(`message ${data}`));
    client.send('a', () => order.push('callback a'));
    client.send('b', () => order.push('callback b'));
    await tick();
    socket.receive('k2\na["re a","re b"]');
    assertJson(order, ['callback a', 'callback b', 'message re a', 'message re b'], 'what the client reported, in order');
    socket.receive('a["x"]\nh\nk2');
    assertJson(order.slice(4), ['message x'], 'after three joined frames');
  });

  it('puts a plain array on a socket that is not resumable, and confirms it at once', async function () {
    const { client, socket } = await openSocket('o');
    const a = callback();
    client.send('a', a);
    await tick();
    assertJson(socket.sent, [json(['a'])], 'frames sent');
    assertJson(a.calls, ['delivered'], 'callback');
    socket.receive('h');
    assertJson(socket.sent, [json(['a'])], 'frames sent after h');
  });

  it('puts a plain array on a socket without resume, and confirms it at once', async function () {
    const { client, socket } = await openSocket('o', { resume: false });
    assert(socket.url.endsWith('/websocket?t'), `URL ${socket.url}`);
    const a = callback();
    client.send('a', a);
    await tick();
    assertJson(socket.sent, [json(['a'])], 'frames sent');
    assertJson(a.calls, ['delivered'], 'callback');
  });

  it('resumes on the same URL with the position, closes an abandoned socket with 4000 and the last with 1000 on close()', async function () {
    const { client, socket, sockets } = await openSocket('k0');
    assert(/\/websocket\?t&pos=0$/.test(socket.url), `URL ${socket.url}`);
    socket.receive('a["m1","m2"]');
    socket.end(1006);
    await until(() => sockets.length === 2, 2000, 'the reconnection');
    assertEqual(sockets[1].url, socket.url.replace(/pos=0$/, 'pos=2'), 'URL of the resume');
    const lost = nextEvent(client, 'error');
    sockets[1].receive('o');
    assertEqual((await lost).error.name, 'SessionLostError', 'error.name');
    assertJson(sockets[1].closes, [[4000]], 'close() calls on the socket that answered o');
    assertEqual(sockets.length, 3, 'sockets');
    assert(/\/websocket\?t&pos=0$/.test(sockets[2].url) && !sockets[2].url.startsWith(socket.url.split('/websocket')[0] + '/'), `URL of the fresh session ${sockets[2].url}`);
    sockets[2].receive('k0');
    client.close();
    assertJson(sockets[2].closes, [[1000]], 'close() calls on the socket at close()');
  });
});

// The control channel (xhr_send) against a server mocked with msw, on the polling tier.
const MOCK = '/mock/resume';
const INFO = { websocket: false, cookie_needed: false, origins: ['*:*'], entropy: 1, cometkit: { version: 1, polling: true, heartbeat: 25000 } };

/** What the mocked server saw and how it answers; reset before each test. */
let server;
// Sessions of earlier tests. A request a closed client made just before closing can still reach the
// worker after the next test began (Chromium does not stop an aborted fetch the worker already took):
// it is refused, so that it neither takes the next test's answers nor shows among its requests.
const stale = new Set();
function resetServer() {
  if (server) for (const id of server.sessions) stale.add(id);
  let release;
  const held = new Promise((resolve) => (release = resolve));
  // answers: the bodies of the polls in turn; polls beyond them are held until `release`.
  server = { sessions: new Set(), answers: [], polls: [], sends: [], sendGate: null, held, release };
}
const refused = () => new HttpResponse(null, { status: 404 });

const mswHandlers = [
  http.get(`${MOCK}/info`, () => HttpResponse.json(INFO)),
  http.post(`${MOCK}/:server/:session/poll`, async ({ request, params }) => {
    if (stale.has(params.session)) return refused();
    const own = server;
    own.sessions.add(params.session);
    own.polls.push(new URL(request.url).search);
    const answer = own.answers.length ? own.answers.shift() : await own.held.then(() => '');
    return new HttpResponse(answer, { headers: { 'Content-Type': 'application/javascript' } });
  }),
  http.post(`${MOCK}/:server/:session/xhr_send`, async ({ request, params }) => {
    if (stale.has(params.session)) return refused();
    const own = server;
    own.sends.push({ query: new URL(request.url).search, body: JSON.parse(await request.text()) });
    if (own.sendGate) await own.sendGate.promise;
    return new HttpResponse(null, { status: 204 });
  }),
  http.post(`${MOCK}/:server/:session/close`, () => new HttpResponse(null, { status: 204 })),
];

function gate() {
  let open;
  const promise = new Promise((resolve) => (open = resolve));
  return { promise, open };
}

describe('resume on the control channel (msw)', function () {
  this.timeout(10000);
  let worker;
  let clients = [];
  before(async function () {
    worker = await startMsw(...mswHandlers);
  });
  after(async function () {
    if (worker) await stopMsw(worker);
  });
  beforeEach(resetServer);
  afterEach(function () {
    for (const client of clients) client.close();
    clients = [];
    server.sendGate?.open();
    server.release();
  });

  async function openPolling(answers) {
    server.answers = answers;
    const client = createClient(MOCK, { transports: ['polling'], reconnect: false });
    clients.push(client);
    const received = [];
    client.on('message', ({ data }) => received.push(data));
    const opened = nextEvent(client, 'open', 5000);
    const failed = nextEvent(client, 'error', 5000).then(({ error }) => Promise.reject(error));
    failed.catch(() => {});
    const event = await Promise.race([opened, failed]);
    return { client, received, event };
  }

  it('numbers a batch ?pos=<received>&seq=<first> on a resumable session, and runs its callbacks after the 204', async function () {
    const { client, received, event } = await openPolling(['k0\na["m1","m2"]\n']);
    assertJson(event, { transport: 'polling', resumed: false }, 'open event');
    assert(server.polls[0].endsWith('&pos=0'), `query of the first poll: ${server.polls[0]}`);
    await until(() => received.length === 2, 3000, 'm1 and m2');
    server.sendGate = gate();
    const [x, y] = [callback(), callback()];
    client.send('x', x);
    await until(() => server.sends.length === 1, 3000, 'the first xhr_send');
    assertJson(server.sends[0], { query: '?t&pos=2&seq=1', body: ['x'] }, 'first xhr_send');
    await tick();
    assertJson(x.calls, [], 'callback while xhr_send is unanswered');
    server.sendGate.open();
    await until(() => x.calls.length > 0, 3000, 'the callback of x');
    assertJson(x.calls, ['delivered'], 'callback after the 204');
    server.sendGate = null;
    client.send('y', y);
    await until(() => y.calls.length > 0, 3000, 'the callback of y');
    assertJson(server.sends[1], { query: '?t&pos=2&seq=2', body: ['y'] }, 'second xhr_send');
    assertJson(y.calls, ['delivered'], 'callback of y');
    assert(server.polls.slice(1).every((query) => !query.includes('pos=')), `queries of later polls: ${json(server.polls)}`);
  });

  it('acknowledges with a bare xhr_send: body [] and only pos', async function () {
    // An empty answer to a plain poll counts as an h: m1 is then unacknowledged.
    const { received } = await openPolling(['k0\na["m1"]\n', '']);
    await until(() => server.sends.length === 1, 3000, 'the acknowledgement');
    assertJson(received, ['m1'], 'messages');
    assertJson(server.sends, [{ query: '?t&pos=1', body: [] }], 'xhr_send requests');
  });

  it('sends batches without pos or seq on a session that is not resumable', async function () {
    const { client, event } = await openPolling(['o\n']);
    assertEqual(event.resumed, false, 'open.resumed');
    const x = callback();
    client.send('x', x);
    await until(() => x.calls.length > 0, 3000, 'the callback of x');
    assertJson(server.sends, [{ query: '?t', body: ['x'] }], 'xhr_send requests');
    assertJson(x.calls, ['delivered'], 'callback');
  });
});
