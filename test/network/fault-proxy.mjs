// A small fault-injecting HTTP + WebSocket proxy for the "proxies and hostile networks" tests:
// a transparent proxy in front of one upstream whose faults a test turns on and off at run time.
//
//   const proxy = await startFaultProxy({ upstream: 'http://127.0.0.1:8080', latency: 50 });
//   proxy.setFaults({ killIdleAfter: 2000 });    // the network turns hostile mid-session
//   proxy.stats  // { requests, upgrades, refused, kills, cuts, active }
//   await proxy.stop();
//
// Faults (0 / false = off; setFaults(partial) changes them for new and live connections alike):
//   refuseUpgrade: false | 400 | 403 | 502  answer upgrade requests with that status (never reaching upstream)
//   silentUpgrade: boolean   answer upgrades 101 (with a valid Sec-WebSocket-Accept) but forward
//                            nothing either way; turned on mid-session it also black-holes the live
//                            upgraded connections (for good: bytes were dropped mid-frame)
//   bufferBytes: n           hold each HTTP response (headers too, as nginx does) until n body bytes have
//                            accumulated or it ends, then release what is held, again and again
//                            (a buffering proxy); turning it off releases what is held at once
//   latency: ms              delay every chunk, both ways, order kept (request and response heads too,
//                            so a request/response round trip takes ≥ 2 × latency)
//   rate: bytes per second   pace the body bytes going to the client (HTTP response bodies, WebSocket
//                            bytes after the 101 head) of each connection at that rate, in pieces of
//                            at most a twentieth of it, as a slow link would; read when a chunk arrives
//   killAfter: ms            destroy a request (its client connection and its upstream request) or
//                            an upgraded connection ms after it started
//   killIdleAfter: ms        destroy it when no byte arrived from either side for ms
//   cutAfterBytes: n         cut a response after n body bytes have gone to the client (WebSocket:
//                            n bytes from the upstream after its 101 head): the bytes before the cut
//                            arrive, then the connection dies (no terminating chunk)
//   cutRandom: { seed, min, max }  destroy each connection (HTTP request or upgraded WebSocket) after a
//                            seeded pseudo-random number of bytes in [min, max] (integers, 1 ≤ min ≤ max),
//                            counted across both directions: request body + response body (heads not
//                            counted), or both directions of a WebSocket after its 101 head. The bytes
//                            before the cut go through, then both sides are destroyed, so cuts land
//                            mid-request, mid-response and mid-frame. The n-th connection the fault
//                            applies to gets the n-th draw of mulberry32(seed) (randomCuts() below):
//                            the same sequence of connections is cut at the same points for a seed.
//                            Setting it (again) restarts the sequence; a live connection draws anew.
//   swallowSends: n         swallow the next n send requests (xhr_send, jsonp_send): read, never
//                            forwarded or answered, as on a keep-alive connection that a NAT dropped
//                            without a word; counts down (stats.swallowed counts them), until the
//                            client gives up on them or the proxy stops
//   failSends: n            answer the next n send requests (xhr_send, jsonp_send) with a 502 error page
//                            (no CORS headers), never forwarding them, as a proxy does when its upstream
//                            connection fails: to a no-cors fetch, an answer like any other; counts
//                            down (stats.failed counts them)
//   delayReceives: ms        hold each receiving request (xhr, poll, jsonp, xhr_streaming, htmlfile,
//                            eventsource) that long before forwarding it, as a slower path for them
//                            would: sends and everything else go at once, so a send made after a
//                            poll can reach the server first (stats.delayed counts them)
//   refuseBodiesOver: n      answer 413 to a request whose Content-Length is over n bytes, never
//                            forwarding it, as nginx does past its client_max_body_size: the body is
//                            read and dropped, then a plain 413 page (no CORS headers) with
//                            Connection: close (stats.tooLarge counts them)
// Timed and counted faults run from when they began to apply to a connection: a connection that
// was already open when setFaults({ killAfter: 500 }) ran dies 500 ms later, not at once.
//
// stats: requests (HTTP requests, upgrades excluded, swallowed and refused ones included), swallowed (by
// swallowSends), failed (answered 502 by failSends), tooLarge (answered 413 by refuseBodiesOver), upgrades (upgrade requests, refused ones included), refused (upgrades answered by refuseUpgrade), kills (connections destroyed on purpose:
// killAfter, killIdleAfter, cutAfterBytes and cutRandom), cuts (of which by cutAfterBytes or
// cutRandom), active (requests and upgraded connections in progress).
//
// Streaming: with bufferBytes 0 every upstream chunk is written to the client as it arrives
// (headers flushed at once, Nagle off both ways). The upstream's Transfer-Encoding is re-framed:
// Node decodes the upstream's chunks and writes each one as a chunk of its own to an HTTP/1.1
// client; Content-Length responses keep their length. Uses node:http, node:net and (for the
// Sec-WebSocket-Accept of silentUpgrade) node:crypto: upgrades are piped as raw sockets.
// Each HTTP request gets its own upstream connection, so a kill takes down exactly that one.
// No backpressure: chunks are queued in memory, which suits test-sized traffic only.
import { createHash } from 'node:crypto';
import { STATUS_CODES, createServer, request as httpRequest } from 'node:http';
import { connect } from 'node:net';
import { mulberry32 } from '../browser/support/random.js';

