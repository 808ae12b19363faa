// Behind proxies: per scenario of test/network/proxies.test.js, time to open, tier chosen and time
// to first message, for cometkit's client and stock sockjs-client (the global SockJS karma loads),
// each on a fresh proxy in front of a fresh server (the admin endpoint, startAdmin() in
// test/browser/suite.mjs). Run by `node test/bench/proxies.mjs` (not part of `npm test`: it prints
// figures, asserts nothing); the figures also go back to Node through the admin's /report.
/* global SockJS */
import { createClient } from '../../dist/cometkit.mjs';
import { BROWSER } from '../browser/support/config.js';
import { admin, needAdmin } from '../browser/support/admin.js';

const RUNS = 3;
/** Longest wait for an open, then for the first message after it. */
const OPEN_LIMIT = 20000;
const FIRST_LIMIT = 5000;

const fault = (faults) => `kind=fault&faults=${encodeURIComponent(JSON.stringify(faults))}`;
const SCENARIOS = [
  ['nginx default', 'kind=nginx&config=default'],
  ['nginx default, X-Accel-Buffering ignored', 'kind=nginx&config=default&ignoreAccelBuffering=1'],
  ['nginx websocket', 'kind=nginx&config=websocket'],
  ['nginx short-read-timeout 2 s', 'kind=nginx&config=short-read-timeout&readTimeout=2000'],
  ['fault refuseUpgrade 403', fault({ refuseUpgrade: 403 })],
  ['fault silentUpgrade', fault({ silentUpgrade: true })],
  ['fault bufferBytes 64 KiB + refuseUpgrade 400', fault({ bufferBytes: 65536, refuseUpgrade: 400 })],
  ['fault latency 100 ms', fault({ latency: 100 })],
  ['fault killAfter 3000', fault({ killAfter: 3000 })],
  ['fault cutAfterBytes 800', fault({ cutAfterBytes: 800 })],
  ['stock server, nginx default', 'kind=nginx&config=default&upstream=sockjs'],
  ['stock server, refuseUpgrade 403', `${fault({ refuseUpgrade: 403 })}&upstream=sockjs`],
  ['stock server, bufferBytes 64 KiB + refuseUpgrade 400', `${fault({ bufferBytes: 65536, refuseUpgrade: 400 })}&upstream=sockjs`],
];

/**
 * Starts a client through `start(url, { open, message, fail })` and resolves
 * { open, tier, first } (ms from the start; first: null when no message came within FIRST_LIMIT),
 * or { error } when it did not open within OPEN_LIMIT.
 */
function measure(url, start) {
  return new Promise((resolve) => {
    const t0 = performance.now();
    let opened = null;
    let stop = () => {};
    const finish = (result) => {
      clearTimeout(timer);
      stop();
      resolve(result);
    };
    let timer = setTimeout(() => finish({ error: `not open within ${OPEN_LIMIT} ms` }), OPEN_LIMIT);
    stop = start(url, {
      open(tier) {
        if (opened) return;
        opened = { open: performance.now() - t0, tier };
        clearTimeout(timer);
        timer = setTimeout(() => finish({ ...opened, first: null }), FIRST_LIMIT);
      },
      message() {
        if (opened) finish({ ...opened, first: performance.now() - t0 });
      },
    });
  });
}

const CLIENTS = {
  cometkit(url, on) {
    const client = createClient(url);
    client.on('open', ({ transport }) => on.open(transport));
    client.on('message', () => on.message());
    return () => client.close();
  },
  'sockjs-client'(url, on) {
    const sock = new SockJS(url);
    sock.onopen = () => on.open(sock.transport);
    sock.onmessage = () => on.message();
    return () => sock.close();
  },
};

const median = (list) => {
  const sorted = [...list].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
};

/** The runs of one client in one scenario, summed up: median times, every tier seen. */
function summary(runs) {
  const ok = runs.filter((r) => !r.error);
  const tiers = [...new Set(ok.map((r) => r.tier))];
  const firsts = ok.map((r) => r.first).filter((f) => f !== null);
  return {
    runs: runs.length,
    failed: runs.length - ok.length,
    tier: tiers.join(' / ') || '-',
    open: ok.length ? Math.round(median(ok.map((r) => r.open))) : null,
    first: firsts.length ? Math.round(median(firsts)) : null,
    errors: [...new Set(runs.filter((r) => r.error).map((r) => r.error))],
  };
}

describe('behind proxies: time to open, tier, time to first message', function () {
  // One test per scenario: karma drops a browser that reports nothing for 60 s.
  this.timeout(120000);
  this.foreign = true; // stock sockjs-client tidies its iframes and scripts away asynchronously
  let nginx = false;
  const lines = [];

  before(async function () {
    needAdmin(this);
    ({ nginx } = await admin('GET', '/proxy'));
  });

  after(function () {
    if (lines.length) console.log(`[bench] ${BROWSER}, median of ${RUNS} runs, ms from the client's creation\n${lines.join('\n')}`);
  });

  for (const [scenario, query] of SCENARIOS) {
    it(scenario, async function () {
      if (/kind=nginx/.test(query) && !nginx) {
        console.log(`[bench] skipped in ${BROWSER}: nginx is not installed: ${scenario}`);
        this.skip();
      }
      const row = { browser: BROWSER, scenario };
      for (const [name, start] of Object.entries(CLIENTS)) {
        const runs = [];
        for (let i = 0; i < RUNS; i++) {
          // A fresh proxy and server per run: nothing learnt or left over from the run before.
          const proxy = await admin('POST', `/proxy?${query}`);
          try {
            runs.push(await measure(`${proxy.url}/stream`, start));
          } finally {
            await admin('DELETE', `/proxy/${proxy.id}`);
          }
          // Let stock sockjs-client finish tidying up (its iframes, script tags) before the next run.
          await new Promise((resolve) => setTimeout(resolve, 300));
        }
        row[name] = summary(runs);
      }
      await admin('POST', '/report', JSON.stringify(row)).catch(() => {});
      const cell = (s) => `${s.tier.padEnd(22)} open ${String(s.open ?? '-').padStart(5)}  first ${String(s.first ?? '-').padStart(5)}${s.failed ? ` (${s.failed} failed)` : ''}`;
      lines.push(`${scenario.padEnd(52)} cometkit ${cell(row.cometkit)} | sockjs-client ${cell(row['sockjs-client'])}`);
    });
  }
});
