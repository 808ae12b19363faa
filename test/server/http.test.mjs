// src/server/http.ts: CORS, preflights, cache headers, JSESSIONID, reply(),
// readBody() limits and callback validation, seen through a real server.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import net from 'node:net';
import { once } from 'node:events';
import { request, start, xhrPoll, xhrSend, sid, withTimeout } from './helpers.mjs';

const NO_CACHE = 'no-store, no-cache, no-transform, must-revalidate, max-age=0';
const YEAR = 31536000;

function assertCacheForever(headers) {
  assert.equal(headers['cache-control'], `public, max-age=${YEAR}`);
  const expires = Date.parse(headers.expires);
  assert.ok(Number.isFinite(expires), 'Expires is a date');
  const ahead = expires - Date.now();
  assert.ok(ahead > (YEAR - 60) * 1000 && ahead <= (YEAR + 1) * 1000, `Expires about a year ahead, got ${headers.expires}`);
}

describe('http helpers', () => {
  let server;
  let base;
  before(async () => {
    server = await start({ maxBodySize: 64 }, (s) => s.on('message', (m) => s.send(m)));
    base = server.url;
  });
  after(() => server.close());

  describe('cors()', () => {
    it('answers * without credentials when there is no Origin', async () => {
      const res = await xhrPoll(base, sid());
      assert.equal(res.headers['access-control-allow-origin'], '*');
      assert.equal(res.headers['access-control-allow-credentials'], undefined);
    });

    it('echoes the Origin with credentials and Vary', async () => {
      const res = await xhrPoll(base, sid(), { Origin: 'https://app.example' });
      assert.equal(res.headers['access-control-allow-origin'], 'https://app.example');
      assert.equal(res.headers['access-control-allow-credentials'], 'true');
      assert.match(res.headers.vary, /Origin/);
    });

    it('echoes Origin: null as null', async () => {
      const res = await xhrPoll(base, sid(), { Origin: 'null' });
      assert.equal(res.headers['access-control-allow-origin'], 'null');
      assert.equal(res.headers['access-control-allow-credentials'], 'true');
    });
  });

  describe('preflight()', () => {
    for (const transport of ['xhr', 'xhr_send', 'xhr_streaming', 'poll']) {
      it(`OPTIONS /${transport}: 204, methods, long max-age and caching, echoed headers`, async () => {
        const res = await request(`${base}/000/${sid()}/${transport}`, {
          method: 'OPTIONS',
          headers: {
            Origin: 'https://app.example',
            'Access-Control-Request-Method': 'POST',
            'Access-Control-Request-Headers': 'content-type, x-custom',
          },
        });
        assert.equal(res.status, 204);
        assert.equal(res.body, '');
        assert.equal(res.headers['access-control-allow-methods'], 'OPTIONS, POST');
        assert.ok(Number(res.headers['access-control-max-age']) >= 1000000);
        assert.equal(res.headers['access-control-allow-headers'], 'content-type, x-custom');
        assert.equal(res.headers['access-control-allow-origin'], 'https://app.example');
        assert.equal(res.headers['access-control-allow-credentials'], 'true');
        assertCacheForever(res.headers);
      });
    }

    it('sends no Allow-Headers when none were asked for', async () => {
      const res = await request(`${base}/000/${sid()}/xhr_send`, { method: 'OPTIONS' });
      assert.equal(res.status, 204);
      assert.equal(res.headers['access-control-allow-headers'], undefined);
      assert.equal(res.headers['access-control-allow-origin'], '*');
    });

    it('does not create a session', async () => {
      const id = sid();
      await request(`${base}/000/${id}/xhr`, { method: 'OPTIONS' });
      assert.equal((await xhrSend(base, id, ['x'])).status, 404);
    });
  });

  describe('reply()', () => {
    it('sets text/plain and an exact Content-Length', async () => {
      const id = sid();
      await xhrPoll(base, id);
      const res = await xhrSend(base, id, '');
      assert.equal(res.status, 500);
      assert.equal(res.body, 'Payload expected.');
      assert.equal(res.headers['content-type'], 'text/plain;charset=UTF-8');
      assert.equal(res.headers['content-length'], String(Buffer.byteLength('Payload expected.')));
      assert.equal(res.headers['cache-control'], NO_CACHE);
    });

    it('answers 404 with a short text body (Firefox fires no iframe load for an empty, untyped one)', async () => {
      const res = await request(`${base}/nope`);
      assert.equal(res.status, 404);
      assert.equal(res.body, 'Not found.\n');
      assert.equal(res.headers['content-type'], 'text/plain;charset=UTF-8');
      assert.equal(res.headers['content-length'], '11');
    });

    it('answers 405 with an empty, untyped body, as the protocol has it', async () => {
      const res = await request(`${base}/info`, { method: 'PUT' });
      assert.equal(res.status, 405);
      assert.equal(res.body, '');
      assert.equal(res.headers['content-type'], undefined);
    });
  });

  describe('readBody()', () => {
    it('accepts a body of exactly maxBodySize bytes', async () => {
      const id = sid();
      await xhrPoll(base, id);
      // ["…"] with 60 bytes inside the quotes: 64 bytes in all.
      const body = JSON.stringify(['x'.repeat(60)]);
      assert.equal(Buffer.byteLength(body), 64);
      assert.equal((await xhrSend(base, id, body)).status, 204);
      assert.equal((await xhrPoll(base, id)).body, `a${body}\n`);
    });

    it('refuses a declared Content-Length over the limit with 413', async () => {
      const id = sid();
      await xhrPoll(base, id);
      const res = await xhrSend(base, id, JSON.stringify(['x'.repeat(100)]));
      assert.equal(res.status, 413);
      assert.equal(res.body, 'Payload too large.');
      assert.equal(res.headers.connection, 'close');
    });

    it('refuses a chunked body that grows over the limit with 413', async () => {
      const id = sid();
      await xhrPoll(base, id);
      const res = await withTimeout(
        new Promise((resolve, reject) => {
          const req = http.request(`${base}/000/${id}/xhr_send`, { method: 'POST', agent: false }, (r) => {
            let text = '';
            r.setEncoding('utf8');
            r.on('data', (d) => (text += d));
            r.on('end', () => resolve({ status: r.statusCode, body: text }));
          });
          req.on('error', reject);
          // No Content-Length: node sends it chunked, so the limit trips while reading.
          req.write('["' + 'y'.repeat(40));
          req.end('y'.repeat(40) + '"]');
        }),
        'chunked 413',
      );
      assert.equal(res.status, 413);
      assert.equal(res.body, 'Payload too large.');
      // The session ends, saying why (transports/send.test.mjs): sent again, the body would be refused again.
      assert.equal((await xhrPoll(base, id)).body, 'c[1009,"Message too big"]\n');
    });

    // Answered before the upload had ended, with the connection closed under it, a browser saw a network
    // error rather than the 413 (WebKit on every such send): the answer waits for the body's end.
    it('answers a body over the limit only once it has ended, then with the 413', async () => {
      const id = sid();
      await xhrPoll(base, id);
      const { hostname, port, pathname } = new URL(base);
      const socket = net.connect(Number(port), hostname);
      await once(socket, 'connect');
      let answer = '';
      socket.setEncoding('utf8');
      socket.on('data', (d) => (answer += d));
      const body = JSON.stringify(['w'.repeat(100000)]);
      socket.write(`POST ${pathname.replace(/\/$/, '')}/000/${id}/xhr_send HTTP/1.1\r\nHost: ${hostname}\r\nContent-Length: ${body.length}\r\n\r\n`);
      socket.write(body.slice(0, -1));
      // The one wait for something not to happen: the old server answered within a millisecond or two.
      await new Promise((resolve) => setTimeout(resolve, 200));
      assert.equal(answer, '', 'an answer before the body ended');
      socket.end(body.slice(-1));
      await withTimeout(once(socket, 'close'), 'the answer');
      assert.match(answer, /^HTTP\/1\.1 413 /);
      assert.match(answer, /\r\n\r\nPayload too large\.$/);
      assert.equal((await xhrPoll(base, id)).body, 'c[1009,"Message too big"]\n');
    });

    it('decodes multi-byte UTF-8 split across chunks', async () => {
      const id = sid();
      await xhrPoll(base, id);
      const body = Buffer.from(JSON.stringify(['é中😀']));
      const res = await withTimeout(
        new Promise((resolve, reject) => {
          const req = http.request(`${base}/000/${id}/xhr_send`, { method: 'POST', agent: false }, (r) => {
            r.resume();
            r.on('end', () => resolve(r.statusCode));
          });
          req.on('error', reject);
          req.write(body.subarray(0, 4)); // cuts "é" in half
          req.end(body.subarray(4));
        }),
        'split body',
      );
      assert.equal(res, 204);
      assert.equal((await xhrPoll(base, id)).body, 'a["é中😀"]\n');
    });
  });

  describe('callbackName()', () => {
    it('requires c or callback', async () => {
      for (const query of ['', '?c=', '?callback=', '?x=cb']) {
        const res = await request(`${base}/000/${sid()}/jsonp${query}`);
        assert.equal(res.status, 500, query);
        assert.equal(res.body, '"callback" parameter required');
        assert.equal(res.headers['cache-control'], NO_CACHE);
      }
    });

    it('rejects characters outside [a-zA-Z0-9_.-] and names over 32 chars', async () => {
      for (const bad of ['a b', 'a(b)', 'a;b', '<x>', 'a%2Fb', 'x'.repeat(33), 'é']) {
        const res = await request(`${base}/000/${sid()}/jsonp?c=${encodeURIComponent(bad)}`);
        assert.equal(res.status, 500, bad);
        assert.equal(res.body, 'invalid "callback" parameter', bad);
      }
    });

    it('accepts the allowed characters, via c or callback', async () => {
      const name = 'aZ09_.-' + 'x'.repeat(25); // 32 chars
      for (const key of ['c', 'callback']) {
        const res = await request(`${base}/000/${sid()}/jsonp?${key}=${name}`);
        assert.equal(res.status, 200);
        assert.equal(res.body, `/**/${name}("o");\r\n`);
      }
    });
  });
});

