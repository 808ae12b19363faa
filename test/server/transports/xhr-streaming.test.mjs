// src/server/transports/xhr-streaming.ts: POST /<server>/<session>/xhr_streaming.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  start,
  startEcho,
  request,
  nextConnection,
  openStream,
  xhrSend,
  xhrFrames,
  messagesOf,
  readAcrossResponses,
  rawHttp10,
  sid,
} from '../helpers.mjs';

const PRELUDE = 'h'.repeat(2048) + '\n';
const NO_CACHE = 'no-store, no-cache, no-transform, must-revalidate, max-age=0';

const frames = (text) => xhrFrames(text.slice(PRELUDE.length));

describe('xhr_streaming', () => {
  let server;
  let base;
  const open = (id, headers) => openStream(`${base}/000/${id}/xhr_streaming`, { method: 'POST', headers });
  before(async () => {
    server = await startEcho();
    base = server.url;
  });
  after(() => server.close());

  it('answers 200 javascript, no-cache, CORS, nosniff, chunked', async () => {
    const stream = await open(sid(), { Origin: 'https://app.example' });
    assert.equal(stream.status, 200);
    assert.equal(stream.headers['content-type'], 'application/javascript;charset=UTF-8');
    assert.equal(stream.headers['cache-control'], NO_CACHE);
    // nginx passes the stream on as it comes rather than buffering it (its proxy_buffering is on by default).
    assert.equal(stream.headers['x-accel-buffering'], 'no');
    assert.equal(stream.headers.expires, undefined);
    assert.equal(stream.headers['last-modified'], undefined);
    assert.equal(stream.headers['access-control-allow-origin'], 'https://app.example');
    assert.equal(stream.headers['access-control-allow-credentials'], 'true');
    assert.equal(stream.headers['x-content-type-options'], 'nosniff');
    assert.equal(stream.headers['transfer-encoding'], 'chunked');
    assert.equal(stream.headers['content-length'], undefined);
    stream.abort();
  });

  it('starts with a 2048-byte h prelude and a newline, then o', async () => {
    const stream = await open(sid());
    const text = await stream.until((t) => t.length >= PRELUDE.length + 2);
    assert.equal(text.slice(0, PRELUDE.length), PRELUDE);
    assert.equal(text.slice(PRELUDE.length), 'o\n');
    stream.abort();
  });

  it('sends one frame per line, echoing what xhr_send posts', async () => {
    const id = sid();
    const stream = await open(id);
    await stream.until((t) => t.endsWith('o\n'));
    assert.equal((await xhrSend(base, id, ['a', 'b'])).status, 204);
    await stream.until((t) => messagesOf(frames(t)).length === 2);
    assert.equal((await xhrSend(base, id, ['c'])).status, 204);
    await stream.until((t) => messagesOf(frames(t)).length === 3);
    assert.deepEqual(frames(stream.text), ['o', 'a["a","b"]', 'a["c"]']);
    stream.abort();
  });

  it('coalesces several sends in one tick into one frame', async () => {
    const id = sid();
    const connection = nextConnection(server);
    const stream = await open(id);
    const session = await connection;
    await stream.until((t) => t.endsWith('o\n'));
    session.send('1');
    session.send('2');
    session.send('3');
    await stream.until((t) => t.endsWith(']\n'));
    assert.deepEqual(frames(stream.text), ['o', 'a["1","2","3"]']);
    stream.abort();
  });

  it('sends heartbeats when idle', async () => {
    const fast = await start({ heartbeatDelay: 50 });
    try {
      const stream = await openStream(`${fast.url}/000/${sid()}/xhr_streaming`, { method: 'POST' });
      await stream.until((t) => t === PRELUDE + 'o\nh\nh\n', 'two heartbeats');
      stream.abort();
    } finally {
      await fast.close();
    }
  });

  it('a second xhr_streaming on the same session gets c[2010] and ends', async () => {
    const id = sid();
    const first = await open(id);
    await first.until((t) => t.endsWith('o\n'));
    const second = await open(id);
    assert.equal(await second.ended, PRELUDE + 'c[2010,"Another connection still open"]\n');
    await xhrSend(base, id, ['first still works']);
    await first.until((t) => t.includes('a["first still works"]\n'));
    first.abort();
  });

  it('OPTIONS is a preflight allowing POST', async () => {
    const res = await request(`${base}/000/${sid()}/xhr_streaming`, { method: 'OPTIONS' });
    assert.equal(res.status, 204);
    assert.equal(res.headers['access-control-allow-methods'], 'OPTIONS, POST');
  });

  it('echoes non-ASCII and 64 KiB messages intact', async () => {
    const id = sid();
    const stream = await open(id);
    await stream.until((t) => t.endsWith('o\n'));
    const big = 'x'.repeat(65536);
    const unicode = 'héllo wörld – 中文 – 😀 – \u00ff';
    await xhrSend(base, id, [unicode]);
    await xhrSend(base, id, [big]);
    await stream.until((t) => messagesOf(frames(t)).length === 2);
    assert.deepEqual(messagesOf(frames(stream.text)), [unicode, big]);
    stream.abort();
  });
});

describe('xhr_streaming response limit', () => {
  let server;
  before(async () => {
    server = await start({ responseLimit: 300 });
  });
  after(() => server.close());

  it('ends the response at the limit; reopening continues the session with nothing lost or repeated', async () => {
    const result = await readAcrossResponses(server, {
      open: (id) => openStream(`${server.url}/000/${id}/xhr_streaming`, { method: 'POST' }),
      parse: frames,
    });
    assert.deepEqual(result.messages, result.expected);
    assert.ok(result.bodies.length >= 3, `several responses (${result.bodies.length})`);
    for (const body of result.bodies) assert.ok(body.startsWith(PRELUDE), 'every response has the prelude');
    assert.equal(result.frames.filter((f) => f === 'o').length, 1, 'one open frame in all');
    assert.equal(result.frames[0], 'o');
    assert.equal(result.frames.filter((f) => f.startsWith('c')).length, 0);
  });
});

describe('xhr_streaming over HTTP/1.0', () => {
  let server;
  before(async () => {
    server = await start({ responseLimit: 1 });
  });
  after(() => server.close());

  it('streams without Transfer-Encoding or Content-Length and closes the connection at the end', async () => {
    const text = await rawHttp10(
      server.port,
      `POST /000/${sid()}/xhr_streaming HTTP/1.0\r\nHost: 127.0.0.1\r\nContent-Length: 0\r\n\r\n`,
    );
    const [head, body] = [text.slice(0, text.indexOf('\r\n\r\n')), text.slice(text.indexOf('\r\n\r\n') + 4)];
    assert.match(head, /^HTTP\/1\.[01] 200 /);
    assert.doesNotMatch(head, /transfer-encoding/i);
    assert.doesNotMatch(head, /content-length/i);
    assert.equal(body, PRELUDE + 'o\n');
  });
});
