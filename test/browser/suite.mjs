// Starts the servers the browser tests talk to (once for the whole run), runs
// every browser test file in Chromium and Firefox at once (or chosen files in chosen
// browsers: WebKit for WEBKIT_TEST_FILES), stops the servers.
import { createServer } from 'node:http';
import { startProtocolServer } from '../interop/protocol-server.mjs';
import { startSockjsServer } from '../interop/sockjs-server.mjs';
import { startFaultProxy } from '../network/fault-proxy.mjs';
import { hasNginx, startNginx } from '../network/nginx.mjs';
import { runKarma } from './karma.mjs';

// Stock sockjs-client (test/interop) cleans up after itself late: it runs last.
export const BROWSER_TEST_FILES = [
  'test/browser/**/*.test.js',
  'test/unit/**/*.test.js',
  'test/integration/**/*.test.js',
  'test/legacy/**/*.test.js',
  'test/network/**/*.test.js',
  'test/interop/**/*.test.js',
];

/**
 * What runs in WebKit too (the `webkit` stage): every browser test. Expectations that differ there are
 * said in their tests: control.test.js allows 1,000 spread sends half as many requests (WebKit runs
 * those sends' tasks slower and its requests faster, so fewer sends share one), resume.test.js hears a
 * cut forever-iframe at once (WebKit's frame ends with the cut), the unit tests that need msw to stream
 * a response skip themselves, saying so (needStreamingMocks() in support/msw.js), and so do the legacy
 * build's IE sandboxes, which take fetch away (no WebKit lacks it; the build runs there in a page with
 * fetch, where a stock server's JSON /info answer runs as a script: README.md).
 */
export const WEBKIT_TEST_FILES = BROWSER_TEST_FILES;

/** Most cometkit instances the admin keeps at once, and the longest outage it stages. */
const MAX_INSTANCES = 16;
const MAX_DOWN = 30000;
/** Most proxies (each with its own cometkit instance when upstream=cometkit) the admin keeps at once. */
const MAX_PROXIES = 12;
/** Largest request body the admin reads (fault settings, bench reports). */
const MAX_BODY = 65536;
const NGINX_CONFIGS = ['default', 'websocket', 'short-read-timeout'];

/** A client mistake (bad query or body): answered 400 instead of 500. */
class BadRequest extends Error {}

/**
 * An HTTP endpoint (CORS-enabled, on its own port) through which browser tests
 * stop and restart cometkit protocol servers. Each test gets its own instance:
 * Chromium and Firefox run at once, so restarting the shared server would break
 * whatever the other browser is doing.
 *
 *   POST   /cometkit?heartbeat=<ms>&resumeGrace=<ms>&resumeLimit=<bytes>&disconnectDelay=<ms>&maxBodySize=<bytes>&maxSessions=<n>&origins=<a,b>
 *                                                  → 201 {id, url}: a fresh protocol server (all its services, see
 *                                                    test/interop/protocol-server.mjs; each option optional, see
 *                                                    serverOptions() below; default: the server's own)
 *   POST   /cometkit/<id>/restart?down=<ms>&mode=  → 200 {id, url, down} once it listens again on the same port
 *   POST   /cometkit/<id>/stop?mode=               → 200 {id, url} once stopped (connections refused from then on)
 *   GET    /cometkit/<id>/sessions                 → 200 {sessions}: its open sessions, as `<prefix>/<session id>`
 *   POST   /cometkit/<id>/start                    → 200 {id, url} once listening again on the same port
 *   DELETE /cometkit/<id>                          → 204 once stopped and forgotten
 *
 * mode=close (default): every session gets the close frame 1001 "Server shutting down";
 * mode=crash: every connection is cut with no frame, as when the process dies.
 * Calls on one instance run one after another. close() stops everything left.
 *
 * Proxies (test/network/): a proxy in front of a fresh cometkit instance of its own (all its
 * services, /stream included) or of the shared stock sockjs server (`sockjs` option):
 *
 *   GET    /proxy                                   → 200 {nginx, count, max}: whether nginx is installed
 *   POST   /proxy?kind=nginx&config=default|websocket|short-read-timeout
 *               [&readTimeout=<ms>][&ignoreAccelBuffering=1][&upstream=cometkit|sockjs][&<server option>=…]
 *   POST   /proxy?kind=fault[&faults=<json>][&upstream=…][&<server option>=…]
 *                                                   → 201 {id, kind, url, upstream}: url is the proxy's
 *                                                     origin (services at url + '/stream', '/echo', …),
 *                                                     upstream the server's own origin
 *   GET    /proxy/<id>                              → 200 {id, kind, url, upstream, faults, stats, sessions} (fault:
 *                                                     the faults in force and the proxy's counters; sessions:
 *                                                     the open sessions of its own cometkit instance)
 *   POST   /proxy/<id>/faults   body: JSON faults   → 200 {id, faults}: setFaults() mid-session (fault only)
 *   DELETE /proxy/<id>                              → 204 once the proxy and its cometkit instance are stopped
 *
 * Server options (upstream=cometkit only, as for POST /cometkit): heartbeat (100–60000 ms), resumeGrace
 * (0–600000 ms), resumeLimit (1–16777216 bytes), disconnectDelay (100–60000 ms; a resumable session
 * waits the longer of it and resumeGrace), maxBodySize (256–16777216 bytes), origins (comma-separated,
 * the server's `origins`). At most MAX_PROXIES at once.
 * onReport (option): when given, `POST /report` with a JSON body hands it over (204); benchmarks
 * send their figures back to Node that way.
 */
