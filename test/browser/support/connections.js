// What the benchmarks (test/bench/*.bench.js) drive: a connection to an echo service as
// { send(text), onMessage(fn), close() }, resolved once open, from a cometkit client (made by
// `create`, createClient of either build) or from stock sockjs-client (the page's global SockJS).
/* global SockJS */

export function cometkitConnection(create, url, options) {
  return new Promise((resolve, reject) => {
    const client = create(url, options);
    let handler = () => {};
    client.on('message', () => handler());
    client.on('error', ({ error }) => reject(error));
    client.on('open', () => resolve({ send: (m) => client.send(m), onMessage: (fn) => (handler = fn), close: () => client.close() }));
  });
}

/**
 * Stock sockjs-client deletes a JSONP poll's callback when the connection closes, but cannot stop the
 * script it already asked for: when the server answers that poll (at its next heartbeat, 25 s on),
 * the script calls a callback that is gone, an error in the page ("Script error." across origins)
 * that fails whichever benchmark runs then. Its registry (`window._jp`, made here before sockjs-client
 * makes its own) keeps a closed connection's callback as a no-op instead.
 */
function keepLateJsonpQuiet() {
  if (window._jp?.[QUIET]) return;
  const registry = { ...window._jp, [QUIET]: true };
  window._jp = new Proxy(registry, {
    deleteProperty(target, name) {
      target[name] = () => {};
      return true;
    },
  });
}
const QUIET = Symbol('late JSONP polls answered quietly');

export function sockjsConnection(url, transport) {
  keepLateJsonpQuiet();
  return new Promise((resolve, reject) => {
    const sock = new SockJS(url, null, { transports: [transport] });
    let handler = () => {};
    sock.onmessage = () => handler();
    sock.onclose = (e) => reject(new Error(`closed ${e.code}`));
    sock.onopen = () => resolve({ send: (m) => sock.send(m), onMessage: (fn) => (handler = fn), close: () => sock.close() });
  });
}
