// Many clients of one host over HTTP/1.1, as many tabs of an app would be: a browser opens at most 6
// connections to a host, for all its tabs, and each client on a tier that holds one (a stream, a held
// poll) keeps it. Without seats, 6 such clients left nothing for their sends (each waited out its
// timeout) and the others found every tier timing out. With seats (src/client/seats.ts, Web Locks
// shared by the page's tabs) at most 4 clients hold a connection, the others open on plain polling and
// climb back once a seat is free. A server instance of its own: its own connection pool and seat names.
import { createClient } from '../../dist/cometkit.mjs';
import { echo, next, opened } from '../browser/support/client.js';
import { ownServer } from '../browser/support/admin.js';
import { assertEqual } from '../browser/support/echo.js';

const HTTP_TIERS = ['xhr-streaming', 'iframe', 'jsonp', 'polling'];
const HOLDING = ['xhr-streaming', 'iframe', 'jsonp'];
const SEATS = 4;

describe('many clients of one host over HTTP/1.1 (seats)', function () {
  this.timeout(30000);
  const instance = ownServer();
  let clients = [];

  afterEach(() => {
    for (const client of clients) if (client.state !== 'closed') client.close();
    clients = [];
  });

  const start = (count, options = {}) => {
    const list = Array.from({ length: count }, () => createClient(`${instance.url}/echo`, { transports: HTTP_TIERS, remember: 0, upgradeInterval: 0, ...options }));
    clients.push(...list);
    return list;
  };

  it('ten clients all open at once and echo: four hold a connection, the others poll', async function () {
    const list = start(10);
    const opens = await Promise.all(list.map((client) => opened(client, 10000)));
    const on = opens.map((o) => o.transport);
    const holding = on.filter((t) => HOLDING.includes(t));
    assertEqual(holding.length, SEATS, `clients on a holding tier (${on})`);
    assertEqual(on.filter((t) => t == 'polling').length, 10 - SEATS, `clients on polling (${on})`);
    // Every client's sends get through, the holding ones' too: two connections are left for them.
    await Promise.all(list.map((client, i) => echo(client, [`client ${i} one`, `client ${i} two zażółć`, `client ${i} three`], 10000)));
    // Each on its first try: none waited for a connection until a tier timed out.
    for (const [i, client] of list.entries()) assertEqual(client.diagnostics().length, 1, `client ${i}'s tries (${JSON.stringify(client.diagnostics())})`);
    console.log(`[seats] 10 clients over HTTP/1.1: ${on.join(', ')}`);
  });

  it('a client without a seat climbs to a holding tier once one is free, and not before', async function () {
    const seated = start(SEATS);
    await Promise.all(seated.map((client) => opened(client, 10000)));
    const [late] = start(1, { upgradeInterval: 200 });
    assertEqual((await opened(late, 10000)).transport, 'polling', 'the fifth client opens on');
    const climbs = [];
    late.on('transport', (event) => climbs.push(event));
    // Every try (every 200 ms) asks for each of the 4 seats and finds it taken: it stays put. Three
    // tries are awaited by counting the asks (the page's other clients hold theirs meanwhile).
    const locks = navigator.locks;
    const request = locks.request;
    let asks = 0;
    const tries = new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`${asks} asks for a seat within 5 s`)), 5000);
      Object.defineProperty(locks, 'request', {
        configurable: true,
        value(...args) {
          if (String(args[0]).startsWith('cometkit ') && ++asks == 3 * SEATS) {
            clearTimeout(timer);
            resolve();
          }
          return request.apply(locks, args);
        },
      });
    });
    try {
      await echo(late, ['while the seats are taken'], 5000);
      await tries;
    } finally {
      delete locks.request;
    }
    assertEqual(JSON.stringify(climbs), '[]', 'moves while every seat was taken');
    assertEqual(late.transport, 'polling', 'still on');

    seated[0].close();
    const moved = await next(late, 'transport', 5000);
    assertEqual(JSON.stringify(moved), JSON.stringify({ from: 'polling', to: 'xhr-streaming', reason: 're-upgrade' }), 'the move');
    await echo(late, ['on its seat'], 5000);
    await Promise.all(seated.slice(1).map((client, i) => echo(client, [`seated ${i}`], 5000)));
  });
});
