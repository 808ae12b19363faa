// Starts the servers the browser tests talk to (once for the whole run), runs
// every browser test file in Chromium and Firefox at once, stops the servers.
import { createServer } from 'node:http';
import { startProtocolServer } from '../interop/protocol-server.mjs';
import { startSockjsServer } from '../interop/sockjs-server.mjs';
import { runKarma } from './karma.mjs';

// Stock sockjs-client (test/interop) cleans up after itself late: it runs last.
export const BROWSER_TEST_FILES = ['test/browser/**/*.test.js', 'test/unit/**/*.test.js', 'test/integration/**/*.test.js', 'test/legacy/**/*.test.js', 'test/interop/**/*.test.js'];

/** Most cometkit instances the admin keeps at once, and the longest outage it stages. */
const MAX_INSTANCES = 16;
const MAX_DOWN = 30000;

/**
 * An HTTP endpoint (CORS-enabled, on its own port) through which browser tests
 * stop and restart cometkit protocol servers. Each test gets its own instance:
 * Chromium and Firefox run at once, so restarting the shared server would break
 * whatever the other browser is doing.
 *
 *   POST   /cometkit?heartbeat=<ms>               → 201 {id, url}: a fresh protocol server (all four services;
 *                                                    heartbeat: its heartbeat delay, default the server's 25000 ms)
 *   POST   /cometkit/<id>/restart?down=<ms>&mode=  → 200 {id, url, down} once it listens again on the same port
 *   POST   /cometkit/<id>/stop?mode=               → 200 {id, url} once stopped (connections refused from then on)
 *   POST   /cometkit/<id>/start                    → 200 {id, url} once listening again on the same port
 *   DELETE /cometkit/<id>                          → 204 once stopped and forgotten
 *
 * mode=close (default): every session gets the close frame 1001 "Server shutting down";
 * mode=crash: every connection is cut with no frame, as when the process dies.
 * Calls on one instance run one after another. close() stops everything left.
 */
