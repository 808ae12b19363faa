// A page whose cross-origin fetches fail as a CORS refusal does: every `cors`-mode fetch to another
// origin rejects with a TypeError, nothing readable. `no-cors` fetches go through, as a browser lets
// them (an opaque answer: resolved once the server answered, rejected when the request was cut).
// Scripts, forms, frames and the bridge page's own requests are untouched, as they are by real CORS.

/**
 * Replaces window.fetch; returns { refused, opaque, restore }: the paths of the refused fetches and of
 * the no-cors ones with the most that were in flight at once (`opaque.most`), and the undo.
 */
export function refuseCors() {
  const realFetch = window.fetch;
  const refused = [];
  const opaque = [];
  opaque.most = 0;
  let inFlight = 0;
  window.fetch = (input, init) => {
    const url = new URL(typeof input === 'string' || input instanceof URL ? input : input.url, location.href);
    if (url.origin === location.origin) return realFetch(input, init);
    if (init?.mode === 'no-cors') {
      opaque.push(url.pathname);
      opaque.most = Math.max(opaque.most, ++inFlight);
      const done = () => inFlight--;
      const request = realFetch(input, init);
      request.then(done, done);
      return request;
    }
    refused.push(url.pathname);
    return Promise.reject(new TypeError('Failed to fetch (CORS refused by the test)'));
  };
  return { refused, opaque, restore: () => (window.fetch = realFetch) };
}
