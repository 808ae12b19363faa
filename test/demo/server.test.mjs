// demo/server.mjs (`npm start`), run as `npm start` runs it: a child process on a free port,
// seen only from outside, through HTTP and what it prints.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { request, startDemo, stopDemo } from './helpers.mjs';

describe('demo server: requests it cannot read', () => {
  let demo;
  before(async () => {
    demo = await startDemo();
  });
  after(() => stopDemo(demo));

  for (const path of ['/%E0%A4%A', '/%', '/dist/%zz.js']) {
    it(`answers 400 to GET ${path} (a broken percent-escape) and keeps serving`, async () => {
      const res = await request(demo, path);
      assert.equal(res.status, 400, `GET ${path}: ${JSON.stringify(res)}; demo stderr: ${demo.stderr}`);
      assert.equal(demo.child.exitCode, null, 'the demo server is still running');
      assert.equal((await request(demo, '/app.js')).status, 200);
    });
  }

  // `new URL('//', base)` throws and `new URL('//x/app.js', base)` is another host's /app.js.
  for (const path of ['//', '//x/app.js']) {
    it(`answers 404 to GET ${path} and keeps serving`, async () => {
      const res = await request(demo, path);
      assert.equal(res.status, 404, `GET ${path}: ${JSON.stringify(res)}; demo stderr: ${demo.stderr}`);
      assert.equal(demo.child.exitCode, null, 'the demo server is still running');
      assert.equal((await request(demo, '/app.js')).status, 200);
    });
  }

  it('still serves pages and answers 404 to a missing file', async () => {
    assert.equal((await request(demo, '/')).status, 200);
    assert.equal((await request(demo, '/dist/cometkit.min.js')).status, 200);
    assert.equal((await request(demo, '/nope.html')).status, 404);
    assert.equal((await request(demo, '/%2e%2e/package.json')).status, 404);
  });
});

describe('demo server: cuts', () => {
  let demo;
  before(async () => {
    demo = await startDemo();
  });
  after(() => stopDemo(demo));

  const cut = async (id) => JSON.parse((await request(demo, `/demo/cut?session=${id}`, { method: 'POST' })).body);
  // An xhr poll: the first of an id opens its session and answers the open frame.
  const poll = (id, agent) => request(demo, `/comet/000/${id}/xhr`, { method: 'POST', agent });

  it('many sessions over one keep-alive socket leave no listener warning, and a cut still finds the socket', async () => {
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    const seen = new Set();
    agent.on('free', (socket) => seen.add(socket));
    try {
      // Past the 10 listeners an emitter may have before Node warns of a leak.
      for (let i = 0; i < 25; i++) assert.equal((await poll(`keep${i}`, agent)).body, 'o\n');
      assert.equal(seen.size, 1, 'every session rode the same socket');
      const [socket] = seen;
      const closed = new Promise((resolve) => socket.once('close', resolve));
      assert.deepEqual(await cut('keep0'), { session: 'keep0', sockets: 1 });
      await closed;
      assert.doesNotMatch(demo.stderr, /MaxListenersExceededWarning/);
    } finally {
      agent.destroy();
    }
  });

  it('a cut of a session the server does not have keeps nothing: the id is not refused afterwards', async () => {
    for (let i = 0; i < 50; i++) assert.deepEqual(await cut(`ghost${i}`), { session: `ghost${i}`, sockets: 0 });
    assert.equal((await poll('ghost0')).body, 'o\n');
  });

  it('a cut refuses new requests of an open session for 2 s, then lets them through', async () => {
    assert.equal((await poll('cut1')).body, 'o\n');
    await cut('cut1');
    assert.ok((await poll('cut1')).error, 'a request of the session during the blackout is dropped');
    await new Promise((resolve) => setTimeout(resolve, 2100));
    const res = await poll('cut1');
    assert.equal(res.status, 200);
    assert.match(res.body, /^a\[.*welcome.*cut1/, 'the same session, its welcome waiting');
  });
});