const DEFAULT_FAULTS = Object.freeze({
  refuseUpgrade: false,
  silentUpgrade: false,
  bufferBytes: 0,
  latency: 0,
  rate: 0,
  killAfter: 0,
  killIdleAfter: 0,
  cutAfterBytes: 0,
  cutRandom: false,
  swallowSends: 0,
  failSends: 0,
  refuseBodiesOver: 0,
  delayReceives: 0,
});
/** Send requests, which swallowSends and failSends take; receiving ones (polls, streams), which delayReceives holds. */
const SENDING = /\/(xhr|jsonp)_send(\?|$)/;
const RECEIVING = /\/(xhr|poll|jsonp|xhr_streaming|htmlfile|eventsource)(\?|$)/;
const REFUSALS = [400, 403, 502];
const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'te', 'trailer', 'upgrade']);
/** Longest wait in stop() for every socket to report closed. */
const STOP_TIMEOUT = 2000;
const WS_GUID = '258EAFA5-E914-47DA-95CA-C5AB0DC85B11';

function checkFaults(partial) {
  const faults = {};
  for (const [key, value] of Object.entries(partial)) {
    if (!(key in DEFAULT_FAULTS)) throw new TypeError(`fault proxy: unknown fault "${key}"`);
    if (key === 'refuseUpgrade') {
      if (!(value === false || value === null || value === 0 || REFUSALS.includes(value))) {
        throw new TypeError(`fault proxy: refuseUpgrade is false or one of ${REFUSALS.join(', ')}`);
      }
      faults[key] = value || false;
    } else if (key === 'cutRandom') {
      if (value === false || value === null || value === 0) {
        faults[key] = false;
        continue;
      }
      const { seed, min, max } = value ?? {};
      const int = (n) => Number.isSafeInteger(n);
      if (typeof value !== 'object' || !int(seed) || !int(min) || !int(max) || min < 1 || max < min || Object.keys(value).length !== 3) {
        throw new TypeError('fault proxy: cutRandom is false or { seed, min, max } (integers, 1 ≤ min ≤ max)');
      }
      faults[key] = { seed, min, max };
    } else if (key === 'silentUpgrade') {
      if (typeof value !== 'boolean') throw new TypeError('fault proxy: silentUpgrade is a boolean');
      faults[key] = value;
    } else {
      const n = value === false || value === null ? 0 : value;
      if (!(Number.isFinite(n) && n >= 0)) throw new TypeError(`fault proxy: ${key} is a number ≥ 0 (0: off)`);
      faults[key] = n;
    }
  }
  return faults;
}

/** The cut points cutRandom draws, in order: `next()` gives the byte count for the next connection. */
export function randomCuts({ seed, min, max }) {
  const random = mulberry32(seed);
  return { next: () => min + Math.floor(random() * (max - min + 1)) };
}

/** Headers (rawHeaders form) without hop-by-hop ones, nor those the Connection header names. */
function endToEnd(rawHeaders) {
  const named = new Set();
  for (let i = 0; i < rawHeaders.length; i += 2) {
    if (rawHeaders[i].toLowerCase() === 'connection') {
      for (const token of rawHeaders[i + 1].split(',')) named.add(token.trim().toLowerCase());
    }
  }
  const out = [];
  for (let i = 0; i < rawHeaders.length; i += 2) {
    const name = rawHeaders[i].toLowerCase();
    if (!HOP_BY_HOP.has(name) && !named.has(name)) out.push(rawHeaders[i], rawHeaders[i + 1]);
  }
  return out;
}

