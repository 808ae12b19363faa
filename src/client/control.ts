import type { ConnectContext } from './transports/types.js';
import { hiddenFrame, remove, uniqueName } from './util/dom.js';
import { post } from './util/http.js';

export interface Control {
  send: (messages: string[]) => void;
  /** Stops sending; with `notify`, tells a cometkit server the client is gone. */
  close: (notify?: boolean) => void;
}

/**
 * A form POST into a hidden iframe: the one upstream path that needs no CORS.
 * Returns a function that removes both nodes (on load, or when closing early).
 */
function formPost(url: string, data: string, done: () => void): () => void {
  const name = uniqueName();
  const frame = hiddenFrame(undefined, name);
  const form = document.createElement('form');
  const field = document.createElement('textarea');
  const cleanup = () => {
    remove(form);
    remove(frame);
  };
  form.style.display = 'none';
  form.method = 'POST';
  form.acceptCharset = 'UTF-8';
  form.action = url;
  form.target = name;
  field.name = 'd';
  field.value = data;
  form.appendChild(field);
  document.body.appendChild(form);
  frame.onload = () => {
    // The answer is on the server's origin and unreadable; arriving is all we learn.
    cleanup();
    done();
  };
  form.submit();
  return cleanup;
}

/**
 * Client-to-server messages on their own requests, never behind the held
 * receiving request: one request in flight, everything queued meanwhile goes
 * in the next one, at once.
 */
export function createControl(ctx: ConnectContext, fail: (reason: string) => void, sent?: () => void): Control {
  let queue: string[] = [];
  let busy = false;
  let closed = false;
  const abort = new AbortController();
  let cancelForm: (() => void) | undefined;
  const cors = !ctx.crossOrigin || !ctx.info || ctx.info.cors;

  function pump(): void {
    if (busy || closed || queue.length === 0) return;
    const body = JSON.stringify(queue);
    queue = [];
    busy = true;
    const next = () => {
      busy = false;
      sent?.();
      pump();
    };
    if (cors) {
      post(ctx.session + '/xhr_send', body, abort.signal, 204).then(next, (e: unknown) => {
        if (!closed) fail('send failed: ' + (e as Error).message);
      });
    } else {
      cancelForm = formPost(ctx.session + '/jsonp_send', body, next);
    }
  }

  return {
    send(messages) {
      queue.push(...messages);
      pump();
    },
    close(notify) {
      closed = true;
      abort.abort();
      cancelForm?.();
      if (notify && ctx.info?.cometkit) {
        // sendBeacon survives page unload; a plain POST serves where it is missing.
        const url = ctx.session + '/close';
        if (!navigator.sendBeacon?.(url)) post(url, null).catch(() => undefined);
      }
    },
  };
}
