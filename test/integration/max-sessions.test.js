// A cometkit server at its `maxSessions`: a client that finds it full hears why from every tier (503
// where the page can read the answer), keeps trying with its backoff, and opens by itself once a
// place is free; the client already there is not disturbed.
import { createClient } from '../../dist/cometkit.mjs';
import { echo, next, opened } from '../browser/support/client.js';
import { ownServer } from '../browser/support/admin.js';
import { assertEqual } from '../browser/support/echo.js';

describe('a server at its maxSessions', function () {
  this.timeout(20000);
  const instance = ownServer('?maxSessions=1');
  const clients = [];

  afterEach(() => {
    for (const client of clients) if (client.state !== 'closed') client.close();
  });

  it('refuses a second client on every tier, with reasons, until the first one leaves; then the second opens by itself', async function () {
    const url = `${instance.url}/echo`;
    const first = createClient(url, { remember: 0 });
    clients.push(first);
    await opened(first);
    const second = createClient(url, { remember: 0, reconnectDelay: 100, maxReconnectDelay: 300 });
    clients.push(second);
    const { error } = await next(second, 'error');
    assertEqual(error.name, 'NegotiationError', 'error.name');
    const reasons = Object.fromEntries(error.attempts.map((a) => [a.transport, `${a.outcome}: ${a.reason}`]));
    // The fetch tiers read the answer across origins (CORS); a script, a frame and a WebSocket only fail.
    assertEqual(reasons['xhr-streaming'], 'failed: stream failed: HTTP 503', 'xhr-streaming');
    assertEqual(reasons.polling, 'failed: poll failed: HTTP 503', 'polling');
    for (const tier of ['websocket', 'iframe', 'jsonp']) {
      if (!reasons[tier]?.startsWith('failed: ')) throw new Error(`${tier}: ${reasons[tier]}`);
    }
    assertEqual(second.state, 'reconnecting', 'the second client keeps trying');
    await echo(first, ['still here'], 5000);

    first.close();
    // (Negotiations still under way may fail meanwhile: their errors are not the point here.)
    const open = await next(second, 'open', 10000);
    await echo(second, ['in at last'], 5000);
    console.log(`[max-sessions] refused: ${JSON.stringify(reasons)}; open on ${open.transport} once the first left`);
  });
});
