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
