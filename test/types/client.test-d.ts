// Type tests: compiled by `tsc -p .`, never run. A line marked @ts-expect-error
// fails the build when it stops being an error.
import { NegotiationError, createClient, createCoreClient, jsonp, polling, websocket, xhrStreaming } from '../../src/index.js';
import type { Attempt, Client, ClientEvents, ClientOptions, ClientState, Tier, TransportName } from '../../src/index.js';
import { createClient as createWebSocketClient } from '../../src/websocket.js';

/** true when A and B are the same type (not merely assignable either way). */
// eslint-disable-next-line @typescript-eslint/no-unnecessary-type-parameters -- the generic is the exact-equality trick
type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
/** Compiles only for `true`. */
type Expect<T extends true> = T;

// Event payloads, one object per event name.
export type EventTests = [
  Expect<Equal<ClientEvents['open'], { transport: TransportName; resumed: boolean }>>,
  Expect<Equal<ClientEvents['message'], { data: string }>>,
  Expect<Equal<ClientEvents['close'], { code: number; reason: string; willReconnect: boolean }>>,
  Expect<Equal<ClientEvents['reconnecting'], { attempt: number; delay: number }>>,
  Expect<Equal<ClientEvents['transport'], { from: TransportName; to: TransportName | null; reason: string }>>,
  Expect<Equal<ClientEvents['error'], { error: Error }>>,
  Expect<Equal<keyof ClientEvents, 'open' | 'message' | 'close' | 'reconnecting' | 'transport' | 'error'>>,
];

export type NameTests = [
  Expect<Equal<TransportName, 'websocket' | 'xhr-streaming' | 'iframe' | 'jsonp' | 'polling'>>,
  Expect<Equal<ClientState, 'connecting' | 'open' | 'reconnecting' | 'closed'>>,
  Expect<Equal<Attempt['outcome'], 'skipped' | 'failed' | 'open'>>,
  Expect<Equal<NegotiationError['attempts'], Attempt[]>>,
];

export type ClientTests = [
  Expect<Equal<ReturnType<Client['on']>, () => void>>,
  Expect<Equal<Client['state'], ClientState>>,
  Expect<Equal<Client['transport'], TransportName | null>>,
  Expect<Equal<ReturnType<Client['diagnostics']>, Attempt[]>>,
  Expect<Equal<ReturnType<typeof createClient>, Client>>,
  Expect<Equal<ReturnType<typeof createCoreClient>, Client>>,
];

/** Handlers get the payload of their own event. */
export function handlers(client: Client): (() => void)[] {
  return [
    client.on('open', (e) => {
      const name: TransportName = e.transport;
      return name;
    }),
    client.on('message', (e) => e.data.toUpperCase()),
    client.on('close', (e) => (e.willReconnect ? e.code : e.reason.length)),
    client.on('reconnecting', (e) => e.attempt + e.delay),
    client.on('transport', (e) => (e.to === null ? e.from : e.to)),
    client.on('error', (e) => {
      if (e.error instanceof NegotiationError) return e.error.attempts.map((a) => a.transport);
      return e.error.message;
    }),
  ];
}

export function misuse(client: Client): void {
  // @ts-expect-error -- 'opened' is not an event
  client.on('opened', () => undefined);
  // @ts-expect-error -- message payloads have `data`, not `text`
  client.on('message', (e) => e.text === 'hi');
  // @ts-expect-error -- `transport` has `reason`, not the `why` of older drafts
  client.on('transport', (e) => e.why === 'timeout');
  // @ts-expect-error -- a close handler does not get a message payload
  client.off('close', (e: ClientEvents['message']) => e.data);
  // @ts-expect-error -- send() takes a string
  client.send({ text: 'hi' });
  // @ts-expect-error -- state is read-only
  client.state = 'open';
}

/** Options: every documented one, with its type. */
export const good: ClientOptions = {
  transports: ['websocket', 'xhr-streaming', 'iframe', 'jsonp', 'polling', xhrStreaming],
  timeout: 1000,
  reconnect: true,
  retry: (attempt) => (attempt > 5 ? null : attempt * 1000),
  reconnectDelay: 1000,
  maxReconnectDelay: 30000,
  stableAfter: 10000,
  heartbeatTimeout: 10000,
  pollInterval: 50,
  pollIdleInterval: 2000,
  WebSocket,
};

export const core = (): Client => createCoreClient('/echo', { transports: [websocket, polling, jsonp] });

/** A custom tier: the shape `transports` accepts besides names. */
export const custom: Tier = {
  name: 'polling',
  roundTrips: 1,
  unsupported: (ctx) => (ctx.info?.cors === false ? 'no CORS' : ''),
  connect: (ctx, sink) => {
    sink.frame('o');
    return { send: (messages: string[]) => messages.length, close: (notify?: boolean) => notify ?? ctx.base };
  },
};

export function badOptions(): Client[] {
  return [
    // @ts-expect-error -- timeout is a number of ms
    createClient('/echo', { timeout: '5s' }),
    // @ts-expect-error -- reconnect is a boolean
    createClient('/echo', { reconnect: 'yes' }),
    // @ts-expect-error -- retry returns a delay or null, not a boolean
    createClient('/echo', { retry: () => false }),
    // @ts-expect-error -- not an option
    createClient('/echo', { timeOut: 1000 }),
    // @ts-expect-error -- not a transport name
    createClient('/echo', { transports: ['carrier-pigeon'] }),
    // @ts-expect-error -- names are case-sensitive
    createClient('/echo', { transports: ['WebSocket'] }),
    // @ts-expect-error -- a custom tier's name is one of the five
    createCoreClient('/echo', { transports: [{ ...custom, name: 'carrier-pigeon' }] }),
  ];
}

/** send takes an optional delivery callback. */
export function delivery(client: Client): void {
  client.send('x', (error) => (error ? error.message : 'delivered'));
  client.send('y');
  // @ts-expect-error -- the callback gets an Error or nothing
  client.send('z', (error: string) => error);
}

/** cometkit/websocket: the same client and options types as the main entry. */
export function webSocketOnly(): Client {
  const client = createWebSocketClient('/echo', { heartbeatTimeout: 5000, resume: true });
  client.on('open', ({ transport, resumed }) => [transport, resumed]);
  // @ts-expect-error -- no such option
  createWebSocketClient('/echo', { poll: 1 });
  return client;
}
