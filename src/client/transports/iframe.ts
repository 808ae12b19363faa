import { BRIDGE_PAGE } from '../../protocol/bridge.js';
import { createControl } from '../control.js';
import { probe } from '../info.js';
import { hiddenFrame, remove, uniqueName } from '../util/dom.js';
import type { Tier } from './types.js';

/**
 * The forever-iframe: the server's `htmlfile` page streams a `<script>` per
 * frame into a bridge page, which relays them by postMessage. The bridge comes
 * from a blob: URL on the page's own origin, or from a cometkit server's
 * `/iframe-cometkit.html` across origins.
 */
export const iframe: Tier = {
  name: 'iframe',
  roundTrips: 3,
  probe,
  unsupported: (ctx) => (ctx.crossOrigin && !ctx.info?.cometkit ? 'cross-origin needs a cometkit server' : ''),
  connect(ctx, sink) {
    const url = new URL(ctx.session + '/htmlfile?c=' + uniqueName(), location.href).href;
    const hash = '#' + encodeURIComponent(JSON.stringify([location.origin, url, url.split('=')[1]]));
    const blob = ctx.crossOrigin ? '' : URL.createObjectURL(new Blob([BRIDGE_PAGE], { type: 'text/html' }));
    const frame = hiddenFrame((blob || ctx.base + '/iframe-cometkit.html') + hash);
    let closed = false;
    const stop = () => {
      closed = true;
      removeEventListener('message', relay);
      remove(frame);
      if (blob) URL.revokeObjectURL(blob);
    };
    const fail = (reason: string) => {
      if (!closed) {
        stop();
        control.close();
        sink.close(reason);
      }
    };
    const control = createControl(ctx, fail);
    const origin = new URL(url).origin;
    // Only the bridge we made, from the service's origin, may speak.
    const relay = (e: MessageEvent) => {
      if (closed || e.source !== frame.contentWindow || e.origin !== origin) return;
      const data = String(e.data);
      if (data.charAt(0) == 'f') sink.frame(data.slice(1));
      else fail(data.slice(1));
    };
    addEventListener('message', relay);
    return {
      send: control.send,
      close(notify) {
        stop();
        control.close(notify);
      },
    };
  },
};
