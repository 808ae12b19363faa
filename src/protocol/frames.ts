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

/** `c[3000,"Go away!"]` */
export function closeFrame(code: number, reason: string): string {
  return 'c' + quote([code, reason]);
}

/** A decoded server frame. */
export type Frame =
  | { type: 'open' }
  | { type: 'heartbeat' }
  | { type: 'messages'; messages: string[] }
  | { type: 'close'; code: number; reason: string };

/** Thrown by {@link decodeFrame} for anything that is not a protocol frame. */
export class FrameError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'FrameError';
  }
}

function parse(text: string, body: string): unknown {
  try {
    return JSON.parse(body);
  } catch {
    throw new FrameError('Malformed frame: ' + text.slice(0, 64));
  }
}

/**
 * Decodes one server frame. Throws {@link FrameError} for malformed input so
 * the caller can report it without losing the session.
 */
export function decodeFrame(text: string): Frame {
  const kind = text.charAt(0);
  if (kind === 'o' && text.length === 1) return { type: 'open' };
  if (kind === 'h' && text.length === 1) return { type: 'heartbeat' };
  if (kind === 'a') {
    const list = parse(text, text.slice(1));
    if (Array.isArray(list) && list.every((m) => typeof m === 'string')) {
      return { type: 'messages', messages: list };
    }
  } else if (kind === 'm') {
    const one = parse(text, text.slice(1));
    if (typeof one === 'string') return { type: 'messages', messages: [one] };
  } else if (kind === 'c') {
    const pair = parse(text, text.slice(1));
    if (Array.isArray(pair) && typeof pair[0] === 'number' && typeof pair[1] === 'string') {
      return { type: 'close', code: pair[0], reason: pair[1] };
    }
  }
  throw new FrameError('Malformed frame: ' + text.slice(0, 64));
}
