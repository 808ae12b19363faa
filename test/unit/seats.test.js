// Seats (src/client/seats.ts), driven through fake tiers: at most 4 clients of a service's origin hold
// a connection over HTTP/1.x, counted with Web Locks; the others try the tiers that hold none first. A
// seat is freed when its client closes or opens on such a tier, and one taken for a client closed
// meanwhile is freed at once. Without Web Locks, or over HTTP/2, clients order their tiers as before.
// (test/integration/seats.test.js runs real clients against a real server.)
import { createCoreClient } from '../../dist/cometkit.mjs';
import { assertEqual } from '../browser/support/echo.js';

const ORIGIN = 'https://seats.example';
const BASE = `${ORIGIN}/push`;
const INFO = () => Promise.resolve({ websocket: true, cors: true, rtt: 1, cometkit: { version: 1 } });

/** A tier that opens every connection at once; `hold` says it would hold a connection to the host. */
function fakeTier(name, hold) {
  const tier = {
    name,
    roundTrips: 1,
    hold,
    probe: INFO,
    unsupported: () => '',
    connect(ctx, sink) {
      setTimeout(() => sink.frame('o'));
      return { send() {}, close() {} };
    },
  };
  return tier;
}

function opened(client) {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no open: ${JSON.stringify(client.diagnostics())}`)), 3000);
    client.on('open', (event) => {
      clearTimeout(timer);
      resolve(event);
    });
  });
}

/** The names of the seats held now (the page's tabs together), and with `pending`, of those asked for. */
async function held(pending = false) {
  const { held, pending: asked } = await navigator.locks.query();
  return [...held, ...(pending ? asked : [])]
    .map((lock) => lock.name)
    .filter((name) => name.startsWith(`cometkit ${ORIGIN} `))
    .sort();
}

/**
 * Resolves once no seat is held or asked for; fails after 2 s. (A seat is freed, or a request for
 * one answered, a moment later, with no event to say so.)
 */
async function allFree(what) {
  const start = Date.now();
  let names;
  while ((names = await held(true)).length && Date.now() - start < 2000) await new Promise((resolve) => setTimeout(resolve, 10));
  assertEqual(JSON.stringify(names), '[]', what);
}

describe('seats (connections held to one host)', function () {
  const stream = fakeTier('xhr-streaming', true);
  const poll = fakeTier('polling', false);
  let clients = [];
  const make = (transports = [stream, poll], options = {}) => {
    const client = createCoreClient(BASE, { transports, remember: 0, upgradeInterval: 0, ...options });
    clients.push(client);
    return client;
  };
  const openOn = async (count, transports) => (await Promise.all(Array.from({ length: count }, () => opened(make(transports))))).map((e) => e.transport);

  afterEach(async function () {
    for (const client of clients) client.close();
    clients = [];
    await allFree('seats held after the test');
  });

  it('gives 4 clients a seat; the fifth tries the tiers that hold no connection first; a seat freed by close() goes to the next', async function () {
    assertEqual((await openOn(4)).join(' '), 'xhr-streaming xhr-streaming xhr-streaming xhr-streaming', 'the first four');
    assertEqual(JSON.stringify(await held()), JSON.stringify([0, 1, 2, 3].map((n) => `cometkit ${ORIGIN} ${n}`)), 'seats');
    const fifth = make();
    assertEqual((await opened(fifth)).transport, 'polling', 'the fifth');
    assertEqual(fifth.diagnostics().map((a) => a.transport).join(' '), 'polling', 'the fifth tried');
    clients[1].close();
    assertEqual((await openOn(1)).join(' '), 'xhr-streaming', 'the next, once one of the four left');
  });

  it('frees the seat of a client that opens on a tier holding no connection', async function () {
    assertEqual((await openOn(1, [poll, stream])).join(' '), 'polling', 'the first');
    // The seat it held while negotiating is free again: four more get one.
    assertEqual((await openOn(4)).join(' '), 'xhr-streaming xhr-streaming xhr-streaming xhr-streaming', 'the next four');
  });

  it('frees a seat taken for a client that was closed meanwhile', async function () {
    // The client closes while it asks for its first seat: the seat it is then given is freed at once.
    const locks = navigator.locks;
    const request = locks.request;
    let client;
    Object.defineProperty(locks, 'request', {
      configurable: true,
      value(...args) {
        delete locks.request;
        client.close();
        return request.apply(locks, args);
      },
    });
    try {
      client = make();
      await new Promise((resolve) => client.on('close', resolve));
    } finally {
      delete locks.request;
    }
    await allFree('seats held once it closed');
    assertEqual((await openOn(4)).join(' '), 'xhr-streaming xhr-streaming xhr-streaming xhr-streaming', 'four after it');
  });

  it('takes no seat for a re-upgrade once an open handler has closed the client', async function () {
    // A resumable session on a tier below one that failed, on a server that takes sessions over: the
    // re-upgrade timer (10 ms) would be due at once, were it set for a client closed on open.
    const info = () => Promise.resolve({ websocket: true, cors: true, rtt: 1, cometkit: { version: 1, takeover: true } });
    const refused = { ...fakeTier('xhr-streaming', true), probe: info, connect: (ctx, sink) => (setTimeout(() => sink.close('refused')), { send() {}, close() {} }) };
    const resumable = { ...fakeTier('polling', false), probe: info, connect: (ctx, sink) => (setTimeout(() => sink.frame('k0')), { send() {}, close() {} }) };
    const client = make([refused, resumable], { upgradeInterval: 10 });
    client.on('open', () => client.close());
    await new Promise((resolve) => client.on('close', resolve));
    assertEqual(client.diagnostics().map((a) => `${a.transport} ${a.outcome}`).join(', '), 'xhr-streaming failed, polling open', 'tried');
    // Well past the timer: what it would have asked for is held by then.
    await new Promise((resolve) => setTimeout(resolve, 100));
    assertEqual(JSON.stringify(await held(true)), '[]', 'seats held or asked for after close() in the open handler');
  });

  it('does not remember a tier it opened on for want of a seat as the one that worked', async function () {
    // The network memory (localStorage) is on for the fifth and the last client only.
    try {
      await openOn(4);
      const fifth = make(undefined, { remember: 60000 });
      assertEqual((await opened(fifth)).transport, 'polling', 'the fifth');
      for (const client of clients) client.close();
      await allFree('seats held once all closed');
      // Seats free again: the next page load (a fresh client with the memory) streams at once.
      const next = make(undefined, { remember: 60000 });
      assertEqual((await opened(next)).transport, 'xhr-streaming', 'the next client');
      assertEqual(next.diagnostics().map((a) => a.transport).join(' '), 'xhr-streaming', 'tried');
    } finally {
      localStorage.removeItem(`cometkit ${BASE}`);
    }
  });

  it('takes no seat over HTTP/2, where the host has no connection limit', async function () {
    const own = Object.getOwnPropertyDescriptor(performance, 'getEntries');
    Object.defineProperty(performance, 'getEntries', { configurable: true, value: () => [{ name: `${BASE}/info?t=1`, nextHopProtocol: 'h2' }] });
    try {
      assertEqual((await openOn(6)).join(' '), Array(6).fill('xhr-streaming').join(' '), 'six clients');
      assertEqual(JSON.stringify(await held()), '[]', 'seats');
    } finally {
      if (own) Object.defineProperty(performance, 'getEntries', own);
      else delete performance.getEntries;
    }
  });

  it('counts seats when only another port of the host speaks HTTP/2', async function () {
    const own = Object.getOwnPropertyDescriptor(performance, 'getEntries');
    Object.defineProperty(performance, 'getEntries', { configurable: true, value: () => [{ name: `${ORIGIN}:8443/info?t=1`, nextHopProtocol: 'h2' }] });
    try {
      assertEqual((await openOn(5)).sort().join(' '), 'polling xhr-streaming xhr-streaming xhr-streaming xhr-streaming', 'five clients');
    } finally {
      if (own) Object.defineProperty(performance, 'getEntries', own);
      else delete performance.getEntries;
    }
  });

  it('orders the tiers as before without Web Locks', async function () {
    Object.defineProperty(navigator, 'locks', { configurable: true, value: undefined });
    try {
      assertEqual((await openOn(6)).join(' '), Array(6).fill('xhr-streaming').join(' '), 'six clients');
    } finally {
      delete navigator.locks;
    }
  });
});
