// The resume extension (PROTOCOL.md, "### Resume"): positions both ways, `k`
// frames, the grace period after a cut and the bound on what a session keeps.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from '../../dist/server.js';
import {
  htmlfileFrames,
  jsonpFrame,
  messagesOf,
  nextConnection,
  openStream,
  openWs,
  request,
  sid,
  start,
  streamFrames,
  until,
  withTimeout,
  wsUrl,
  xhrFrames,
} from './helpers.mjs';

const FIVE = ['m1', 'm2', 'm3', 'm4', 'm5'];
const OVERFLOW = 'c[2011,"Unacknowledged messages over the limit"]';
const cannotResume = (n) => `c[2012,"Cannot resume from position ${n}"]`;

/** The application's end of a session: what it heard, and its close events. */
function record(session) {
  const log = { messages: [], closes: [] };
  session.on('message', (m) => log.messages.push(m));
  session.on('close', (code, reason) => log.closes.push([code, reason]));
  const closed = new Promise((resolve) => session.once('close', (code, reason) => resolve([code, reason])));
  log.closed = () => withTimeout(closed, 'the application close event');
  return log;
}

/**
 * A network cut: `drop` kills the client's connection, then we wait until the
 * server has let go of the receiver. A resumable session emits nothing when
 * that happens, so the detach is the only moment to check it survived.
 */
async function cut(session, drop) {
  drop();
  await until(() => session.receiver === null, 'the server to see the cut');
}

/** The whole body of a response the server is expected to end (bounded, so a held one fails fast). */
const ended = (stream) => withTimeout(stream.ended, 'the end of the response');

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** Requests on one server, named after what they do in the protocol. */
function on(server) {
  const base = server.url;
  return {
    stream: (id, query = '') => openStream(`${base}/000/${id}/xhr_streaming${query}`, { method: 'POST' }),
    poll: (id, query = '') => request(`${base}/000/${id}/xhr${query}`, { method: 'POST' }),
    send: (id, query, messages) =>
      request(`${base}/000/${id}/xhr_send${query}`, {
        method: 'POST',
        headers: { 'Content-Type': 'text/plain' },
        body: JSON.stringify(messages),
      }),
    ws: (id, query = '') => openWs(wsUrl(base, `/000/${id}/websocket${query}`)),
  };
}

/**
 * A session opened by `xhr_streaming?pos=0`, its stream, its application log
 * and the frame it opened with (`k0` when resumable, `o` when resume is off).
 */
async function openResumable(server, id = sid()) {
  const connected = nextConnection(server);
  const s = await on(server).stream(id, '?pos=0');
  const session = await connected;
  const log = record(session);
  await s.until((t) => streamFrames(t).length > 0, 'the opening frame');
  return { id, s, session, log, first: streamFrames(s.text)[0] };
}

/** The application sends `messages`; resolves once the stream has shown the last one. */
async function deliver({ s, session }, messages) {
  for (const m of messages) assert.equal(session.send(m), true, `send(${m})`);
  const last = messages[messages.length - 1];
  await s.until((t) => messagesOf(streamFrames(t)).includes(last), `delivery of ${last}`);
}

/**
 * How each receiving transport resumes: resolves with the responses it took,
 * each a list of frames. Streams stay open until the message frame arrives;
 * polls answer one frame each, so the k and the messages take two (the second,
 * a renewal, says no pos).
 */
async function twoPolls(url, pos) {
  const polls = [];
  for (const query of [`?pos=${pos}`, '']) polls.push(xhrFrames((await request(url + query, { method: 'POST' })).body));
  return polls;
}

const RESUMERS = {
  xhr_streaming: async (base, id, pos) => {
    const s = await openStream(`${base}/000/${id}/xhr_streaming?pos=${pos}`, { method: 'POST' });
    await s.until((t) => streamFrames(t).some((f) => f.startsWith('a')), 'resent messages');
    s.abort();
    return [streamFrames(s.text)];
  },
  htmlfile: async (base, id, pos) => {
    const s = await openStream(`${base}/000/${id}/htmlfile?c=cb&pos=${pos}`);
    await s.until((t) => htmlfileFrames(t).some((f) => f.startsWith('a')), 'resent messages');
    s.abort();
    return [htmlfileFrames(s.text)];
  },
  xhr: (base, id, pos) => twoPolls(`${base}/000/${id}/xhr`, pos),
  poll: (base, id, pos) => twoPolls(`${base}/000/${id}/poll`, pos),
  jsonp: async (base, id, pos) => {
    const polls = [];
    for (const query of [`&pos=${pos}`, '']) {
      const [callback, frame] = jsonpFrame((await request(`${base}/000/${id}/jsonp?c=cb${query}`)).body);
      assert.equal(callback, 'cb');
      polls.push([frame]);
    }
    return polls;
  },
};
const STREAMING = new Set(['xhr_streaming', 'htmlfile']);

