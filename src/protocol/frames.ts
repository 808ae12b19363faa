/**
 * The SockJS 0.3 wire format, shared by the client and the server so both
 * speak exactly one dialect.
 */

/** Sent once, as the first frame of a new session. */
export const OPEN_FRAME = 'o';
/** Sent when a receiver has been idle for the heartbeat delay. */
export const HEARTBEAT_FRAME = 'h';

// Characters that some browsers, proxies or JSON parsers mangle when raw:
// control characters, zero-width and bidi marks, line/paragraph separators,
// and the non-characters at the end of the BMP (the protocol's minimum set).
// eslint-disable-next-line no-control-regex -- the control characters are the point
const UNSAFE = /[\x00-\x1f\u200c-\u200f\u2028-\u202f\u2060-\u206f\ufff0-\uffff]/g;

function escapeChar(c: string): string {
  return '\\u' + ('000' + c.charCodeAt(0).toString(16)).slice(-4);
}

/** JSON.stringify with every character that is unsafe on the wire escaped as `\uXXXX`. */
export function quote(value: unknown): string {
  return JSON.stringify(value).replace(UNSAFE, escapeChar);
}

/** `a["m1","m2"]`: one frame carrying every message given. */
export function messageFrame(messages: readonly string[]): string {
  return 'a' + quote(messages);
}

/** `k<pos>` (resume): the client's messages up to `pos` have arrived. */
export function keptFrame(pos: number): string {
  return 'k' + pos;
}

/** The position of a `k<pos>` frame, or -1 for any other frame. */
export function keptPosition(text: string): number {
  return /^k\d{1,15}$/.test(text) ? +text.slice(1) : -1;
}

/** `c[3000,"Go away!"]` */
export function closeFrame(code: number, reason: string): string {
  return 'c' + quote([code, reason]);
}

/**
 * A decoded server frame, its type first: `['o']` open, `['h']` heartbeat,
 * `['a', messages]` (the legacy single-message `m` frame included),
 * `['c', code, reason]` close, `['k', pos]` (resume: the server has the
 * client's messages up to `pos`, PROTOCOL.md). Tuples, not objects: the client
 * decodes every frame, and its bundle carries no key names for it.
 */
export type Frame = ['o' | 'h'] | ['a', string[]] | ['c', number, string] | ['k', number];

/**
 * Decodes one server frame. Throws an Error naming the frame for malformed
 * input, so the caller can report it and go on.
 */
export function decodeFrame(text: string): Frame {
  if (text == 'o' || text == 'h') return [text];
  const type = text[0];
  const pos = keptPosition(text);
  if (pos >= 0) return ['k', pos];
  let value: unknown;
  try {
    value = JSON.parse(text.slice(1));
  } catch {
    // falls through to the error below
  }
  if (type == 'm' && typeof value == 'string') value = [value];
  if (Array.isArray(value)) {
    if ((type == 'a' || type == 'm') && value.every((m) => typeof m == 'string')) return ['a', value];
    if (type == 'c' && typeof value[0] == 'number' && typeof value[1] == 'string') return ['c', value[0], value[1]];
  }
  throw new Error('Malformed frame: ' + text.slice(0, 64));
}
