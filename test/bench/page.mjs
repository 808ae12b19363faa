// What the Chromium benchmarks (profile.mjs, memory.mjs) share: an echo service on a cometkit server
// (`/echo`, `options` as for createServer) and, on the same origin, an empty page (`/`) and the built
// client (`/cometkit.mjs`). Resolves { origin, close() }.
import { readFile } from 'node:fs/promises';
import { createServer as createHttpServer } from 'node:http';
import { createServer } from '../../dist/server.js';

const dist = new URL('../../dist/', import.meta.url);

export async function serveEchoPage(options = {}) {
  const comet = createServer({ prefix: '/echo', ...options });
  comet.on('connection', (session) => session.on('message', (text) => session.send(text)));
  const http = createHttpServer(async (req, res) => {
    if (req.url === '/') return res.writeHead(200, { 'Content-Type': 'text/html' }).end('<!doctype html><title>bench</title>');
    if (req.url === '/cometkit.mjs') return res.writeHead(200, { 'Content-Type': 'text/javascript' }).end(await readFile(new URL('cometkit.mjs', dist)));
    res.writeHead(404).end();
  });
  comet.attach(http);
  await new Promise((resolve) => http.listen(0, '127.0.0.1', resolve));
  return {
    origin: `http://127.0.0.1:${http.address().port}`,
    close() {
      http.closeAllConnections();
      http.close();
    },
  };
}
