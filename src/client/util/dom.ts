let counter = 0;

/** A name no other cometkit request on this page uses: callbacks, iframe names. */
export function uniqueName(): string {
  return '_ck' + ++counter + Math.random().toString(36).slice(2, 8);
}

/** `tag` hidden and appended to the page, with `props` set; an iframe without `src` is a same-origin about:blank. */
export function hidden<K extends keyof HTMLElementTagNameMap>(tag: K, props?: Partial<HTMLElementTagNameMap[K]>): HTMLElementTagNameMap[K] {
  const node = Object.assign(document.createElement(tag), props);
  node.style.display = 'none';
  (document.body ?? document.documentElement).append(node);
  return node;
}

/** Removes `node` from the page, if there; for the legacy build, whose pages lack `Element#remove`. */
export function remove(node: Node | null | undefined): void {
  // (`&&`, not `?.`: ES3 spells each `?.` out at length.)
  const parent = node && node.parentNode;
  if (parent) parent.removeChild(node);
}
