// Each fault of test/network/fault-proxy.mjs against the real cometkit server, on HTTP streams and
// WebSockets, set at start and switched mid-session. Sends go straight to the upstream unless a
// test is about the proxy's request path, so only the stream under test crosses the proxy.
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { after, before, describe, test } from 'node:test';
import { listen } from '../../dist/server.js';
import { randomCuts, startFaultProxy } from './fault-proxy.mjs';
import { accepts, openStream, openWebSocket, sessionPath, sleep, startEcho, until, xhrSend } from './helpers.mjs';

const PRELUDE = 'h'.repeat(2048) + '\n';
/** Prelude + open frame: the first 2051 bytes of every xhr_streaming response. */
const OPENING = PRELUDE + 'o\n';
/**
 * The bound on a wait for something that passes through the proxy at once (measured: 1–5 ms). Only a
 * bound: the waits end as soon as it arrives, and a fault that holds bytes (buffering, black holes)
 * holds them for ever, so a generous bound tells the two apart as well as a tight one, and a busy CI
 * machine (which stalled this process for over 300 ms) passes.
 */
const PROMPT = 3000;

const proxies = [];
async function proxyFor(server, faults = {}) {
  const proxy = await startFaultProxy({ upstream: server.origin, ...faults });
  proxies.push(proxy);
  return proxy;
}

/** Asserts that `value` ms is within [min, max]. */
function within(value, min, max, what) {
  assert.ok(value >= min && value <= max, `${what}: ${value} ms, expected ${min}–${max} ms`);
}

