// src/server/transports/send.ts: POST /<server>/<session>/xhr_send and
// POST /<server>/<session>/jsonp_send.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { start, request, nextConnection, xhrPoll, xhrSend, sid, withTimeout, held } from '../helpers.mjs';

const NO_CACHE = 'no-store, no-cache, no-transform, must-revalidate, max-age=0';
// PROTOCOL.md, "Resume": the answer to a resuming client's form post.
const FORM_ANSWER = '<!doctype html><iframe></iframe>';

describe('xhr_send', () => {
  let server;
  let base;
  before(async () => {
    server = await start({ maxBodySize: 100 });
    base = server.url;
  });
  after(() => server.close());

  /** Opens a session and records what the application hears. */
  async function open() {
    const id = sid();
    const connection = nextConnection(server);
    await xhrPoll(base, id);
    const session = await connection;
    const heard = [];
    session.on('message', (m) => heard.push(m));
    return { id, session, heard };
  }

  it('answers 204, text/plain, no-cache, CORS, and delivers the messages in order', async () => {
    const { id, heard } = await open();
    const res = await xhrSend(base, id, ['one', 'two'], { Origin: 'https://o.example' });
    assert.equal(res.status, 204);
    assert.equal(res.body, '');
    assert.equal(res.headers['content-type'], 'text/plain;charset=UTF-8');
    assert.equal(res.headers['cache-control'], NO_CACHE);
    assert.equal(res.headers.expires, undefined);
    assert.equal(res.headers['access-control-allow-origin'], 'https://o.example');
    assert.equal(res.headers['access-control-allow-credentials'], 'true');
    await xhrSend(base, id, ['three']);
    assert.deepEqual(heard, ['one', 'two', 'three']);
  });

  it('accepts [] as a no-op', async () => {
    const { id, heard } = await open();
    assert.equal((await xhrSend(base, id, [])).status, 204);
    assert.deepEqual(heard, []);
  });

  it('404s an unknown session and does not create it', async () => {
    const id = sid();
    const res = await xhrSend(base, id, ['x'], { Origin: 'https://o.example' });
    assert.equal(res.status, 404);
    assert.equal(res.headers['cache-control'], NO_CACHE);
    assert.equal(res.headers['access-control-allow-origin'], 'https://o.example');
    assert.equal((await xhrSend(base, id, ['x'])).status, 404);
  });

  it('500 "Payload expected." for an empty body', async () => {
    const { id } = await open();
    const res = await xhrSend(base, id, '');
    assert.equal(res.status, 500);
    assert.equal(res.body, 'Payload expected.');
  });

  it('500 "Broken JSON encoding." for bad JSON or non-string arrays; the session keeps working', async () => {
    const { id, session, heard } = await open();
    for (const body of ['[', '["x"', 'x', '{"a":1}', '"str"', '[1]', '["a",null]', 'null']) {
      const res = await xhrSend(base, id, body);
      assert.equal(res.status, 500, body);
      assert.equal(res.body, 'Broken JSON encoding.', body);
    }
    assert.deepEqual(heard, []);
    assert.equal(session.state, 'open');
    assert.equal((await xhrSend(base, id, ['fine'])).status, 204);
    assert.deepEqual(heard, ['fine']);
    session.send('and back');
    assert.equal((await xhrPoll(base, id)).body, 'a["and back"]\n');
  });

  it('413 for a body over maxBodySize, and the session ends with 1009 (sent again, it would be refused again)', async () => {
    const { id, session, heard } = await open();
    const closed = once(session, 'close');
    const res = await xhrSend(base, id, [' '.repeat(200)]);
    assert.equal(res.status, 413);
    assert.equal(res.body, 'Payload too large.');
    assert.deepEqual(heard, []);
    assert.deepEqual(await withTimeout(closed, 'session close'), [1009, 'Message too big']);
    assert.equal((await xhrPoll(base, id)).body, 'c[1009,"Message too big"]\n');
    // Nothing more is taken: the session is over.
    assert.equal((await xhrSend(base, id, ['small'])).status, 204);
    assert.deepEqual(heard, []);
  });

  it('accepts the content types SockJS clients send, and none', async () => {
    const { id, heard } = await open();
    const types = ['text/plain', 'text/plain;charset=UTF-8', 'T', 'application/json', 'application/xml', 'text/xml', ''];
    for (const type of types) {
      const res = await request(`${base}/000/${id}/xhr_send`, {
        method: 'POST',
        headers: type === '' ? {} : { 'Content-Type': type },
        body: JSON.stringify([type || 'none']),
      });
      assert.equal(res.status, 204, type);
    }
    assert.deepEqual(heard, [...types.slice(0, -1), 'none']);
  });

  it('delivers non-ASCII intact', async () => {
    const { id, heard } = await open();
    await xhrSend(base, id, ['naïve – ☃ – 𝄞']);
    assert.deepEqual(heard, ['naïve – ☃ – 𝄞']);
  });

  it('OPTIONS is a preflight; GET is 405', async () => {
    const pre = await request(`${base}/000/${sid()}/xhr_send`, {
      method: 'OPTIONS',
      headers: { 'Access-Control-Request-Headers': 'content-type' },
    });
    assert.equal(pre.status, 204);
    assert.equal(pre.headers['access-control-allow-methods'], 'OPTIONS, POST');
    assert.equal(pre.headers['access-control-allow-headers'], 'content-type');
    const get = await request(`${base}/000/${sid()}/xhr_send`);
    assert.equal(get.status, 405);
  });
});