describe('cross-origin isolated pages', () => {
  let server;
  before(async () => {
    server = await start({}, (s) => s.on('message', (m) => s.send(m)));
  });
  after(() => server.close());

  // A page with `Cross-Origin-Embedder-Policy: require-corp` loads the answers it does not fetch with
  // CORS (JSONP scripts, no-cors sends, framed pages) only when they allow it.
  it('every answer of the service allows any embedder (Cross-Origin-Resource-Policy), errors too', async () => {
    const id = sid();
    const answers = [
      await request(`${server.url}/`),
      await request(`${server.url}/info?c=cb`),
      await request(`${server.url}/iframe.html`),
      await request(`${server.url}/iframe-cometkit.html`),
      await request(`${server.url}/000/${id}/jsonp?c=cb`),
      await request(`${server.url}/000/${id}/jsonp_send`, { method: 'POST', body: 'd=%5B%22x%22%5D', headers: { 'Content-Type': 'application/x-www-form-urlencoded' } }),
      await request(`${server.url}/000/${id}/jsonp?c=bad%20name`),
      await request(`${server.url}/no/such/thing/here`),
    ];
    assert.deepEqual(
      answers.map((res) => [res.status, res.headers['cross-origin-resource-policy']]),
      [200, 200, 200, 200, 200, 200, 500, 404].map((status) => [status, 'cross-origin']),
    );
  });
});

