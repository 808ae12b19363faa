// The legacy build (dist/cometkit.legacy.min.js) in a sandbox iframe that takes away
// everything an IE 7 page lacks (sandbox.html): JSONP mode against the cometkit server
// and the stock sockjs server, both on another origin than the sandbox (karma's).
// Once with no event listeners at all, once with IE's attachEvent only; then in a page that has
// fetch, as an old page runs in a new browser (the only one of the three WebKit runs).
import { BROWSER, config } from '../browser/support/config.js';
import { admin, untilSessions } from '../browser/support/admin.js';
import { assertEqual, assertSameMessages, echoMessages, until } from '../browser/support/echo.js';
import { assertLost, assertResumedThroughout, flow, waitFor, watch } from '../browser/support/flow.js';
import { GATE_TOKEN } from '../browser/support/gate.js';

const SANDBOX = new URL('./sandbox.html', import.meta.url).pathname;
const TAGS = ['script', 'iframe', 'form'];

/**
 * Opens the sandbox and watches what the build adds to it: script URLs and form actions, in order.
 * `undeletable`: the page refuses to delete the globals JSONP scripts call, as IE 8 does.
 */
async function openSandbox(events, keep = '', undeletable = false) {
  const frame = document.createElement('iframe');
  frame.src = `${SANDBOX}?events=${events}${keep ? `&keep=${keep}` : ''}${undeletable ? '&undeletable=1' : ''}`;
  const loaded = new Promise((resolve) => (frame.onload = resolve));
  document.body.appendChild(frame);
  await loaded;
  const win = frame.contentWindow;
  if (typeof win.cometkit?.createClient !== 'function') {
    throw new Error(`the sandbox has no cometkit.createClient (${win.__sandbox?.errors.join('; ')})`);
  }
  const seen = { scripts: [], forms: [] };
  const observer = new MutationObserver((records) => {
    for (const record of records) {
      for (const node of record.addedNodes) {
        if (node.nodeName === 'SCRIPT') seen.scripts.push(node.src);
        if (node.nodeName === 'FORM') seen.forms.push(node.action);
      }
    }
  });
  observer.observe(win.document.documentElement, { childList: true, subtree: true });
  const baseline = {};
  for (const tag of TAGS) baseline[tag] = win.document.getElementsByTagName(tag).length;
  return { frame, win, seen, observer, baseline, undeletable };
}

/**
 * What the build left in the sandbox: nodes, callback globals, pending timers, IE listeners. Where the
 * page cannot delete globals (IE 8), the callback holder stays, empty.
 */
function leftovers({ win, baseline, undeletable }) {
  const left = [];
  for (const tag of TAGS) {
    const extra = win.document.getElementsByTagName(tag).length - baseline[tag];
    if (extra) left.push(`${extra} <${tag}>`);
  }
  for (const name of Object.keys(win)) {
    if (!name.startsWith('_ck')) continue;
    const held = win[name] && typeof win[name] === 'object' ? Object.keys(win[name]) : [];
    if (undeletable && win[name] && !held.length) continue;
    left.push(`window.${name}${held.length ? ` (holding ${held.join(', ')})` : ''}`);
  }
  const timers = win.__sandbox.timers();
  if (timers) left.push(`${timers} timers`);
  for (const { type } of win.__sandbox.attached()) left.push(`listener ${type}`);
  return left;
}

async function assertClean(sandbox) {
  await until(() => leftovers(sandbox).length === 0, 5000, 'a clean sandbox').catch(() => {
    throw new Error(`left behind: ${leftovers(sandbox).join(', ')}`);
  });
}

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

/**
 * Sends `expected` with a delivery callback each and waits for every echo and every callback: an echo
 * can come back before the post's frame reports its load. Each send must report delivery, in order.
 */
async function echoDelivered(client, expected) {
  const received = [];
  const all = new Promise((resolve) => {
    client.on('message', ({ data }) => {
      received.push(data);
      if (received.length === expected.length) resolve();
    });
  });
  let delivered = 0;
  const failures = [];
  let allDelivered;
  const confirmed = new Promise((resolve) => (allDelivered = resolve));
  const report = (error) => {
    if (error) failures.push(error.message);
    else if (++delivered === expected.length) allDelivered();
  };
  for (const m of expected) client.send(m, report);
  await all;
  assertSameMessages(received, expected);
  await confirmed;
  assertEqual(delivered, expected.length, 'delivery callbacks');
  assertEqual(failures.join(), '', 'failed deliveries');
}

/** The suite's admin endpoint (test/browser/suite.mjs): servers and proxies of a test's own. */

/**
 * Resume through a fault proxy that cuts every request (poll, post, /info) after a seeded random
 * number of bytes in [1000, `max`]: 2,000 messages each way, each echo once and in order, each send
 * confirmed, every reconnection resumed; then closes and checks the sandbox is clean. `made` collects
 * what to delete.
 */
async function resumeThroughCuts(sandbox, made, label, max = 8000) {
  const faults = { cutRandom: { seed: 1204, min: 1000, max } };
  const p = await admin('POST', `/proxy?kind=fault&faults=${encodeURIComponent(JSON.stringify(faults))}`);
  made.push(`/proxy/${p.id}`);
  const COUNT = 2000;
  const client = sandbox.win.cometkit.createClient(`${p.url}/echo`, { retry: () => 0, queueLimit: COUNT });
  const w = watch(client);
  const started = performance.now();
  await flow(client, w, { count: COUNT, window: 200 }).done(30000);
  const { stats } = await admin('GET', `/proxy/${p.id}`);
  console.log(`[resume] legacy (${label}) cutRandom seed 1204 [1000, ${max}]: ${COUNT} echoes in ${Math.round(performance.now() - started)} ms; ${stats.cuts} cuts, ${w.opens.length - 1} reconnections`);
  assertResumedThroughout(w);
  if (stats.cuts < 5) throw new Error(`only ${stats.cuts} cuts: the run proves little`);
  if (w.opens.length < 2) throw new Error('no reconnection');
  client.close();
  await assertClean(sandbox);
  // A cut poll is a script cut short: the page sees its syntax error, muted as the script is from
  // another origin. Anything else would be the build's own error.
  const errors = Array.prototype.filter.call(sandbox.win.__sandbox.errors, (e) => !/^Script error\./.test(e));
  assertEqual(errors.join('\n'), '', 'script errors in the sandbox other than cut polls');
}

/** The `c` parameter of every JSONP script the sandbox saw. */
const callbacks = (seen) => seen.scripts.map((src) => new URL(src).searchParams.get('c'));

