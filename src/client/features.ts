/**
 * Whether the client carries what only matters with several tiers or HTTP
 * tiers: the network memory, stream-sense, kill adaptation, tuning and
 * re-upgrade. `cometkit/websocket` is built with this module replaced by one
 * that says false (rollup.config.mjs), so the minifier drops that code: with
 * WebSocket alone none of it can act (there is no /info to tune with, no other
 * tier to order, leave for or re-upgrade to).
 */
export const MULTI_TIER = true as boolean;
