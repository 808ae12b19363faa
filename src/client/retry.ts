/**
 * The longest delay `setTimeout` holds, 2^31 - 1 ms (about 24.8 days): a longer one fires at once.
 * Every number option is at most this (both builds), and the clients' timers are clamped to it.
 */
export const MAX_DELAY = 2147483647;

/** How long the `/info` probe may take, as in sockjs-client: the client ends it then (its JSONP form too). */
export const INFO_TIMEOUT = 8000;

/**
 * Full-jitter exponential backoff: a random delay in [0, min(cap, base·2^(attempt-1))).
 * Spreads a crowd of clients reconnecting to a restarted server.
 */
export function backoff(base: number, cap: number): (attempt: number) => number {
  return (attempt) => Math.floor(Math.random() * Math.min(cap, base * 2 ** (attempt - 1)));
}

/** Per-tier open timeout: sockjs-client's RTO scaled by round trips, never under `floor`. 5 s while the RTT is unknown. */
export function openTimeout(rtt: number | undefined, roundTrips: number, floor: number): number {
  return Math.max(floor, rtt === undefined ? 5000 : (rtt > 100 ? 4 * rtt : 300 + rtt) * roundTrips);
}
