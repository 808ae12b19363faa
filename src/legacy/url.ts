/**
 * Session URL stem `<base>/<server>/<session>`, as SockJS clients pick them:
 * three random digits (load-balancer affinity) and eight random characters.
 * src/client/util/url.ts needs padStart/padEnd, which are ES2017.
 */
export function sessionUrl(base: string): string {
  const server = String(1000 + Math.floor(Math.random() * 1000)).slice(1);
  return base + '/' + server + '/' + (Math.random().toString(36) + '00000000').slice(2, 10);
}

/**
 * The service URL without its #fragment (browsers never send one), split at its first `?`:
 * [path, its own query as `&…`, or '']. Not a split by a regular expression with a capture
 * group, which old IE gets wrong.
 */
export function splitUrl(url: string): [string, string] {
  const whole = url.split('#')[0];
  const at = whole.indexOf('?');
  return at < 0 ? [whole, ''] : [whole.slice(0, at), '&' + whole.slice(at + 1)];
}

/** `path` with a query given as `&…` (or ''), its first `&` made the `?` that starts it. */
export function withQuery(path: string, query: string): string {
  return path + query.replace('&', '?');
}
