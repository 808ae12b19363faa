// src/legacy/jsonp.ts in a fake page: the callback global and the script are removed
// on every path, including IE's (readyState, no onerror) and the timeout.
import assert from 'node:assert/strict';
import { beforeEach, describe, it } from 'node:test';
import { legacyContext } from './compile.mjs';
import { fakeClock, fakeDocument } from './fake-dom.mjs';

let clock;
let document;
let page;
let jsonp;

beforeEach(() => {
  clock = fakeClock();
  document = fakeDocument();
  const context = legacyContext({ document, setTimeout: clock.setTimeout, clearTimeout: clock.clearTimeout });
  page = context.context;
  context.load('client/util/dom');
  context.load('legacy/dom');
  ({ jsonp } = context.load('legacy/jsonp'));
});

/** Starts a request; returns its script, callback name, outcomes and cancel function. */
function request(url = 'http://s.example/echo/000/abc/jsonp', timeout = 5000) {
  const outcomes = [];
  const cancel = jsonp(url, timeout, (error, value) => outcomes.push([error, value]));
  const [script] = document.getElementsByTagName('script');
  const name = new URL(script.src).searchParams.get('c');
  return { script, name, outcomes, cancel };
}

function assertClean(name) {
  assert.equal(document.getElementsByTagName('script').length, 0, 'script left');
  assert.equal(name in page, false, `window.${name} left`);
  assert.equal(clock.pending, 0, 'timers left');
}

describe('legacy jsonp', () => {
  it('loads <url>?c=<unique global> first in <head>, labelled UTF-8', () => {
    const a = request();
    assert.equal(a.script.parentNode, document.head);
    assert.match(a.name, /^_ck[a-z0-9]+$/);
    assert.equal(a.script.attributes.charset, 'UTF-8');
    assert.equal(typeof page[a.name], 'function');
    const b = request('http://s.example/info?x=1');
    assert.notEqual(a.name, b.name);
    assert.match(b.script.src, /\/info\?x=1&c=_ck/);
  });

  it('passes the answer on and removes the global and the script', () => {
    const { name, outcomes } = request();
    page[name]('a["hi"]');
    assert.deepEqual(outcomes, [['', 'a["hi"]']]);
    assertClean(name);
  });

  it('fails when the script loaded or errored without calling back', () => {
    for (const event of ['onload', 'onerror']) {
      const { script, name, outcomes } = request();
      script[event]();
      assert.deepEqual(outcomes, [['script failed to load', undefined]]);
      assertClean(name);
    }
  });

  it('gives IE a grace period after readyState "loaded", then fails', () => {
    const { script, name, outcomes } = request();
    script.readyState = 'loaded';
    script.onreadystatechange();
    script.readyState = 'complete';
    script.onreadystatechange();
    clock.tick(999);
    assert.deepEqual(outcomes, []);
    clock.tick(1);
    assert.deepEqual(outcomes, [['script failed to load', undefined]]);
    assertClean(name);
  });

  it('takes an answer that IE runs within the grace period', () => {
    const { script, name, outcomes } = request();
    script.readyState = 'loaded';
    script.onreadystatechange();
    page[name]('o');
    assert.deepEqual(outcomes, [['', 'o']]);
    assertClean(name);
  });

  it('fails after the timeout where nothing ever reports (IE 8 and a lost request)', () => {
    const { name, outcomes } = request(undefined, 35000);
    clock.tick(35000);
    assert.deepEqual(outcomes, [['timed out after 35000 ms', undefined]]);
    assertClean(name);
  });

  it('cancels at once: nothing reported, nothing left', () => {
    const { name, outcomes, cancel } = request();
    cancel();
    assert.deepEqual(outcomes, []);
    assertClean(name);
  });

  it('cancels with a linger: a no-op callback waits for the answer on its way, then goes', () => {
    const { name, outcomes, cancel } = request();
    cancel(3000);
    assert.equal(typeof page[name], 'function');
    page[name]('c[1000,"Normal closure"]');
    assert.deepEqual(outcomes, []);
    assertClean(name);
  });

  it('ends a linger after its time when no answer comes', () => {
    const { name, outcomes, cancel } = request();
    cancel(3000);
    clock.tick(3000);
    assert.deepEqual(outcomes, []);
    assertClean(name);
  });

  it('sets no linger timer for a request that has ended already', () => {
    const { name, outcomes, cancel } = request();
    page[name]('o');
    assert.deepEqual(outcomes, [['', 'o']]);
    cancel(3000);
    assertClean(name);
  });

  it('blanks the global where the engine refuses to delete it (IE 8)', () => {
    const { name } = request();
    Object.defineProperty(page, name, { value: page[name], writable: true, configurable: false });
    page[name]('h');
    assert.equal(page[name], undefined);
  });
});
