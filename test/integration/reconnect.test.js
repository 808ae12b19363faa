// Reconnection against a real server that goes away and comes back: each test
// gets a cometkit server of its own from the suite's admin endpoint
// (config().admin, see startAdmin() in test/browser/suite.mjs), so stopping it
// cannot disturb the other browser, which runs at the same time.
import { createClient } from '../../dist/cometkit.mjs';
import { echo, next, record } from '../browser/support/client.js';
import { admin, needAdmin } from '../browser/support/admin.js';
import { assertEqual, until } from '../browser/support/echo.js';

const TIERS = ['websocket', 'xhr-streaming', 'iframe', 'jsonp', 'polling'];

describe('reconnect', function () {
  this.timeout(20000);
  // Stock sockjs-client (test/interop/, run before these in a full run) tidies its form posts and
  // frames away asynchronously, after its tests have ended: let it finish first, or the page check
  // removes them under it and its late removeChild throws inside one of these tests. (One of its
  // form posts may never finish: the page check then charges it to the first test here.)
  before(async function () {
    const started = performance.now();
    await until(() => !document.querySelector('form, iframe'), 3000, 'a page free of forms and frames').catch(() => {});
    const waited = performance.now() - started;
    if (waited > 10) console.log(`[reconnect] waited ${Math.round(waited)} ms for earlier tests' forms and frames to go`);
  });
  let instance = null;
  let client = null;
  const restores = [];

  before(function () {
    needAdmin(this);
  });

  beforeEach(async function () {
    instance = await admin('POST', '/cometkit');
  });

  afterEach(async function () {
    while (restores.length) restores.pop()();
    if (client && client.state !== 'closed') {
      const closed = next(client, 'close', 1000);
      client.close();
      await closed;
    }
    client = null;
    if (instance) await admin('DELETE', `/cometkit/${instance.id}`);
    instance = null;
  });

  async function replaceInstance(query) {
    await admin('DELETE', `/cometkit/${instance.id}`);
    instance = null;
    return admin('POST', `/cometkit${query}`);
  }

  const open = (tier, options = {}, service = '/echo') => {
    client = createClient(`${instance.url}${service}`, { transports: [tier], ...options });
    return next(client, 'open');
  };

  // A forever-iframe cut mid-stream fires no event at all, in the frame or the page (neither the
  // document's nor the frame element's `load`): only the heartbeat watchdog can tell, so a crash on
  // that tier runs against a server with a 500 ms heartbeat (the default 25 s would take 35 s to
  // notice). Resolves with the client options that go with it.
  async function heardWhenCut(mode, tier) {
    if (mode !== 'crash' || tier !== 'iframe') return {};
    instance = await replaceInstance('?heartbeat=500');
    return { heartbeatTimeout: 1000 };
  }

  // close: the server says goodbye (close frame 1001) before it goes; crash: connections just die.
  for (const mode of ['close', 'crash']) {
    describe(`server restarted (${mode})`, function () {
      for (const tier of TIERS) {
        const silent = mode === 'crash' && tier === 'iframe';
        const title = silent
          ? `${tier}: notices the silently cut stream by the missing heartbeats, reconnects, and messages flow again`
          : `${tier}: reconnects by itself once the server is back, and messages flow again`;
        it(title, async function () {
          const first = await open(tier, { retry: () => 100, ...(await heardWhenCut(mode, tier)) });
          assertEqual(first.transport, tier, 'open.transport');
          await echo(client, ['before', 'zażółć 😀']);
          const retries = record(client, 'reconnecting');
          const errors = record(client, 'error');
          let lostAt = 0;
          const closed = next(client, 'close', 5000).then((event) => ((lostAt = performance.now()), event));
          const reopened = next(client, 'open', 15000);
          const started = performance.now();
          const down = 600;
          await admin('POST', `/cometkit/${instance.id}/restart?down=${down}&mode=${mode}`);
          const back = performance.now();
          const close = await closed;
          assertEqual(close.willReconnect, true, 'close.willReconnect');
          if (silent) {
            if (!/^No heartbeat for \d+ ms$/.test(close.reason)) throw new Error(`close.reason ${JSON.stringify(close.reason)}`);
            assertEqual(close.code, 1006, 'close.code');
          } else {
            // A close frame may not reach a tier that is between polls: it then sees the server gone (1006).
            const codes = mode === 'close' ? [1001, 1006] : [1006];
            if (!codes.includes(close.code)) throw new Error(`close.code ${close.code} (${close.reason}), expected one of ${codes}`);
            // Noticed while the server was down, not by a timeout later.
            if (lostAt > back) throw new Error(`the drop was noticed ${Math.round(lostAt - back)} ms after the server was back`);
          }
          const again = await reopened;
          const reconnected = performance.now();
          assertEqual(again.transport, tier, 'reopened on');
          assertEqual(client.state, 'open', 'state');
          await echo(client, ['after', 'zażółć 😀', 'x'.repeat(5000)]);
          console.log(
            `[reconnect] ${mode} ${tier}: drop noticed ${Math.round(lostAt - started)} ms after the stop (${close.code} ${close.reason}); ` +
              `server back after ${Math.round(back - started)} ms; open again ${Math.round(reconnected - Math.max(back, lostAt))} ms later ` +
              `after ${retries.length} scheduled attempt(s), ${errors.length} failed negotiation(s)`,
          );
          // Attempts count 1, 2, 3…; the drop scheduled the first, each failed negotiation while down the next.
          retries.forEach((r, i) => assertEqual(r.attempt, i + 1, `reconnecting ${i}.attempt`));
          // The crash took the resumable session with it: the client says so once (a close frame ended it
          // in the other mode, or reached a tier between polls too late: then the report may come too).
          const lost = errors.filter(({ error }) => error.name == 'SessionLostError');
          const failed = errors.filter(({ error }) => error.name != 'SessionLostError');
          if (lost.length > 1 || (mode === 'crash' && lost.length !== 1)) throw new Error(`${lost.length} session-lost reports`);
          if (retries.length < failed.length + 1) throw new Error(`${retries.length} reconnecting events for ${failed.length} failed negotiations`);
          for (const { error } of failed) assertEqual(error.name, 'NegotiationError', 'error while down');
        });
      }
    });
  }

  // A client that has received nothing resumes at 0, which a restarted server takes as asking for a
  // new session (k0): the server had confirmed the client's sends, so it is not the client's session.
  describe('server restarted (crash) after sends were confirmed and nothing received', function () {
    const delivered = (text) => new Promise((resolve) => client.send(text, resolve));
    for (const tier of TIERS) {
      it(`${tier}: reports the session lost once, goes on in a fresh one, and its sends are delivered`, async function () {
        await open(tier, { retry: () => 100, ...(await heardWhenCut('crash', tier)) }, '/sink');
        assertEqual(await delivered('subscribe'), undefined, 'first send: error');
        const errors = record(client, 'error');
        const closes = record(client, 'close');
        const reopened = next(client, 'open', 15000);
        await admin('POST', `/cometkit/${instance.id}/restart?down=300&mode=crash`);
        const again = await reopened;
        assertEqual(again.resumed, false, 'open.resumed');
        assertEqual(await delivered('subscribe again'), undefined, 'send after: error');
        assertEqual(client.state, 'open', 'state');
        const named = errors.map(({ error }) => error.name);
        assertEqual(named.filter((name) => name === 'SessionLostError').length, 1, `session-lost reports (errors: ${named})`);
        assertEqual(closes.filter((c) => !c.willReconnect).length, 0, 'closes for good');
      });
    }
  });

  // Plain polling between two polls when the server restarts: the next poll, a renewal, makes the
  // new server open a plain session under the old id and answer o.
  it('polling: an o on an open connection is a lost session, not one to resume', async function () {
    const first = await open('polling', { retry: () => 100 });
    assertEqual(first.transport, 'polling', 'open.transport');
    await echo(client, ['before']);
    const errors = record(client, 'error');
    const closed = next(client, 'close', 5000);
    const reopened = next(client, 'open', 15000);
    // Plain polls are answered at once: a restart with no pause falls between two of them.
    await admin('POST', `/cometkit/${instance.id}/restart?down=0&mode=crash`);
    const close = await closed;
    const again = await reopened;
    assertEqual(again.resumed, false, 'open.resumed');
    await echo(client, ['after']);
    const named = errors.map(({ error }) => error.name);
    assertEqual(JSON.stringify(named), JSON.stringify(['SessionLostError']), `errors after the restart (close ${close.code} ${close.reason})`);
  });

  describe('offline', function () {
    function goOffline() {
      Object.defineProperty(navigator, 'onLine', { get: () => false, configurable: true });
      let back = false;
      const goOnline = () => {
        if (back) return;
        back = true;
        delete navigator.onLine;
        if (navigator.onLine !== true) throw new Error(`navigator.onLine is ${navigator.onLine} after the restore`);
      };
      restores.push(goOnline);
      if (navigator.onLine !== false) throw new Error('could not override navigator.onLine');
      return goOnline;
    }

    for (const tier of ['websocket', 'xhr-streaming']) {
      it(`${tier}: a connection dropped while offline waits for "online", then reconnects at once`, async function () {
        // 20 ms between attempts: were the client to ignore the offline state, it would be back long before the check.
        const first = await open(tier, { retry: () => 20 });
        assertEqual(first.transport, tier, 'open.transport');
        const goOnline = goOffline();
        const opens = record(client, 'open');
        const moves = record(client, 'transport');
        const errors = record(client, 'error');
        const closed = next(client, 'close', 5000);
        const scheduled = next(client, 'reconnecting', 5000);
        // The server is back before the client even hears it went: only the client's own choice keeps it away.
        await admin('POST', `/cometkit/${instance.id}/restart?down=0`);
        const close = await closed;
        assertEqual(close.willReconnect, true, 'close.willReconnect');
        await scheduled;
        const before = JSON.stringify(client.diagnostics());
        // The one wait for something not to happen: 50 times the retry delay.
        await new Promise((resolve) => setTimeout(resolve, 1000));
        assertEqual(client.state, 'reconnecting', 'state while offline');
        assertEqual(opens.length + moves.length + errors.length, 0, 'open, transport and error events while offline');
        assertEqual(JSON.stringify(client.diagnostics()), before, 'diagnostics while offline (no new negotiation)');

        goOnline();
        const reopened = next(client, 'open', 5000);
        const started = performance.now();
        window.dispatchEvent(new Event('online'));
        // The negotiation starts inside the event: diagnostics() already belongs to the new one.
        assertEqual(client.diagnostics().length, 0, 'attempts right after "online"');
        const again = await reopened;
        console.log(`[reconnect] offline ${tier}: open again ${Math.round(performance.now() - started)} ms after "online"`);
        assertEqual(again.transport, tier, 'reopened on');
        await echo(client, ['back online']);
      });
    }

    for (const tier of TIERS) {
      it(`${tier}: an open connection ends at once on "offline" and resumes on "online", nothing lost`, async function () {
        const first = await open(tier, { retry: () => 20 });
        assertEqual(first.transport, tier, 'open.transport');
        const closes = record(client, 'close');
        const goOnline = goOffline();
        window.dispatchEvent(new Event('offline'));
        // Inside the event, not after the heartbeat wait.
        assertEqual(JSON.stringify(closes), JSON.stringify([{ code: 1006, reason: 'Offline', willReconnect: true }]), 'close events');
        assertEqual(client.state, 'reconnecting', 'state while offline');
        // Sent while offline: they wait in the queue for the resumed session.
        const echoed = echo(client, ['sent offline 1', 'sent offline: ünïcödé ✓', 'sent offline 3']);
        goOnline();
        const reopened = next(client, 'open', 5000);
        window.dispatchEvent(new Event('online'));
        const again = await reopened;
        assertEqual(again.transport, tier, 'reopened on');
        assertEqual(again.resumed, true, 'open.resumed');
        await echoed;
        assertEqual(closes.length, 1, 'close events in all');
      });
    }
  });
});
