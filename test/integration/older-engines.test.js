// Engines that run the ES2020 build but lack what came later: `AbortSignal.timeout` (Chromium 103,
// Firefox 100, Safari 16), Web Locks (Chromium 69, Firefox 96, Safari 15.4), and a WebSocket
// constructor that takes relative and http(s) URLs (Chromium 125, Firefox 124, Safari 17.3; before, only
// an absolute ws: or wss: URL), as Safari 15.3 on an iPhone that takes no later iOS, or Chromium 80–102.
// All three are taken from the page for each test and given back after it.
import { createClient } from '../../dist/cometkit.mjs';
import { createClient as createWebSocketClient } from '../../dist/websocket.mjs';
import { echo, opened } from '../browser/support/client.js';
import { config } from '../browser/support/config.js';
import { assertEqual } from '../browser/support/echo.js';

const TIERS = ['websocket', 'xhr-streaming', 'iframe', 'jsonp', 'polling'];

describe('an engine without AbortSignal.timeout, Web Locks or relative WebSocket URLs', function () {
  this.timeout(20000);
  let restore;
  let client;
  const refused = [];

  beforeEach(function () {
    const timeout = Object.getOwnPropertyDescriptor(AbortSignal, 'timeout');
    const Native = window.WebSocket;
    delete AbortSignal.timeout;
    // An own property over the prototype's getter; deleting it brings the getter back.
    Object.defineProperty(navigator, 'locks', { value: undefined, configurable: true });
    window.WebSocket = class extends Native {
      constructor(url, protocols) {
        if (!/^wss?:\/\//.test(url)) {
          refused.push(url);
          throw new DOMException(`Failed to construct 'WebSocket': The URL '${url}' is invalid.`, 'SyntaxError');
        }
        super(url, protocols);
      }
    };
    restore = () => {
      Object.defineProperty(AbortSignal, 'timeout', timeout);
      delete navigator.locks;
      window.WebSocket = Native;
    };
    if (AbortSignal.timeout || navigator.locks) throw new Error('could not take the features away');
  });

  afterEach(function () {
    restore();
    client?.close();
    client = undefined;
    refused.length = 0;
  });

  for (const origin of ['cross', 'same']) {
    // Same-origin, the service URL is a path (`/same/cometkit`, through karma's proxy).
    const url = () => `${config().servers.cometkit[origin]}/echo`;

    it(`opens on websocket with every tier allowed, and echoes (${origin}-origin)`, async function () {
      client = createClient(url(), { reconnect: false });
      assertEqual((await opened(client)).transport, 'websocket', `open.transport (WebSocket URLs refused: ${refused})`);
      await echo(client, ['older', 'engine é']);
    });

    for (const tier of TIERS) {
      it(`${tier} alone opens and echoes (${origin}-origin)`, async function () {
        client = createClient(url(), { transports: [tier], reconnect: false });
        assertEqual((await opened(client)).transport, tier, 'open.transport');
        await echo(client, ['older', 'engine é']);
      });
    }

    it(`cometkit/websocket opens and echoes (${origin}-origin)`, async function () {
      client = createWebSocketClient(url(), { reconnect: false });
      await opened(client);
      await echo(client, ['older', 'engine é']);
    });
  }
});
