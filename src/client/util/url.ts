/** Session URL stem: a random server id (for load-balancer affinity) and session id, as SockJS clients pick them. */
export function sessionUrl(base: string): string {
  // 1000 ≤ n < 2000 prints as "1ddd…": its three digits after the 1 are the server id.
  return base + '/' + String(1e3 + Math.random() * 1e3).slice(1, 4) + '/' + Math.random().toString(36).slice(2, 10).padEnd(8, '0');
}
