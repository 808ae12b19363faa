'use strict';
// Browser tests: plain ES modules in Chromium and Firefox, run concurrently (and again in WebKit,
// test/browser/suite.mjs).
// Usually run through test/browser/karma.mjs (runKarma); directly:
//   npx karma start karma.conf.cjs [--test-files=test/browser/x.test.js] [--browsers=ChromiumHeadlessCI] [--port=9877]
// Overrides (runKarma's or the CLI's) are already set on `config` when this function runs.

process.env.CHROME_BIN ||= '/usr/bin/chromium';
process.env.FIREFOX_BIN ||= '/usr/bin/firefox-esr';

/** WebKit (WebKitGTK's MiniBrowser, the engine of Safari), started through test/browser/webkit.mjs. */
function WebKitHeadless(baseBrowserDecorator) {
  baseBrowserDecorator(this);
  this._getOptions = (url) => [require('node:path').join(__dirname, 'test/browser/webkit.mjs'), url];
}
WebKitHeadless.prototype = { name: 'WebKit', DEFAULT_CMD: { linux: process.execPath } };
WebKitHeadless.$inject = ['baseBrowserDecorator'];

// karma's proxy refuses every WebSocket upgrade whose URL starts with urlRoot; with the default '/'
// that is every upgrade. Moving karma under its own root lets `proxies` pass WebSockets through.
const URL_ROOT = '/__karma__/';

module.exports = async function (config) {
  const testFiles = [].concat(config.testFiles || 'test/browser/**/*.test.js')
    .flatMap((f) => (typeof f === 'string' ? f.split(',') : [f]))
    .map((f) => (typeof f === 'string' ? { pattern: f, type: 'module' } : f));

  config.set({
    basePath: __dirname,
    urlRoot: URL_ROOT,
    hostname: '127.0.0.1',
    listenAddress: '127.0.0.1',
    port: 9876, // karma moves to the next free port when it is taken
    frameworks: ['mocha'],
    plugins: [
      'karma-mocha',
      'karma-chrome-launcher',
      'karma-firefox-launcher',
      { 'launcher:WebKitHeadless': ['type', WebKitHeadless] },
      require('./test/browser/support/summary-reporter.cjs'),
    ],
    files: [
      { pattern: 'node_modules/msw/lib/mockServiceWorker.js', included: false, watched: false },
      { pattern: 'test/browser/.build/*.js', included: false, watched: false }, // see buildTestDeps()
      // First module on the page: it records the baseline before any test file runs.
      { pattern: 'test/browser/support/clean-page.js', type: 'module' },
      { pattern: 'test/browser/support/*.js', type: 'module', included: false },
      ...testFiles,
    ],
    proxies: {
      // A service worker's scope cannot be above its script's directory, so serve msw's worker at
      // the root: its scope '/' then covers karma's page and the /__karma__/context.html iframe.
      '/mockServiceWorker.js': `${URL_ROOT}base/node_modules/msw/lib/mockServiceWorker.js`,
    },
    // karma's proxy (http-proxy 1.18) only aborts the upstream request on the request's 'aborted'
    // event, which Node 20 no longer emits once a GET has been read: a browser that drops a stream
    // would leave the upstream response open forever. Close it when the browser's side closes early.
    proxyReq(proxyReq, req, res) {
      res.on('close', () => {
        if (!res.writableFinished) proxyReq.destroy();
      });
    },
    proxyRes(proxyRes) {
      proxyRes.on('error', () => {}); // the 'aborted' error from the destroy() above
    },
    client: {
      args: [{}], // runKarma's clientArgs; read with support/config.js
      useIframe: true, // tests run in context.html, apart from karma's own page and socket
      runInParent: false,
      captureConsole: true,
      mocha: { timeout: Number(process.env.MOCHA_TIMEOUT) || 10000 },
    },
    reporters: ['summary'],
    logLevel: config.LOG_WARN,
    browsers: ['ChromiumHeadlessCI', 'FirefoxHeadlessCI'],
    customLaunchers: {
      ChromiumHeadlessCI: {
        base: 'ChromeHeadless',
        flags: [
          '--no-sandbox', // we run as root
          '--disable-gpu',
          '--disable-background-networking',
          '--disable-component-update',
          '--disable-sync',
          '--no-first-run',
          '--disable-quic',
          '--disable-dev-shm-usage',
          // Only loopback resolves; otherwise Chromium keeps trying Google hosts.
          '--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1, EXCLUDE localhost',
        ],
      },
      FirefoxHeadlessCI: {
        base: 'FirefoxHeadless',
        prefs: {
          // Background traffic goes to a dead proxy; loopback is never proxied.
          'network.proxy.type': 1,
          'network.proxy.http': '127.0.0.1',
          'network.proxy.http_port': 9,
          'network.proxy.ssl': '127.0.0.1',
          'network.proxy.ssl_port': 9,
          'network.proxy.allow_hijacking_localhost': false,
          'network.trr.mode': 5,
          'toolkit.telemetry.enabled': false,
          'toolkit.telemetry.unified': false,
          'datareporting.healthreport.uploadEnabled': false,
          'datareporting.policy.dataSubmissionEnabled': false,
          'app.update.auto': false,
          'app.update.enabled': false,
          'app.update.disabledForTesting': true,
          'extensions.update.enabled': false,
          'network.captive-portal-service.enabled': false,
          'network.connectivity-service.enabled': false,
          'browser.safebrowsing.malware.enabled': false,
          'browser.safebrowsing.phishing.enabled': false,
          'browser.safebrowsing.blockedURIs.enabled': false,
          'browser.safebrowsing.downloads.enabled': false,
          'browser.safebrowsing.downloads.remote.enabled': false,
          'browser.safebrowsing.provider.mozilla.updateURL': '',
        },
      },
    },
    concurrency: Infinity,
    autoWatch: false,
    singleRun: true,
    captureTimeout: 30000,
    browserDisconnectTimeout: 10000,
    browserDisconnectTolerance: 0,
    // Tests may hold long connections without reporting anything in between.
    browserNoActivityTimeout: 60000,
  });

  // Make sure the pre-bundled browser deps exist (cached; a no-op when up to date).
  const { buildTestDeps } = await import('./test/browser/karma.mjs');
  await buildTestDeps();
};
