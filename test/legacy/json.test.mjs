// src/legacy/json.ts, compiled as the legacy build compiles it, in a context without JSON.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { legacyContext, plain } from './compile.mjs';

const json = legacyContext().load('legacy/json');

const TRICKY = [
  '',
  'plain',
  'zażółć gęślą jaźń · Ελληνικά · 日本語 · 😀',
  '\u2028\u2029 "quotes" \\ </script> \u0000\u001f\u007f\ud800 lone',
  'x'.repeat(65536),
  '\\u0041 is not an escape here',
];

describe('legacy json', () => {
  it('stringifies string arrays as ASCII that JSON.parse reads back exactly', () => {
    const text = json.stringify(TRICKY);
    assert.match(text, /^[\x20-\x7e]*$/);
    assert.deepEqual(JSON.parse(text), TRICKY);
  });

  it('stringifies every UTF-16 code unit', () => {
    const all = [];
    for (let c = 0; c < 0x10000; c += 1) all.push(String.fromCharCode(c));
    assert.deepEqual(JSON.parse(json.stringify(all)), all);
  });

  it('parses what JSON.stringify writes: strings, numbers, nested arrays, whitespace', () => {
    for (const value of [TRICKY, [3000, 'Go away!'], 'just a string', -1.5e3, [], [[1, ['a']], '']]) {
      assert.deepEqual(plain(json.parse(JSON.stringify(value, null, 1))), value);
    }
  });

  it('parses every escape JSON has', () => {
    assert.equal(json.parse('"\\"\\\\\\/\\b\\f\\n\\r\\t\\u00e9\\ud83d\\ude00"'), '"\\/\b\f\n\r\t\u00e9\ud83d\ude00');
  });

  it('rejects what is not JSON, and objects, without evaluating anything', () => {
    for (const text of ['', '[', '[1,]', '[,1]', '"abc', '"\\x41"', '"\\u12g4"', '01', '1 2', '{}', '{"a":1}', 'true', 'null', 'alert(1)', '["a"]x']) {
      assert.throws(() => json.parse(text), (error) => error.name === 'SyntaxError', text);
    }
  });
});
