// The demo pages in Debian's Chromium, driven by playwright-core, against `node demo/server.mjs`
// on a free port: chat between two browser contexts on every tier, the ticker, cuts and going
// offline, and the three ways in (script tag, ES module, legacy). Screenshots go to
// test/e2e/artifacts/. Run by `node test/run.mjs e2e`.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdir } from 'node:fs/promises';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const root = fileURLToPath(new URL('../..', import.meta.url));
const artifacts = fileURLToPath(new URL('artifacts/', import.meta.url));
const TIERS = ['websocket', 'xhr-streaming', 'iframe', 'jsonp', 'polling'];
// Long enough for a tier that needs its watchdog; far below the stage's own time budget.
const WAIT = 15000;

let server;
let base;
let browser;
let contexts;

function startServer() {
  server = spawn(process.execPath, ['demo/server.mjs'], {
    cwd: root,
    env: { ...process.env, PORT: '0' },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  return new Promise((resolve, reject) => {
    let out = '';
    server.stdout.on('data', (chunk) => {
      out += chunk;
      const url = /http:\/\/127\.0\.0\.1:\d+\//.exec(out)?.[0];
      if (url) resolve(url);
    });
    server.once('exit', (code) => reject(new Error(`demo server exited (${code}) before listening: ${out}`)));
  });
}

before(async () => {
  await mkdir(artifacts, { recursive: true });
  base = await startServer();
  browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: [
      '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync',
      '--no-first-run', '--disable-dev-shm-usage', '--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1, EXCLUDE localhost',
    ],
  });
  // Two people: each context has its own cookies, storage and connection pool.
  contexts = [await browser.newContext(), await browser.newContext()];
});

after(async () => {
  await browser?.close();
  server?.kill();
});

/** Opens a demo page and fails the test on any uncaught error in it. */
async function open(context, path, { width = 1100 } = {}) {
  const page = await context.newPage();
  await page.setViewportSize({ width, height: 900 });
  page.errors = [];
  page.on('pageerror', (error) => page.errors.push(error));
  // `load`: a client that held the page's load event (a long-poll <script> or a streaming frame
  // started while the page loads) would keep the browser's busy indicator spinning; none may.
  await page.goto(new URL(path, base).href, { waitUntil: 'load', timeout: 10000 });
  return page;
}

async function done(page, shot) {
  await page.screenshot({ path: `${artifacts}${shot}.png`, fullPage: true });
  assert.deepEqual(page.errors.map(String), [], 'errors on the page');
  await page.close();
}

/**
 * Waits until the page's client is open (over `transport` when given, and after `opens` opens). On a
 * timeout the error carries where the page stands and its event log (attempts, reasons), so a failure
 * says why.
 */
async function opened(page, transport, opens = 1) {
  try {
    await page.waitForFunction(
      ([t, n]) => {
        const s = document.getElementById('status');
        return s?.dataset.state === 'open' && (!t || s.dataset.transport === t) && Number(s.dataset.opens) >= n;
      },
      [transport, opens],
      { timeout: WAIT },
    );
  } catch (error) {
    const where = await page
      .evaluate(() => ({ status: { ...document.getElementById('status')?.dataset }, log: [...document.querySelectorAll('#log li')].map((li) => li.textContent).slice(-12) }))
      .catch(() => null);
    throw new Error(`not open${transport ? ` on ${transport}` : ''} (${opens} opens) within ${WAIT} ms: ${JSON.stringify(where)}`, { cause: error });
  }
}

async function say(page, text) {
  await page.fill('#chat-text', text);
  await page.press('#chat-text', 'Enter');
}

const heard = (page, text) => page.locator('#chat-log li', { hasText: text }).waitFor({ timeout: WAIT });
/** Waits for a line of the page's event log; on a timeout the error carries the log's last lines. */
async function logged(page, kind, text = '') {
  try {
    await page.locator(`#log li.${kind}`, { hasText: text }).last().waitFor({ timeout: WAIT });
  } catch (error) {
    const log = await page.evaluate(() => [...document.querySelectorAll('#log li')].map((li) => `${li.className}: ${li.textContent}`).slice(-20)).catch(() => null);
    throw new Error(`no "${kind}" line with "${text}" in the log within ${WAIT} ms: ${JSON.stringify(log)}`, { cause: error });
  }
}

async function chat(a, b, label) {
  await say(a, `hello from a over ${label}`);
  await heard(b, `hello from a over ${label}`);
  await say(b, `hi back over ${label}, zażółć 😀`);
  await heard(a, `hi back over ${label}, zażółć 😀`);
}

test('the index page links the three ways in', async () => {
  const page = await open(contexts[0], '/');
  for (const [id, href] of [['script-tag', 'script-tag.html'], ['module', 'module.html'], ['legacy', 'legacy.html']]) {
    assert.equal(await page.getAttribute(`#${id}`, 'href'), href);
  }
  await done(page, 'index');
});

