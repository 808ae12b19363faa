// src/server/transports/jsonp.ts: GET /<server>/<session>/jsonp?c=<callback>,
// and its sending side POST /<server>/<session>/jsonp_send.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { start, request, nextConnection, jsonpFrame, sid, held } from '../helpers.mjs';

const NO_CACHE = 'no-store, no-cache, no-transform, must-revalidate, max-age=0';

describe('jsonp polling', () => {
  let server;
  let base;
  const poll = (id, callback = 'cb') => request(`${base}/000/${id}/jsonp?c=${callback}&t=${Date.now()}`);
  const send = (id, messages) =>
    request(`${base}/000/${id}/jsonp_send`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: 'd=' + encodeURIComponent(JSON.stringify(messages)),
    });
  before(async () => {
    server = await start({}, (s) => s.on('message', (m) => s.send(m)));
    base = server.url;
  });
  after(() => server.close());

  it('answers javascript, nosniff, no-cache, with the open frame in the callback', async () => {
    const res = await poll(sid(), 'jQuery_123.cb-2');
    assert.equal(res.status, 200);
    assert.equal(res.headers['content-type'], 'application/javascript;charset=UTF-8');
    assert.equal(res.headers['x-content-type-options'], 'nosniff');
    assert.equal(res.headers['cache-control'], NO_CACHE);
    assert.equal(res.headers.expires, undefined);
    assert.equal(res.body, '/**/jQuery_123.cb-2("o");\r\n');
  });

  it('carries exactly one frame per response, as a JSON string', async () => {
    const id = sid();
    assert.deepEqual(jsonpFrame((await poll(id)).body), ['cb', 'o']);
    const held = poll(id);
    const sent = await send(id, ['x', 'y']);
    assert.equal(sent.status, 200);
    assert.equal(sent.body, 'ok');
    const res = await held;
    assert.equal(res.body, '/**/cb("a[\\"x\\",\\"y\\"]");\r\n');
    assert.deepEqual(jsonpFrame(res.body), ['cb', 'a["x","y"]']);
  });

  it('coalesces several sends in one tick into one frame', async () => {
    const id = sid();
    const connection = nextConnection(server);
    await poll(id);
    const session = await connection;
    session.send('1');
    session.send('2');
    session.send('3');
    assert.deepEqual(jsonpFrame((await poll(id)).body), ['cb', 'a["1","2","3"]']);
  });

  it('frames queued in separate ticks go out one per poll', async () => {
    const id = sid();
    const connection = nextConnection(server);
    await poll(id);
    const session = await connection;
    const first = poll(id);
    // Held first: messages queued before a receiver comes go out together, in one frame.
    await held(server, id);
    session.send('first');
    await new Promise((r) => setImmediate(r));
    session.send('second');
    session.close(3001, 'done');
    const res = await first;
    assert.deepEqual(jsonpFrame(res.body), ['cb', 'a["first"]']);
    assert.deepEqual(jsonpFrame((await poll(id)).body), ['cb', 'a["second"]']);
    assert.deepEqual(jsonpFrame((await poll(id)).body), ['cb', 'c[3001,"done"]']);
    assert.deepEqual(jsonpFrame((await poll(id)).body), ['cb', 'c[3001,"done"]']);
  });

  it('sends a heartbeat to an idle poll', async () => {
    const fast = await start({ heartbeatDelay: 50 });
    try {
      const id = sid();
      const url = `${fast.url}/000/${id}/jsonp?c=cb`;
      assert.equal((await request(url)).body, '/**/cb("o");\r\n');
      assert.equal((await request(url)).body, '/**/cb("h");\r\n');
    } finally {
      await fast.close();
    }
  });

  it('a second poll while one is held gets c[2010]', async () => {
    const id = sid();
    const connection = nextConnection(server);
    await poll(id);
    const session = await connection;
    const held = poll(id);
    // The held poll is attached once the server has seen the request.
    await new Promise((r) => server.http.once('request', r));
    assert.deepEqual(jsonpFrame((await poll(id)).body), ['cb', 'c[2010,"Another connection still open"]']);
    session.send('to the first');
    assert.deepEqual(jsonpFrame((await held).body), ['cb', 'a["to the first"]']);
  });

  it('validates the callback', async () => {
    const id = sid();
    for (const query of ['', '?c=', '?t=1']) {
      const res = await request(`${base}/000/${id}/jsonp${query}`);
      assert.equal(res.status, 500, query);
      assert.equal(res.body, '"callback" parameter required');
      assert.equal(res.headers['cache-control'], NO_CACHE);
    }
    for (const bad of ['a()', 'a b', 'x'.repeat(33), '<script>']) {
      const res = await request(`${base}/000/${id}/jsonp?c=${encodeURIComponent(bad)}`);
      assert.equal(res.status, 500, bad);
      assert.equal(res.body, 'invalid "callback" parameter');
    }
    // None of these created the session.
    assert.equal((await send(id, ['x'])).status, 404);
  });

  it('escapes unsafe characters inside the JSON string', async () => {
    const id = sid();
    await poll(id);
    const tricky = 'a\u2028b\u2029c\x00d</script>e"f\\g';
    const held = poll(id);
    await send(id, [tricky]);
    const res = await held;
    // eslint-disable-next-line no-control-regex -- NUL is what this looks for
    assert.ok(!/[\u2028\u2029\x00]/.test(res.body), 'no raw separators or NUL');
    assert.ok(res.body.includes('\\\\u2028'), 'the frame\'s \\u2028 escape survives, escaped again');
    const [, frame] = jsonpFrame(res.body);
    assert.deepEqual(JSON.parse(frame.slice(1)), [tricky]);
  });

  it('echoes non-ASCII and 64 KiB messages intact', async () => {
    const id = sid();
    await poll(id);
    for (const message of ['Grüße, мир, 世界 🌍', 'w'.repeat(65536)]) {
      const held = poll(id);
      assert.equal((await send(id, [message])).status, 200);
      const [, frame] = jsonpFrame((await held).body);
      assert.deepEqual(JSON.parse(frame.slice(1)), [message]);
    }
  });
});
