// src/server/session.ts: the session life cycle seen by the application and
// the wire: open, queueing and coalescing, heartbeats, one receiver at a time,
// close() flushing, close frame repetition and disconnect-delay expiry.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  PRELUDE,
  nextConnection,
  openStream,
  openWs,
  request,
  sid,
  start,
  streamFrames,
  withTimeout,
  wsUrl,
  xhrPoll,
  xhrSend,
} from './helpers.mjs';


describe('session', () => {
  let server;
  let base;
  before(async () => {
    server = await start();
    base = server.url;
  });
  after(() => server.close());

  async function openSession(headers) {
    const id = sid();
    const connection = nextConnection(server);
    const res = await xhrPoll(base, id, headers);
    assert.equal(res.body, 'o\n');
    return { id, session: await connection };
  }

  it('describes itself to the application', async () => {
    const { id, session } = await openSession({ 'X-Test': 'yes' });
    assert.equal(session.id, id);
    assert.equal(session.state, 'open');
    assert.equal(session.info.transport, 'xhr');
    assert.equal(session.info.url, `/000/${id}/xhr`);
    assert.equal(session.info.headers['x-test'], 'yes');
    assert.equal(session.info.remoteAddress, '127.0.0.1');
    assert.equal(server.comet.sessions.get(id), session);
  });

  it("hands the application the opening request's URL with its query, where a client's token travels", async () => {
    const id = sid();
    let connection = nextConnection(server);
    await request(`${base}/000/${id}/xhr?t&token=a%20b&pos=0`, { method: 'POST' });
    assert.equal((await connection).info.url, `/000/${id}/xhr?t&token=a%20b&pos=0`);
    connection = nextConnection(server);
    const ws = openWs(wsUrl(base, `/000/${sid()}/websocket?t&token=a%20b`));
    await ws.opened;
    assert.match((await connection).info.url, /\/websocket\?t&token=a%20b$/);
    ws.ws.close();
  });

  it('emits connection once per session, not per request', async () => {
    const { id, session } = await openSession();
    let extra = 0;
    const count = () => extra++;
    server.comet.on('connection', count);
    session.send('one');
    assert.equal((await xhrPoll(base, id)).body, 'a["one"]\n');
    assert.equal((await xhrSend(base, id, ['ping'])).status, 204);
    session.send('two');
    assert.equal((await xhrPoll(base, id)).body, 'a["two"]\n');
    server.comet.off('connection', count);
    assert.equal(extra, 0);
  });

  it('delivers messages in order to the application', async () => {
    const { id, session } = await openSession();
    const got = [];
    session.on('message', (m) => got.push(m));
    await xhrSend(base, id, ['1', '2']);
    await xhrSend(base, id, ['3']);
    assert.deepEqual(got, ['1', '2', '3']);
  });

  it('queues messages while no receiver is attached and sends them in one frame', async () => {
    const { id, session } = await openSession();
    assert.equal(session.send('a'), true);
    session.send('b');
    await sleep(0); // let a (wrongly) scheduled flush run: nothing may be lost meanwhile
    session.send('c');
    assert.equal((await xhrPoll(base, id)).body, 'a["a","b","c"]\n');
  });

  it('coalesces sends made in one tick into one frame', async () => {
    const { id, session } = await openSession();
    const stream = await openStream(`${base}/000/${id}/xhr_streaming`, { method: 'POST' });
    await stream.until((t) => t.length >= PRELUDE.length);
    for (let i = 0; i < 5; i += 1) session.send(String(i));
    await stream.until((t) => t.endsWith('\n') && t.length > PRELUDE.length);
    assert.deepEqual(streamFrames(stream.text), ['a["0","1","2","3","4"]']);
    stream.abort();
  });

  it('send() takes only strings', async () => {
    const { session } = await openSession();
    for (const bad of [1, null, undefined, {}, Buffer.from('x')]) {
      assert.throws(() => session.send(bad), { name: 'TypeError', message: 'cometkit server: send() takes a string' });
    }
  });

  it('close() takes an integer code and a string reason, and a bad one changes nothing', async () => {
    const { session } = await openSession();
    const message = 'cometkit server: close() takes an integer code and a string reason';
    for (const [code, reason] of [['3000', 'x'], [3000.5, 'x'], [NaN, 'x'], [3000, 12], [3000, null]]) {
      assert.throws(() => session.close(code, reason), { name: 'TypeError', message }, `close(${code}, ${reason})`);
      assert.throws(() => server.comet.close(code, reason), { name: 'TypeError', message }, `server close(${code}, ${reason})`);
    }
    assert.equal(session.state, 'open');
    session.close(3001, 'fine');
    assert.equal(session.state, 'closed');
  });

  it('a second receiver gets c[2010] and the first keeps working', async () => {
    const { id, session } = await openSession();
    const first = await openStream(`${base}/000/${id}/xhr_streaming`, { method: 'POST' });
    await first.until((t) => t.length >= PRELUDE.length);
    const second = await xhrPoll(base, id);
    assert.equal(second.body, 'c[2010,"Another connection still open"]\n');
    const third = await openStream(`${base}/000/${id}/xhr_streaming`, { method: 'POST' });
    assert.equal(await third.ended, PRELUDE + 'c[2010,"Another connection still open"]\n');
    assert.equal(session.state, 'open');
    session.send('still here');
    await first.until((t) => t.includes('a["still here"]\n'));
    assert.equal(first.done, false);
    first.abort();
  });

  it('close(code, reason) flushes queued messages, then the close frame, and repeats it', async () => {
    const { id, session } = await openSession();
    const closed = once(session, 'close');
    const stream = await openStream(`${base}/000/${id}/xhr_streaming`, { method: 'POST' });
    await stream.until((t) => t.length >= PRELUDE.length);
    session.send('last');
    session.send('words');
    session.close(4001, 'Bye now');
    assert.equal(session.state, 'closed');
    assert.deepEqual(await withTimeout(closed, 'close event'), [4001, 'Bye now']);
    const body = await stream.ended;
    assert.deepEqual(streamFrames(body), ['a["last","words"]', 'c[4001,"Bye now"]']);
    assert.equal(session.send('too late'), false);
    // Every later receiver hears the close frame again, and nothing else.
    assert.equal((await xhrPoll(base, id)).body, 'c[4001,"Bye now"]\n');
    const again = await openStream(`${base}/000/${id}/xhr_streaming`, { method: 'POST' });
    assert.equal(await again.ended, PRELUDE + 'c[4001,"Bye now"]\n');
    assert.equal(server.comet.sessions.has(id), false);
  });

  it('close() defaults to 3000 "Go away!" and a second close() is a no-op', async () => {
    const { id, session } = await openSession();
    let events = 0;
    session.on('close', () => events++);
    session.close();
    session.close(4000, 'other');
    assert.equal(events, 1);
    assert.equal((await xhrPoll(base, id)).body, 'c[3000,"Go away!"]\n');
  });

  it('close() with no receiver attached waits for the next one', async () => {
    const { id, session } = await openSession();
    session.send('queued');
    session.close(3003, 'Later');
    const res = await xhrPoll(base, id);
    // One frame per poll: the queued message first, then the close frame.
    assert.equal(res.body, 'a["queued"]\n');
    assert.equal((await xhrPoll(base, id)).body, 'c[3003,"Later"]\n');
  });

  it('an aborted receiver closes the session with 1002 "Connection interrupted"', async () => {
    const { id, session } = await openSession();
    const closed = once(session, 'close');
    const stream = await openStream(`${base}/000/${id}/xhr_streaming`, { method: 'POST' });
    await stream.until((t) => t.length >= PRELUDE.length);
    stream.abort();
    assert.deepEqual(await withTimeout(closed, 'close after abort'), [1002, 'Connection interrupted']);
    assert.equal((await xhrPoll(base, id)).body, 'c[1002,"Connection interrupted"]\n');
  });

  it('ignores messages sent to a closed session', async () => {
    const { id, session } = await openSession();
    const got = [];
    session.on('message', (m) => got.push(m));
    session.close();
    const res = await xhrSend(base, id, ['ignored']);
    assert.equal(res.status, 204);
    assert.deepEqual(got, []);
  });
});

