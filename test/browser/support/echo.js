// Shared fixtures for the echo tests: the 200 messages every tier must carry in order.

const NON_ASCII = 'zażółć gęślą jaźń · Ελληνικά · 日本語 · 😀 · \u2028\u2029 · "quotes" \\ </script>';

/**
 * 200 messages: plain, non-ASCII and five of 64 KiB, each unique so order and loss show.
 * `htmlSafe` leaves out "</script>": stock sockjs-node writes htmlfile frames into
 * <script> blocks unescaped, so that text ends the block early there (the cometkit
 * server escapes `<`; its own test covers it).
 */
export function echoMessages({ htmlSafe = false } = {}) {
  const text = htmlSafe ? NON_ASCII.replace('</script>', '') : NON_ASCII;
  const list = [];
  for (let i = 0; i < 200; i++) {
    if (i % 40 === 7) list.push(`${i}:` + 'x'.repeat(65536) + text);
    else if (i % 3 === 0) list.push(`${i}: ${text}`);
    else list.push(`message ${i}`);
  }
  return list;
}

/** Compares two message lists, naming the first difference instead of dumping 320 KiB. */
export function assertSameMessages(actual, expected) {
  if (actual.length !== expected.length) {
    throw new Error(`expected ${expected.length} messages, got ${actual.length}`);
  }
  for (let i = 0; i < expected.length; i++) {
    if (actual[i] !== expected[i]) {
      throw new Error(`message ${i} differs: got ${JSON.stringify(actual[i].slice(0, 80))}…, expected ${JSON.stringify(expected[i].slice(0, 80))}…`);
    }
  }
}

export function assertEqual(actual, expected, what) {
  if (actual !== expected) throw new Error(`${what}: expected ${JSON.stringify(expected)}, got ${JSON.stringify(actual)}`);
}

/** Resolves when `predicate()` holds, checked on every animation-free tick; rejects after `ms`. */
export function until(predicate, ms, what) {
  return new Promise((resolve, reject) => {
    const started = Date.now();
    const check = () => {
      if (predicate()) return resolve();
      if (Date.now() - started > ms) return reject(new Error(`timed out waiting for ${what}`));
      setTimeout(check, 5);
    };
    check();
  });
}
