// src/server/info.ts: GET /info (JSON and JSONP) and its preflight.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { request, start } from './helpers.mjs';

const NO_CACHE = 'no-store, no-cache, no-transform, must-revalidate, max-age=0';

describe('/info', () => {
  let server;
  let noWs;
  before(async () => {
    server = await start({ heartbeatDelay: 4321, maxBodySize: 5000 });
    noWs = await start({ websocket: false, jsessionid: true });
  });
  after(() => Promise.all([server.close(), noWs.close()]));

  it('answers the SockJS fields plus the cometkit extension', async () => {
    const res = await request(`${server.url}/info?t=${Date.now()}`);
    assert.equal(res.status, 200);
    assert.equal(res.headers['content-type'], 'application/json;charset=UTF-8');
    assert.equal(res.headers['cache-control'], NO_CACHE);
    assert.equal(res.headers['set-cookie'], undefined);
    assert.equal(res.headers.expires, undefined);
    assert.equal(res.headers['last-modified'], undefined);
    const body = JSON.parse(res.body);
    assert.equal(body.websocket, true);
    assert.equal(body.cookie_needed, false);
    assert.deepEqual(body.origins, ['*:*']);
    assert.ok(Number.isInteger(body.entropy) && body.entropy >= 0 && body.entropy < 2 ** 32, `uint32 entropy: ${body.entropy}`);
    // The extension block; other fields may join it as extensions are added.
    assert.equal(body.cometkit.version, 1);
    assert.equal(body.cometkit.polling, true);
    assert.equal(body.cometkit.pollOnSend, true);
    assert.equal(body.cometkit.heartbeat, 4321);
    // The largest send body taken: cometkit clients keep their batches within it.
    assert.equal(body.cometkit.maxBody, 5000);
    assert.equal(res.headers['content-length'], String(Buffer.byteLength(res.body)));
  });

  it('reflects websocket: false and jsessionid: true', async () => {
    const body = JSON.parse((await request(`${noWs.url}/info`)).body);
    assert.equal(body.websocket, false);
    assert.equal(body.cookie_needed, true);
  });

  it('has fresh entropy on every request', async () => {
    const values = new Set();
    for (let i = 0; i < 5; i += 1) values.add(JSON.parse((await request(`${server.url}/info`)).body).entropy);
    assert.ok(values.size >= 4, `entropy repeats: ${[...values]}`);
  });

  it('CORS: * without credentials when there is no Origin', async () => {
    const res = await request(`${server.url}/info`);
    assert.equal(res.headers['access-control-allow-origin'], '*');
    assert.equal(res.headers['access-control-allow-credentials'], undefined);
  });

  it('CORS: echoes the Origin with credentials', async () => {
    const res = await request(`${server.url}/info`, { headers: { Origin: 'https://example.com:8443' } });
    assert.equal(res.headers['access-control-allow-origin'], 'https://example.com:8443');
    assert.equal(res.headers['access-control-allow-credentials'], 'true');
  });

  it('Timing-Allow-Origin: the CORS origin, so a page elsewhere can read the protocol the answer came over', async () => {
    const from = await request(`${server.url}/info`, { headers: { Origin: 'https://example.com:8443' } });
    assert.equal(from.headers['timing-allow-origin'], 'https://example.com:8443');
    assert.equal((await request(`${server.url}/info`)).headers['timing-allow-origin'], '*');
  });

  it('CORS: Origin null is answered with null', async () => {
    const res = await request(`${server.url}/info`, { headers: { Origin: 'null' } });
    assert.equal(res.headers['access-control-allow-origin'], 'null');
    assert.equal(res.headers['access-control-allow-credentials'], 'true');
  });

  it('OPTIONS /info: 204 preflight with GET allowed, long max-age, echoed request headers', async () => {
    const res = await request(`${server.url}/info`, {
      method: 'OPTIONS',
      headers: { Origin: 'https://a.example', 'Access-Control-Request-Headers': 'x-requested-with' },
    });
    assert.equal(res.status, 204);
    assert.equal(res.body, '');
    assert.equal(res.headers['access-control-allow-methods'], 'OPTIONS, GET');
    assert.ok(Number(res.headers['access-control-max-age']) >= 1000000);
    assert.equal(res.headers['access-control-allow-headers'], 'x-requested-with');
    assert.equal(res.headers['access-control-allow-origin'], 'https://a.example');
    assert.equal(res.headers['access-control-allow-credentials'], 'true');
    assert.equal(res.headers['cache-control'], 'public, max-age=31536000');
    assert.ok(Date.parse(res.headers.expires) > Date.now() + 300 * 24 * 3600 * 1000, 'Expires far ahead');
  });

  it('OPTIONS /info with Origin null', async () => {
    const res = await request(`${server.url}/info`, { method: 'OPTIONS', headers: { Origin: 'null' } });
    assert.equal(res.status, 204);
    assert.equal(res.headers['access-control-allow-origin'], 'null');
  });

  it('other methods: 405 with Allow', async () => {
    for (const method of ['POST', 'PUT', 'DELETE']) {
      const res = await request(`${server.url}/info`, { method });
      assert.equal(res.status, 405, method);
      assert.equal(res.headers.allow, 'OPTIONS, GET');
    }
  });

  it('JSONP: /info?c=cb wraps the body in the callback', async () => {
    for (const key of ['c', 'callback']) {
      const res = await request(`${server.url}/info?${key}=my_cb.x-1&t=1`);
      assert.equal(res.status, 200);
      assert.equal(res.headers['content-type'], 'application/javascript;charset=UTF-8');
      assert.equal(res.headers['x-content-type-options'], 'nosniff');
      assert.equal(res.headers['cache-control'], NO_CACHE);
      const m = /^\/\*\*\/my_cb\.x-1\((\{.*\})\);\r\n$/s.exec(res.body);
      assert.ok(m, `JSONP body: ${res.body}`);
      const body = JSON.parse(m[1]);
      assert.equal(body.websocket, true);
      assert.deepEqual(body.origins, ['*:*']);
      assert.equal(typeof body.entropy, 'number');
    }
  });

  it('JSONP: a bad or empty callback is a 500', async () => {
    const bad = await request(`${server.url}/info?c=${encodeURIComponent('alert(1)')}`);
    assert.equal(bad.status, 500);
    assert.equal(bad.body, 'invalid "callback" parameter');
    const long = await request(`${server.url}/info?c=${'x'.repeat(33)}`);
    assert.equal(long.status, 500);
    assert.equal(long.body, 'invalid "callback" parameter');
    const empty = await request(`${server.url}/info?c=`);
    assert.equal(empty.status, 500);
    assert.equal(empty.body, '"callback" parameter required');
  });

  it('is served under a prefix, not at the root', async () => {
    const prefixed = await start({ prefix: '/sock' });
    try {
      assert.equal((await request(`${prefixed.url}/info`)).status, 200);
      assert.equal((await request(`http://127.0.0.1:${prefixed.port}/info`)).status, 404);
    } finally {
      await prefixed.close();
    }
  });
});
