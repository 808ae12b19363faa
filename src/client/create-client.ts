import { createCoreClient } from './client.js';
import type { Client } from './client.js';
import type { ClientOptions } from './options.js';
import { iframe } from './transports/iframe.js';
import { jsonp } from './transports/jsonp.js';
import { polling } from './transports/polling.js';
import { websocket } from './transports/websocket.js';
import { xhrStreaming } from './transports/xhr-streaming.js';

/** The five tiers in their default fallback order. */
export const TIERS = [websocket, xhrStreaming, iframe, jsonp, polling];

/**
 * Connects to a SockJS-compatible service with every tier available;
 * `options.transports` restricts and orders them by name.
 * @example
 * const client = createClient('https://example.com/echo');
 * client.on('message', ({ data }) => console.log(data));
 * client.send('hello');
 */
export function createClient(url: string, options?: ClientOptions): Client {
  return createCoreClient(url, options, TIERS);
}
