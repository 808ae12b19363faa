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

export function sockjsConnection(url, transport) {
  return new Promise((resolve, reject) => {
    const sock = new SockJS(url, null, { transports: [transport] });
    let handler = () => {};
    sock.onmessage = () => handler();
    sock.onclose = (e) => reject(new Error(`closed ${e.code}`));
    sock.onopen = () => resolve({ send: (m) => sock.send(m), onMessage: (fn) => (handler = fn), close: () => sock.close() });
  });
}