export async function startAdmin({ host = '127.0.0.1', sockjs = null, onReport = null } = {}) {
  const instances = new Map(); // id → { port, url, server (null while stopped), queue }
  let nextId = 1;
  const proxies = new Map(); // id → { id, kind, url, upstream, proxy, server (own cometkit instance or null) }
  let pendingProxies = 0; // being created: they count towards MAX_PROXIES too
  let nextProxyId = 1;
  let closed = false;

  /** The cometkit instance's options from the query: [query name, server option, min, max, unit]. */
  const SERVER_OPTIONS = [
    ['heartbeat', 'heartbeatDelay', 100, 60000, 'ms'],
    ['resumeGrace', 'resumeGrace', 0, 600000, 'ms'],
    ['resumeLimit', 'resumeLimit', 1, 16777216, 'bytes'],
    ['disconnectDelay', 'disconnectDelay', 100, 60000, 'ms'],
    ['maxBodySize', 'maxBodySize', 256, 16777216, 'bytes'],
    ['maxSessions', 'maxSessions', 1, 100000, 'sessions'],
  ];
  function serverOptions(url) {
    const options = {};
    for (const [name, option, min, max, unit] of SERVER_OPTIONS) {
      if (!url.searchParams.has(name)) continue;
      const value = Number(url.searchParams.get(name));
      if (!(Number.isInteger(value) && value >= min && value <= max)) throw new BadRequest(`${name} is ${min}–${max} ${unit}`);
      options[option] = value;
    }
    if (url.searchParams.has('origins')) {
      const origins = url.searchParams.get('origins').split(',').filter(Boolean);
      // The server's own validation answers 400 for a bad one (TypeError, below).
      options.origins = origins;
    }
    return options;
  }

  function parseJson(text, what) {
    try {
      return JSON.parse(text);
    } catch {
      throw new BadRequest(`${what} is not JSON`);
    }
  }

  async function stopProxy(entry) {
    await Promise.allSettled([entry.proxy.stop(), entry.server?.close()]);
  }

  async function createProxy(url) {
    const kind = url.searchParams.get('kind');
    if (kind !== 'nginx' && kind !== 'fault') throw new BadRequest('kind is nginx or fault');
    const upstreamName = url.searchParams.get('upstream') ?? 'cometkit';
    if (upstreamName !== 'cometkit' && upstreamName !== 'sockjs') throw new BadRequest('upstream is cometkit or sockjs');
    if (upstreamName === 'sockjs' && !sockjs) throw new BadRequest('no stock sockjs server in this run');
    const options = serverOptions(url);
    if (upstreamName === 'sockjs' && Object.keys(options).length) throw new BadRequest('server options apply to upstream=cometkit only');
    let start;
    if (kind === 'nginx') {
      if (!hasNginx()) return [501, { error: 'nginx is not installed (apt-get install nginx)' }];
      const config = url.searchParams.get('config') ?? 'default';
      if (!NGINX_CONFIGS.includes(config)) throw new BadRequest(`config is one of ${NGINX_CONFIGS.join(', ')}`);
      const readTimeout = Number(url.searchParams.get('readTimeout') ?? 3000);
      if (!(Number.isInteger(readTimeout) && readTimeout >= 100 && readTimeout <= 60000)) throw new BadRequest('readTimeout is 100–60000 ms');
      const ignoreAccelBuffering = url.searchParams.get('ignoreAccelBuffering') === '1';
      start = (upstream) => startNginx({ upstream, config, readTimeout, ignoreAccelBuffering });
    } else {
      const faults = url.searchParams.has('faults') ? parseJson(url.searchParams.get('faults'), 'faults') : {};
      if (typeof faults !== 'object' || faults === null || Array.isArray(faults)) throw new BadRequest('faults is a JSON object');
      // startFaultProxy validates the faults (TypeError: answered 400).
      start = (upstream) => startFaultProxy({ ...faults, upstream });
    }
    if (proxies.size + pendingProxies >= MAX_PROXIES) return [429, { error: `at most ${MAX_PROXIES} proxies; DELETE some` }];
    pendingProxies++;
    let server = null;
    let proxy = null;
    try {
      if (upstreamName === 'cometkit') server = await startProtocolServer({ host, options });
      const upstream = server ? server.url : sockjs;
      proxy = await start(upstream);
      const entry = { id: String(nextProxyId++), kind, url: proxy.url, upstream, proxy, server };
      if (closed) {
        await stopProxy(entry);
        return [503, { error: 'the admin endpoint is closing' }];
      }
      proxies.set(entry.id, entry);
      return [201, { id: entry.id, kind, url: entry.url, upstream }];
    } catch (error) {
      await Promise.allSettled([proxy?.stop(), server?.close()]);
      throw error;
    } finally {
      pendingProxies--;
    }
  }

  async function routeProxy(req, url, body) {
    if (url.pathname === '/proxy') {
      if (req.method === 'GET') return [200, { nginx: hasNginx(), count: proxies.size, max: MAX_PROXIES }];
      if (req.method === 'POST') return createProxy(url);
      return [405, { error: 'GET or POST /proxy' }];
    }
    const match = /^\/proxy\/([^/]+)(?:\/(faults))?$/.exec(url.pathname);
    const entry = match && proxies.get(match[1]);
    if (!entry) return [404, { error: `no proxy at ${url.pathname}` }];
    const about = { id: entry.id, kind: entry.kind, url: entry.url, upstream: entry.upstream };
    if (match[2] === 'faults') {
      if (req.method !== 'POST') return [405, { error: 'POST /proxy/<id>/faults' }];
      if (entry.kind !== 'fault') throw new BadRequest('only fault proxies take faults');
      const faults = parseJson(body, 'the body');
      if (typeof faults !== 'object' || faults === null || Array.isArray(faults)) throw new BadRequest('the body is a JSON object');
      entry.proxy.setFaults(faults);
      return [200, { id: entry.id, faults: entry.proxy.faults() }];
    }
    if (req.method === 'GET') {
      // `sessions`: the open sessions of the proxy's own cometkit server, when it has one.
      const sessions = entry.server?.sessions?.();
      return [200, entry.kind === 'fault' ? { ...about, faults: entry.proxy.faults(), stats: { ...entry.proxy.stats }, sessions } : { ...about, sessions }];
    }
    if (req.method === 'DELETE') {
      proxies.delete(entry.id);
      await stopProxy(entry);
      return [204, null];
    }
    return [405, { error: 'GET or DELETE /proxy/<id>' }];
  }

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

  async function route(req, url, body) {
    if (url.pathname === '/proxy' || url.pathname.startsWith('/proxy/')) return routeProxy(req, url, body);
    if (url.pathname === '/report' && onReport) {
      if (req.method !== 'POST') return [405, { error: 'POST /report' }];
      onReport(parseJson(body, 'the report'));
      return [204, null];
    }
    if (req.method === 'POST' && url.pathname === '/cometkit') {
      if (instances.size >= MAX_INSTANCES) return [429, { error: `at most ${MAX_INSTANCES} instances; DELETE some` }];
      const options = serverOptions(url);
      const server = await startProtocolServer({ host, options });
      const id = String(nextId++);
      instances.set(id, { id, port: server.port, url: server.url, options, server, queue: Promise.resolve() });
      return [201, { id, url: server.url }];
    }
    const match = /^\/cometkit\/([^/]+)(?:\/(restart|stop|start|sessions))?$/.exec(url.pathname);
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
    if (action === 'sessions') {
      if (req.method !== 'GET') return [405, { error: 'GET …/sessions' }];
      return [200, { sessions: instance.server?.sessions() ?? [] }];
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
      'Access-Control-Allow-Methods': 'GET, POST, DELETE',
      'Access-Control-Allow-Headers': 'Content-Type',
      'Access-Control-Max-Age': '600',
      'Cache-Control': 'no-store',
    };
    const reply = (status, body) => {
      if (res.headersSent) return;
      res.writeHead(status, body ? { ...cors, 'Content-Type': 'application/json' } : cors);
      res.end(body ? JSON.stringify(body) : undefined);
    };
    if (req.method === 'OPTIONS') {
      req.resume();
      reply(204, null);
      return;
    }
    const chunks = [];
    let size = 0;
    req.on('data', (chunk) => {
      size += chunk.length;
      if (size <= MAX_BODY) chunks.push(chunk);
    });
    req.on('end', () => {
      if (size > MAX_BODY) return reply(413, { error: `bodies are at most ${MAX_BODY} bytes` });
      route(req, new URL(req.url, 'http://admin'), Buffer.concat(chunks).toString('utf8')).then(
        ([status, body]) => reply(status, body),
        (error) => reply(error instanceof BadRequest || error instanceof TypeError ? 400 : 500, { error: String(error?.message ?? error) }),
      );
    });
  });
  await new Promise((resolve, reject) => {
    http.once('error', reject);
    http.listen(0, host, resolve);
  });
  return {
    url: `http://${host}:${http.address().port}`,
    /** Stops every instance and proxy left (tests that failed before their DELETE) and the endpoint itself. */
    close: async () => {
      closed = true;
      const left = [...instances.values()];
      instances.clear();
      const proxiesLeft = [...proxies.values()];
      proxies.clear();
      await Promise.all([
        ...left.map((instance) => serial(instance, () => stop(instance, 'close'))),
        ...proxiesLeft.map((entry) => stopProxy(entry)),
      ]);
      http.closeAllConnections();
      await new Promise((resolve) => http.close(() => resolve()));
    },
  };
}

/** onReport: see startAdmin() (benchmarks hand their figures back through it). */
export async function runBrowserSuite({ files = BROWSER_TEST_FILES, browsers, onReport } = {}) {
  const cometkit = await startProtocolServer();
  const sockjs = await startSockjsServer();
  const admin = await startAdmin({ sockjs: sockjs.url, onReport });
  try {
    return await runKarma({
      files: [
        { pattern: 'node_modules/sockjs-client/dist/sockjs.min.js', included: true, watched: false },
        { pattern: 'dist/*', included: false, watched: false },
        // The legacy build's sandbox page (test/legacy/legacy.test.js), served on karma's origin.
        { pattern: 'test/legacy/*.html', included: false, watched: false },
        // Pages the integration tests load in a frame of their own (resume across a reload), and workers.
        { pattern: 'test/integration/fixtures/*.html', included: false, watched: false },
        { pattern: 'test/integration/fixtures/worker.js', included: false, watched: false },
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
        // Stops and restarts cometkit servers of a test's own, and puts proxies in front of them: see startAdmin().
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
