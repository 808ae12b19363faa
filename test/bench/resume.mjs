// `node test/bench/resume.mjs`: what resume costs per tier (throughput and round trip, on vs off),
// in Chromium and Firefox, on the cometkit server over loopback.
import { runBrowserSuite } from '../browser/suite.mjs';

const result = await runBrowserSuite({ files: ['test/bench/resume.bench.js'] });
process.exitCode = result.failed > 0 ? 1 : 0;
