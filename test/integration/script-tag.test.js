// The script-tag build (dist/cometkit.min.js) as a page would use it: a classic
// script that defines the global `cometkit`, then a round trip over it.
import { config } from '../browser/support/config.js';
import { assertEqual } from '../browser/support/echo.js';

function loadScript(src, type = 'text/javascript') {
  return new Promise((resolve, reject) => {
    const script = document.createElement('script');
    script.type = type;
    script.src = src;
    script.onload = () => (script.remove(), resolve());
    script.onerror = () => (script.remove(), reject(new Error(`could not load ${src}`)));
    document.head.appendChild(script);
  });
}

describe('script tag (dist/cometkit.min.js)', function () {
  this.timeout(10000);
  afterEach(() => delete window.cometkit);

  for (const tier of ['websocket', 'xhr-streaming']) {
    it(`defines window.cometkit and echoes over ${tier}`, async function () {
      await loadScript(new URL('../../dist/cometkit.min.js', import.meta.url).href);
      assertEqual(typeof window.cometkit.createClient, 'function', 'typeof cometkit.createClient');
      const client = window.cometkit.createClient(`${config().servers.cometkit.cross}/echo`, { transports: [tier] });
      const echoed = new Promise((resolve) => client.on('message', ({ data }) => resolve(data)));
      client.on('open', () => client.send('hello from a script tag'));
      assertEqual(await echoed, 'hello from a script tag', 'echo');
      assertEqual(client.transport, tier, 'transport');
      const closed = new Promise((resolve) => client.on('close', resolve));
      client.close();
      await closed;
    });
  }

  // RequireJS (Magento 2 storefronts, Dojo-era apps) defines `define` with `define.amd`; a script it did
  // not load must not call it (RequireJS throws "Mismatched anonymous define()"), and the page still wants
  // the global.
  it('defines window.cometkit on a page with an AMD loader, and leaves the loader alone', async function () {
    const calls = [];
    window.define = (...args) => calls.push(args);
    window.define.amd = {};
    try {
      await loadScript(new URL('../../dist/cometkit.min.js', import.meta.url).href);
    } finally {
      delete window.define;
    }
    assertEqual(typeof window.cometkit?.createClient, 'function', 'typeof cometkit.createClient');
    assertEqual(calls.length, 0, 'define() calls');
  });

  // Loaded as a module by mistake (`type="module"`), where `this` is undefined and a `var` stays in the
  // module: the global all the same.
  it('defines window.cometkit when loaded as a module script', async function () {
    await loadScript(new URL('../../dist/cometkit.min.js?module', import.meta.url).href, 'module');
    assertEqual(typeof window.cometkit?.createClient, 'function', 'typeof cometkit.createClient');
  });
});