describe('two people chat', () => {
  for (const mode of ['auto', ...TIERS]) {
    test(mode === 'auto' ? 'in automatic mode, over websocket' : `on the ${mode} tier forced`, async () => {
      const query = mode === 'auto' ? '' : `tier=${mode}&`;
      const [a, b] = await Promise.all(contexts.map((c, i) => open(c, `/script-tag.html?${query}name=${'ab'[i]}-${mode}`)));
      const transport = mode === 'auto' ? 'websocket' : mode;
      await Promise.all([opened(a, transport), opened(b, transport)]);
      assert.equal(await a.inputValue('#tier'), mode);
      await chat(a, b, mode);
      await logged(a, 'open', `${transport}: open in`);
      await Promise.all([done(a, `chat-${mode}-a`), done(b, `chat-${mode}-b`)]);
    });
  }
});

test('the ticker updates, the round trip and the message rate show', async () => {
  const page = await open(contexts[0], '/script-tag.html');
  await opened(page);
  const price = page.locator('#ticker tr[data-symbol="ACME"] .price');
  await price.waitFor({ timeout: WAIT });
  const first = await page.textContent('#ticker tbody');
  await page.waitForFunction((before) => document.querySelector('#ticker tbody').textContent !== before, first, { timeout: WAIT });
  assert.match(await price.textContent(), /^\d+\.\d\d$/);
  await page.waitForFunction(() => /^\d+ ms$/.test(document.getElementById('latency').textContent), null, { timeout: WAIT });
  await page.waitForFunction(() => /^[1-9]\d*\/s$/.test(document.getElementById('rate').textContent), null, { timeout: WAIT });
  await done(page, 'ticker');
});

test('automatic mode climbs back to WebSocket: refused at first, open on xhr-streaming, then a re-upgrade to websocket', async () => {
  // A context of its own: what its page learns (WebSocket failed) must not reach the other tests.
  const context = await browser.newContext();
  try {
    // The page's first WebSocket is refused (closed before any frame, as a proxy that drops
    // upgrades would), every later one goes through to the server.
    let refused = 0;
    await context.routeWebSocket(/\/comet\/[^/]+\/[^/]+\/websocket/, (ws) => {
      if (refused++ === 0) ws.close();
      else ws.connectToServer();
    });
    const a = await open(context, '/script-tag.html?name=climber');
    const b = await open(contexts[1], '/script-tag.html?tier=polling&name=listener');
    await Promise.all([opened(a, 'xhr-streaming'), opened(b, 'polling')]);
    await logged(a, 'failed', 'websocket failed');
    // The demo tries a better tier every 5 s (upgradeInterval) while below WebSocket.
    await opened(a, 'websocket');
    await logged(a, 'open', 'moved up from xhr-streaming to websocket (re-upgrade)');
    assert.equal(await a.getAttribute('#status', 'data-opens'), '1', 'one open: the session moved, it did not reconnect');
    assert.equal(refused, 2, 'WebSockets the page made');
    await chat(a, b, 'websocket after the re-upgrade');
    await Promise.all([done(a, 'reupgrade'), done(b, 'reupgrade-b')]);
  } finally {
    await context.close();
  }
});

test('the tier picker recreates the client on the chosen tier', async () => {
  const page = await open(contexts[0], '/module.html');
  await opened(page, 'websocket');
  await page.selectOption('#tier', 'jsonp');
  await opened(page, 'jsonp', 2);
  assert.match(page.url(), /tier=jsonp/);
  await logged(page, 'connect', 'forced to jsonp');
  await done(page, 'picker');
});

describe('cutting the connection', () => {
  // A cut forever-iframe fires no event: the next ping's failed send, or else the heartbeat watchdog, finds it.
  for (const tier of ['websocket', 'xhr-streaming', 'jsonp', 'polling', 'iframe']) {
    test(`on ${tier}: reconnects, and the chat works again`, async () => {
      const a = await open(contexts[0], `/script-tag.html?tier=${tier}&name=cut-a`);
      const b = await open(contexts[1], `/script-tag.html?tier=${tier}&name=cut-b`);
      await Promise.all([opened(a, tier), opened(b, tier)]);
      await a.locator('#cut:enabled').click();
      await logged(a, 'cut', 'the server destroyed');
      await logged(a, 'reconnecting');
      await opened(a, tier, 2);
      // The demo server keeps the session through the cut: the client resumes it, nothing lost.
      await logged(a, 'resumed', 'session resumed: nothing lost');
      await chat(a, b, `${tier} after the cut`);
      await Promise.all([done(a, `cut-${tier}`), done(b, `cut-${tier}-b`)]);
    });
  }
});

