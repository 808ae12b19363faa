// Pages whose URL is not their base: an about:srcdoc frame and a script-made about:blank frame take
// their base URL (and origin) from the page that made them. A service URL given as a path resolves
// against that base, as fetch() and the WebSocket constructor resolve it.
import { echo, opened } from '../browser/support/client.js';
import { config } from '../browser/support/config.js';
import { assertEqual } from '../browser/support/echo.js';

const TIERS = ['websocket', 'xhr-streaming', 'iframe', 'jsonp', 'polling'];

/** A same-origin frame of the kind given, in the page and loaded. */
async function frame(kind) {
  const node = document.createElement('iframe');
  if (kind == 'srcdoc') node.srcdoc = '<!doctype html><body>';
  const loaded = kind == 'srcdoc' ? new Promise((resolve) => (node.onload = resolve)) : null;
  document.body.append(node);
  await loaded;
  return node;
}

describe('a client in a frame without a URL of its own', function () {
  this.timeout(20000);
  const frames = [];
  afterEach(() => frames.splice(0).forEach((f) => f.remove()));

  for (const kind of ['srcdoc', 'about:blank']) {
    for (const tier of TIERS) {
      it(`${kind}, ${tier}, a path as the service URL: opens and echoes`, async function () {
        const node = await frame(kind);
        frames.push(node);
        const win = node.contentWindow;
        assertEqual(win.location.href, kind == 'srcdoc' ? 'about:srcdoc' : 'about:blank', 'the frame URL');
        // The module imported in the frame's realm, so that the client runs with the frame's globals.
        const { createClient } = await win.eval(`import(${JSON.stringify(new URL('/base/dist/cometkit.mjs', location.href).href)})`);
        const client = createClient(`${config().servers.cometkit.same}/echo`, { transports: [tier], reconnect: false });
        try {
          assertEqual((await opened(client)).transport, tier, 'open.transport');
          await echo(client, ['frame é']);
        } finally {
          client.close();
        }
      });
    }
  }
});