/**
 * A stock SockJS server (no resume) behind a fault proxy that swallows the first send: 'a' leaves and
 * is held, 'b' and 'c' wait behind it in the control channel when the connection drops (`offline`).
 * Only 'a' may have arrived: it fails as maybe not delivered; 'b' and 'c' never left, so they go on
 * the fresh session, delivered and echoed. The sandbox needs attachEvent, to hear offline and online.
 * `made` collects what to delete.
 */
async function queuedSendsGoFresh(sandbox, made) {
  const p = await admin('POST', '/proxy?kind=fault&upstream=sockjs');
  made.push(`/proxy/${p.id}`);
  const { win } = sandbox;
  const client = win.cometkit.createClient(`${p.url}/echo`, { retry: () => 0 });
  await opened(client);
  const outcomes = {};
  const done = (text) => (error) => (outcomes[text] = error ? error.message : 'delivered');
  const echoes = [];
  client.on('message', ({ data }) => echoes.push(data));
  await admin('POST', `/proxy/${p.id}/faults`, JSON.stringify({ swallowSends: 1 }));
  client.send('a', done('a'));
  const swallowed = async () => (await admin('GET', `/proxy/${p.id}`)).stats.swallowed;
  for (const started = Date.now(); (await swallowed()) < 1; ) {
    if (Date.now() - started > 5000) throw new Error('the send of a never reached the proxy');
  }
  client.send('b', done('b'));
  client.send('c', done('c'));
  // Sends leave on the client's next timer (0 ms): once this one fires, b and c are queued behind a.
  await new Promise((resolve) => win.setTimeout(resolve, 0));
  const fire = (type) => EventTarget.prototype.dispatchEvent.call(win, new win.Event(type));
  Object.defineProperty(win.navigator, 'onLine', { configurable: true, get: () => false });
  fire('offline');
  assertEqual(client.state, 'reconnecting', 'state while offline');
  delete win.navigator.onLine;
  const back = once(client, 'open');
  fire('online');
  assertEqual(JSON.stringify(await back), JSON.stringify({ transport: 'jsonp', resumed: false }), 'open event on online');
  const settled = () => ['a', 'b', 'c'].map((text) => `${text}: ${outcomes[text]}`).join('; ');
  await until(() => Object.keys(outcomes).length === 3, 10000, 'every delivery callback').catch((error) => {
    throw new Error(`${error.message} (${settled()})`);
  });
  assertEqual(settled(), 'a: cometkit: maybe not delivered: the session ended; b: delivered; c: delivered', 'delivery callbacks');
  await until(() => echoes.length === 2, 5000, 'the echoes of b and c');
  assertEqual(echoes.join('|'), 'b|c', 'echoes');
  assertEqual(await swallowed(), 1, 'sends swallowed by the proxy');
  client.close();
  await assertClean(sandbox);
}

/**
 * A cometkit server at `url` whose maxBodySize is 65536 refuses a longer message 413 (unreadable to a form
 * post or a no-cors fetch) and ends the session with 1009: the message is reported maybe not delivered
 * (never delivered), as the modern build reports it, and the client goes on with a fresh session.
 * Resolves the ms from the send to its delivery callback, which must come `within` ms.
 */
async function overLimitReported(sandbox, url, options, within = 10000) {
  const client = sandbox.win.cometkit.createClient(`${url}/echo`, options);
  await opened(client);
  const w = watch(client);
  await echoDelivered(client, ['before']);
  const sent = performance.now();
  let timer;
  const outcome = await Promise.race([
    new Promise((resolve) => client.send('x'.repeat(65537), (error) => resolve(error ? error.message : 'delivered'))),
    new Promise((resolve) => (timer = setTimeout(resolve, within, `no delivery callback within ${within} ms`))),
  ]);
  clearTimeout(timer);
  const took = performance.now() - sent;
  assertEqual(outcome, 'cometkit: maybe not delivered: the session ended', 'the delivery callback of the message over the limit');
  await echoDelivered(client, ['after']);
  assertEqual(JSON.stringify(w.closes.map((c) => `${c.code} ${c.reason} ${c.willReconnect}`)), '["1009 Message too big true"]', 'close events');
  assertEqual(JSON.stringify(w.opens.map((o) => o.resumed)), '[false]', 'reopened once, on a fresh session');
  client.close();
  await assertClean(sandbox);
  return took;
}

/** The legacy build's send timeout (src/legacy/control.ts), ms. */
const SEND_TIMEOUT = 30000;

/**
 * The same message refused first by a proxy with the server's body limit (413, as nginx past its
 * client_max_body_size): the server never sees it and never ends the session. The client ends it
 * itself, as the server would have, once the send timeout has passed since the refusal, and goes on
 * with a fresh session. `made` collects what to delete.
 */
async function overLimitRefusedByProxy(sandbox, made) {
  const faults = encodeURIComponent(JSON.stringify({ refuseBodiesOver: 65536 }));
  const p = await admin('POST', `/proxy?kind=fault&maxBodySize=65536&faults=${faults}`);
  made.push(`/proxy/${p.id}`);
  const took = await overLimitReported(sandbox, p.url, { retry: () => 0 }, SEND_TIMEOUT + 10000);
  const { stats } = await admin('GET', `/proxy/${p.id}`);
  assertEqual(stats.tooLarge, 1, 'bodies the proxy refused (and the server never saw)');
  // The client told the server of the session it ended (closed since, as is the fresh one): none open.
  await untilSessions(`/proxy/${p.id}`, (sessions) => !sessions.length, 5000, 'server sessions closed');
  if (took < SEND_TIMEOUT || took > SEND_TIMEOUT + 5000) throw new Error(`reported ${Math.round(took)} ms after the send, not within 5 s after the send timeout`);
}

