// What test/network/hosts.e2e.mjs and test/bench/hosts.mjs share: the app both serve (over HTTP/1.1,
// HTTP/2, or behind nginx) and the page function that opens many clients at once.
import { readFile } from 'node:fs/promises';
import { createServer } from '../../dist/server.js';

const dist = new URL('../../dist/', import.meta.url);
const PAGE = '<!doctype html><meta charset="utf-8"><title>hosts</title><body>';

/** The app on `server` (node:http or node:http2): an echo service at /comet; outside it, dist/ files and a blank page. */
export function app(server) {
  // Before attach(), which hands it what is outside the prefix.
  server.on('request', async (req, res) => {
    if (req.url.startsWith('/dist/')) {
      const body = await readFile(new URL(req.url.slice(6), dist)).catch(() => null);
      res.writeHead(body ? 200 : 404, { 'Content-Type': 'text/javascript; charset=utf-8' });
      return res.end(body);
    }
    res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' });
    res.end(PAGE);
  });
  const comet = createServer({ prefix: '/comet' });
  comet.on('connection', (session) => session.on('message', (text) => session.send(text)));
  comet.attach(server);
  return server;
}

/** Resolves with the port once `server` listens on a free loopback port. */
export const listening = (server) => new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server.address().port)));

/**
 * Runs in the page (page.evaluate): `clients` clients on `tier`, each sending `echoes` messages once
 * open. Resolves when every client has all its echoes, or after `wait` ms with what arrived.
 * state[i]: { transport, opened, done (ms from the start), got, errors }; protocols: nextHopProtocol of
 * the page's requests to the service; page: the page's own.
 */
export function run({ tier, clients, echoes, wait }) {
  return import('/dist/cometkit.mjs').then(({ createClient }) => {
    const started = performance.now();
    const ms = () => Math.round(performance.now() - started);
    const state = Array.from({ length: clients }, () => ({ transport: null, opened: null, done: null, got: [], errors: [] }));
    const all = [];
    return new Promise((resolve) => {
      const finish = () => {
        for (const client of all) client.close();
        const protocols = performance
          .getEntriesByType('resource')
          .filter((e) => e.name.includes('/comet/'))
          .map((e) => e.nextHopProtocol);
        resolve({ state, protocols, page: performance.getEntriesByType('navigation')[0].nextHopProtocol });
      };
      const timer = setTimeout(finish, wait);
      state.forEach((s, i) => {
        const client = createClient('/comet', { transports: [tier], remember: 0 });
        all.push(client);
        client.on('open', ({ transport }) => {
          s.transport = transport;
          s.opened = ms();
          for (let n = 0; n < echoes; n++) client.send(`client ${i} message ${n} zażółć`);
        });
        client.on('error', ({ error }) => s.errors.push(error.message));
        client.on('message', ({ data }) => {
          s.got.push(data);
          if (s.got.length == echoes) s.done = ms();
          if (state.every((x) => x.got.length >= echoes)) {
            clearTimeout(timer);
            finish();
          }
        });
      });
    });
  });
}
