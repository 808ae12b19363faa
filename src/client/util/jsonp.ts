import { hidden, uniqueName } from './dom.js';

/**
 * Loads `<url>?c=<callback>` as a script inside a private about:blank iframe:
 * no callback global touches the page, and removing the iframe cancels a
 * held request (a detached script tag would keep its connection until the
 * server answers). `done` gets the callback's argument, or why it failed.
 */
export function jsonpScript(url: string, timeout: number, done: (error: string | null, value?: unknown) => void): () => void {
  const frame = hidden('iframe');
  // Appended to the page, the frame has its window.
  const win = frame.contentWindow as Window & Record<string, unknown>;
  const name = uniqueName();
  let over = false;
  const finish = (error: string | null, value?: unknown) => {
    if (over) return;
    over = true;
    cleanup();
    done(error, value);
  };
  const timer = setTimeout(() => finish('timed out after ' + timeout + ' ms'), timeout);
  const cleanup = () => {
    clearTimeout(timer);
    frame.remove();
  };
  win[name] = (value: unknown) => finish(null, value);
  win.document.body.append(
    Object.assign(win.document.createElement('script'), {
      src: url + (url.includes('?') ? '&' : '?') + 'c=' + name,
      onerror: () => finish('script failed to load'),
      // A script cut short still loads (with a syntax error) but never calls back: no need to wait it out.
      onload: () => finish('script ended without an answer'),
    }),
  );
  return cleanup;
}

/** {@link jsonpScript} as a promise. */
export function jsonpCall(url: string, timeout: number): Promise<unknown> {
  return new Promise((resolve, reject) => {
    jsonpScript(url, timeout, (error, value) => (error ? reject(new Error(error)) : resolve(value)));
  });
}