describe('jsessionid()', () => {
  let server;
  let plain;
  before(async () => {
    server = await start({ jsessionid: true });
    plain = await start();
  });
  after(() => Promise.all([server.close(), plain.close()]));

  it('sets a dummy JSESSIONID on session URLs', async () => {
    for (const transport of ['xhr', 'jsonp?c=cb', 'eventsource', 'htmlfile?c=cb', 'xhr_streaming']) {
      const method = transport.startsWith('xhr') ? 'POST' : 'GET';
      const req = http.request(`${server.url}/000/${sid()}/${transport}`, { method, agent: false });
      req.end();
      const [res] = await withTimeout(once(req, 'response'), transport);
      assert.deepEqual(res.headers['set-cookie'], ['JSESSIONID=dummy; path=/'], transport);
      req.destroy();
    }
  });

  it('echoes an existing JSESSIONID, also on sends', async () => {
    const id = sid();
    const cookie = { Cookie: 'a=b; JSESSIONID=abc123; c=d' };
    const poll = await xhrPoll(server.url, id, cookie);
    assert.deepEqual(poll.headers['set-cookie'], ['JSESSIONID=abc123; path=/']);
    const send = await xhrSend(server.url, id, ['x'], cookie);
    assert.equal(send.status, 204);
    assert.deepEqual(send.headers['set-cookie'], ['JSESSIONID=abc123; path=/']);
    const first = await xhrPoll(server.url, sid(), { Cookie: 'JSESSIONID=zz' });
    assert.deepEqual(first.headers['set-cookie'], ['JSESSIONID=zz; path=/']);
  });

  it('reports cookie_needed in /info but sets no cookie there', async () => {
    const res = await request(server.url + '/info');
    assert.equal(JSON.parse(res.body).cookie_needed, true);
    assert.equal(res.headers['set-cookie'], undefined);
  });

  it('sets no cookie when the option is off', async () => {
    const res = await xhrPoll(plain.url, sid(), { Cookie: 'JSESSIONID=abc' });
    assert.equal(res.headers['set-cookie'], undefined);
  });
});
