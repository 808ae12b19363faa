import { createHash } from 'node:crypto';

/**
 * cometkit's cross-origin forever-iframe bridge, served as `/iframe-cometkit.html`.
 * The page's hash names the parent's origin, a `htmlfile` URL on this server
 * and the callback name. It loads only this server's htmlfile endpoint,
 * reopens it when the server ends a response at its size limit, and posts
 * each frame to the parent's origin alone (`f<frame>`, or `e<reason>`).
 */
const BODY = `<!doctype html>
<html><head><meta charset="utf-8"><title>cometkit bridge</title></head><body><script>
(function () {
  var h = JSON.parse(decodeURIComponent(location.hash.slice(1)));
  var origin = h[0], url = h[1], name = h[2], current, frame;
  if (parent === window || new URL(url, location.href).origin !== location.origin || !/\\/htmlfile\\?c=[\\w.-]+$/.test(url)) return;
  function post(d) { parent.postMessage(d, origin); }
  function open() {
    var me = { started: false };
    current = me;
    if (frame) frame.parentNode.removeChild(frame);
    frame = document.createElement('iframe');
    frame.src = url;
    frame.onload = function () { if (current === me && !me.started) post('ehtmlfile did not start'); };
    document.body.appendChild(frame);
  }
  window[name] = {
    start: function () { current.started = true; },
    message: function (d) { post('f' + d); },
    stop: function () { if (current.started) open(); else post('ehtmlfile did not start'); }
  };
  open();
})();
</script></body></html>
`;

export const BRIDGE_PATH = '/iframe-cometkit.html';

export const bridgePage = {
  body: BODY,
  etag: '"' + createHash('sha1').update(BODY).digest('base64') + '"',
};
