import { EventEmitter } from 'node:events';
import { IncomingHttpHeaders, Server, IncomingMessage, ServerResponse } from 'node:http';
import { Duplex } from 'node:stream';

/** The `origins` option: the page origins allowed, or a function that says. */
type Origins = readonly string[] | ((origin: string) => boolean);

/** Options of {@link createServer}. Every duration is in milliseconds, every size in bytes. */
interface ServerOptions {
    /** Path the service is mounted at, starting with `/` and without a trailing `/`. Default `''` (the root). */
    prefix?: string;
    /** Idle time after which a receiver gets an `h` frame. Default 25000 ms. Proxies that kill idle connections want it shorter. */
    heartbeatDelay?: number;
    /** How long a session outlives its last receiving request. Default 5000 ms. */
    disconnectDelay?: number;
    /** Bytes a streaming response carries before the server ends it and the client opens a fresh one. Default 131072 (128 KiB). */
    responseLimit?: number;
    /**
     * Largest request body accepted on the send endpoints, and largest WebSocket message; a larger one
     * gets 413 (a WebSocket: closed with 1009) and ends the session with 1009 `Message too big`.
     * Advertised in `/info`. Default 1048576 (1 MiB).
     */
    maxBodySize?: number;
    /**
     * Resume (cometkit clients): how long a session waits for its client to come back after a
     * cut, keeping what the client has not acknowledged. Default 30000 ms, at most 600000; 0 turns
     * the extension off (sessions then behave as in plain SockJS).
     */
    resumeGrace?: number;
    /**
     * Resume: bytes (UTF-8) of unacknowledged messages a session keeps. Past it the session ends with
     * code 2011 and the client starts afresh, told of the loss. One larger message is kept when nothing
     * else is. Default 1048576 (1 MiB).
     */
    resumeLimit?: number;
    /**
     * Bytes a WebSocket may still hold unsent from earlier writes when the session writes again, for a
     * client that does not read them (a stalled network, a frozen tab), on a session without resume.
     * Past it the session ends with code 2011, its close frame queued behind what is held, rather than
     * grow the process without bound; one large message alone never trips it. Resumable sessions are
     * bounded by `resumeLimit` instead (one whose client acknowledges what it has not read, past this
     * plus 6 × the larger of `resumeLimit` and what it keeps). Default 1048576 (1 MiB).
     */
    bufferLimit?: number;
    /**
     * Most sessions the server keeps at once (open, waiting for their client to come back, or closed
     * and repeating their close frame until they expire; one its client left by `POST …/close`, or by a
     * WebSocket closed with 1000, is removed at once). Past it, a request that would open a session gets 503 `Too many sessions.` (`Retry-After: 5`; an
     * upgrade, the same status) and the client tries again later; the sessions there go on. A bound
     * on what a flood of new sessions may cost the process. Default 100000.
     */
    maxSessions?: number;
    /**
     * Session secrets (with resume): an HttpOnly cookie binds each resumable session to the browser
     * that opened it, so that whoever learns a session URL (from a log) cannot resume, take over,
     * send on or close it. Default true.
     */
    sessionSecrets?: boolean;
    /**
     * The pages allowed to use the service: their origins (`['https://app.example.com']`), or a
     * function given a request's origin (possibly `'null'`) that returns `true` to allow it. Requests
     * from other pages get 403 and WebSocket upgrades from them are refused, so that a page on another
     * site cannot act with the cookies of a user who visits it (cross-site WebSocket hijacking and its
     * HTTP kin). The server's own origin is always allowed. Default: every origin (as SockJS servers).
     */
    origins?: Origins;
    /** Whether the WebSocket endpoints are enabled. Default true. */
    websocket?: boolean;
    /** Whether session URLs set a `JSESSIONID` cookie (for sticky load balancers). Default false. */
    jsessionid?: boolean;
    /**
     * Script URL of a SockJS client that the `iframe*.html` pages load (stock sockjs-client's iframe
     * transports need it). Default: sockjs-client 1.6.1 from jsDelivr; point it at a copy you serve.
     */
    sockjsUrl?: string;
}
interface ResolvedOptions {
    prefix: string;
    heartbeatDelay: number;
    disconnectDelay: number;
    responseLimit: number;
    maxBodySize: number;
    resumeGrace: number;
    resumeLimit: number;
    bufferLimit: number;
    maxSessions: number;
    origins: Origins | undefined;
    sessionSecrets: boolean;
    websocket: boolean;
    jsessionid: boolean;
    sockjsUrl: string;
}

