// src/server/transports/websocket.ts: what a client that does not read its WebSocket may cost the
// process (bufferLimit). The client's socket is paused, so the kernel's buffers fill and `ws` holds
// the rest; how much the kernel takes varies, so the pushes are bounded by a generous ceiling.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { start, nextConnection, openWs, wsUrl, sid, withTimeout } from '../helpers.mjs';

const LIMIT = 65536;
const CHUNK = 'x'.repeat(16384);
// 64 MiB: far beyond what loopback's socket buffers take (a few MiB) before `ws` holds any.
const CEILING = 4096;
const REASON = 'Client not reading: unsent messages over the limit';

/**
 * Sends CHUNK-sized numbered messages, one per turn, while `session.send` takes them, at most
 * CEILING; resolves with how many it took and whether the session closed.
 */
async function pushUntilRefused(session) {
  let taken = 0;
  while (taken < CEILING) {
    if (!session.send(taken + ':' + CHUNK)) return { taken, refused: true };
    taken += 1;
    await new Promise((resolve) => setImmediate(resolve));
  }
  return { taken, refused: false };
}

/**
 * Pauses the client's socket and pushes until the session refuses; checks that it ended with 2011,
 * then lets the client read again. Resolves with how many messages the session took.
 */
async function stallAndOverflow(c, session) {
  const closed = once(session, 'close');
  c.ws._socket.pause();
  const { taken, refused } = await pushUntilRefused(session);
  assert.ok(refused, `the session still took messages after ${taken} × 16 KiB unread`);
  assert.deepEqual(await withTimeout(closed, 'session close'), [2011, REASON]);
  c.ws._socket.resume();
  return taken;
}

describe('websocket: a client that does not read (bufferLimit)', () => {
  let server;
  before(async () => {
    server = await start({ bufferLimit: LIMIT, resumeLimit: 128 * 1024 * 1024 });
  });
  after(() => server.close());

  it('takes bufferLimit as a positive integer, 1 MiB by default', async () => {
    assert.equal(server.comet.options.bufferLimit, LIMIT);
    const { createServer } = await import('../../../dist/server.js');
    assert.equal(createServer().options.bufferLimit, 1048576);
    for (const bad of [0, -1, 1.5, '1', 2 ** 31]) {
      assert.throws(() => createServer({ bufferLimit: bad }), {
        name: 'TypeError',
        message: 'cometkit server: option "bufferLimit" must be a positive integer up to 2147483647',
      });
    }
  });

  it('framed: ends a session without resume with 2011 once that much is unsent; the client still gets all it took, then the close frame', async () => {
    const connection = nextConnection(server);
    const c = openWs(wsUrl(server.url, `/000/${sid()}/websocket`));
    assert.equal(await c.next(), 'o');
    const taken = await stallAndOverflow(c, await connection);
    const got = [];
    for (;;) {
      const frame = await c.next('frames after the reader resumed');
      if (frame.startsWith('c')) {
        assert.equal(frame, JSON.stringify([2011, REASON]).replace(/^/, 'c'));
        break;
      }
      if (frame.startsWith('a')) got.push(...JSON.parse(frame.slice(1)));
    }
    assert.equal(got.length, taken, 'every message the session took reached the client');
    assert.ok(got.every((m, i) => m === i + ':' + CHUNK), 'in order, intact');
    assert.equal((await withTimeout(c.closed, 'socket close')).code, 1000);
  });

  it('raw: ends the session with 2011 and closes the socket with its reason', async () => {
    const connection = nextConnection(server);
    const c = openWs(wsUrl(server.url, '/websocket'));
    await c.opened;
    const taken = await stallAndOverflow(c, await connection);
    assert.deepEqual(await withTimeout(c.closed, 'socket close'), { code: 1000, reason: REASON });
    assert.equal(c.queue.length, taken, 'every message the session took reached the client');
  });

  it('one message larger than bufferLimit does not end the session by itself: the client gets it when it reads', async () => {
    const connection = nextConnection(server);
    const c = openWs(wsUrl(server.url, `/000/${sid()}/websocket`));
    assert.equal(await c.next(), 'o');
    const session = await connection;
    c.ws._socket.pause();
    // 4 MiB in one write: far more than loopback takes at once from a socket nobody reads yet.
    const big = 'b'.repeat(4 * 1024 * 1024);
    assert.equal(session.send(big), true);
    // The session writes in a later turn: two turns on, it has.
    for (let turn = 0; turn < 2; turn++) await new Promise((resolve) => setImmediate(resolve));
    assert.equal(session.state, 'open', 'a large write alone is no sign of a client that does not read');
    c.ws._socket.resume();
    assert.equal(await c.next('the large message'), 'a' + JSON.stringify([big]));
    assert.equal(session.send('after'), true);
    assert.equal(await c.next(), 'a["after"]');
    assert.equal(session.state, 'open');
    c.ws.close();
  });

  it('a resumable session is bounded by resumeLimit instead: it stays open past bufferLimit', async () => {
    const connection = nextConnection(server);
    const c = openWs(wsUrl(server.url, `/000/${sid()}/websocket?pos=0`));
    assert.equal(await c.next(), 'k0');
    const session = await connection;
    c.ws._socket.pause();
    // 8 MiB unread: past LIMIT once the kernel's buffers are full, well within resumeLimit.
    for (let i = 0; i < 512; i++) {
      assert.equal(session.send(CHUNK), true, `send ${i}`);
      await new Promise((resolve) => setImmediate(resolve));
    }
    assert.equal(session.state, 'open');
    c.ws.terminate();
  });
});

describe('websocket: a resuming client that acknowledges what it has not read', () => {
  let server;
  before(async () => {
    // Unsent past 64 KiB + 6 × 64 KiB: more than a client that reads what it acknowledges can leave.
    server = await start({ bufferLimit: LIMIT, resumeLimit: 65536 });
  });
  after(() => server.close());

  it('ends its session with 2011 once more is unsent than its unacknowledged messages could make', async () => {
    const connection = nextConnection(server);
    const c = openWs(wsUrl(server.url, `/000/${sid()}/websocket?pos=0`));
    assert.equal(await c.next(), 'k0');
    const session = await connection;
    const closed = once(session, 'close');
    c.ws._socket.pause();
    let taken = 0;
    while (taken < CEILING && session.send(taken + ':' + CHUNK)) {
      taken += 1;
      // Once written, "acknowledged" unread, so that nothing counts as kept (resumeLimit is never reached).
      await new Promise((resolve) => setImmediate(resolve));
      c.ws.send(JSON.stringify([taken, null]));
      await withTimeout(
        (async () => {
          while (session.kept > 0 && session.state === 'open') await new Promise((resolve) => setImmediate(resolve));
        })(),
        'the acknowledgement',
      );
    }
    assert.ok(taken < CEILING, `the session still took messages after ${taken} × 16 KiB unread`);
    assert.deepEqual(await withTimeout(closed, 'session close'), [2011, REASON]);
    c.ws.terminate();
  });
});
