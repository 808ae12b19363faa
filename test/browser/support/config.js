// The JSON-serialisable object passed as runKarma({ clientArgs }); {} when run without one.
export function config() {
  return window.__karma__?.config?.args?.[0] ?? {};
}