describe('resume: /info and options', () => {
  let server;
  before(async () => {
    server = await start();
  });
  after(() => server.close());

  it('advertises cometkit.resume as the grace period, 30000 ms by default', async () => {
    const body = JSON.parse((await request(`${server.url}/info`)).body);
    assert.equal(body.cometkit.resume, 30000);
    assert.equal(createServer({ resumeGrace: 1234 }).options.resumeGrace, 1234);
  });

  it('takes resumeGrace as an integer from 0 to 600000', () => {
    const message = 'cometkit server: option "resumeGrace" must be an integer from 0 to 600000';
    for (const bad of [-1, 600001, 1.5, '100', NaN, Infinity, null]) {
      assert.throws(() => createServer({ resumeGrace: bad }), { name: 'TypeError', message }, `resumeGrace: ${bad}`);
    }
    assert.equal(createServer({ resumeGrace: 0 }).options.resumeGrace, 0);
    assert.equal(createServer({ resumeGrace: 600000 }).options.resumeGrace, 600000);
  });

  it('takes resumeLimit as a positive integer, 1 MiB by default', () => {
    const message = 'cometkit server: option "resumeLimit" must be a positive integer up to 2147483647';
    for (const bad of [0, -1, 1.5, '100', NaN, Infinity, null, 2147483648]) {
      assert.throws(() => createServer({ resumeLimit: bad }), { name: 'TypeError', message }, `resumeLimit: ${bad}`);
    }
    assert.equal(createServer({ resumeLimit: 1 }).options.resumeLimit, 1);
    assert.equal(createServer().options.resumeLimit, 1048576);
  });
});

