// src/server/server.ts: routing, attach()/handleRequest()/handleUpgrade(),
// broadcast(), close(), the sessions map and error isolation.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createServer, listen } from '../../dist/server.js';
import {
  PRELUDE,
  nextConnection,
  openStream,
  openWs,
  request,
  sid,
  start,
  startEcho,
  streamFrames,
  withTimeout,
  wsUrl,
  xhrPoll,
  xhrSend,
} from './helpers.mjs';


function listenOn(httpServer) {
  return new Promise((resolve) => httpServer.listen(0, '127.0.0.1', () => resolve(httpServer.address().port)));
}

describe('routing', () => {
  let server;
  let base;
  before(async () => {
    server = await startEcho();
    base = server.url;
  });
  after(() => server.close());

  for (const path of ['/', '//', '/?t=1']) {
    it(`GET ${path} is the welcome page`, async () => {
      const res = await request(base + path);
      assert.equal(res.status, 200);
      assert.equal(res.headers['content-type'], 'text/plain;charset=UTF-8');
      assert.equal(res.body, 'Welcome to SockJS!\n');
      assert.equal(res.headers['set-cookie'], undefined);
    });
  }

  it('the welcome page is GET only', async () => {
    const res = await request(base + '/', { method: 'POST' });
    assert.equal(res.status, 405);
    assert.equal(res.headers.allow, 'GET');
  });

  it('404s unknown paths and transports', async () => {
    for (const path of ['/foo', '/a/b', '/a/b/c/d', `/000/${sid()}/unknown`, `/000/${sid()}/XHR`, '/000//xhr', '//abc/xhr', '/info/x', '/websocket/x']) {
      const res = await request(base + path, { method: 'POST' });
      assert.equal(res.status, 404, path);
    }
  });

  it('404s transport names that are members of every object (__proto__, constructor), as any unknown one, and reports no error', async () => {
    const errors = [];
    const onError = (error) => errors.push(error);
    server.comet.on('error', onError);
    try {
      for (const transport of ['__proto__', 'constructor']) {
        for (const method of ['GET', 'POST', 'OPTIONS']) {
          const res = await request(`${base}/000/${sid()}/${transport}`, { method });
          assert.equal(res.status, 404, `${method} ${transport}`);
        }
      }
      assert.deepEqual(errors, []);
    } finally {
      server.comet.off('error', onError);
    }
  });

  it('404s server or session ids holding a dot', async () => {
    for (const path of ['/000/a.b/xhr', '/0.0/ab/xhr', '/000/a.b/xhr_streaming', '/000/../xhr']) {
      const res = await request(base + path, { method: 'POST' });
      assert.equal(res.status, 404, path);
    }
    for (const path of ['/000/a.b/jsonp?c=x', '/000/a.b/eventsource']) {
      assert.equal((await request(base + path)).status, 404, path);
    }
  });

  it('405s wrong methods with Allow', async () => {
    const id = sid();
    const cases = [
      ['GET', 'xhr', 'OPTIONS, POST'],
      ['GET', 'xhr_streaming', 'OPTIONS, POST'],
      ['GET', 'xhr_send', 'OPTIONS, POST'],
      ['GET', 'poll', 'OPTIONS, POST'],
      ['PUT', 'xhr', 'OPTIONS, POST'],
      ['POST', 'eventsource', 'GET'],
      ['POST', 'htmlfile?c=x', 'GET'],
      ['POST', 'jsonp?c=x', 'GET'],
      ['GET', 'jsonp_send', 'POST'],
      ['OPTIONS', 'jsonp', 'GET'],
      ['POST', 'websocket', 'GET'],
    ];
    for (const [method, transport, allow] of cases) {
      const res = await request(`${base}/000/${id}/${transport}`, { method });
      assert.equal(res.status, 405, `${method} ${transport}`);
      assert.equal(res.headers.allow, allow, `${method} ${transport}`);
    }
  });

  it('a plain GET on a websocket URL is 400 "Can \\"Upgrade\\" only to \\"WebSocket\\"."', async () => {
    for (const path of ['/websocket', `/000/${sid()}/websocket`]) {
      const res = await request(base + path);
      assert.equal(res.status, 400, path);
      assert.equal(res.body, 'Can "Upgrade" only to "WebSocket".');
    }
  });

  it('answers an upgrade asked with another method than GET 405, Allow: GET, no body', async () => {
    const headers = { Upgrade: 'websocket', Connection: 'Upgrade', 'Content-Length': '0' };
    for (const path of ['/websocket', `/000/${sid()}/websocket`]) {
      for (const method of ['POST', 'PUT']) {
        const res = await request(base + path, { method, headers });
        assert.equal(res.status, 405, `${method} ${path}`);
        assert.equal(res.headers.allow, 'GET', `${method} ${path}`);
        assert.equal(res.headers['content-type'], undefined, `${method} ${path}`);
        assert.equal(res.body, '', `${method} ${path}`);
      }
    }
  });
});

