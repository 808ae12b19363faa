/**
 * The forever-iframe bridge page, one source for both sides: the cometkit
 * server serves it as `/iframe-cometkit.html` for cross-origin pages, and the
 * client loads it from a blob: URL when the service is on the page's origin
 * (a blob document has the page's origin without sharing its document.domain
 * state, which an about:blank frame would).
 *
 * Its hash carries `[parentOrigin, htmlfileUrl, callbackName]`. It loads only
 * an htmlfile URL on its own origin, reopens it each time the server ends a
 * response at its size limit, and posts each frame to the parent's origin
 * alone: `f<frame>`, or `e<reason>` when the stream cannot start.
 * ES5 on purpose: it runs in whatever browser loads it.
 */
export const BRIDGE_SCRIPT = `(function () {
  var h = JSON.parse(decodeURIComponent(location.hash.slice(1))), origin = h[0], url = h[1], current, frame;
  if (!/\\/htmlfile\\?c=[\\w.-]+$/.test(url) || new URL(url, location.href).origin != location.origin) return;
  // The htmlfile page sets document.domain; Firefox then lets it reach only a parent that did too.
  try { document.domain = document.domain; } catch (e) {}
  function post(d) { parent.postMessage(d, origin); }
  function open() {
    var me = current = {};
    if (frame) frame.parentNode.removeChild(frame);
    frame = document.createElement('iframe');
    frame.onload = function () { if (current == me && !me.s) post('ehtmlfile did not start'); };
    frame.src = url;
    document.body.appendChild(frame);
  }
  window[h[2]] = {
    start: function () { current.s = 1; },
    message: function (d) { post('f' + d); },
    stop: function () { if (current.s) open(); else post('ehtmlfile did not start'); }
  };
  open();
})();`;

export const BRIDGE_PAGE = '<!doctype html><html><head><meta charset="utf-8"></head><body><script>' + BRIDGE_SCRIPT + '</script></body></html>';
