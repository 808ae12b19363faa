// The gate in front of the test servers' /token_echo service (test/interop/gate.mjs): what a request
// there must carry in its query. Shared by the servers (Node) and the tests (browser).

export const GATE_PREFIX = '/token_echo';
/** Needs encoding in a URL: a client that mangles its query loses it. */
export const GATE_TOKEN = 'a b&é=';
