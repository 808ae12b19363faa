import type { Attempt } from '../client/errors.js';

/** What the `error` event carries when every tier was skipped or failed. */
export type NegotiationError = Error & { attempts: Attempt[] };

/**
 * The modern build's NegotiationError as a plain Error with `name` and
 * `attempts`: its class compiles to ES5 helpers that need Object.create or
 * setPrototypeOf, and subclassing Error breaks `instanceof` in ES5 anyway.
 * Test `error.name == 'NegotiationError'`, which also works across frames.
 */
export function negotiationError(attempts: Attempt[], elapsed: number): NegotiationError {
  const parts: string[] = [];
  for (const a of attempts) parts.push(a.transport + ' ' + a.outcome + ' (' + a.reason + ', ' + a.time + ' ms)');
  const error = new Error('All transports failed in ' + elapsed + ' ms: ' + parts.join('; ')) as NegotiationError;
  error.name = 'NegotiationError';
  error.attempts = attempts;
  return error;
}
