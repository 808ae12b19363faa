/**
 * The forever-iframe bridge page, one source for both sides: the cometkit
 * server serves it as `/iframe-cometkit.html`, which the client loads whenever
 * /info shows a cometkit server, and the client loads it from a blob: URL for
 * other servers on the page's origin (a blob document has the page's origin
 * without sharing its document.domain state, which an about:blank frame would).
 *
 * Its hash carries `[parentOrigin, htmlfileUrl, callbackName, query]`: the
 * htmlfile URL ends at its callback (`…/htmlfile?c=<name>`), and `query` (`&…`
 * or '') is the first request's (the service URL's own, the tuning, `&pos=…`).
 * It loads only an htmlfile URL on its own origin and posts each frame to the
 * parent's origin alone: `f<frame>`, `x` when the htmlfile has ended (at the
 * server's size limit, or cut), or `e<reason>` when the stream cannot start,
 * each after the callback name: the parent takes posts with its own only (a page
 * that frames the parent can navigate the bridge's frame to this page with a hash
 * of its own making, but cannot read the parent's name). It
 * reopens the htmlfile when the parent says `r<query>`, with that query (the
 * renewal's: `&ack=…`, the client's position, in place of `&pos=…`) after the
 * same URL. A query cannot leave the URL's path: it starts with `&` or is empty.
 * Modern syntax: only the ES2020 client loads it (the legacy build has no iframe tier).
 */
// Kept terse by hand: the client bundle carries it. In order: read the hash;
// refuse any URL that is not an htmlfile on this origin ending at its callback;
// set document.domain (the htmlfile page sets it, and Firefox then lets it reach
// only a parent that did too); open the htmlfile with the first query; on its
// end tell the parent and wait for `r`, whose query must start with `&`.
// Messages from the parent count only from the parent's own origin.
// The optional tags left out: the parser makes the same html, head and body. `<body>` stays,
// so the script runs in the body, where document.body exists for it.
// One expression of literals, page and script together: a bundler that cannot tell
// `literal + constant` free of side effects (esbuild) kept it, unused, in bundles without the iframe tier.
export const BRIDGE_PAGE =
  '<!doctype html><meta charset=utf-8><body><script>' +
  'let[o,u,k,q]=JSON.parse(decodeURIComponent(location.hash.slice(1))),c,f,E="ehtmlfile did not start",p=d=>parent.postMessage(k+d,o),' +
  'n=d=>{if(/^r(&|$)/.test(d)){let m=c={};f?.remove();f=document.createElement("iframe");f.onload=()=>c==m&&!m.s&&p(E);f.src=u+d.slice(1);document.body.append(f)}};' +
  'if(/\\/htmlfile\\?c=[\\w.-]+$/.test(u)&&new URL(u,location).origin==location.origin){' +
  'try{document.domain=document.domain}catch{}' +
  'onmessage=e=>{e.source==parent&&e.origin==o&&n(e.data+"")};' +
  'self[k]={start(){c.s=1},message:d=>p("f"+d),stop:()=>p(c.s?"x":E)};n("r"+q)}' +
  '</script>';
