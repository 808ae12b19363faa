/**
 * UTF-8 bytes of `text`: what a message weighs against the send queue's byte
 * bound, in both builds (a Blob would say the same, far slower in Chromium).
 */
export function utf8Bytes(text: string): number {
  let n = text.length;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    // 2 bytes below 2048; 3 above, but a surrogate half counts 2 (its pair makes 4).
    if (c > 127) n += c < 2048 || c >> 11 == 27 ? 1 : 2;
  }
  return n;
}
