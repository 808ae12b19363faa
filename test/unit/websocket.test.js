// The websocket tier over a fake WebSocket constructor passed as the `WebSocket` option:
// the test plays the server by calling the socket's handlers.
import { createClient } from '../../dist/cometkit.mjs';
import { NegotiationError, createClient as createWebSocketClient } from '../../dist/websocket.mjs';
import { assertEqual, until } from '../browser/support/echo.js';
import { assert, assertJson, json, nextEvent, tick } from '../browser/support/assert.js';
import { fakeWebSocket } from '../browser/support/fake-websocket.js';

/** A tier object that records connects and opens when the test says so. */
function fakeTier(name, { probe } = {}) {
  const connections = [];
  const tier = {
    name,
    roundTrips: 1,
    unsupported: () => '',
    connect(ctx, sink) {
      const conn = { ctx, sink, closes: [] };
      connections.push(conn);
      return { send() {}, close: (notify) => conn.closes.push(notify) };
    },
  };
  if (probe) tier.probe = probe;
  return { tier, connections };
}



describe('websocket tier', function () {
  let clients = [];
  /** createClient, closed after the test; resolves once it has started (on the next microtask). */
  async function connect(url, options) {
    const client = createClient(url, options);
    clients.push(client);
    firstTransport.set(client, new Promise((resolve) => client.on('transport', resolve)));
    await null;
    return client;
  }
  /** The first transport event of a client, seen from its creation on. */
  const firstTransport = new WeakMap();
  afterEach(function () {
    for (const client of clients) client.close();
    clients = [];
  });

  /** A client on the websocket tier alone, opened. */
  async function openSocket(options = {}) {
    const { FakeWebSocket, sockets } = fakeWebSocket();
    const client = await connect('http://push.example/svc', { transports: ['websocket'], WebSocket: FakeWebSocket, ...options });
    const opened = nextEvent(client, 'open');
    sockets[0].receive('o');
    assertJson(await opened, { transport: 'websocket', resumed: false }, 'open event');
    return { client, socket: sockets[0], sockets };
  }

  it('connects to ws://<base>/<3 digits>/<8 characters>/websocket', async function () {
    const { FakeWebSocket, sockets } = fakeWebSocket();
    await connect('http://push.example:8080/svc/', { transports: ['websocket'], WebSocket: FakeWebSocket });
    assertEqual(sockets.length, 1, 'sockets');
    assert(/^ws:\/\/push\.example:8080\/svc\/\d{3}\/[0-9a-z]{8}\/websocket\?t&pos=0$/.test(sockets[0].url), `URL ${sockets[0].url}`);
  });

  it('connects to wss:// for an https base', async function () {
    const { FakeWebSocket, sockets } = fakeWebSocket();
    await connect('https://push.example/svc', { transports: ['websocket'], WebSocket: FakeWebSocket });
    assert(/^wss:\/\/push\.example\/svc\/\d{3}\/[0-9a-z]{8}\/websocket\?t&pos=0$/.test(sockets[0].url), `URL ${sockets[0].url}`);
  });

  it('uses a new session URL for each connection', async function () {
    const { client, socket, sockets } = await openSocket({ retry: () => 0 });
    const reopened = nextEvent(client, 'reconnecting');
    socket.end(1006);
    await reopened;
    await tick();
    assertEqual(sockets.length, 2, 'sockets');
    assert(sockets[0].url !== sockets[1].url, `same URL twice: ${sockets[1].url}`);
  });

  it('delivers the messages of the frames it receives', async function () {
    const { client, socket } = await openSocket();
    const received = [];
    client.on('message', ({ data }) => received.push(data));
    socket.receive('a["one","two"]');
    socket.receive('h');
    socket.receive('a["three"]');
    assertJson(received, ['one', 'two', 'three'], 'messages');
  });

  it('reports a binary message as a malformed frame and goes on', async function () {
    const { client, socket } = await openSocket();
    const errors = [];
    const received = [];
    client.on('error', ({ error }) => errors.push(error.message));
    client.on('message', ({ data }) => received.push(data));
    socket.receive(new Blob(['a["binary"]']));
    socket.receive(new Uint8Array([97, 91, 93]).buffer);
    socket.receive('a["text"]');
    assertJson(errors, ['Malformed frame: [object Blob]', 'Malformed frame: [object ArrayBuffer]'], 'errors');
    assertJson(received, ['text'], 'messages');
    assertEqual(client.state, 'open', 'state');
  });

  it('sends the messages of one tick after it, each in a WebSocket message of its own on a stock session', async function () {
    // As sockjs-client sends them: stock servers cap a WebSocket message (Spring on Tomcat: 8 KiB).
    const { client, socket } = await openSocket();
    client.send('one');
    client.send('two "quoted" \u2028 ż');
    assertEqual(socket.sent.length, 0, 'frames within the tick');
    await tick();
    client.send('three');
    await tick();
    assertJson(socket.sent, [json(['one']), json(['two "quoted" \u2028 ż']), json(['three'])], 'frames sent');
  });

  it('closes the socket with 1000 when the client closes, and hears nothing from it afterwards', async function () {
    const { client, socket } = await openSocket();
    const events = [];
    client.on('close', (event) => events.push(event));
    client.on('message', (event) => events.push(event));
    client.close(4000, 'bye');
    assertJson(socket.closes, [[1000]], 'socket close() calls');
    socket.receive('a["late"]');
    socket.end(1000);
    assertJson(events, [{ code: 4000, reason: 'bye', willReconnect: false }], 'events');
  });

  it('drops the connection when the socket closes after open', async function () {
    const { client, socket } = await openSocket({ reconnect: false });
    const closed = nextEvent(client, 'close');
    socket.end(1006);
    assertJson(await closed, { code: 1006, reason: 'WebSocket closed (1006)', willReconnect: false }, 'close event');
  });

  for (const [label, fail, reason] of [
    ['an error', (socket) => socket.error(), 'WebSocket error'],
    ['a close', (socket) => socket.end(1006), 'WebSocket closed (1006)'],
    ['a close with a reason', (socket) => socket.end(1002, 'bad handshake'), 'WebSocket closed (1002 bad handshake)'],
  ]) {
    it(`falls back to the next tier on ${label} before open`, async function () {
      const { FakeWebSocket, sockets } = fakeWebSocket();
      const next = fakeTier('polling');
      const client = await connect('http://push.example/svc', { transports: ['websocket', next.tier], WebSocket: FakeWebSocket });
      const moved = nextEvent(client, 'transport');
      fail(sockets[0]);
      assertJson(await moved, { from: 'websocket', to: 'polling', reason }, 'transport event');
      // 4000, not 1000: a socket given up leaves its session to be resumed, where 1000 would end it.
      assertJson(sockets[0].closes, [[4000]], 'socket close() calls');
      assertEqual(next.connections.length, 1, 'connects of the next tier');
      const opened = nextEvent(client, 'open');
      next.connections[0].sink.frame('o');
      assertEqual((await opened).transport, 'polling', 'open.transport');
      assertEqual(client.diagnostics()[0].reason, reason, 'diagnostics reason');
    });
  }

  it('drops a socket that hears nothing while the application sends: its own send confirmations are no sign of life', async function () {
    const { FakeWebSocket, sockets } = fakeWebSocket();
    // The probe of a tier never reached advertises a 50 ms heartbeat: with heartbeatTimeout 100, a wait of 150 ms.
    const prober = fakeTier('polling', { probe: () => Promise.resolve({ websocket: true, rtt: 1, cors: true, cometkit: { version: 1, heartbeat: 50 } }) });
    const client = await connect('http://push.example/svc', {
      transports: ['websocket', prober.tier],
      WebSocket: FakeWebSocket,
      resume: false,
      heartbeatTimeout: 100,
      reconnect: false,
    });
    await until(() => sockets.length === 1, 2000, 'the socket');
    const opened = nextEvent(client, 'open');
    sockets[0].receive('o');
    await opened;
    // Without resume, each batch handed to the socket is confirmed at once (done() called): every 20 ms.
    const confirmed = [];
    const closed = nextEvent(client, 'close', 1000);
    const sending = setInterval(() => client.state === 'open' && client.send('ping', (error) => confirmed.push(error)), 20);
    try {
      assertJson(await closed, { code: 1006, reason: 'No heartbeat for 150 ms', willReconnect: false }, 'close event');
    } finally {
      clearInterval(sending);
    }
    assert(confirmed.length >= 3, `sends confirmed meanwhile: ${confirmed.length}`);
    assert(confirmed.every((error) => error === undefined), `confirmations: ${json(confirmed)}`);
  });

  it('is skipped when the server disables WebSocket in /info', async function () {
    const { FakeWebSocket, sockets } = fakeWebSocket();
    const next = fakeTier('polling', { probe: () => Promise.resolve({ websocket: false, rtt: 1, cors: true }) });
    const client = await connect('http://push.example/svc', { transports: ['websocket', next.tier], WebSocket: FakeWebSocket });
    assertJson(await firstTransport.get(client), { from: 'websocket', to: 'polling', reason: 'disabled by the server' }, 'transport event');
    assertEqual(sockets.length, 0, 'sockets');
  });

  it('is tried when /info leaves the field out, as sockjs-client reads it (only false says no)', async function () {
    const { FakeWebSocket, sockets } = fakeWebSocket();
    const next = fakeTier('polling', { probe: () => Promise.resolve({ rtt: 1, cors: true }) });
    await connect('http://push.example/svc', { transports: ['websocket', next.tier], WebSocket: FakeWebSocket });
    await until(() => sockets.length === 1, 2000, 'a WebSocket');
  });

  it('falls back at once when the WebSocket constructor throws', async function () {
    // Browsers throw SecurityError from the constructor, e.g. for ws:// from an https page.
    const { FakeWebSocket } = fakeWebSocket({ throws: new DOMException('The operation is insecure.', 'SecurityError') });
    const next = fakeTier('polling', { probe: () => Promise.resolve({ websocket: true, rtt: 1, cors: true }) });
    const rejections = [];
    const onRejection = (event) => {
      rejections.push(event.reason);
      event.preventDefault();
    };
    window.addEventListener('unhandledrejection', onRejection);
    try {
      const started = Date.now();
      const client = await connect('http://push.example/svc', { transports: ['websocket', next.tier], WebSocket: FakeWebSocket, timeout: 0 });
      const moved = await firstTransport.get(client);
      assertEqual(moved.from, 'websocket', 'transport.from');
      assert(/SecurityError|insecure/.test(moved.reason), `transport.reason ${moved.reason} after ${Date.now() - started} ms`);
    } finally {
      await tick();
      window.removeEventListener('unhandledrejection', onRejection);
    }
    assertEqual(rejections.length, 0, `unhandled rejections: ${rejections.join(', ')}`);
  });
});

