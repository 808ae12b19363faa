import { keptPosition } from '../protocol/frames.js';
import type { Frame } from '../protocol/frames.js';
import { parse } from './json.js';
import type { Value } from './json.js';

function allStrings(list: Value[]): list is string[] {
  for (const v of list) if (typeof v != 'string') return false;
  return true;
}

/**
 * Decodes one server frame, as src/protocol/frames.ts does, but without
 * JSON.parse, Array.isArray or Array#every (ES5). Throws an Error naming the
 * frame for malformed input, so the caller can report it and go on.
 */
export function decodeFrame(text: string): Frame {
  const type = text.charAt(0);
  if (text.length == 1 && (type == 'o' || type == 'h')) return [type];
  const pos = keptPosition(text);
  if (pos >= 0) return ['k', pos];
  let value: Value | undefined;
  try {
    value = parse(text.slice(1));
  } catch {
    // falls through to the error below
  }
  if (type == 'm' && typeof value == 'string') value = [value];
  if (value instanceof Array) {
    if ((type == 'a' || type == 'm') && allStrings(value)) return ['a', value];
    if (type == 'c' && typeof value[0] == 'number' && typeof value[1] == 'string') return ['c', value[0], value[1]];
  }
  throw new Error('Malformed frame: ' + text.slice(0, 64));
}
