import type { IncomingMessage, ServerResponse } from 'node:http';

export type Headers = Record<string, string | string[]>;

const YEAR_SECONDS = 31536000;

export const NO_CACHE: Headers = {
  'Cache-Control': 'no-store, no-cache, no-transform, must-revalidate, max-age=0',
};

export const TEXT = 'text/plain;charset=UTF-8';
export const JAVASCRIPT = 'application/javascript;charset=UTF-8';
export const HTML = 'text/html;charset=UTF-8';

/**
 * For the pages the client frames (the bridge page, `htmlfile`): a cross-origin isolated page
 * (`Cross-Origin-Embedder-Policy`) frames only documents that have an embedder policy of their own.
 * These two load nothing from other origins, so `require-corp` costs them nothing.
 */
export const EMBEDDABLE: Headers = { 'Cross-Origin-Embedder-Policy': 'require-corp' };

/** Long-lived caching for pages and preflights that never change. */
export function cacheForever(): Headers {
  return {
    'Cache-Control': `public, max-age=${YEAR_SECONDS}`,
    Expires: new Date(Date.now() + YEAR_SECONDS * 1000).toUTCString(),
  };
}

/** Echoes the page's origin so credentialed cross-origin XHR works; `*` without an Origin. */
export function cors(req: IncomingMessage): Headers {
  const origin = req.headers.origin;
  if (!origin) return { 'Access-Control-Allow-Origin': '*' };
  return {
    'Access-Control-Allow-Origin': origin,
    'Access-Control-Allow-Credentials': 'true',
    Vary: 'Origin',
  };
}

/** A preflight answer, cached for a long time so each send costs one request. */
export function preflight(req: IncomingMessage, res: ServerResponse, methods: string): void {
  const headers: Headers = {
    ...cors(req),
    ...cacheForever(),
    'Access-Control-Allow-Methods': methods,
    'Access-Control-Max-Age': String(YEAR_SECONDS),
  };
  const asked = req.headers['access-control-request-headers'];
  if (asked) headers['Access-Control-Allow-Headers'] = asked;
  res.writeHead(204, headers);
  res.end();
}

/** JSESSIONID for sticky load balancers: keeps the one the client has, else sets a dummy. */
export function jsessionid(req: IncomingMessage): Headers {
  const match = /(?:^|;\s*)JSESSIONID=([^;]*)/.exec(req.headers.cookie ?? '');
  return { 'Set-Cookie': `JSESSIONID=${match ? match[1] : 'dummy'}; path=/` };
}

export function reply(res: ServerResponse, status: number, body: string, headers: Headers = {}): void {
  if (res.headersSent) {
    res.end();
    return;
  }
  // Firefox fires no iframe load event for an empty, untyped 404, so a forever-iframe
  // pointed at a wrong URL would wait out its timeout. 405s stay empty, as the protocol has them.
  if (status === 404 && body === '') body = 'Not found.\n';
  const extra: Headers = body === '' ? {} : { 'Content-Type': TEXT };
  res.writeHead(status, { ...extra, ...headers, 'Content-Length': String(Buffer.byteLength(body)) });
  res.end(body);
}

export class BodyTooLarge extends Error {
  constructor(limit: number) {
    super(`Request body over ${limit} bytes`);
    this.name = 'BodyTooLarge';
  }
}

/**
 * How far past the limit a body is still read (and thrown away) before the 413: a browser still
 * uploading when the connection closes under it sees a network error, not the answer (WebKit always;
 * the others when the upload is far from done), and the client then cannot tell why its send failed.
 * Beyond this, the connection closes at once: nobody's upload is worth more.
 */
const DRAIN = 8 * 1024 * 1024;

/**
 * Reads a whole request body as UTF-8. One over `limit` bytes is refused once it has ended, or at once
 * when it is (or its Content-Length says it will be) over DRAIN bytes more.
 */
export function readBody(req: IncomingMessage, limit: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const tooLarge = () => reject(new BodyTooLarge(limit));
    if (Number(req.headers['content-length']) > limit + DRAIN) {
      req.resume();
      tooLarge();
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= limit) chunks.push(chunk);
      else {
        // Over: nothing kept from here on (a rejection once settled ignores the calls after it).
        chunks.length = 0;
        if (size > limit + DRAIN) tooLarge();
      }
    });
    req.on('end', () => (size > limit ? tooLarge() : resolve(Buffer.concat(chunks).toString('utf8'))));
    req.on('error', reject);
  });
}

const CALLBACK = /^[a-zA-Z0-9_.-]{1,32}$/;

/**
 * The JSONP callback name from `c` or `callback`; when it is missing or
 * invalid, answers 500 with the protocol's message and returns null.
 */
export function callbackName(url: URL, res: ServerResponse): string | null {
  const name = url.searchParams.get('c') ?? url.searchParams.get('callback');
  const error = !name ? '"callback" parameter required' : CALLBACK.test(name) ? '' : 'invalid "callback" parameter';
  if (!error) return name;
  reply(res, 500, error, NO_CACHE);
  return null;
}
