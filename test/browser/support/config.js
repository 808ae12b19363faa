// The JSON-serialisable object passed as runKarma({ clientArgs }); {} when run without one.
export function config() {
  return window.__karma__?.config?.args?.[0] ?? {};
}

/** The engine the page runs in, for what tests log: Firefox, Chromium, or WebKit (Safari's engine). */
export const BROWSER = navigator.userAgent.includes('Firefox') ? 'Firefox' : /Chrom(e|ium)\//.test(navigator.userAgent) ? 'Chromium' : 'WebKit';
