// msw for browser tests, from the bundle made by buildTestDeps() (test/browser/karma.mjs).
import { setupWorker } from '../.build/msw.js';
import { BROWSER } from './config.js';

export { setupWorker, http, HttpResponse, delay, passthrough, bypass, ws } from '../.build/msw.js';

/**
 * Starts a worker with the given handlers. karma serves msw's worker script at /mockServiceWorker.js
 * (scope '/', which covers the test iframe). Unhandled requests go to the network untouched.
 * Stop it with `await stopMsw(worker)` (in `after`/`afterEach`, so a failing test cannot leave it on).
 */
export async function startMsw(...handlers) {
  const worker = setupWorker(...handlers);
  await worker.start({
    serviceWorker: { url: '/mockServiceWorker.js' },
    onUnhandledRequest: 'bypass',
    quiet: true,
  });
  return worker;
}

/**
 * Stops the worker and waits until its service worker has let go of this page. worker.stop() only
 * posts a message: a request sent right after it can still get a mocked response.
 * The worker answers messages in order, so a KEEPALIVE round trip after the stop is enough.
 */
export async function stopMsw(worker) {
  worker.stop();
  await new Promise((resolve) => setTimeout(resolve)); // msw posts its CLIENT_CLOSED asynchronously
  const sw = navigator.serviceWorker.controller ?? (await navigator.serviceWorker.ready).active;
  await new Promise((resolve) => {
    const onMessage = (event) => {
      if (event.data?.type !== 'KEEPALIVE_RESPONSE') return;
      navigator.serviceWorker.removeEventListener('message', onMessage);
      resolve();
    };
    navigator.serviceWorker.addEventListener('message', onMessage);
    sw.postMessage('KEEPALIVE_REQUEST');
  });
}

/**
 * Whether msw can hand a streamed mocked response to the page as it comes. msw moves the body to its
 * service worker as a transferred ReadableStream where the browser can (Chromium, Firefox); WebKit
 * cannot transfer one, and msw then reads the whole body before answering, so a stream meant to stay
 * open never arrives.
 */
function mocksStream() {
  try {
    const stream = new ReadableStream();
    new MessageChannel().port1.postMessage(stream, [stream]);
    return true;
  } catch {
    return false;
  }
}

/**
 * For a `before` hook of tests that need a mocked response to stream: skips them, saying why, where
 * msw cannot (mocksStream). The integration tests run the same tier against real servers there.
 */
export function needStreamingMocks(context) {
  if (mocksStream()) return;
  console.log(`[msw] skipped in ${BROWSER} (msw cannot stream a mocked response without transferable streams): ${context.test.parent.fullTitle()}`);
  context.skip();
}
