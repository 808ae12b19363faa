import mitt from 'mitt';
import type { EventHandlerMap } from 'mitt';
import type { ClientEvents, Emitter } from '../client/events.js';

type Fn = (event?: unknown) => void;

/**
 * mitt calls `indexOf` on a handler list in off() and `slice().map()` in
 * emit(): ES5 array methods. Each list mitt gets carries its own three, so
 * the page's Array.prototype is never touched (old pages patch it themselves).
 */
function handlerList(items: Fn[]): Fn[] {
  items.indexOf = (fn: Fn) => {
    for (let i = 0; i < items.length; i++) if (items[i] === fn) return i;
    return -1;
  };
  items.slice = () => {
    const copy: Fn[] = [];
    for (const fn of items) copy.push(fn);
    return handlerList(copy);
  };
  // eslint-disable-next-line no-restricted-properties -- defining it on this one list, for mitt
  items.map = <U>(call: (fn: Fn, index: number, list: Fn[]) => U): U[] => {
    const out: U[] = [];
    for (let i = 0; i < items.length; i++) out.push(call(items[i], i, items));
    return out;
  };
  return items;
}

/**
 * The modern build's emitter (src/client/events.ts: `on()` returns an
 * unsubscribe, a throwing handler cannot break the caller) on mitt with an
 * object-backed map instead of `Map`, which IE 10 and older lack.
 */
/** Reports what application code threw where the page's error handling sees it, later. */
export function rethrow(error: unknown): void {
  setTimeout(() => {
    throw error;
  }, 0);
}

export function createEmitter(): Emitter {
  // '$' keeps event names clear of Object.prototype's ('constructor', 'toString').
  const lists: Record<string, Fn[] | undefined> = {};
  const all = {
    get: (type: string) => lists['$' + type],
    set: (type: string, items: Fn[]) => {
      lists['$' + type] = handlerList(items);
    }
  };
  const bus = mitt<ClientEvents>(all as unknown as EventHandlerMap<ClientEvents>);
  return {
    on(type, handler) {
      bus.on(type, handler);
      return () => bus.off(type, handler);
    },
    off: (type, handler) => bus.off(type, handler),
    emit(type, event) {
      try {
        bus.emit(type, event);
      } catch (error) {
        // A throwing handler must not kill the transport that is delivering.
        rethrow(error);
      }
    }
  };
}
