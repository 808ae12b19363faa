import { createControl } from '../control.js';
import { probe } from '../info.js';
import { hiddenFrame, remove, uniqueName } from '../util/dom.js';
import type { Tier } from './types.js';

interface HtmlfileCallback {
  start(): void;
  message(frame: string): void;
  stop(): void;
}

/**
 * The forever-iframe: the server's `htmlfile` page streams `<script>` tags
 * that call back into a private container iframe (same origin), or into the
 * server's cometkit bridge page, which relays frames by postMessage (cross origin).
 */
export const iframe: Tier = {
  name: 'iframe',
  roundTrips: 3,
  probe,
  unsupported: (ctx) => (ctx.crossOrigin && !ctx.info?.cometkit ? 'cross-origin needs a cometkit server' : ''),
  connect(ctx, sink) {
    const origin = new URL(ctx.base, location.href).origin;
    let closed = false;
    let container: HTMLIFrameElement | undefined;
    const fail = (reason: string) => {
      if (!closed) {
        stop();
        sink.close(reason);
      }
    };
    const control = createControl(ctx, fail);
    const stop = () => {
      closed = true;
      removeEventListener('message', relay);
      remove(container);
    };
    const relay = (e: MessageEvent) => {
      // Only the bridge we made, from the server's origin, may speak.
      if (closed || !container || e.source !== container.contentWindow || e.origin !== origin) return;
      const data = String(e.data);
      if (data.charAt(0) === 'f') sink.frame(data.slice(1));
      else fail(data.slice(1));
    };
    const open = () => {
      remove(container);
      const name = uniqueName();
      const url = ctx.session + '/htmlfile?c=' + name;
      if (ctx.crossOrigin) {
        container = hiddenFrame(ctx.base + '/iframe-cometkit.html#' + encodeURIComponent(JSON.stringify([location.origin, url, name])));
        return;
      }
      container = hiddenFrame();
      const win = container.contentWindow as (Window & Record<string, unknown>) | null;
      if (!win) return fail('no iframe window');
      let started = false;
      const callback: HtmlfileCallback = {
        start: () => (started = true),
        message: (frame) => {
          if (!closed) sink.frame(frame);
        },
        // The page ended: at the response limit that is normal and the session goes on.
        stop: () => {
          if (closed) return;
          if (started) open();
          else fail('htmlfile did not start');
        },
      };
      win[name] = callback;
      const inner = win.document.createElement('iframe');
      inner.src = url;
      // load without start(): an error page, not the htmlfile stream.
      inner.onload = () => {
        if (!started) callback.stop();
      };
      (win.document.body || win.document.documentElement).appendChild(inner);
    };
    if (ctx.crossOrigin) addEventListener('message', relay);
    open();
    return {
      send: control.send,
      close(notify) {
        stop();
        control.close(notify);
      },
    };
  },
};
