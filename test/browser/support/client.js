// Client helpers shared by the integration tests: bounded waits on events and an echo round trip.
import { assertSameMessages } from './echo.js';

/** Resolves with the next `type` event; rejects after `ms`. */
export function next(client, type, ms = 8000) {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      off();
      reject(new Error(`no "${type}" event within ${ms} ms (state ${client.state}, last negotiation ${JSON.stringify(client.diagnostics())})`));
    }, ms);
    const off = client.on(type, (event) => {
      clearTimeout(timer);
      off();
      resolve(event);
    });
  });
}

/** Resolves on `open`; rejects on a failed negotiation, a final close or after `ms`. */
export function opened(client, ms = 8000) {
  return new Promise((resolve, reject) => {
    const done = (fn, value) => {
      clearTimeout(timer);
      offs.forEach((off) => off());
      fn(value);
    };
    const timer = setTimeout(() => done(reject, new Error(`not open within ${ms} ms: ${JSON.stringify(client.diagnostics())}`)), ms);
    const offs = [
      client.on('open', (event) => done(resolve, event)),
      client.on('error', ({ error }) => done(reject, error)),
      client.on('close', (event) => !event.willReconnect && done(reject, new Error(`closed: ${event.code} ${event.reason}`))),
    ];
  });
}

/** Every `type` event from now on, in order. */
export function record(client, type) {
  const list = [];
  client.on(type, (event) => list.push(event));
  return list;
}

/** Sends `messages` in one tick and checks that they come back, in order, within `ms`. */
export async function echo(client, messages, ms = 8000) {
  const received = [];
  let off;
  const all = new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${received.length} of ${messages.length} echoes within ${ms} ms`)), ms);
    off = client.on('message', ({ data }) => {
      received.push(data);
      if (received.length === messages.length) {
        clearTimeout(timer);
        resolve();
      }
    });
  });
  for (const m of messages) client.send(m);
  try {
    await all;
  } finally {
    off();
  }
  assertSameMessages(received, messages);
}
