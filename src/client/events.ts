import mitt from 'mitt';

/** Payloads of the client's events, one object each. */
export type ClientEvents = {
  /** The connection is usable. `transport` is the tier in use. */
  open: { transport: TransportName };
  /** One message from the server. */
  message: { data: string };
  /** The connection ended. `willReconnect` tells whether the client tries again by itself. */
  close: { code: number; reason: string; willReconnect: boolean };
  /** A reconnection is scheduled after `delay` ms; `attempt` counts from 1. */
  reconnecting: { attempt: number; delay: number };
  /** Negotiation moved on from tier `from` to tier `to` (null when none is left) because of `reason`. */
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

/** mitt, with `on()` returning an unsubscribe and handlers that cannot break the caller. */
export function createEmitter(): Emitter {
  const bus = mitt<ClientEvents>();
  return {
    on(type, handler) {
      bus.on(type, handler);
      return () => bus.off(type, handler);
    },
    off: (type, handler) => bus.off(type, handler),
    // mitt's own emit stops at a throwing handler; this one calls every handler
    // and reports what one throws where the page's error handling sees it, later,
    // so a handler can never break the transport that is delivering.
    emit(type, event) {
      for (const handler of bus.all.get(type)?.slice() ?? []) {
        try {
          (handler as Handler<typeof type>)(event);
        } catch (error) {
          setTimeout(() => {
            throw error;
          });
        }
      }
    },
  };
}
