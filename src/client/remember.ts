import { MULTI_TIER } from './features.js';
import type { TransportName } from './events.js';

/** What a page learnt about the network to one service, kept across page loads until `until`. */
export interface Memory {
  /** The tier that opened last. */
  good?: TransportName;
  /** Tiers that failed or went silent since, newest last. */
  bad: TransportName[];
  /** Heartbeat delay (ms) asked of a cometkit server after connections were found dying idle; 0: none asked. */
  h: number;
  /** Age (ms) at which a cometkit server is asked to end streaming responses, after connections were found dying at a steady age; 0: none. */
  ttl: number;
  /** Epoch ms after which the memory is ignored. */
  until: number;
}

const key = (base: string) => 'cometkit ' + base;

/**
 * The memory for `base`, or a blank one. localStorage, so that it serves the
 * next page load and the other tabs; a page without it (privacy modes, old
 * engines, sandboxed frames throw on access) simply learns afresh. The
 * WebSocket-only build (one tier: nothing to order) keeps none.
 */
export function recall(base: string): Memory {
  if (MULTI_TIER) {
    try {
      // JSON.parse(null) is null: nothing kept.
      const memory = JSON.parse(localStorage.getItem(key(base)) as string) as Memory | null;
      // A list of failed tiers, or none: one of another shape (a later version's, then rolled back)
      // would throw where the tiers are ordered, and the client would never open.
      if ((memory?.until as number) > Date.now() && Array.isArray((memory as Memory).bad)) return memory as Memory;
    } catch {
      // no storage, or a value that is not JSON: start blank
    }
  }
  return { bad: [], h: 0, ttl: 0, until: 0 };
}

/** Keeps `memory` for `ttl` ms (0 keeps nothing). */
export function remember(base: string, memory: Memory, ttl: number): void {
  try {
    if (MULTI_TIER && ttl) localStorage.setItem(key(base), JSON.stringify({ ...memory, until: Date.now() + ttl }));
  } catch {
    // quota or no storage: the memory only saves time, nothing depends on it
  }
}

/** A tier failed or went silent: it goes last from now on. */
export function shun(memory: Memory, name: TransportName): void {
  if (MULTI_TIER && !memory.bad.includes(name)) memory.bad.push(name);
}

/** A tier opened: it goes first from now on. */
export function worked(memory: Memory, name: TransportName): void {
  if (MULTI_TIER) {
    memory.good = name;
    memory.bad = memory.bad.filter((n) => n != name);
  }
}
