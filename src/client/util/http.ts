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
 */
export function stream(url: string, chunk: (text: string) => void, end: (error?: Error) => void): () => void {
  let done = false;
  const finish = (error?: Error) => {
    if (!done) {
      done = true;
      end(error);
    }
  };
  if (typeof ReadableStream == 'function' && typeof TextDecoder == 'function') {
    // fetch hands each chunk to the page at once; Chromium batches XHR progress every ~50 ms.
    const abort = new AbortController();
    const decoder = new TextDecoder();
    fetch(url, { method: 'POST', credentials: 'include', signal: abort.signal })
      .then((res) => {
        if (res.status !== 200 || !res.body) throw new Error('HTTP ' + res.status);
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
      .catch((e: unknown) => finish(e instanceof Error ? e : new Error(String(e))));
    return () => {
      done = true;
      abort.abort();
    };
  }
  const xhr = new XMLHttpRequest();
  let seen = 0;
  const progress = () => {
    const text = xhr.responseText;
    if (!done && xhr.status === 200 && text.length > seen) {
      chunk(text.slice(seen));
      seen = text.length;
    }
  };
  xhr.open('POST', url);
  xhr.withCredentials = true;
  xhr.onprogress = progress;
  xhr.onload = () => {
    progress();
    finish(xhr.status === 200 ? undefined : new Error('HTTP ' + xhr.status));
  };
  xhr.onerror = xhr.onabort = () => finish(new Error('network error'));
  xhr.send();
  return () => {
    done = true;
    xhr.abort();
  };
}