for (const events of ['none', 'attach']) {
  describe(`legacy build, ${events === 'attach' ? 'attachEvent only' : 'no event listeners'}`, function () {
    this.timeout(20000);
    // The sandbox plays IE by taking fetch away. Every WebKit has had fetch since Safari 10.1 (2017), so
    // that page exists in no WebKit: there the build is tested in a page with fetch (below), as an old
    // page opened in Safari runs it. (WebKit without fetch would share Firefox's silence on a cut form
    // post, and the 30 s send timeout that costs.)
    before(function () {
      if (BROWSER !== 'WebKit') return;
      console.log(`[legacy] skipped in WebKit (no WebKit lacks fetch): ${this.test.parent.fullTitle()}`);
      this.skip();
    });
    let sandbox;
    // Servers and proxies of a test's own, deleted after it.
    let made = [];
    beforeEach(async () => (sandbox = await openSandbox(events)));
    afterEach(async () => {
      // Removing the frame also ends whatever the build may still hold open.
      sandbox?.observer.disconnect();
      sandbox?.frame.remove();
      sandbox = null;
      await Promise.all(made.map((path) => admin('DELETE', path).catch(() => {})));
      made = [];
    });

    it('runs in a frame without anything an IE 7 page lacks', function () {
      const { win } = sandbox;
      // Like many intranet pages, the sandbox is not UTF-8: messages survive anyway (see the echo tests).
      assertEqual(win.document.characterSet, 'windows-1252', 'the sandbox page charset');
      for (const name of ['WebSocket', 'EventSource', 'fetch', 'Promise', 'Map', 'Set', 'JSON', 'postMessage', 'XMLHttpRequest']) {
        assertEqual(typeof win[name], 'undefined', name);
      }
      for (const name of ['map', 'filter', 'forEach', 'indexOf', 'every', 'some', 'reduce']) {
        assertEqual(typeof win.Array.prototype[name], 'undefined', `Array.prototype.${name}`);
      }
      for (const name of ['keys', 'create', 'defineProperty']) assertEqual(typeof win.Object[name], 'undefined', `Object.${name}`);
      assertEqual(typeof win.Function.prototype.bind, 'undefined', 'Function.prototype.bind');
      assertEqual(typeof win.Date.now, 'undefined', 'Date.now');
      assertEqual(typeof win.String.prototype.trim, 'undefined', 'String.prototype.trim');
      assertEqual(typeof win.navigator.sendBeacon, 'undefined', 'navigator.sendBeacon');
      for (const [what, target] of [['window', win], ['document', win.document], ['an element', win.document.createElement('div')]]) {
        assertEqual(typeof target.addEventListener, 'undefined', `addEventListener on ${what}`);
        assertEqual(typeof target.removeEventListener, 'undefined', `removeEventListener on ${what}`);
        assertEqual(typeof target.attachEvent, events === 'attach' ? 'function' : 'undefined', `attachEvent on ${what}`);
        if (events === 'attach') assertEqual(typeof target.attachEvent.call, 'undefined', `attachEvent.call on ${what}`);
      }
      // IE 8's DOM methods are host objects without call/apply.
      assertEqual(typeof win.document.createElement.call, 'undefined', 'document.createElement.call');
      assertEqual(typeof win.setTimeout.apply, 'undefined', 'setTimeout.apply');
    });

    for (const server of ['cometkit', 'sockjs']) {
      describe(`${server} server`, function () {
        const base = () => config().servers[server].cross;

        it('opens in JSONP mode, echoes 200 messages in order (non-ASCII included), closes and leaves nothing behind', async function () {
          const { win, seen } = sandbox;
          const client = win.cometkit.createClient(`${base()}/echo`);
          assertEqual(client.state, 'connecting', 'state before open');
          const open = await opened(client);
          assertEqual(open.transport, 'jsonp', 'open.transport');
          assertEqual(client.transport, 'jsonp', 'client.transport');
          assertEqual(client.state, 'open', 'client.state');
          const [attempt] = client.diagnostics();
          assertEqual(`${attempt.transport} ${attempt.outcome}`, 'jsonp open', 'diagnostics');
          if (events === 'attach') {
            const types = Array.from(win.__sandbox.attached(), (a) => a.type);
            for (const type of ['ononline', 'onpageshow', 'onvisibilitychange']) {
              if (!types.includes(type)) throw new Error(`no ${type} listener: ${types.join(', ')}`);
            }
          }

          await echoDelivered(client, echoMessages());

          const closed = once(client, 'close');
          client.close();
          const event = await closed;
          assertEqual(event.code, 1000, 'close code');
          assertEqual(event.reason, 'Normal closure', 'close reason');
          assertEqual(event.willReconnect, false, 'willReconnect');
          assertEqual(client.state, 'closed', 'state');
          assertEqual(client.transport, null, 'transport');
          await assertClean(sandbox);

          // The /info probe first (JSONP form), then the polls; a fresh callback name each time.
          const names = callbacks(seen);
          if (!/\/echo\/info\?c=_ck/.test(seen.scripts[0])) throw new Error(`first script: ${seen.scripts[0]}`);
          // Resume (PROTOCOL.md): the first poll says pos=0; a cometkit server makes the session resumable,
          // and each renewal then says what arrived (ack); a stock server ignores pos, and nothing follows.
          const polls = seen.scripts.slice(1);
          const renewal = server === 'cometkit' ? /\/jsonp\?ack=\d+&c=_ck/ : /\/jsonp\?c=_ck/;
          if (!/\/echo\/\d{3}\/[a-z0-9]{8}\/jsonp\?pos=0&c=_ck/.test(polls[0]) || !polls.slice(1).every((src) => renewal.test(src))) {
            throw new Error(`polls: ${seen.scripts.join(' ')}`);
          }
          assertEqual(new Set(names).size, names.length, 'distinct callback names');
          // Sends to a resumable session say what arrived and number their batch.
          const send = server === 'cometkit' ? /\/jsonp_send\?pos=\d+&seq=\d+$/ : /\/jsonp_send$/;
          if (!seen.forms.length || !seen.forms.every((a, i) => (i === seen.forms.length - 1 && server === 'cometkit' ? /\/close$/ : send).test(a))) {
            throw new Error(`forms: ${seen.forms.join(' ')}`);
          }
          // close() tells a cometkit server at once, by form post (the sandbox has no sendBeacon).
          if (server === 'cometkit') assertEqual(seen.forms.at(-1).endsWith('/close'), true, 'a /close form post last');
          assertEqual(win.__sandbox.errors.join('\n'), '', 'script errors in the sandbox');
        });

        if (events === 'none') {
          it('leaves one global, the empty callback holder, after a hundred polls where the page cannot delete globals (IE 8)', async function () {
            sandbox.observer.disconnect();
            sandbox.frame.remove();
            sandbox = await openSandbox(events, '', true);
            const { win, seen } = sandbox;
            const client = win.cometkit.createClient(`${base()}/echo`);
            await opened(client);
            // One at a time: each echo ends a poll, and the next poll is a request of its own.
            for (let i = 0; i < 100; i++) await echoDelivered(client, [`m${i}`]);
            client.close();
            await assertClean(sandbox);
            const names = callbacks(seen);
            if (names.length < 100) throw new Error(`only ${names.length} JSONP requests`);
            assertEqual(new Set(names).size, names.length, 'distinct callback names');
            const kept = Object.keys(win).filter((name) => name.startsWith('_ck'));
            // The holder the page could not delete: the test has made its point only if it is there.
            assertEqual(JSON.stringify(kept), JSON.stringify([names[0].split('.')[0]]), 'window globals');
          });
        }

        it("carries the URL's own query on every script and form post past a gate that refuses any without it", async function () {
          const { win, seen } = sandbox;
          const query = `token=${encodeURIComponent(GATE_TOKEN)}&run=${Math.random().toString(36).slice(2, 10)}`;
          const client = win.cometkit.createClient(`${base()}/token_echo?${query}#not-sent`);
          await opened(client);
          await echoDelivered(client, ['one', 'zwei ż', 'три']);
          client.close();
          await assertClean(sandbox);
          const urls = seen.scripts.concat(seen.forms);
          for (const url of urls) if (!url.includes(query) || url.includes('not-sent')) throw new Error(`a request without the query as given: ${url}`);
          if (!/\/token_echo\/info\?token=/.test(seen.scripts[0])) throw new Error(`first script: ${seen.scripts[0]}`);
          if (!seen.forms.some((url) => /\/jsonp_send\?token=/.test(url))) throw new Error(`forms: ${seen.forms.join(' ')}`);
          if (server === 'cometkit' && !/\/close\?token=/.test(seen.forms.at(-1))) throw new Error(`last form: ${seen.forms.at(-1)}`);
          const log = await (await fetch(`${base()}/gate/log`, { cache: 'no-store' })).json();
          assertEqual(JSON.stringify(log.refused), '[]', 'requests the gate refused');
        });

        it('fails the delivery callbacks of sends the client closed before sending', async function () {
          const client = sandbox.win.cometkit.createClient(`${base()}/echo`);
          const outcomes = [];
          for (const m of ['a', 'b', 'c']) client.send(m, (error) => outcomes.push(error ? error.message : 'delivered'));
          client.close();
          assertEqual(outcomes.join('|'), Array(3).fill('cometkit: not delivered: closed').join('|'), 'callbacks');
          await assertClean(sandbox);
        });

        it("throws the modern build's TypeError on close() with a bad code or reason, and stays open", async function () {
          const client = sandbox.win.cometkit.createClient(`${base()}/echo`);
          await opened(client);
          const BAD = 'cometkit: close() takes a code of 1000 or 3000\u20134999 and a reason of up to 123 characters';
          for (const args of [[1001], [2999], [5000], [NaN], [3000.5], [Infinity], ['1000'], ['3000'], [1000, 'x'.repeat(124)], [1000, 42]]) {
            let thrown = null;
            try {
              client.close(...args);
            } catch (error) {
              thrown = `${error.name}: ${error.message}`;
            }
            assertEqual(thrown, `TypeError: ${BAD}`, `close(${args.map((a) => JSON.stringify(a) ?? String(a)).join(', ')})`);
          }
          assertEqual(client.state, 'open', 'state');
          await echoDelivered(client, ['still open']);
          client.close();
          await assertClean(sandbox);
        });

        it('bounds the send queue by count and by UTF-8 bytes with the modern message, and frees it as sends arrive', async function () {
          const client = sandbox.win.cometkit.createClient(`${base()}/echo`, { queueLimit: 3, queueBytes: 12 });
          const refused = (text, message) => {
            let thrown = null;
            try {
              client.send(text);
            } catch (error) {
              thrown = error.message;
            }
            assertEqual(thrown, message, `send(${JSON.stringify(text)})`);
          };
          const delivered = [];
          const confirm = (text) => (error) => delivered.push(error ? error.message : text);
          // Queued while connecting: 'zażółć' is 10 bytes in UTF-8.
          client.send('zażółć', confirm('zażółć'));
          client.send('a', confirm('a'));
          refused('bc', 'cometkit: send queue full (2 messages, 11 bytes unconfirmed)');
          client.send('b', confirm('b'));
          refused('', 'cometkit: send queue full (3 messages, 12 bytes unconfirmed)');
          // Nothing refused is lost or reordered: the three arrive and come back in order.
          const echoes = [];
          const back = new Promise((resolve) => client.on('message', ({ data }) => echoes.push(data) === 4 && resolve()));
          await until(() => delivered.length === 3, 10000, 'the three sends confirmed');
          assertEqual(delivered.join('|'), 'zażółć|a|b', 'delivery callbacks');
          // Confirmed sends leave the queue: there is room again.
          client.send('after');
          await back;
          assertEqual(echoes.join('|'), 'zażółć|a|b|after', 'echoes');
          client.close();
          await assertClean(sandbox);
        });

        if (server === 'cometkit' && events === 'attach') {
          // Into the back-forward cache (an old page in a new browser) the page may come back with this
          // client: the session is kept, not ended by a /close post, and resumed when the page is shown
          // again. Ended, the restored client resumed a session closed with 1000, for good. A page that
          // really goes still ends its session at once.
          it('keeps its session when the page goes into the back-forward cache, resumes it when shown again, and ends it on a real leave', async function () {
            const { win, seen } = sandbox;
            const client = win.cometkit.createClient(`${base()}/echo`);
            await opened(client);
            await echoDelivered(client, ['before']);
            const fire = (type, persisted) => EventTarget.prototype.dispatchEvent.call(win, new PageTransitionEvent(type, { persisted }));
            const hidden = once(client, 'close');
            fire('pagehide', true);
            assertEqual(JSON.stringify(await hidden), JSON.stringify({ code: 1001, reason: 'Page hidden', willReconnect: true }), 'close event');
            assertEqual(seen.forms.filter((action) => /\/close(\?|$)/.test(action)).length, 0, '/close posts after pagehide into the cache');
            const back = once(client, 'open');
            fire('pageshow', true);
            assertEqual(JSON.stringify(await back), JSON.stringify({ transport: 'jsonp', resumed: true }), 'open event once shown again');
            await echoDelivered(client, ['after']);
            const left = once(client, 'close');
            fire('pagehide', false);
            await left;
            assertEqual(seen.forms.filter((action) => /\/close(\?|$)/.test(action)).length, 1, '/close posts after a real leave');
            client.close();
            await assertClean(sandbox);
          });

          // Between connections (offline here) the client has none to tell the server by: a resumable
          // session it leaves is told by a /close post of its own, or it waited out its grace (30 s).
          for (const how of ['close()', 'pagehide']) {
            it(`tells the server at once when left while reconnecting (${how})`, async function () {
              const { win, seen } = sandbox;
              const client = win.cometkit.createClient(`${base()}/echo`, { retry: () => 60000 });
              await opened(client);
              await echoDelivered(client, ['before']);
              const fire = (event) => EventTarget.prototype.dispatchEvent.call(win, event);
              fire(new win.Event('offline'));
              assertEqual(client.state, 'reconnecting', 'state while offline');
              const closes = () => seen.forms.filter((action) => /\/close(\?|$)/.test(action));
              // (The sandbox records forms by a MutationObserver, a microtask after they are added.)
              await null;
              assertEqual(closes().length, 0, '/close posts while reconnecting');
              if (how === 'close()') client.close();
              else fire(new PageTransitionEvent('pagehide', { persisted: false }));
              await until(() => closes().length > 0, 2000, `a /close post after ${how}`);
              assertEqual(closes().length, 1, `/close posts after ${how}`);
              if (!/\/echo\/\d+\/\w+\/close/.test(closes()[0])) throw new Error(`not the session's /close: ${closes()[0]}`);
              client.close();
              await assertClean(sandbox);
            });
          }

          // Gone offline, the connection is dead or about to be: the client ends it inside the event (not
          // after the heartbeat wait), waits, and resumes on `online` with what was sent meanwhile.
          it('ends an open connection at once on offline and resumes it on online, nothing lost', async function () {
            const { win } = sandbox;
            const client = win.cometkit.createClient(`${base()}/echo`, { retry: () => 20 });
            await opened(client);
            const closes = [];
            client.on('close', (event) => closes.push(event));
            const fire = (type) => EventTarget.prototype.dispatchEvent.call(win, new win.Event(type));
            Object.defineProperty(win.navigator, 'onLine', { configurable: true, get: () => false });
            fire('offline');
            assertEqual(JSON.stringify(closes), JSON.stringify([{ code: 1006, reason: 'Offline', willReconnect: true }]), 'close events');
            assertEqual(client.state, 'reconnecting', 'state while offline');
            const echoed = echoDelivered(client, ['sent offline', 'zażółć']);
            delete win.navigator.onLine;
            const back = once(client, 'open');
            fire('online');
            assertEqual(JSON.stringify(await back), JSON.stringify({ transport: 'jsonp', resumed: true }), 'open event on online');
            await echoed;
            assertEqual(closes.length, 1, 'close events in all');
            client.close();
            await assertClean(sandbox);
            // The poll given up at `offline` is answered once the resume takes the session over: it
            // found its callback still there (a no-op), not a script error.
            assertEqual(Array.prototype.join.call(win.__sandbox.errors, '\n'), '', 'script errors in the page');
          });

          // IE 8 fires online/offline on document.body alone; a page that makes its client in <head>, before
          // the body exists, must still hear them once loaded, or a client dropped offline waits for good.
          it('made in <head> (no body yet), hears online and offline on the body once the page has loaded', async function () {
            const { win } = sandbox;
            const doc = win.document;
            Object.defineProperty(doc, 'body', { configurable: true, get: () => null });
            Object.defineProperty(doc, 'readyState', { configurable: true, get: () => 'loading' });
            let client;
            try {
              client = win.cometkit.createClient(`${base()}/echo`, { retry: () => 20 });
            } finally {
              delete doc.body;
              delete doc.readyState;
            }
            assertEqual(client.state, 'connecting', 'state before load');
            const first = opened(client);
            EventTarget.prototype.dispatchEvent.call(win, new win.Event('load'));
            await first;
            const onBody = (type) => EventTarget.prototype.dispatchEvent.call(doc.body, new win.Event(type));
            const closes = [];
            client.on('close', (event) => closes.push(event));
            Object.defineProperty(win.navigator, 'onLine', { configurable: true, get: () => false });
            onBody('offline');
            assertEqual(JSON.stringify(closes), JSON.stringify([{ code: 1006, reason: 'Offline', willReconnect: true }]), 'close events');
            delete win.navigator.onLine;
            const back = once(client, 'open');
            onBody('online');
            assertEqual(JSON.stringify(await back), JSON.stringify({ transport: 'jsonp', resumed: true }), 'open event on online');
            await echoDelivered(client, ['after online on the body']);
            client.close();
            await assertClean(sandbox);
          });

          /** Calls `fn` inside the task that adds the next long-poll script matching `pattern` to the sandbox. */
          const onPoll = (win, pattern, fn) => {
            const observer = new win.MutationObserver((records) => {
              for (const record of records) {
                for (const node of record.addedNodes) {
                  if (node.nodeName === 'SCRIPT' && pattern.test(node.src)) {
                    observer.disconnect();
                    return fn();
                  }
                }
              }
            });
            observer.observe(win.document.documentElement, { childList: true, subtree: true });
          };
          const polls = (seen) => seen.scripts.filter((src) => /\/jsonp\?/.test(src)).length;

          it('ends the connection a negotiation waits on when closed: no poll after close(), nothing left', async function () {
            const { win, seen } = sandbox;
            const client = win.cometkit.createClient(`${base()}/echo`);
            const closed = new Promise((resolve) => onPoll(win, /\/jsonp\?/, () => resolve(client.close())));
            await closed;
            const after = polls(seen);
            assertEqual(client.state, 'closed', 'state');
            // Well past the first poll's answer (loopback), after which a poll left running would poll again.
            await new Promise((resolve) => setTimeout(resolve, 500));
            assertEqual(polls(seen), after, 'long-polls started after close()');
            await assertClean(sandbox);
            assertEqual(Array.prototype.join.call(win.__sandbox.errors, '\n'), '', 'script errors in the page');
          });

          it('ends the connection a reconnection waits on when online starts another: one poll at a time, nothing lost', async function () {
            const { win, seen } = sandbox;
            const client = win.cometkit.createClient(`${base()}/echo`, { retry: () => 20 });
            const w = watch(client);
            await opened(client);
            const fire = (type) => EventTarget.prototype.dispatchEvent.call(win, new win.Event(type));
            // The reconnection's first poll (a resume, pos=…) is out when `online` starts a negotiation anew.
            onPoll(win, /\/jsonp\?.*pos=/, () => fire('online'));
            fire('offline');
            await waitFor(client, w, () => w.opens.length >= 2, 5000, 'the resume');
            const before = polls(seen);
            await new Promise((resolve) => setTimeout(resolve, 1000));
            // Held polls: one, perhaps two, in a second; a poll loop left from the first negotiation
            // would meet the session taken (2010) and poll again at once, hundreds of times.
            const extra = polls(seen) - before;
            if (extra > 5) throw new Error(`${extra} long-polls in a second once open`);
            await echoDelivered(client, ['after the second negotiation']);
            assertEqual(client.state, 'open', 'state');
            client.close();
            await assertClean(sandbox);
            assertEqual(Array.prototype.join.call(win.__sandbox.errors, '\n'), '', 'script errors in the page');
          });
        }

        it('sees a server-initiated close with its code and reason, and leaves nothing behind', async function () {
          const client = sandbox.win.cometkit.createClient(`${base()}/close`);
          const event = await once(client, 'close');
          assertEqual(event.code, 3000, 'close code');
          assertEqual(event.reason, 'Go away!', 'close reason');
          assertEqual(event.willReconnect, false, 'willReconnect');
          assertEqual(client.state, 'closed', 'state');
          await assertClean(sandbox);
          assertEqual(sandbox.win.__sandbox.errors.join('\n'), '', 'script errors in the sandbox');
        });
      });
    }

    if (events === 'attach') {
      describe('stock SockJS server behind a fault proxy (no resume)', function () {
        it('sends on the fresh session what waited behind a held form post when the connection dropped: only the post out is maybe not delivered', async function () {
          await queuedSendsGoFresh(sandbox, made);
          if (!sandbox.seen.forms.some((action) => new URL(action).pathname.endsWith('/jsonp_send'))) throw new Error('no jsonp_send form post');
        });
      });
    }

    describe('resume against a cometkit server (PROTOCOL.md, "Resume")', function () {
      it('through a proxy that cuts every connection at random: 2,000 messages each way, each echo once and in order, each send confirmed, every reconnection resumed', async function () {
        // Chromium only. Here the legacy build sends by form posts into hidden iframes (no fetch, as in
        // IE), and Firefox fires no event at all for a cut form post: each cut post there costs the 30 s
        // send timeout before the client reconnects and resends, too long for a test with a dozen cuts.
        // In Chromium a cut post's error page loads, and the answer's frame count tells it from a real
        // one. The same run in a page with fetch (below) runs in both browsers.
        if (navigator.userAgent.includes('Firefox')) this.skip();
        this.timeout(40000);
        await resumeThroughCuts(sandbox, made, events);
        if (!sandbox.seen.forms.some((action) => new URL(action).pathname.endsWith('/jsonp_send'))) throw new Error('no jsonp_send form post');
      });

      it("hears a form post whose answer is cut short at once, not after the send timeout: the session resumes, the echo arrives once, the send is confirmed", async function () {
        // Chromium only: Firefox fires no event for a cut form post (above). A cometkit server's answer
        // to a counted post is chunked: cut short of a Content-Length, it fired no load event in Chromium,
        // and the client waited out its 30 s send timeout (found by a soak run: cutRandom seed 2204).
        if (BROWSER !== 'Chromium') this.skip();
        const text = '/'.repeat(600);
        // Every connection is cut 16 bytes into the answer of the post (its form-encoded body, '/' as
        // %2F, passes whole), before the answer's child frame; polls, whose answers are shorter, pass.
        const cut = new URLSearchParams({ d: JSON.stringify([text]) }).toString().length + 16;
        const p = await admin('POST', '/proxy?kind=fault');
        made.push(`/proxy/${p.id}`);
        const client = sandbox.win.cometkit.createClient(`${p.url}/echo`, { retry: () => 0 });
        const w = watch(client);
        const echoes = [];
        client.on('message', ({ data }) => echoes.push(data));
        await waitFor(client, w, () => w.opens.length > 0, 5000, 'open');
        await admin('POST', `/proxy/${p.id}/faults`, JSON.stringify({ cutRandom: { seed: 1, min: cut, max: cut } }));
        let result = null;
        client.send(text, (error) => (result = error ?? 'ok'));
        await waitFor(client, w, () => result && echoes.length > 0 && w.opens.length > 1, 10000, 'the callback, the echo and the resume');
        await new Promise((resolve) => setTimeout(resolve, 300));
        const { stats } = await admin('GET', `/proxy/${p.id}`);
        assertEqual(stats.cuts, 1, 'cuts');
        assertEqual(`${w.closes[0].code} ${w.closes[0].reason}`, '1006 send failed: cut short', 'the close');
        assertEqual(w.opens[1].resumed, true, 'the second open.resumed');
        assertEqual(result, 'ok', 'the callback');
        assertEqual(echoes.length === 1 && echoes[0] === text, true, 'the echo, once');
        client.close();
        await assertClean(sandbox);
      });

      it('hears a message longer in coming than the liveness wait (a slow link): the echo arrives once, on the resumed session', async function () {
        // The server's 500 ms heartbeat + heartbeatTimeout 500 ms: 1 s of silence drops a connection.
        // Paced at 64 KiB/s, the 96 KiB echo takes ~1.5 s; each silent drop doubles the next wait, so
        // the second poll hears it. With a fixed wait it would be cut, and resent, for ever.
        const p = await admin('POST', '/proxy?kind=fault&heartbeat=500');
        made.push(`/proxy/${p.id}`);
        const client = sandbox.win.cometkit.createClient(`${p.url}/echo`, { heartbeatTimeout: 500, reconnectDelay: 50 });
        const w = watch(client);
        const echoes = [];
        client.on('message', ({ data }) => echoes.push(data));
        await waitFor(client, w, () => w.opens.length > 0, 5000, 'open');
        await admin('POST', `/proxy/${p.id}/faults`, JSON.stringify({ rate: 65536 }));
        const long = new Array(96 * 1024 + 1).join('x');
        client.send(long);
        await waitFor(client, w, () => echoes.length >= 1, 12000, 'the long echo');
        await admin('POST', `/proxy/${p.id}/faults`, JSON.stringify({ rate: 0 }));
        client.send('after');
        await waitFor(client, w, () => echoes.length >= 2, 5000, 'the echo after');
        assertEqual(echoes.length, 2, 'echoes');
        assertEqual(echoes[0] === long && echoes[1] === 'after', true, 'the long echo whole, once, then the one after');
        const silent = w.closes.filter((c) => /^(No heartbeat for|poll failed: timed out after) \d+ ms$/.test(c.reason));
        if (silent.length < 1) throw new Error(`no silent drop: the link was not slow enough to test anything (${JSON.stringify(w.closes)})`);
        assertEqual(w.opens[w.opens.length - 1].resumed, true, 'the last open resumed the session');
        console.log(`[resume] legacy (${events}) slow link (64 KiB/s): 96 KiB echo after ${silent.length} silent drop(s): ${silent.map((c) => c.reason).join('; ')}`);
        client.close();
        await assertClean(sandbox);
      });

      it('after a server restart (the session gone): one SessionLostError, then a fresh session that works', async function () {
        const instance = await admin('POST', '/cometkit');
        made.push(`/cometkit/${instance.id}`);
        const client = sandbox.win.cometkit.createClient(`${instance.url}/echo`, { reconnectDelay: 100 });
        const w = watch(client);
        await flow(client, w, { label: 'before', count: 20 }).done(10000);
        await admin('POST', `/cometkit/${instance.id}/restart?down=300&mode=crash`);
        await waitFor(client, w, () => w.opens.length >= 2, 15000, 'the reconnection');
        assertLost(w, 1, 'server restart');
        assertEqual(w.opens[1].resumed, false, 'the second open.resumed');
        await flow(client, w, { label: 'after', count: 20 }).done(10000);
        client.close();
        await assertClean(sandbox);
      });
    });

    describe('cometkit server that restarts', function () {
      let instance;
      beforeEach(async () => (instance = await admin('POST', '/cometkit')));
      afterEach(async () => {
        if (instance) await admin('DELETE', `/cometkit/${instance.id}`);
        instance = null;
      });

      it('reconnects with backoff after the server dies, echoes again, and leaves nothing behind', async function () {
        // Bounded waits that name the step and the client's events, not mocha's bare timeout: this
        // failed once in a full run (Firefox, attachEvent only) without saying where.
        this.timeout(30000);
        const client = sandbox.win.cometkit.createClient(`${instance.url}/echo`, { reconnectDelay: 100 });
        const w = watch(client);
        await opened(client);
        const scheduled = once(client, 'reconnecting');
        const restart = performance.now();
        await admin('POST', `/cometkit/${instance.id}/restart?down=300&mode=crash`);
        const back = `the server back ${Math.round(performance.now() - restart)} ms after the restart began`;
        await waitFor(client, w, () => w.closes.length >= 1, 10000, `the drop (${back})`);
        const [drop] = w.closes;
        assertEqual(drop.code, 1006, 'close code');
        assertEqual(drop.willReconnect, true, 'willReconnect');
        assertEqual((await scheduled).attempt, 1, 'reconnecting.attempt');
        await waitFor(client, w, () => w.opens.length >= 2, 15000, `the reconnection (${back}; ${w.retries} attempts)`);
        assertEqual(client.state, 'open', 'state');
        const echoed = once(client, 'message');
        client.send('after the restart: żółć');
        assertEqual((await echoed).data, 'after the restart: żółć', 'echo');
        client.close();
        await assertClean(sandbox);
      });

      for (const on of ['reconnecting', 'error']) {
        it(`stays closed when ${on == 'error' ? 'an error handler closes it on the SessionLostError' : 'a reconnecting handler closes it'} after a server restart, leaving nothing behind`, async function () {
          this.timeout(30000);
          // (A reconnection a minute away, where a reconnecting handler closes: a timer left for it would show.)
          const options = on == 'error' ? { reconnectDelay: 100 } : { retry: () => 60000 };
          const client = sandbox.win.cometkit.createClient(`${instance.url}/echo`, options);
          const w = watch(client);
          await opened(client);
          let handled = false;
          client.on(on, () => {
            handled = true;
            client.close();
          });
          await admin('POST', `/cometkit/${instance.id}/restart?down=300&mode=crash`);
          await waitFor(client, w, () => handled, 15000, `the ${on} event`);
          assertEqual(client.state, 'closed', 'state once closed');
          const opens = w.opens.length;
          // Past the reconnection delay: a negotiation left scheduled would be under way, or done.
          await new Promise((resolve) => setTimeout(resolve, 500));
          assertEqual(client.state, 'closed', 'state 500 ms later');
          assertEqual(w.opens.length, opens, 'opens after close()');
          await assertClean(sandbox);
        });
      }

      // A held poll is answered at each of the server's heartbeats: one that takes longer than the
      // liveness wait is lost, and one within it is not. It waited a fixed 10 s past the heartbeat, so a
      // heartbeatTimeout above 10 s (a slow link) was cut short by the poll's own timeout.
      it('gives a held poll the liveness wait: the heartbeat and heartbeatTimeout', async function () {
        const client = sandbox.win.cometkit.createClient(`${instance.url}/echo`, { heartbeatTimeout: 60000 });
        await opened(client);
        await echoDelivered(client, ['a poll or two']);
        const wait = 25000 + 60000;
        const asked = Array.prototype.slice.call(sandbox.win.__sandbox.asked());
        assertEqual(asked.filter((ms) => ms === 35000).length, 0, 'timers of the heartbeat and 10 s');
        if (asked.filter((ms) => ms === wait).length < 3) throw new Error(`fewer than 3 timers of ${wait} ms (the watchdog and the polls): ${asked.join()}`);
        client.close();
        await assertClean(sandbox);
      });

      it('holds a retry delay beyond what a timer holds instead of reconnecting at once', async function () {
        const client = sandbox.win.cometkit.createClient(`${instance.url}/echo`, { retry: () => Infinity, heartbeatTimeout: 2147483647 });
        await opened(client);
        const scheduled = once(client, 'reconnecting');
        await admin('POST', `/cometkit/${instance.id}/restart?down=300&mode=crash`);
        const { attempt, delay } = await scheduled;
        assertEqual(attempt, 1, 'reconnecting.attempt');
        assertEqual(delay, Infinity, 'the delay retry gave');
        assertEqual(sandbox.win.__sandbox.longest(), 2147483647, 'the longest timer asked for');
        assertEqual(client.state, 'reconnecting', 'state');
        client.close();
        await assertClean(sandbox);
      });
    });

    describe('cometkit server with a body limit (maxBodySize 65536)', function () {
      let instance;
      before(async () => (instance = await admin('POST', '/cometkit?maxBodySize=65536')));
      after(async () => {
        if (instance) await admin('DELETE', `/cometkit/${instance.id}`);
      });

      it('sends a backlog several times the limit in posts within it: every message once, in order, confirmed', async function () {
        // About 2 KB each once JSON-encoded, more in a form post: quotes, backslashes, control characters.
        const messages = Array.from({ length: 100 }, (_, i) => `${i} "${'\\"'.repeat(200)}" ${'\u0001'.repeat(100)} ${'ż'.repeat(300)}`);
        const encoded = encodeURIComponent(JSON.stringify(messages)).length;
        if (encoded < 4 * 65536) throw new Error(`the backlog is only ${encoded} bytes in a form post`);
        const client = sandbox.win.cometkit.createClient(`${instance.url}/echo`);
        await opened(client);
        const closes = [];
        client.on('close', (event) => closes.push(event));
        await echoDelivered(client, messages);
        assertEqual(JSON.stringify(closes), '[]', 'connections lost on the way');
        client.close();
        await assertClean(sandbox);
      });

      for (const resume of [true, false]) {
        // Without resume the form post's answer is not counted (a stock server's `ok` has no frame): that
        // post was reported delivered.
        it(`reports a message over the limit as maybe not delivered (the server ends the session) and goes on with a fresh session${resume ? '' : ', without resume'}`, async function () {
          await overLimitReported(sandbox, instance.url, { resume });
        });
      }

      if (events === 'none') {
        // Once, by form post (the page with fetch has its own): it waits out the 30 s send timeout.
        it('ends the session itself when a proxy refuses a message over the limit before the server sees it, and goes on with a fresh session', async function () {
          this.timeout(SEND_TIMEOUT + 20000);
          await overLimitRefusedByProxy(sandbox, made);
        });
      }
    });

    describe("cometkit server that checks origins (the server's origins option)", function () {
      const made = [];
      afterEach(async () => {
        await Promise.all(made.splice(0).map((instance) => admin('DELETE', `/cometkit/${instance.id}`)));
      });
      const serve = async (origin) => {
        const instance = await admin('POST', `/cometkit?origins=${encodeURIComponent(origin)}`);
        made.push(instance);
        return instance;
      };

      it('works from a page on a listed origin (scripts and form posts name it), and leaves nothing behind', async function () {
        const instance = await serve(location.origin);
        const client = sandbox.win.cometkit.createClient(`${instance.url}/echo`);
        assertEqual((await opened(client)).transport, 'jsonp', 'open.transport');
        await echoDelivered(client, ['one', 'zwei ż', 'три']);
        client.close();
        await assertClean(sandbox);
      });

      it('gets nowhere from a page on another origin, and opens no session', async function () {
        const instance = await serve('https://elsewhere.example');
        const client = sandbox.win.cometkit.createClient(`${instance.url}/echo`, { reconnect: false });
        const { error } = await once(client, 'error');
        assertEqual(error.name, 'NegotiationError', 'error.name');
        assertEqual(client.state, 'closed', 'state');
        const { sessions } = await admin('GET', `/cometkit/${instance.id}/sessions`);
        assertEqual(JSON.stringify(sessions), '[]', 'sessions on the server');
        await assertClean(sandbox);
      });
    });
  });
}

