// src/legacy/form.ts in a fake page: the hidden form post and its frame, on IE 7's
// terms too (`<iframe name>` markup, readyState), removed on every path.
import assert from 'node:assert/strict';
import { beforeEach, describe, it } from 'node:test';
import { legacyContext } from './compile.mjs';
import { fakeClock, fakeDocument } from './fake-dom.mjs';

let clock;
let document;
let submitted;

function setup(ie7) {
  clock = fakeClock();
  submitted = [];
  document = fakeDocument({ ie7, submitted: (form) => submitted.push(form) });
  const context = legacyContext({ document, setTimeout: clock.setTimeout, clearTimeout: clock.clearTimeout });
  context.load('client/util/dom');
  context.load('legacy/dom');
  return context.load('legacy/form').formPost;
}

/** Posts; returns the form, its frame, outcomes and the cancel function. */
function post(formPost, data = '["a"]', timeout = 30000) {
  const outcomes = [];
  const cancel = formPost('http://s.example/echo/000/abc/jsonp_send', data, timeout, (ok) => outcomes.push(ok));
  const [frame] = document.getElementsByTagName('iframe');
  const [form] = document.getElementsByTagName('form');
  return { frame, form, outcomes, cancel };
}

function assertClean() {
  assert.equal(document.getElementsByTagName('iframe').length + document.getElementsByTagName('form').length, 0, 'nodes left');
  assert.equal(clock.pending, 0, 'timers left');
}

for (const ie7 of [false, true]) {
  describe(`legacy formPost${ie7 ? ' (IE 7 quirks)' : ''}`, () => {
    let formPost;
    beforeEach(() => (formPost = setup(ie7)));

    it('posts field d into a hidden frame named for it, both hidden in <body>', () => {
      const { frame, form } = post(formPost);
      assert.deepEqual(submitted, [form]);
      assert.equal(form.method, 'POST');
      assert.equal(form.action, 'http://s.example/echo/000/abc/jsonp_send');
      assert.equal(form.target, frame.name);
      assert.match(frame.name, /^_ck/);
      // IE 7 only lets a form target a frame named in its creation markup.
      assert.equal(frame.markupName === true, ie7);
      assert.equal(frame.parentNode, document.body);
      assert.equal(form.parentNode, document.body);
      assert.equal(form.style.display, 'none');
      assert.equal(frame.style.display, 'none');
      const [field] = form.childNodes;
      assert.equal(field.tagName, 'TEXTAREA');
      assert.equal(field.name, 'd');
      assert.equal(field.value, '["a"]');
    });

    it('posts no field for null data', () => {
      const { form } = post(formPost, null);
      assert.equal(form.childNodes.length, 0);
    });

    it("ignores the blank document's own load, and is done when the server's page loads", () => {
      const { frame, outcomes } = post(formPost);
      frame.onload();
      assert.deepEqual(outcomes, []);
      frame.contentWindow.location = {
        get href() {
          throw new Error('Access is denied'); // another origin
        },
      };
      frame.onload();
      assert.deepEqual(outcomes, [true]);
      assertClean();
    });

    it('is done on readyState "complete" only, as IE reports a frame', () => {
      const { frame, outcomes } = post(formPost);
      frame.contentWindow.location = { href: 'http://s.example/echo/000/abc/jsonp_send' };
      frame.readyState = 'interactive';
      frame.onreadystatechange();
      assert.deepEqual(outcomes, []);
      frame.readyState = 'complete';
      frame.onreadystatechange();
      assert.deepEqual(outcomes, [true]);
      assertClean();
    });

    it('gives up after the timeout, removing both nodes', () => {
      const { outcomes } = post(formPost, '[]', 30000);
      clock.tick(30000);
      assert.deepEqual(outcomes, [false]);
      assertClean();
    });

    it('cancels: both nodes removed, nothing reported', () => {
      const { outcomes, cancel } = post(formPost);
      cancel();
      assert.deepEqual(outcomes, []);
      assertClean();
    });
  });
}
