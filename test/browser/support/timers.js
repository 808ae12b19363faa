// Counts the page's pending timers, so a test can prove a client leaves none behind.

/** Wraps setTimeout/clearTimeout/setInterval/clearInterval until `restore()`; `pending` holds live ids. */
export function trackTimers() {
  const pending = new Set();
  const original = {
    setTimeout: window.setTimeout,
    clearTimeout: window.clearTimeout,
    setInterval: window.setInterval,
    clearInterval: window.clearInterval,
  };
  window.setTimeout = function (fn, ms, ...args) {
    const id = original.setTimeout.call(
      window,
      (...a) => {
        pending.delete(id);
        if (typeof fn === 'function') fn(...a);
      },
      ms,
      ...args,
    );
    pending.add(id);
    return id;
  };
  window.setInterval = function (fn, ms, ...args) {
    const id = original.setInterval.call(window, fn, ms, ...args);
    pending.add(id);
    return id;
  };
  window.clearTimeout = window.clearInterval = (id) => {
    pending.delete(id);
    original.clearTimeout.call(window, id);
  };
  return {
    pending,
    restore() {
      Object.assign(window, original);
    },
  };
}
