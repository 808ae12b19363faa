// The public client API: this list is the whole of it.
export { createClient, TIERS } from './client/create-client.js';
export { createCoreClient } from './client/client.js';
export type { Client, ClientState } from './client/client.js';
export type { ClientOptions } from './client/options.js';
export type { ClientEvents, TransportName } from './client/events.js';
export { NegotiationError } from './client/errors.js';
export type { Attempt } from './client/errors.js';
export { websocket } from './client/transports/websocket.js';
export { xhrStreaming } from './client/transports/xhr-streaming.js';
export { iframe } from './client/transports/iframe.js';
export { jsonp } from './client/transports/jsonp.js';
export { polling } from './client/transports/polling.js';
export type { Tier } from './client/transports/types.js';
