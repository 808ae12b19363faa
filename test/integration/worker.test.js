// The client inside a Web Worker (a module worker importing dist/cometkit.mjs; a SharedWorker runs the
// same code): the tiers a worker has (no DOM) echo, the ones that need a document move on at once with
// their reasons, and a connection dropped while the worker's navigator says offline reconnects on the
// `online` event the worker's global scope gets (before, the client listened on a window only, and in
// a worker waited for good).
import { admin, ownServer } from '../browser/support/admin.js';
import { assert, assertJson } from '../browser/support/assert.js';
import { config } from '../browser/support/config.js';
import { assertEqual } from '../browser/support/echo.js';

const WORKER = new URL('./fixtures/worker.js', import.meta.url);

/** A worker running fixtures/worker.js: `tell(order)`, `next(event, ms)` (the next such event's payload), `events` (all, in order). */
async function startWorker() {
  const worker = new Worker(WORKER, { type: 'module' });
  const events = [];
  const waiting = [];
  worker.onmessage = ({ data }) => {
    events.push(data);
    for (const w of waiting.splice(0)) if (!w(data)) waiting.push(w);
  };
  const next = (event, ms = 5000) =>
    new Promise((resolve, reject) => {
      const from = events.length;
      const timer = setTimeout(() => reject(new Error(`no ${event} from the worker within ${ms} ms: ${JSON.stringify(events.slice(from))}`)), ms);
      waiting.push((data) => {
        if (data.event !== event) return false;
        clearTimeout(timer);
        resolve(data.payload);
        return true;
      });
    });
  await next('ready');
  return { worker, events, next, tell: (order) => worker.postMessage(order) };
}

describe('in a Web Worker', function () {
  this.timeout(15000);
  let w;
  afterEach(() => w?.worker.terminate());
  const service = () => `${config().servers.cometkit.cross}/echo`;

  for (const tier of ['websocket', 'xhr-streaming', 'polling']) {
    it(`${tier}: echoes`, async function () {
      w = await startWorker();
      const opened = w.next('open');
      w.tell({ do: 'open', url: service(), options: { transports: [tier], remember: 0 } });
      assertEqual((await opened).transport, tier, 'open.transport');
      const echoed = w.next('message');
      w.tell({ do: 'send', text: 'from a worker: żółć' });
      assertEqual((await echoed).data, 'from a worker: żółć', 'echo');
      const closed = w.next('close');
      w.tell({ do: 'close' });
      assertJson(await closed, { code: 1000, reason: 'Normal closure', willReconnect: false }, 'close');
    });
  }

  it('iframe and jsonp (no document) move on at once with their reasons; polling opens', async function () {
    w = await startWorker();
    const opened = w.next('open');
    w.tell({ do: 'open', url: service(), options: { transports: ['iframe', 'jsonp', 'polling'], remember: 0 } });
    assertEqual((await opened).transport, 'polling', 'open.transport');
    const moves = w.events.filter((e) => e.event === 'transport').map((e) => e.payload);
    assertEqual(moves.length, 2, `transport events (${JSON.stringify(moves)})`);
    for (const move of moves) assert(/could not start: .*document/.test(move.reason), `${move.from}: ${move.reason}`);
  });

  describe('offline', function () {
    const instance = ownServer();

    it('a connection dropped while offline waits for "online" on the worker scope, then reconnects', async function () {
      w = await startWorker();
      const opened = w.next('open');
      // At most 20 ms between attempts: were the client to ignore the offline state, it would be back long before the check.
      w.tell({ do: 'open', url: `${instance.url}/echo`, options: { transports: ['websocket'], reconnectDelay: 20, maxReconnectDelay: 20, remember: 0 } });
      await opened;
      const offline = w.next('offline');
      w.tell({ do: 'offline' });
      assertEqual((await offline).onLine, false, 'navigator.onLine in the worker');
      const closed = w.next('close');
      const scheduled = w.next('reconnecting');
      // The server is back before the client even hears it went: only the client's own choice keeps it away.
      await admin('POST', `/cometkit/${instance.id}/restart?down=0`);
      assertEqual((await closed).willReconnect, true, 'close.willReconnect');
      await scheduled;
      // The one wait for something not to happen: 50 times the retry delay.
      await new Promise((resolve) => setTimeout(resolve, 1000));
      const state = w.next('state');
      w.tell({ do: 'state' });
      assertJson(await state, { state: 'reconnecting', transport: null }, 'while offline');
      const reopened = w.next('open');
      const online = w.next('online');
      w.tell({ do: 'online' });
      assertEqual((await online).onLine, true, 'navigator.onLine restored');
      assertEqual((await reopened).transport, 'websocket', 'open again');
      const echoed = w.next('message');
      w.tell({ do: 'send', text: 'back online' });
      assertEqual((await echoed).data, 'back online', 'echo');
    });

    it('an open connection ends on "offline" on the worker scope and resumes on "online"', async function () {
      w = await startWorker();
      const opened = w.next('open');
      w.tell({ do: 'open', url: `${instance.url}/echo`, options: { transports: ['websocket'], remember: 0 } });
      await opened;
      const closed = w.next('close');
      const offline = w.next('offline');
      w.tell({ do: 'offline', fire: true });
      // The state posted right after the event: the client ended the connection inside it.
      assertJson(await offline, { onLine: false, state: 'reconnecting' }, 'after offline');
      assertJson(await closed, { code: 1006, reason: 'Offline', willReconnect: true }, 'close event');
      const reopened = w.next('open');
      w.tell({ do: 'online' });
      assertJson(await reopened, { transport: 'websocket', resumed: true }, 'open again');
    });
  });
});
