// Pages with a policy of their own, served as real headers: a Content-Security-Policy (README, "Content
// Security Policy") and an embedder policy (COEP, as cross-origin isolated pages have). Each tier forced
// alone echoes, same-origin and cross-origin: under a strict CSP that allows only the service, with no
// violation reported, and under `Cross-Origin-Embedder-Policy: require-corp`. A CSP that refuses
// WebSocket sends the client on to the next tier at once, with the reason, as does one that enforces
// Trusted Types for the jsonp tier. A sandboxed page (an opaque origin) echoes on WebSocket,
// xhr-streaming and polling, and moves past iframe and jsonp with their reasons. The page is the cometkit test server's /policy-page (the headers,
// the script-tag build, test/integration/fixtures/policy-page.js), framed here, reporting by postMessage.
import { ownServer } from '../browser/support/admin.js';
import { assert, assertJson } from '../browser/support/assert.js';
import { config } from '../browser/support/config.js';
import { assertEqual } from '../browser/support/echo.js';

const TIERS = ['websocket', 'xhr-streaming', 'iframe', 'jsonp', 'polling'];

/**
 * What policy-page.js posts back from a page on `origin` served with `headers`, running one client on
 * `url` with `options` (no reconnection, and no memory of what earlier pages on that origin found).
 */
function inPage(origin, headers, url, options = {}) {
  const job = { url, options: { reconnect: false, remember: 0, ...options } };
  return new Promise((resolve, reject) => {
    const frame = document.createElement('iframe');
    const timer = setTimeout(() => end(reject, new Error('no report from the page')), 8000);
    const end = (settle, value) => {
      clearTimeout(timer);
      removeEventListener('message', heard);
      frame.remove();
      settle(value);
    };
    // (A sandboxed page's origin is opaque: its messages say 'null'.)
    const from = /\bsandbox\b/.test(headers['Content-Security-Policy'] ?? '') ? 'null' : origin;
    const heard = (e) => {
      if (e.source === frame.contentWindow && e.origin === from) end(resolve, JSON.parse(e.data));
    };
    addEventListener('message', heard);
    frame.src = `${origin}/policy-page?${encodeURIComponent(JSON.stringify(headers))}#${encodeURIComponent(JSON.stringify({ ...job, parent: location.origin }))}`;
    document.body.append(frame);
  });
}

describe('pages with a policy of their own', function () {
  this.timeout(15000);
  const other = ownServer();
  // The page's own origin: the cometkit test server, which serves /policy-page.
  const page = () => config().servers.cometkit.cross;
  const ws = (origin) => origin.replace(/^http/, 'ws');
  const csp = (policy) => ({ 'Content-Security-Policy': policy });
  const ECHOED = (tier) => ({ echoed: 'csp é', transport: tier, reasons: [], violations: [] });

  for (const tier of TIERS) {
    it(`same-origin, ${tier}: echoes under default-src 'self'`, async function () {
      // (WebSocket named as well: not every browser counts ws: to its own host and port as 'self'.)
      const report = await inPage(page(), csp(`default-src 'self'; connect-src 'self' ${ws(page())}`), `${page()}/echo`, { transports: [tier] });
      assertJson(report, ECHOED(tier), 'report');
    });

    it(`cross-origin, ${tier}: echoes with only the service allowed`, async function () {
      const service = other.url;
      const policy = `default-src 'self'; connect-src ${service} ${ws(service)}; script-src 'self' ${service}; frame-src ${service}`;
      const report = await inPage(page(), csp(policy), `${service}/echo`, { transports: [tier] });
      assertJson(report, ECHOED(tier), 'report');
    });

    // A cross-origin isolated page frames only pages with an embedder policy of their own, and loads
    // scripts and no-cors answers from other origins only where the answer allows it (the iframe tier
    // timed out, same-origin too, and the jsonp tier's scripts were blocked across origins, before).
    for (const [where, origin] of [['same-origin', page], ['cross-origin', () => other.url]]) {
      it(`${where}, ${tier}: echoes under Cross-Origin-Embedder-Policy: require-corp`, async function () {
        const report = await inPage(page(), { 'Cross-Origin-Embedder-Policy': 'require-corp' }, `${origin()}/echo`, { transports: [tier] });
        assertJson(report, ECHOED(tier), 'report');
      });
    }
  }

  it('a policy that refuses WebSocket: the next tier, with the reason, and no wait for a timeout', async function () {
    const report = await inPage(page(), csp(`default-src 'self'; connect-src ${page()}`), `${page()}/echo`);
    assertEqual(report.echoed, 'csp é', 'echo');
    assertEqual(report.transport, 'xhr-streaming', 'tier');
    assertEqual(report.reasons.length, 1, `reasons (${report.reasons})`);
    // Chromium fires the WebSocket's error event; Firefox throws from the constructor (its reason used to
    // be empty: "could not start: "), and so does WebKit, with a SecurityError.
    assert(/^websocket: (WebSocket |could not start: .*blocked|could not start: SecurityError)/.test(report.reasons[0]), `the WebSocket's own failure, not a timeout: ${report.reasons[0]}`);
    assert(report.violations.some((v) => v.startsWith('connect-src ws')), `the policy's report (${report.violations})`);
  });

  // A sandboxed page (no allow-same-origin: an opaque origin, no storage, no Web Locks) reaches the
  // service on the tiers that need no frame of its own origin: WebSocket, xhr-streaming, polling.
  for (const tier of ['websocket', 'xhr-streaming', 'polling']) {
    it(`a sandboxed page (CSP sandbox allow-scripts), ${tier}: echoes`, async function () {
      const report = await inPage(page(), csp('sandbox allow-scripts'), `${other.url}/echo`, { transports: [tier] });
      assertJson(report, ECHOED(tier), 'report');
    });
  }

  it('a sandboxed page: iframe and jsonp say why they cannot run there, polling opens', async function () {
    const report = await inPage(page(), csp('sandbox allow-scripts'), `${other.url}/echo`, { transports: ['iframe', 'jsonp', 'polling'] });
    assertEqual(report.echoed, 'csp é', 'echo');
    assertEqual(report.transport, 'polling', 'tier');
    assertEqual(report.reasons.length, 2, `reasons (${report.reasons})`);
    // The bridge cannot post to an opaque origin: the iframe tier times out. The jsonp tier's private
    // frame has an opaque origin of its own, which the page cannot reach: it fails at once.
    assert(/^iframe: timed out/.test(report.reasons[0]), `iframe: ${report.reasons[0]}`);
    assert(/^jsonp: could not start: SecurityError/.test(report.reasons[1]), `jsonp: ${report.reasons[1]}`);
  });

  it("require-trusted-types-for 'script': the jsonp tier says why it cannot start, the next one opens", async function () {
    const report = await inPage(page(), csp("require-trusted-types-for 'script'"), `${page()}/echo`, { transports: ['jsonp', 'polling'] });
    assertEqual(report.echoed, 'csp é', 'echo');
    if (!('trustedTypes' in window)) return assertEqual(report.transport, 'jsonp', 'tier, in a browser without Trusted Types');
    assertEqual(report.transport, 'polling', 'tier');
    assertEqual(report.reasons.length, 1, `reasons (${report.reasons})`);
    assert(/^jsonp: could not start: TypeError: ./.test(report.reasons[0]), `the script's refusal, not a timeout: ${report.reasons[0]}`);
  });
});
