// Small assertions and waits shared by the unit tests.
import { assertEqual } from './echo.js';

export function assert(condition, what) {
  if (!condition) throw new Error(what);
}

export const json = (value) => JSON.stringify(value);

/** Equal as JSON: payload objects, arrays of events. */
export function assertJson(actual, expected, what) {
  assertEqual(json(actual), json(expected), what);
}

/** One macrotask later: what the client scheduled for "later" has run. */
export const tick = () => new Promise((resolve) => setTimeout(resolve));

/** The next `type` event, or a rejection after `ms`. */
export function nextEvent(client, type, ms = 2000) {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      off();
      reject(new Error(`no ${type} event within ${ms} ms (state ${client.state})`));
    }, ms);
    const off = client.on(type, (event) => {
      clearTimeout(timer);
      off();
      resolve(event);
    });
  });
}

/**
 * Runs `fn(seen)` with window.onerror catching `expected` (mocha's handler would fail the test: karma-mocha
 * does not change that) and waits up to `ms` for it; `seen` lists each time it was caught, and
 * `rethrownSynchronously` is what `fn` returned.
 */
export async function catchingAsyncThrow(expected, fn, ms = 2000) {
  const previous = window.onerror;
  const seen = [];
  let notify;
  const arrived = new Promise((resolve) => (notify = resolve));
  window.onerror = (message, source, line, column, error) => {
    if (error !== expected) return previous?.call(window, message, source, line, column, error);
    seen.push(error);
    notify();
    return true; // handled: no console report
  };
  try {
    const rethrownSynchronously = await fn(seen);
    await Promise.race([arrived, new Promise((resolve) => setTimeout(resolve, ms))]);
    return { seen, rethrownSynchronously };
  } finally {
    window.onerror = previous;
  }
}