describe('resume over HTTP', () => {
  let server;
  let http;
  before(async () => {
    server = await start();
    http = on(server);
  });
  after(() => server.close());

  it('opens a session whose first request says pos=0 with k0 instead of o', async () => {
    const o = await openResumable(server);
    assert.deepEqual(streamFrames(o.s.text), ['k0']);
    assert.equal(o.session.state, 'open');
    o.s.abort();
  });

  it('keeps a resumable session through a cut: no 1002, no close event', async () => {
    const o = await openResumable(server);
    await deliver(o, FIVE);
    await cut(o.session, () => o.s.abort());
    assert.equal(o.session.state, 'open');
    assert.deepEqual(o.log.closes, []);
    assert.ok(server.comet.sessions.has(o.id), 'still listed as open');
  });

  for (const [transport, resume] of Object.entries(RESUMERS)) {
    it(`resumes over ${transport}: k0, then exactly the messages after pos`, async () => {
      const o = await openResumable(server);
      await deliver(o, FIVE);
      await cut(o.session, () => o.s.abort());
      const responses = await resume(server.url, o.id, 2);
      const expected = STREAMING.has(transport) ? [['k0', 'a["m3","m4","m5"]']] : [['k0'], ['a["m3","m4","m5"]']];
      assert.deepEqual(responses, expected);
      assert.deepEqual(o.log.closes, []);
    });
  }

  it('serves a resumable session over polling: k0 on the first poll, renewals without pos', async () => {
    const id = sid();
    const connected = nextConnection(server);
    assert.equal((await http.poll(id, '?pos=0')).body, 'k0\n');
    const session = await connected;
    session.send('m1');
    assert.equal((await http.poll(id)).body, 'a["m1"]\n');
    session.send('m2');
    assert.equal((await http.poll(id)).body, 'a["m2"]\n');
    assert.equal(session.state, 'open');
  });

  it('drops upstream messages it already has (seq) and refuses a gap with 400 Out of order.', async () => {
    const o = await openResumable(server);
    assert.equal((await http.send(o.id, '?seq=1', ['a', 'b'])).status, 204);
    // A batch resent after a cut overlaps what arrived.
    assert.equal((await http.send(o.id, '?seq=2', ['b', 'c'])).status, 204);
    assert.deepEqual(o.log.messages, ['a', 'b', 'c']);
    const gap = await http.send(o.id, '?seq=5', ['e']);
    assert.equal(gap.status, 400);
    assert.equal(gap.body, 'Out of order.');
    assert.deepEqual(o.log.messages, ['a', 'b', 'c'], 'nothing of the refused batch is delivered');
    const viaJsonp = await request(`${server.url}/000/${o.id}/jsonp_send?seq=3`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: 'd=' + encodeURIComponent('["c","d"]'),
    });
    assert.equal(viaJsonp.status, 200);
    assert.deepEqual(o.log.messages, ['a', 'b', 'c', 'd']);
    await cut(o.session, () => o.s.abort());
    const resumed = await http.stream(o.id, '?pos=0');
    await resumed.until((t) => streamFrames(t).length > 0, 'the resume answer');
    assert.equal(streamFrames(resumed.text)[0], 'k4', 'k reports how many client messages arrived');
    resumed.abort();
  });

  it("confirms a resuming client's raw jsonp_send (a no-cors fetch) with k on the receiver, after the reply", async () => {
    // An error page a proxy gives a no-cors fetch reads the same as `ok`: only the k tells the client.
    const base = `${server.url}/000/${sid()}`;
    const poll = async (query = '') => jsonpFrame((await request(`${base}/jsonp?c=cb${query}`)).body)[1];
    const connected = nextConnection(server);
    assert.equal(await poll('&pos=0'), 'k0');
    const session = await connected;
    const log = record(session);
    session.on('message', (m) => session.send('re: ' + m));
    const send = (query, body, type = 'text/plain') => request(`${base}/jsonp_send${query}`, { method: 'POST', headers: { 'Content-Type': type }, body });
    // Held poll out: the reply the application writes at once comes first, the k on the next poll.
    const held = poll();
    await until(() => session.receiver !== null, 'the held poll');
    assert.equal((await send('?pos=0&seq=1', '["a","b"]')).body, 'ok');
    assert.equal(await held, 'a["re: a","re: b"]');
    assert.equal(await poll(), 'k2');
    // No receiver out: the k waits for the next one.
    assert.equal((await send('?pos=2&seq=3', '["c"]')).body, 'ok');
    assert.equal(await poll(), 'a["re: c"]');
    assert.equal(await poll(), 'k3');
    // Nothing owed for a refused batch (a gap), a form post (its answer is counted), a stock client's
    // send (no pos): the next poll is held until the application writes.
    assert.equal((await send('?pos=3&seq=9', '["gap"]')).status, 400);
    await send('?pos=3&seq=4', 'd=' + encodeURIComponent('["form"]'), 'application/x-www-form-urlencoded');
    await send('', '["stock"]');
    assert.equal(await poll(), 'a["re: form","re: stock"]');
    const next = poll();
    await until(() => session.receiver !== null, 'the held poll');
    await sleep(50);
    session.send('later');
    assert.equal(await next, 'a["later"]', 'no k was owed');
    assert.deepEqual(log.messages, ['a', 'b', 'c', 'form', 'stock']);
  });

  it('hands the session to a second receiver that says pos: the first hears h and ends, no 2010', async () => {
    const o = await openResumable(server);
    await deliver(o, ['m1', 'm2']);
    const second = await http.stream(o.id, '?pos=1');
    assert.deepEqual(streamFrames(await ended(o.s)), ['k0', 'a["m1","m2"]', 'h']);
    await second.until((t) => streamFrames(t).length >= 2, 'k and the resent message');
    assert.deepEqual(streamFrames(second.text), ['k0', 'a["m2"]']);
    o.session.send('m3');
    await second.until((t) => streamFrames(t).includes('a["m3"]'), 'm3 on the new receiver');
    assert.deepEqual(o.log.closes, []);
    second.abort();
  });

  it('ends the session with 2012 on a pos beyond what was written (queued is not written)', async () => {
    const o = await openResumable(server);
    await deliver(o, ['m1', 'm2', 'm3']);
    await cut(o.session, () => o.s.abort());
    o.session.send('m4');
    const resumed = await http.stream(o.id, '?pos=4');
    // The close frame alone: after an impossible position, no message has a meaning the client could place.
    assert.deepEqual(streamFrames(await ended(resumed)), [cannotResume(4)]);
    assert.equal(o.session.state, 'closed');
    assert.deepEqual(o.log.closes, [[2012, 'Cannot resume from position 4']]);
    assert.equal(o.session.send('m5'), false);
    // Closed for good, whatever position the next request says.
    assert.equal((await http.poll(o.id, '?pos=3')).body, cannotResume(4) + '\n');
  });

  it('ends the session with 2012 on a pos below what the client acknowledged', async () => {
    const o = await openResumable(server);
    await deliver(o, FIVE);
    assert.equal((await http.send(o.id, '?pos=3', [])).status, 204);
    await cut(o.session, () => o.s.abort());
    const resumed = await http.stream(o.id, '?pos=2');
    assert.deepEqual(streamFrames(await ended(resumed)), [cannotResume(2)]);
    assert.deepEqual(o.log.closes, [[2012, 'Cannot resume from position 2']]);
  });

  it('resumes a session the application closed during the cut: the rest, then the close frame', async () => {
    const o = await openResumable(server);
    await deliver(o, FIVE);
    await cut(o.session, () => o.s.abort());
    o.session.send('m6');
    o.session.close();
    const resumed = await http.stream(o.id, '?pos=2');
    // Positions are implicit: anything short of m3..m6 here would shift or lose messages silently.
    assert.deepEqual(streamFrames(await ended(resumed)), ['k0', 'a["m3","m4","m5","m6"]', 'c[3000,"Go away!"]']);
  });

  it('renews a session the application closed during the cut: what the client lacks, then the close frame', async () => {
    // A renewal (ack) rather than a resume (pos): the cut looked like the normal end of a response.
    const renewals = {
      xhr_streaming: async (id) => streamFrames(await ended(await http.stream(id, '?ack=1'))),
      xhr: async (id) => [xhrFrames((await http.poll(id, '?ack=1')).body), xhrFrames((await http.poll(id, '?ack=3')).body)].flat(),
    };
    for (const [transport, renew] of Object.entries(renewals)) {
      const o = await openResumable(server);
      await deliver(o, ['m1', 'm2']);
      await cut(o.session, () => o.s.abort());
      o.session.send('m3');
      o.session.close();
      // Positions are implicit: m3 alone here would read as position 2, and m2 would be lost.
      assert.deepEqual(await renew(o.id), ['a["m2","m3"]', 'c[3000,"Go away!"]'], transport);
    }
  });

  it('answers h alone to a renewal below what the client acknowledged since, taking and writing nothing', async () => {
    // The renewal left before a send that overtook it: the client has m1..m3, not m1 alone.
    const poll = async (id, query) => xhrFrames((await http.poll(id, query)).body);
    const renewals = {
      // A refused stream ends at once; one taken goes on after the messages.
      xhr_streaming: {
        refused: async (id, query) => streamFrames(await ended(await http.stream(id, query))),
        taken: async (id, query) => {
          const s = await http.stream(id, query);
          await s.until((t) => streamFrames(t).some((f) => f.startsWith('a')), 'the messages');
          s.abort();
          return streamFrames(s.text);
        },
      },
      xhr: { refused: poll, taken: poll },
    };
    for (const [transport, renew] of Object.entries(renewals)) {
      const o = await openResumable(server);
      await deliver(o, FIVE);
      assert.equal((await http.send(o.id, '?pos=3', [])).status, 204);
      await cut(o.session, () => o.s.abort());
      // Written on from m4, this answer would be read as m2 onwards: m4 and m5 taken for had.
      assert.deepEqual(await renew.refused(o.id, '?ack=1'), ['h'], transport);
      assert.deepEqual(await renew.taken(o.id, '?ack=3'), ['a["m4","m5"]'], transport);
      assert.deepEqual(o.log.closes, [], transport);
    }
  });

  it('ends the session with 2012 on a renewal beyond what was written', async () => {
    const o = await openResumable(server);
    await deliver(o, FIVE);
    await cut(o.session, () => o.s.abort());
    o.session.send('m6');
    assert.deepEqual(xhrFrames((await http.poll(o.id, '?ack=6')).body), [cannotResume(6)]);
    assert.deepEqual(o.log.closes, [[2012, 'Cannot resume from position 6']]);
  });

  it('resumes a session that ended with nothing left to deliver with its close frame alone, no k', async () => {
    const o = await openResumable(server);
    await deliver(o, FIVE);
    assert.equal((await http.send(o.id, '?pos=5', [])).status, 204);
    await cut(o.session, () => o.s.abort());
    o.session.close();
    // A k would tell the client it resumed, and it would send at once whatever it had not had
    // confirmed, which may be what ended the session (a message over maxBodySize).
    assert.deepEqual(xhrFrames((await http.poll(o.id, '?pos=5')).body), ['c[3000,"Go away!"]']);
  });

  // A client whose stream the network cut learns it at its next send (a forever-iframe cannot see it).
  const GONE = 'Receiving connection cut: resume.';

  for (const [transport, open] of [
    ['xhr_streaming', (id) => http.stream(id, '?pos=0')],
    ['htmlfile', (id) => openStream(`${server.url}/000/${id}/htmlfile?c=cb&pos=0`)],
  ]) {
    it(`answers a numbered send 410 after a cut ${transport}, taking nothing, until a receiver attaches`, async () => {
      const id = sid();
      const connected = nextConnection(server);
      const s = await open(id);
      const log = record(await connected);
      const session = await connected;
      await cut(session, () => s.abort());
      assert.equal(session.stranded, true);
      const refused = await http.send(id, '?pos=0&seq=1', ['u1']);
      assert.deepEqual([refused.status, refused.body], [410, GONE]);
      assert.deepEqual(log.messages, [], 'nothing taken');
      // An acknowledgement alone (no seq) goes through: it asks nothing back.
      assert.equal((await http.send(id, '?pos=0', [])).status, 204);
      // Resumed, the batch goes again and is taken.
      const again = await http.stream(id, '?pos=0');
      await again.until((t) => streamFrames(t).includes('k0'), 'the resume answer');
      assert.equal(session.stranded, false);
      assert.equal((await http.send(id, '?pos=0&seq=1', ['u1'])).status, 204);
      assert.deepEqual(log.messages, ['u1']);
      again.abort();
    });
  }

  it('does not after a streaming response ends normally, nor after a cut poll, nor for a stock session', async () => {
    // Ended at its age limit (ttl): the client renews at once; a send meanwhile is taken.
    const id = sid();
    const connected = nextConnection(server);
    const s = await http.stream(id, '?pos=0&ttl=1000');
    const session = await connected;
    await ended(s);
    assert.equal(session.stranded, false, 'after a normal end');
    assert.equal((await http.send(id, '?pos=0&seq=1', ['after end'])).status, 204);
    // A held poll cut: the client's poll fails on its own; its sends are taken.
    const polled = sid();
    const opened = nextConnection(server);
    assert.deepEqual(xhrFrames((await http.poll(polled, '?pos=0')).body), ['k0']);
    const pollSession = await opened;
    const held = openStream(`${server.url}/000/${polled}/xhr`, { method: 'POST' });
    await cut(pollSession, async () => (await held).abort());
    assert.equal(pollSession.stranded, false, 'after a cut poll');
    assert.equal((await http.send(polled, '?pos=0&seq=1', ['after poll'])).status, 204);
    // A stock session (no pos) whose stream is cut ends (1002), as in SockJS.
    const stock = sid();
    const stockConnected = nextConnection(server);
    const plain = await http.stream(stock);
    const stockSession = await stockConnected;
    plain.abort();
    await withTimeout(new Promise((resolve) => stockSession.once('close', resolve)), 'the stock session to end');
    assert.equal(stockSession.stranded, false, 'a stock session');
  });
});

