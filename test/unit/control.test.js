// The upstream control channel (xhr_send), through the HTTP tiers against a server mocked
// with msw: batching, one request in flight, order, and what a failed send does.
import { createClient } from '../../dist/cometkit.mjs';
import { assertEqual, until } from '../browser/support/echo.js';
import { HttpResponse, delay, http, needStreamingMocks, startMsw, stopMsw } from '../browser/support/msw.js';
import { assert, nextEvent, tick } from '../browser/support/assert.js';

// Same-origin, so the client takes the CORS (fetch) path; only msw answers here.
const BASE = '/mock/control';
const INFO = {
  websocket: false,
  cookie_needed: false,
  origins: ['*:*'],
  entropy: 1,
  cometkit: { version: 1, polling: true, close: true, heartbeat: 25000 },
};

// The same, for a server that answers an xhr_send asking for it as a poll (pollOnSend); and one
// that also keeps sessions resumable.
const RIDE = '/mock/control-ride';
const RIDE_RESUME = '/mock/control-ride-resume';
// A server advertising a 400 ms heartbeat whose streams go silent after opening.
const QUIET = '/mock/control-quiet';

/** What the mocked server has seen, and how it answers xhr_send; reset before each test. */
let server;
function resetServer() {
  server = {
    opened: new Set(),
    polls: 0,
    openDelay: 0,
    pollDelay: 0,
    refusePolls: false,
    sends: [],
    inFlight: 0,
    maxInFlight: 0,
    sendStatus: 204,
    sendDelay: 5,
    // Sends that asked to be answered as a poll (answered with the echo of their messages, `echo`),
    // the messages so echoed, and how many requests that take frames (polls and such sends) were
    // out at once.
    rides: 0,
    echo: true,
    echoed: [],
    taking: 0,
    maxTaking: 0,
    pollUrls: [],
  };
}

/** Counts a request that takes frames while `answer` runs (on the test's own record: a request of
 * the test before may end after the reset). */
async function taking(answer) {
  const seen = server;
  seen.taking++;
  seen.maxTaking = Math.max(seen.maxTaking, seen.taking);
  try {
    return await answer();
  } finally {
    seen.taking--;
  }
}

const encoder = new TextEncoder();
const handlers = [
  http.get(`${BASE}/info`, () => HttpResponse.json(INFO)),
  http.get(`${RIDE}/info`, () => HttpResponse.json({ ...INFO, cometkit: { ...INFO.cometkit, pollOnSend: true } })),
  http.get(`${RIDE_RESUME}/info`, () => HttpResponse.json({ ...INFO, cometkit: { ...INFO.cometkit, pollOnSend: true, resume: 30000 } })),
  // Plain polling: the open frame on a session's first poll, then nothing ready.
  http.post(`/mock/:base/:server/:session/poll`, ({ params, request }) =>
    taking(async () => {
      server.polls++;
      server.pollUrls.push(request.url);
      if (server.refusePolls) return new HttpResponse(null, { status: 404 });
      const first = !server.opened.has(params.session);
      server.opened.add(params.session);
      await delay(first ? server.openDelay : server.pollDelay);
      // A resumable session opens on k0, when the server keeps them and the client asks.
      const opening = `/mock/${params.base}` === RIDE_RESUME && new URL(request.url).searchParams.get('pos') === '0' ? 'k0\n' : 'o\n';
      return new HttpResponse(first ? opening : '', { headers: { 'Content-Type': 'application/javascript' } });
    }),
  ),
  http.get(`${QUIET}/info`, () => HttpResponse.json({ ...INFO, cometkit: { ...INFO.cometkit, heartbeat: 400 } })),
  // Streaming: the 2 KiB prelude and the open frame, then held open.
  http.post(`/mock/:base/:server/:session/xhr_streaming`, () => {
    const body = new ReadableStream({
      start(controller) {
        controller.enqueue(encoder.encode('h'.repeat(2048) + '\n' + 'o\n'));
      },
    });
    return new HttpResponse(body, { headers: { 'Content-Type': 'application/javascript' } });
  }),
  http.post(`/mock/:base/:server/:session/xhr_send`, async ({ request }) => {
    // (Not on the test's record: sends of the quiet server's test can arrive after it has ended.)
    if (new URL(request.url).pathname.startsWith(`${QUIET}/`)) return new HttpResponse(null, { status: 204 });
    const rides = new URL(request.url).searchParams.has('poll');
    // The test's own record, as in taking().
    const seen = server;
    const answer = async () => {
      seen.inFlight++;
      seen.maxInFlight = Math.max(seen.maxInFlight, seen.inFlight);
      const batch = JSON.parse(await request.text());
      seen.sends.push(batch);
      await delay(seen.sendDelay);
      seen.inFlight--;
      if (!rides || seen.sendStatus != 204) return new HttpResponse(null, { status: seen.sendStatus });
      seen.rides++;
      const echoes = seen.echo ? batch.map((m) => `echo ${m}`) : [];
      seen.echoed.push(...echoes);
      return new HttpResponse(echoes.length ? `a${JSON.stringify(echoes)}\n` : '', { status: 200, headers: { 'Content-Type': 'application/javascript' } });
    };
    return rides ? taking(answer) : answer();
  }),
  http.post(`/mock/:base/:server/:session/close`, () => new HttpResponse(null, { status: 204 })),
];


