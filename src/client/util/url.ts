/** Session URL stem: a random server id (for load-balancer affinity) and session id, as SockJS clients pick them. */
export function sessionUrl(base: string): string {
  return base + '/' + String((1e3 + Math.random() * 1e3) | 0).slice(1) + '/' + Math.random().toString(36).slice(2, 10).padEnd(8, '0');
}

export function isCrossOrigin(base: string): boolean {
  return typeof location === 'undefined' || new URL(base, location.href).origin != location.origin;
}
