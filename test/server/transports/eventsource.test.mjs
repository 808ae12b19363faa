// src/server/transports/eventsource.ts: GET /<server>/<session>/eventsource.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  start,
  startEcho,
  request,
  nextConnection,
  openStream,
  xhrSend,
  eventsourceFrames,
  messagesOf,
  readAcrossResponses,
  sid,
} from '../helpers.mjs';

const NO_CACHE = 'no-store, no-cache, no-transform, must-revalidate, max-age=0';

describe('eventsource', () => {
  let server;
  let base;
  const open = (id, headers) => openStream(`${base}/000/${id}/eventsource`, { headers });
  before(async () => {
    server = await startEcho();
    base = server.url;
  });
  after(() => server.close());

  it('answers 200 text/event-stream, no-cache', async () => {
    const stream = await open(sid(), { Origin: 'https://app.example' });
    assert.equal(stream.status, 200);
    assert.equal(stream.headers['content-type'], 'text/event-stream');
    assert.equal(stream.headers['cache-control'], NO_CACHE);
    // nginx passes the stream on as it comes rather than buffering it (its proxy_buffering is on by default).
    assert.equal(stream.headers['x-accel-buffering'], 'no');
    assert.equal(stream.headers.expires, undefined);
    assert.equal(stream.headers['access-control-allow-origin'], 'https://app.example');
    stream.abort();
  });

  it('starts with a \\r\\n prelude, then data: o', async () => {
    const stream = await open(sid());
    assert.equal(await stream.until((t) => t.length >= 11), '\r\ndata: o\r\n\r\n');
    stream.abort();
  });

  it('sends each frame as one event', async () => {
    const id = sid();
    const stream = await open(id);
    await stream.until((t) => t.endsWith('data: o\r\n\r\n'));
    await xhrSend(base, id, ['x', 'y']);
    await stream.until((t) => t.endsWith('\r\n\r\n') && t.includes('data: a'));
    assert.equal(stream.text, '\r\ndata: o\r\n\r\ndata: a["x","y"]\r\n\r\n');
  });

  it('percent-escapes % so the client can decodeURI the frame', async () => {
    const id = sid();
    const stream = await open(id);
    await stream.until((t) => t.endsWith('data: o\r\n\r\n'));
    await xhrSend(base, id, ['100% sure', '%25 already', 'line\nbreak\r\0']);
    await stream.until((t) => t.split('data: ').length === 3 && t.endsWith('\r\n\r\n'));
    const raw = stream.text.split('data: ')[2];
    // Control characters are \u-escaped by the JSON quoting, so the event holds no raw line break.
    assert.equal(raw, 'a["100%25 sure","%2525 already","line\\nbreak\\r\\u0000"]\r\n\r\n');
    assert.deepEqual(messagesOf(eventsourceFrames(stream.text)), ['100% sure', '%25 already', 'line\nbreak\r\0']);
    stream.abort();
  });

  it('coalesces several sends in one tick into one event', async () => {
    const id = sid();
    const connection = nextConnection(server);
    const stream = await open(id);
    const session = await connection;
    await stream.until((t) => t.endsWith('data: o\r\n\r\n'));
    session.send('1');
    session.send('2');
    await stream.until((t) => eventsourceFrames(t).length === 2);
    assert.deepEqual(eventsourceFrames(stream.text), ['o', 'a["1","2"]']);
    stream.abort();
  });

  it('sends heartbeats when idle', async () => {
    const fast = await start({ heartbeatDelay: 50 });
    try {
      const stream = await openStream(`${fast.url}/000/${sid()}/eventsource`);
      await stream.until((t) => t === '\r\ndata: o\r\n\r\ndata: h\r\n\r\ndata: h\r\n\r\n');
      stream.abort();
    } finally {
      await fast.close();
    }
  });

  it('a second eventsource gets c[2010]; the first keeps working', async () => {
    const id = sid();
    const first = await open(id);
    await first.until((t) => t.endsWith('data: o\r\n\r\n'));
    const second = await open(id);
    assert.deepEqual(eventsourceFrames(await second.ended), ['c[2010,"Another connection still open"]']);
    await xhrSend(base, id, ['ok']);
    await first.until((t) => messagesOf(eventsourceFrames(t)).includes('ok'));
    first.abort();
  });

  it('echoes non-ASCII and 64 KiB messages intact', async () => {
    const id = sid();
    const stream = await open(id);
    await stream.until((t) => t.endsWith('data: o\r\n\r\n'));
    const messages = ['ünïcödé 日本語 🎉', 'z'.repeat(65536)];
    await xhrSend(base, id, messages);
    await stream.until((t) => messagesOf(eventsourceFrames(t)).length === 2);
    assert.deepEqual(messagesOf(eventsourceFrames(stream.text)), messages);
    stream.abort();
  });

  it('is GET only', async () => {
    assert.equal((await request(`${base}/000/${sid()}/eventsource`, { method: 'POST' })).status, 405);
  });
});

describe('eventsource response limit', () => {
  let server;
  before(async () => {
    server = await start({ responseLimit: 300 });
  });
  after(() => server.close());

  it('ends the response at the limit; reopening continues the session with nothing lost or repeated', async () => {
    const result = await readAcrossResponses(server, {
      open: (id) => openStream(`${server.url}/000/${id}/eventsource`),
      parse: eventsourceFrames,
    });
    assert.deepEqual(result.messages, result.expected);
    assert.ok(result.bodies.length >= 3, `several responses (${result.bodies.length})`);
    for (const body of result.bodies) assert.ok(body.startsWith('\r\ndata: '), 'every response has the prelude');
    assert.equal(result.frames.filter((f) => f === 'o').length, 1);
    assert.equal(result.frames[0], 'o');
  });
});
