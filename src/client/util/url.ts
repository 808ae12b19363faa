/** Session URL stem: a random server id (for load-balancer affinity) and session id, as SockJS clients pick them. */
export function sessionUrl(base: string): string {
  // Three digits: "0.ddd" (or "1.000", rounded up), from the third character on.
  return base + '/' + Math.random().toFixed(3).slice(2) + '/' + Math.random().toString(36).slice(2, 10).padEnd(8, '0');
}
