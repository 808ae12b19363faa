// Bad input, at random: seeded runs of requests and WebSockets built from good and broken parts
// (paths, methods, queries, bodies, cookies, frames, cuts at any moment) against one server, while
// two well-behaved sessions echo beside them. Nothing may take the server or those sessions down:
// no 'error' event (a bug answered 500), no process warning (a timer it could not hold), no 5xx but
// the documented answers to bad input, and every session the noise opened ends by itself.
// Seeds are fixed, so a failure replays: `FUZZ_SEED=<n> node --test test/server/fuzz.test.mjs`.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { WebSocket } from 'ws';
import { seeded } from '../browser/support/random.js';
import { PRELUDE, openStream, openWs, start, streamFrames, withTimeout, wsUrl, xhrSend } from './helpers.mjs';

const SEEDS = process.env.FUZZ_SEED ? [Number(process.env.FUZZ_SEED)] : [1, 2, 3];
const REQUESTS = 1500;
const WORKERS = 8;
// The answers the server gives to bad input on purpose (README, "Bad input").
const DOCUMENTED_500 = /^(Broken JSON encoding\.|Payload expected\.|"callback" parameter required|invalid "callback" parameter)/;

const IDS = ['a', 'b', 'c', 'd', 'e'];
const METHOD_OF = {
  xhr: 'POST',
  xhr_send: 'POST',
  xhr_streaming: 'POST',
  poll: 'POST',
  eventsource: 'GET',
  htmlfile: 'GET',
  jsonp: 'GET',
  jsonp_send: 'POST',
  close: 'POST',
};
const TRANSPORTS = [...Object.keys(METHOD_OF), 'websocket', 'nope', 'XHR'];
const TEXTS = ['', 'x', 'é', '\u2028', '\ud800', '"', '\\', '<script>', 'a'.repeat(3000), '\u0000', '{}', '😀'];
const VALUES = ['0', '1', '5', '-1', '1e3', '9007199254740993', 'abc', 'x.y', '_jp.a1', 'alert(1)//', '', '%00', '1000', '3000000000', 'k'];
const NUMBERS = [0, 1, 2, -1, 1.5, 1e300, '3', null, Number.MAX_SAFE_INTEGER + 2, 5];

function generator(seed) {
  const { next, pick } = seeded(seed);
  const query = () => {
    const parts = [];
    for (let i = Math.floor(next() * 4); i > 0; i--) {
      parts.push(pick(['c', 'callback', 'pos', 'ack', 'seq', 'h', 'ttl', 'takeover', 't', 'd']) + '=' + pick(VALUES));
    }
    return parts.length ? '?' + parts.join('&') : '';
  };
  const body = () =>
    pick([
      () => '',
      () => JSON.stringify(Array.from({ length: Math.floor(next() * 5) }, () => pick(TEXTS))),
      () => 'd=' + encodeURIComponent(JSON.stringify([pick(TEXTS)])),
      () => '[' + pick(TEXTS),
      () => JSON.stringify(pick([{}, 1, null, 'text', [1, 2], [[]], [null]])),
      () => 'x'.repeat(5000),
      () => 'd=' + pick(TEXTS),
      () => Buffer.from([0xff, 0xfe, 0x5b, 0x22]).toString('latin1'),
      () => 'd=%E0%A4%A',
    ])();
  const request = () => {
    let path;
    let transport;
    if (next() < 0.05) {
      path = pick(['/', '/info', '/iframe.html', '/iframe-cometkit.html', '/iframe-x.y.html', '/websocket', '//', '/a/b', '/a/b/c/d', '/./x/y', '/a.b/c/xhr']);
    } else {
      transport = pick(TRANSPORTS);
      path = '/' + pick(['000', '1', 'zz', '']) + '/' + pick(IDS) + '/' + transport;
    }
    const fits = METHOD_OF[transport];
    const method = fits && next() < 0.8 ? fits : pick(['GET', 'POST', 'POST', 'OPTIONS', 'PUT', 'DELETE', 'HEAD']);
    const headers = {};
    if (next() < 0.5) headers['Content-Type'] = pick(['text/plain', 'application/x-www-form-urlencoded', 'application/json', 'application/xml', 'text/plain;charset=UTF-8']);
    if (next() < 0.3) headers.Origin = pick(['https://a.example', 'null', 'http://127.0.0.1']);
    if (next() < 0.3) headers.Cookie = pick(['cometkit_x=abc', 'JSESSIONID=1', 'cometkit_a1=zz; cometkit_b2=yy', '=;;=']);
    return {
      method,
      path: path + query(),
      headers,
      body: method === 'GET' || method === 'HEAD' ? undefined : body(),
      // Held responses are cut: at once, or after a little of them.
      holdMs: next() < 0.5 ? 5 : 80,
      cutBeforeEnd: next() < 0.05,
    };
  };
  const socket = () => {
    const sends = [];
    for (let i = Math.floor(next() * 4); i > 0; i--) {
      const r = next();
      if (r < 0.15) sends.push(JSON.stringify([pick(NUMBERS), pick(NUMBERS), pick(TEXTS)]));
      else if (r < 0.3) sends.push(JSON.stringify([pick(TEXTS)]));
      else if (r < 0.45) sends.push(Buffer.from([1, 2, 3]));
      else if (r < 0.75) sends.push(body());
      else sends.push('"' + pick(TEXTS) + '"');
    }
    return {
      path: (next() < 0.15 ? '/websocket' : '/000/' + pick(IDS) + '/websocket') + query(),
      sends,
      terminate: next() < 0.5,
      holdMs: next() < 0.5 ? 2 : 40,
    };
  };
  return { next, request, socket };
}