describe('cometkit/websocket', function () {
  const BASE = 'http://push.example/ws-only';
  let clients = [];
  afterEach(function () {
    for (const client of clients) client.close();
    clients = [];
    localStorage.removeItem('cometkit ' + BASE);
  });
  async function connectWs(options) {
    const client = createWebSocketClient(BASE, options);
    clients.push(client);
    await null;
    return client;
  }

  it('opens a resumable session over WebSocket and leaves nothing in localStorage (no network memory)', async function () {
    const { FakeWebSocket, sockets } = fakeWebSocket();
    const client = await connectWs({ WebSocket: FakeWebSocket });
    assertEqual(sockets.length, 1, 'sockets');
    assert(/^ws:\/\/push\.example\/ws-only\/\d{3}\/[0-9a-z]{8}\/websocket\?t&pos=0$/.test(sockets[0].url), `URL ${sockets[0].url}`);
    const opened = nextEvent(client, 'open');
    sockets[0].receive('k0');
    assertJson(await opened, { transport: 'websocket', resumed: false }, 'open event');
    assertEqual(client.transport, 'websocket', 'client.transport');
    assertEqual(localStorage.getItem('cometkit ' + BASE), null, 'what the client kept in localStorage');
    client.send('hi');
    await tick();
    assertJson(sockets[0].sent, [JSON.stringify([0, 1, 'hi'])], 'what went on the socket');
  });

  it('takes websocket alone in transports, with the same exact error as the full client', async function () {
    let error;
    try {
      createWebSocketClient(BASE, { transports: ['websocket', 'polling'] });
    } catch (e) {
      error = e;
    }
    assert(error instanceof TypeError, `a TypeError, got ${error}`);
    assertEqual(error.message, 'cometkit: unknown transport "polling"', 'message');
  });

  it('reports a failed open as a NegotiationError and a close with 2000', async function () {
    const { FakeWebSocket, sockets } = fakeWebSocket();
    const client = await connectWs({ WebSocket: FakeWebSocket, reconnect: false });
    const failed = nextEvent(client, 'error');
    const closed = nextEvent(client, 'close');
    sockets[0].end(1006);
    const { error } = await failed;
    assert(error instanceof NegotiationError, `a NegotiationError, got ${error}`);
    assertEqual(error.attempts[0].reason, 'WebSocket closed (1006)', 'attempt reason');
    assertEqual((await closed).code, 2000, 'close code');
  });
});
