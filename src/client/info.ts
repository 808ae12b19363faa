import type { Info } from './transports/types.js';
import { jsonpCall } from './util/jsonp.js';

/** How long the `/info` probe may take, as in sockjs-client. */
const INFO_TIMEOUT = 8000;

type Body = Omit<Info, 'rtt' | 'cors'>;

/**
 * `GET <base>/info` (with the service URL's own `query`, `&…`): RTT, whether WebSocket is
 * allowed, and the server's extensions. Where CORS fails, a cometkit server answers the JSONP form.
 */
export async function probe(base: string, signal?: AbortSignal, query = ''): Promise<Info> {
  const started = Date.now();
  const done = (cors: boolean) => (body: unknown): Info => ({ ...(body as Body), rtt: Date.now() - started, cors });
  const jsonp = () => jsonpCall(base + '/info?t' + query, INFO_TIMEOUT, signal).then(done(false));
  // Engines without AbortSignal.timeout (Chromium 80–102, Firefox 74–99, Safari 13.1–15) probe with
  // no limit of their own (the browser's). (async: whatever else the engine lacks, fetch() itself in a
  // test page, say, rejects the probe, which then counts as none, rather than throw into the negotiation.)
  return fetch(base + '/info?t=' + started + query, { credentials: 'include', signal: AbortSignal.timeout?.(INFO_TIMEOUT) }).then(
    // An HTTP status means the server answered: the JSONP form cannot do better.
    (res) => (res.ok ? res.json().then(done(true), jsonp) : Promise.reject(new Error('HTTP ' + res.status))),
    jsonp,
  );
}
