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
