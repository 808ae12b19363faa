/**
 * Seats: the connections to the service that clients may hold at once, for
 * every tab of the page's origin together. Over HTTP/1.1 a browser opens at
 * most 6 connections to a host, for all its tabs; a stream or a held poll takes
 * one for as long as it lasts, so six tabs on a holding tier leave nothing for
 * their sends (which wait until they time out) and none for a seventh tab
 * (whose every tier times out). Four seats leave two connections for the
 * sends, the polls and the page's own requests; a client without a seat tries
 * the tiers that hold no connection first (WebSocket, plain polling), and
 * climbs back later (re-upgrade) once a seat is free. Web Locks count them:
 * held per tab, shared by the tabs of one origin, and freed by the browser
 * when a tab goes.
 */
const SEATS = 4;

/** Frees a seat. */
export type Seat = () => void;

// Where seats cannot be counted (no Web Locks, an opaque origin) or need not be (HTTP/2 and 3 carry
// every request on one connection), a client behaves as if it had one: as without seats.
const free: Seat = () => undefined;

/**
 * A seat for a client of a service on `origin`, or undefined when all are taken.
 * HTTP/2 is read from the resource timing of the service's requests (its
 * `/info` answer allows it across origins), so before any, seats count.
 */
export function takeSeat(origin: string): Promise<Seat | undefined> {
  return new Promise<Seat | undefined>((resolve: (seat?: Seat) => void, reject) => {
    if (performance.getEntries().some((e) => !e.name.indexOf(origin + '/') && /^h\d/.test((e as PerformanceResourceTiming).nextHopProtocol))) {
      return resolve(free);
    }
    const take = (n: number): unknown =>
      n < SEATS
        ? navigator.locks
            // A lock granted is held until its callback's promise settles: that promise's resolve
            // function, handed out as the seat, frees it.
            .request('cometkit ' + origin + ' ' + n, { ifAvailable: true }, (lock) => (lock ? new Promise<void>(resolve) : take(n + 1)))
            .catch(reject)
        : resolve();
    take(0);
  }).catch(() => free);
}
