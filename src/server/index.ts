/** cometkit/server: the reference SockJS 0.3-compatible server with cometkit's extensions. */
export { createServer, listen } from './server.js';
export type { CometServer, ListenOptions, ServerEvents, StandaloneServer } from './server.js';
export type { ServerOptions } from './options.js';
export type { Session, SessionEvents, SessionInfo, SessionState } from './session.js';