describe('resume: memory bound (resumeLimit: 100)', () => {
  let server;
  let http;
  before(async () => {
    server = await start({ resumeLimit: 100 });
    http = on(server);
  });
  after(() => server.close());

  // 30 bytes each: three fit under the limit, four do not.
  const msg = (n) => String(n).padStart(30, '.');

  it('counts only what is unacknowledged, and ends the session with 2011 past the limit', async () => {
    const o = await openResumable(server);
    await deliver(o, [1, 2, 3].map(msg));
    assert.equal((await http.send(o.id, '?pos=3', [])).status, 204);
    // Without that acknowledgement these three would make 180 bytes.
    await deliver(o, [4, 5, 6].map(msg));
    // A receiving request's pos acknowledges too (this one resumes, taking the stream over).
    assert.deepEqual(xhrFrames((await http.poll(o.id, '?pos=6')).body), ['k0']);
    await ended(o.s);
    for (const n of [7, 8, 9]) assert.equal(o.session.send(msg(n)), true, `send ${n}`);
    assert.deepEqual(o.log.closes, []);
    assert.equal(o.session.send(msg(10)), false, 'the message over the limit is refused');
    assert.deepEqual(o.log.closes, [[2011, 'Unacknowledged messages over the limit']]);
    assert.equal(o.session.send(msg(11)), false);
    // What was kept is gone: the client hears why, not a part of it.
    assert.equal((await http.poll(o.id, '?pos=6')).body, OVERFLOW + '\n');
  });

  it('takes one message larger than the limit when nothing else is kept; the next one before an acknowledgement ends it', async () => {
    const o = await openResumable(server);
    const big = 'b'.repeat(250);
    assert.equal(o.session.send(big), true, 'nothing else kept: taken');
    await o.s.until((t) => messagesOf(streamFrames(t)).includes(big), 'the large message');
    assert.deepEqual(o.log.closes, []);
    assert.equal(o.session.send(msg(1)), false, 'unacknowledged, the large one counts');
    assert.deepEqual(o.log.closes, [[2011, 'Unacknowledged messages over the limit']]);
  });

  it('counts UTF-8 bytes, and an attached receiver hears 2011 without the refused message', async () => {
    const o = await openResumable(server);
    const wide = 'é'.repeat(30);
    await deliver(o, [wide]);
    assert.equal(o.session.send(wide + '!'), false, '60 + 61 bytes, though only 61 characters in all');
    assert.deepEqual(streamFrames(await ended(o.s)), ['k0', `a["${wide}"]`, OVERFLOW]);
    assert.deepEqual(o.log.closes, [[2011, 'Unacknowledged messages over the limit']]);
  });
});