/**
 * Runs actions in order, each `latency` ms after it was queued (latency read when queued); an action
 * never overtakes an earlier one, even when the latency drops meanwhile. With no latency and nothing
 * queued it runs at once.
 */
class Lane {
  constructor(latency) {
    this.latency = latency;
    this.queue = [];
    this.timer = null;
    this.lastDue = 0;
    this.closed = false;
    this.running = false;
  }

  /** Queues `action`; `takes` ms more (a piece's time on a slow link) before it and everything after. */
  push(action, takes = 0) {
    if (this.closed) return;
    const due = Math.max(Date.now() + this.latency(), this.lastDue) + takes;
    this.lastDue = due;
    this.queue.push({ due, action });
    if (!this.timer && !this.running) this.pump();
  }

  pump() {
    this.timer = null;
    this.running = true;
    try {
      while (this.queue.length > 0 && !this.closed) {
        const wait = this.queue[0].due - Date.now();
        if (wait > 0) {
          this.timer = setTimeout(() => this.pump(), wait);
          return;
        }
        this.queue.shift().action();
      }
    } finally {
      this.running = false;
    }
  }

  close() {
    this.closed = true;
    clearTimeout(this.timer);
    this.timer = null;
    this.queue = [];
  }
}

/** Pushes `write(piece)` for each piece of `chunk` on `lane`, paced at `rate` bytes per second (0: at once, whole). */
function paced(lane, rate, chunk, write) {
  if (!rate) return lane.push(() => write(chunk));
  const size = Math.max(1, Math.floor(rate / 20));
  for (let at = 0; at < chunk.length; at += size) {
    const piece = chunk.subarray(at, at + size);
    lane.push(() => write(piece), (piece.length / rate) * 1000);
  }
}

/**
 * Starts the proxy on 127.0.0.1 (port 0 unless given) in front of `upstream` (`http://host:port`).
 * Resolves { url, port, stats, faults(), setFaults(partial), openSockets(), stop() }.
 */
