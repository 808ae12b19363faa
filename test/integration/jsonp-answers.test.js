// The JSONP tier against polls whose callback gets something other than a frame (test server's
// /not_frames/<kind>, test/interop/protocol-server.mjs): bad input, a clear reason at once, nothing
// thrown (it used to throw in the frame checks, and the attempt waited out its timeout).
import { createClient } from '../../dist/cometkit.mjs';
import { config } from '../browser/support/config.js';
import { assertEqual } from '../browser/support/echo.js';
import { nextEvent } from '../browser/support/assert.js';

// What each answer reads as, as text.
const SEEN = { number: '12', null: 'null', object: '[object Object]', none: 'undefined' };

describe('jsonp tier, answers that are not frames', function () {
  this.timeout(10000);
  for (const kind of ['number', 'null', 'object', 'none']) {
    it(`fails at once, the answer named, when a poll's callback gets ${kind === 'none' ? 'nothing' : `a ${kind}`}`, async function () {
      const base = `${config().servers.cometkit.cross}/not_frames/${kind}`;
      // A long open timeout: only the answer can end the attempt within the test's wait.
      const client = createClient(base, { transports: ['jsonp'], reconnect: false, timeout: 8000 });
      const moved = nextEvent(client, 'transport', 5000);
      const closed = nextEvent(client, 'close', 5000);
      const event = await moved;
      assertEqual(event.from, 'jsonp', 'transport.from');
      assertEqual(event.reason, `unexpected first frame ${SEEN[kind]}`, 'transport.reason');
      assertEqual((await closed).code, 2000, 'close code');
      assertEqual(client.state, 'closed', 'state');
    });
  }
});