describe('attach()', () => {
  it('leaves requests outside the prefix to the listener the server already had', async () => {
    const httpServer = http.createServer((req, res) => {
      res.writeHead(200, { 'Content-Type': 'text/plain' });
      res.end('app:' + req.url);
    });
    const comet = createServer({ prefix: '/sock', disconnectDelay: 100 });
    comet.attach(httpServer);
    const port = await listenOn(httpServer);
    try {
      const root = `http://127.0.0.1:${port}`;
      assert.equal((await request(root + '/')).body, 'app:/');
      assert.equal((await request(root + '/other/page?x=1')).body, 'app:/other/page?x=1');
      assert.equal((await request(root + '/sockets')).body, 'app:/sockets');
      assert.equal((await request(root + '/sock')).body, 'Welcome to SockJS!\n');
      assert.equal((await request(root + '/sock/info')).status, 200);
      assert.equal((await xhrPoll(root + '/sock', sid())).body, 'o\n');
    } finally {
      comet.close();
      httpServer.closeAllConnections();
      await new Promise((r) => httpServer.close(r));
    }
  });

  it('leaves upgrades outside the prefix to the existing upgrade listener', async () => {
    const httpServer = http.createServer();
    let seen = null;
    httpServer.on('upgrade', (req, socket) => {
      seen = req.url;
      socket.end('HTTP/1.1 418 I\'m a teapot\r\nContent-Length: 0\r\nConnection: close\r\n\r\n');
    });
    const comet = createServer({ prefix: '/sock', disconnectDelay: 100 });
    comet.on('connection', (s) => s.on('message', (m) => s.send(m)));
    comet.attach(httpServer);
    const port = await listenOn(httpServer);
    try {
      const other = openWs(`ws://127.0.0.1:${port}/elsewhere`);
      await assert.rejects(other.opened, { status: 418 });
      assert.equal(seen, '/elsewhere');
      const mine = openWs(`ws://127.0.0.1:${port}/sock/000/${sid()}/websocket`);
      await mine.opened;
      assert.equal(await mine.next(), 'o');
      mine.ws.send('["hi"]');
      assert.equal(await mine.next(), 'a["hi"]');
      mine.ws.close();
    } finally {
      comet.close();
      httpServer.closeAllConnections();
      await new Promise((r) => httpServer.close(r));
    }
  });

  it('without other listeners: 404 outside the prefix, upgrades there are dropped', async () => {
    const httpServer = http.createServer();
    const comet = createServer({ prefix: '/sock' });
    comet.attach(httpServer);
    const port = await listenOn(httpServer);
    try {
      assert.equal((await request(`http://127.0.0.1:${port}/x`)).status, 404);
      const ws = openWs(`ws://127.0.0.1:${port}/x`);
      await assert.rejects(ws.opened);
    } finally {
      comet.close();
      httpServer.closeAllConnections();
      await new Promise((r) => httpServer.close(r));
    }
  });

  it('handleRequest() returns false outside the prefix and true inside', async () => {
    const comet = createServer({ prefix: '/sock' });
    const results = [];
    const httpServer = http.createServer((req, res) => {
      const handled = comet.handleRequest(req, res);
      results.push(handled);
      if (!handled) res.end('mine');
    });
    const port = await listenOn(httpServer);
    try {
      assert.equal((await request(`http://127.0.0.1:${port}/x`)).body, 'mine');
      assert.equal((await request(`http://127.0.0.1:${port}/sock/`)).body, 'Welcome to SockJS!\n');
      assert.deepEqual(results, [false, true]);
    } finally {
      comet.close();
      httpServer.closeAllConnections();
      await new Promise((r) => httpServer.close(r));
    }
  });
});