describe('fault proxy in front of the cometkit server', { concurrency: true, timeout: 15000 }, () => {
  let echo; // heartbeat 25 s: nothing flows unless a test sends
  before(async () => {
    echo = await startEcho();
  });
  after(async () => {
    await Promise.all(proxies.map((proxy) => proxy.stop()));
    await echo?.close();
  });

  test('with no faults, streams pass chunk by chunk, re-chunked; plain responses keep their length', async () => {
    const proxy = await proxyFor(echo);
    const session = sessionPath();
    const stream = openStream(`${proxy.url}${session}/xhr_streaming`, { method: 'POST' });
    try {
      await stream.waitFor(OPENING, PROMPT);
      assert.equal(stream.status, 200);
      assert.equal(stream.headers['transfer-encoding'], 'chunked');
      assert.equal(stream.headers['x-accel-buffering'], 'no', 'end-to-end headers pass');
      // Each arrives while nothing else is sent: a proxy that waited for more bytes would hold it.
      for (let i = 0; i < 5; i++) {
        await xhrSend(`${echo.origin}${session}/xhr_send`, [`m${i}`]);
        await stream.waitFor(`a["m${i}"]\n`, PROMPT);
      }
      assert.equal(stream.text(), OPENING + [0, 1, 2, 3, 4].map((i) => `a["m${i}"]\n`).join(''));
      // Each message came as a delivery of its own: nothing waited for more bytes.
      assert.ok(stream.chunks.length >= 6, `${stream.chunks.length} deliveries`);
    } finally {
      stream.destroy();
    }
    const welcome = openStream(`${proxy.url}/echo`);
    assert.equal(await welcome.ended(PROMPT), 'end');
    assert.equal(welcome.text(), 'Welcome to SockJS!\n');
    assert.equal(welcome.headers['content-length'], '19');
    assert.ok(proxy.stats.requests >= 2);
  });

  test('with no faults, WebSocket echo passes and the send path works through the proxy', async () => {
    const proxy = await proxyFor(echo);
    const socket = openWebSocket(`${proxy.url}${sessionPath()}/websocket`);
    await socket.waitFor('o', PROMPT);
    socket.send('ping');
    await socket.waitFor('a["ping"]', PROMPT);
    socket.ws.close(1000);
    assert.equal((await socket.waitClosed(PROMPT)).code, 1000);
    assert.equal(proxy.stats.upgrades, 1);
    const session = sessionPath();
    const stream = openStream(`${proxy.url}${session}/xhr_streaming`, { method: 'POST' });
    await stream.waitFor(OPENING, PROMPT);
    assert.equal(await xhrSend(`${proxy.url}${session}/xhr_send`, ['via proxy']), 204);
    await stream.waitFor('a["via proxy"]', PROMPT);
    stream.destroy();
  });

  test('bufferBytes holds headers and body until n bytes, again after each release; turning it off releases', async () => {
    const proxy = await proxyFor(echo, { bufferBytes: 4096 });
    const session = sessionPath();
    const stream = openStream(`${proxy.url}${session}/xhr_streaming`, { method: 'POST' });
    try {
      await sleep(400);
      assert.equal(stream.headersAt, null, '2051 bytes < 4096: even the headers are held');
      const big = 'x'.repeat(3000);
      await xhrSend(`${echo.origin}${session}/xhr_send`, [big]);
      await stream.waitFor(`${big}"]\n`, PROMPT);
      assert.equal(stream.chunks.length, 1, 'released as one block');
      assert.equal(stream.bytes(), OPENING.length + big.length + 6);
      await xhrSend(`${echo.origin}${session}/xhr_send`, ['small']);
      await sleep(300);
      assert.ok(!stream.text().includes('small'), 'held again: 10 bytes < 4096');
      proxy.setFaults({ bufferBytes: 0 });
      await stream.waitFor('a["small"]\n', PROMPT);
    } finally {
      stream.destroy();
    }
    // A response that ends is released at its end, however short.
    const info = openStream(`${proxy.url}/echo/info`);
    assert.equal(await info.ended(PROMPT), 'end');
    assert.match(info.text(), /"websocket":true/);
  });

  test('latency delays each chunk both ways and keeps order when it drops mid-stream', async () => {
    const proxy = await proxyFor(echo, { latency: 200 });
    const welcome = openStream(`${proxy.url}/echo`);
    await welcome.ended(PROMPT);
    within(welcome.headersAt, 400, 2000, 'a round trip at 200 ms each way');

    const socket = openWebSocket(`${proxy.url}${sessionPath()}/websocket`);
    await socket.waitFor('o', PROMPT);
    within(socket.frames[0].at, 400, 2200, "the 101 and the open frame (request, then 'o' back)");
    const sent = Date.now();
    socket.send('slow');
    await socket.waitFor('a["slow"]', PROMPT);
    within(Date.now() - sent, 400, 2000, 'a WebSocket echo');
    socket.ws.terminate();

    const session = sessionPath();
    const stream = openStream(`${proxy.url}${session}/xhr_streaming`, { method: 'POST' });
    await stream.waitFor(OPENING, PROMPT);
    await xhrSend(`${echo.origin}${session}/xhr_send`, ['first']);
    proxy.setFaults({ latency: 0 });
    await xhrSend(`${echo.origin}${session}/xhr_send`, ['second']);
    await stream.waitFor('a["second"]', PROMPT);
    assert.ok(stream.text().endsWith('a["first"]\na["second"]\n'), 'the later chunk did not overtake');
    stream.destroy();
  });

  test('rate paces what goes to the client, in pieces, on a stream and a WebSocket; turning it off lets the rest go at once', async () => {
    const proxy = await proxyFor(echo, { rate: 20000 });
    const session = sessionPath();
    const stream = openStream(`${proxy.url}${session}/xhr_streaming`, { method: 'POST' });
    try {
      // The 2051-byte opening alone takes ~100 ms at 20,000 bytes/s.
      await stream.waitFor(OPENING, PROMPT);
      const big = 'x'.repeat(10000);
      const sent = Date.now();
      const before = stream.chunks.length;
      await xhrSend(`${echo.origin}${session}/xhr_send`, [big]);
      await stream.waitFor(`${big}"]\n`, 5000);
      within(Date.now() - sent, 400, 3000, '10,006 bytes at 20,000 bytes/s');
      assert.ok(stream.chunks.length - before >= 10, `${stream.chunks.length - before} deliveries: paced in pieces`);
      // Off: what comes next passes as the server wrote it, not in paced pieces. Counted, not timed:
      // a busy machine slows both, but only pacing cuts 10 KB into ten.
      proxy.setFaults({ rate: 0 });
      const unpaced = stream.chunks.length;
      await xhrSend(`${echo.origin}${session}/xhr_send`, [big]);
      await stream.waitFor(`${big}"]\na["${big}"]\n`, PROMPT);
      assert.ok(stream.chunks.length - unpaced <= 3, `${stream.chunks.length - unpaced} deliveries: unpaced`);
    } finally {
      stream.destroy();
    }
    proxy.setFaults({ rate: 20000 });
    const socket = openWebSocket(`${proxy.url}${sessionPath()}/websocket`);
    await socket.waitFor('o', PROMPT);
    const sent = Date.now();
    socket.send('y'.repeat(10000));
    await socket.waitFor(`a["${'y'.repeat(10000)}"]`, 5000);
    within(Date.now() - sent, 400, 3000, 'a 10 KB WebSocket echo at 20,000 bytes/s');
    socket.ws.terminate();
  });

  test('killAfter destroys a stream and a WebSocket n ms after they started; short requests finish', async () => {
    const proxy = await proxyFor(echo, { killAfter: 400 });
    const stream = openStream(`${proxy.url}${sessionPath()}/xhr_streaming`, { method: 'POST' });
    const socket = openWebSocket(`${proxy.url}${sessionPath()}/websocket`);
    const welcome = openStream(`${proxy.url}/echo`);
    assert.equal(await welcome.ended(PROMPT), 'end');
    await stream.waitFor(OPENING, PROMPT);
    await socket.waitFor('o', PROMPT);
    assert.equal(await stream.ended(PROMPT), 'aborted');
    within(stream.endedAt, 380, 2000, 'stream killed');
    const { at, code } = await socket.waitClosed(PROMPT);
    assert.equal(code, 1006);
    within(at, 380, 2000, 'WebSocket killed');
    assert.equal(proxy.stats.kills, 2);
    assert.equal(proxy.stats.active, 0);
  });

  test('killIdleAfter destroys only what went quiet', async () => {
    const proxy = await proxyFor(echo, { killIdleAfter: 600 });
    const idle = openWebSocket(`${proxy.url}${sessionPath()}/websocket`);
    const busy = openWebSocket(`${proxy.url}${sessionPath()}/websocket`);
    const stream = openStream(`${proxy.url}${sessionPath()}/xhr_streaming`, { method: 'POST' });
    await Promise.all([idle.waitFor('o', PROMPT), busy.waitFor('o', PROMPT), stream.waitFor(OPENING, PROMPT)]);
    // Traffic every 100 ms until both quiet ones are gone: the busy one outlives them by its traffic
    // alone, with 500 ms of slack for a stalled machine.
    const deadline = Date.now() + PROMPT;
    for (let i = 0; !(idle.closed && stream.outcome) && Date.now() < deadline; i++) {
      busy.send(`keepalive ${i}`);
      await sleep(100);
    }
    assert.equal(busy.closed, null, 'a WebSocket with traffic every 100 ms lives on');
    assert.equal(idle.closed?.code, 1006);
    within(idle.closed.at - idle.frames.at(-1).at, 580, 2000, 'idle WebSocket killed after its last frame');
    assert.equal(stream.outcome, 'aborted');
    within(stream.endedAt - stream.chunks.at(-1).at, 580, 2000, 'idle stream killed after its last byte');
    assert.equal(proxy.stats.kills, 2);
    busy.ws.terminate();
  });

  test('swallowSends swallows the next n sends (never forwarded or answered), then sends pass again', async () => {
    const proxy = await proxyFor(echo, { swallowSends: 1 });
    const session = sessionPath();
    const stream = openStream(`${proxy.url}${session}/xhr_streaming`, { method: 'POST' });
    try {
      await stream.waitFor(OPENING, PROMPT);
      await assert.rejects(xhrSend(`${proxy.url}${session}/xhr_send`, ['swallowed'], 500), /timed out/);
      assert.equal(proxy.stats.swallowed, 1);
      assert.equal(proxy.faults().swallowSends, 0, 'counted down');
      assert.equal(await xhrSend(`${proxy.url}${session}/xhr_send`, ['m1']), 204);
      await stream.waitFor('a["m1"]\n', PROMPT);
      assert.equal(stream.text(), OPENING + 'a["m1"]\n', 'the swallowed send never reached the server');
      assert.equal(proxy.stats.swallowed, 1);
    } finally {
      stream.destroy();
    }
  });

  test('failSends answers the next n sends with a 502 page, never forwarded, then sends pass again', async () => {
    const proxy = await proxyFor(echo, { failSends: 1 });
    const session = sessionPath();
    const stream = openStream(`${proxy.url}${session}/xhr_streaming`, { method: 'POST' });
    try {
      await stream.waitFor(OPENING, PROMPT);
      assert.equal(await xhrSend(`${proxy.url}${session}/xhr_send`, ['failed']), 502);
      assert.equal(proxy.stats.failed, 1);
      assert.equal(proxy.faults().failSends, 0, 'counted down');
      assert.equal(await xhrSend(`${proxy.url}${session}/xhr_send`, ['m1']), 204);
      await stream.waitFor('a["m1"]\n', PROMPT);
      assert.equal(stream.text(), OPENING + 'a["m1"]\n', 'the failed send never reached the server');
      assert.equal(proxy.stats.failed, 1);
    } finally {
      stream.destroy();
    }
  });

  test('delayReceives holds polls and streams back, and lets a send made after them through first', async () => {
    const proxy = await proxyFor(echo, { delayReceives: 400 });
    const session = sessionPath();
    // Opened directly (the session must exist for the send), then renewed through the proxy.
    const opening = await fetch(`${echo.origin}${session}/xhr`, { method: 'POST' });
    assert.equal(await opening.text(), 'o\n');
    const asked = Date.now();
    const poll = fetch(`${proxy.url}${session}/xhr`, { method: 'POST' }).then(async (r) => [await r.text(), Date.now() - asked]);
    assert.equal(await xhrSend(`${proxy.url}${session}/xhr_send`, ['m1']), 204);
    const sentAfter = Date.now() - asked;
    const [text, answeredAfter] = await poll;
    assert.equal(text, 'a["m1"]\n', 'the poll reached the server after the send');
    assert.ok(sentAfter < 400, `the send took ${sentAfter} ms`);
    assert.ok(answeredAfter >= 400, `the poll was answered after ${answeredAfter} ms`);
    assert.equal(proxy.stats.delayed, 1, 'only the poll was held');
  });

  test('refuseBodiesOver answers 413 to a longer body without forwarding it; bodies within pass', async () => {
    const proxy = await proxyFor(echo, { refuseBodiesOver: 100 });
    const session = sessionPath();
    const stream = openStream(`${proxy.url}${session}/xhr_streaming`, { method: 'POST' });
    try {
      await stream.waitFor(OPENING, PROMPT);
      // JSON.stringify(['…']): 101 bytes, one over.
      assert.equal(await xhrSend(`${proxy.url}${session}/xhr_send`, ['x'.repeat(97)]), 413);
      assert.equal(proxy.stats.tooLarge, 1);
      assert.equal(await xhrSend(`${proxy.url}${session}/xhr_send`, ['x'.repeat(96)]), 204);
      await stream.waitFor(`a["${'x'.repeat(96)}"]\n`, PROMPT);
      assert.equal(stream.text(), OPENING + `a["${'x'.repeat(96)}"]\n`, 'the refused body never reached the server');
      assert.equal(proxy.stats.tooLarge, 1);
    } finally {
      stream.destroy();
    }
  });

  test('cutAfterBytes cuts a stream after exactly n body bytes, and a WebSocket after n bytes of frames', async () => {
    const proxy = await proxyFor(echo, { cutAfterBytes: 2100 });
    const session = sessionPath();
    const stream = openStream(`${proxy.url}${session}/xhr_streaming`, { method: 'POST' });
    await stream.waitFor(OPENING, PROMPT);
    await xhrSend(`${echo.origin}${session}/xhr_send`, ['y'.repeat(100)]);
    assert.equal(await stream.ended(PROMPT), 'aborted');
    assert.equal(stream.bytes(), 2100);
    assert.equal(stream.text(), (OPENING + `a["${'y'.repeat(100)}"]\n`).slice(0, 2100));

    proxy.setFaults({ cutAfterBytes: 3 }); // exactly the frame `o` (0x81 0x01 'o')
    const socket = openWebSocket(`${proxy.url}${sessionPath()}/websocket`);
    await socket.waitFor('o', PROMPT);
    socket.send('never echoed');
    assert.equal((await socket.waitClosed(PROMPT)).code, 1006);
    assert.deepEqual(
      socket.frames.map((f) => f.data),
      ['o'],
    );
    assert.equal(proxy.stats.cuts, 2);
    assert.equal(proxy.stats.kills, 2);
  });

  describe('cutRandom', { concurrency: true }, () => {
    const SPEC = { seed: 20240611, min: 100, max: 2000 };

    test('draws are deterministic for a seed, within [min, max], and differ between seeds', () => {
      const draw = (spec, n) => {
        const cuts = randomCuts(spec);
        return Array.from({ length: n }, () => cuts.next());
      };
      const first = draw(SPEC, 200);
      assert.deepEqual(draw(SPEC, 200), first, 'the same seed, the same cut points');
      for (const n of first) assert.ok(Number.isInteger(n) && n >= SPEC.min && n <= SPEC.max, `${n} within [${SPEC.min}, ${SPEC.max}]`);
      assert.ok(new Set(first).size > 150, `spread: ${new Set(first).size} distinct of 200`);
      // Both ends are reachable.
      const narrow = draw({ seed: 7, min: 5, max: 6 }, 100);
      assert.ok(narrow.includes(5) && narrow.includes(6), 'min and max both drawn');
      assert.notDeepEqual(draw({ ...SPEC, seed: SPEC.seed + 1 }, 200), first, 'another seed, other cut points');
      assert.deepEqual(draw({ seed: 3, min: 42, max: 42 }, 5), [42, 42, 42, 42, 42]);
    });

    test('each connection is cut after its drawn byte count, the same for two proxies with one seed', async () => {
      const seen = [];
      for (const round of [0, 1]) {
        const proxy = await proxyFor(echo, { cutRandom: SPEC });
        const bytes = [];
        // One at a time, so the n-th connection is the n-th to reach the proxy.
        for (let i = 0; i < 6; i++) {
          const stream = openStream(`${proxy.url}${sessionPath()}/xhr_streaming`, { method: 'POST' });
          assert.equal(await stream.ended(PROMPT), 'aborted', `round ${round}, stream ${i}`);
          assert.equal(stream.text(), OPENING.slice(0, stream.bytes()), 'the bytes before the cut arrive intact');
          bytes.push(stream.bytes());
        }
        const cuts = randomCuts(SPEC);
        assert.deepEqual(bytes, bytes.map(() => cuts.next()), 'cut after exactly the drawn counts (the opening is 2051 bytes > max)');
        assert.equal(proxy.stats.cuts, 6);
        assert.equal(proxy.stats.kills, 6);
        seen.push(bytes);
      }
      assert.deepEqual(seen[0], seen[1]);
    });

    test('a request body is cut mid-way: the upstream never gets the batch', async () => {
      const proxy = await proxyFor(echo, { cutRandom: { seed: 1, min: 500, max: 1500 } });
      const session = sessionPath();
      const stream = openStream(`${echo.origin}${session}/xhr_streaming`, { method: 'POST' });
      await stream.waitFor(OPENING, PROMPT);
      await assert.rejects(xhrSend(`${proxy.url}${session}/xhr_send`, ['z'.repeat(4000)]));
      assert.equal(proxy.stats.cuts, 1);
      // A batch sent straight to the server comes back alone: the cut one never reached the session.
      await xhrSend(`${echo.origin}${session}/xhr_send`, ['after']);
      await stream.waitFor('a["after"]', PROMPT);
      assert.ok(!stream.text().includes('zzz'), 'nothing of the cut batch was echoed');
      stream.destroy();
    });

    test('a WebSocket counts both directions: cut mid-frame upstream, or mid-frame downstream', async () => {
      const received = [];
      const server = await listen({ port: 0, prefix: '/echo' }, (session) =>
        session.on('message', (text) => {
          received.push(text);
          session.send(text);
        }),
      );
      const origin = `http://127.0.0.1:${server.port}`;
      try {
        // Bytes after the 101: 'o' (3, down), ["abc"] (13 with the masked header, up), a["abc"] (10, down).
        for (const [limit, reaches, frames] of [
          [10, false, ['o']], // 3 down + 7 of the 13 up: the server gets half a frame
          [20, true, ['o']], // 3 + 13, then 4 of the echo's 10: the client gets half a frame
          [26, true, ['o', 'a["abc"]']], // the echo's last byte is the cut point: all of it arrives, then the cut
        ]) {
          received.length = 0;
          const proxy = await startFaultProxy({ upstream: origin, cutRandom: { seed: limit, min: limit, max: limit } });
          try {
            const socket = openWebSocket(`${proxy.url}${sessionPath()}/websocket`);
            await socket.waitFor('o', PROMPT);
            socket.send('abc');
            assert.equal((await socket.waitClosed(PROMPT)).code, 1006, `limit ${limit}`);
            assert.deepEqual(
              socket.frames.map((f) => f.data),
              frames,
              `limit ${limit}: frames`,
            );
            if (reaches) await until(() => received.length === 1, PROMPT, 'the message upstream');
            else await sleep(100);
            assert.deepEqual(received, reaches ? ['abc'] : [], `limit ${limit}: what the server got`);
            assert.equal(proxy.stats.cuts, 1);
          } finally {
            await proxy.stop();
          }
        }
      } finally {
        await server.close();
      }
    });

    test('setFaults restarts the sequence and redraws for live connections; false turns it off; bad specs throw', async () => {
      const proxy = await proxyFor(echo);
      const session = sessionPath();
      const stream = openStream(`${proxy.url}${session}/xhr_streaming`, { method: 'POST' });
      await stream.waitFor(OPENING, PROMPT);
      const spec = { seed: 99, min: 30, max: 60 };
      proxy.setFaults({ cutRandom: spec });
      const limit = randomCuts(spec).next();
      await xhrSend(`${echo.origin}${session}/xhr_send`, ['q'.repeat(100)]);
      assert.equal(await stream.ended(PROMPT), 'aborted');
      assert.equal(stream.bytes(), OPENING.length + limit, 'counted from the change');
      proxy.setFaults({ cutRandom: false });
      const whole = openStream(`${proxy.url}/echo`);
      assert.equal(await whole.ended(PROMPT), 'end');
      for (const bad of [{ seed: 1, min: 0, max: 5 }, { seed: 1, min: 6, max: 5 }, { seed: 1.5, min: 1, max: 5 }, { min: 1, max: 5 }, true, 7, { seed: 1, min: 1, max: 2, x: 1 }]) {
        assert.throws(() => proxy.setFaults({ cutRandom: bad }), TypeError, JSON.stringify(bad));
      }
    });
  });

  for (const status of [400, 403, 502]) {
    test(`refuseUpgrade: ${status} answers upgrades with ${status}; HTTP goes on`, async () => {
      const server = await startEcho();
      const proxy = await startFaultProxy({ upstream: server.origin, refuseUpgrade: status });
      try {
        const socket = openWebSocket(`${proxy.url}${sessionPath()}/websocket`);
        await socket.waitClosed(PROMPT);
        assert.equal(socket.status, status);
        assert.equal(socket.opened, null);
        assert.equal(server.comet.sessions.size, 0, 'the upstream never saw it');
        assert.deepEqual([proxy.stats.upgrades, proxy.stats.refused], [1, 1]);
        const stream = openStream(`${proxy.url}${sessionPath()}/xhr_streaming`, { method: 'POST' });
        await stream.waitFor(OPENING, PROMPT);
        stream.destroy();
      } finally {
        await proxy.stop();
        await server.close();
      }
    });
  }

  test('silentUpgrade: the browser gets a valid 101, then nothing either way; the upstream sees nothing', async () => {
    const server = await startEcho();
    const proxy = await startFaultProxy({ upstream: server.origin, silentUpgrade: true });
    try {
      const socket = openWebSocket(`${proxy.url}${sessionPath()}/websocket`);
      await until(() => socket.opened !== null, PROMPT, 'the 101');
      socket.send('into the void');
      await sleep(400);
      assert.deepEqual(socket.frames, [], 'no open frame, no echo');
      assert.equal(socket.closed, null, 'and no close either');
      assert.equal(server.comet.sessions.size, 0);
      assert.equal(await server.connections(), 0);
      socket.ws.terminate();
    } finally {
      await proxy.stop();
      await server.close();
    }
  });

  describe('setFaults mid-session', { concurrency: true }, () => {
    test('silentUpgrade black-holes a live WebSocket (no close, nothing through)', async () => {
      const proxy = await proxyFor(echo);
      const socket = openWebSocket(`${proxy.url}${sessionPath()}/websocket`);
      await socket.waitFor('o', PROMPT);
      socket.send('before');
      await socket.waitFor('a["before"]', PROMPT);
      proxy.setFaults({ silentUpgrade: true });
      socket.send('after');
      await sleep(400);
      assert.equal(socket.frames.length, 2);
      assert.equal(socket.closed, null);
      socket.ws.terminate();
    });

    test('killAfter set on an old stream kills it n ms after the change, not at once', async () => {
      const proxy = await proxyFor(echo);
      const stream = openStream(`${proxy.url}${sessionPath()}/xhr_streaming`, { method: 'POST' });
      await stream.waitFor(OPENING, PROMPT);
      await sleep(400);
      const changed = Date.now();
      proxy.setFaults({ killAfter: 300 });
      assert.equal(await stream.ended(PROMPT), 'aborted');
      within(Date.now() - changed, 280, 2000, 'killed after the change');
    });

    test('cutAfterBytes set mid-stream counts from the change', async () => {
      const proxy = await proxyFor(echo);
      const session = sessionPath();
      const stream = openStream(`${proxy.url}${session}/xhr_streaming`, { method: 'POST' });
      await stream.waitFor(OPENING, PROMPT);
      proxy.setFaults({ cutAfterBytes: 10 });
      await xhrSend(`${echo.origin}${session}/xhr_send`, ['abcdefghijklmnop']);
      assert.equal(await stream.ended(PROMPT), 'aborted');
      assert.equal(stream.text(), OPENING + 'a["abcdefg');
    });

    test('killIdleAfter and refuseUpgrade: live connections get the idle rule, new upgrades the refusal', async () => {
      const proxy = await proxyFor(echo);
      const socket = openWebSocket(`${proxy.url}${sessionPath()}/websocket`);
      await socket.waitFor('o', PROMPT);
      await sleep(300); // already idle for 300 ms: the rule counts from the change
      proxy.setFaults({ killIdleAfter: 300, refuseUpgrade: 403 });
      const changed = Date.now();
      const refused = openWebSocket(`${proxy.url}${sessionPath()}/websocket`);
      await refused.waitClosed(PROMPT);
      assert.equal(refused.status, 403);
      assert.equal((await socket.waitClosed(PROMPT)).code, 1006);
      within(Date.now() - changed, 280, 2000, 'idle kill after the change');
    });
  });

  test('stop() closes every connection on both sides and the port', async () => {
    const server = await startEcho();
    const proxy = await startFaultProxy({ upstream: server.origin });
    try {
      await stopClosesEverything(server, proxy);
    } finally {
      await proxy.stop();
      await server.close();
    }
  });
});

