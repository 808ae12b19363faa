import { remove, uniqueName } from '../client/util/dom.js';
import { insert } from './dom.js';

type OldFrame = HTMLIFrameElement & { readyState?: string; onreadystatechange: (() => void) | null };

/**
 * POSTs `data` (as form field `d`, or no field) by a hidden form into a
 * hidden iframe: the one upstream path an IE 7 page has across origins, with
 * no XHR and no CORS. `done(true)` once the iframe loads (the answer is on the
 * server's origin and unreadable: arriving is all a page learns), `done(false)`
 * after `timeout` ms without. Both nodes are removed either way. Returns a
 * function that removes them at once (cancelling the post if still running).
 * src/client/control.ts has the same idea but names the frame after creating
 * it and listens with onload only, which IE 7 and 8 ignore on such frames.
 */
export function formPost(url: string, data: string | null, timeout: number, done: (ok: boolean, framed?: boolean) => void): () => void {
  const name = uniqueName();
  let frame: OldFrame;
  try {
    // IE 7 ignores a name set after creation: the form would open a new window.
    frame = document.createElement('<iframe name="' + name + '">') as OldFrame;
  } catch {
    frame = document.createElement('iframe') as OldFrame;
    frame.name = name;
  }
  const form = document.createElement('form');
  form.style.display = frame.style.display = 'none';
  form.method = 'POST';
  form.action = url;
  form.target = name;
  if (data != null) {
    const field = document.createElement('textarea');
    field.name = 'd';
    field.value = data;
    form.appendChild(field);
  }
  const cleanup = () => {
    clearTimeout(timer);
    frame.onload = frame.onreadystatechange = null;
    remove(form);
    remove(frame);
  };
  const end = (ok: boolean) => {
    // The answer page is unreadable across origins, but its child frames can be counted: a resuming
    // client's answer has one, an error page for a cut post none. Where even that is refused, it
    // counts as an answer.
    let framed = true;
    try {
      framed = ok && (frame.contentWindow as Window).length > 0;
    } catch {
      // counted as framed
    }
    cleanup();
    done(ok, framed);
  };
  insert(frame, true);
  insert(form, true);
  form.submit();
  const timer = setTimeout(() => end(false), timeout);
  // Handlers come after submit(), and the blank document's own load (late
  // in some engines) is not the answer: only the server's page counts.
  frame.onload = frame.onreadystatechange = () => {
    try {
      if ((frame.contentWindow as Window).location.href == 'about:blank') return;
    } catch {
      // another origin's page: the answer (a frame without a window throws too, and goes on alike)
    }
    if (!frame.readyState || frame.readyState == 'complete') end(true);
  };
  return cleanup;
}