describe('broadcast() and sessions', () => {
  let server;
  before(async () => {
    server = await start();
  });
  after(() => server.close());

  it('sends to every open session, whatever its transport', async () => {
    const pollId = sid();
    const c1 = nextConnection(server);
    await xhrPoll(server.url, pollId);
    const polled = await c1;

    const streamId = sid();
    const c2 = nextConnection(server);
    const stream = await openStream(`${server.url}/000/${streamId}/xhr_streaming`, { method: 'POST' });
    await c2;

    const c3 = nextConnection(server);
    const ws = openWs(wsUrl(server.url, `/000/${sid()}/websocket`));
    assert.equal(await ws.next(), 'o');
    await c3;

    const gone = sid();
    const c4 = nextConnection(server);
    await xhrPoll(server.url, gone);
    (await c4).close();

    assert.ok(server.comet.sessions.has(pollId));
    assert.ok(server.comet.sessions.has(streamId));
    assert.equal(server.comet.sessions.has(gone), false);

    server.comet.broadcast('to all');
    server.comet.broadcast('twice');
    assert.equal(await ws.next(), 'a["to all","twice"]');
    await stream.until((t) => t.endsWith('a["to all","twice"]\n'));
    assert.equal((await xhrPoll(server.url, pollId)).body, 'a["to all","twice"]\n');
    assert.equal((await xhrPoll(server.url, gone)).body, 'c[3000,"Go away!"]\n');
    assert.equal(polled.state, 'open');
    stream.abort();
    ws.ws.close();
  });

  it('broadcast() takes only strings', () => {
    assert.throws(() => server.comet.broadcast(42), {
      name: 'TypeError',
      message: 'cometkit server: broadcast() takes a string',
    });
  });

  it('sessions is a snapshot map of open sessions', async () => {
    const id = sid();
    const c = nextConnection(server);
    await xhrPoll(server.url, id);
    const session = await c;
    const snapshot = server.comet.sessions;
    assert.equal(snapshot.get(id), session);
    session.close();
    assert.equal(server.comet.sessions.has(id), false);
    assert.equal(snapshot.get(id), session, 'an earlier snapshot does not change');
  });
});