/** One request; resolves with its status and body, or null when it was cut before an answer. */
function send(base, { method, path, headers, body, holdMs, cutBeforeEnd }) {
  return new Promise((resolve) => {
    let settled = false;
    const done = (value) => {
      if (!settled) {
        settled = true;
        resolve(value);
      }
    };
    const req = http.request(base + path, { method, headers, agent: false }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      const cut = setTimeout(() => req.destroy(), holdMs);
      res.on('data', (chunk) => (text += chunk));
      const end = () => {
        clearTimeout(cut);
        done({ status: res.statusCode, body: text });
      };
      res.on('end', end);
      res.on('close', end);
      res.on('error', () => {});
    });
    req.on('error', () => done(null));
    if (body !== undefined) req.write(body);
    if (cutBeforeEnd) setTimeout(() => req.destroy(), 1);
    else req.end();
  });
}

/** One WebSocket; resolves once it has closed. */
function socket(base, { path, sends, terminate, holdMs }) {
  return new Promise((resolve) => {
    const ws = new WebSocket(wsUrl(base, path));
    ws.on('error', () => {});
    ws.on('close', () => resolve());
    ws.on('open', () => {
      for (const data of sends) ws.send(data);
      setTimeout(() => (terminate ? ws.terminate() : ws.close()), holdMs);
    });
  });
}

describe('random bad input', () => {
  let server;
  const errors = [];
  const warnings = [];
  const onWarning = (warning) => warnings.push(warning);
  // Every session the server opened that has not closed yet, and who waits for there to be none.
  const open = new Set();
  let drained = () => {};

  before(async () => {
    process.on('warning', onWarning);
    server = await start({ heartbeatDelay: 200, disconnectDelay: 100, resumeGrace: 300, maxBodySize: 4096, responseLimit: 2048 }, (session) => {
      open.add(session);
      session.on('close', () => {
        open.delete(session);
        if (open.size === 0) drained();
      });
      session.on('message', (m) => session.send(m));
    });
    server.comet.on('error', (error) => errors.push(error));
  });
  after(async () => {
    process.off('warning', onWarning);
    await server.close();
  });

  for (const seed of SEEDS) {
    it(`seed ${seed}: ${REQUESTS} requests and WebSockets leave the server and two echoing sessions unharmed`, async () => {
      const gen = generator(seed);
      const base = server.url;
      const fives = [];
      const statuses = {};

      // The witnesses: one session on xhr_streaming with xhr_send, one on a WebSocket.
      const sid = `w${seed}x${process.pid}`;
      const stream = await openStream(`${base}/000/${sid}/xhr_streaming`, { method: 'POST' });
      await stream.until((t) => streamFrames(t).includes('o'), 'the witness stream open');
      const ws = openWs(wsUrl(base, `/000/ws${sid}/websocket`));
      await ws.opened;
      assert.equal(await ws.next('the witness WebSocket open'), 'o');
      const witnessed = [];
      const echoes = [];
      let n = 0;
      const witness = async () => {
        const text = `echo ${++n} é`;
        witnessed.push(text);
        const sent = await xhrSend(base, sid, [text]);
        assert.equal(sent.status, 204, 'a witness send');
        ws.ws.send(JSON.stringify([text]));
        for (;;) {
          const frame = await ws.next('a witness echo');
          if (frame === 'h') continue;
          echoes.push(...JSON.parse(frame.slice(1)));
          break;
        }
      };

      let started = 0;
      const worker = async () => {
        while (started < REQUESTS) {
          started++;
          if (started % 100 === 0) await witness();
          if (gen.next() < 0.15) {
            await socket(base, gen.socket());
            continue;
          }
          const spec = gen.request();
          const answer = await send(base, spec);
          if (!answer) continue;
          statuses[answer.status] = (statuses[answer.status] ?? 0) + 1;
          if (answer.status >= 500 && !DOCUMENTED_500.test(answer.body)) {
            fives.push(`${spec.method} ${spec.path} -> ${answer.status} ${answer.body.slice(0, 80)}`);
          }
        }
      };
      await Promise.all(Array.from({ length: WORKERS }, worker));
      await witness();

      assert.deepEqual(errors, [], 'server error events');
      assert.deepEqual(warnings.map(String), [], 'process warnings');
      assert.deepEqual(fives, [], 'undocumented 5xx answers');
      assert.deepEqual(echoes, witnessed, 'the WebSocket witness got every echo, in order');
      const messages = (text) =>
        streamFrames(text)
          .filter((f) => f.startsWith('a'))
          .flatMap((f) => JSON.parse(f.slice(1)));
      await stream.until((t) => messages(t).length >= witnessed.length, 'every echo on the streaming witness');
      const streamed = messages(stream.text);
      assert.deepEqual(streamed, witnessed, 'the streaming witness got every echo, in order');
      assert.ok(stream.text.startsWith(PRELUDE), 'the witness stream is whole');
      assert.ok(statuses[200] > 0 && statuses[204] > 0 && statuses[404] > 0, `a mix of answers: ${JSON.stringify(statuses)}`);

      stream.abort();
      ws.ws.close();
      // Every session the noise opened ends by itself (disconnect delay, resume grace).
      if (open.size) await withTimeout(new Promise((resolve) => (drained = resolve)), `${open.size} sessions to end`, 5000);
    });
  }
});
