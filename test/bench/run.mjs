// `node test/bench/run.mjs`: round-trip figures per tier in Chromium and Firefox, cometkit against
// stock sockjs-client, on the cometkit server over loopback. `node test/bench/run.mjs websocket`:
// cometkit on WebSocket against a raw WebSocket (round trip and burst). `node test/bench/run.mjs rtt webkit`:
// the round trips in WebKit (the `webkit` test stage's browser).
import { runBrowserSuite } from '../browser/suite.mjs';

const FILES = { rtt: 'test/bench/rtt.bench.js', websocket: 'test/bench/websocket.bench.js' };
const which = process.argv[2] ?? 'rtt';
if (!FILES[which]) throw new Error(`unknown benchmark ${which}: one of ${Object.keys(FILES).join(', ')}`);
// Round trips per tier differ by whole multiples: both browsers at once will do. The WebSocket figures
// are within tens of microseconds of each other: one browser at a time.
const runs = process.argv[3] === 'webkit' ? [['WebKitHeadless']] : which === 'websocket' ? [['ChromiumHeadlessCI'], ['FirefoxHeadlessCI']] : [undefined];
let failed = 0;
for (const browsers of runs) failed += (await runBrowserSuite({ files: [FILES[which]], browsers })).failed;
process.exitCode = failed > 0 ? 1 : 0;
