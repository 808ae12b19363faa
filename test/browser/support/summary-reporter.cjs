'use strict';
// Compact karma reporter for CI logs: prints each failing test (browser + error) as it happens,
// browser errors and console output, then one "<browser>: N passed, N failed" line per browser.
// The totals are also emitted on karma's emitter as 'summary_totals' for runKarma().

function SummaryReporter(emitter, formatError) {
  const write = (text) => process.stdout.write(text);

  this.onBrowserLog = (browser, log, type) => {
    write(`${String(type).toUpperCase()} [${browser.name}] ${log}\n`);
  };

  this.onBrowserError = (browser, error) => {
    write(`ERROR [${browser.name}]\n${formatError(error, '    ')}`);
  };

  this.onSpecComplete = (browser, result) => {
    if (result.success || result.skipped) return;
    const title = [...result.suite, result.description].join(' > ');
    write(`FAILED [${browser.name}] ${title}\n`);
    for (const log of result.log) write(formatError(tidy(log), '    '));
  };

  this.onRunComplete = (browsers) => {
    const totals = { passed: 0, failed: 0, skipped: 0, errors: 0, browsers: {} };
    browsers.forEach((browser) => {
      const r = browser.lastResult;
      // A load error or disconnect means tests did not run; it must not look green.
      const broken = r.error || r.disconnected;
      totals.passed += r.success;
      totals.failed += r.failed;
      totals.skipped += r.skipped;
      totals.errors += broken ? 1 : 0;
      totals.browsers[browser.name] = { passed: r.success, failed: r.failed, skipped: r.skipped, error: Boolean(broken) };
      const skipped = r.skipped ? `, ${r.skipped} skipped` : '';
      const status = r.disconnected ? ' (DISCONNECTED)' : r.error ? ' (ERROR)'
        : r.success + r.failed + r.skipped === 0 ? ' (NO TESTS)' : '';
      write(`${browser.name}: ${r.success} passed, ${r.failed} failed${skipped}${status} in ${(r.totalTime / 1000).toFixed(1)} s\n`);
    });
    emitter.emit('summary_totals', totals);
  };
}
// Chromium reports stack frames as "base/<path>?<sha>:line:col", which karma's formatError does not
// rewrite when urlRoot is not '/'; shorten them to "<path>:line:col" like Firefox's.
function tidy(log) {
  return typeof log === 'string' ? log.replace(/(^|[\s(@])base\/([^\s?:()]+)\?\w+/gm, '$1$2') : log;
}

SummaryReporter.$inject = ['emitter', 'formatError'];

module.exports = { 'reporter:summary': ['type', SummaryReporter] };
