// src/server/transports/polling.ts: SockJS long-poll POST /<server>/<session>/xhr
// and cometkit's plain polling POST /<server>/<session>/poll.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { start, request, nextConnection, openStream, xhrPoll, xhrSend, sid } from '../helpers.mjs';

const NO_CACHE = 'no-store, no-cache, no-transform, must-revalidate, max-age=0';

describe('xhr long-polling', () => {
  let server;
  let base;
  before(async () => {
    server = await start({}, (s) => s.on('message', (m) => s.send(m)));
    base = server.url;
  });
  after(() => server.close());

  it('answers javascript, no-cache, CORS, with o on a new session', async () => {
    const res = await xhrPoll(base, sid(), { Origin: 'http://page.example' });
    assert.equal(res.status, 200);
    assert.equal(res.headers['content-type'], 'application/javascript;charset=UTF-8');
    assert.equal(res.headers['cache-control'], NO_CACHE);
    assert.equal(res.headers.expires, undefined);
    assert.equal(res.headers['access-control-allow-origin'], 'http://page.example');
    assert.equal(res.headers['access-control-allow-credentials'], 'true');
    assert.equal(res.body, 'o\n');
  });

  it('holds the poll until a frame is ready, then answers exactly that frame', async () => {
    const id = sid();
    await xhrPoll(base, id);
    const held = xhrPoll(base, id);
    await xhrSend(base, id, ['a', 'b']);
    assert.equal((await held).body, 'a["a","b"]\n');
  });

  it('coalesces several sends in one tick into one frame', async () => {
    const id = sid();
    const connection = nextConnection(server);
    await xhrPoll(base, id);
    const session = await connection;
    const held = xhrPoll(base, id);
    await new Promise((r) => server.http.once('request', r));
    session.send('1');
    session.send('2');
    session.send('3');
    assert.equal((await held).body, 'a["1","2","3"]\n');
  });

  it('answers a queued frame at once', async () => {
    const id = sid();
    const connection = nextConnection(server);
    await xhrPoll(base, id);
    (await connection).send('waiting');
    assert.equal((await xhrPoll(base, id)).body, 'a["waiting"]\n');
  });

  it('a second poll while one is held gets c[2010]; the first still gets its frame', async () => {
    const id = sid();
    await xhrPoll(base, id);
    const held = xhrPoll(base, id);
    await new Promise((r) => server.http.once('request', r));
    assert.equal((await xhrPoll(base, id)).body, 'c[2010,"Another connection still open"]\n');
    await xhrSend(base, id, ['hi']);
    assert.equal((await held).body, 'a["hi"]\n');
  });

  it('OPTIONS is a preflight allowing POST', async () => {
    const res = await request(`${base}/000/${sid()}/xhr`, { method: 'OPTIONS' });
    assert.equal(res.status, 204);
    assert.equal(res.headers['access-control-allow-methods'], 'OPTIONS, POST');
  });

  it('echoes non-ASCII and 64 KiB messages intact', async () => {
    const id = sid();
    await xhrPoll(base, id);
    for (const message of ['Ελληνικά • हिन्दी • 🚀', 'k'.repeat(65536)]) {
      const held = xhrPoll(base, id);
      await xhrSend(base, id, [message]);
      const body = (await held).body;
      assert.ok(body.endsWith('\n'));
      assert.deepEqual(JSON.parse(body.slice(1, -1)), [message]);
    }
  });
});

describe('xhr long-polling heartbeat', () => {
  it('an idle poll is answered with h after the heartbeat delay', async () => {
    const server = await start({ heartbeatDelay: 50 });
    try {
      const id = sid();
      assert.equal((await xhrPoll(server.url, id)).body, 'o\n');
      assert.equal((await xhrPoll(server.url, id)).body, 'h\n');
      assert.equal((await xhrPoll(server.url, id)).body, 'h\n');
    } finally {
      await server.close();
    }
  });
});

