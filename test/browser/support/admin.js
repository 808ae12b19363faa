// The suite's admin endpoint (config().admin; see startAdmin() in test/browser/suite.mjs): cometkit
// servers, proxies and reports of a test's own.
import { config } from './config.js';

/**
 * Calls the admin endpoint; resolves with its JSON answer (null for a 204), rejects on any other
 * status. `via`: the fetch to use, for tests that replace the page's own.
 */
export async function admin(method, path, body, via = fetch) {
  const res = await via(config().admin + path, { method, body, signal: AbortSignal.timeout(15000) });
  if (!res.ok) throw new Error(`admin ${method} ${path}: HTTP ${res.status} ${await res.text()}`);
  return res.status === 204 ? null : res.json();
}

/**
 * Skips the running hook's suite or the running test where the page has no admin endpoint (outside
 * test/browser/suite.mjs, which always gives one), saying so: the suite would otherwise vanish into a
 * count of skipped tests.
 */
export function needAdmin(context) {
  if (config().admin) return;
  console.log(`[admin] skipped: no admin endpoint (test/browser/suite.mjs gives one): ${context.test?.parent?.fullTitle() ?? ''}`);
  context.skip();
}

/**
 * A cometkit server of the calling suite's own (`query`: its options, as `?maxSessions=1`), started
 * before the suite's tests and stopped after them; without the admin endpoint the suite is skipped.
 * The object returned gets the server's `id` and `url` once it has started. (Its clients are best
 * closed in `afterEach`, which runs before the server stops.)
 */
export function ownServer(query = '') {
  const server = {};
  before(async function () {
    needAdmin(this);
    Object.assign(server, await admin('POST', `/cometkit${query}`));
  });
  after(async () => {
    if (server.id) await admin('DELETE', `/cometkit/${server.id}`);
  });
  return server;
}

/** The ids of the open sessions of the cometkit server at admin `path` (see untilSessions()). */
export const sessionsAt = async (path) => (await admin('GET', path)).sessions;

/**
 * Resolves with the open sessions of the cometkit server at admin `path` (`/cometkit/<id>/sessions`, or
 * `/proxy/<id>` for a proxy's own) once `test(sessions)` holds, asked every 20 ms; after `ms`, throws
 * naming `what` and the sessions left. (The server announces no change to the page: it is asked.)
 */
export async function untilSessions(path, test, ms, what) {
  const deadline = performance.now() + ms;
  let sessions;
  while (!test((sessions = await sessionsAt(path)))) {
    if (performance.now() > deadline) throw new Error(`${what}: not within ${ms} ms (server sessions: ${sessions.join() || 'none'})`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return sessions;
}
