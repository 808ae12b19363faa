// `node test/bench/run.mjs`: round-trip figures per tier in Chromium and Firefox,
// cometkit against stock sockjs-client, on the cometkit server over loopback.
import { runBrowserSuite } from '../browser/suite.mjs';

const result = await runBrowserSuite({ files: ['test/bench/rtt.bench.js'] });
process.exitCode = result.failed > 0 ? 1 : 0;
