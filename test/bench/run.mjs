// `node test/bench/run.mjs`: round-trip figures per tier in Chromium and Firefox, cometkit against
// stock sockjs-client, on the cometkit server over loopback. `node test/bench/run.mjs websocket`:
// cometkit on WebSocket against a raw WebSocket (round trip and burst). `node test/bench/run.mjs rtt webkit`:
// the round trips in WebKit (the `webkit` test stage's browser).
import { runBrowserSuite } from '../browser/suite.mjs';

const FILES = { rtt: 'test/bench/rtt.bench.js', websocket: 'test/bench/websocket.bench.js' };
const which = process.argv[2] ?? 'rtt';
if (!FILES[which]) throw new Error(`unknown benchmark ${which}: one of ${Object.keys(FILES).join(', ')}`);
// One browser at a time: on this 2-core machine two browsers at once doubled the HTTP tiers' round
// trips or nearly (Chromium's cross-origin polling 9.3 ms against 5.7 alone, jsonp 10.1 against 6.1,
// 2026-12-07), which is the margin issue 3's "a fifth of sockjs-client's" is judged by.
const runs = process.argv[3] === 'webkit' ? [['WebKitHeadless']] : [['ChromiumHeadlessCI'], ['FirefoxHeadlessCI']];
let failed = 0;
for (const browsers of runs) failed += (await runBrowserSuite({ files: [FILES[which]], browsers })).failed;
process.exitCode = failed > 0 ? 1 : 0;
