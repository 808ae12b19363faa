// Smoke tests for the browser-test harness itself; run with `node test/browser/smoke.mjs [--fail]`.
import { config } from './support/config.js';
import { startMsw, stopMsw, http, HttpResponse } from './support/msw.js';

function assertEqual(actual, expected, what) {
  if (actual !== expected) {
    throw new Error(`${what}: expected ${JSON.stringify(expected)}, got ${JSON.stringify(actual)}`);
  }
}

function xhrText(url) {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open('GET', url);
    xhr.onload = () => resolve(xhr.responseText);
    xhr.onerror = () => reject(new Error(`XHR ${url} failed`));
    xhr.send();
  });
}

describe('browser harness', function () {
  it('runs a trivial test (fails with clientArgs.failOnPurpose)', function () {
    assertEqual(1 + 1, config().failOnPurpose ? 3 : 2, '1 + 1');
  });

  it('reads clientArgs', function () {
    const { smoke, servers } = config();
    if (smoke) {
      assertEqual(smoke.answer, 42, 'clientArgs.smoke.answer');
      assertEqual(smoke.list.join(), 'a,b', 'clientArgs.smoke.list');
    } else {
      // The main suite (test/browser/suite.mjs) passes the servers' URLs.
      assertEqual(typeof servers?.cometkit?.cross, 'string', 'clientArgs.servers.cometkit.cross');
    }
  });

  it('mocks GET /mock/hello with msw for fetch and XMLHttpRequest', async function () {
    const worker = await startMsw(http.get('/mock/hello', () => HttpResponse.text('hello from msw')));
    try {
      assertEqual(await (await fetch('/mock/hello')).text(), 'hello from msw', 'fetch body');
      assertEqual(await xhrText('/mock/hello'), 'hello from msw', 'XHR body');
    } finally {
      await stopMsw(worker);
    }
    assertEqual((await fetch('/mock/hello')).status, 404, 'fetch status after worker.stop()');
  });

  describe('clean-page', function () {
    it('leaves an <iframe> and window._jpLeak behind (reported only with clientArgs.failOnPurpose)', function () {
      if (!config().failOnPurpose) this.skip();
      document.body.appendChild(document.createElement('iframe'));
      window._jpLeak = 1;
    });

    it('starts from a clean page', function () {
      assertEqual(document.querySelectorAll('iframe').length, 0, 'iframes');
      assertEqual('_jpLeak' in window, false, 'window._jpLeak exists');
    });
  });

  // Same-origin proxying through karma: smoke.mjs proxies /same/ to a Node server.
  describe('karma proxy /same/', function () {
    before(function () {
      if (!config().proxied) this.skip();
    });

    it('passes a streamed response through chunk by chunk', async function () {
      const started = performance.now();
      const res = await fetch('/same/stream');
      const reader = res.body.getReader();
      const decoder = new TextDecoder();
      const arrivals = [];
      let text = '';
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        text += decoder.decode(value, { stream: true });
        arrivals.push(Math.round(performance.now() - started));
      }
      assertEqual(text, '0\n1\n2\n3\n4\n', 'body');
      // The server writes a line every 150 ms; a buffering proxy would deliver them all at once.
      if (arrivals.length < 4 || arrivals.at(-1) - arrivals[0] < 400) {
        throw new Error(`chunks were buffered: arrivals at ${arrivals.join(', ')} ms`);
      }
    });

    it('passes a WebSocket upgrade through', async function () {
      const url = `${location.origin.replace(/^http/, 'ws')}/same/echo`;
      const socket = new WebSocket(url);
      const reply = await new Promise((resolve, reject) => {
        socket.onopen = () => socket.send('ping');
        socket.onmessage = (event) => resolve(event.data);
        socket.onerror = () => reject(new Error(`WebSocket ${url} failed`));
      });
      socket.close();
      assertEqual(reply, 'echo: ping', 'WebSocket reply');
    });
  });
});
