// Engines that run the ES2020 build but lack what came later: `AbortSignal.timeout` (Chromium 103,
// Firefox 100, Safari 16) and Web Locks (Chromium 69, Firefox 96, Safari 15.4), as Safari 15.3 on an
// iPhone that takes no later iOS, or Chromium 80–102. Both are taken from the page for each test and
// given back after it.
import { createClient } from '../../dist/cometkit.mjs';
import { echo, opened } from '../browser/support/client.js';
import { config } from '../browser/support/config.js';
import { assertEqual } from '../browser/support/echo.js';

const TIERS = ['websocket', 'xhr-streaming', 'iframe', 'jsonp', 'polling'];

describe('an engine without AbortSignal.timeout and Web Locks', function () {
  this.timeout(20000);
  let restore;
  let client;

  beforeEach(function () {
    const timeout = Object.getOwnPropertyDescriptor(AbortSignal, 'timeout');
    delete AbortSignal.timeout;
    // An own property over the prototype's getter; deleting it brings the getter back.
    Object.defineProperty(navigator, 'locks', { value: undefined, configurable: true });
    restore = () => {
      Object.defineProperty(AbortSignal, 'timeout', timeout);
      delete navigator.locks;
    };
    if (AbortSignal.timeout || navigator.locks) throw new Error('could not take the features away');
  });

  afterEach(function () {
    restore();
    client?.close();
    client = undefined;
  });

  it('opens on websocket with every tier allowed, and echoes', async function () {
    client = createClient(`${config().servers.cometkit.cross}/echo`, { reconnect: false });
    assertEqual((await opened(client)).transport, 'websocket', 'open.transport');
    await echo(client, ['older', 'engine é']);
  });

  for (const tier of TIERS) {
    it(`${tier} alone opens and echoes (cross-origin)`, async function () {
      client = createClient(`${config().servers.cometkit.cross}/echo`, { transports: [tier], reconnect: false });
      assertEqual((await opened(client)).transport, tier, 'open.transport');
      await echo(client, ['older', 'engine é']);
    });
  }
});
