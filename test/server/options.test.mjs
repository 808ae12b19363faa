// src/server/options.ts: validation (exact TypeError messages), defaults, and
// that every option reaches the server.
import { describe, it, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, listen } from '../../dist/server.js';
import { request, start, nextConnection, xhrPoll, sid } from './helpers.mjs';

const P = 'cometkit server: ';

function rejects(options, message) {
  assert.throws(() => createServer(options), (error) => {
    assert.ok(error instanceof TypeError, `TypeError expected, got ${error}`);
    assert.equal(error.message, message);
    return true;
  });
}

describe('options validation', () => {
  it('rejects a non-object', () => {
    for (const bad of [null, 5, 'x', true]) rejects(bad, P + 'options must be an object');
  });

  it('rejects unknown options by name', () => {
    rejects({ heartbeat: 10 }, P + 'unknown option "heartbeat"');
    rejects({ port: 0 }, P + 'unknown option "port"');
  });

  it('checks the prefix', () => {
    const message = P + 'option "prefix" must be "" or a path that starts with "/" and does not end with "/"';
    for (const bad of ['echo', '/echo/', '/', 5, null]) rejects({ prefix: bad }, message);
    assert.equal(createServer({ prefix: '/echo' }).options.prefix, '/echo');
    assert.equal(createServer({ prefix: '/a/b' }).options.prefix, '/a/b');
    assert.equal(createServer({ prefix: '' }).options.prefix, '');
  });

  it('checks the numeric options are positive integers up to what a timer holds', () => {
    for (const key of ['heartbeatDelay', 'disconnectDelay', 'responseLimit', 'maxBodySize']) {
      for (const bad of [0, -1, 1.5, '100', NaN, Infinity, null, 2147483648, 3e9]) {
        rejects({ [key]: bad }, `${P}option "${key}" must be a positive integer up to 2147483647`);
      }
      assert.equal(createServer({ [key]: 7 }).options[key], 7);
      assert.equal(createServer({ [key]: 2147483647 }).options[key], 2147483647);
    }
  });

  it('checks the boolean options', () => {
    for (const key of ['websocket', 'jsessionid', 'sessionSecrets']) {
      for (const bad of ['yes', 1, 0, null]) rejects({ [key]: bad }, `${P}option "${key}" must be a boolean`);
      assert.equal(createServer({ [key]: false }).options[key], false);
      assert.equal(createServer({ [key]: true }).options[key], true);
    }
  });

  it('checks sockjsUrl', () => {
    for (const bad of ['', 5, null]) rejects({ sockjsUrl: bad }, P + 'option "sockjsUrl" must be a non-empty string');
    assert.equal(createServer({ sockjsUrl: '/s.js' }).options.sockjsUrl, '/s.js');
  });

  it('treats undefined values as absent', () => {
    const options = createServer({ prefix: undefined, heartbeatDelay: undefined, websocket: undefined }).options;
    assert.equal(options.prefix, '');
    assert.equal(options.heartbeatDelay, 25000);
    assert.equal(options.websocket, true);
  });

  it('has the documented defaults, frozen', () => {
    const options = createServer().options;
    assert.deepEqual({ ...options }, {
      prefix: '',
      heartbeatDelay: 25000,
      disconnectDelay: 5000,
      responseLimit: 131072,
      maxBodySize: 1048576,
      resumeGrace: 30000,
      resumeLimit: 1048576,
      bufferLimit: 1048576,
      maxSessions: 100000,
      origins: undefined,
      sessionSecrets: true,
      websocket: true,
      jsessionid: false,
      sockjsUrl: 'https://cdn.jsdelivr.net/npm/sockjs-client@1.6.1/dist/sockjs.min.js',
    });
    assert.ok(Object.isFrozen(options));
    assert.deepEqual({ ...createServer({}).options }, { ...options });
  });

  it('listen() checks the port', async () => {
    for (const bad of [-1, 65536, 1.5, '80']) {
      await assert.rejects(listen({ port: bad }), {
        name: 'TypeError',
        message: P + 'option "port" must be an integer from 0 to 65535',
      });
    }
  });

  it('listen() passes server option errors on', async () => {
    await assert.rejects(listen({ port: 0, bogus: 1 }), { name: 'TypeError', message: P + 'unknown option "bogus"' });
  });
});

describe('options reach the server', () => {
  let server;
  after(() => server?.close());

  it('mounts under the prefix and reports it in url', async () => {
    server = await start({ prefix: '/echo', heartbeatDelay: 1234 });
    assert.match(server.url, /^http:\/\/127\.0\.0\.1:\d+\/echo$/);
    assert.equal(server.port, Number(new URL(server.url).port));
    for (const path of ['/echo', '/echo/']) {
      const res = await request(`http://127.0.0.1:${server.port}${path}`);
      assert.equal(res.status, 200, path);
      assert.equal(res.body, 'Welcome to SockJS!\n');
    }
    // Outside the prefix (and no other listener): plain 404.
    for (const path of ['/', '/info', '/echoes', '/echoes/info']) {
      assert.equal((await request(`http://127.0.0.1:${server.port}${path}`)).status, 404, path);
    }
    const info = JSON.parse((await request(server.url + '/info')).body);
    assert.equal(info.cometkit.heartbeat, 1234);
  });

  it('serves sessions under the prefix', async () => {
    const connection = nextConnection(server);
    const res = await xhrPoll(server.url, sid());
    assert.equal(res.body, 'o\n');
    const session = await connection;
    assert.equal(session.info.transport, 'xhr');
    assert.match(session.info.url, /^\/echo\/000\/[^/]+\/xhr$/);
  });
});