// An old page in a new browser: the build sends by fetch (no-cors) where the page has it, and a cut
// request then fails at once, in Firefox too.
describe('legacy build in a page that has fetch', function () {
  this.timeout(40000);
  let sandbox;
  let made = [];
  beforeEach(async () => (sandbox = await openSandbox('none', 'fetch')));
  afterEach(async () => {
    sandbox?.observer.disconnect();
    sandbox?.frame.remove();
    sandbox = null;
    await Promise.all(made.map((path) => admin('DELETE', path).catch(() => {})));
    made = [];
  });

  // The last: a stock server that takes a jsonp_send only as exactly text/plain or a form, as Vert.x does.
  for (const [server, service] of [
    ['cometkit', '/echo'],
    ['sockjs', '/echo'],
    ['sockjs', '/strict_echo'],
  ]) {
    const label = service === '/echo' ? `${server} server` : `${server} server taking sends only as text/plain or a form (as Vert.x)`;
    it(`${label}: opens in JSONP mode, echoes 200 messages with delivery callbacks, closes and leaves nothing behind`, async function () {
      const { win } = sandbox;
      const client = win.cometkit.createClient(`${config().servers[server].cross}${service}`);
      assertEqual((await opened(client)).transport, 'jsonp', 'open.transport');
      await echoDelivered(client, echoMessages());
      const closed = once(client, 'close');
      client.close();
      const event = await closed;
      assertEqual(`${event.code} ${event.reason} ${event.willReconnect}`, '1000 Normal closure false', 'the close');
      await assertClean(sandbox);
      const posts = sandbox.seen.forms.filter((action) => new URL(action).pathname.endsWith('/jsonp_send'));
      assertEqual(posts.length, 0, 'jsonp_send form posts');
      // A stock server answers the /info probe (a script) with plain JSON: WebKit runs it and reports
      // the syntax error, muted across origins (README, "Legacy build"); Chromium and Firefox refuse to
      // run it. Nothing else may reach the page.
      const expected = server === 'sockjs' && BROWSER === 'WebKit' ? 'Script error.' : '';
      assertEqual(Array.prototype.map.call(win.__sandbox.errors, (e) => e.replace(/ \(.*\)$/, '')).join('\n'), expected, 'script errors in the sandbox');
    });
  }

  it('sends on the fresh session what waited behind a held fetch when the connection dropped: only the send out is maybe not delivered', async function () {
    // With attachEvent, to hear offline and online.
    sandbox.observer.disconnect();
    sandbox.frame.remove();
    sandbox = await openSandbox('attach', 'fetch');
    await queuedSendsGoFresh(sandbox, made);
    const posts = sandbox.seen.forms.filter((action) => new URL(action).pathname.endsWith('/jsonp_send'));
    assertEqual(posts.length, 0, 'jsonp_send form posts');
  });

  it('reports a message over the limit as maybe not delivered (the server ends the session), not as delivered on its opaque answer', async function () {
    const instance = await admin('POST', '/cometkit?maxBodySize=65536');
    made.push(`/cometkit/${instance.id}`);
    await overLimitReported(sandbox, instance.url);
    const posts = sandbox.seen.forms.filter((action) => new URL(action).pathname.endsWith('/jsonp_send'));
    assertEqual(posts.length, 0, 'jsonp_send form posts');
  });

  it('ends the session itself when a proxy refuses a message over the limit before the server sees it, and goes on with a fresh session', async function () {
    this.timeout(SEND_TIMEOUT + 20000);
    await overLimitRefusedByProxy(sandbox, made);
    const posts = sandbox.seen.forms.filter((action) => new URL(action).pathname.endsWith('/jsonp_send'));
    assertEqual(posts.length, 0, 'jsonp_send form posts');
  });

  it('takes a send a proxy answered with an error page as not delivered: the resumed session gets it again, each echo once and in order', async function () {
    // The no-cors fetch's answer is opaque: a proxy's 502 page reads as the server's `ok`. Taken as
    // delivered, the batch was lost, and every later one with it (refused by the server as out of order).
    // Only the server's `k` on the receiver confirms it; without one the connection ends after the
    // liveness wait (the 500 ms heartbeat and heartbeatTimeout here) and the session resumes.
    const p = await admin('POST', '/proxy?kind=fault&heartbeat=500');
    made.push(`/proxy/${p.id}`);
    const client = sandbox.win.cometkit.createClient(`${p.url}/echo`, { heartbeatTimeout: 500, retry: () => 0 });
    await opened(client);
    const w = watch(client);
    await echoDelivered(client, ['before']);
    await admin('POST', `/proxy/${p.id}/faults`, JSON.stringify({ failSends: 1 }));
    await echoDelivered(client, ['one', 'two', 'three']);
    await echoDelivered(client, ['after']);
    assertEqual((await admin('GET', `/proxy/${p.id}`)).stats.failed, 1, 'sends answered with an error page');
    assertEqual(JSON.stringify(w.closes.map((c) => `${c.code} ${c.reason} ${c.willReconnect}`)), '["1006 send timed out true"]', 'close events');
    assertEqual(JSON.stringify(w.opens.map((o) => o.resumed)), '[true]', 'reopened once, resumed');
    client.close();
    await assertClean(sandbox);
  });

  it('resumes through a proxy that cuts every connection at random, sending by fetch', async function () {
    // Lower cut points than with form posts: fetch sends carry larger batches in fewer requests, which
    // with [1000, 8000] came to 3 to 7 cuts a run, at times under the 5 a run needs to prove anything.
    await resumeThroughCuts(sandbox, made, 'fetch', 4000);
    const posts = sandbox.seen.forms.filter((action) => new URL(action).pathname.endsWith('/jsonp_send'));
    assertEqual(posts.length, 0, 'jsonp_send form posts');
  });
});
