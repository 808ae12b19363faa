// What a cometkit client may ask of a receiving request (PROTOCOL.md, "Tuning
// and takeover"): `h` (heartbeat delay), `ttl` (streaming response age) and
// `takeover=1` (move a session to another receiver, WebSocket included).
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { start, nextConnection, openStream, openWs, wsUrl, streamFrames as frames, sid } from './helpers.mjs';

describe('receive tuning and takeover', () => {
  let server;
  let base;
  before(async () => {
    // A long server heartbeat, so anything sooner comes from the client's `h`.
    server = await start({ heartbeatDelay: 20000, disconnectDelay: 2000 });
    base = server.url;
  });
  after(() => server.close());

  const stream = (id, query = '') => openStream(`${base}/000/${id}/xhr_streaming${query}`, { method: 'POST' });

  it('sends heartbeats at the delay a client asks for with h, and not below 1000 ms', async () => {
    const id = sid();
    const connected = nextConnection(server);
    const s = await stream(id, '?h=10');
    await connected;
    const started = Date.now();
    await s.until((t) => frames(t).includes('h'), 'a heartbeat');
    const waited = Date.now() - started;
    assert.ok(waited >= 900 && waited < 2500, `heartbeat after ${waited} ms, expected about 1000`);
    s.abort();
  });

  it('never stretches the heartbeat beyond the server own delay', async () => {
    const quick = await start({ heartbeatDelay: 1000 });
    try {
      const s = await openStream(`${quick.url}/000/${sid()}/xhr_streaming?h=60000`, { method: 'POST' });
      const started = Date.now();
      await s.until((t) => frames(t).includes('h'), 'a heartbeat');
      assert.ok(Date.now() - started < 2500, 'the server heartbeat applies');
      s.abort();
    } finally {
      await quick.close();
    }
  });

  it('ends a streaming response after ttl ms and keeps the session for the next one', async () => {
    const id = sid();
    const connected = nextConnection(server);
    const first = await stream(id, '?ttl=1000');
    const session = await connected;
    const started = Date.now();
    const text = await first.ended;
    const age = Date.now() - started;
    assert.ok(age >= 900 && age < 2500, `ended after ${age} ms`);
    assert.deepEqual(frames(text), ['o']);
    session.send('after the first response');
    const second = await stream(id);
    await second.until((t) => frames(t).includes('a["after the first response"]'), 'the queued message');
    assert.equal(session.state, 'open');
    second.abort();
  });

  it('takes a ttl beyond what a timer holds as none, instead of ending the response at once', async () => {
    const id = sid();
    const connected = nextConnection(server);
    const s = await stream(id, '?ttl=3000000000');
    const session = await connected;
    await s.until((t) => frames(t).includes('o'), 'open');
    session.send('still streaming');
    await s.until((t) => frames(t).includes('a["still streaming"]'), 'the message on the same response');
    assert.equal(s.done, false, 'the response is still open');
    s.abort();
  });

  it('takes a ttl or h not written in digits (empty, blank, 1e3) as none, not as the 1000 ms floor', async () => {
    const streams = await Promise.all(['?ttl=&h=', '?ttl=%20&h=%20', '?ttl=1e3&h=1e3'].map((query) => stream(sid(), query)));
    for (const s of streams) await s.until((t) => frames(t).includes('o'), 'open');
    // Past the floor, with room for a slow machine: a ttl or h read as 1000 ms shows by now.
    await new Promise((resolve) => setTimeout(resolve, 1500));
    for (const s of streams) {
      assert.equal(s.done, false, 'the response is still open');
      assert.deepEqual(frames(s.text), ['o'], 'no heartbeat');
      s.abort();
    }
  });

  it('refuses a second receiver with 2010 when it does not ask to take over', async () => {
    const id = sid();
    const first = await stream(id);
    await first.until((t) => frames(t).includes('o'), 'open');
    const second = await stream(id);
    assert.deepEqual(frames(await second.ended), ['c[2010,"Another connection still open"]']);
    assert.equal(first.done, false, 'the first receiver stays');
    first.abort();
  });

  it('takes no h from a receiver it refuses with 2010: the session keeps its heartbeat', async () => {
    const id = sid();
    const connected = nextConnection(server);
    const first = await stream(id);
    const session = await connected;
    await first.until((t) => frames(t).includes('o'), 'open');
    const second = await stream(id, '?h=1000');
    assert.deepEqual(frames(await second.ended), ['c[2010,"Another connection still open"]']);
    // A write re-arms the heartbeat at the session's delay: an h taken from the refused request shows
    // a second later.
    session.send('after the refusal');
    await first.until((t) => frames(t).includes('a["after the refusal"]'), 'the message');
    await new Promise((resolve) => setTimeout(resolve, 1500));
    assert.deepEqual(frames(first.text), ['o', 'a["after the refusal"]'], 'no heartbeat before the server own delay');
    first.abort();
  });

  it('moves a session to a new HTTP receiver on takeover=1: the old one ends with an h, without a close frame', async () => {
    const id = sid();
    const connected = nextConnection(server);
    const first = await stream(id);
    const session = await connected;
    await first.until((t) => frames(t).includes('o'), 'open');
    session.send('one');
    await first.until((t) => frames(t).includes('a["one"]'), 'one');
    const second = await stream(id, '?takeover=1');
    // The h completes a held poll properly; on a stream it is a last heartbeat.
    assert.deepEqual(frames(await first.ended), ['o', 'a["one"]', 'h'], 'old receiver: only an h after the takeover');
    await second.until((t) => frames(t).length >= 1, 'the takeover heartbeat');
    assert.equal(frames(second.text)[0], 'h', 'the new receiver hears h at once');
    session.send('two');
    await second.until((t) => frames(t).includes('a["two"]'), 'two on the new receiver');
    assert.equal(session.state, 'open');
    second.abort();
  });

  it('moves an HTTP session onto a WebSocket with takeover=1 and back onto HTTP', async () => {
    const id = sid();
    const connected = nextConnection(server);
    const http1 = await stream(id);
    const session = await connected;
    await http1.until((t) => frames(t).includes('o'), 'open');
    const ws = openWs(wsUrl(base, `/000/${id}/websocket?takeover=1`));
    await ws.opened;
    assert.equal(await ws.next(), 'h', 'takeover heartbeat over the WebSocket');
    await http1.ended;
    session.send('over the socket');
    assert.equal(await ws.next(), 'a["over the socket"]');
    const http2 = await stream(id, '?takeover=1');
    await http2.until((t) => frames(t)[0] === 'h', 'takeover heartbeat over HTTP');
    const closed = await ws.closed;
    assert.equal(closed.code, 1000, 'the replaced WebSocket is closed normally');
    session.send('back on HTTP');
    await http2.until((t) => frames(t).includes('a["back on HTTP"]'), 'message on HTTP again');
    assert.equal(session.state, 'open', 'the session outlived both switches');
    http2.abort();
  });

  it('treats takeover=1 for an unknown session as a new session', async () => {
    const id = sid();
    const s = await stream(id, '?takeover=1');
    await s.until((t) => frames(t)[0] === 'o', 'open');
    s.abort();
  });

  it('lets a polling receiver take over too: the takeover h ends that poll', async () => {
    const id = sid();
    const first = await stream(id);
    await first.until((t) => frames(t).includes('o'), 'open');
    const res = await openStream(`${base}/000/${id}/xhr?takeover=1`, { method: 'POST' });
    assert.equal(await res.ended, 'h\n');
    await first.ended;
  });
});