describe('resume: grace period (resumeGrace: 300, disconnectDelay: 100)', () => {
  let server;
  let http;
  before(async () => {
    server = await start({ resumeGrace: 300, disconnectDelay: 100 });
    http = on(server);
  });
  after(() => server.close());

  it('keeps a cut resumable session past disconnectDelay and drops it after the grace', async () => {
    const o = await openResumable(server);
    await deliver(o, ['m1']);
    await cut(o.session, () => o.s.abort());
    // Past disconnectDelay, inside the grace: the timer under test is the point of this wait.
    await sleep(200);
    const resumed = await http.stream(o.id, '?pos=1');
    await resumed.until((t) => streamFrames(t).includes('k0'), 'the resume answer');
    o.session.send('m2');
    await resumed.until((t) => streamFrames(t).includes('a["m2"]'), 'm2 after the resume');
    assert.deepEqual(o.log.closes, []);
    await cut(o.session, () => resumed.abort());
    const cutAt = Date.now();
    assert.deepEqual(await o.log.closed(), [1000, 'Session timed out']);
    const waited = Date.now() - cutAt;
    assert.ok(waited >= 250, `gone after ${waited} ms: the grace, not disconnectDelay`);
    // Forgotten: the same id and a position make a fresh (plain) session.
    const connected = nextConnection(server);
    assert.equal((await http.poll(o.id, '?pos=3')).body, 'o\n');
    assert.notEqual(await connected, o.session);
  });

  it('still ends a session opened without pos at a cut, with 1002', async () => {
    const id = sid();
    const connected = nextConnection(server);
    const s = await http.stream(id);
    const log = record(await connected);
    await s.until((t) => streamFrames(t)[0] === 'o', 'open');
    s.abort();
    assert.deepEqual(await log.closed(), [1002, 'Connection interrupted']);
  });
});

