// src/legacy/frames.ts, compiled as the legacy build compiles it, in a context without JSON.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { legacyContext, plain } from './compile.mjs';

const context = legacyContext();
context.load('legacy/json');
context.load('protocol/frames');
const { decodeFrame } = context.load('legacy/frames');

describe('legacy frames', () => {
  it('decodes open, heartbeat, messages, the single-message frame, close and kept (resume)', () => {
    assert.deepEqual(plain(decodeFrame('o')), ['o']);
    assert.deepEqual(plain(decodeFrame('h')), ['h']);
    assert.deepEqual(plain(decodeFrame('a["m1","\\u00e9"]')), ['a', ['m1', 'é']]);
    assert.deepEqual(plain(decodeFrame('m"one"')), ['a', ['one']]);
    assert.deepEqual(plain(decodeFrame('c[3000,"Go away!"]')), ['c', 3000, 'Go away!']);
    assert.deepEqual(plain(decodeFrame('k0')), ['k', 0]);
    assert.deepEqual(plain(decodeFrame('k1234')), ['k', 1234]);
  });

  it('throws an Error naming a malformed frame', () => {
    for (const text of ['a[1]', 'a"x"', 'c["x",1]', 'c[3000]', 'x', 'a[', 'oo', '', 'k', 'k-1', 'k1.5']) {
      assert.throws(() => decodeFrame(text), (error) => error.message === 'Malformed frame: ' + text.slice(0, 64), text);
    }
  });
});
