import { remove, uniqueName } from '../client/util/dom.js';
import { insert } from './dom.js';

/**
 * How long a script may still call back after IE reports it `loaded`: IE 9
 * and older have no reliable onerror on scripts and may report `loaded`
 * just before running the script.
 */
const GRACE = 1000;

/**
 * The one window global, named once per copy of the build, whose properties are the requests'
 * callbacks (`c=<holder>.<callback>`: SockJS servers take dots, and sockjs-client's own are `_jp.a…`).
 * IE 8 and older cannot delete a window property: a global per request would stay, blanked, for the
 * life of the page, thousands on a long JSONP session. An ordinary object's property deletes in every
 * engine; the holder goes too once empty, where the engine lets it.
 */
const HOLDER = uniqueName();
/** Callbacks in the holder. */
let held = 0;

type OldScript = HTMLScriptElement & { readyState?: string; onreadystatechange: (() => void) | null };

/**
 * Ends a request. `linger` ms > 0 keeps the callback (as a no-op) and the
 * script until the answer arrives or the time is up, so an answer already on
 * its way finds its callback instead of raising a script error in the page.
 */
export type Cancel = (linger?: number) => void;

/**
 * `GET <url>?c=<callback>` by script tag, the one cross-origin read an IE 7
 * page has. The callback, in the holder, is unique to this request; it and
 * the script are removed on every path: answer, failed load, `timeout` ms
 * without an answer (all an IE 8 page learns of a failure), and cancel.
 * `done` gets '' and the callback's argument, or the reason it failed.
 * (The modern build loads the script inside a private iframe instead, one
 * per connection: it needs no global.)
 */
export function jsonp(url: string, timeout: number, done: (error: string, value?: unknown) => void): Cancel {
  const globals = window as unknown as Record<string, Record<string, unknown> | undefined>;
  const holder = (globals[HOLDER] ||= {});
  const name = uniqueName();
  held++;
  const script = document.createElement('script') as OldScript;
  let report = done;
  let finished = false;
  let grace: ReturnType<typeof setTimeout> | undefined;
  const end = (error: string, value?: unknown) => {
    if (finished) return;
    finished = true;
    clearTimeout(timer);
    clearTimeout(grace);
    // Handlers on a removed node keep it alive in IE's separate DOM heap.
    script.onload = script.onerror = script.onreadystatechange = null;
    remove(script);
    // eslint-disable-next-line @typescript-eslint/no-dynamic-delete -- a per-request callback is the point
    delete holder[name];
    if (!--held) {
      try {
        // eslint-disable-next-line @typescript-eslint/no-dynamic-delete
        delete globals[HOLDER];
      } catch {
        // IE 8 and older refuse (and throw): the empty holder stays, for the next request
      }
    }
    report(error, value);
  };
  let timer = setTimeout(() => end('timed out after ' + timeout + ' ms'), timeout);
  const failed = () => end('script failed to load');
  holder[name] = (value: unknown) => end('', value);
  // onload and onerror fire after the script has run: no call by then means no answer.
  script.onload = script.onerror = failed;
  script.onreadystatechange = () => {
    if (!grace && /loaded|complete/.test(script.readyState as string)) grace = setTimeout(failed, GRACE);
  };
  // The server's Content-Type says UTF-8 too; this covers servers that omit the charset.
  script.setAttribute('charset', 'UTF-8');
  script.src = url + (url.indexOf('?') < 0 ? '?' : '&') + 'c=' + HOLDER + '.' + name;
  insert(script);
  return (linger) => {
    report = () => {};
    // (A request that has ended has nothing to wait for: no timer for it.)
    if (!linger || finished) return end('');
    clearTimeout(timer);
    timer = setTimeout(() => end(''), linger);
  };
}
