// demo/app.js: which chat lines a page shows, fed the messages of real demo servers. app.js is a
// classic script for the browser, so it runs here in a context of its own, as a page would run it.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import vm from 'node:vm';
import { request, startDemo, stopDemo } from './helpers.mjs';

const page = { window: {} };
vm.runInNewContext(readFileSync(new URL('../../demo/app.js', import.meta.url), 'utf8'), page);

/** What the page does with each message: a welcome starts a session, a chat line may show. */
function show(filter, messages) {
  const shown = [];
  for (const m of messages) {
    if (m.type === 'welcome') filter.welcome(m.started);
    else if (m.type === 'chat' && filter.isNew(m.id)) shown.push(m.text);
  }
  return shown;
}

/** A new session (xhr polling) that joins and says `text`; resolves with every message it got up to its line. */
async function sayInNewSession(demo, id, text) {
  const url = `/comet/000/${id}`;
  assert.equal((await request(demo, `${url}/xhr`, { method: 'POST' })).body, 'o\n');
  const sent = await request(demo, `${url}/xhr_send`, {
    method: 'POST',
    body: JSON.stringify([JSON.stringify({ type: 'join', name: 'ana' }), JSON.stringify({ type: 'chat', text })]),
  });
  assert.equal(sent.status, 204);
  const messages = [];
  while (!messages.some((m) => m.type === 'chat' && m.text === text)) {
    assert.ok(messages.length < 50, `no line ${JSON.stringify(text)} in ${JSON.stringify(messages)}`);
    const { body } = await request(demo, `${url}/xhr`, { method: 'POST' });
    if (body.startsWith('a[')) messages.push(...JSON.parse(body.slice(1)).map((m) => JSON.parse(m)));
  }
  return messages;
}

describe('demo page: chat lines', () => {
  it('shows a line once, though a new session gets the recent lines again', () => {
    const filter = page.chatFilter();
    const welcome = { type: 'welcome', started: 1000 };
    const line = (id, text) => ({ type: 'chat', id, text });
    assert.deepEqual(show(filter, [welcome, line(1, 'a'), line(2, 'b')]), ['a', 'b']);
    assert.deepEqual(show(filter, [welcome, line(1, 'a'), line(2, 'b'), line(3, 'c')]), ['c']);
  });

  it('shows the lines of a restarted server, whose ids count from 1 again', () => {
    const filter = page.chatFilter();
    const line = (id, text) => ({ type: 'chat', id, text });
    assert.deepEqual(show(filter, [{ type: 'welcome', started: 1000 }, line(1, 'a'), line(2, 'b')]), ['a', 'b']);
    assert.deepEqual(show(filter, [{ type: 'welcome', started: 2000 }, line(1, 'c'), line(1, 'c')]), ['c']);
  });

  it('tells a welcome from a restarted server from one of the same server', () => {
    const filter = page.chatFilter();
    assert.equal(filter.welcome(1000), false, 'the first server');
    assert.equal(filter.welcome(1000), false, 'a new session, same server');
    assert.equal(filter.welcome(2000), true, 'a restarted server');
  });

  it('shows what is said after the demo server restarts, as sent by the servers', async () => {
    const filter = page.chatFilter();
    const shown = [];
    let demo = await startDemo();
    try {
      shown.push(...show(filter, await sayInNewSession(demo, 'before1', 'before the restart')));
      // A new session of the same server: the recent line comes again and is not shown twice.
      shown.push(...show(filter, await sayInNewSession(demo, 'before2', 'still before')));
    } finally {
      await stopDemo(demo);
    }
    demo = await startDemo();
    try {
      shown.push(...show(filter, await sayInNewSession(demo, 'after1', 'after the restart')));
    } finally {
      await stopDemo(demo);
    }
    assert.deepEqual(shown, ['before the restart', 'still before', 'after the restart']);
  });
});
