/**
 * How many of `messages`, from the first, one request or WebSocket message carries: as many as keep
 * it within the server's body limit `max` (bytes: /info's `maxBody`; where the server does not say,
 * as on WebSocket alone, 1 MiB: the reference server's default, and nginx's `client_max_body_size`;
 * SockJS servers take more), and one at the least. A body over the limit is refused whole, and sent
 * again whole after every reconnection: a backlog larger than it would never go. A character counts
 * as the most its encoding may take, in a form post (`%E2%82%AC`, 9 bytes; in JSON 6 at most,
 * `\u001f`), with 99 bytes left for the batch's own brackets and positions.
 */
export function fit(messages: readonly string[], max = 1048576): number {
  let n = 0;
  while (n < messages.length && ((max -= messages[n].length * 9 + 3) > 99 || !n)) n++;
  return n;
}
