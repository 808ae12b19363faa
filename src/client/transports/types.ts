import type { TransportName } from '../events.js';

/** cometkit's extensions, as a cometkit server advertises them in `/info`. */
export interface Extensions {
  version: number;
  /** Plain polling (`/poll`) is served. */
  polling?: boolean;
  /** An `xhr_send` with `poll` is answered as a plain poll (200 and the frames ready). */
  pollOnSend?: boolean;
  /** The server's heartbeat delay, ms. */
  heartbeat?: number;
  /** Receiving requests take `h` and `ttl` (shorter heartbeats and streaming responses). */
  tune?: boolean;
  /** A receiving request with `takeover=1` moves the session onto it. */
  takeover?: boolean;
  /** Loss-free resume: the server's grace period, ms (PROTOCOL.md, "Resume"). */
  resume?: number;
  /** The largest send body (request or WebSocket message) the server takes, bytes. */
  maxBody?: number;
}

/** What the `/info` probe learned. */
export interface Info {
  /** `false` when the server has WebSocket off (SockJS servers always say; absent reads as on). */
  websocket?: boolean;
  cookie_needed?: boolean;
  cometkit?: Extensions;
  /** Round-trip time of the probe, ms. */
  rtt: number;
  /** Whether cross-origin XHR works (false when only the JSONP form answered). */
  cors: boolean;
}

/** What a tier is given to connect with. */
export interface ConnectContext {
  /** The service URL, without a trailing slash or a query. */
  base: string;
  /**
   * The service URL's own query as `&…` (a token, say), or '': every request carries it, the
   * receiving ones in `tune()`; a request without a query of its own puts it after `?t`.
   */
  query: string;
  /** `<base>/<server>/<session>`: the session's URL stem. */
  session: string;
  /** The `/info` probe result, or null when the probe was not needed or failed. */
  info: Info | null;
  /** Whether the service is on another origin than the page. */
  crossOrigin: boolean;
  /** Ms between plain polls while messages flow, and the most when idle. */
  poll: [number, number];
  /**
   * Longest silence, ms, before the connection counts as dead: the server's heartbeat delay plus the
   * `heartbeatTimeout` option, at most 1e9 (timers made from it stay within what `setTimeout` holds).
   * A held poll or a send waits for its answer as long.
   */
  wait: number;
  /** WebSocket constructor to use instead of the page's (tests inject fakes). */
  WebSocket?: typeof WebSocket;
  /**
   * The query a receiving URL carries: the service URL's own (`query`), then for a
   * cometkit server `&h=…&ttl=…` when the client asks for shorter heartbeats or
   * streaming responses (proxies that kill idle or old requests), and on a
   * connection's first request the resume position `&pos=…`. Tiers call it for
   * every request and append it after their own query, or after `?t`.
   */
  tune: () => string;
  /**
   * The client's downstream position, which sends and acknowledgements carry
   * on a resumable session; -1 when the session is not.
   */
  pos: () => number;
}

/**
 * The tier's side of the contract: `frame` for every frame in order, `close`
 * exactly once when the connection ends by itself. After `Connection.close()`
 * the tier calls neither. Where the server's answer to a send is the
 * acknowledgement (HTTP, or a WebSocket without resume), the tier hands on a
 * `k<position>` frame of its own once the batch is through, with `own` true:
 * it says nothing of the receiving side, so the liveness check does not count it.
 */
export interface Sink {
  frame: (text: string, own?: boolean) => void;
  close: (reason: string) => void;
}

export interface Connection {
  /**
   * Sends messages in order, the first at upstream position `seq`; HTTP tiers
   * batch them on the control channel. No messages: only acknowledges (resume).
   * `messages` is a fresh array each call, the tier's to keep or change.
   */
  send: (messages: string[], seq: number) => void;
  /** Ends the connection; `notify` tells the server at once (client close, page hide). */
  close: (notify?: boolean) => void;
  /**
   * For a tier that queues what `send` is given (a control channel): how many of the last messages
   * given have not left. Those can go on a fresh session, where what left may or may not have arrived.
   */
  unsent?: () => number;
}

/** A transport tier: static facts plus a connect function. */
export interface Tier {
  name: TransportName;
  /** Round trips to open, for the open timeout. */
  roundTrips: number;
  /** A streaming tier: a proxy that buffers one stream buffers them all, so one timing out skips the rest. */
  stream?: boolean;
  /** Holds a connection to the host while open (a stream, a held poll): it takes a seat (seats.ts). */
  hold?: boolean;
  /**
   * The `/info` probe, on tiers that need it (the HTTP tiers). `signal` ends it and what it left in the
   * page: the client aborts it on close(), and once the probe has had its 8 s or is done.
   */
  probe?: (base: string, signal?: AbortSignal, query?: string) => Promise<Info>;
  /** Why this tier cannot run here, or '' when it can. */
  unsupported: (ctx: ConnectContext) => string;
  connect: (ctx: ConnectContext, sink: Sink) => Connection;
}
