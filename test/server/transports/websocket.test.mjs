// src/server/transports/websocket.ts: framed /<server>/<session>/websocket and
// raw /websocket.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { start, request, nextConnection, openWs, wsUrl, sid, withTimeout } from '../helpers.mjs';

describe('framed websocket', () => {
  let server;
  let base;
  const connect = (id = sid()) => openWs(wsUrl(base, `/000/${id}/websocket`));
  before(async () => {
    server = await start({}, (s) => s.on('message', (m) => s.send(m)));
    base = server.url;
  });
  after(() => server.close());

  it('opens with o and echoes a JSON string payload', async () => {
    const c = connect();
    await c.opened;
    assert.equal(await c.next(), 'o');
    c.ws.send('"hello"');
    assert.equal(await c.next(), 'a["hello"]');
    c.ws.close();
  });

  it('takes an array payload as several messages, in order', async () => {
    const c = connect();
    const connection = nextConnection(server);
    assert.equal(await c.next(), 'o');
    const session = await connection;
    const heard = [];
    session.on('message', (m) => heard.push(m));
    c.ws.send('["a","b","c"]');
    assert.equal(await c.next(), 'a["a","b","c"]', 'echoes made in one tick share a frame');
    assert.deepEqual(heard, ['a', 'b', 'c']);
    assert.equal(session.info.transport, 'websocket');
    c.ws.close();
  });

  it('ignores empty payloads and []', async () => {
    const c = connect();
    const connection = nextConnection(server);
    assert.equal(await c.next(), 'o');
    const session = await connection;
    const heard = [];
    session.on('message', (m) => heard.push(m));
    c.ws.send('');
    c.ws.send('[]');
    c.ws.send('["after"]');
    assert.equal(await c.next(), 'a["after"]');
    assert.deepEqual(heard, ['after']);
    assert.equal(session.state, 'open');
    c.ws.close();
  });

  for (const [label, payload] of [
    ['broken JSON', '["x"'],
    ['a number', '1'],
    ['an object', '{"a":"b"}'],
    ['an array holding a non-string', '["a",1]'],
    ['a binary message', Buffer.from('["x"]')],
  ]) {
    it(`closes with c[3000,"Broken framing."] on ${label}`, async () => {
      const c = connect();
      const connection = nextConnection(server);
      assert.equal(await c.next(), 'o');
      const session = await connection;
      const closed = once(session, 'close');
      c.ws.send(payload);
      assert.equal(await c.next(), 'c[3000,"Broken framing."]');
      const { code } = await withTimeout(c.closed, 'websocket close');
      assert.equal(code, 1000);
      assert.deepEqual(await withTimeout(closed, 'session close'), [3000, 'Broken framing.']);
    });
  }

  it('coalesces several sends in one tick into one frame', async () => {
    const c = connect();
    const connection = nextConnection(server);
    assert.equal(await c.next(), 'o');
    const session = await connection;
    session.send('1');
    session.send('2');
    session.send('3');
    assert.equal(await c.next(), 'a["1","2","3"]');
    session.send('4');
    assert.equal(await c.next(), 'a["4"]');
    c.ws.close();
  });

  it('session.close(code, reason) flushes, sends the close frame, then closes the socket', async () => {
    const c = connect();
    const connection = nextConnection(server);
    assert.equal(await c.next(), 'o');
    const session = await connection;
    session.send('last');
    session.close(3456, 'Bye');
    assert.equal(await c.next(), 'a["last"]');
    assert.equal(await c.next(), 'c[3456,"Bye"]');
    assert.equal((await withTimeout(c.closed, 'close')).code, 1000);
  });

  it('a client closing the socket closes the session', async () => {
    const c = connect();
    const connection = nextConnection(server);
    assert.equal(await c.next(), 'o');
    const session = await connection;
    const closed = once(session, 'close');
    c.ws.close();
    await withTimeout(closed, 'session close');
    assert.equal(session.state, 'closed');
    assert.equal(server.comet.sessions.has(session.id), false);
  });

  it('allows the same session id on two sockets at once', async () => {
    const id = sid();
    const a = connect(id);
    const b = connect(id);
    assert.equal(await a.next(), 'o');
    assert.equal(await b.next(), 'o');
    a.ws.send('"from a"');
    b.ws.send('"from b"');
    assert.equal(await a.next(), 'a["from a"]');
    assert.equal(await b.next(), 'a["from b"]');
    a.ws.close();
    b.ws.close();
  });

  it('echoes non-ASCII, escaped and 64 KiB messages intact', async () => {
    const c = connect();
    assert.equal(await c.next(), 'o');
    const messages = ['Ünïcödé — 漢字 — 🙂', 'y'.repeat(65536), '\ud800 lone surrogate', 'quote " backslash \\'];
    for (const m of messages) {
      c.ws.send(JSON.stringify(m));
      assert.deepEqual(JSON.parse((await c.next()).slice(1)), [m]);
    }
    c.ws.close();
  });

  it('404s ids with a dot and unknown paths on upgrade', async () => {
    for (const path of ['/000/a.b/websocket', '/0.0/ab/websocket', '/000/ab/xhr', '/000/ab/websocket/x']) {
      const c = openWs(wsUrl(base, path));
      await assert.rejects(c.opened, { status: 404 }, path);
    }
  });

  it('a plain GET is 400 and POST is 405', async () => {
    const get = await request(`${base}/000/${sid()}/websocket`);
    assert.equal(get.status, 400);
    assert.equal(get.body, 'Can "Upgrade" only to "WebSocket".');
    assert.equal((await request(`${base}/000/${sid()}/websocket`, { method: 'POST' })).status, 405);
  });
});