// Session secrets (PROTOCOL.md): a browser with no secret yet that opens on WebSocket gets one in the
// handshake's 101 (nothing else there carries `pos`), and its resume after a cut carries it.
test('a fresh browser on websocket keeps the session secret from the 101 and resumes with it after a cut', async () => {
  const context = await browser.newContext();
  try {
    const page = await open(context, '/script-tag.html?tier=websocket&name=secret');
    await opened(page, 'websocket');
    const secrets = (await context.cookies()).filter((cookie) => cookie.name.startsWith('cometkit_'));
    assert.equal(secrets.length, 1, `secret cookies: ${JSON.stringify(secrets)}`);
    assert.match(`${secrets[0].name}=${secrets[0].value}`, /^cometkit_[\w-]{8}=[\w-]{24}$/);
    assert.deepEqual([secrets[0].path, secrets[0].httpOnly, secrets[0].sameSite], ['/comet', true, 'Lax']);
    await page.locator('#cut:enabled').click();
    await logged(page, 'cut', 'the server destroyed');
    await opened(page, 'websocket', 2);
    await logged(page, 'resumed', 'session resumed: nothing lost');
    await say(page, 'kept my secret');
    await heard(page, 'kept my secret');
    await done(page, 'secret');
  } finally {
    await context.close();
  }
});

test('going offline: the client waits for `online`, then reconnects', async () => {
  const page = await open(contexts[1], '/script-tag.html?tier=xhr-streaming&name=offline');
  await opened(page, 'xhr-streaming');
  await page.locator('#offline:enabled').click();
  await logged(page, 'offline');
  await logged(page, 'reconnecting', 'waiting for the browser to be online');
  assert.equal(await page.getAttribute('#status', 'data-state'), 'reconnecting');
  await logged(page, 'online');
  await opened(page, 'xhr-streaming', 2);
  await logged(page, 'resumed', 'session resumed: nothing lost');
  await say(page, 'back online');
  await heard(page, 'back online');
  await done(page, 'offline');
});

// The browser itself offline (Chromium's network emulation: navigator.onLine false, `offline` fired,
// requests refused), in a context of its own. Under the WAIT, far below the heartbeat wait (35 s):
// the client ends the connection on the event, not when the watchdog would find it dead.
for (const tier of ['websocket', 'xhr-streaming']) {
  test(`the browser going offline for real on ${tier}: the client closes at once, waits, and resumes on online`, async () => {
    const context = await browser.newContext();
    try {
      const page = await open(context, `/script-tag.html?tier=${tier}&name=real-offline`);
      await opened(page, tier);
      await context.setOffline(true);
      await logged(page, 'offline', 'the browser says: offline');
      await logged(page, 'close', 'closed 1006 Offline, will reconnect');
      await logged(page, 'reconnecting', 'waiting for the browser to be online');
      await context.setOffline(false);
      await opened(page, tier, 2);
      await logged(page, 'resumed', 'session resumed: nothing lost');
      await say(page, `really back on ${tier}`);
      await heard(page, `really back on ${tier}`);
      await done(page, `real-offline-${tier}`);
    } finally {
      await context.close();
    }
  });
}

test('the ES module page chats with the script-tag page', async () => {
  const a = await open(contexts[0], '/module.html?name=esm');
  const b = await open(contexts[1], '/script-tag.html?name=classic');
  await Promise.all([opened(a), opened(b)]);
  await chat(a, b, 'two builds');
  await Promise.all([done(a, 'module'), done(b, 'module-peer')]);
});

test('the legacy page connects over jsonp, echoes, and chats with a modern page', async () => {
  const legacy = await open(contexts[0], '/legacy.html');
  const modern = await open(contexts[1], '/module.html?name=modern');
  await opened(modern);
  await legacy.locator('#log li', { hasText: 'open over jsonp' }).waitFor({ timeout: WAIT });
  assert.equal(await legacy.textContent('#transport'), 'jsonp');
  await legacy.fill('#text', 'echo, żółć, 日本語');
  await legacy.click('#say input[type=submit]');
  await legacy.locator('#log li', { hasText: 'got: echo, żółć, 日本語' }).waitFor({ timeout: WAIT });
  const name = await legacy.inputValue('#name');
  await legacy.fill('#line', 'greetings from "1999" ☺');
  await legacy.click('#chat input[type=submit]');
  await heard(modern, 'greetings from "1999" ☺');
  await say(modern, 'welcome back');
  await legacy.locator('#log li', { hasText: 'got: modern: welcome back' }).waitFor({ timeout: WAIT });
  assert.match(await modern.textContent('#people'), new RegExp(name));
  await Promise.all([done(legacy, 'legacy'), done(modern, 'legacy-peer')]);
});

test('the demo fits a phone screen', async () => {
  const page = await open(contexts[0], '/script-tag.html', { width: 375 });
  await opened(page);
  await page.locator('#ticker tr[data-symbol]').first().waitFor({ timeout: WAIT });
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  assert.ok(overflow <= 0, `the page is ${overflow} px wider than the screen`);
  await done(page, 'phone');
});
