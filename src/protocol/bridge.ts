/**
 * The forever-iframe bridge page, one source for both sides: the cometkit
 * server serves it as `/iframe-cometkit.html` for cross-origin pages, and the
 * client loads it from a blob: URL when the service is on the page's origin
 * (a blob document has the page's origin without sharing its document.domain
 * state, which an about:blank frame would).
 *
 * Its hash carries `[parentOrigin, htmlfileUrl, callbackName]`. It loads only
 * an htmlfile URL on its own origin and posts each frame to the parent's origin
 * alone: `f<frame>`, `x` when the htmlfile has ended (at the server's size
 * limit, or cut), or `e<reason>` when the stream cannot start. It reopens the
 * htmlfile when the parent says `r<query>`, with that query (`&ack=…`, the
 * client's position) in place of the first request's `&pos=…`.
 * ES5 on purpose: it runs in whatever browser loads it.
 */
// Kept terse by hand: the client bundle carries it. In order: read the hash;
// refuse any URL that is not an htmlfile on this origin; set document.domain
// (the htmlfile page sets it, and Firefox then lets it reach only a parent
// that did too); open the htmlfile; on its end tell the parent and wait for
// `r`, whose query must be `&name=digits` pairs. Messages from the parent count
// only from the parent's own origin.
export const BRIDGE_SCRIPT =
  'var h=JSON.parse(decodeURIComponent(location.hash.slice(1))),o=h[0],u=h[1],c,f;' +
  'function p(d){parent.postMessage(d,o)}' +
  'function n(){var m=c={};f&&f.parentNode.removeChild(f);f=document.createElement("iframe");' +
  'f.onload=function(){c==m&&!m.s&&p("ehtmlfile did not start")};f.src=u;u=u.replace(/&pos=\\d+/,"");document.body.appendChild(f)}' +
  'if(/\\/htmlfile\\?c=[\\w.-]+(&\\w+=\\d+)*$/.test(u)&&new URL(u,location.href).origin==location.origin){' +
  'try{document.domain=document.domain}catch(e){}' +
  'addEventListener("message",function(e){var d=String(e.data);if(e.source==parent&&e.origin==o&&d.charAt(0)=="r"&&/^(&\\w+=\\d+)*$/.test(d=d.slice(1))){u=u.replace(/&ack=\\d+/,"")+d;n()}});' +
  'window[h[2]]={start:function(){c.s=1},message:function(d){p("f"+d)},stop:function(){p(c.s?"x":"ehtmlfile did not start")}};n()}';

// The optional tags left out: the parser makes the same html, head and body. `<body>` stays,
// so the script runs in the body, where document.body exists for it.
export const BRIDGE_PAGE = '<!doctype html><meta charset="utf-8"><body><script>' + BRIDGE_SCRIPT + '</script>';
