// The server's `origins` option, from a real page: a page on a listed origin uses every tier (the
// forever-iframe's bridge page and the JSONP long-poll, which browsers send without an Origin,
// included), and a page on any other origin gets nowhere, on any tier, and leaves no session behind.
import { createClient } from '../../dist/cometkit.mjs';
import { echo, next, opened } from '../browser/support/client.js';
import { admin, needAdmin } from '../browser/support/admin.js';
import { assertEqual } from '../browser/support/echo.js';

const TIERS = ['websocket', 'xhr-streaming', 'iframe', 'jsonp', 'polling'];

describe('server origins option', function () {
  this.timeout(20000);
  let allowed = null;
  let denied = null;

  before(async function () {
    needAdmin(this);
    [allowed, denied] = await Promise.all([
      admin('POST', `/cometkit?origins=${encodeURIComponent(location.origin)}`),
      admin('POST', `/cometkit?origins=${encodeURIComponent('https://elsewhere.example')}`),
    ]);
  });

  after(async function () {
    await Promise.all([allowed, denied].filter(Boolean).map((instance) => admin('DELETE', `/cometkit/${instance.id}`)));
  });

  for (const tier of TIERS) {
    it(`${tier}: a page on a listed origin opens, echoes and closes`, async function () {
      const client = createClient(`${allowed.url}/echo`, { transports: [tier], reconnect: false });
      assertEqual((await opened(client)).transport, tier, 'open.transport');
      await echo(client, ['one', 'ż 🐦 \u2028', 'x'.repeat(5000)]);
      const closed = next(client, 'close');
      client.close();
      assertEqual((await closed).code, 1000, 'close code');
    });
  }

  it('a page on another origin fails on every tier and opens no session', async function () {
    const client = createClient(`${denied.url}/echo`, { reconnect: false });
    const failed = next(client, 'error', 15000);
    const closed = next(client, 'close', 15000);
    const { error } = await failed;
    assertEqual(error.name, 'NegotiationError', 'error.name');
    assertEqual(
      error.attempts.map((a) => a.transport).join(),
      TIERS.join(),
      `every tier tried: ${JSON.stringify(error.attempts)}`,
    );
    for (const attempt of error.attempts) {
      if (attempt.outcome === 'opened') throw new Error(`${attempt.transport} opened: ${JSON.stringify(attempt)}`);
    }
    assertEqual((await closed).code, 2000, 'close code');
    const { sessions } = await admin('GET', `/cometkit/${denied.id}/sessions`);
    assertEqual(JSON.stringify(sessions), '[]', 'sessions on the server');
    console.log(`[origins] refused page: ${error.message}`);
  });
});
