// src/protocol/frames.ts, seen through what the server puts on the wire:
// o / h / a[...] / c[code,"reason"] frames and quote()'s \u escaping.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  start,
  request,
  nextConnection,
  openStream,
  openWs,
  wsUrl,
  xhrPoll,
  xhrSend,
  sid,
} from '../server/helpers.mjs';

const PRELUDE = 'h'.repeat(2048) + '\n';

// Every character the protocol requires escaped, one from each range and both ends.
const UNSAFE = [
  '\x00', '\x01', '\x08', '\x0b', '\x1f',
  '\u200c', '\u200f', '\u2028', '\u2029', '\u202a', '\u202f',
  '\u2060', '\u206f',
  '\ufff0', '\ufffe', '\uffff',
];
const ESCAPES = {
  '\x00': '\\u0000', '\x01': '\\u0001', '\x08': '\\b', '\x0b': '\\u000b', '\x1f': '\\u001f',
  '\u200c': '\\u200c', '\u200f': '\\u200f', '\u2028': '\\u2028', '\u2029': '\\u2029',
  '\u202a': '\\u202a', '\u202f': '\\u202f', '\u2060': '\\u2060', '\u206f': '\\u206f',
  '\ufff0': '\\ufff0', '\ufffe': '\\ufffe', '\uffff': '\\uffff',
};
// Characters around those ranges that are fine raw.
const SAFE = ' ~\u00e9\u200b\u2030\u205f\u2070\uffef\u4e2d';
// eslint-disable-next-line no-control-regex -- control characters are what this looks for
const RAW_UNSAFE = /[\x00-\x1f\u200c-\u200f\u2028-\u202f\u2060-\u206f\ufff0-\uffff]/;

const message = 'x' + UNSAFE.join('|') + '|' + SAFE;
const wireArray = '["x' + UNSAFE.map((c) => ESCAPES[c]).join('|') + '|' + SAFE + '"]';

describe('frames on the wire', () => {
  let server;
  let base;
  before(async () => {
    server = await start({}, (s) => s.on('message', (m) => s.send(m)));
    base = server.url;
  });
  after(() => server.close());

  it('o opens, h beats, c[code,"reason"] closes', async () => {
    const fast = await start({ heartbeatDelay: 30 });
    try {
      const id = sid();
      const connection = nextConnection(fast);
      assert.equal((await xhrPoll(fast.url, id)).body, 'o\n');
      assert.equal((await xhrPoll(fast.url, id)).body, 'h\n');
      (await connection).close(3210, 'Reason with "quotes" and \u2028');
      assert.equal((await xhrPoll(fast.url, id)).body, 'c[3210,"Reason with \\"quotes\\" and \\u2028"]\n');
    } finally {
      await fast.close();
    }
  });

  it('a[...] escapes every unsafe character as \\uXXXX on xhr_streaming', async () => {
    const id = sid();
    const stream = await openStream(`${base}/000/${id}/xhr_streaming`, { method: 'POST' });
    await stream.until((t) => t.endsWith('o\n'));
    await xhrSend(base, id, [message]);
    const text = await stream.until((t) => t.endsWith(']\n'));
    const frame = text.slice(PRELUDE.length + 2, -1);
    assert.equal(frame, 'a' + wireArray);
    assert.ok(!RAW_UNSAFE.test(frame), 'no unsafe character raw on the wire');
    assert.deepEqual(JSON.parse(frame.slice(1)), [message]);
    stream.abort();
  });

  it('the same escaping on a long-poll', async () => {
    const id = sid();
    await xhrPoll(base, id);
    const held = xhrPoll(base, id);
    await xhrSend(base, id, [message]);
    assert.equal((await held).body, 'a' + wireArray + '\n');
  });

  it('the same escaping on a websocket, as one frame', async () => {
    const c = openWs(wsUrl(base, `/000/${sid()}/websocket`));
    assert.equal(await c.next(), 'o');
    c.ws.send(JSON.stringify([message]));
    const frame = await c.next();
    assert.equal(frame, 'a' + wireArray);
    assert.deepEqual(JSON.parse(frame.slice(1)), [message]);
    c.ws.close();
  });

  it('the JSONP frame is quoted once more, still without raw unsafe characters', async () => {
    const id = sid();
    await request(`${base}/000/${id}/jsonp?c=cb`);
    const held = request(`${base}/000/${id}/jsonp?c=cb`);
    await xhrSend(base, id, [message]);
    const body = (await held).body;
    assert.ok(!RAW_UNSAFE.test(body.slice(0, -2)), 'only the trailing \\r\\n is raw');
    const frame = JSON.parse(/^\/\*\*\/cb\((".*")\);\r\n$/s.exec(body)[1]);
    assert.equal(frame, 'a' + wireArray);
  });

  it('non-ASCII outside the unsafe ranges travels raw as UTF-8, astral characters included', async () => {
    const id = sid();
    await xhrPoll(base, id);
    const text = 'é ü ß 中文 русский 😀 𝄞';
    const held = xhrPoll(base, id);
    await xhrSend(base, id, [text]);
    assert.equal((await held).body, `a["${text}"]\n`);
  });

  it('messages that look like frames stay inside the array', async () => {
    const id = sid();
    await xhrPoll(base, id);
    const held = xhrPoll(base, id);
    await xhrSend(base, id, ['o', 'h', 'c[3000,"x"]', 'a["y"]', '\n']);
    assert.equal((await held).body, 'a["o","h","c[3000,\\"x\\"]","a[\\"y\\"]","\\n"]\n');
  });
});
