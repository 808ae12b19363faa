import { BRIDGE_PAGE } from '../../protocol/bridge.js';
import { httpConnection } from '../control.js';
import { probe } from '../info.js';
import { hidden, uniqueName } from '../util/dom.js';
import type { Tier } from './types.js';

/**
 * The forever-iframe: the server's `htmlfile` page streams a `<script>` per
 * frame into a bridge page, which relays them by postMessage. The bridge is a
 * cometkit server's `/iframe-cometkit.html`, same-origin too: a page whose
 * Content-Security-Policy allows frames of the service's origin (`frame-src
 * 'self'`, say) allows it, where a blob: frame would also need `blob:` there.
 * Other servers (stock SockJS ones, on the page's origin) get it from a blob: URL.
 */
export const iframe: Tier = {
  name: 'iframe',
  stream: true,
  hold: true,
  roundTrips: 3,
  probe,
  unsupported: (ctx) => (ctx.crossOrigin && !ctx.info?.cometkit ? 'cross-origin needs a cometkit server' : ''),
  connect: (ctx, sink) =>
    httpConnection(ctx, sink, (frame, fail, signal) => {
      const callback = uniqueName();
      const url = new URL(ctx.session + '/htmlfile?c=' + callback);
      // The page's origin, where the bridge posts: not its URL's, 'null' in an about:srcdoc frame.
      const hash = '#' + encodeURIComponent(JSON.stringify([origin, url.href, callback, ctx.tune()]));
      const blob = ctx.info?.cometkit ? '' : URL.createObjectURL(new Blob([BRIDGE_PAGE], { type: 'text/html' }));
      const bridge = hidden('iframe', { src: (blob || ctx.base + '/iframe-cometkit.html?t' + ctx.query) + hash });
      // Only the bridge we made, from the service's origin, may speak, each post after the callback name
      // the hash gave it: a page that frames this one can navigate the bridge's frame to a bridge page
      // (the service's origin) with a hash of its own, onto an htmlfile of its own, but cannot read ours.
      const relay = (e: MessageEvent) => {
        const data = String(e.data);
        const kind = data[callback.length];
        const rest = data.slice(callback.length + 1);
        return (
          e.source != bridge.contentWindow ||
          e.origin != url.origin ||
          data.indexOf(callback) ||
          (kind == 'f'
            ? frame(rest)
            : // The htmlfile ended: renewed, saying where the client is, so that what a cut swallowed comes again.
              kind == 'x'
              ? bridge.contentWindow?.postMessage('r' + ctx.tune(), url.origin)
              : fail(rest))
        );
      };
      addEventListener('message', relay);
      signal.addEventListener('abort', () => {
        removeEventListener('message', relay);
        bridge.remove();
        if (blob) URL.revokeObjectURL(blob);
      });
    }),
};
