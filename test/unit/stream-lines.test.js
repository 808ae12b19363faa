// How the xhr-streaming tier reads its stream (src/client/transports/xhr-streaming.ts, lineReader),
// against a server mocked with msw that cuts its response into chunks at awkward places: the 2 KiB
// prelude in pieces, a long frame in many small chunks, several frames and a line end in one chunk.
import { createClient } from '../../dist/cometkit.mjs';
import { assertEqual, until } from '../browser/support/echo.js';
import { HttpResponse, http, needStreamingMocks, startMsw, stopMsw } from '../browser/support/msw.js';
import { nextEvent } from '../browser/support/assert.js';

// Same-origin, so the client takes the CORS (fetch) path; only msw answers here.
const BASE = '/mock/lines';
const INFO = { websocket: false, cookie_needed: false, origins: ['*:*'], entropy: 1 };
const LONG = 'ł'.repeat(300000) + ' "quoted" \\ end';
const FRAMES = ['o', 'a' + JSON.stringify(['one', 'two']), 'a' + JSON.stringify([LONG]), 'h', 'a' + JSON.stringify(['three'])];

/** The response body cut into chunks: the prelude in three, the long frame in ~4 KiB pieces, the rest whole. */
function chunks() {
  const body = 'h'.repeat(2048) + '\n' + FRAMES.join('\n') + '\n';
  const out = [body.slice(0, 1000), body.slice(1000, 2047), body.slice(2047, 2060)];
  for (let at = 2060; at < body.length; at += 4093) out.push(body.slice(at, at + 4093));
  return out;
}

const encoder = new TextEncoder();
const handlers = [
  http.get(`${BASE}/info`, () => HttpResponse.json(INFO)),
  http.post(`${BASE}/:server/:session/xhr_streaming`, () => {
    const parts = chunks();
    const body = new ReadableStream({
      async pull(controller) {
        // One chunk per read, each in a task of its own, so the page reads them apart.
        await new Promise((resolve) => setTimeout(resolve));
        const part = parts.shift();
        if (part === undefined) return; // held open, as a streaming response is
        controller.enqueue(encoder.encode(part));
      },
    });
    return new HttpResponse(body, { headers: { 'Content-Type': 'application/javascript' } });
  }),
  http.post(`${BASE}/:server/:session/close`, () => new HttpResponse(null, { status: 204 })),
];

// A renewal whose first frame is long and slow to come: the first response carries the open frame and
// one message and ends (as at the server's response limit); the second, after its prelude, one long
// frame in 90 chunks 20 ms apart (~1.8 s), against a liveness wait of 400 ms (heartbeat 200 + 200): each
// gap is a twentieth of the wait, so a loaded machine does not make one look like silence.
const SLOW = '/mock/slow-lines';
const SLOW_LONG = 'ż'.repeat(60000);
let slowRequests = 0;
const slowHandlers = [
  http.get(`${SLOW}/info`, () => HttpResponse.json({ ...INFO, cometkit: { version: 1, heartbeat: 200 } })),
  http.post(`${SLOW}/:server/:session/xhr_streaming`, () => {
    const prelude = 'h'.repeat(2048) + '\n';
    const first = ++slowRequests === 1;
    const frame = 'a' + JSON.stringify([SLOW_LONG]) + '\n';
    const step = Math.ceil(frame.length / 90);
    const parts = first ? [prelude + 'o\na["first"]\n'] : [prelude];
    if (!first) for (let at = 0; at < frame.length; at += step) parts.push(frame.slice(at, at + step));
    const body = new ReadableStream({
      async pull(controller) {
        await new Promise((resolve) => setTimeout(resolve, first ? 0 : 20));
        const part = parts.shift();
        if (part === undefined) {
          if (first) controller.close(); // the first response ends: the client opens the next
          return; // the second is held open
        }
        controller.enqueue(encoder.encode(part));
      },
    });
    return new HttpResponse(body, { headers: { 'Content-Type': 'application/javascript' } });
  }),
  http.post(`${SLOW}/:server/:session/close`, () => new HttpResponse(null, { status: 204 })),
];

/** A describe block whose tests run with msw answering by `handlers`. */
function withMsw(title, handlers, body) {
  describe(title, function () {
    this.timeout(20000);
    let worker;
    before(async function () {
      needStreamingMocks(this);
      worker = await startMsw(...handlers);
    });
    after(async function () {
      if (worker) await stopMsw(worker);
    });
    body();
  });
}

withMsw('xhr-streaming counts a long frame coming as a sign of life (msw)', slowHandlers, () => {

  it('keeps a connection whose renewal brings first one long frame over 4 liveness waits, and hands it on whole', async function () {
    const client = createClient(SLOW, { transports: ['xhr-streaming'], reconnect: false, heartbeatTimeout: 200 });
    const received = [];
    client.on('message', ({ data }) => received.push(data));
    const closes = [];
    client.on('close', (event) => closes.push(`${event.code} ${event.reason}`));
    assertEqual((await nextEvent(client, 'open', 5000)).transport, 'xhr-streaming', 'open.transport');
    await until(() => received.length >= 2 || closes.length, 10000, 'the long message (or a close)');
    assertEqual(closes.join(), '', 'closes');
    assertEqual(received[0], 'first', 'the message of the first response');
    assertEqual(received[1] === SLOW_LONG, true, 'the long message, whole');
    assertEqual(slowRequests, 2, 'xhr_streaming requests');
    client.close();
  });
});

withMsw('xhr-streaming reads lines across chunks (msw)', handlers, () => {

  it('hands on every frame whole and in order, a long one cut into some 70 chunks included', async function () {
    const client = createClient(BASE, { transports: ['xhr-streaming'], reconnect: false });
    const received = [];
    client.on('message', ({ data }) => received.push(data));
    const errors = [];
    client.on('error', ({ error }) => errors.push(error.message));
    assertEqual((await nextEvent(client, 'open', 5000)).transport, 'xhr-streaming', 'open.transport');
    await until(() => received.length >= 4, 10000, 'every message');
    assertEqual(received.length, 4, 'messages');
    assertEqual(JSON.stringify(received.slice(0, 2)), '["one","two"]', 'the first frame');
    assertEqual(received[2] === LONG, true, 'the long message, whole');
    assertEqual(received[3], 'three', 'the frame after it');
    assertEqual(errors.join(), '', 'errors');
    client.close();
  });
});
