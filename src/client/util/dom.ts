let counter = 0;

/** A name no other cometkit request on this page uses: callbacks, iframe names. */
export function uniqueName(): string {
  return '_ck' + (++counter).toString(36) + Math.random().toString(36).slice(2, 8);
}

/** A hidden iframe appended to the page; `src` omitted gives a same-origin about:blank. */
export function hiddenFrame(src?: string, name?: string): HTMLIFrameElement {
  const frame = document.createElement('iframe');
  if (name) frame.name = name;
  frame.style.display = 'none';
  if (src) frame.src = src;
  (document.body || document.documentElement).appendChild(frame);
  return frame;
}

export function remove(node: Node | null | undefined): void {
  node?.parentNode?.removeChild(node);
}
