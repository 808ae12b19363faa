// Stock sockjs-client (the npm package's browser build, global SockJS) against
// the cometkit reference server, on each of its transports forced alone,
// cross-origin (the server's own port) and same-origin (through karma's origin).
/* global SockJS */
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

for (const origin of ['cross', 'same']) {
  describe(`sockjs-client against the cometkit server (${origin}-origin)`, function () {
    this.timeout(30000);
    this.foreign = true;
    const base = () => config().servers.cometkit[origin];

    for (const transport of TRANSPORTS) {
      describe(transport, function () {
        it('opens and echoes 200 messages in order, non-ASCII and 64 KiB ones included', async function () {
          const sock = connect(`${base()}/echo`, transport);
          await opened(sock);
          assertEqual(sock.transport, transport, 'transport in use');
          const expected = echoMessages();
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
