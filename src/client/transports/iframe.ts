import { BRIDGE_PAGE } from '../../protocol/bridge.js';
import { httpConnection } from '../control.js';
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
  connect: (ctx, sink) =>
    httpConnection(ctx, sink, (fail) => {
      const url = new URL(ctx.session + '/htmlfile?c=' + uniqueName(), location.href).href;
      const hash = '#' + encodeURIComponent(JSON.stringify([location.origin, url, url.split('=')[1]]));
      const blob = ctx.crossOrigin ? '' : URL.createObjectURL(new Blob([BRIDGE_PAGE], { type: 'text/html' }));
      const frame = hiddenFrame((blob || ctx.base + '/iframe-cometkit.html') + hash);
      const origin = new URL(url).origin;
      // Only the bridge we made, from the service's origin, may speak.
      const relay = (e: MessageEvent) => {
        if (e.source != frame.contentWindow || e.origin != origin) return;
        const data = String(e.data);
        if (data.charAt(0) == 'f') sink.frame(data.slice(1));
        else fail(data.slice(1));
      };
      addEventListener('message', relay);
      return () => {
        removeEventListener('message', relay);
        remove(frame);
        if (blob) URL.revokeObjectURL(blob);
      };
    }),
};
