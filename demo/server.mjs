// `npm start`: the reference server on 127.0.0.1 with the demo pages, a chat
// room and a price ticker at /comet. PORT picks the port (0: any free one);
// the first line printed carries the actual URL.
//
// Messages are JSON text, one object each, told apart by `type`.
// Page → server:
//   {"type":"join","name":"ana"}          enter the chat room (again after each new session; harmless twice).
//                                         "format":"text" gets chat as plain lines, for pages without JSON.
//   {"type":"chat","text":"hi"}           say something; "name" may come along instead of a join
//   {"type":"subscribe","feed":"ticker"}  start (or "unsubscribe": stop) the price updates
//   {"type":"ping","id":7}                answered at once with {"type":"pong","id":7}, for round-trip times
//   anything that is not JSON             echoed back as it came
// Server → page:
//   {"type":"welcome","session":"…","transport":"…","started":…}   first, on every new session;
//                                         started: when this server started (ms since 1970):
//                                         chat ids count from 1 again after a restart.
//   {"type":"chat","id":12,"name":"ana","text":"hi","time":…}   also the recent ones, on joining
//   {"type":"presence","names":["ana","bo"]}
//   {"type":"tick","time":…,"prices":[{"symbol":"ACME","price":101.25,"change":0.31}]}   every 500 ms
//   {"type":"pong","id":7}, {"type":"error","text":"…"}
//
// POST /demo/cut?session=<id> destroys every socket that has carried a request of
// that session, and, if the session is open, for 2 s every new one, as a network failure
// would: the page sees the cut, not a goodbye.
import { readFile } from 'node:fs/promises';
import { extname, join, normalize } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createServer as createHttpServer } from 'node:http';
import { createServer } from '../dist/server.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const TYPES = {
  '.html': 'text/html;charset=UTF-8',
  '.js': 'application/javascript;charset=UTF-8',
  '.mjs': 'application/javascript;charset=UTF-8',
  '.css': 'text/css;charset=UTF-8',
  '.map': 'application/json',
  '.svg': 'image/svg+xml',
};
// Only these folders are served: the demo pages and the built client.
const MOUNTS = { '/dist/': 'dist', '/': 'demo' };

/** The request's path, percent-decoded; null when its escapes are not UTF-8. */
function pathOf(url) {
  // Read as sent: `new URL()` throws on `//` and takes `//x/app.js` for a host and a path.
  try {
    return decodeURIComponent(url.split('?', 1)[0]);
  } catch {
    return null;
  }
}

async function serveStatic(req, res) {
  const path = pathOf(req.url);
  if (path === null) {
    res.writeHead(400, { 'Content-Type': 'text/plain' });
    res.end('Bad request: the path is not valid percent-encoded UTF-8\n');
    return;
  }
  for (const [mount, dir] of Object.entries(MOUNTS)) {
    if (!path.startsWith(mount)) continue;
    const rel = normalize(path.slice(mount.length) || 'index.html');
    if (rel.startsWith('..')) break;
    try {
      const body = await readFile(join(root, dir, rel));
      res.writeHead(200, { 'Content-Type': TYPES[extname(rel)] ?? 'application/octet-stream', 'Cache-Control': 'no-cache' });
      res.end(body);
      return;
    } catch {
      break;
    }
  }
  res.writeHead(404, { 'Content-Type': 'text/plain' });
  res.end('Not found\n');
}

// A heartbeat every 5 s instead of 25 s: a forever-iframe cut mid-stream fires no event,
// so only missing heartbeats reveal it, and a demo should show that in seconds.
const comet = createServer({ prefix: '/comet', heartbeatDelay: 5000 });

// --- chat room and ticker -------------------------------------------------

const members = new Map(); // session → { name, text: whether it wants plain lines }
const subscribers = new Set();
const recent = []; // the last chat lines, so a page that lost its session sees what it missed
let nextChatId = 1;
const started = Date.now();

const json = (value) => JSON.stringify(value);
const chatLine = (m) => `${m.name}: ${m.text}`;

function presence() {
  // One name per person, however many tabs (or sessions a cut left behind for a while) they have.
  const text = json({ type: 'presence', names: [...new Set([...members.values()].map((m) => m.name))] });
  for (const [session, member] of members) if (!member.text) session.send(text);
}

function enter(session, name, text) {
  const known = members.get(session);
  members.set(session, { name, text });
  if (known?.name === name) return;
  for (const m of recent) session.send(text ? chatLine(m) : json(m));
  presence();
}

function say(name, text) {
  const m = { type: 'chat', id: nextChatId++, name, text, time: Date.now() };
  recent.push(m);
  if (recent.length > 20) recent.shift();
  for (const [session, member] of members) session.send(member.text ? chatLine(m) : json(m));
}

const clean = (value, max) => (typeof value === 'string' ? value.trim().slice(0, max) : '');

function onMessage(session, text) {
  let m;
  try {
    m = JSON.parse(text);
  } catch {
    session.send(text);
    return;
  }
  if (!m || typeof m !== 'object') return session.send(text);
  switch (m.type) {
    case 'ping':
      return session.send(json({ type: 'pong', id: m.id }));
    case 'join': {
      const name = clean(m.name, 24);
      if (!name) return session.send(json({ type: 'error', text: 'join needs a name' }));
      return enter(session, name, m.format === 'text');
    }
    case 'chat': {
      const name = members.get(session)?.name ?? clean(m.name, 24);
      const line = clean(m.text, 500);
      if (!name || !line) return session.send(json({ type: 'error', text: 'chat needs a name and a text' }));
      if (!members.has(session)) enter(session, name, false);
      return say(name, line);
    }
    case 'subscribe':
    case 'unsubscribe':
      if (m.feed !== 'ticker') return session.send(json({ type: 'error', text: `no feed ${json(m.feed)}` }));
      if (m.type === 'subscribe') subscribers.add(session);
      else subscribers.delete(session);
      return;
    default:
      return session.send(json({ type: 'error', text: `unknown type ${json(m.type)}` }));
  }
}

