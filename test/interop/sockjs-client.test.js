// Stock sockjs-client (the npm package's browser build, global SockJS) against
// the cometkit reference server, on each of its transports forced alone,
// cross-origin (the server's own port) and same-origin (through karma's origin).
/* global SockJS */
import { admin, needAdmin } from '../browser/support/admin.js';
import { config } from '../browser/support/config.js';
import { assertEqual, assertSameMessages, echoMessages } from '../browser/support/echo.js';

const TRANSPORTS = ['websocket', 'xhr-streaming', 'eventsource', 'iframe-htmlfile', 'xhr-polling', 'jsonp-polling'];

function connect(url, transport) {
  return new SockJS(url, null, { transports: [transport], timeout: 10000 });
}

function opened(sock) {
  return new Promise((resolve, reject) => {
    sock.onopen = () => resolve();
    sock.onclose = (e) => reject(new Error(`closed before open: ${e.code} ${e.reason}`));
  });
}

function closed(sock) {
  return new Promise((resolve) => {
    sock.onclose = (e) => resolve(e);
  });
}

/** Opens `url` on `transport` alone, checks that `expected` comes back in order, and closes (1000). */
async function echoAndClose(url, transport, expected) {
  const sock = connect(url, transport);
  await opened(sock);
  assertEqual(sock.transport, transport, 'transport in use');
  const received = [];
  const all = new Promise((resolve) => {
    sock.onmessage = (e) => {
      received.push(e.data);
      if (received.length === expected.length) resolve();
    };
  });
  for (const m of expected) sock.send(m);
  await all;
  assertSameMessages(received, expected);
  const done = closed(sock);
  sock.close();
  assertEqual((await done).code, 1000, 'client close code');
}

for (const origin of ['cross', 'same']) {
  describe(`sockjs-client against the cometkit server (${origin}-origin)`, function () {
    this.timeout(30000);
    this.foreign = true;
    const base = () => config().servers.cometkit[origin];

    for (const transport of TRANSPORTS) {
      describe(transport, function () {
        it('opens and echoes 200 messages in order, non-ASCII and 64 KiB ones included', async function () {
          await echoAndClose(`${base()}/echo`, transport, echoMessages());
        });

        it('sees a server-initiated close with its code and reason', async function () {
          const sock = connect(`${base()}/close`, transport);
          const done = closed(sock);
          const event = await done;
          assertEqual(event.code, 3000, 'close code');
          assertEqual(event.reason, 'Go away!', 'close reason');
        });
      });
    }
  });
}

// The server's `origins` option with a stock client: every transport works from a listed page (the
// iframe transport's page checked by its Referer, what it loads then sent from the server's own
// origin), and none from a page that is not listed.
describe("sockjs-client against a cometkit server that checks origins (the server's origins option)", function () {
  this.timeout(30000);
  this.foreign = true;
  const instances = {};
  before(async function () {
    needAdmin(this);
    // The listed one's heartbeat is the longest the admin allows: a closed stock client's held JSONP
    // poll is then not answered (an error in the page, below) before the run ends.
    for (const [name, origin, heartbeat] of [['listed', location.origin, 60000], ['other', 'https://elsewhere.example', 25000]]) {
      instances[name] = await admin('POST', `/cometkit?origins=${encodeURIComponent(origin)}&heartbeat=${heartbeat}`);
    }
  });
  after(async function () {
    // Only the refusing one: a closed stock client's held JSONP poll runs when its server answers it,
    // its callback gone (an error in the page), and stopping a server answers it at once. The listed
    // instance is stopped with the others when the run ends, as the shared servers are.
    if (instances.other) await admin('DELETE', `/cometkit/${instances.other.id}`);
  });

  for (const transport of TRANSPORTS) {
    it(`${transport}: opens and echoes from a listed page; cannot open from another`, async function () {
      await echoAndClose(`${instances.listed.url}/echo`, transport, ['one', 'zwei ż', 'x'.repeat(5000)]);

      const refused = connect(`${instances.other.url}/echo`, transport);
      const event = await closed(refused);
      if (event.code === 1000) throw new Error(`opened from a page not listed: ${event.code} ${event.reason}`);
      const { sessions } = await admin('GET', `/cometkit/${instances.other.id}/sessions`);
      assertEqual(JSON.stringify(sessions), '[]', 'sessions on the server that refused');
    });
  }
});
