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

/** Base class of cometkit's errors; check `error.name` across frames and realms. */
export class CometError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CometError';
  }
}

/** Every tier was skipped or failed; `attempts` says which, why and how long each took. */
export class NegotiationError extends CometError {
  readonly attempts: Attempt[];
  constructor(attempts: Attempt[], elapsed: number) {
    super(
      'All transports failed in ' + elapsed + ' ms: ' +
        attempts.map((a) => a.transport + ' ' + a.outcome + ' (' + a.reason + ', ' + a.time + ' ms)').join('; '),
    );
    this.name = 'NegotiationError';
    this.attempts = attempts;
  }
}
