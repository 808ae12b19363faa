// src/server/transports/htmlfile.ts: GET /<server>/<session>/htmlfile?c=<callback>.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  start,
  startEcho,
  request,
  nextConnection,
  openStream,
  xhrSend,
  htmlfileFrames,
  messagesOf,
  readAcrossResponses,
  sid,
} from '../helpers.mjs';

const NO_CACHE = 'no-store, no-cache, no-transform, must-revalidate, max-age=0';

function head(callback) {
  return `<!doctype html>
<html><head>
  <meta http-equiv="X-UA-Compatible" content="IE=edge" />
  <meta http-equiv="Content-Type" content="text/html; charset=UTF-8" />
</head><body><h2>Don't panic!</h2>
  <script>
    document.domain = document.domain;
    var c = parent.${callback};
    c.start();
    function p(d) {c.message(d);};
    window.onload = function() {c.stop();};
  </script>`;
}

/** The body after the padded head. */
function afterHead(text) {
  const i = text.indexOf('\r\n\r\n');
  return i < 0 ? '' : text.slice(i + 4);
}

describe('htmlfile', () => {
  let server;
  let base;
  const open = (id, callback = 'cb') => openStream(`${base}/000/${id}/htmlfile?c=${callback}`);
  before(async () => {
    server = await startEcho();
    base = server.url;
  });
  after(() => server.close());

  it('answers 200 text/html, no-cache', async () => {
    const stream = await open(sid());
    assert.equal(stream.status, 200);
    assert.equal(stream.headers['content-type'], 'text/html;charset=UTF-8');
    assert.equal(stream.headers['cache-control'], NO_CACHE);
    // nginx passes the stream on as it comes rather than buffering it (its proxy_buffering is on by default).
    assert.equal(stream.headers['x-accel-buffering'], 'no');
    assert.equal(stream.headers.expires, undefined);
    // Framed in the bridge page, which has an embedder policy: a cross-origin isolated page needs both.
    assert.equal(stream.headers['cross-origin-embedder-policy'], 'require-corp');
    stream.abort();
  });

  it('starts with the head naming the callback, padded to 1 KiB, then the open frame', async () => {
    const stream = await open(sid(), 'window.my_cb-1');
    const text = await stream.until((t) => t.includes('</script>\r\n', 1024));
    const expected = head('window.my_cb-1');
    assert.ok(text.startsWith(expected), 'the head');
    const headEnd = text.indexOf('\r\n\r\n');
    assert.ok(headEnd >= 1024, `padded to at least 1024 bytes (${headEnd})`);
    assert.match(text.slice(expected.length, headEnd), /^ *$/, 'padded with spaces');
    assert.equal(afterHead(text), '<script>\np("o");\n</script>\r\n');
    stream.abort();
  });

  it('the callback may come as callback=', async () => {
    const stream = await openStream(`${base}/000/${sid()}/htmlfile?callback=other`);
    const text = await stream.until((t) => t.includes('p("o")'));
    assert.ok(text.includes('var c = parent.other;'));
    stream.abort();
  });

  it('wraps each frame in a script tag as a JSON string', async () => {
    const id = sid();
    const stream = await open(id);
    await stream.until((t) => t.includes('p("o")'));
    await xhrSend(base, id, ['x']);
    await stream.until((t) => htmlfileFrames(t).length === 2);
    assert.equal(afterHead(stream.text), '<script>\np("o");\n</script>\r\n<script>\np("a[\\"x\\"]");\n</script>\r\n');
    stream.abort();
  });

  it('escapes < so a message cannot end the script element', async () => {
    const id = sid();
    const stream = await open(id);
    await stream.until((t) => t.includes('p("o")'));
    const evil = '</script><script>alert(1)</script><!--';
    await xhrSend(base, id, [evil]);
    await stream.until((t) => htmlfileFrames(t).length === 2);
    const body = afterHead(stream.text);
    assert.equal(body.split('</script>').length - 1, 2, 'only the two frame script elements close');
    assert.ok(!body.includes('<script><script>') && !body.includes('<!--'));
    assert.deepEqual(messagesOf(htmlfileFrames(stream.text)), [evil]);
    stream.abort();
  });

  it('coalesces several sends in one tick into one frame', async () => {
    const id = sid();
    const connection = nextConnection(server);
    const stream = await open(id);
    const session = await connection;
    await stream.until((t) => t.includes('p("o")'));
    session.send('1');
    session.send('2');
    session.send('3');
    await stream.until((t) => htmlfileFrames(t).length === 2);
    assert.deepEqual(htmlfileFrames(stream.text), ['o', 'a["1","2","3"]']);
    stream.abort();
  });

  it('sends heartbeats when idle', async () => {
    const fast = await start({ heartbeatDelay: 50 });
    try {
      const stream = await openStream(`${fast.url}/000/${sid()}/htmlfile?c=cb`);
      await stream.until((t) => htmlfileFrames(t).length === 3);
      assert.deepEqual(htmlfileFrames(stream.text), ['o', 'h', 'h']);
      stream.abort();
    } finally {
      await fast.close();
    }
  });

  it('validates the callback before opening anything', async () => {
    const id = sid();
    const missing = await request(`${base}/000/${id}/htmlfile`);
    assert.equal(missing.status, 500);
    assert.equal(missing.body, '"callback" parameter required');
    const bad = await request(`${base}/000/${id}/htmlfile?c=${encodeURIComponent('x;alert(1)')}`);
    assert.equal(bad.status, 500);
    assert.equal(bad.body, 'invalid "callback" parameter');
    assert.equal(bad.headers['cache-control'], NO_CACHE);
    // No session was created by those.
    assert.equal((await xhrSend(base, id, ['x'])).status, 404);
  });

  it('echoes non-ASCII and 64 KiB messages intact', async () => {
    const id = sid();
    const stream = await open(id);
    await stream.until((t) => t.includes('p("o")'));
    const messages = ['ça va? 你好 👋', 'q'.repeat(65536)];
    await xhrSend(base, id, messages);
    await stream.until((t) => messagesOf(htmlfileFrames(t)).length === 2);
    assert.deepEqual(messagesOf(htmlfileFrames(stream.text)), messages);
    stream.abort();
  });
});

describe('htmlfile response limit', () => {
  let server;
  before(async () => {
    server = await start({ responseLimit: 400 });
  });
  after(() => server.close());

  it('ends the response at the limit; reopening continues the session with nothing lost or repeated', async () => {
    const result = await readAcrossResponses(server, {
      open: (id) => openStream(`${server.url}/000/${id}/htmlfile?c=cb`),
      parse: htmlfileFrames,
    });
    assert.deepEqual(result.messages, result.expected);
    assert.ok(result.bodies.length >= 3, `several responses (${result.bodies.length})`);
    for (const body of result.bodies) assert.ok(body.startsWith(head('cb')), 'every response has the head');
    assert.equal(result.frames.filter((f) => f === 'o').length, 1);
    assert.equal(result.frames[0], 'o');
  });
});