describe('control channel (msw)', function () {
  this.timeout(20000);
  let worker;
  let clients = [];
  before(async function () {
    worker = await startMsw(...handlers);
  });
  after(async function () {
    if (worker) await stopMsw(worker);
  });
  beforeEach(resetServer);
  afterEach(function () {
    for (const client of clients) client.close();
    clients = [];
  });

  async function openOn(tier) {
    const client = createClient(BASE, { transports: [tier], reconnect: false });
    clients.push(client);
    const opened = nextEvent(client, 'open', 3000);
    const failed = nextEvent(client, 'error', 3000).then(({ error }) => Promise.reject(error));
    failed.catch(() => {});
    assertEqual((await Promise.race([opened, failed])).transport, tier, 'open.transport');
    return client;
  }

  for (const tier of ['polling', 'xhr-streaming']) {
    describe(tier, function () {
      if (tier === 'xhr-streaming') {
        before(function () {
          needStreamingMocks(this);
        });
      }
      it('sends 1,000 rapid messages in order on far fewer requests, one in flight at a time', async function () {
        const client = await openOn(tier);
        const sent = [];
        for (let i = 0; i < 1000; i++) {
          sent.push(`message ${i}`);
          client.send(`message ${i}`);
          if (i % 10 === 9) await tick();
        }
        await until(() => server.sends.flat().length >= sent.length && server.inFlight === 0, 10000, 'every message at the server');
        const received = server.sends.flat();
        assertEqual(received.length, sent.length, 'messages at the server');
        received.forEach((data, i) => assertEqual(data, sent[i], `message ${i}`));
        assert(server.sends.length > 1 && server.sends.length <= sent.length / 5, `${server.sends.length} xhr_send requests`);
        assertEqual(server.maxInFlight, 1, 'most xhr_send requests in flight at once');
      });

      for (const status of [500, 404]) {
        it(`drops the connection when xhr_send answers ${status}`, async function () {
          const client = await openOn(tier);
          server.sendStatus = status;
          const closed = nextEvent(client, 'close', 3000);
          client.send('doomed');
          const event = await closed;
          assertEqual(event.code, 1006, 'close code');
          assert(event.reason.startsWith('send failed'), `close reason ${event.reason}`);
          assertEqual(event.reason, `send failed: HTTP ${status}`, 'close reason');
          assertEqual(client.state, 'closed', 'state');
        });
      }
    });
  }

  it('drops a stream that hears nothing while the application sends: a send\'s answer is no sign of life', async function () {
    needStreamingMocks(this);
    const client = createClient(QUIET, { transports: ['xhr-streaming'], heartbeatTimeout: 100, reconnect: false });
    clients.push(client);
    await nextEvent(client, 'open', 3000);
    // Each send's 204 confirms it (done() called): with a 400 ms heartbeat and heartbeatTimeout 100 the
    // stream, silent since it opened, is dead after 500 ms all the same.
    const confirmed = [];
    const closed = nextEvent(client, 'close', 3000);
    const sending = setInterval(() => client.state === 'open' && client.send('ping', (error) => confirmed.push(error)), 20);
    let event;
    try {
      event = await closed;
    } finally {
      clearInterval(sending);
    }
    assertEqual(`${event.code} ${event.reason}`, '1006 No heartbeat for 500 ms', 'close');
    assert(confirmed.filter((error) => error === undefined).length >= 3, `sends confirmed meanwhile: ${confirmed.map((e) => e?.message ?? "ok")}`);
  });

  it('sends on the fresh session what was still queued behind a send in flight when the connection dropped', async function () {
    // A stock-like session (no resume): what was out may or may not have arrived (at most once), but
    // what never left the control channel is not in doubt.
    const client = createClient(BASE, { transports: ['polling'], pollIdleInterval: 100, retry: () => 0 });
    clients.push(client);
    await nextEvent(client, 'open', 3000);
    const outcomes = {};
    const done = (text) => (error) => (outcomes[text] = error ? error.message : 'delivered');
    server.sendDelay = 2000;
    client.send('a', done('a'));
    await until(() => server.sends.length === 1, 2000, 'the first send at the server');
    server.sendDelay = 5;
    client.send('b', done('b'));
    client.send('c', done('c'));
    await tick();
    // The next poll fails: the connection drops with b and c still queued behind a.
    server.refusePolls = true;
    await nextEvent(client, 'close', 3000);
    server.refusePolls = false;
    await nextEvent(client, 'open', 3000);
    await until(() => Object.keys(outcomes).length === 3, 3000, 'every send settled');
    assertEqual(
      JSON.stringify(outcomes),
      JSON.stringify({ a: 'cometkit: maybe not delivered: the session ended', b: 'delivered', c: 'delivered' }),
      'outcomes',
    );
    assertEqual(JSON.stringify(server.sends), JSON.stringify([['a'], ['b', 'c']]), 'batches at the server');
  });

  describe('polling after a send', function () {
    it('polls again at once when a batch gets through while a poll is out (the reply may have missed it)', async function () {
      server.pollDelay = 200;
      const client = createClient(BASE, { transports: ['polling'], reconnect: false, pollInterval: 1000, pollIdleInterval: 1000 });
      clients.push(client);
      await nextEvent(client, 'open', 3000);
      // The second poll leaves a second after the first answered, and is held for 200 ms.
      await until(() => server.polls === 2, 3000, 'the second poll');
      client.send('ping');
      await until(() => server.sends.length === 1, 1000, 'the send at the server');
      // Without the batch, the next poll would leave a second after this one answers.
      await until(() => server.polls === 3, 600, 'a third poll at once after the second answered');
    });
  });

  describe('a send answered as a poll (pollOnSend)', function () {
    async function openRiding(options = {}, base = RIDE_RESUME) {
      const client = createClient(base, { transports: ['polling'], reconnect: false, ...options });
      clients.push(client);
      await nextEvent(client, 'open', 3000);
      return client;
    }

    for (const [base, where] of [
      [BASE, 'of a server that does not offer it'],
      [RIDE, 'on a session that is not resumable (a late answer could not be dropped)'],
    ]) {
      it(`is not asked ${where}`, async function () {
        const client = await openRiding({}, base);
        for (let i = 0; i < 5; i++) {
          client.send(`m${i}`);
          await until(() => server.sends.length === i + 1 && server.inFlight === 0, 2000, `send ${i}`);
        }
        assertEqual(server.rides, 0, 'sends asking for a poll');
      });
    }

    it('takes the echo from the send\'s answer, in order, never with a poll out at the same time', async function () {
      // Polls 20 ms apart while messages flow: the sends below meet polls that are out and timers
      // about to fire.
      const client = await openRiding({ pollInterval: 20, pollIdleInterval: 2000 });
      const received = [];
      client.on('message', ({ data }) => received.push(data));
      for (let i = 0; i < 60; i++) {
        // Confirmed: the client has read the send's answer (and the echo on it), so the next send starts
        // from where the client is, not the mock (in WebKit the answer reaches the page well after the
        // mock has sent it, and a send made meanwhile finds the first one still out).
        await new Promise((resolve) => client.send(`m${i}`, resolve));
        // Every third in its own time, so that some sends find a poll out and go without asking.
        if (i % 3 === 0) await delay(25);
      }
      await until(() => received.length === server.echoed.length, 2000, 'the echoes on the answers');
      assert(server.rides >= 10, `${server.rides} of 60 sends asked for a poll`);
      assertEqual(received.join(), server.echoed.join(), 'echoes, in order');
      assertEqual(server.maxTaking, 1, 'requests taking frames at once');
    });

    it('lets a send made on a message take the next poll\'s place, with no poll timer left behind', async function () {
      // Each answer is held longer than a poll interval (20 ms) and well within the wait before
      // polling goes on regardless (pollIdleInterval, 200 ms): a timer left running, of either kind,
      // would poll beside one of the sends that follow one another here.
      const client = await openRiding({ pollInterval: 20, pollIdleInterval: 200 });
      server.sendDelay = 60;
      const received = [];
      client.on('message', ({ data }) => {
        received.push(data);
        if (received.length < 10) client.send(`after ${received.length}`);
      });
      client.send('start');
      await until(() => received.length === 10, 3000, 'ten echoes, each sent for on the one before');
      assertEqual(received.at(-1), 'echo after 9', 'the last echo');
      assertEqual(server.maxTaking, 1, 'requests taking frames at once');
    });

    it('leaves no poll timer behind when an acknowledgement goes while a poll\'s answer is handled', async function () {
      const client = await openRiding({ pollInterval: 20, pollIdleInterval: 2000 });
      server.sendDelay = 100;
      client.send('start');
      await nextEvent(client, 'message', 2000);
      // The next poll's empty answer counts as a heartbeat, on which the client acknowledges the echo
      // at once (from inside that answer's handling), in a send that asks for a poll.
      await until(() => server.rides === 2 && server.sends[1].length === 0, 2000, 'the acknowledgement');
      const polls = server.polls;
      await until(() => server.polls > polls + 1, 2000, 'polling after it');
      assertEqual(server.maxTaking, 1, 'requests taking frames at once');
    });

    it('polls at once after an answer without messages (the reply may be a moment behind)', async function () {
      const client = await openRiding({ pollInterval: 1000, pollIdleInterval: 1000 });
      server.echo = false;
      const polls = server.polls;
      client.send('ping');
      await until(() => server.rides === 1, 2000, 'the send, answered as a poll');
      await until(() => server.polls === polls + 1, 500, 'a poll at once, not a second later');
    });

    it('polls at once after a 413, for the close frame that says why', async function () {
      const client = await openRiding({ pollInterval: 1000, pollIdleInterval: 1000 });
      const polls = server.polls;
      server.sendStatus = 413;
      client.send('too big');
      await until(() => server.polls === polls + 1, 500, 'a poll at once, not a second later');
      assertEqual(client.state, 'open', 'state until the server says');
    });

    it('polls on when the answer is long in coming, from what it has, and does not read the late answer', async function () {
      // pollIdleInterval 200: polling goes on 200 ms into a send that has not been answered.
      const client = await openRiding({ pollInterval: 20, pollIdleInterval: 200 });
      const received = [];
      client.on('message', ({ data }) => received.push(data));
      server.sendDelay = 600;
      client.send('slow');
      await until(() => server.rides === 0 && server.inFlight === 1, 1000, 'the send at the server');
      const polls = server.polls;
      await until(() => server.polls > polls, 500, 'a poll while the answer is out');
      // A renewal: a cometkit server sends again from there what the late answer held.
      assert(/[?&]ack=0(&|$)/.test(server.pollUrls.at(-1)), `renewal ${server.pollUrls.at(-1)}`);
      await until(() => server.rides === 1, 1000, 'the late answer');
      const after = server.polls;
      await until(() => server.polls > after + 1, 1000, 'polls after the late answer');
      assertEqual(received.join(), '', 'messages read from the late answer');
    });
  });

  describe('closing while the session opens', function () {
    it('stops polling when the client closes before the open frame arrives', async function () {
      server.openDelay = 150;
      const client = createClient(BASE, { transports: ['polling'], reconnect: false });
      clients.push(client);
      try {
        await until(() => server.polls === 1, 3000, 'the first poll');
        client.close();
        // The held first poll answers "o" after 150 ms; a stopped tier polls no more after that.
        await delay(500);
        assertEqual(server.polls, 1, 'polls after close()');
      } finally {
        // A tier left running stops at its first refused poll.
        server.refusePolls = true;
        const polls = server.polls;
        await until(() => server.polls > polls, 2500, 'a refused poll').catch(() => {});
      }
    });
  });
});
