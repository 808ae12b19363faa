// Runs chosen browser test files in chosen browsers: node test/soak/one.mjs chromium,firefox file...
import { runBrowserSuite } from '../browser/suite.mjs';
const BROWSERS = { chromium: 'ChromiumHeadlessCI', firefox: 'FirefoxHeadlessCI', webkit: 'WebKitHeadless' };
const [names, ...files] = process.argv.slice(2);
const result = await runBrowserSuite({ files, browsers: names.split(',').map((b) => BROWSERS[b]) });
console.log(`${result.passed} passed, ${result.failed} failed`);
process.exitCode = result.failed > 0 ? 1 : 0;
