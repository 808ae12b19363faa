// What a real nginx does to the cometkit server's transports, in the three configs of
// test/network/nginx.mjs. Timings measured on the CI machine are in the comments; the assertions
// leave room for a slow machine but still tell "prompt" from "held".
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { openStream, openWebSocket, sessionPath, sleep, startEcho, until, xhrSend } from './helpers.mjs';
import { hasNginx, startNginx } from './nginx.mjs';

const skip = hasNginx() ? false : '/usr/sbin/nginx is missing (bash .ci/run installs it)';
/** "Prompt": first bytes within this many ms (measured: 3–15 ms through nginx). */
const PROMPT = 500;
/** The short read timeout the tests give nginx (the module's default is 3000). */
const READ_TIMEOUT = 1000;

// The three streaming transports, with what their first frame looks like.
const STREAMS = [
  { name: 'xhr_streaming', method: 'POST', path: 'xhr_streaming', open: 'o\n' },
  { name: 'eventsource', method: 'GET', path: 'eventsource', open: 'data: o\r\n' },
  { name: 'htmlfile', method: 'GET', path: 'htmlfile?c=cb', open: 'p("o");' },
];

const started = [];
async function nginxFor(server, options) {
  const proxy = await startNginx({ upstream: server.origin, ...options });
  started.push(proxy);
  return proxy;
}