/** Opens one of everything through the proxy, stops it, and checks that nothing is left on either side. */
async function stopClosesEverything(server, proxy) {
  const session = sessionPath();
  const stream = openStream(`${proxy.url}${session}/xhr_streaming`, { method: 'POST' });
  const socket = openWebSocket(`${proxy.url}${sessionPath()}/websocket`);
  await Promise.all([stream.waitFor(OPENING, PROMPT), socket.waitFor('o', PROMPT)]);
  // A held long-poll, a black-holed WebSocket and an idle keep-alive connection.
  const pollSession = sessionPath();
  const first = openStream(`${proxy.url}${pollSession}/xhr`, { method: 'POST' });
  assert.equal(await first.ended(PROMPT), 'end');
  const held = openStream(`${proxy.url}${pollSession}/xhr`, { method: 'POST' });
  proxy.setFaults({ silentUpgrade: true });
  const silent = openWebSocket(`${proxy.url}${sessionPath()}/websocket`);
  await until(() => silent.opened !== null, PROMPT, 'the silent 101');
  const keepAlive = await new Promise((resolve, reject) => {
    const req = request(`${proxy.url}/echo`, { headers: { Connection: 'keep-alive' } }, (res) => {
      res.resume();
      res.on('end', () => resolve(req.socket));
    });
    req.on('error', reject);
    req.end();
  });
  await until(() => proxy.stats.active === 4, PROMPT, 'four exchanges in progress: stream, WebSocket, held poll, silent WebSocket');
  assert.equal(await server.connections(), 3, 'upstream: stream, WebSocket, held poll');

  // Client side: stream, WebSocket, held poll, silent WebSocket, keep-alive; upstream side: the first three.
  assert.equal(proxy.openSockets(), 8);
  await proxy.stop();
  assert.equal(proxy.stats.active, 0);
  assert.equal(proxy.openSockets(), 0);
  await Promise.all([stream.ended(PROMPT), held.ended(PROMPT), socket.waitClosed(PROMPT), silent.waitClosed(PROMPT)]);
  await until(() => keepAlive.destroyed, PROMPT, 'the keep-alive connection to close');
  assert.equal(stream.outcome, 'aborted');
  assert.equal(held.outcome, 'error: ECONNRESET', 'the held poll had no headers yet');
  const deadline = Date.now() + PROMPT;
  while ((await server.connections()) > 0) {
    assert.ok(Date.now() < deadline, 'the upstream lost every connection');
    await sleep(10);
  }
  assert.equal(await accepts(proxy.port), false, 'nothing listens any more');
}