describe('close()', () => {
  it('closes every session with 1001 and refuses later upgrades', async () => {
    const server = await start();
    try {
      const streamId = sid();
      const stream = await openStream(`${server.url}/000/${streamId}/xhr_streaming`, { method: 'POST' });
      await stream.until((t) => t.endsWith('o\n'));
      const ws = openWs(wsUrl(server.url, `/000/${sid()}/websocket`));
      assert.equal(await ws.next(), 'o');
      const pollId = sid();
      await xhrPoll(server.url, pollId);
      const closes = [];
      for (const s of server.comet.sessions.values()) s.on('close', (code, reason) => closes.push([code, reason]));
      assert.equal(closes.length, 0);

      server.comet.close();

      assert.deepEqual(closes, [
        [1001, 'Server shutting down'],
        [1001, 'Server shutting down'],
        [1001, 'Server shutting down'],
      ]);
      assert.equal(await stream.ended, PRELUDE + 'o\nc[1001,"Server shutting down"]\n');
      assert.equal(await ws.next(), 'c[1001,"Server shutting down"]');
      await ws.closed;
      assert.equal((await xhrPoll(server.url, pollId)).body, 'c[1001,"Server shutting down"]\n');
      assert.equal(server.comet.sessions.size, 0);
      // "stops taking upgrades"
      const late = openWs(wsUrl(server.url, `/000/${sid()}/websocket`));
      await assert.rejects(late.opened, (error) => error.status >= 400);
    } finally {
      await server.close();
    }
  });

  it('opens no new session after close() on any transport (503, Retry-After), and still repeats a closed one its close frame', async () => {
    const server = await start();
    try {
      const pollId = sid();
      await xhrPoll(server.url, pollId);
      server.comet.close();
      let connections = 0;
      server.comet.on('connection', () => connections++);
      for (const [path, method] of [
        ['xhr', 'POST'],
        ['xhr_streaming', 'POST'],
        ['eventsource', 'GET'],
        ['htmlfile?c=cb', 'GET'],
        ['jsonp?c=cb', 'GET'],
      ]) {
        const res = await fetch(`${server.url}/000/${sid()}/${path}`, { method });
        assert.equal(res.status, 503, path);
        assert.equal(res.headers.get('retry-after'), '5', path);
        assert.equal(await res.text(), 'Server shutting down.', path);
      }
      const late = openWs(wsUrl(server.url, `/000/${sid()}/websocket`));
      await assert.rejects(late.opened, (error) => error.status === 503);
      assert.equal(connections, 0, 'connections after close()');
      // Its client, coming back, learns why it ended.
      assert.equal((await xhrPoll(server.url, pollId)).body, 'c[1001,"Server shutting down"]\n');
    } finally {
      await server.close();
    }
  });

  it('takes a code and reason', async () => {
    const server = await start();
    try {
      const id = sid();
      await xhrPoll(server.url, id);
      server.comet.close(4000, 'Maintenance');
      assert.equal((await xhrPoll(server.url, id)).body, 'c[4000,"Maintenance"]\n');
    } finally {
      await server.close();
    }
  });

  it("listen()'s close() ends held connections and the listening socket", async () => {
    const server = await listen({ port: 0, disconnectDelay: 100 });
    const stream = await openStream(`${server.url}/000/${sid()}/xhr_streaming`, { method: 'POST' });
    await stream.until((t) => t.endsWith('o\n'));
    await withTimeout(server.close(), 'close()');
    await stream.ended;
    assert.equal(server.http.listening, false);
    await assert.rejects(request(server.url + '/info'), { code: 'ECONNREFUSED' });
  });
});

describe('process exit', () => {
  it('a process exits once its server has closed, without waiting out the disconnect delay', async () => {
    const dist = new URL('../../dist/server.js', import.meta.url).href;
    const script = `
      import { listen } from ${JSON.stringify(dist)};
      const server = await listen({ port: 0, disconnectDelay: 60000 });
      const res = await fetch(server.url + '/000/abc/xhr', { method: 'POST' });
      if ((await res.text()) !== 'o\\n') process.exit(2);
      await server.close();
    `;
    const child = spawn(process.execPath, ['--input-type=module', '-e', script], { stdio: 'inherit' });
    const [code] = await withTimeout(once(child, 'exit'), 'child exit (a session expiry timer kept it alive?)', 15000).catch(
      (error) => {
        child.kill();
        throw error;
      },
    );
    assert.equal(code, 0);
  });
});