describe('session expiry', () => {
  let server;
  let base;
  before(async () => {
    server = await start({ disconnectDelay: 100 });
    base = server.url;
  });
  after(() => server.close());

  /** Opens a session on a held xhr_streaming response, so it cannot expire meanwhile. */
  async function openStreaming() {
    const id = sid();
    const connection = nextConnection(server);
    const stream = await openStream(`${base}/000/${id}/xhr_streaming`, { method: 'POST' });
    await stream.until((t) => t === PRELUDE + 'o\n');
    return { id, stream, session: await connection };
  }

  it('emits close (1000, "Session timed out") after the disconnect delay', async () => {
    const id = sid();
    const connection = nextConnection(server);
    assert.equal((await xhrPoll(base, id)).body, 'o\n');
    const session = await connection;
    const [code, reason] = await withTimeout(once(session, 'close'), 'session timeout');
    assert.equal(code, 1000);
    assert.equal(reason, 'Session timed out');
    assert.equal(session.state, 'closed');
    assert.equal(server.comet.sessions.has(id), false);
    // The id is free again: the next poll opens a new session.
    const next = nextConnection(server);
    assert.equal((await xhrPoll(base, id)).body, 'o\n');
    assert.notEqual(await next, session);
  });

  it('a held receiver keeps the session alive past the disconnect delay', async () => {
    const { stream, session } = await openStreaming();
    let closed = false;
    session.on('close', () => (closed = true));
    await sleep(300); // 3 × disconnectDelay: nothing to await, the point is that nothing happens
    assert.equal(closed, false);
    session.send('alive');
    await stream.until((t) => t.includes('a["alive"]\n'));
    stream.abort();
  });

  it('a session closed under a streaming receiver still expires (its id becomes free)', async () => {
    const { id, stream, session } = await openStreaming();
    session.close(3000, 'Go away!');
    assert.equal(await stream.ended, PRELUDE + 'o\nc[3000,"Go away!"]\n');
    // The expiry timer is what is tested: removal has no event, `sessions` lists open sessions only,
    // and a poll of the id would start the timer over. Past the disconnect delay (100 ms):
    await sleep(300);
    assert.equal((await xhrPoll(base, id)).body, 'o\n', 'a fresh session after expiry');
  });
});

describe('heartbeats', () => {
  let server;
  before(async () => {
    server = await start({ heartbeatDelay: 150 });
  });
  after(() => server.close());

  it('sends h to an idle streaming receiver, again and again', async () => {
    const id = sid();
    const stream = await openStream(`${server.url}/000/${id}/xhr_streaming`, { method: 'POST' });
    await stream.until((t) => t === PRELUDE + 'o\nh\nh\n', 'two heartbeats');
    stream.abort();
  });

  it('a message postpones the heartbeat', async () => {
    const id = sid();
    const connection = nextConnection(server);
    const stream = await openStream(`${server.url}/000/${id}/xhr_streaming`, { method: 'POST' });
    const session = await connection;
    await stream.until((t) => t.endsWith('o\n'));
    session.send('m');
    await stream.until((t) => t.endsWith('h\n'));
    assert.deepEqual(streamFrames(stream.text), ['o', 'a["m"]', 'h']);
    stream.abort();
  });

  it('ends an idle long-poll with h', async () => {
    const id = sid();
    assert.equal((await xhrPoll(server.url, id)).body, 'o\n');
    assert.equal((await xhrPoll(server.url, id)).body, 'h\n');
  });
});