describe('websocket heartbeats', () => {
  let server;
  before(async () => {
    server = await start({ heartbeatDelay: 50 });
  });
  after(() => server.close());

  it('framed sockets get h when idle; raw sockets never do', async () => {
    const raw = openWs(wsUrl(server.url, '/websocket'));
    await raw.opened;
    const framed = openWs(wsUrl(server.url, `/000/${sid()}/websocket`));
    assert.equal(await framed.next(), 'o');
    assert.equal(await framed.next(), 'h');
    assert.equal(await framed.next(), 'h');
    // Two heartbeat delays have passed for the raw socket too.
    assert.deepEqual(raw.queue, []);
    raw.ws.close();
    framed.ws.close();
  });
});

// 61 two-byte characters, then 4-byte ones: 126 bytes, over the 123 a WebSocket close reason holds.
const LONG_REASON = 'ż'.repeat(61) + '😀😀😀';

describe('raw websocket', () => {
  let server;
  const errors = [];
  before(async () => {
    server = await start({ prefix: '/raw' }, (s) =>
      s.on('message', (m) => {
        if (m === 'close me') s.close(4321, 'As asked');
        else if (m === 'close 1001') s.close(1001, 'Going');
        else if (m === 'close long') s.close(4000, LONG_REASON);
        else s.send(m);
      }),
    );
  });
  after(() => server.close());

  it('echoes without framing: no o, no a[...]', async () => {
    const connection = nextConnection(server);
    const c = openWs(wsUrl(server.url, '/websocket'));
    await c.opened;
    const session = await connection;
    assert.equal(session.info.transport, 'rawwebsocket');
    c.ws.send('plain text, not JSON [');
    assert.equal(await c.next(), 'plain text, not JSON [');
    c.ws.send('["looks like json"]');
    assert.equal(await c.next(), '["looks like json"]');
    c.ws.close();
  });

  it('sends each message of a batch as its own WebSocket message', async () => {
    const connection = nextConnection(server);
    const c = openWs(wsUrl(server.url, '/websocket'));
    await c.opened;
    const session = await connection;
    session.send('1');
    session.send('2');
    assert.equal(await c.next(), '1');
    assert.equal(await c.next(), '2');
    c.ws.close();
  });

  it('echoes non-ASCII and 64 KiB messages intact', async () => {
    const c = openWs(wsUrl(server.url, '/websocket'));
    await c.opened;
    for (const m of ['ñandú 🐦 \u2028', 'r'.repeat(65536)]) {
      c.ws.send(m);
      assert.equal(await c.next(), m);
    }
    c.ws.close();
  });

  it('session.close(code, reason) closes the socket with that code and reason', async () => {
    const c = openWs(wsUrl(server.url, '/websocket'));
    await c.opened;
    c.ws.send('close me');
    assert.deepEqual(await withTimeout(c.closed, 'close'), { code: 4321, reason: 'As asked' });
    assert.deepEqual(c.queue, []);
  });

  it('codes a WebSocket may not send become 1000', async () => {
    const c = openWs(wsUrl(server.url, '/websocket'));
    await c.opened;
    c.ws.send('close 1001');
    assert.deepEqual(await withTimeout(c.closed, 'close'), { code: 1000, reason: 'Going' });
  });

  it('cuts a close reason to the 123 bytes a WebSocket holds, at a character, and still closes', async () => {
    server.comet.on('error', (error) => errors.push(error));
    const c = openWs(wsUrl(server.url, '/websocket'));
    await c.opened;
    c.ws.send('close long');
    const { code, reason } = await withTimeout(c.closed, 'close');
    assert.equal(code, 4000);
    assert.equal(reason, 'ż'.repeat(61));
    assert.deepEqual(errors, []);
  });
});

describe('websocket disabled', () => {
  let server;
  before(async () => {
    server = await start({ websocket: false });
  });
  after(() => server.close());

  it('refuses upgrades with 404 on both endpoints', async () => {
    for (const path of ['/websocket', `/000/${sid()}/websocket`]) {
      await assert.rejects(openWs(wsUrl(server.url, path)).opened, { status: 404 }, path);
    }
  });

  it('404s plain requests to the websocket endpoints and says so in /info', async () => {
    for (const path of ['/websocket', `/000/${sid()}/websocket`]) {
      assert.equal((await request(server.url + path)).status, 404, path);
    }
    assert.equal(JSON.parse((await request(server.url + '/info')).body).websocket, false);
  });

  it('the other transports still work', async () => {
    const res = await request(`${server.url}/000/${sid()}/xhr`, { method: 'POST' });
    assert.equal(res.body, 'o\n');
  });
});
