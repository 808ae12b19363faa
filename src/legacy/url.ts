/**
 * Session URL stem `<base>/<server>/<session>`, as SockJS clients pick them:
 * three random digits (load-balancer affinity) and eight random characters.
 * src/client/util/url.ts needs padStart/padEnd, which are ES2017.
 */
export function sessionUrl(base: string): string {
  const server = String(1000 + Math.floor(Math.random() * 1000)).slice(1);
  return base + '/' + server + '/' + (Math.random().toString(36) + '00000000').slice(2, 10);
}
