import type { TransportName } from './events.js';

/** One tier tried during negotiation, for errors, events and diagnostics. */
export interface Attempt {
  transport: TransportName;
  /** `skipped` (not supported here), `failed`, or `open`. */
  outcome: 'skipped' | 'failed' | 'open';
  reason: string;
  /** Ms from starting the tier to its outcome. */
  time: number;
}

/**
 * Every tier was skipped or failed; `attempts` says which, why and how long
 * each took. Check `error.name == 'NegotiationError'` across frames and realms.
 */
export class NegotiationError extends Error {
  readonly attempts: Attempt[];
  constructor(attempts: Attempt[], elapsed: number) {
    super('All transports failed in ' + elapsed + ' ms: ' + attempts.map((a) => a.transport + ' ' + a.outcome + ' (' + a.reason + ', ' + a.time + ' ms)').join('; '));
    this.name = 'NegotiationError';
    this.attempts = attempts;
  }
}