export async function startFaultProxy({ upstream, port = 0, host = '127.0.0.1', ...initial } = {}) {
  const target = new URL(upstream);
  if (target.protocol !== 'http:') throw new TypeError('fault proxy: upstream is http://host:port');
  const upstreamHost = target.hostname;
  const upstreamPort = Number(target.port || 80);

  let faults = { ...DEFAULT_FAULTS, ...checkFaults(initial) };
  const stats = { requests: 0, swallowed: 0, failed: 0, tooLarge: 0, delayed: 0, upgrades: 0, refused: 0, kills: 0, cuts: 0, active: 0 };
  const exchanges = new Set(); // requests and upgraded connections in progress
  const sockets = new Set(); // every socket, client and upstream side, until it closes
  const track = (socket) => {
    if (sockets.has(socket)) return;
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  };
  let stopped = false;
  const latency = () => faults.latency;
  let cuts = faults.cutRandom ? randomCuts(faults.cutRandom) : null; // cutRandom's draws

  /** One HTTP request or one upgraded connection: owns the kill timers and the byte counts. */
  class Exchange {
    constructor() {
      const now = Date.now();
      this.start = now;
      this.lastActivity = now;
      this.killSince = now; // when killAfter / killIdleAfter / cutAfterBytes began to apply
      this.idleSince = now;
      this.bytesOut = 0; // body bytes written to the client
      this.cutBase = 0;
      this.bytesBoth = 0; // body bytes either way (cutRandom counts these)
      this.randomBase = 0;
      this.randomLimit = cuts ? cuts.next() : Infinity;
      this.timer = null;
      this.done = false;
      this.cutting = false; // a cut is under way: its last part is being written
      this.destroyers = [];
      this.onFaults = null; // hook for the HTTP response's buffer stage
      exchanges.add(this);
      stats.active++;
      this.arm();
    }

    touch() {
      this.lastActivity = Date.now();
    }

    deadline() {
      let deadline = Infinity;
      if (faults.killAfter > 0) deadline = Math.max(this.start, this.killSince) + faults.killAfter;
      if (faults.killIdleAfter > 0) deadline = Math.min(deadline, Math.max(this.lastActivity, this.idleSince) + faults.killIdleAfter);
      return deadline;
    }

    arm() {
      clearTimeout(this.timer);
      this.timer = null;
      if (this.done) return;
      const deadline = this.deadline();
      if (deadline === Infinity) return;
      // Activity moves the idle deadline: the timer checks again instead of being re-armed per chunk.
      this.timer = setTimeout(() => {
        this.timer = null;
        if (this.done) return;
        if (Date.now() >= this.deadline()) this.kill();
        else this.arm();
      }, Math.max(0, deadline - Date.now()));
    }

    /** How many more body bytes may go to the client before cutAfterBytes cuts (Infinity: no cut). */
    allowance() {
      return faults.cutAfterBytes > 0 ? faults.cutAfterBytes - (this.bytesOut - this.cutBase) : Infinity;
    }

    /** How many more bytes, either way, may pass before cutRandom cuts (Infinity: no cut). */
    randomAllowance() {
      return this.randomLimit - (this.bytesBoth - this.randomBase);
    }

    /**
     * Passes `chunk` (either direction) through `write(part, then)` within both byte budgets: all of
     * it, or the part before the cut, then the kill once that part has left. `outward`: bytes to the
     * client (cutAfterBytes counts those only).
     */
    pass(chunk, outward, write) {
      // Once a cut is decided, nothing more passes either way; the kill waits for the part before it.
      if (this.done || this.cutting) return;
      const allowed = Math.min(outward ? this.allowance() : Infinity, this.randomAllowance());
      if (chunk.length >= allowed) {
        const part = chunk.subarray(0, Math.max(0, allowed));
        if (outward) this.bytesOut += part.length;
        this.bytesBoth += part.length;
        this.cutting = true;
        if (part.length > 0) write(part, () => this.kill(true));
        else this.kill(true);
        return;
      }
      if (outward) this.bytesOut += chunk.length;
      this.bytesBoth += chunk.length;
      write(chunk);
    }

    reconfigure(before) {
      const now = Date.now();
      if (faults.killAfter !== before.killAfter) this.killSince = now;
      if (faults.killIdleAfter !== before.killIdleAfter) this.idleSince = now;
      if (faults.cutAfterBytes !== before.cutAfterBytes) this.cutBase = this.bytesOut;
      if (faults.cutRandom !== before.cutRandom) {
        this.randomBase = this.bytesBoth;
        this.randomLimit = cuts ? cuts.next() : Infinity;
      }
      this.onFaults?.(before);
      this.arm();
    }

    kill(cut = false) {
      if (this.done) return;
      if (process.env.SOAK_DEBUG) console.error(`[fault-proxy] ${cut ? 'cut' : 'kill'} ${this.label} after ${this.bytesBoth} bytes (limit ${this.randomLimit}, out ${this.bytesOut}, head ${this.headSent?.() ?? '-'})`);
      stats.kills++;
      if (cut) stats.cuts++;
      this.destroy();
    }

    destroy() {
      for (const destroy of this.destroyers) destroy();
      this.finish();
    }

    finish() {
      if (this.done) return;
      this.done = true;
      clearTimeout(this.timer);
      exchanges.delete(this);
      stats.active--;
    }
  }

  function handleRequest(req, res) {
    stats.requests++;
    if (faults.delayReceives > 0 && RECEIVING.test(req.url)) {
      stats.delayed++;
      req.pause();
      setTimeout(() => {
        // Given up meanwhile by the client: never forwarded.
        if (req.socket.destroyed) return;
        forward(req, res);
        // (Paused above: adding forward()'s data listener does not resume it.)
        req.resume();
      }, faults.delayReceives);
      return;
    }
    forward(req, res);
  }

  function forward(req, res) {
    if (faults.swallowSends > 0 && SENDING.test(req.url)) {
      faults = { ...faults, swallowSends: faults.swallowSends - 1 };
      stats.swallowed++;
      req.resume();
      return;
    }
    if (faults.failSends > 0 && SENDING.test(req.url)) {
      faults = { ...faults, failSends: faults.failSends - 1 };
      stats.failed++;
      req.resume();
      req.once('end', () => {
        const body = '<html><body><h1>502 Bad Gateway</h1></body></html>\n';
        res.writeHead(502, { 'Content-Type': 'text/html', 'Content-Length': Buffer.byteLength(body) });
        res.end(body);
      });
      return;
    }
    if (faults.refuseBodiesOver > 0 && Number(req.headers['content-length']) > faults.refuseBodiesOver) {
      stats.tooLarge++;
      req.resume();
      req.once('end', () => {
        const body = '<html><body><h1>413 Request Entity Too Large</h1></body></html>\n';
        res.writeHead(413, { 'Content-Type': 'text/html', 'Content-Length': Buffer.byteLength(body), Connection: 'close' });
        res.end(body);
      });
      return;
    }
    const exchange = new Exchange();
    exchange.label = req.url;
    exchange.headSent = () => res.headersSent;
    const toUpstream = new Lane(latency);
    const toClient = new Lane(latency);
    let upstreamRequest = null;
    let upstreamResponse = null;
    exchange.destroyers.push(
      () => toUpstream.close(),
      () => toClient.close(),
      () => upstreamRequest?.destroy(),
      () => req.socket.destroy(),
    );
    res.once('close', () => {
      // After a complete response, or when the client went away: either way this exchange is over.
      if (!res.writableFinished) {
        toUpstream.close();
        toClient.close();
        upstreamRequest?.destroy();
      }
      exchange.finish();
    });

    // Client → upstream.
    toUpstream.push(() => {
      upstreamRequest = httpRequest({
        host: upstreamHost,
        port: upstreamPort,
        method: req.method,
        path: req.url,
        headers: endToEnd(req.rawHeaders),
        agent: false, // one upstream connection per request
      });
      upstreamRequest.on('socket', (socket) => {
        track(socket);
        socket.setNoDelay(true);
      });
      upstreamRequest.on('response', onResponse);
      upstreamRequest.on('error', () => {
        if (exchange.done) return;
        if (!res.headersSent && !upstreamResponse) {
          res.writeHead(502, { 'Content-Type': 'text/plain', Connection: 'close' });
          res.end('Bad gateway (fault proxy)\n');
        } else {
          exchange.destroy();
        }
      });
    });
    req.on('data', (chunk) => {
      exchange.touch();
      toUpstream.push(() => exchange.pass(chunk, false, (part, then) => upstreamRequest.write(part, then)));
    });
    req.on('end', () => toUpstream.push(() => upstreamRequest.end()));

    // Upstream → client: buffer stage (bufferBytes), then the latency lane, then the writer (cutAfterBytes).
    function onResponse(response) {
      upstreamResponse = response;
      exchange.touch();
      let headPassed = false;
      let held = [];
      let heldBytes = 0;

      const writeHead = () => {
        if (res.headersSent) return;
        res.writeHead(response.statusCode, response.statusMessage, endToEnd(response.rawHeaders));
        res.flushHeaders();
      };
      // Writes what is allowed, then cuts once it has left (no terminating chunk: an abort).
      const writeBody = (chunk) => exchange.pass(chunk, true, (part, then) => res.write(part, then));
      const release = () => {
        if (!headPassed) {
          headPassed = true;
          toClient.push(writeHead);
        }
        if (heldBytes > 0) {
          const block = held.length === 1 ? held[0] : Buffer.concat(held);
          held = [];
          heldBytes = 0;
          paced(toClient, faults.rate, block, writeBody);
        }
      };
      exchange.onFaults = () => {
        if (faults.bufferBytes === 0 || heldBytes >= faults.bufferBytes) release();
      };

      if (faults.bufferBytes === 0) release();
      response.on('data', (chunk) => {
        exchange.touch();
        if (faults.bufferBytes > 0) {
          held.push(chunk);
          heldBytes += chunk.length;
          if (heldBytes >= faults.bufferBytes) release();
        } else {
          release();
          paced(toClient, faults.rate, chunk, writeBody);
        }
      });
      response.on('end', () => {
        release();
        toClient.push(() => {
          if (!exchange.done) res.end();
        });
      });
      // The upstream died mid-response: so does the client's (after what was already on its way).
      response.on('aborted', () => toClient.push(() => exchange.destroy()));
      response.on('error', () => toClient.push(() => exchange.destroy()));
    }
  }

  function handleUpgrade(req, socket, head) {
    stats.upgrades++;
    track(socket);
    socket.setNoDelay(true);
    socket.on('error', () => {});
    if (faults.refuseUpgrade) {
      stats.refused++;
      const status = faults.refuseUpgrade;
      const body = `Upgrade refused by the fault proxy (${status})\n`;
      socket.end(
        `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nContent-Type: text/plain\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
      );
      return;
    }

    const exchange = new Exchange();
    const toUpstream = new Lane(latency);
    const toClient = new Lane(latency);
    let upstreamSocket = null;
    let silent = false;
    exchange.destroyers.push(
      () => toUpstream.close(),
      () => toClient.close(),
      () => upstreamSocket?.destroy(),
      () => socket.destroy(),
    );
    // A side that closed closes the other once what it sent before has gone through.
    socket.once('close', () => toUpstream.push(() => exchange.destroy()));
    // Turned on mid-session, silentUpgrade black-holes this connection too.
    exchange.onFaults = (before) => {
      if (faults.silentUpgrade && !before.silentUpgrade) silent = true;
    };

    if (faults.silentUpgrade) {
      silent = true;
      const key = req.headers['sec-websocket-key'] ?? '';
      const accept = createHash('sha1').update(key + WS_GUID).digest('base64');
      socket.write(
        `HTTP/1.1 101 Switching Protocols\r\nUpgrade: ${req.headers.upgrade ?? 'websocket'}\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${accept}\r\n\r\n`,
      );
      socket.on('data', () => exchange.touch());
      return;
    }

    const lines = [`${req.method} ${req.url} HTTP/${req.httpVersion}`];
    for (let i = 0; i < req.rawHeaders.length; i += 2) lines.push(`${req.rawHeaders[i]}: ${req.rawHeaders[i + 1]}`);
    const requestHead = Buffer.from(lines.join('\r\n') + '\r\n\r\n');
    toUpstream.push(() => {
      upstreamSocket = connect({ host: upstreamHost, port: upstreamPort });
      track(upstreamSocket);
      upstreamSocket.setNoDelay(true);
      upstreamSocket.on('error', () => exchange.destroy());
      upstreamSocket.write(head.length > 0 ? Buffer.concat([requestHead, head]) : requestHead);
      let inHead = true;
      let headText = '';
      upstreamSocket.on('data', (chunk) => {
        exchange.touch();
        if (silent) return;
        // The upstream's response head passes freely; cutAfterBytes counts what follows it.
        let body = chunk;
        if (inHead) {
          headText += chunk.toString('latin1');
          const end = headText.indexOf('\r\n\r\n');
          if (end === -1) {
            toClient.push(() => socket.write(chunk));
            return;
          }
          inHead = false;
          const headBytes = chunk.length - (headText.length - (end + 4));
          toClient.push(() => socket.write(chunk.subarray(0, headBytes)));
          body = chunk.subarray(headBytes);
          if (body.length === 0) return;
        }
        paced(toClient, faults.rate, body, (piece) => exchange.pass(piece, true, (part, then) => socket.write(part, then)));
      });
      upstreamSocket.on('end', () => toClient.push(() => socket.end()));
      upstreamSocket.on('close', () => toClient.push(() => exchange.destroy()));
    });
    socket.on('data', (chunk) => {
      exchange.touch();
      if (silent) return;
      toUpstream.push(() => exchange.pass(chunk, false, (part, then) => upstreamSocket.write(part, then)));
    });
    socket.on('end', () => toUpstream.push(() => upstreamSocket.end()));
  }

  const server = createServer({ noDelay: true }, handleRequest);
  server.on('upgrade', handleUpgrade);
  server.on('connection', (socket) => track(socket));
  server.on('clientError', (_error, socket) => socket.destroy());
  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, resolve);
  });
  const actual = server.address().port;

  let stopping = null;
  return {
    url: `http://${host}:${actual}`,
    port: actual,
    stats,
    /** Sockets (client and upstream side) not closed yet: 0 after stop(). */
    openSockets: () => sockets.size,
    /** The faults in force (a copy). */
    faults: () => ({ ...faults }),
    /** Changes some faults; live requests and connections see the change at once. */
    setFaults(partial) {
      if (stopped) throw new Error('fault proxy: stopped');
      const before = faults;
      const changes = checkFaults(partial);
      faults = { ...faults, ...changes };
      if ('cutRandom' in changes) cuts = faults.cutRandom ? randomCuts(faults.cutRandom) : null;
      for (const exchange of [...exchanges]) exchange.reconfigure(before);
    },
    /** Stops listening and destroys every connection, both sides; resolves once all are closed. */
    stop: () =>
      (stopping ??= (async () => {
        stopped = true;
        const closed = new Promise((resolve) => server.close(() => resolve()));
        for (const exchange of [...exchanges]) exchange.destroy();
        const all = [...sockets]; // none of them has closed yet: each leaves the set on 'close'
        const gone = all.map((socket) => new Promise((resolve) => socket.once('close', resolve)));
        for (const socket of all) socket.destroy();
        const timeout = new Promise((resolve) => setTimeout(resolve, STOP_TIMEOUT).unref());
        await Promise.race([Promise.all([closed, ...gone]), timeout]);
      })()),
  };
}
