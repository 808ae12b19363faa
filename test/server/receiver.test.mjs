// src/server/receiver.ts: a held HTTP response as a session's receiver.
// Polling receivers end after one frame, streaming ones at the response
// limit; only an early close of the response counts as an abort.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { once } from 'node:events';
import {
  PRELUDE,
  held,
  messagesOf,
  nextConnection,
  openStream,
  sid,
  start,
  streamFrames,
  withTimeout,
  xhrPoll,
} from './helpers.mjs';


describe('http receiver', () => {
  let server;
  let base;
  before(async () => {
    server = await start({ responseLimit: 200 });
    base = server.url;
  });
  after(() => server.close());

  it('a polling receiver ends after exactly one frame', async () => {
    const id = sid();
    const connection = nextConnection(server);
    assert.equal((await xhrPoll(base, id)).body, 'o\n');
    const session = await connection;
    const poll = xhrPoll(base, id);
    // Held first: messages queued before a receiver comes go out together, in one frame.
    await held(server, id);
    // Two separate ticks: two frames, but the poll takes only the first.
    session.send('first');
    await new Promise((r) => setImmediate(r));
    session.send('second');
    const res = await poll;
    assert.equal(res.body, 'a["first"]\n');
    assert.equal((await xhrPoll(base, id)).body, 'a["second"]\n');
  });

  it('a streaming receiver stays open until the response limit, then ends with whole frames', async () => {
    const id = sid();
    const connection = nextConnection(server);
    const stream = await openStream(`${base}/000/${id}/xhr_streaming`, { method: 'POST' });
    const session = await connection;
    const sent = [];
    // 30-char messages, one per tick, until the response ends.
    let i = 0;
    while (!stream.done) {
      const m = String(i).padStart(30, '0');
      sent.push(m);
      session.send(m);
      i += 1;
      await stream.until((t) => messagesOf(streamFrames(t)).length === i || stream.done);
      if (i > 50) assert.fail('the response never ended');
    }
    const body = await stream.ended;
    const frames = streamFrames(body);
    assert.ok(body.endsWith('\n'), 'ends on a frame boundary');
    const afterPrelude = body.length - PRELUDE.length;
    assert.ok(afterPrelude >= 200, `wrote up to the limit (${afterPrelude})`);
    // It ended on the first frame that reached the limit, not later.
    assert.ok(afterPrelude - (frames.at(-1).length + 1) < 200, 'ended as soon as the limit was reached');
    assert.equal(frames[0], 'o');
    assert.deepEqual(messagesOf(frames), sent);
    // Reaching the limit is not an abort: the session lives on, no new 'o'.
    assert.equal(session.state, 'open');
    session.send('next');
    assert.equal((await xhrPoll(base, id)).body, 'a["next"]\n');
  });

  it('a client that goes away early aborts the session', async () => {
    const id = sid();
    const connection = nextConnection(server);
    const stream = await openStream(`${base}/000/${id}/xhr_streaming`, { method: 'POST' });
    const session = await connection;
    await stream.until((t) => t.endsWith('o\n'));
    const closed = once(session, 'close');
    stream.abort();
    assert.deepEqual(await withTimeout(closed, 'close'), [1002, 'Connection interrupted']);
    // Writing to the dead receiver is harmless.
    assert.equal(session.send('x'), false);
  });

  it('an aborted long-poll aborts the session too', async () => {
    const id = sid();
    const connection = nextConnection(server);
    await xhrPoll(base, id);
    const session = await connection;
    const closed = once(session, 'close');
    // A held long-poll sends no headers yet; the server's 'request' event (emitted
    // after the handler, which attaches synchronously) says when it is held.
    const held = http.request(`${base}/000/${id}/xhr`, { method: 'POST', agent: false });
    held.on('error', () => {});
    const arrived = once(server.http, 'request');
    held.end();
    await withTimeout(arrived, 'request on the server');
    held.destroy();
    assert.deepEqual(await withTimeout(closed, 'close'), [1002, 'Connection interrupted']);
    assert.equal((await xhrPoll(base, id)).body, 'c[1002,"Connection interrupted"]\n');
  });

  it('a polling receiver ended by its frame is not an abort', async () => {
    const id = sid();
    const connection = nextConnection(server);
    await xhrPoll(base, id);
    const session = await connection;
    let closedWith = null;
    session.on('close', (code) => (closedWith = code));
    for (let i = 0; i < 3; i += 1) {
      session.send('m' + i);
      assert.equal((await xhrPoll(base, id)).body, `a["m${i}"]\n`);
    }
    assert.equal(closedWith, null);
    assert.equal(session.state, 'open');
  });
});