describe('resume over WebSocket', () => {
  let server;
  let http;
  before(async () => {
    server = await start();
    http = on(server);
  });
  after(() => server.close());

  /** A resumable session opened by `websocket?pos=0`. */
  async function openWsResumable() {
    const id = sid();
    const connected = nextConnection(server);
    const ws = http.ws(id, '?pos=0');
    await ws.opened;
    const session = await connected;
    const log = record(session);
    assert.equal(await ws.next(), 'k0', 'a resumable WebSocket session opens with k0');
    return { id, ws, session, log };
  }

  it('numbers upstream messages: duplicates dropped, one k per burst', async () => {
    const { ws, log } = await openWsResumable();
    ws.ws.send('[0,1,"a","b"]');
    assert.equal(await ws.next(), 'k2');
    ws.ws.send('[0,2,"b","c"]');
    assert.equal(await ws.next(), 'k3');
    assert.deepEqual(log.messages, ['a', 'b', 'c']);
    // Corked, the two go out in one write and so reach the server in one read: one burst.
    ws.ws._socket.cork();
    ws.ws.send('[0,4,"d"]');
    ws.ws.send('[0,5,"e"]');
    ws.ws._socket.uncork();
    assert.equal(await ws.next(), 'k5');
    ws.ws.send('[0,6,"f"]');
    // A second k for the burst would come before this one.
    assert.equal(await ws.next(), 'k6');
    assert.deepEqual(log.messages, ['a', 'b', 'c', 'd', 'e', 'f']);
    ws.ws.close();
  });

  it('joins a k and the frame written right after it in the same turn into one message (newline between)', async () => {
    const { ws, session } = await openWsResumable();
    // The application answers some messages at once, in the same turn.
    session.on('message', (text) => text.startsWith('echo') && session.send(`re ${text}`));
    ws.ws.send('[0,1,"echo 1"]');
    assert.equal(await ws.next(), 'k1\na["re echo 1"]', 'the confirmation rides with the reply it caused');
    ws.ws.send('[1,2,"quiet"]');
    assert.equal(await ws.next(), 'k2', 'no reply: the k goes alone');
    ws.ws.send('[1,3,"echo 3","echo 4"]');
    assert.equal(await ws.next(), 'k4\na["re echo 3","re echo 4"]');
    // A frame written on a later turn goes alone.
    session.send('later');
    assert.equal(await ws.next(), 'a["later"]');
    ws.ws.close();
  });

  it('takes [pos, null] as an acknowledgement: resuming below it is refused', async () => {
    const o = await openWsResumable();
    for (const m of ['m1', 'm2', 'm3']) o.session.send(m);
    assert.equal(await o.ws.next(), 'a["m1","m2","m3"]');
    o.ws.ws.send('[3,null]');
    // One socket, read in order: the k for this message means the ack before it was taken.
    o.ws.ws.send('[3,1,"x"]');
    assert.equal(await o.ws.next(), 'k1', 'no k for a bare acknowledgement');
    const resumed = await http.stream(o.id, '?pos=2');
    assert.deepEqual(streamFrames(await ended(resumed)), [cannotResume(2)]);
    assert.equal(await o.ws.next(), 'h', 'the taken-over socket hears h');
    assert.equal((await o.ws.closed).code, 1000);
  });

  it('resumes over a WebSocket a session cut on HTTP', async () => {
    const o = await openResumable(server);
    await deliver(o, FIVE);
    assert.equal((await http.send(o.id, '?seq=1', ['u1'])).status, 204);
    await cut(o.session, () => o.s.abort());
    const ws = http.ws(o.id, '?pos=2');
    await ws.opened;
    assert.equal(await ws.next(), 'k1');
    assert.equal(await ws.next(), 'a["m3","m4","m5"]');
    // The socket numbers on from what the k said.
    ws.ws.send('[5,2,"u2"]');
    assert.equal(await ws.next(), 'k2');
    assert.deepEqual(o.log.messages, ['u1', 'u2']);
    assert.deepEqual(o.log.closes, []);
    ws.ws.close();
  });

  it('resumes over HTTP a session opened on a WebSocket that was terminated', async () => {
    const o = await openWsResumable();
    for (const m of ['m1', 'm2', 'm3']) o.session.send(m);
    assert.equal(await o.ws.next(), 'a["m1","m2","m3"]');
    o.ws.ws.send('[0,1,"u1"]');
    assert.equal(await o.ws.next(), 'k1');
    await cut(o.session, () => o.ws.ws.terminate());
    assert.equal(o.session.state, 'open');
    assert.deepEqual(o.log.closes, []);
    const resumed = await http.stream(o.id, '?pos=1');
    await resumed.until((t) => streamFrames(t).length >= 2, 'k and the resent messages');
    assert.deepEqual(streamFrames(resumed.text), ['k1', 'a["m2","m3"]']);
    resumed.abort();
  });

  it('keeps plain SockJS framing on a WebSocket without pos: a numbered array is broken framing', async () => {
    const id = sid();
    const connected = nextConnection(server);
    const ws = http.ws(id);
    await ws.opened;
    const log = record(await connected);
    assert.equal(await ws.next(), 'o');
    ws.ws.send('[1,"x"]');
    assert.equal(await ws.next(), 'c[3000,"Broken framing."]');
    await ws.closed;
    assert.deepEqual(log.messages, []);
  });
});

