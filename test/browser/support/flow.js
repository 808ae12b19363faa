// What the resume tests share (test/integration/resume.test.js, test/legacy/legacy.test.js): a watch
// on everything a client reports, a bounded wait that says where the client stands, and a checked flow
// of numbered echoes. Works with the modern and the legacy client alike (same events, same send()).
import { assertEqual, until } from './echo.js';

/** Everything a client reports, in order, with times (ms since createClient). */
export function watch(client) {
  const t0 = performance.now();
  const w = { t0, opens: [], closes: [], errors: [], lost: [], moves: [], retries: 0 };
  client.on('open', (event) => w.opens.push({ ...event, at: performance.now() - t0 }));
  client.on('close', (event) => w.closes.push({ ...event, at: performance.now() - t0 }));
  client.on('transport', (event) => w.moves.push({ ...event, at: performance.now() - t0 }));
  client.on('reconnecting', () => w.retries++);
  client.on('error', ({ error }) => {
    w.errors.push(error);
    if (error.name === 'SessionLostError') w.lost.push(error);
  });
  return w;
}

export function describeClient(client, w) {
  return (
    `state ${client.state} on ${client.transport}; opens ${w.opens.length} (resumed: ${w.opens.filter((o) => o.resumed).length}; ` +
    `last ${JSON.stringify(w.opens.slice(-3).map((o) => [o.transport, o.resumed]))}); ` +
    `closes ${JSON.stringify(w.closes.slice(-5).map((c) => `${c.code} ${c.reason}`))} (${w.closes.length}); ` +
    `errors ${JSON.stringify(w.errors.slice(-3).map((e) => `${e.name}: ${e.message}`.slice(0, 200)))} (${w.errors.length}); ` +
    `last negotiation ${JSON.stringify(client.diagnostics())}`
  );
}

/** Waits (bounded) for `predicate`, with the client's state in the failure. */
export async function waitFor(client, w, predicate, timeout, what) {
  try {
    await until(predicate, timeout, what);
  } catch {
    throw new Error(`no ${what} within ${timeout} ms: ${describeClient(client, w)}`);
  }
}

/**
 * Sends `count` numbered messages `<label> <i>` to an echo service, at most `window` unconfirmed or
 * not echoed yet at a time (and at most `rate` a second when given), and checks as they come: the echoes are exactly
 * `<label> 0`, `<label> 1`, … (nothing lost, repeated or reordered: a duplicate or a gap fails at
 * once), and each send's callback runs once, in order, without an error. Other messages are ignored.
 * `done(timeout)` resolves once every echo and callback is in.
 */
export function flow(client, w, { label = 'm', count, window = 200, rate = 0 }) {
  const f = { sent: 0, confirmed: 0, received: 0, problem: null };
  const fail = (problem) => (f.problem ??= problem);
  let budget = rate ? 0 : Infinity;
  const off = client.on('message', ({ data }) => {
    if (!data.startsWith(label + ' ')) return;
    const want = `${label} ${f.received}`;
    if (data === want) {
      f.received++;
      pump();
    } else fail(`echo ${f.received}: got ${JSON.stringify(data.slice(0, 40))}, expected ${JSON.stringify(want)}`);
  });
  const pump = () => {
    // Bounded both ways: unconfirmed sends, and echoes not back yet (what the server keeps for a resume).
    while (!f.problem && f.sent < count && f.sent - Math.min(f.confirmed, f.received) < window && budget >= 1) {
      const i = f.sent++;
      budget--;
      let called = false;
      client.send(`${label} ${i}`, (error) => {
        if (called) return fail(`send ${i}: callback called twice`);
        called = true;
        if (i !== f.confirmed) fail(`send ${i}: callback after ${f.confirmed} others (out of order)`);
        if (error) fail(`send ${i}: callback got ${error.name}: ${error.message}`);
        f.confirmed++;
        pump();
      });
    }
  };
  const pacer = rate
    ? setInterval(() => {
        budget = Math.min(budget + rate / 100, rate / 10);
        pump();
      }, 10)
    : null;
  pump();
  f.stop = () => {
    off();
    clearInterval(pacer);
  };
  f.done = async (timeout) => {
    try {
      await until(() => f.problem || (f.received === count && f.confirmed === count), timeout, 'the flow');
    } catch {
      f.problem ??= `timed out after ${timeout} ms`;
    } finally {
      f.stop();
    }
    if (f.problem) {
      throw new Error(`${label}: ${f.problem} (sent ${f.sent}, confirmed ${f.confirmed}, echoed ${f.received} of ${count}); ${describeClient(client, w)}`);
    }
  };
  return f;
}

/** Every open after the first resumed the session, and none was lost. */
export function assertResumedThroughout(w) {
  assertEqual(w.opens[0]?.resumed, false, 'the first open.resumed');
  w.opens.slice(1).forEach((o, i) => assertEqual(o.resumed, true, `open ${i + 2} (${o.transport}).resumed`));
  if (w.lost.length) throw new Error(`${w.lost.length} SessionLostError: ${w.lost[0].message}`);
}

export function assertLost(w, count, what) {
  if (w.lost.length !== count) throw new Error(`${w.lost.length} SessionLostError (${what}), expected ${count}: ${w.lost.map((e) => e.message).join('; ')}`);
}