export async function startAdmin({ host = '127.0.0.1' } = {}) {
  const instances = new Map(); // id → { port, url, server (null while stopped), queue }
  let nextId = 1;

  async function stop(instance, mode) {
    const server = instance.server;
    instance.server = null;
    if (server) await (mode === 'crash' ? server.crash() : server.close());
  }

  async function start(instance) {
    if (instance.server) return;
    // The port was ours a moment ago; something else may have taken it meanwhile, so retry briefly.
    for (let attempt = 1; ; attempt++) {
      try {
        instance.server = await startProtocolServer({ port: instance.port, host, options: instance.options });
        return;
      } catch (error) {
        if (error.code !== 'EADDRINUSE' || attempt === 20) throw error;
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    }
  }

  // One call at a time per instance: a restart racing a stop would leave a server nobody owns.
  function serial(instance, fn) {
    const run = instance.queue.then(fn);
    instance.queue = run.catch(() => {});
    return run;
  }

  async function route(req, url) {
    if (req.method === 'POST' && url.pathname === '/cometkit') {
      if (instances.size >= MAX_INSTANCES) return [429, { error: `at most ${MAX_INSTANCES} instances; DELETE some` }];
      const options = {};
      if (url.searchParams.has('heartbeat')) {
        const heartbeat = Number(url.searchParams.get('heartbeat'));
        if (!(Number.isInteger(heartbeat) && heartbeat >= 100 && heartbeat <= 60000)) return [400, { error: 'heartbeat is 100–60000 ms' }];
        options.heartbeatDelay = heartbeat;
      }
      const server = await startProtocolServer({ host, options });
      const id = String(nextId++);
      instances.set(id, { id, port: server.port, url: server.url, options, server, queue: Promise.resolve() });
      return [201, { id, url: server.url }];
    }
    const match = /^\/cometkit\/([^/]+)(?:\/(restart|stop|start))?$/.exec(url.pathname);
    const instance = match && instances.get(match[1]);
    if (!instance) return [404, { error: `no instance at ${url.pathname}` }];
    const action = match[2];
    const mode = url.searchParams.get('mode') ?? 'close';
    if (mode !== 'close' && mode !== 'crash') return [400, { error: 'mode is close or crash' }];
    const about = { id: instance.id, url: instance.url };
    if (req.method === 'DELETE' && !action) {
      instances.delete(instance.id);
      await serial(instance, () => stop(instance, mode));
      return [204, null];
    }
    if (req.method !== 'POST' || !action) return [405, { error: 'POST …/restart|stop|start, or DELETE' }];
    if (action === 'stop') return serial(instance, () => stop(instance, mode)).then(() => [200, about]);
    if (action === 'start') return serial(instance, () => start(instance)).then(() => [200, about]);
    const down = Number(url.searchParams.get('down') ?? 0);
    if (!(down >= 0 && down <= MAX_DOWN)) return [400, { error: `down is 0–${MAX_DOWN} ms` }];
    return serial(instance, async () => {
      await stop(instance, mode);
      await new Promise((resolve) => setTimeout(resolve, down));
      await start(instance);
    }).then(() => [200, { ...about, down }]);
  }

  const http = createServer((req, res) => {
    const cors = {
      'Access-Control-Allow-Origin': '*',
      'Access-Control-Allow-Methods': 'POST, DELETE',
      'Access-Control-Max-Age': '600',
      'Cache-Control': 'no-store',
    };
    req.resume();
    if (req.method === 'OPTIONS') {
      res.writeHead(204, cors);
      res.end();
      return;
    }
    route(req, new URL(req.url, 'http://admin')).then(
      ([status, body]) => {
        res.writeHead(status, body ? { ...cors, 'Content-Type': 'application/json' } : cors);
        res.end(body ? JSON.stringify(body) : undefined);
      },
      (error) => {
        res.writeHead(500, { ...cors, 'Content-Type': 'application/json' });
        res.end(JSON.stringify({ error: String(error?.message ?? error) }));
      },
    );
  });
  await new Promise((resolve, reject) => {
    http.once('error', reject);
    http.listen(0, host, resolve);
  });
  return {
    url: `http://${host}:${http.address().port}`,
    /** Stops every instance left (tests that failed before their DELETE) and the endpoint itself. */
    close: async () => {
      const left = [...instances.values()];
      instances.clear();
      await Promise.all(left.map((instance) => serial(instance, () => stop(instance, 'close'))));
      http.closeAllConnections();
      await new Promise((resolve) => http.close(() => resolve()));
    },
  };
}

export async function runBrowserSuite({ files = BROWSER_TEST_FILES, browsers } = {}) {
  const cometkit = await startProtocolServer();
  const sockjs = await startSockjsServer();
  const admin = await startAdmin();
  try {
    return await runKarma({
      files: [
        { pattern: 'node_modules/sockjs-client/dist/sockjs.min.js', included: true, watched: false },
        { pattern: 'dist/*', included: false, watched: false },
        // The legacy build's sandbox page (test/legacy/legacy.test.js), served on karma's origin.
        { pattern: 'test/legacy/*.html', included: false, watched: false },
        ...files,
      ],
      browsers,
      // Same-origin variants reach the servers through karma's own origin.
      proxies: {
        '/same/cometkit/': `${cometkit.url}/`,
        '/same/sockjs/': `${sockjs.url}/`,
        '/static/': `${cometkit.url}/static/`,
      },
      clientArgs: {
        servers: {
          cometkit: { cross: cometkit.url, same: '/same/cometkit' },
          sockjs: { cross: sockjs.url, same: '/same/sockjs' },
        },
        // Stops and restarts cometkit servers of a test's own: see startAdmin().
        admin: admin.url,
      },
    });
  } finally {
    await Promise.all([cometkit.close(), sockjs.close(), admin.close()]);
  }
}

if (process.argv[1]?.endsWith('suite.mjs')) {
  const files = process.argv.slice(2);
  const result = await runBrowserSuite(files.length ? { files } : {});
  console.log(`${result.passed} passed, ${result.failed} failed`);
  process.exitCode = result.failed > 0 ? 1 : 0;
}
