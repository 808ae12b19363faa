// src/server/origin.ts and the `origins` option: which pages may use the service. Requests are made
// as a browser would make them, with the headers it would send (Origin, Referer, Sec-Fetch-Site).
import { describe, it, before, after } from 'node:test';
import http from 'node:http';
import assert from 'node:assert/strict';
import { createServer } from '../../dist/server.js';
import { startEcho, request, openWs, wsUrl, sid, withTimeout } from './helpers.mjs';

const APP = 'http://app.test:8080';
const EVIL = 'https://evil.test';
const P = 'cometkit server: ';
const BAD_ORIGINS =
  P +
  'option "origins" must be an array of origins such as "https://app.example.com" (scheme, host, port if not the default; lower-case) or a function';

describe('origins: the option', () => {
  it('takes an array of origins as a browser sends them, or a function; every origin by default', () => {
    assert.equal(createServer().options.origins, undefined);
    const options = createServer({ origins: [APP, 'https://b.example'] }).options;
    assert.deepEqual(options.origins, [APP, 'https://b.example']);
    assert.ok(Object.isFrozen(options.origins), 'a frozen copy');
    const fn = () => true;
    assert.equal(createServer({ origins: fn }).options.origins, fn);
    assert.deepEqual(createServer({ origins: [] }).options.origins, [], 'none but the server itself');
    for (const bad of [
      'https://a.example',
      ['https://a.example/'],
      ['https://a.example/path'],
      ['HTTPS://A.example'],
      ['https://a.example:443'],
      ['a.example'],
      ['null'],
      ['*'],
      ['ftp://a.example'],
      [5],
      {},
      null,
    ]) {
      assert.throws(() => createServer({ origins: bad }), { name: 'TypeError', message: BAD_ORIGINS }, JSON.stringify(bad));
    }
  });
});

