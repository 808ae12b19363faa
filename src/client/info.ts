import type { Info } from './transports/types.js';
import { INFO_TIMEOUT } from './retry.js';
import { jsonpCall } from './util/jsonp.js';

type Body = Omit<Info, 'rtt' | 'cors'>;

/**
 * `GET <base>/info` (with the service URL's own `query`, `&…`): RTT, whether WebSocket is
 * allowed, and the server's extensions. Where CORS fails, a cometkit server answers the JSONP form.
 */
export async function probe(base: string, signal?: AbortSignal, query = ''): Promise<Info> {
  const started = Date.now();
  const done = (cors: boolean) => (body: unknown): Info => ({ ...(body as Body), rtt: Date.now() - started, cors });
  const jsonp = () => jsonpCall(base + '/info?t' + query, INFO_TIMEOUT, signal).then(done(false));
  // Ended by `signal` alone: the caller gives it its time (AbortSignal.timeout, combined with `signal`,
  // would need AbortSignal.any: Chromium 116, Firefox 124, Safari 17.4). (async: whatever else the
  // engine lacks, fetch() itself in a test page, say, rejects the probe, which then counts as none,
  // rather than throw into the negotiation.)
  return fetch(base + '/info?t=' + started + query, { credentials: 'include', signal }).then(
    // An HTTP status means the server answered: the JSONP form cannot do better.
    (res) => (res.ok ? res.json().then(done(true), jsonp) : Promise.reject(new Error('HTTP ' + res.status))),
    jsonp,
  );
}
