import { hidden, uniqueName } from './dom.js';

/**
 * Loads `<url>?c=<callback>` as a script inside a private about:blank iframe:
 * no callback global touches the page, and removing the iframe cancels a
 * held request (a detached script tag would keep its connection until the
 * server answers). `done` gets the callback's argument, or why it failed.
 */
export function jsonpScript(url: string, timeout: number, done: (error: string | null, value?: unknown) => void): () => void {
  const frame = hidden('iframe');
  const win = frame.contentWindow as (Window & Record<string, unknown>) | null;
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
  if (!win) {
    finish('no iframe window');
    return cleanup;
  }
  win[name] = (value: unknown) => finish(null, value);
  const script = win.document.createElement('script');
  script.src = url + (url.includes('?') ? '&' : '?') + 'c=' + name;
  script.onerror = () => finish('script failed to load');
  // A script cut short still loads (with a syntax error) but never calls back: no need to wait it out.
  script.onload = () => finish('script ended without an answer');
  (win.document.body || win.document.documentElement).appendChild(script);
  return cleanup;
}

/** {@link jsonpScript} as a promise. */
export function jsonpCall(url: string, timeout: number): Promise<unknown> {
  return new Promise((resolve, reject) => {
    jsonpScript(url, timeout, (error, value) => (error ? reject(new Error(error)) : resolve(value)));
  });
}
