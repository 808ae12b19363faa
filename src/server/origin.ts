import type { IncomingMessage } from 'node:http';

/** The `origins` option: the page origins allowed, or a function that says. */
export type Origins = readonly string[] | ((origin: string) => boolean);

/**
 * Whether `origin` is what a browser sends in `Origin`: scheme, host and port only, lower-case,
 * the default port left out (`https://app.example.com`, `http://localhost:3000`).
 */
export function isOrigin(origin: string): boolean {
  if (!/^https?:\/\/[^/?#]+$/.test(origin)) return false;
  try {
    return new URL(origin).origin === origin;
  } catch {
    return false;
  }
}

/** `new URL(text)`'s `part`, or 'null' when `text` is no URL (an opaque origin, garbage). */
function partOf(text: string, part: 'origin' | 'host'): string {
  try {
    return new URL(text)[part];
  } catch {
    return 'null';
  }
}

/**
 * The check behind `origins` (undefined when every origin is allowed). A browser names the page a
 * request comes from in `Origin` (fetch, XHR, form posts, WebSocket), else in `Referer` (script
 * tags, iframes), unless the page's referrer policy drops it; fetch metadata (`Sec-Fetch-Site`)
 * still tells whether it came from the server's own origin. The server's own origin (its `Host`)
 * is always allowed: the bridge and iframe pages make their requests from it.
 *
 * `strict` is for what hands data to whichever page asked, whoever it is: a JSONP answer runs in
 * that page, an iframe page relays to it. A request that names no origin, and whose fetch metadata
 * does not say it is the server's own, is refused there; elsewhere it is allowed, since a browser
 * names the origin of every cross-origin request that can read an answer (what sends none is not a
 * page: a Node client, curl).
 * `onError` gets what a function given as `origins` threw (the request is then refused).
 */
export function originCheck(
  origins: Origins | undefined,
  onError: (error: unknown) => void,
): ((req: IncomingMessage, strict: boolean) => boolean) | undefined {
  if (origins === undefined) return undefined;
  const allows = (origin: string): boolean => {
    if (typeof origins !== 'function') return origins.includes(origin);
    try {
      // Only `true`: an async function's promise (truthy) must not let every origin in.
      const answer: unknown = origins(origin);
      return answer === true;
    } catch (error) {
      onError(error);
      return false;
    }
  };
  return (req, strict) => {
    const { origin, referer, host } = req.headers;
    const named = origin ?? (referer === undefined ? undefined : partOf(referer, 'origin'));
    if (named !== undefined) return partOf(named, 'host') === host || allows(named);
    const site = req.headers['sec-fetch-site'];
    if (site === 'same-origin' || site === 'none') return true;
    return site === undefined && !strict;
  };
}