describe('plain polling (poll)', () => {
  let server;
  let base;
  const poll = (id, headers) => request(`${base}/000/${id}/poll`, { method: 'POST', headers });
  before(async () => {
    // A heartbeat far away: a poll that were held would time the test out.
    server = await start({ heartbeatDelay: 60000 }, (s) => s.on('message', (m) => s.send(m)));
    base = server.url;
  });
  after(() => server.close());

  it('answers o at once on a new session, with the xhr headers', async () => {
    const res = await poll(sid(), { Origin: 'https://x.example' });
    assert.equal(res.status, 200);
    assert.equal(res.headers['content-type'], 'application/javascript;charset=UTF-8');
    assert.equal(res.headers['cache-control'], NO_CACHE);
    assert.equal(res.headers['access-control-allow-origin'], 'https://x.example');
    assert.equal(res.body, 'o\n');
  });

  it('answers at once with an empty body when nothing is queued, and keeps the session', async () => {
    const id = sid();
    const connection = nextConnection(server);
    await poll(id);
    const session = await connection;
    for (let i = 0; i < 3; i += 1) {
      const res = await poll(id);
      assert.equal(res.status, 200);
      assert.equal(res.body, '');
    }
    assert.equal(session.state, 'open');
  });

  it('answers the queued frame at once', async () => {
    const id = sid();
    await poll(id);
    assert.equal((await xhrSend(base, id, ['x', 'y'])).status, 204);
    assert.equal((await poll(id)).body, 'a["x","y"]\n');
    assert.equal((await poll(id)).body, '');
  });

  it('coalesces sends made in one tick', async () => {
    const id = sid();
    const connection = nextConnection(server);
    await poll(id);
    const session = await connection;
    session.send('1');
    session.send('2');
    assert.equal((await poll(id)).body, 'a["1","2"]\n');
  });

  it('after close(), answers the close frame, repeatedly', async () => {
    const id = sid();
    const connection = nextConnection(server);
    await poll(id);
    const session = await connection;
    session.send('bye');
    session.close(3002, 'Over');
    assert.equal((await poll(id)).body, 'a["bye"]\n');
    assert.equal((await poll(id)).body, 'c[3002,"Over"]\n');
    assert.equal((await poll(id)).body, 'c[3002,"Over"]\n');
  });

  it('while another receiver is attached, answers c[2010]', async () => {
    const id = sid();
    const stream = await openStream(`${base}/000/${id}/xhr_streaming`, { method: 'POST' });
    await stream.until((t) => t.endsWith('o\n'));
    assert.equal((await poll(id)).body, 'c[2010,"Another connection still open"]\n');
    await xhrSend(base, id, ['stream still works']);
    await stream.until((t) => t.endsWith('a["stream still works"]\n'));
    stream.abort();
  });

  it('an empty poll does not count as an abort, and the session expires normally', async () => {
    const fast = await start({ disconnectDelay: 100 });
    try {
      const id = sid();
      const connection = nextConnection(fast);
      await request(`${fast.url}/000/${id}/poll`, { method: 'POST' });
      const session = await connection;
      const closed = new Promise((resolve) => session.once('close', (...args) => resolve(args)));
      assert.equal((await request(`${fast.url}/000/${id}/poll`, { method: 'POST' })).body, '');
      assert.deepEqual(await closed, [1000, 'Session timed out']);
    } finally {
      await fast.close();
    }
  });

  describe('an xhr_send asking for a poll (pollOnSend)', () => {
    // A cometkit client asks only on a resumable session, where its sends carry pos.
    const sendPoll = (id, messages, query = '&pos=0') =>
      request(`${base}/000/${id}/xhr_send?poll${query}`, { method: 'POST', headers: { 'Content-Type': 'text/plain' }, body: JSON.stringify(messages) });
    const openResumable = async (id) => assert.equal((await request(`${base}/000/${id}/poll?pos=0`, { method: 'POST' })).body, 'k0\n');

    it('is answered 200, as a poll, with the reply the application sent at once', async () => {
      const id = sid();
      await openResumable(id);
      const res = await sendPoll(id, ['ping', 'ünï']);
      assert.equal(res.status, 200);
      assert.equal(res.headers['content-type'], 'application/javascript;charset=UTF-8');
      assert.equal(res.headers['cache-control'], NO_CACHE);
      assert.equal(res.body, 'a["ping","ünï"]\n');
      assert.equal((await poll(id)).body, '');
    });

    it('is answered empty when nothing is ready, and the reply waits for the next poll', async () => {
      const id = sid();
      const connection = nextConnection(server);
      await openResumable(id);
      const session = await connection;
      const res = await sendPoll(id, []);
      assert.equal(res.status, 200);
      assert.equal(res.body, '');
      session.send('later');
      assert.equal((await poll(id)).body, 'a["later"]\n');
    });

    it("on a resumable session: its pos is a renewal's ack, so a ride after a lost answer gets it again", async () => {
      const id = sid();
      const renew = (ack) => request(`${base}/000/${id}/poll?ack=${ack}`, { method: 'POST' });
      await openResumable(id);
      assert.equal((await sendPoll(id, ['one'], '&pos=0&seq=1')).body, 'a["one"]\n');
      // That answer arrived: the next ride says so, and gets only what is new.
      assert.equal((await sendPoll(id, ['two'], '&pos=1&seq=2')).body, 'a["two"]\n');
      // That answer was lost on the way (cut right after its headers, it reads as an empty one): the next
      // ride says the client has only "one", and gets "two" again before what is new. Before, it got
      // "three" alone, which the client then counted at "two"'s position: "two" lost for good.
      assert.equal((await sendPoll(id, ['three'], '&pos=1&seq=3')).body, 'a["two","three"]\n');
      // A renewal rewinds the same way.
      assert.equal((await renew(1)).body, 'a["two","three"]\n');
      assert.equal((await renew(3)).body, '');
      // A ride's pos confirms: nothing up to 3 is kept to send again.
      assert.equal((await sendPoll(id, [], '&pos=3')).body, '');
      assert.equal((await renew(3)).body, '');
    });

    it('leaves a receiver that holds the session alone, answered empty', async () => {
      const id = sid();
      const stream = await openStream(`${base}/000/${id}/xhr_streaming?pos=0`, { method: 'POST' });
      await stream.until((t) => t.endsWith('k0\n'));
      const res = await sendPoll(id, ['to the stream']);
      assert.equal(res.status, 200);
      assert.equal(res.body, '');
      await stream.until((t) => t.endsWith('a["to the stream"]\n'));
      stream.abort();
    });

    it('is a plain send without pos: 204, and the frames wait for the next poll', async () => {
      // A stock client keeps its base URL's query (`?poll=1`) on its sends and never reads their answers.
      const id = sid();
      const connection = nextConnection(server);
      assert.equal((await request(`${base}/000/${id}/xhr?poll=1`, { method: 'POST' })).body, 'o\n');
      const session = await connection;
      session.send('pushed');
      const res = await request(`${base}/000/${id}/xhr_send?poll=1`, {
        method: 'POST',
        headers: { 'Content-Type': 'text/plain' },
        body: '["hi"]',
      });
      assert.deepEqual([res.status, res.body], [204, '']);
      assert.equal((await request(`${base}/000/${id}/xhr?poll=1`, { method: 'POST' })).body, 'a["pushed","hi"]\n');
    });

    it('ends a closed session with its close frame, and refuses an unknown one as any send', async () => {
      const id = sid();
      const connection = nextConnection(server);
      await openResumable(id);
      (await connection).close(3003, 'Gone');
      assert.equal((await sendPoll(id, ['late'])).body, 'c[3003,"Gone"]\n');
      assert.equal((await sendPoll(sid(), ['x'])).status, 404);
    });
  });

  it('OPTIONS is a preflight allowing POST', async () => {
    const res = await request(`${base}/000/${sid()}/poll`, { method: 'OPTIONS' });
    assert.equal(res.status, 204);
    assert.equal(res.headers['access-control-allow-methods'], 'OPTIONS, POST');
  });
});
