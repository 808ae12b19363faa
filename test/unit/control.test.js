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

/** What the mocked server has seen, and how it answers xhr_send; reset before each test. */
let server;
function resetServer() {
  server = { opened: new Set(), polls: 0, openDelay: 0, pollDelay: 0, refusePolls: false, sends: [], inFlight: 0, maxInFlight: 0, sendStatus: 204, sendDelay: 5 };
}

const encoder = new TextEncoder();
const handlers = [
  http.get(`${BASE}/info`, () => HttpResponse.json(INFO)),
  // Plain polling: the open frame on a session's first poll, then nothing ready.
  http.post(`${BASE}/:server/:session/poll`, async ({ params }) => {
    server.polls++;
    if (server.refusePolls) return new HttpResponse(null, { status: 404 });
    const first = !server.opened.has(params.session);
    server.opened.add(params.session);
    await delay(first ? server.openDelay : server.pollDelay);
    return new HttpResponse(first ? 'o\n' : '', { headers: { 'Content-Type': 'application/javascript' } });
  }),
  // Streaming: the 2 KiB prelude and the open frame, then held open.
  http.post(`${BASE}/:server/:session/xhr_streaming`, () => {
    const body = new ReadableStream({
      start(controller) {
        controller.enqueue(encoder.encode('h'.repeat(2048) + '\n' + 'o\n'));
      },
    });
    return new HttpResponse(body, { headers: { 'Content-Type': 'application/javascript' } });
  }),
  http.post(`${BASE}/:server/:session/xhr_send`, async ({ request }) => {
    server.inFlight++;
    server.maxInFlight = Math.max(server.maxInFlight, server.inFlight);
    server.sends.push(JSON.parse(await request.text()));
    await delay(server.sendDelay);
    server.inFlight--;
    return new HttpResponse(null, { status: server.sendStatus });
  }),
  http.post(`${BASE}/:server/:session/close`, () => new HttpResponse(null, { status: 204 })),
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
