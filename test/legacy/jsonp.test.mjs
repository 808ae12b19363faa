// src/legacy/jsonp.ts in a fake page: the callback (a property of one holder global) and the script
// are removed on every path, including IE's (readyState, no onerror) and the timeout; the holder goes
// once empty, or stays alone where the page refuses to delete window properties (IE 8).
import assert from 'node:assert/strict';
import { beforeEach, describe, it } from 'node:test';
import { legacyContext } from './compile.mjs';
import { fakeClock, fakeDocument } from './fake-dom.mjs';

let clock;
let document;
let page;
let jsonp;

/**
 * Loads the modules into a fresh page. `ie8`: the page throws on deleting any window property, as IE 8
 * and older do (the window is a Proxy; the build reaches it as `window`, the answers' scripts too).
 */
function load(ie8 = false) {
  clock = fakeClock();
  document = fakeDocument();
  const context = legacyContext({ document, setTimeout: clock.setTimeout, clearTimeout: clock.clearTimeout });
  page = context.context;
  if (ie8) {
    page.window = page = new Proxy(
      {},
      {
        deleteProperty() {
          throw new TypeError("Object doesn't support this action");
        },
      },
    );
  }
  context.load('client/util/dom');
  context.load('legacy/dom');
  ({ jsonp } = context.load('legacy/jsonp'));
}

beforeEach(() => load());

/** The window globals a request may leave: every name starting `_ck`. */
const globals = () => Object.keys(page).filter((name) => name.startsWith('_ck'));

/** What the page's answer script calls: `c` as a dotted path from the window, as the script reads it. */
const callback = (name) => name.split('.').reduce((object, key) => object?.[key], page);

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
  assert.equal(callback(name), undefined, `${name} left`);
  assert.deepEqual(globals(), [], 'window globals left');
  assert.equal(clock.pending, 0, 'timers left');
}

describe('legacy jsonp', () => {
  it('loads <url>?c=<holder global>.<unique callback> first in <head>, labelled UTF-8', () => {
    const a = request();
    assert.equal(a.script.parentNode, document.head);
    // Within what SockJS servers take: [a-zA-Z0-9_.-], at most 32 characters.
    assert.match(a.name, /^_ck[a-z0-9]+\._ck[a-z0-9]+$/);
    assert.ok(a.name.length <= 32, a.name);
    assert.equal(a.script.attributes.charset, 'UTF-8');
    assert.equal(typeof callback(a.name), 'function');
    const b = request('http://s.example/info?x=1');
    assert.notEqual(a.name, b.name);
    assert.equal(a.name.split('.')[0], b.name.split('.')[0], 'one holder');
    assert.deepEqual(globals(), [a.name.split('.')[0]], 'window globals');
    assert.match(b.script.src, /\/info\?x=1&c=_ck/);
  });

  it('passes the answer on and removes the callback, the holder and the script', () => {
    const { name, outcomes } = request();
    callback(name)('a["hi"]');
    assert.deepEqual(outcomes, [['', 'a["hi"]']]);
    assertClean(name);
  });

  it('keeps the holder while another request waits in it', () => {
    const a = request();
    const b = request();
    callback(a.name)('o');
    assert.equal(callback(a.name), undefined, 'the ended callback');
    assert.equal(typeof callback(b.name), 'function', 'the waiting callback');
    callback(b.name)('h');
    assert.deepEqual([a.outcomes, b.outcomes], [[['', 'o']], [['', 'h']]]);
    assertClean(b.name);
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
    callback(name)('o');
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
    assert.equal(typeof callback(name), 'function');
    callback(name)('c[1000,"Normal closure"]');
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
    callback(name)('o');
    assert.deepEqual(outcomes, [['', 'o']]);
    cancel(3000);
    assertClean(name);
  });

  it('leaves one global, the empty holder, after a thousand requests where the page refuses to delete window properties (IE 8)', () => {
    load(true);
    assert.throws(() => delete page.x, /doesn't support/, 'the page refuses');
    const ends = [
      ({ name }) => callback(name)('h'),
      ({ script }) => script.onerror(),
      () => clock.tick(5000),
      ({ cancel }) => cancel(),
      ({ name, cancel }) => (cancel(3000), callback(name)('c[1000,"Normal closure"]')),
    ];
    const names = [];
    for (let i = 0; i < 1000; i++) {
      const r = request();
      names.push(r.name);
      ends[i % ends.length](r);
      assert.equal(document.getElementsByTagName('script').length, 0, 'script left');
    }
    assert.equal(new Set(names).size, 1000, 'distinct callback names');
    const [holder] = names[0].split('.');
    assert.deepEqual(globals(), [holder], 'window globals');
    assert.deepEqual(Object.keys(page[holder]), [], 'callbacks left in the holder');
    assert.equal(clock.pending, 0, 'timers left');
  });
});
