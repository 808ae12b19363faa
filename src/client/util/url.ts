/** Session URL stem: a random server id (for load-balancer affinity) and session id, as SockJS clients pick them. */
export function sessionUrl(base: string): string {
  const id = Math.random().toString(36).slice(2, 10).padEnd(8, '0');
  return base + '/' + String(Math.floor(Math.random() * 1000)).padStart(3, '0') + '/' + id;
}

export function isCrossOrigin(base: string): boolean {
  return typeof location === 'undefined' || new URL(base, location.href).origin !== location.origin;
}
