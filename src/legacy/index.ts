// The legacy build's public API (dist/cometkit.legacy.js, global `cometkit`): this list is the whole of it.
export { createClient } from './client.js';
export type { LegacyClient } from './client.js';
export type { LegacyOptions } from './options.js';
export type { NegotiationError } from './errors.js';
