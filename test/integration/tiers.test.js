// Every tier forced alone, from the built ESM file, against the cometkit
// server and the stock sockjs server, cross-origin and same-origin; and the
// WebSocket-only build (cometkit/websocket) alike.
import { createClient } from '../../dist/cometkit.mjs';
import { createClient as createWebSocketClient } from '../../dist/websocket.mjs';
import { config } from '../browser/support/config.js';
import { assertEqual, assertSameMessages, echoMessages } from '../browser/support/echo.js';
import { trackTimers } from '../browser/support/timers.js';
import { GATE_TOKEN } from '../browser/support/gate.js';

// [label, tier, createClient]
const TIERS = [
  ...['websocket', 'xhr-streaming', 'iframe', 'jsonp', 'polling'].map((tier) => [tier, tier, createClient]),
  ['websocket from cometkit/websocket', 'websocket', createWebSocketClient],
];

function once(client, type) {
  return new Promise((resolve) => {
    const off = client.on(type, (event) => {
      off();
      resolve(event);
    });
  });
}

function opened(client) {
  return new Promise((resolve, reject) => {
    const offs = [
      client.on('open', (e) => (offs.forEach((f) => f()), resolve(e))),
      client.on('error', ({ error }) => (offs.forEach((f) => f()), reject(error))),
    ];
  });
}

for (const server of ['cometkit', 'sockjs']) {
  for (const origin of ['cross', 'same']) {
    describe(`${server} server, ${origin}-origin`, function () {
      this.timeout(20000);
      const base = () => config().servers[server][origin];

      for (const [label, tier, create] of TIERS) {
        describe(label, function () {
          // A failing assertion must not leave the wrappers installed for later tests.
          afterEach(function () {
            this.currentTest.ctx.timers?.restore();
          });

          if (server === 'sockjs' && origin === 'cross' && tier === 'iframe') {
            // Across origins the forever-iframe needs the cometkit bridge page; a stock server has none.
            it('is skipped with its reason, and the client gives up when nothing else is allowed', async function () {
              const client = create(`${base()}/echo`, { transports: [tier], reconnect: false });
              const moved = once(client, 'transport');
              const failed = once(client, 'error');
              const closed = once(client, 'close');
              const event = await moved;
              assertEqual(event.from, 'iframe', 'transport.from');
              assertEqual(event.to, null, 'transport.to');
              assertEqual(event.reason, 'cross-origin needs a cometkit server', 'transport.reason');
              const { error } = await failed;
              assertEqual(error.name, 'NegotiationError', 'error.name');
              assertEqual(error.attempts[0].outcome, 'skipped', 'attempt outcome');
              assertEqual((await closed).code, 2000, 'close code');
              assertEqual(client.state, 'closed', 'state');
            });
            return;
          }

          it('opens, echoes 200 messages in order (non-ASCII and 64 KiB ones included), and closes leaving no timer', async function () {
            const timers = trackTimers();
            this.test.ctx.timers = timers;
            const client = create(`${base()}/echo`, { transports: [tier], reconnect: false });
            const open = await opened(client);
            assertEqual(open.transport, tier, 'open.transport');
            assertEqual(client.transport, tier, 'client.transport');
            const expected = echoMessages({ htmlSafe: server === 'sockjs' && tier === 'iframe' });
            const received = [];
            const all = new Promise((resolve) => {
              client.on('message', ({ data }) => {
                received.push(data);
                if (received.length === expected.length) resolve();
              });
            });
            for (const m of expected) client.send(m);
            await all;
            assertSameMessages(received, expected);
            const closed = once(client, 'close');
            client.close();
            const event = await closed;
            assertEqual(event.code, 1000, 'close code');
            assertEqual(event.willReconnect, false, 'willReconnect');
            assertEqual(client.state, 'closed', 'state');
            timers.restore();
            assertEqual(timers.pending.size, 0, 'timers left pending after close');
          });

          it("carries the URL's own query on every request past a gate that refuses any without it, and sends no #fragment", async function () {
            // Marks this test's requests in the gate's log (both browsers share the servers).
            const run = Math.random().toString(36).slice(2, 10);
            const query = `token=${encodeURIComponent(GATE_TOKEN)}&run=${run}`;
            const client = create(`${base()}/token_echo?${query}#not-sent`, { transports: [tier], reconnect: false });
            const open = await opened(client);
            assertEqual(open.transport, tier, 'open.transport');
            // Four rounds, each echoed in more than the service's streaming responses carry: renewals.
            const expected = ['one', 'zwei ż', 'три', '四'].concat(Array.from({ length: 20 }, (_, i) => `echo ${i} ${'x'.repeat(100)}`));
            const received = [];
            let round = () => {};
            client.on('message', ({ data }) => {
              received.push(data);
              if (received.length % 6 === 0) round();
            });
            for (let i = 0; i < expected.length; i += 6) {
              const echoed = new Promise((resolve) => (round = resolve));
              for (const m of expected.slice(i, i + 6)) client.send(m);
              await echoed;
            }
            assertSameMessages(received, expected);
            client.close();
            // The gate's log is on the server: read until this test's requests are there (with the
            // close, where the client tells a cometkit server of it on its own request).
            const tellsClose = server === 'cometkit' && tier !== 'websocket';
            const mine = (log) => log.seen.filter((entry) => entry.includes(`run=${run}`));
            const deadline = Date.now() + 5000;
            let log;
            for (;;) {
              log = await (await fetch(`${base()}/gate/log`, { cache: 'no-store' })).json();
              if (!tellsClose || mine(log).some((entry) => /^POST \S*\/close\?/.test(entry))) break;
              if (Date.now() > deadline) throw new Error(`no close request in the gate's log: ${mine(log).join(' | ')}`);
              await new Promise((resolve) => setTimeout(resolve, 20));
            }
            assertEqual(JSON.stringify(log.refused), '[]', 'requests the gate refused');
            const seen = mine(log);
            if (!seen.length) throw new Error('the gate saw none of the requests');
            // Once each: renewals (many: the service's responses end after a frame or two) must not pile it up.
            for (const entry of seen) if (entry.split(query).length !== 2) throw new Error(`the query not there once, as given: ${entry}`);
            if (seen.some((entry) => entry.includes('not-sent'))) throw new Error(`a fragment went out: ${seen.join(' | ')}`);
            const streams = seen.filter((entry) => /\/(xhr_streaming|htmlfile)\?/.test(entry)).length;
            if (server === 'cometkit' && ['xhr-streaming', 'iframe'].includes(tier) && streams < 2) throw new Error(`no renewal: ${seen.join(' | ')}`);
            if (tier !== 'websocket' && !seen.some((entry) => entry.includes('/info?'))) throw new Error(`no /info with the query: ${seen.join(' | ')}`);
          });

          it('sees a server-initiated close with its code and reason', async function () {
            const client = create(`${base()}/close`, { transports: [tier] });
            const event = await once(client, 'close');
            assertEqual(event.code, 3000, 'close code');
            assertEqual(event.reason, 'Go away!', 'close reason');
            assertEqual(event.willReconnect, false, 'willReconnect');
          });
        });
      }
    });
  }
}

