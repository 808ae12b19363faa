// msw for browser tests, from the bundle made by buildTestDeps() (test/browser/karma.mjs).
import { setupWorker } from '../.build/msw.js';

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
