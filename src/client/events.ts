import mitt from 'mitt';

/** Payloads of the client's events, one object each. */
export type ClientEvents = {
  /**
   * The connection is usable. `transport` is the tier in use; `resumed` is true
   * when it goes on the session from before (resume: nothing lost), false on a new one.
   */
  open: { transport: TransportName; resumed: boolean };
  /** One message from the server. */
  message: { data: string };
  /** The connection ended. `willReconnect` tells whether the client tries again by itself. */
  close: { code: number; reason: string; willReconnect: boolean };
  /** A reconnection is scheduled after `delay` ms; `attempt` counts from 1. */
  reconnecting: { attempt: number; delay: number };
  /**
   * Negotiation moved on from tier `from` to tier `to` (null when none is left) because of `reason`;
   * or a re-upgrade moved the open session up from `from` to `to` (`reason` 're-upgrade').
   */
  transport: { from: TransportName; to: TransportName | null; reason: string };
  /** Something went wrong that the client handled (bad frame, failed negotiation). */
  error: { error: Error };
};

/** Names of the five tiers, in the default fallback order. */
export type TransportName = 'websocket' | 'xhr-streaming' | 'iframe' | 'jsonp' | 'polling';

export type EventName = keyof ClientEvents;
export type Handler<K extends EventName> = (event: ClientEvents[K]) => void;

export interface Emitter {
  on: <K extends EventName>(type: K, handler: Handler<K>) => () => void;
  off: <K extends EventName>(type: K, handler: Handler<K>) => void;
  emit: <K extends EventName>(type: K, event: ClientEvents[K]) => void;
}

/**
 * An emitter on mitt's handler map, with mitt's semantics: on() appends,
 * off() removes the handler's first registration (without a handler: all of
 * the type's), emit() calls the handlers there when it starts. Unlike mitt,
 * on() returns an unsubscribe, and emit() calls every handler: mitt's stops
 * at the first that throws; this one reports what a handler throws where the
 * page's error handling sees it, later, so a handler can never break the
 * transport that is delivering.
 *
 * Only `mitt().all` is read, so the minifier drops mitt's own on/off/emit
 * (emit's '*' handling included, which the client never needs). Lists are
 * replaced, never changed in place, so emit() needs no copy for a handler
 * to unsubscribe itself.
 */
/**
 * Calls application code `fn(arg)` and returns what it returns; what it throws is reported where the
 * page's error handling sees it, later, so that it can never break the client calling it (which then
 * gets `undefined`: a `retry` that throws stops reconnecting).
 * (An argument, not a closure: emit() runs this for every handler of every message.)
 */
export function guard<T, R>(fn: ((arg: T) => R) | undefined, arg: T): R | undefined {
  try {
    return fn?.(arg);
  } catch (error) {
    setTimeout(() => {
      throw error;
    });
  }
  return undefined;
}

/** on, off and emit: a tuple, as the client takes them apart (an object's keys would stay in the bundle). */
export function createEmitter(): [Emitter['on'], Emitter['off'], Emitter['emit']] {
  const all = mitt<ClientEvents>().all as Map<EventName, Handler<never>[]>;
  const off = (type: EventName, handler?: Handler<never>) => {
    const list = all.get(type) ?? [];
    const first = list.indexOf(handler as Handler<never>);
    all.set(type, handler ? list.filter((_, i) => i != first) : []);
  };
  const on: Emitter['on'] = (type, handler) => {
    all.set(type, [...(all.get(type) ?? []), handler]);
    return () => off(type, handler);
  };
  const emit: Emitter['emit'] = (type, event) => {
    for (const handler of (all.get(type) ?? []) as Handler<typeof type>[]) guard(handler, event);
  };
  return [on, off, emit];
}