describe('jsonp_send', () => {
  let server;
  let base;
  before(async () => {
    server = await start({ maxBodySize: 100 });
    base = server.url;
  });
  after(() => server.close());

  async function open() {
    const id = sid();
    const connection = nextConnection(server);
    await request(`${base}/000/${id}/jsonp?c=cb`);
    const session = await connection;
    const heard = [];
    session.on('message', (m) => heard.push(m));
    return { id, session, heard };
  }

  const send = (id, body, type = 'application/x-www-form-urlencoded') =>
    request(`${base}/000/${id}/jsonp_send`, { method: 'POST', headers: type ? { 'Content-Type': type } : {}, body });

  it('takes a form field d: 200 "ok", Content-Length 2, text/plain, no-cache', async () => {
    const { id, heard } = await open();
    const res = await send(id, 'd=' + encodeURIComponent(JSON.stringify(['x', 'y & z = ü'])));
    assert.equal(res.status, 200);
    assert.equal(res.body, 'ok');
    assert.equal(res.headers['content-length'], '2');
    assert.equal(res.headers['content-type'], 'text/plain;charset=UTF-8');
    assert.equal(res.headers['cache-control'], NO_CACHE);
    assert.deepEqual(heard, ['x', 'y & z = ü']);
  });

  it("answers a resuming client's form post (one with seq) with a page holding one child frame, text/html", async () => {
    // The client counts the answer's frames across origins to tell it from a browser's error page.
    const { id, heard } = await open();
    const res = await request(`${base}/000/${id}/jsonp_send?pos=0&seq=1`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: 'd=' + encodeURIComponent('["counted"]'),
    });
    assert.equal(res.status, 200);
    assert.equal(res.body, FORM_ANSWER);
    assert.equal((res.body.match(/<iframe/g) ?? []).length, 1);
    assert.equal(res.headers['content-type'], 'text/html;charset=UTF-8');
    assert.equal(res.headers['cache-control'], NO_CACHE);
    assert.deepEqual(heard, ['counted']);
    // Without seq (stock clients, bare acknowledgements) and for raw bodies: SockJS's `ok`.
    const raw = await request(`${base}/000/${id}/jsonp_send?pos=0&seq=2`, { method: 'POST', headers: { 'Content-Type': 'text/plain' }, body: '["raw"]' });
    assert.equal(raw.body, 'ok');
  });

  it('takes d among other form fields, and + as space', async () => {
    const { id, heard } = await open();
    const res = await send(id, 'a=1&d=' + encodeURIComponent('["p q"]').replace(/%20/g, '+') + '&b=2');
    assert.equal(res.status, 200);
    assert.deepEqual(heard, ['p q']);
  });

  it('takes a raw text/plain body', async () => {
    const { id, heard } = await open();
    for (const type of ['text/plain', '']) {
      const res = await send(id, JSON.stringify(['raw ' + type]), type);
      assert.equal(res.status, 200, type);
      assert.equal(res.body, 'ok');
    }
    assert.deepEqual(heard, ['raw text/plain', 'raw ']);
  });

  it('500 "Payload expected." for an empty body or empty d', async () => {
    const { id } = await open();
    for (const [body, type] of [['', 'text/plain'], ['d=', undefined], ['x=1', undefined]]) {
      const res = await send(id, body, type);
      assert.equal(res.status, 500, body);
      assert.equal(res.body, 'Payload expected.');
    }
  });

  it('500 "Broken JSON encoding." for bad JSON; the session keeps working', async () => {
    const { id, heard } = await open();
    const res = await send(id, 'd=' + encodeURIComponent('["x"'));
    assert.equal(res.status, 500);
    assert.equal(res.body, 'Broken JSON encoding.');
    assert.equal((await send(id, 'd=' + encodeURIComponent('["ok"]'))).status, 200);
    assert.deepEqual(heard, ['ok']);
  });

  it('413 over maxBodySize, and the session ends with 1009', async () => {
    const { id, session, heard } = await open();
    const closed = once(session, 'close');
    const res = await send(id, 'd=' + encodeURIComponent(JSON.stringify(['x'.repeat(150)])));
    assert.equal(res.status, 413);
    assert.deepEqual(await withTimeout(closed, 'session close'), [1009, 'Message too big']);
    assert.equal((await send(id, 'd=%5B%22y%22%5D')).status, 200);
    assert.deepEqual(heard, []);
  });

  it('404s an unknown session', async () => {
    const res = await send(sid(), 'd=%5B%22y%22%5D');
    assert.equal(res.status, 404);
  });

  it('is POST only, without a preflight', async () => {
    for (const method of ['GET', 'OPTIONS']) {
      const res = await request(`${base}/000/${sid()}/jsonp_send`, { method });
      assert.equal(res.status, 405, method);
      assert.equal(res.headers.allow, 'POST');
    }
  });
});

