/** Payloads of the client's events, one object each. */
type ClientEvents = {
    /**
     * The connection is usable. `transport` is the tier in use; `resumed` is true
     * when it goes on the session from before (resume: nothing lost), false on a new one.
     */
    open: {
        transport: TransportName;
        resumed: boolean;
    };
    /** One message from the server. */
    message: {
        data: string;
    };
    /** The connection ended. `willReconnect` tells whether the client tries again by itself. */
    close: {
        code: number;
        reason: string;
        willReconnect: boolean;
    };
    /** A reconnection is scheduled after `delay` ms; `attempt` counts from 1. */
    reconnecting: {
        attempt: number;
        delay: number;
    };
    /**
     * Negotiation moved on from tier `from` to tier `to` (null when none is left) because of `reason`;
     * or a re-upgrade moved the open session up from `from` to `to` (`reason` 're-upgrade').
     */
    transport: {
        from: TransportName;
        to: TransportName | null;
        reason: string;
    };
    /** Something went wrong that the client handled (bad frame, failed negotiation). */
    error: {
        error: Error;
    };
};
/** Names of the five tiers, in the default fallback order. */
type TransportName = 'websocket' | 'xhr-streaming' | 'iframe' | 'jsonp' | 'polling';
type EventName = keyof ClientEvents;
type Handler<K extends EventName> = (event: ClientEvents[K]) => void;

/** One tier tried during negotiation, for errors, events and diagnostics. */
interface Attempt {
    transport: TransportName;
    /** `skipped` (not supported here), `failed`, or `open`. */
    outcome: 'skipped' | 'failed' | 'open';
    reason: string;
    /** Ms from starting the tier to its outcome. */
    time: number;
}
/**
 * Every tier was skipped or failed; `attempts` says which, why and how long
 * each took. Check `error.name == 'NegotiationError'` across frames and realms.
 */
declare class NegotiationError extends Error {
    readonly attempts: Attempt[];
    constructor(attempts: Attempt[], elapsed: number);
}

/** cometkit's extensions, as a cometkit server advertises them in `/info`. */
interface Extensions {
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
interface Info {
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
interface ConnectContext {
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
interface Sink {
    frame: (text: string, own?: boolean) => void;
    close: (reason: string) => void;
}
interface Connection {
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
interface Tier {
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

/** Options of `createClient`. Every duration is in milliseconds. */
interface ClientOptions {
    /** Tiers to try, in order. Default: websocket, xhr-streaming, iframe, jsonp, polling. */
    transports?: readonly (TransportName | Tier)[];
    /** Least time a tier gets to open; the RTT-derived timeout applies when longer. Default 500 ms. */
    timeout?: number;
    /** Whether to reconnect after the connection drops. Default true. */
    reconnect?: boolean;
    /** Delay before reconnection attempt `attempt` (from 1), or null to stop. Default: full-jitter backoff from `reconnectDelay` to `maxReconnectDelay`. */
    retry?: (attempt: number) => number | null;
    /** Base of the default backoff. Default 1000 ms. */
    reconnectDelay?: number;
    /** Cap of the default backoff. Default 30000 ms. */
    maxReconnectDelay?: number;
    /** Time open after which the backoff starts over. Default 10000 ms. */
    stableAfter?: number;
    /** Silence beyond the server's heartbeat delay (25000 ms unless advertised) after which the connection counts as dead; the whole wait doubles (up to 8×) after each such drop until a frame is heard. Default 10000 ms. */
    heartbeatTimeout?: number;
    /** Plain polling interval while messages flow. Default 50 ms. */
    pollInterval?: number;
    /** Longest plain polling interval when idle. Default 2000 ms. */
    pollIdleInterval?: number;
    /** How often, while open below the best tier on a resumable session, a better one is tried in the background (the best first, then each tier above in turn; a cometkit server moves the session onto it without a gap); 0 never. Default 60000 ms. */
    upgradeInterval?: number;
    /** How long what was learnt about the network (the tier that worked, those that failed, tuning) is kept for the next page load, in localStorage; 0 keeps nothing. Default 3600000 ms. */
    remember?: number;
    /** Whether to resume sessions with a cometkit server that offers it (nothing lost or repeated across cuts). Default true. */
    resume?: boolean;
    /** Resume across a reload of the same tab (sessionStorage) within the server's grace period: the page leaving does not end the session. Default false. */
    persist?: boolean;
    /** Most messages waiting to be confirmed (queued while disconnected, or unacknowledged); a send beyond throws. Default 1000. */
    queueLimit?: number;
    /** Most bytes (UTF-8) of such messages; a send beyond throws. Default 1048576 (1 MiB). */
    queueBytes?: number;
    /** WebSocket constructor to use instead of the page's. */
    WebSocket?: typeof WebSocket;
}

/** Where a client stands. `closed` is final. */
type ClientState = 'connecting' | 'open' | 'reconnecting' | 'closed';
/** A push connection that keeps itself alive. */
interface Client {
    /** Subscribes; returns the unsubscribe function. */
    on: <K extends EventName>(type: K, handler: Handler<K>) => () => void;
    off: <K extends EventName>(type: K, handler: Handler<K>) => void;
    /**
     * Sends a message; while not open it is queued and sent, in order, once open.
     * `done` runs once the server has it (`done()`), or once it is known it may
     * not (`done(error)`). Throws when the queue of unconfirmed messages is full.
     */
    send: (text: string, done?: (error?: Error) => void) => void;
    /** Closes for good (code 1000 or 3000–4999, reason up to 123 characters) and tells the server at once. */
    close: (code?: number, reason?: string) => void;
    readonly state: ClientState;
    /** The tier in use, or null while not open. */
    readonly transport: TransportName | null;
    /** Every tier tried by the latest negotiation, with outcome, reason and time. */
    diagnostics: () => Attempt[];
}

/**
 * Connects to a SockJS-compatible service over WebSocket alone: the full
 * client's API, options, reconnection, liveness, send queue and resume, and
 * no HTTP tier. `options.transports` may only name `websocket`.
 * @example
 * const client = createClient('https://example.com/echo');
 * client.on('message', ({ data }) => console.log(data));
 * client.send('hello');
 */
declare function createClient(url: string, options?: ClientOptions): Client;

export { NegotiationError, createClient };
export type { Attempt, Client, ClientEvents, ClientOptions, ClientState, TransportName };
