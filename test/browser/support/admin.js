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
 * A cometkit server of the calling suite's own (`query`: its options, as `?maxSessions=1`), started
 * before the suite's tests and stopped after them; without the admin endpoint the suite is skipped.
 * The object returned gets the server's `id` and `url` once it has started. (Its clients are best
 * closed in `afterEach`, which runs before the server stops.)
 */
export function ownServer(query = '') {
  const server = {};
  before(async function () {
    if (!config().admin) this.skip();
    Object.assign(server, await admin('POST', `/cometkit${query}`));
  });
  after(async () => {
    if (server.id) await admin('DELETE', `/cometkit/${server.id}`);
  });
  return server;
}
