import { hidden, uniqueName } from './dom.js';

/** Loads `<url>&c=<callback>` as a script (every caller's `url` has its query already, `?t…`); `done` gets the callback's argument, or why it failed, once. */
export type Load = (url: string, timeout: number, done: (error: string | null, value?: unknown) => void) => void;

/**
 * A private srcdoc iframe for script-tag requests, and the function that
 * removes it: no callback global touches the page, and removing the iframe
 * cancels a held request (a detached script tag would keep its connection
 * until the server answers). One iframe serves a connection's every poll: a
 * fresh one per poll put its setup into every JSONP round trip. Loads run one
 * at a time (they share the timeout timer); each takes its script node and
 * callback away when it ends, however it ends.
 */
export function jsonpFrame(): [Load, () => void] {
  // srcdoc: a srcdoc document's requests send the page's URL as their Referer, which a server checking
  // origins needs for JSONP. An about:blank one sends none, nor (in WebKit) one the page has opened.
  // Its document comes a task later, on `load`.
  const frame = hidden('iframe', { srcdoc: '' });
  const ready = new Promise((resolve) => (frame.onload = resolve));
  let timer: ReturnType<typeof setTimeout> | undefined;
  const load: Load = (url, timeout, done) => {
    const name = uniqueName();
    let over = false;
    // Made at once, by the frame's document: where that is refused (a sandboxed page's frame, Trusted
    // Types refusing the URL), the load throws, and the tier cannot start. In once the frame is ready.
    const script = Object.assign((frame.contentWindow as Window).document.createElement('script'), {
      src: url + '&c=' + name,
      onerror: () => finish('script failed to load'),
      // A script cut short still loads (with a syntax error) but never calls back: no need to wait it out.
      onload: () => finish('script ended without an answer'),
    });
    const finish = (error: string | null, value?: unknown) => {
      if (over) return;
      over = true;
      clearTimeout(timer);
      script.remove();
      // (The frame's window, if the frame is still there: the callback is one of its globals.)
      delete (frame.contentWindow as (Window & Record<string, unknown>) | null)?.[name];
      done(error, value);
    };
    timer = setTimeout(finish, timeout, 'timed out after ' + timeout + ' ms');
    void ready.then(() => {
      if (over) return;
      (frame.contentWindow as Window & Record<string, unknown>)[name] = (value: unknown) => finish(null, value);
      (frame.contentDocument as Document).body.append(script);
    });
  };
  return [
    load,
    () => {
      clearTimeout(timer);
      frame.remove();
    },
  ];
}

/**
 * One script-tag request in a frame of its own, as a promise. The answer is copied through JSON: it
 * was made in that frame, and one object of it kept by the caller (the client keeps the /info answer
 * for as long as it lives) would keep the removed frame, its window and its document alive (~350 KiB).
 */
export function jsonpCall(url: string, timeout: number, signal?: AbortSignal): Promise<unknown> {
  const [load, remove] = jsonpFrame();
  const call = new Promise((resolve, reject) =>
    load(url, timeout, (error, value) => {
      remove();
      if (error) reject(new Error(error));
      else resolve(value);
    }),
    // In a then(): an answer JSON cannot copy (none at all, say) rejects the call rather than throwing
    // into the frame's script.
  ).then((value) => JSON.parse(JSON.stringify(value)) as unknown);
  // Given up (the client closed, maybe before the call began): the frame, its script and timer go at
  // once, and the call stays unsettled, as nobody waits for it.
  if (signal?.aborted) remove();
  signal?.addEventListener('abort', remove);
  return call;
}
