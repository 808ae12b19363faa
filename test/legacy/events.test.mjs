// src/legacy/events.ts: mitt on an object-backed map, in a context without Map
// and without the ES5 array methods mitt would otherwise call.
import assert from 'node:assert/strict';
import { beforeEach, describe, it } from 'node:test';
import vm from 'node:vm';
import { legacyContext } from './compile.mjs';

let emitter;
let context;
let thrown;

beforeEach(() => {
  thrown = [];
  const legacy = legacyContext({ setTimeout: (fn) => thrown.push(fn) });
  context = legacy.context;
  vm.runInContext(
    `Map = undefined;
     ['map', 'filter', 'forEach', 'indexOf', 'every', 'some', 'reduce'].forEach(function (m) { Array.prototype[m] = undefined; });`,
    context,
  );
  emitter = legacy.load('legacy/events').createEmitter();
});

describe('legacy emitter', () => {
  it('calls handlers in order with the payload, and on() returns the unsubscribe', () => {
    const calls = [];
    const offA = emitter.on('message', (e) => calls.push('a ' + e.data));
    emitter.on('message', (e) => calls.push('b ' + e.data));
    emitter.emit('message', { data: 1 });
    offA();
    emitter.emit('message', { data: 2 });
    assert.deepEqual(calls, ['a 1', 'b 1', 'b 2']);
  });

  it('removes a handler with off(), and keeps event names apart from Object.prototype', () => {
    const calls = [];
    const handler = () => calls.push('x');
    emitter.on('toString', handler);
    emitter.on('open', handler);
    emitter.off('open', handler);
    emitter.off('constructor', handler);
    emitter.emit('open', {});
    emitter.emit('toString', {});
    assert.deepEqual(calls, ['x']);
  });

  it('lets a handler remove itself while the event is delivered', () => {
    const calls = [];
    const off = emitter.on('close', () => (calls.push('once'), off()));
    emitter.on('close', () => calls.push('always'));
    emitter.emit('close', {});
    emitter.emit('close', {});
    assert.deepEqual(calls, ['once', 'always', 'always']);
  });

  it('rethrows a throwing handler later instead of to the caller', () => {
    const boom = new Error('boom');
    emitter.on('error', () => {
      throw boom;
    });
    emitter.emit('error', {});
    assert.equal(thrown.length, 1);
    assert.throws(thrown[0], (error) => error === boom);
  });

  it('leaves Array.prototype as it found it', () => {
    emitter.on('open', () => {});
    emitter.emit('open', {});
    assert.equal(vm.runInContext('Array.prototype.map', context), undefined);
    assert.equal(vm.runInContext('Object.keys(Array.prototype).length', context), 0);
  });
});