/** Where a session stands: `open` until it closes; `closed` sessions repeat their close frame. */
type SessionState = 'connecting' | 'open' | 'closed';
interface SessionEvents {
    message: [data: string];
    close: [code: number, reason: string];
}
/** Facts about the request that created a session, for the application. */
interface SessionInfo {
    /** Transport of the request that opened the session, e.g. `websocket` or `xhr_streaming`. */
    transport: string;
    remoteAddress: string | undefined;
    headers: IncomingHttpHeaders;
    url: string;
}
/** One client session: what the application sends to and hears from. */
interface Session extends EventEmitter<SessionEvents> {
    readonly id: string;
    readonly state: SessionState;
    readonly info: SessionInfo;
    /** Queues a message for the client; messages queued in one tick go out in one frame. Returns false once closed. */
    send(text: string): boolean;
    /** Flushes what is queued, then sends the close frame. Default code 3000, reason "Go away!". */
    close(code?: number, reason?: string): void;
}

interface ServerEvents {
    connection: [session: Session];
    /** A bug while handling a request (answered with 500); without a listener it is logged. */
    error: [error: unknown];
}
/** A SockJS-compatible endpoint, mounted on one or more `http.Server`s. */
interface CometServer extends EventEmitter<ServerEvents> {
    readonly options: Readonly<ResolvedOptions>;
    /**
     * Open sessions by id (WebSocket sessions included, under their own ids). A WebSocket that opened a
     * session on an id in use (the protocol allows it) is not listed while that id's session is open.
     */
    readonly sessions: ReadonlyMap<string, Session>;
    /** Takes over requests and upgrades under the prefix; everything else goes to the server's other listeners. */
    attach(server: Server): void;
    /** For frameworks: handles the request if it is under the prefix and returns true, else returns false. */
    handleRequest(req: IncomingMessage, res: ServerResponse): boolean;
    /** For frameworks: handles the upgrade if it is under the prefix and returns true, else returns false. */
    handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): boolean;
    /** Sends a message to every open session. */
    broadcast(text: string): void;
    /** Closes every session (code 1001 "Server shutting down" unless given) and opens no new one (503, upgrades too). */
    close(code?: number, reason?: string): void;
}
/** Creates a SockJS 0.3-compatible server; attach it to an `http.Server` to serve. */
declare function createServer(options?: ServerOptions): CometServer;
/** Options of {@link listen}: the server's, plus where to listen. */
interface ListenOptions extends ServerOptions {
    /** TCP port; 0 picks a free one. Default 0. */
    port?: number;
    /** Interface to listen on. Default `127.0.0.1`. */
    host?: string;
}
/** A standalone server started by {@link listen}. */
interface StandaloneServer {
    comet: CometServer;
    http: Server;
    port: number;
    /** The service's base URL, e.g. `http://127.0.0.1:8080/echo`. */
    url: string;
    /** Closes every session and the listening socket. */
    close(): Promise<void>;
}
/**
 * One line to a running server.
 * @example const { url } = await listen({ port: 8080, prefix: '/echo' }, (s) => s.on('message', (m) => s.send(m)));
 */
declare function listen(options?: ListenOptions, onConnection?: (session: Session) => void): Promise<StandaloneServer>;

export { createServer, listen };
export type { CometServer, ListenOptions, ServerEvents, ServerOptions, Session, SessionEvents, SessionInfo, SessionState, StandaloneServer };
