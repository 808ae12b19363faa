// A gate in front of a test server's /token_echo service, as an API gateway in front of a push
// service would be: every request under it (WebSocket upgrades and CORS preflights included) must
// carry `token=<GATE_TOKEN>` in its query, or it is refused with 403. What the gate saw is readable
// cross-origin: `GET /gate/log` answers `{ seen, refused }`, the method and URL of each request.

import { GATE_PREFIX, GATE_TOKEN } from '../browser/support/gate.js';

export { GATE_PREFIX, GATE_TOKEN };

/** The most entries the log keeps (tests read only their own, marked by a query parameter of theirs). */
const LOG_LIMIT = 5000;

/** Wraps the server's request and upgrade listeners (install it after the services). */
export function installGate(http) {
  const seen = [];
  const refused = [];
  const keep = (list, entry) => {
    list.push(entry);
    if (list.length > LOG_LIMIT) list.shift();
  };
  for (const event of ['request', 'upgrade']) {
    const listeners = http.listeners(event);
    http.removeAllListeners(event);
    http.on(event, (req, second, head) => {
      const url = new URL(req.url ?? '/', 'http://gate');
      if (event === 'request' && url.pathname === '/gate/log') {
        second.writeHead(200, { 'Content-Type': 'application/json', 'Access-Control-Allow-Origin': '*', 'Cache-Control': 'no-store' });
        second.end(JSON.stringify({ seen, refused }));
        return;
      }
      if (url.pathname === GATE_PREFIX || url.pathname.startsWith(GATE_PREFIX + '/')) {
        const entry = `${req.method} ${req.url}`;
        keep(seen, entry);
        if (url.searchParams.get('token') !== GATE_TOKEN) {
          keep(refused, entry);
          if (event === 'request') {
            // With CORS headers, so that the page sees the 403 rather than a network error.
            second.writeHead(403, { 'Access-Control-Allow-Origin': req.headers.origin ?? '*', 'Access-Control-Allow-Credentials': 'true' });
            second.end();
          } else {
            second.end('HTTP/1.1 403 Forbidden\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
          }
          return;
        }
      }
      for (const listener of listeners) listener.call(http, req, second, head);
    });
  }
}
