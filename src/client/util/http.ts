/**
 * A credentialed POST that resolves with what `read` makes of the response (its text) if its
 * status is `expect`, else rejects with `HTTP <status>` or the network error, unread. `expect` 0, an
 * opaque answer's status, makes it a 'no-cors' request (any other 'cors', fetch's default for a URL),
 * which reaches a service that allows no CORS: the answer is unreadable, but it resolves once one
 * came and rejects when the request was cut.
 */
export function post<T = string>(
  url: string,
  body: string | null,
  signal?: AbortSignal,
  expect = 200,
  read: (res: Response) => T | Promise<T> = (res) => res.text() as Promise<T>,
): Promise<T> {
  return fetch(url, { method: 'POST', body, credentials: 'include', signal, mode: expect ? 'cors' : 'no-cors' })
    .then((res) => (res.status == expect ? res : Promise.reject(new Error('HTTP ' + res.status))))
    .then(read);
}

/**
 * Streams a POST response: `chunk` gets text as it arrives, `end` once, with
 * an error unless the server ended it (after `signal` aborts: the AbortError).
 *
 * fetch() with a body stream hands each chunk to the page at once (Chromium
 * batches XHR progress events every ~50 ms). Every engine that parses this
 * ES2020 build has body streams (Chromium 80, Firefox 74, Safari 13.1 for the
 * syntax; streams came years before), so there is no XHR-progress path; the
 * legacy build has no streaming tier.
 */
export function stream(url: string, signal: AbortSignal, chunk: (text: string) => void, end: (error?: Error) => void): void {
  const decoder = new TextDecoder();
  post(url, null, signal, 200, (res) => {
    // Only null-body statuses (204, 304) lack a body, never a 200.
    const reader = (res.body as ReadableStream<Uint8Array>).getReader();
    // (Resolves with undefined, which end() takes as no error.)
    const pump = (): Promise<undefined> =>
      reader.read().then((r) => {
        if (r.done) return undefined;
        chunk(decoder.decode(r.value, { stream: true }));
        return pump();
      });
    return pump();
  })
    // Two arguments, not .then().catch(): an error thrown by end() itself must not call it again.
    .then(end, end as (e: unknown) => void);
}
