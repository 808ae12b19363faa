// src/legacy/options.ts: the modern build's names, defaults and messages; jsonp by default.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { legacyContext, plain } from './compile.mjs';

// Dependencies first (compile.mjs): the options take their bound from the shared retry module.
const context = legacyContext();
context.load('client/retry');
const { resolveOptions } = context.load('legacy/options');

// The modern build's option names, read from its DEFAULTS: one options object must work with both builds.
const modern = readFileSync(new URL('../../src/client/options.ts', import.meta.url), 'utf8');
const defaults = modern.slice(modern.indexOf('const DEFAULTS'), modern.indexOf('};', modern.indexOf('const DEFAULTS')));
const MODERN_NAMES = [...defaults.matchAll(/^ {2}(\w+):/gm)].map((m) => m[1]).filter((name) => name !== '__proto__');

const rejects = (options, message) =>
  assert.throws(() => resolveOptions(options), (error) => error.name === 'TypeError' && error.message === 'cometkit: ' + message, message);

describe('legacy options', () => {
  it('defaults to jsonp and the modern build defaults', () => {
    const o = plain(resolveOptions(undefined));
    assert.deepEqual(o.transports, ['jsonp']);
    assert.equal(o.timeout, 500);
    assert.equal(o.reconnect, true);
    assert.equal(o.reconnectDelay, 1000);
    assert.equal(o.maxReconnectDelay, 30000);
    assert.equal(o.stableAfter, 10000);
    assert.equal(o.heartbeatTimeout, 10000);
  });

  it('accepts every modern option, tier names included, and arrays from other frames', () => {
    const retry = () => null;
    const o = resolveOptions({ transports: ['websocket', 'jsonp'], timeout: 0, reconnect: false, retry, pollInterval: 5, remember: 0, upgradeInterval: 0, WebSocket: undefined });
    assert.deepEqual(plain(o.transports), ['websocket', 'jsonp']);
    assert.equal(o.retry, retry);
    assert.equal(o.reconnect, false);
  });

  it("accepts every option name of the modern build's", () => {
    assert.ok(MODERN_NAMES.length >= 17 && MODERN_NAMES.includes('queueBytes'), `names read: ${MODERN_NAMES}`);
    for (const name of MODERN_NAMES) assert.doesNotThrow(() => resolveOptions({ [name]: undefined }), name);
    const o = resolveOptions({ resume: false, persist: true, queueLimit: 5, queueBytes: 100 });
    assert.equal(o.queueLimit, 5);
    assert.equal(o.queueBytes, 100);
    assert.equal(resolveOptions(undefined).queueLimit, 1000);
    assert.equal(resolveOptions(undefined).queueBytes, 1048576);
  });

  it('throws the modern messages', () => {
    rejects({ queueLimit: -1 }, 'option "queueLimit" must be a number from 0 to 2147483647');
    rejects({ queueBytes: 'lots' }, 'option "queueBytes" must be a number from 0 to 2147483647');
    rejects({ persist: 1 }, 'option "persist" must be a boolean');
    rejects({ nope: 1 }, 'unknown option "nope"');
    rejects({ toString: 1 }, 'unknown option "toString"');
    rejects({ timeout: -1 }, 'option "timeout" must be a number from 0 to 2147483647');
    rejects({ timeout: Infinity }, 'option "timeout" must be a number from 0 to 2147483647');
    rejects({ heartbeatTimeout: 2147483648 }, 'option "heartbeatTimeout" must be a number from 0 to 2147483647');
    rejects({ queueBytes: 3e9 }, 'option "queueBytes" must be a number from 0 to 2147483647');
    rejects({ reconnect: 'yes' }, 'option "reconnect" must be a boolean');
    rejects({ retry: 5 }, 'option "retry" must be a function');
    rejects({ transports: [] }, 'option "transports" must be a non-empty array');
    rejects({ transports: 'jsonp' }, 'option "transports" must be a non-empty array');
    rejects({ transports: ['jsonp', 'smoke-signals'] }, 'unknown transport "smoke-signals"');
    rejects(5, 'options must be an object');
  });

  it('ignores members inherited from a patched Object.prototype (old libraries)', () => {
    const options = Object.create({ inherited: true });
    options.timeout = 5;
    assert.equal(resolveOptions(options).timeout, 5);
  });
});
