// A fake page for Node tests of the legacy build's DOM code: just the DOM 0 it
// uses, a manual clock, and switches for IE 7's quirks.

/** Timers run only when the test advances the clock. */
export function fakeClock() {
  let now = 0;
  let nextId = 1;
  const timers = new Map();
  return {
    setTimeout(fn, ms = 0) {
      const id = nextId++;
      timers.set(id, { at: now + ms, fn });
      return id;
    },
    clearTimeout(id) {
      timers.delete(id);
    },
    /** Moves time on by `ms`, running every timer due, in order. */
    tick(ms) {
      const end = now + ms;
      for (;;) {
        const due = [...timers].filter(([, t]) => t.at <= end).sort((a, b) => a[1].at - b[1].at)[0];
        if (!due) break;
        timers.delete(due[0]);
        now = due[1].at;
        due[1].fn();
      }
      now = end;
    },
    get pending() {
      return timers.size;
    },
  };
}

class FakeNode {
  constructor(tagName, attributes = {}) {
    this.tagName = tagName.toUpperCase();
    this.childNodes = [];
    this.parentNode = null;
    this.style = {};
    this.attributes = {};
    Object.assign(this, attributes);
  }
  get firstChild() {
    return this.childNodes[0] ?? null;
  }
  appendChild(node) {
    return this.insertBefore(node, null);
  }
  insertBefore(node, before) {
    node.parentNode?.removeChild(node);
    const at = before ? this.childNodes.indexOf(before) : -1;
    this.childNodes.splice(at < 0 ? this.childNodes.length : at, 0, node);
    node.parentNode = this;
    return node;
  }
  removeChild(node) {
    this.childNodes.splice(this.childNodes.indexOf(node), 1);
    node.parentNode = null;
    return node;
  }
  setAttribute(name, value) {
    this.attributes[name] = String(value);
  }
  /** Every node below this one. */
  all() {
    return this.childNodes.flatMap((n) => [n, ...n.all()]);
  }
}

/**
 * `ie7`: createElement accepts `<iframe name="…">` markup (and a name set later
 * is ignored by forms), elements have readyState and no onload for frames.
 * `submitted(form)` is called on form.submit().
 */
export function fakeDocument({ ie7 = false, submitted = () => {} } = {}) {
  const html = new FakeNode('html');
  const head = html.appendChild(new FakeNode('head'));
  const body = html.appendChild(new FakeNode('body'));
  return {
    documentElement: html,
    body,
    head,
    getElementsByTagName: (tag) => html.all().filter((n) => n.tagName === tag.toUpperCase()),
    createElement(tag) {
      const markup = /^<(\w+) name="([^"]*)">$/.exec(tag);
      if (markup && !ie7) throw new Error('InvalidCharacterError');
      const node = new FakeNode(markup ? markup[1] : tag, markup ? { name: markup[2], markupName: true } : {});
      if (node.tagName === 'FORM') node.submit = () => submitted(node);
      if (node.tagName === 'IFRAME') node.contentWindow = { location: { href: 'about:blank' } };
      return node;
    },
  };
}