describe('application errors do not crash the server', () => {
  let server;
  const errors = [];
  let mode = '';
  const throwOnClose = new Set();
  before(async () => {
    server = await start({ disconnectDelay: 100 });
    server.comet.on('error', (e) => errors.push(e.message));
    server.comet.on('connection', (session) => {
      if (mode === 'connection') throw new Error('connection boom');
      session.on('message', (m) => {
        if (m === 'throw') throw new Error('message boom');
        session.send(m);
      });
      session.on('close', () => {
        if (throwOnClose.has(session.id)) throw new Error('close boom');
      });
    });
  });
  after(() => server.close());

  it('a throwing connection listener (HTTP) is reported; the session still opens', async () => {
    mode = 'connection';
    errors.length = 0;
    const res = await xhrPoll(server.url, sid());
    mode = '';
    assert.equal(res.status, 200);
    assert.equal(res.body, 'o\n');
    assert.deepEqual(errors, ['connection boom']);
  });

  it('a throwing connection listener (WebSocket) is reported', async () => {
    mode = 'connection';
    errors.length = 0;
    const ws = openWs(wsUrl(server.url, `/000/${sid()}/websocket`));
    assert.equal(await ws.next(), 'o');
    mode = '';
    assert.deepEqual(errors, ['connection boom']);
    ws.ws.close();
    assert.equal((await request(server.url + '/info')).status, 200);
  });

  it('a throwing message listener (WebSocket) is reported and later messages still arrive', async () => {
    errors.length = 0;
    const ws = openWs(wsUrl(server.url, `/000/${sid()}/websocket`));
    assert.equal(await ws.next(), 'o');
    ws.ws.send('["throw","after"]');
    assert.equal(await ws.next(), 'a["after"]');
    assert.deepEqual(errors, ['message boom']);
    ws.ws.close();
  });

  it('a throwing message listener (xhr_send) does not fail the send', async () => {
    errors.length = 0;
    const id = sid();
    // A held stream keeps the session from expiring (disconnectDelay is short here).
    const stream = await openStream(`${server.url}/000/${id}/xhr_streaming`, { method: 'POST' });
    await stream.until((t) => t.endsWith('o\n'));
    const res = await xhrSend(server.url, id, ['throw', 'after']);
    assert.equal(res.status, 204);
    await stream.until((t) => t.endsWith('a["after"]\n'));
    stream.abort();
    assert.deepEqual(errors, ['message boom']);
  });

  it('a throwing close listener (timer, socket close) is reported', async () => {
    errors.length = 0;
    // The throwing listener comes first, so later 'close' listeners do not run:
    // the server's 'error' event is what tells the close happened.
    // Expiry after the disconnect delay runs in a timer.
    const pollId = sid();
    throwOnClose.add(pollId);
    await xhrPoll(server.url, pollId);
    await withTimeout(once(server.comet, 'error'), 'error from expiry');
    assert.deepEqual(errors, ['close boom']);
    // A WebSocket going away runs in a socket callback.
    const wsId = sid();
    throwOnClose.add(wsId);
    const ws = openWs(wsUrl(server.url, `/000/${wsId}/websocket`));
    assert.equal(await ws.next(), 'o');
    const reported = once(server.comet, 'error');
    ws.ws.close();
    await withTimeout(reported, 'error from ws close');
    assert.deepEqual(errors, ['close boom', 'close boom']);
    assert.equal((await request(server.url + '/info')).status, 200);
  });

  it('without an error listener, errors are logged, not thrown', async () => {
    const bare = await start({}, () => {
      throw new Error('unheard');
    });
    const logged = [];
    const original = console.error;
    console.error = (...args) => logged.push(args);
    try {
      const res = await xhrPoll(bare.url, sid());
      assert.equal(res.body, 'o\n');
      assert.equal(logged.length, 1);
      assert.equal(logged[0][1].message, 'unheard');
    } finally {
      console.error = original;
      await bare.close();
    }
  });
});

describe('frames on the wire', () => {
  it('xhr_streaming lines are frames', async () => {
    const server = await startEcho();
    try {
      const id = sid();
      const stream = await openStream(`${server.url}/000/${id}/xhr_streaming`, { method: 'POST' });
      await stream.until((t) => t.endsWith('o\n'));
      await xhrSend(server.url, id, ['x']);
      await stream.until((t) => t.endsWith('a["x"]\n'));
      assert.deepEqual(streamFrames(stream.text), ['o', 'a["x"]']);
      stream.abort();
    } finally {
      await server.close();
    }
  });
});
