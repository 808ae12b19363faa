// `cometkit/websocket`: the client on WebSocket alone. Built with the multi-tier
// features folded away (src/client/features.ts); this list is the whole of its API.
import { createCoreClient } from './client/client.js';
import type { Client } from './client/client.js';
import type { ClientOptions } from './client/options.js';
import { websocket } from './client/transports/websocket.js';

export type { Client, ClientState } from './client/client.js';
export type { ClientOptions } from './client/options.js';
export type { ClientEvents, TransportName } from './client/events.js';
export { NegotiationError } from './client/errors.js';
export type { Attempt } from './client/errors.js';

/**
 * Connects to a SockJS-compatible service over WebSocket alone: the full
 * client's API, options, reconnection, liveness, send queue and resume, and
 * no HTTP tier. `options.transports` may only name `websocket`.
 * @example
 * const client = createClient('https://example.com/echo');
 * client.on('message', ({ data }) => console.log(data));
 * client.send('hello');
 */
export function createClient(url: string, options?: ClientOptions): Client {
  return createCoreClient(url, options, [websocket]);
}