describe('nginx in front of the cometkit server', { skip, concurrency: true, timeout: 15000 }, () => {
  let echo; // heartbeat 25 s: nothing flows unless a test sends
  let chatty; // heartbeat 300 ms
  before(async () => {
    [echo, chatty] = await Promise.all([startEcho(), startEcho({ heartbeatDelay: 300 })]);
  });
  after(async () => {
    await Promise.all(started.map((proxy) => proxy.stop()));
    await Promise.all([echo?.close(), chatty?.close()]);
  });

  describe("config 'default' (bare proxy_pass)", { concurrency: true }, () => {
    test('a WebSocket upgrade gets 400: nginx forwards it as a plain HTTP/1.0 GET without Upgrade', async () => {
      const proxy = await nginxFor(echo, { config: 'default' });
      const socket = openWebSocket(`${proxy.url}${sessionPath()}/websocket`);
      await socket.waitClosed();
      assert.equal(socket.opened, null);
      // The cometkit server answers the Upgrade-less GET: 400 'Can "Upgrade" only to "WebSocket".'
      assert.equal(socket.status, 400);
      assert.equal(socket.statusBody, 'Can "Upgrade" only to "WebSocket".');
    });

    // nginx buffers responses by default, but honours `X-Accel-Buffering: no`, which the server sends
    // on all three streaming transports: nginx then switches that response to unbuffered mode. So the
    // streams open at once (measured 3–15 ms), and nginx strips the header from what the client sees.
    for (const { name, method, path, open } of STREAMS) {
      test(`${name} opens and delivers at once: X-Accel-Buffering: no turns nginx's buffering off`, async () => {
        const proxy = await nginxFor(echo, { config: 'default' });
        const session = sessionPath();
        const stream = openStream(`${proxy.url}${session}/${path}`, { method });
        try {
          await stream.waitFor(open, PROMPT);
          assert.equal(stream.status, 200);
          assert.equal(stream.headers['x-accel-buffering'], undefined, 'nginx consumes the header');
          const sent = Date.now();
          assert.equal(await xhrSend(`${proxy.url}${session}/xhr_send`, ['hello']), 204);
          await stream.waitFor('hello', PROMPT);
          assert.ok(Date.now() - sent < PROMPT);
        } finally {
          stream.destroy();
        }
      });
    }

    // The same stream when nginx does not honour the header (proxy_ignore_headers, or any buffering
    // proxy that never heard of it): nginx holds the status line, headers and body until its first
    // buffer (proxy_buffer_size, one 4 KiB page here) is full, then releases it 4 KiB at a time.
    // The 2051-byte prelude + `o` alone never fills it: a client would wait for its open frame
    // until the heartbeat traffic (2 bytes per 25 s) or messages add up to ~4 KiB.
    test('xhr_streaming is held (headers included) when nginx ignores X-Accel-Buffering, until ~4 KiB accumulate', async () => {
      const proxy = await nginxFor(echo, { config: 'default', ignoreAccelBuffering: true });
      const session = sessionPath();
      const stream = openStream(`${proxy.url}${session}/xhr_streaming`, { method: 'POST' });
      try {
        await sleep(1000);
        assert.equal(stream.headersAt, null, 'nothing, not even the headers, within 1 s');
        assert.equal(stream.bytes(), 0);
        // 2051 bytes of prelude and `o` are held; one 3000-character message brings the upstream's body
        // to 5057 bytes, over the first buffer.
        const message = 'x'.repeat(3000);
        const sent = Date.now();
        await xhrSend(`${proxy.url}${session}/xhr_send`, [message]);
        await stream.waitFor('o\n', PROMPT);
        assert.ok(Date.now() - sent < PROMPT, 'released once the buffer filled');
        assert.ok(stream.bytes() < 2051 + message.length + 6, `only whole buffers come out (got ${stream.bytes()} bytes)`);
        await sleep(200);
        assert.ok(!stream.text().includes(`${message}"]\n`), 'the message tail is still held');
      } finally {
        stream.destroy();
      }
    });

    test('xhr polling works: each poll ends, so buffering only waits for the end', async () => {
      const proxy = await nginxFor(echo, { config: 'default', ignoreAccelBuffering: true });
      const session = sessionPath();
      const first = openStream(`${proxy.url}${session}/xhr`, { method: 'POST' });
      assert.equal(await first.ended(PROMPT), 'end');
      assert.equal(first.text(), 'o\n');
      const poll = openStream(`${proxy.url}${session}/xhr`, { method: 'POST' });
      // Held upstream first, so the answer is a held poll's, through the proxy's buffering.
      const id = session.split('/').pop();
      await until(() => echo.comet.sessions.get(id)?.receiver, 3000, 'the poll held by the server');
      await xhrSend(`${proxy.url}${session}/xhr_send`, ['polled']);
      assert.equal(await poll.ended(PROMPT), 'end');
      assert.equal(poll.text(), 'a["polled"]\n');
    });
  });

  describe("config 'websocket' (HTTP/1.1, Upgrade/Connection, proxy_buffering off)", { concurrency: true }, () => {
    test('WebSocket echo works', async () => {
      const proxy = await nginxFor(echo, { config: 'websocket' });
      const socket = openWebSocket(`${proxy.url}${sessionPath()}/websocket`);
      try {
        await socket.waitFor('o', PROMPT);
        socket.send('through nginx');
        await socket.waitFor('a["through nginx"]', PROMPT);
      } finally {
        socket.ws.close();
      }
    });

    // proxy_buffering off: nginx forwards what it reads, whatever the response headers say.
    for (const { name, method, path, open } of STREAMS) {
      test(`${name} is prompt even when nginx ignores X-Accel-Buffering`, async () => {
        const proxy = await nginxFor(echo, { config: 'websocket', ignoreAccelBuffering: true });
        const session = sessionPath();
        const stream = openStream(`${proxy.url}${session}/${path}`, { method });
        try {
          await stream.waitFor(open, PROMPT);
          await xhrSend(`${proxy.url}${session}/xhr_send`, ['prompt']);
          await stream.waitFor('prompt', PROMPT);
        } finally {
          stream.destroy();
        }
      });
    }
  });

  describe(`config 'short-read-timeout' (proxy_read_timeout ${READ_TIMEOUT} ms)`, { concurrency: true }, () => {
    // nginx times out a silent upstream per read: each byte from the server re-arms the timer.
    const CUT_MIN = READ_TIMEOUT - 100;
    const CUT_MAX = READ_TIMEOUT + 700;

    test('a held xhr poll gets 504 at the timeout (the server sends no headers until a frame is ready)', async () => {
      const proxy = await nginxFor(echo, { config: 'short-read-timeout', readTimeout: READ_TIMEOUT });
      const session = sessionPath();
      assert.equal(await openStream(`${proxy.url}${session}/xhr`, { method: 'POST' }).ended(PROMPT), 'end');
      const held = openStream(`${proxy.url}${session}/xhr`, { method: 'POST' });
      await held.ended(CUT_MAX + 500);
      assert.equal(held.status, 504);
      assert.ok(held.headersAt >= CUT_MIN && held.headersAt <= CUT_MAX, `504 after ${held.headersAt} ms`);
    });

    for (const { name, method, path, open } of STREAMS) {
      test(`an idle ${name} is cut at the timeout, mid-body`, async () => {
        const proxy = await nginxFor(echo, { config: 'short-read-timeout', readTimeout: READ_TIMEOUT });
        const stream = openStream(`${proxy.url}${sessionPath()}/${path}`, { method });
        await stream.waitFor(open, PROMPT);
        const outcome = await stream.ended(CUT_MAX + 500);
        // nginx closes the connection without the terminating chunk: the client sees an abort.
        assert.equal(outcome, 'aborted');
        const idle = stream.endedAt - stream.chunks.at(-1).at;
        assert.ok(idle >= CUT_MIN && idle <= CUT_MAX, `cut ${idle} ms after the last byte`);
      });
    }

    test('an idle WebSocket is closed at the timeout (1006, no close frame)', async () => {
      const proxy = await nginxFor(echo, { config: 'short-read-timeout', readTimeout: READ_TIMEOUT });
      const socket = openWebSocket(`${proxy.url}${sessionPath()}/websocket`);
      await socket.waitFor('o', PROMPT);
      const { at, code } = await socket.waitClosed(CUT_MAX + 500);
      assert.equal(code, 1006);
      const idle = at - socket.frames.at(-1).at;
      assert.ok(idle >= CUT_MIN && idle <= CUT_MAX, `closed ${idle} ms after the last frame`);
    });

    test('heartbeats shorter than the timeout keep a stream and a WebSocket alive', async () => {
      const proxy = await nginxFor(chatty, { config: 'short-read-timeout', readTimeout: READ_TIMEOUT });
      const stream = openStream(`${proxy.url}${sessionPath()}/xhr_streaming`, { method: 'POST' });
      const socket = openWebSocket(`${proxy.url}${sessionPath()}/websocket`);
      try {
        await sleep(2 * READ_TIMEOUT + 300);
        assert.equal(stream.outcome, null, 'the stream is still open');
        // Counted as whole lines (the prelude is one line of 2048 h's): what the last read happened to
        // end with depends on how the proxy's writes met the reads, which a loaded machine varies.
        const beats = stream.text().split('\n').filter((line) => line === 'h').length;
        assert.ok(beats >= 4, `heartbeats arrive on the stream: ${beats}`);
        assert.equal(socket.closed, null, 'the WebSocket is still open');
        assert.ok(socket.frames.filter((f) => f.data === 'h').length >= 4, 'heartbeats arrive');
      } finally {
        stream.destroy();
        socket.ws.close();
      }
    });
  });
});
