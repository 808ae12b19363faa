// Root-level afterEach for every browser test (karma loads this module before the test files).
// A test that leaves <script>, <iframe> or <form> nodes on the page, or new window globals whose
// names start with a watched prefix, gets a failure reported; the leftovers are then removed so
// later tests start clean. Prefixes: clientArgs.leakPrefixes, else the defaults below.
import { config } from './config.js';

const TAGS = 'script, iframe, form';
const prefixes = config().leakPrefixes ?? ['_cometkit', '_ck', '__ck'];

// Everything present now is karma's own (all its <script> tags are parsed before modules run).
const baselineNodes = new Set(document.querySelectorAll(TAGS));
const baselineGlobals = new Set(Object.keys(window));

// Suites that drive other libraries (stock sockjs-client cleans up after itself
// asynchronously, and keeps its `_jp` registry) opt out with `this.foreign = true`.
function isForeign(test) {
  for (let suite = test.parent; suite; suite = suite.parent) if (suite.foreign) return true;
  return false;
}

afterEach(function () {
  // What a client remembers of the network (localStorage) and a session left for a reload to resume
  // (sessionStorage, option persist) are meant to outlive a page, not a test: each test starts without them.
  for (const storage of [localStorage, sessionStorage]) {
    for (const key of Object.keys(storage)) if (key.startsWith('cometkit ')) storage.removeItem(key);
  }
  if (isForeign(this.currentTest)) return;
  const nodes = [...document.querySelectorAll(TAGS)].filter((node) => !baselineNodes.has(node));
  const globals = Object.keys(window).filter(
    (name) => !baselineGlobals.has(name) && prefixes.some((prefix) => name.startsWith(prefix)),
  );
  if (nodes.length === 0 && globals.length === 0) return;

  const leftovers = [...nodes.map(label), ...globals.map((name) => `window.${name}`)];
  for (const node of nodes) node.remove();
  for (const name of globals) {
    delete window[name];
    // `var` globals cannot be deleted: blank them and stop reporting them.
    if (name in window) {
      window[name] = undefined;
      baselineGlobals.add(name);
    }
  }
  reportFailure(this.currentTest, `left the page dirty: ${leftovers.join(', ')}`);
});

function label(node) {
  const src = node.getAttribute('src') || node.getAttribute('action');
  return `<${node.tagName.toLowerCase()}${src ? ` ${src}` : ''}>`;
}

// Mocha has already reported the test as finished when afterEach runs, and failing the hook
// itself would make mocha skip every remaining test. So report an extra failed result instead.
function reportFailure(test, message) {
  const titles = test.titlePath();
  window.__karma__.result({
    description: `${titles.pop()} [clean-page]`,
    suite: titles,
    success: false,
    skipped: false,
    pending: false,
    time: 0,
    log: [message],
    assertionErrors: [],
  });
}
