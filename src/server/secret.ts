import { randomBytes } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

/**
 * Session secrets (PROTOCOL.md): a resumable session belongs to the browser that opened it. The
 * secret is an HttpOnly cookie, so it never appears in a URL (where logs and proxies see session
 * ids) and costs the client no code: browsers send it with every tier's requests (fetch with
 * credentials, WebSocket handshakes, scripts, frames, form posts).
 *
 * Each secret is a cookie of its own name (`cometkit_<8 characters>`). Clients that open sessions
 * at once in a browser with none (ten in a page, tabs restored together) are each issued one; under
 * a single name the last to arrive would replace the others, and the sessions bound to them would be
 * refused. Under their own names they add up instead, and only that first burst makes more than one.
 */
const SHOWN = /(?:^|;\s*)(cometkit_[\w-]{8}=[\w-]{24})(?=;|$)/g;

/** The secret cookies a request carries (`name=value` each); only the shape this server issues counts. */
export function shownSecrets(req: IncomingMessage): string[] {
  return [...(req.headers.cookie ?? '').matchAll(SHOWN)].map((match) => match[1]);
}

/** A fresh secret, `cometkit_<48 random bits>=<144 random bits>`, base64url. */
export function newSecret(): string {
  const bytes = randomBytes(24).toString('base64url');
  return `cometkit_${bytes.slice(0, 8)}=${bytes.slice(8)}`;
}

/**
 * The `Set-Cookie` value for `secret`, scoped to the service's path. A browser-session cookie: it
 * lives as long as the sessions it guards can (a reload included). Over TLS it is `SameSite=None;
 * Secure; Partitioned`, so pages on other sites send it too (browsers that block third-party
 * cookies keep it per top-level site, or drop it: see PROTOCOL.md); over plain HTTP browsers refuse
 * `SameSite=None`, so it is `Lax`, sent by pages of the same site.
 */
export function secretCookie(secret: string, prefix: string, req: IncomingMessage): string {
  const proto = req.headers['x-forwarded-proto'];
  // (A TLS socket says `encrypted`; a plain one has no such field.)
  const tls = req.httpVersionMajor >= 2 || 'encrypted' in req.socket || String(proto).startsWith('https');
  return `${secret}; Path=${prefix || '/'}; HttpOnly; ` + (tls ? 'SameSite=None; Secure; Partitioned' : 'SameSite=Lax');
}
