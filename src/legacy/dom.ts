/**
 * The DOM an IE 7-class page has: DOM 0 properties, getElementsByTagName,
 * and either the standard event model or IE's attachEvent.
 */

type Listener = () => void;

/** Both event models, each possibly missing (IE 8 and older have only attachEvent). */
interface EventTargetLike {
  addEventListener?: (type: string, listener: Listener, capture: boolean) => void;
  removeEventListener?: (type: string, listener: Listener, capture: boolean) => void;
  attachEvent?: (type: string, listener: Listener) => void;
  detachEvent?: (type: string, listener: Listener) => void;
}

/**
 * Adds (`on`) or removes a listener: the standard way where it exists, IE's
 * attachEvent where that is all there is, and nothing where neither is
 * (a DOM 0 `on<type>` property would overwrite the page's own handler).
 * Called as methods, never through `.call`: IE 8 and older's DOM methods are
 * host objects without call/apply.
 */
export function listen(target: object, type: string, listener: Listener, on: boolean): void {
  const t = target as EventTargetLike;
  if (t.addEventListener && t.removeEventListener) {
    if (on) t.addEventListener(type, listener, false);
    else t.removeEventListener(type, listener, false);
  } else if (t.attachEvent && t.detachEvent) {
    if (on) t.attachEvent('on' + type, listener);
    else t.detachEvent('on' + type, listener);
  }
}

/** Milliseconds since the epoch (Date.now is ES5). */
export function now(): number {
  return new Date().getTime();
}

/**
 * Puts a node first in `<head>` (scripts) or `<body>` (forms, frames).
 * insertBefore rather than appendChild: IE 7 aborts the whole page
 * ("Operation aborted") when a script appends to an element still being parsed.
 */
export function insert(node: Node, inBody?: boolean): void {
  const parent = (inBody ? document.body : document.getElementsByTagName('head')[0]) || document.documentElement;
  parent.insertBefore(node, parent.firstChild);
}
