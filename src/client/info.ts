import type { Info } from './transports/types.js';
import { jsonpCall } from './util/jsonp.js';

/** How long the `/info` probe may take, as in sockjs-client. */
const INFO_TIMEOUT = 8000;

type Body = Omit<Info, 'rtt' | 'cors'>;

/**
 * `GET <base>/info`: RTT, whether WebSocket is allowed, and the server's
 * extensions. Where CORS fails, a cometkit server answers the JSONP form.
 */
export function probe(base: string): Promise<Info> {
  const started = Date.now();
  const done = (cors: boolean) => (body: Body): Info => ({ ...body, rtt: Date.now() - started, cors });
  const signal = AbortSignal.timeout(INFO_TIMEOUT);
  return fetch(base + '/info?t=' + started, { credentials: 'include', signal })
    .then((res) => (res.ok ? (res.json() as Promise<Body>) : Promise.reject(new Error('/info: HTTP ' + res.status))))
    .then(done(true), (error: unknown) => {
      // An HTTP status means the server answered: the JSONP form cannot do better.
      if ((error as Error).message.startsWith('/info')) throw error as Error;
      return jsonpCall(base + '/info', INFO_TIMEOUT).then((body) => done(false)(body as Body));
    });
}