describe('resume: a message over maxBodySize (100)', () => {
  let server;
  let http;
  before(async () => {
    server = await start({ maxBodySize: 100 });
    http = on(server);
  });
  after(() => server.close());

  for (const [how, sendBig] of [
    ['on xhr_send (413)', (o) => http.send(o.id, '?pos=0&seq=1', ['x'.repeat(200)]).then((res) => assert.equal(res.status, 413))],
    ['on a WebSocket (ws closes it, 1009)', async (o) => {
      const ws = http.ws(o.id, '?pos=0&takeover=1');
      assert.equal(await ws.next(), 'k0');
      ws.ws.send(JSON.stringify([0, 1, 'x'.repeat(200)]));
      assert.equal((await withTimeout(ws.closed, 'socket close')).code, 1009);
    }],
  ]) {
    it(`${how}: the session ends with 1009, and resuming hears the close frame alone`, async () => {
      const o = await openResumable(server);
      await sendBig(o);
      assert.deepEqual(await o.log.closed(), [1009, 'Message too big']);
      assert.deepEqual(o.log.messages, []);
      o.s.abort();
      assert.deepEqual(xhrFrames((await http.poll(o.id, '?pos=0')).body), ['c[1009,"Message too big"]']);
    });
  }
});

describe('resume after a server restart', () => {
  let old;
  let restarted;
  before(async () => {
    old = await start();
    restarted = await start();
  });
  after(() => Promise.all([old.close(), restarted.close()]));

  it('answers o to a pos the new server never heard of: a fresh session', async () => {
    const o = await openResumable(old);
    await deliver(o, ['m1', 'm2', 'm3', 'm4', 'm5', 'm6', 'm7']);
    o.s.abort();
    await old.close();
    const connected = nextConnection(restarted);
    const s = await on(restarted).stream(o.id, '?pos=7');
    const log = record(await connected);
    await s.until((t) => streamFrames(t).length > 0, 'the first frame');
    assert.deepEqual(streamFrames(s.text), ['o'], 'o tells the client its session is lost');
    // A plain session: the client drops it and starts a resumable one, so nothing is kept for it.
    s.abort();
    assert.deepEqual(await log.closed(), [1002, 'Connection interrupted']);
  });
});

