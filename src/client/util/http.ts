/** A POST that resolves with the response text, or rejects with `HTTP <status>` or the network error. */
export function post(url: string, body: string | null, signal?: AbortSignal, expect = 200): Promise<string> {
  return fetch(url, { method: 'POST', body, credentials: 'include', signal }).then((res) =>
    res.status === expect ? res.text() : Promise.reject(new Error('HTTP ' + res.status)),
  );
}

/**
 * Streams a POST response: `chunk` gets text as it arrives, `end` once (with
 * an error unless the server ended it). Returns an abort function after
 * which neither is called.
 *
 * fetch() with a body stream hands each chunk to the page at once (Chromium
 * batches XHR progress events every ~50 ms). Every engine that parses this
 * ES2020 build has body streams, so the XHR-progress fallback lives in the
 * legacy build only.
 */
export function stream(url: string, chunk: (text: string) => void, end: (error?: Error) => void): () => void {
  const abort = new AbortController();
  const decoder = new TextDecoder();
  let done = false;
  const finish = (error?: Error) => {
    if (!done) {
      done = true;
      end(error);
    }
  };
  fetch(url, { method: 'POST', credentials: 'include', signal: abort.signal })
    .then((res) => {
      if (res.status != 200 || !res.body) throw new Error('HTTP ' + res.status);
      const reader = res.body.getReader();
      const pump = (): Promise<void> =>
        reader.read().then((r) => {
          if (done) return;
          if (r.done) return finish();
          chunk(decoder.decode(r.value, { stream: true }));
          return pump();
        });
      return pump();
    })
    .catch((e: unknown) => finish(e as Error));
  return () => {
    done = true;
    abort.abort();
  };
}