describe('close (cometkit extension)', () => {
  let server;
  let base;
  before(async () => {
    server = await start();
    base = server.url;
  });
  after(() => server.close());

  it('POST /close ends the session now and frees it: 204, close event, the id unknown afterwards', async () => {
    const id = sid();
    const connection = nextConnection(server);
    await xhrPoll(base, id);
    const session = await connection;
    const closed = new Promise((resolve) => session.once('close', (...args) => resolve(args)));
    const res = await request(`${base}/000/${id}/close`, { method: 'POST', headers: { Origin: 'https://o.example' } });
    assert.equal(res.status, 204);
    assert.equal(res.headers['cache-control'], NO_CACHE);
    assert.equal(res.headers['access-control-allow-origin'], 'https://o.example');
    assert.deepEqual(await closed, [1000, 'Normal closure']);
    assert.equal(server.comet.sessions.has(id), false);
    // Removed, not kept repeating its close frame (its client said it is gone): a send finds no
    // session, and a receiver on the id opens a new one.
    assert.equal((await xhrSend(base, id, ['x'])).status, 404);
    assert.equal((await xhrPoll(base, id)).body, 'o\n');
  });

  it('POST /close while a poll is held: the poll gets the close frame whole, and the session is freed', async () => {
    const id = sid();
    assert.equal((await xhrPoll(base, id)).body, 'o\n');
    const poll = xhrPoll(base, id);
    await held(server, id);
    assert.equal((await request(`${base}/000/${id}/close`, { method: 'POST' })).status, 204);
    const answer = await poll;
    assert.equal(answer.status, 200);
    assert.equal(answer.body, 'c[1000,"Normal closure"]\n');
    assert.equal((await xhrSend(base, id, ['x'])).status, 404);
  });

  it('answers a form post with 200 ok, so a hidden iframe sees it load', async () => {
    const id = sid();
    const connection = nextConnection(server);
    await xhrPoll(base, id);
    const session = await connection;
    const closed = new Promise((resolve) => session.once('close', (...args) => resolve(args)));
    const res = await request(`${base}/000/${id}/close`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: '',
    });
    assert.equal(res.status, 200);
    assert.equal(res.body, 'ok');
    assert.equal(res.headers['cache-control'], NO_CACHE);
    assert.deepEqual(await closed, [1000, 'Normal closure']);
  });

  it('404s an unknown session without creating it', async () => {
    const id = sid();
    assert.equal((await request(`${base}/000/${id}/close`, { method: 'POST' })).status, 404);
    assert.equal((await xhrSend(base, id, ['x'])).status, 404);
  });

  it('has a preflight; GET is 405', async () => {
    const pre = await request(`${base}/000/${sid()}/close`, { method: 'OPTIONS' });
    assert.equal(pre.status, 204);
    assert.equal(pre.headers['access-control-allow-methods'], 'OPTIONS, POST');
    assert.equal((await request(`${base}/000/${sid()}/close`)).status, 405);
  });
});