describe('resume turned off (resumeGrace: 0)', () => {
  let server;
  let http;
  before(async () => {
    server = await start({ resumeGrace: 0 });
    http = on(server);
  });
  after(() => server.close());

  it('does not advertise resume in /info', async () => {
    const body = JSON.parse((await request(`${server.url}/info`)).body);
    assert.equal('resume' in body.cometkit, false);
  });

  it('ignores pos: o, and a cut ends the session with 1002', async () => {
    const o = await openResumable(server);
    assert.equal(o.first, 'o');
    o.s.abort();
    assert.deepEqual(await o.log.closed(), [1002, 'Connection interrupted']);
  });

  it('ignores pos: a second receiver gets 2010', async () => {
    const o = await openResumable(server);
    const second = await http.stream(o.id, '?pos=0');
    assert.deepEqual(streamFrames(await ended(second)), ['c[2010,"Another connection still open"]']);
    assert.equal(o.s.done, false, 'the first receiver stays');
    o.s.abort();
  });

  it('ignores seq and keeps plain WebSocket framing', async () => {
    const o = await openResumable(server);
    await http.send(o.id, '?seq=1', ['a']);
    await http.send(o.id, '?seq=1', ['a']);
    assert.deepEqual(o.log.messages, ['a', 'a']);
    const ws = http.ws(sid(), '?pos=0');
    await ws.opened;
    assert.equal(await ws.next(), 'o');
    ws.ws.send('[0,1,"a"]');
    assert.equal(await ws.next(), 'c[3000,"Broken framing."]');
    o.s.abort();
  });
});
