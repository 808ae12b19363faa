import { formPost } from './form.js';
import type { Info } from './info.js';
import { stringify } from './json.js';

/** How long one form post may take before the connection counts as broken, ms. */
const SEND_TIMEOUT = 30000;

export interface Control {
  /** Queues messages; `done` runs once the form post carrying them has arrived. */
  send: (messages: string[], done: () => void) => void;
  /** Stops sending; with `notify`, tells a cometkit server the client is gone. */
  close: (notify?: boolean) => void;
}

/**
 * Client-to-server messages on their own requests, never behind the held
 * receiving request: one `jsonp_send` form post in flight, everything queued
 * meanwhile goes in the next one, at once. The rules of src/client/control.ts,
 * which needs fetch, AbortController and JSON.
 */
export function createControl(session: string, info: Info | null, fail: (reason: string) => void): Control {
  let queue: string[] = [];
  let dones: (() => void)[] = [];
  let cancel: (() => void) | null = null;
  let closed = false;

  function pump(): void {
    if (cancel || closed || !queue.length) return;
    const body = stringify(queue);
    const sent = dones;
    queue = [];
    dones = [];
    cancel = formPost(session + '/jsonp_send', body, SEND_TIMEOUT, (ok) => {
      cancel = null;
      if (!ok) return fail('send timed out after ' + SEND_TIMEOUT + ' ms');
      for (let i = 0; i < sent.length; i++) sent[i]();
      pump();
    });
  }

  return {
    send(messages, done) {
      queue = queue.concat(messages);
      dones.push(done);
      pump();
    },
    close(notify) {
      closed = true;
      if (cancel) cancel();
      cancel = null;
      if (notify && info?.cometkit?.close) {
        // sendBeacon survives page unload where the page has it; a form post serves everywhere.
        const url = session + '/close';
        if (!(navigator.sendBeacon && navigator.sendBeacon(url))) formPost(url, null, SEND_TIMEOUT, () => undefined);
      }
    }
  };
}