// Stock servers cap a WebSocket message (Spring on Tomcat: 8 KiB by default) and close the socket
// (1009) over it; sockjs-client sends one message per send, so a burst of small sends fits any cap.
describe('sockjs server taking WebSocket messages of up to 8 KiB', function () {
  this.timeout(20000);
  for (const [label, create] of [
    ['createClient', createClient],
    ['cometkit/websocket', createWebSocketClient],
  ]) {
    it(`${label}: 100 sends of 200 characters in one tick (20 KB) all echoed, in order, the socket kept`, async function () {
      const client = create(`${config().servers.sockjs.cross}/small_echo`, { transports: ['websocket'], reconnect: false });
      try {
        await opened(client);
        const expected = Array.from({ length: 100 }, (_, i) => `${i} `.padEnd(200, 'x'));
        const received = [];
        let stopWatching;
        const closed = new Promise((_, reject) => {
          stopWatching = client.on('close', ({ code, reason }) => reject(new Error(`closed (${code} ${reason}) after ${received.length} echoes`)));
        });
        const all = new Promise((resolve) => {
          client.on('message', ({ data }) => {
            received.push(data);
            if (received.length === expected.length) resolve();
          });
        });
        for (const m of expected) client.send(m);
        await Promise.race([all, closed]);
        stopWatching();
        assertSameMessages(received, expected);
      } finally {
        client.close();
      }
    });
  }
});

// A page that frames the client's page can navigate the bridge's frame (a frame within its own page) to
// the service's bridge page with a hash of its own making: onto an htmlfile of a session it opened.
describe('forever-iframe bridge navigated by another page', function () {
  this.timeout(20000);
  it('takes no frame from a bridge page that does not carry its callback name', async function () {
    const base = config().servers.cometkit.cross;
    const client = createClient(`${base}/echo`, { transports: ['iframe'], reconnect: false });
    let stopListening = () => {};
    try {
      await opened(client);
      const received = [];
      client.on('message', ({ data }) => received.push(data));
      // The other page's own session on the tick service, opened by a poll: a receiver that attaches
      // later gets its ticks, with no o before them.
      const id = Math.random().toString(36).slice(2, 10);
      const opening = await (await fetch(`${base}/stream/000/${id}/xhr`, { method: 'POST' })).text();
      assertEqual(opening, 'o\n', 'the session opened');
      const bridge = Array.from(document.querySelectorAll('iframe')).find((f) => f.src.includes('/iframe-cometkit.html'));
      if (!bridge) throw new Error('no bridge frame in the page');
      const posted = new Promise((resolve) => {
        let ticks = 0;
        const listener = (e) => {
          if (e.source === bridge.contentWindow && String(e.data).includes('tick') && ++ticks === 3) resolve();
        };
        addEventListener('message', listener);
        stopListening = () => removeEventListener('message', listener);
      });
      const hash = encodeURIComponent(JSON.stringify([origin, `${base}/stream/000/${id}/htmlfile?c=other`, 'other', '']));
      bridge.src = `${base}/stream/iframe-cometkit.html#${hash}`;
      // The client heard each of them first (its listener came first).
      await posted;
      assertEqual(JSON.stringify(received.filter((m) => m.startsWith('tick'))), '[]', 'ticks taken as messages');
    } finally {
      stopListening();
      client.close();
    }
  });
});