describe('origins: requests', () => {
  let server;
  let self;
  let asked = [];
  const errors = [];
  before(async () => {
    server = await startEcho({
      prefix: '/echo',
      origins: (origin) => {
        asked.push(origin);
        if (origin === 'https://throws.test') throw new Error('origins function failed');
        if (origin === 'https://async.test') return Promise.resolve(true);
        if (origin === 'https://truthy.test') return 1;
        return origin === APP;
      },
    });
    server.comet.on('error', (error) => errors.push(error));
    self = `http://127.0.0.1:${server.port}`;
  });
  after(() => server.close());

  const url = (path) => `${server.url}${path}`;
  // [label, method, path (a fresh session id goes in for ID), status when allowed]
  const ENDPOINTS = [
    ['xhr_streaming', 'POST', '/000/ID/xhr_streaming', 200],
    ['xhr', 'POST', '/000/ID/xhr', 200],
    ['poll', 'POST', '/000/ID/poll', 200],
    ['eventsource', 'GET', '/000/ID/eventsource', 200],
    ['htmlfile', 'GET', '/000/ID/htmlfile?c=cb', 200],
    ['jsonp', 'GET', '/000/ID/jsonp?c=cb', 200],
    ['xhr_send', 'POST', '/000/ID/xhr_send', 404],
    ['jsonp_send', 'POST', '/000/ID/jsonp_send', 404],
    ['close', 'POST', '/000/ID/close', 404],
    ['info', 'GET', '/info', 200],
    ['info, JSONP form', 'GET', '/info?c=cb', 200],
    ['bridge page', 'GET', '/iframe-cometkit.html', 200],
    ['iframe page', 'GET', '/iframe.html', 200],
  ];
  // Those that hand their answer to whichever page asked: refused when the page is not named.
  const STRICT = new Set(['jsonp', 'info, JSONP form', 'bridge page', 'iframe page']);

  /**
   * One request; resolves with its status and headers, and the body of any answer but a 200 (a
   * held receiving response is let go as soon as its status is known).
   */
  function call(method, path, headers) {
    return withTimeout(
      new Promise((resolve, reject) => {
        const req = http.request(url(path.replace('ID', sid())), { method, headers, agent: false }, (res) => {
          const answer = { status: res.statusCode, headers: res.headers, body: '' };
          if (res.statusCode === 200) {
            req.destroy();
            return resolve(answer);
          }
          res.setEncoding('utf8');
          res.on('data', (chunk) => (answer.body += chunk));
          res.on('end', () => resolve(answer));
        });
        req.on('error', reject);
        req.end(path.includes('send') ? '["x"]' : undefined);
      }),
      `${method} ${path}`,
    );
  }

  for (const [label, method, path, allowedStatus] of ENDPOINTS) {
    it(`${label}: allowed for a listed origin, the server's own, or (by Referer) a listed page; 403 otherwise`, async () => {
      const cases = [
        [{ Origin: APP }, allowedStatus],
        [{ Origin: self }, allowedStatus],
        [{ Referer: APP + '/chat?room=1' }, allowedStatus],
        [{ Referer: self + '/page' }, allowedStatus],
        [{ 'Sec-Fetch-Site': 'same-origin' }, allowedStatus],
        [{ Origin: EVIL }, 403],
        [{ Origin: EVIL, Referer: APP + '/' }, 403],
        [{ Origin: 'null' }, 403],
        [{ Origin: 'garbage' }, 403],
        [{ Referer: EVIL + '/page' }, 403],
        [{ Referer: 'about:blank' }, 403],
        [{ 'Sec-Fetch-Site': 'cross-site' }, 403],
        [{ 'Sec-Fetch-Site': 'same-site' }, 403],
        [{}, STRICT.has(label) ? 403 : allowedStatus],
      ];
      for (const [headers, status] of cases) {
        const res = await call(method, path, headers);
        assert.equal(res.status, status, `${label} with ${JSON.stringify(headers)}: ${res.body.slice(0, 80)}`);
        if (status === 403) {
          assert.equal(res.body, 'Origin not allowed.');
          // Readable by the page that asked, so a client can tell why.
          if (headers.Origin) assert.equal(res.headers['access-control-allow-origin'], headers.Origin);
          assert.match(res.headers['cache-control'], /no-store/);
        }
      }
    });
  }

  it('a refused request opens no session and issues no cookie', async () => {
    const id = sid();
    const res = await request(url(`/000/${id}/xhr?pos=0`), { method: 'POST', headers: { Origin: EVIL } });
    assert.equal(res.status, 403);
    assert.equal(res.headers['set-cookie'], undefined);
    assert.equal(server.comet.sessions.has(id), false);
    const ok = await request(url(`/000/${id}/xhr?pos=0`), { method: 'POST', headers: { Origin: APP } });
    assert.equal(ok.body, 'k0\n');
    assert.ok(ok.headers['set-cookie'], 'the allowed one gets its secret');
  });

  it('preflights are answered for any origin (they carry no credentials and do nothing)', async () => {
    const res = await request(url(`/000/${sid()}/xhr_send`), {
      method: 'OPTIONS',
      headers: { Origin: EVIL, 'Access-Control-Request-Method': 'POST' },
    });
    assert.equal(res.status, 204);
  });

  it('the welcome page is anyone’s', async () => {
    assert.equal((await request(url('/'), { headers: { Origin: EVIL } })).status, 200);
  });

  it('the iframe page is revalidated on every load while origins are checked (each load is checked)', async () => {
    const res = await request(url('/iframe.html'), { headers: { Origin: APP } });
    assert.equal(res.headers['cache-control'], 'no-cache');
    const etag = res.headers.etag;
    const again = await request(url('/iframe.html'), { headers: { Referer: EVIL + '/', 'If-None-Match': etag } });
    assert.equal(again.status, 403, 'a cached copy is no way around the check');
  });

  it('WebSocket upgrades: refused (403) from another origin, taken from a listed one, its own, or a non-browser', async () => {
    for (const [headers, opens] of [
      [{ Origin: EVIL }, false],
      [{ Origin: 'null' }, false],
      [{ Origin: APP }, true],
      [{ Origin: self }, true],
      [{}, true],
    ]) {
      for (const path of [`/000/${sid()}/websocket`, '/websocket']) {
        const c = openWs(wsUrl(server.url, path), { headers });
        if (opens) {
          await c.opened;
          c.ws.close();
        } else {
          await assert.rejects(c.opened, { status: 403 }, `${path} ${JSON.stringify(headers)}`);
        }
      }
    }
  });

  it('only true allows: a promise (an async function) or another truthy answer refuses', async () => {
    for (const origin of ['https://async.test', 'https://truthy.test']) {
      assert.equal((await call('POST', '/000/ID/xhr', { Origin: origin })).status, 403, origin);
    }
  });

  it('the function gets the origin as sent; one that throws refuses the request and its error is reported', async () => {
    asked = [];
    await call('POST', '/000/ID/xhr', { Referer: APP + '/deep/page?x=1#y' });
    assert.deepEqual(asked, [APP]);
    const res = await call('POST', '/000/ID/xhr', { Origin: 'https://throws.test' });
    assert.equal(res.status, 403);
    assert.equal(errors.length, 1);
    assert.equal(errors[0].message, 'origins function failed');
    const c = openWs(wsUrl(server.url, `/000/${sid()}/websocket`), { headers: { Origin: 'https://throws.test' } });
    await assert.rejects(c.opened, { status: 403 });
    assert.equal(errors.length, 2);
  });
});

describe('origins: a list, and the default', () => {
  let listed;
  let open;
  before(async () => {
    listed = await startEcho({ origins: [APP] });
    open = await startEcho();
  });
  after(() => Promise.all([listed.close(), open.close()]));

  it('a list allows exactly its origins', async () => {
    for (const [origin, status] of [
      [APP, 200],
      ['http://app.test:8081', 403],
      ['https://app.test:8080', 403],
      ['http://sub.app.test:8080', 403],
    ]) {
      const res = await request(`${listed.url}/000/${sid()}/xhr`, { method: 'POST', headers: { Origin: origin } });
      assert.equal(res.status, status, origin);
    }
  });

  it('without the option every origin is served, as by a SockJS server', async () => {
    const res = await request(`${open.url}/000/${sid()}/jsonp?c=cb`, { headers: { Origin: EVIL, 'Sec-Fetch-Site': 'cross-site' } });
    assert.equal(res.status, 200);
    const c = openWs(wsUrl(open.url, `/000/${sid()}/websocket`), { headers: { Origin: EVIL } });
    await withTimeout(c.opened, 'open');
    c.ws.close();
  });
});