comet.on('connection', (session) => {
  session.send(json({ type: 'welcome', session: session.id, transport: session.info.transport, started }));
  session.on('message', (text) => onMessage(session, text));
  session.on('close', () => {
    subscribers.delete(session);
    if (members.delete(session)) presence();
  });
});

const prices = { ACME: 101.5, GLOBEX: 48.2, INITECH: 12.75, UMBRELLA: 230.1 };
setInterval(() => {
  if (subscribers.size === 0) return;
  const list = Object.keys(prices).map((symbol) => {
    // A random walk of at most ±0.4 % a step, kept off zero.
    const before = prices[symbol];
    const price = Math.max(0.01, Math.round(before * (1 + (Math.random() - 0.5) * 0.008) * 100) / 100);
    prices[symbol] = price;
    return { symbol, price, change: Math.round((price - before) * 100) / 100 };
  });
  const text = json({ type: 'tick', time: Date.now(), prices: list });
  for (const session of subscribers) session.send(text);
}, 500);

// --- network cuts ---------------------------------------------------------

// Session id → the sockets that carried its requests (keep-alive sockets move between
// requests, so a socket can belong to several sessions of one browser).
const sockets = new Map();
// Socket → the session ids it carried: one 'close' listener per socket untags it from all of
// them (one per id piled up on a keep-alive socket that carries session after session).
const carried = new WeakMap();
// Session id → how many open sessions have it (a WebSocket may open one on an id in use).
const openSessions = new Map();
const SESSION_URL = /^\/comet\/[^/.]+\/([^/.]+)\//;
// Session id → when its blackout ends. Without one, a tier that opens a fresh request for
// each poll would not notice an instant cut at all: a real outage lasts a while.
const blackouts = new Map();
const BLACKOUT_MS = 2000;

/** Tags the socket with the request's session; null when it is cut off and destroyed. */
function track(socket, url) {
  const id = SESSION_URL.exec(url ?? '')?.[1];
  if (!id) return '';
  if (blackouts.get(id) > Date.now()) {
    socket.destroy();
    return null;
  }
  let set = sockets.get(id);
  if (!set) sockets.set(id, (set = new Set()));
  set.add(socket);
  let ids = carried.get(socket);
  if (!ids) {
    carried.set(socket, (ids = new Set()));
    socket.once('close', () => {
      for (const id of ids) untag(socket, id);
    });
  }
  ids.add(id);
  return id;
}

function untag(socket, id) {
  carried.get(socket)?.delete(id);
  const set = sockets.get(id);
  if (!set?.delete(socket)) return;
  if (set.size === 0) sockets.delete(id);
}

comet.on('connection', (session) => {
  openSessions.set(session.id, (openSessions.get(session.id) ?? 0) + 1);
  session.on('close', () => {
    const left = openSessions.get(session.id) - 1;
    if (left > 0) {
      openSessions.set(session.id, left);
      return;
    }
    openSessions.delete(session.id);
    // A closed session cannot be cut: its sockets need not remember it.
    for (const socket of sockets.get(session.id) ?? []) untag(socket, session.id);
  });
});

function cut(req, res) {
  const id = new URL(req.url, 'http://x').searchParams.get('session') ?? '';
  // The page's own request may ride a socket that once carried the session's: spare it.
  const victims = [...(sockets.get(id) ?? [])].filter((s) => s !== req.socket);
  for (const socket of victims) socket.destroy();
  // Only an open session gets one, and only for its length: any id can be posted here.
  if (openSessions.has(id)) {
    const end = Date.now() + BLACKOUT_MS;
    blackouts.set(id, end);
    setTimeout(() => {
      if (blackouts.get(id) === end) blackouts.delete(id);
    }, BLACKOUT_MS);
  }
  res.writeHead(200, { 'Content-Type': 'application/json', 'Cache-Control': 'no-store' });
  res.end(json({ session: id, sockets: victims.length }));
}

// --- HTTP -----------------------------------------------------------------

const http = createHttpServer((req, res) => {
  const id = track(req.socket, req.url);
  if (id === null) return;
  // A request that opened no session (a bad id, a 404) leaves no tag on its keep-alive socket.
  if (id) {
    res.once('close', () => {
      if (!openSessions.has(id)) untag(req.socket, id);
    });
  }
  if (req.method === 'POST' && req.url.startsWith('/demo/cut?')) return cut(req, res);
  if (!comet.handleRequest(req, res)) serveStatic(req, res).catch((error) => failed(res, error));
});

// One bad request must not end the demo for everyone: a rejection left unhandled exits the process.
function failed(res, error) {
  console.error('demo: serving a file failed:', error);
  if (res.headersSent) {
    res.destroy();
    return;
  }
  res.writeHead(500, { 'Content-Type': 'text/plain' });
  res.end('Internal server error\n');
}
http.on('upgrade', (req, socket, head) => {
  if (track(socket, req.url) === null) return;
  if (!comet.handleUpgrade(req, socket, head)) socket.destroy();
});

http.listen(Number(process.env.PORT ?? 8080), '127.0.0.1', () => {
  const { port } = http.address();
  console.log(`cometkit demo on http://127.0.0.1:${port}/ (service at http://127.0.0.1:${port}/comet)`);
});
