// Starts the servers the browser tests talk to (once for the whole run), runs
// every browser test file in Chromium and Firefox at once, stops the servers.
import { startProtocolServer } from '../interop/protocol-server.mjs';
import { startSockjsServer } from '../interop/sockjs-server.mjs';
import { runKarma } from './karma.mjs';

export const BROWSER_TEST_FILES = ['test/browser/**/*.test.js', 'test/interop/**/*.test.js'];

export async function runBrowserSuite({ files = BROWSER_TEST_FILES, browsers } = {}) {
  const cometkit = await startProtocolServer();
  const sockjs = await startSockjsServer();
  try {
    return await runKarma({
      files: [
        { pattern: 'node_modules/sockjs-client/dist/sockjs.min.js', included: true, watched: false },
        { pattern: 'dist/*', included: false, watched: false },
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
      },
    });
  } finally {
    await Promise.all([cometkit.close(), sockjs.close()]);
  }
}

if (process.argv[1]?.endsWith('suite.mjs')) {
  const files = process.argv.slice(2);
  const result = await runBrowserSuite(files.length ? { files } : {});
  console.log(`${result.passed} passed, ${result.failed} failed`);
  process.exitCode = result.failed > 0 ? 1 : 0;
}
