// The `maxSessions` option: a bound on the sessions the server keeps at once. Past it a request that
// would open a session gets 503 (an upgrade too); the sessions there go on, and a freed place is taken.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from '../../dist/server.js';
import { startEcho, request, openStream, openWs, wsUrl, sid, xhrSend, xhrPoll, nextConnection, withTimeout, PRELUDE } from './helpers.mjs';

/**
 * A closed session keeps its place until it expires (its disconnect delay): tries `open` (a request
 * for a new session, resolving with something that has its `status`) until it is not refused with
 * 503, and resolves with that answer.
 */
function whenFreed(open) {
  return withTimeout(
    (async () => {
      for (;;) {
        const answer = await open();
        if (answer.status !== 503) return answer;
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    })(),
    'a place freed',
    6000,
  );
}

const BAD = 'cometkit server: option "maxSessions" must be a positive integer up to 2147483647';

describe('maxSessions: the option', () => {
  it('is 100000 by default and takes a positive integer up to 2147483647', () => {
    assert.equal(createServer().options.maxSessions, 100000);
    assert.equal(createServer({ maxSessions: 1 }).options.maxSessions, 1);
    for (const bad of [0, -1, 1.5, 2147483648, '10', null, Infinity]) {
      assert.throws(() => createServer({ maxSessions: bad }), { name: 'TypeError', message: BAD }, String(bad));
    }
  });
});

describe('maxSessions: requests', () => {
  let server;
  const streams = [];
  before(async () => {
    server = await startEcho({ prefix: '/echo', maxSessions: 2 });
  });
  after(async () => {
    for (const s of streams) s.req.destroy();
    await server.close();
  });
  const base = () => server.url;
  const ORIGIN = 'http://app.test:8080';

  it('answers a new session past the bound with 503 on every receiving endpoint and the upgrades; the open sessions go on; a freed place is taken', async () => {
    const [a, b] = [sid(), sid()];
    for (const id of [a, b]) {
      const opened = nextConnection(server);
      const stream = await openStream(`${base()}/000/${id}/xhr_streaming`, { method: 'POST' });
      streams.push(stream);
      await stream.until((t) => t === PRELUDE + 'o\n', 'the open frame');
      await opened;
    }
    assert.equal(server.comet.sessions.size, 2);

    // Every way in to a new session is refused, readable cross-origin, with a hint of when to come back.
    const refusals = [
      ['POST', 'xhr_streaming'],
      ['POST', 'xhr'],
      ['POST', 'poll'],
      ['GET', 'eventsource'],
      ['GET', 'htmlfile?c=cb'],
      ['GET', 'jsonp?c=cb'],
    ];
    for (const [method, path] of refusals) {
      const res = await request(`${base()}/000/${sid()}/${path}`, { method, headers: { Origin: ORIGIN } });
      assert.equal(res.status, 503, path);
      assert.equal(res.body, 'Too many sessions.', path);
      assert.equal(res.headers['retry-after'], '5', path);
      assert.equal(res.headers['access-control-allow-origin'], ORIGIN, path);
    }
    for (const path of [`/000/${sid()}/websocket`, '/websocket']) {
      const ws = openWs(wsUrl(base(), path));
      await assert.rejects(ws.opened, { status: 503 }, path);
    }
    assert.equal(server.comet.sessions.size, 2, 'no session opened by the refused requests');

    // The sessions there go on: sends, and a receiving request of their own.
    assert.equal((await xhrSend(base(), a, ['still here'])).status, 204);
    await streams[0].until((t) => t.endsWith('a["still here"]\n'), 'the echo on the first session');
    streams[1].req.destroy();
    const poll = await xhrPoll(base(), b);
    assert.equal(poll.status, 200, 'a receiving request to a session in use');

    // A place freed (once the closed session has expired): a new session is taken.
    server.comet.sessions.get(a).close(3000, 'Go away!');
    const id = sid();
    const opened = nextConnection(server);
    const stream = await whenFreed(() => openStream(`${base()}/000/${id}/xhr_streaming`, { method: 'POST' }));
    streams.push(stream);
    await stream.until((t) => t.startsWith(PRELUDE + 'o\n'), 'the open frame of a new session');
    assert.equal((await opened).id, id);
  });
});

describe('maxSessions: WebSockets on a session id in use', () => {
  let server;
  const streams = [];
  before(async () => {
    server = await startEcho({ maxSessions: 2 });
  });
  after(async () => {
    for (const s of streams) s.req.destroy();
    await server.close();
  });

  it('counts one that opens a session of its own; one that takes the session over or resumes it goes on', async () => {
    const a = sid();
    const openedA = nextConnection(server);
    const stream = await openStream(`${server.url}/000/${a}/xhr_streaming`, { method: 'POST' });
    streams.push(stream);
    await stream.until((t) => t === PRELUDE + 'o\n', 'the open frame');
    const sessionA = await openedA;

    // The protocol lets a WebSocket reuse an id in use: a session of its own, which takes a place.
    const own = openWs(wsUrl(server.url, `/000/${a}/websocket`));
    await own.opened;
    assert.equal(await own.next(), 'o');
    for (let i = 0; i < 3; i += 1) {
      await assert.rejects(openWs(wsUrl(server.url, `/000/${a}/websocket`)).opened, { status: 503 }, `upgrade ${i}`);
    }
    // Listed under the id is the session that requests to it reach.
    assert.equal(server.comet.sessions.get(a), sessionA);

    // Moving the session onto a WebSocket opens none.
    const moved = openWs(wsUrl(server.url, `/000/${a}/websocket?takeover=1`));
    await moved.opened;
    assert.equal(await moved.next(), 'h');
    await stream.ended;

    // Resuming one opens none either.
    own.ws.close(1000);
    await own.closed;
    const b = sid();
    const openedB = nextConnection(server);
    // (The closed one keeps its place until it expires.)
    const resumable = await whenFreed(() => openStream(`${server.url}/000/${b}/xhr_streaming?pos=0`, { method: 'POST' }));
    streams.push(resumable);
    await resumable.until((t) => t === PRELUDE + 'k0\n', 'the open frame');
    await openedB;
    const resumed = openWs(wsUrl(server.url, `/000/${b}/websocket?pos=0`));
    await resumed.opened;
    assert.equal(await resumed.next(), 'k0');
    moved.ws.close(1000);
    resumed.ws.close(1000);
    await Promise.all([moved.closed, resumed.closed]);
  });
});

describe('maxSessions: closed sessions', () => {
  let server;
  before(async () => {
    server = await startEcho({ maxSessions: 2, disconnectDelay: 500 });
  });
  after(() => server.close());

  it('count until they expire: a client that opens sessions and cuts them in a loop is held to the bound', async () => {
    const ids = [sid(), sid()];
    for (const id of ids) {
      const closed = nextConnection(server).then((session) => new Promise((resolve) => session.once('close', resolve)));
      const stream = await openStream(`${server.url}/000/${id}/xhr_streaming`, { method: 'POST' });
      await stream.until((t) => t.startsWith(PRELUDE + 'o\n'), 'the open frame');
      // Cut: a session without resume ends (1002) and repeats its close frame until it expires.
      stream.abort();
      await closed;
    }
    assert.equal(server.comet.sessions.size, 0, 'no session open');
    // Each closed one is still in memory, repeating its close frame: a new session finds no place.
    for (const path of ['xhr', 'xhr_streaming']) {
      const res = await request(`${server.url}/000/${sid()}/${path}`, { method: 'POST' });
      assert.equal(res.status, 503, path);
    }
    await assert.rejects(openWs(wsUrl(server.url, `/000/${sid()}/websocket`)).opened, { status: 503 }, 'upgrade');
    for (const id of ids) assert.equal((await xhrPoll(server.url, id)).body, 'c[1002,"Connection interrupted"]\n');
    // Once they expire, their places are taken again.
    const poll = await whenFreed(() => xhrPoll(server.url, sid()));
    assert.equal(poll.body, 'o\n');
  });

  it('a session its client leaves (POST /close) is removed at once, and its place taken at once', async () => {
    const own = await startEcho({ maxSessions: 2, disconnectDelay: 500 });
    try {
      for (const id of [sid(), sid()]) {
        assert.equal((await xhrPoll(own.url, id)).body, 'o\n');
        assert.equal((await request(`${own.url}/000/${id}/close`, { method: 'POST' })).status, 204);
        // Not kept repeating its close frame: a receiver on the id opens a new session, left at once too.
        assert.equal((await xhrPoll(own.url, id)).body, 'o\n');
        assert.equal((await request(`${own.url}/000/${id}/close`, { method: 'POST' })).status, 204);
      }
      // Within the disconnect delay (500 ms), which a session closed otherwise would wait out.
      for (let i = 0; i < 2; i++) assert.equal((await xhrPoll(own.url, sid())).body, 'o\n', `new session ${i + 1}`);
    } finally {
      await own.close();
    }
  });

  it('a session whose client closes its WebSocket with 1000 is removed at once, resumable or not', async () => {
    const own = await startEcho({ maxSessions: 1, disconnectDelay: 500 });
    try {
      for (const query of ['', '?pos=0']) {
        const opened = nextConnection(own);
        const ws = openWs(wsUrl(own.url, `/000/${sid()}/websocket${query}`));
        await ws.opened;
        assert.equal(await ws.next(), query ? 'k0' : 'o');
        const session = await opened;
        const closed = new Promise((resolve) => session.once('close', resolve));
        ws.ws.close(1000);
        await closed;
        // The one place is free at once (a session closed otherwise keeps it for 500 ms, or 30 s).
        const id = sid();
        assert.equal((await xhrPoll(own.url, id)).body, 'o\n', `after a ${query ? 'resumable' : 'plain'} session`);
        assert.equal((await request(`${own.url}/000/${id}/close`, { method: 'POST' })).status, 204);
      }
    } finally {
      await own.close();
    }
  });
});
