import { now } from './dom.js';
import { jsonp } from './jsonp.js';
import type { Cancel } from './jsonp.js';
import { withQuery } from './url.js';

/** How long the `/info` probe may take, as in sockjs-client. */
const INFO_TIMEOUT = 8000;

/** cometkit's extensions, when a cometkit server advertises them (an empty object for others). */
export interface Extensions {
  /** `POST <session>/close` ends the session at once. */
  close?: boolean;
  /** The server's heartbeat delay, ms. */
  heartbeat?: number;
  /** The largest send body the server takes, bytes. */
  maxBody?: number;
}

/** What the legacy client reads from `/info`. */
export interface Info {
  cometkit?: Extensions;
  /** Round-trip time of the probe, ms. */
  rtt: number;
}

/**
 * `GET <base>/info?c=<callback>` (after the service URL's own query, `extra`),
 * the JSONP form a cometkit server answers (`/**\/callback({...});`). A stock
 * SockJS server answers plain JSON, which
 * calls no callback (or never runs): `done(null)` then, and the client goes
 * straight to JSONP without extensions, as it also does when the probe fails.
 */
export function probe(base: string, extra: string, done: (info: Info | null) => void): Cancel {
  const started = now();
  return jsonp(withQuery(base + '/info', extra), INFO_TIMEOUT, (error, body) => {
    const info = !error && body && typeof body == 'object' ? (body as Info) : null;
    if (info) info.rtt = now() - started;
    done(info);
  });
}
