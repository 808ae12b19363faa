/**
 * JSON without the native JSON object (IE 7, and IE 8 in IE 7 mode): a
 * serializer for the string arrays the client sends, and a hand parser for
 * what server frames hold. The parser never evaluates anything, so a hostile
 * or broken frame cannot run code, and no CSP `unsafe-eval` is needed.
 */

/** The JSON values a SockJS frame holds: strings, numbers and arrays of them. */
export type Value = string | number | Value[];

// Escaped as \uXXXX: controls and everything beyond ASCII, so a send body is
// pure ASCII and survives a page in any charset (windows-1252 intranet pages,
// a form's accept-charset that IE ignores). Quote and backslash get \" and \\.
// eslint-disable-next-line no-control-regex -- the control characters are the point
const UNSAFE = /["\\\x00-\x1f\x7f-\uffff]/g;

function escapeChar(c: string): string {
  return c == '"' || c == '\\' ? '\\' + c : '\\u' + (0x10000 + c.charCodeAt(0)).toString(16).slice(1);
}

/** `["m1","m2"]`, ASCII only. */
export function stringify(messages: readonly string[]): string {
  const out: string[] = [];
  for (const m of messages) out.push('"' + m.replace(UNSAFE, escapeChar) + '"');
  return '[' + out.join(',') + ']';
}

const ESCAPES: Record<string, string | undefined> = { '"': '"', '\\': '\\', '/': '/', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t' };

// Tokens, matched at a given position. The string pattern is "unrolled"
// (no alternation inside the star), so a 64 KiB message costs no backtracking stack.
const STRING = /"([^"\\]*(?:\\.[^"\\]*)*)"/g;
const NUMBER = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/g;
const SPACE = /[ \t\r\n]*/g;

function unescapeString(s: string): string {
  if (s.indexOf('\\') < 0) return s;
  // IE 8 passes '' rather than undefined for a group that did not match: test truthiness only.
  return s.replace(/\\(?:u([0-9a-fA-F]{4})|(.))/g, (_: string, hex: string, c: string) => {
    const e = hex ? String.fromCharCode(parseInt(hex, 16)) : ESCAPES[c];
    if (e == null) throw new SyntaxError('bad escape \\' + c);
    return e;
  });
}

/** Parses a JSON string, number or array (of those, nested). Throws a SyntaxError on anything else. */
export function parse(text: string): Value {
  let pos = 0;
  // The token `re` matches exactly at `pos`, or null. Sets lastIndex itself:
  // IE 8 misreports it after empty matches.
  const at = (re: RegExp): string | null => {
    re.lastIndex = pos;
    const m = re.exec(text);
    if (!m || m.index != pos) return null;
    pos += m[0].length;
    return m[0];
  };
  const value = (): Value => {
    at(SPACE);
    const c = text.charAt(pos);
    if (c == '[') {
      pos++;
      const list: Value[] = [];
      at(SPACE);
      if (text.charAt(pos) == ']') {
        pos++;
        return list;
      }
      for (;;) {
        list.push(value());
        at(SPACE);
        const d = text.charAt(pos++);
        if (d == ']') return list;
        if (d != ',') break;
      }
    } else {
      const token = at(c == '"' ? STRING : NUMBER);
      if (token != null) return c == '"' ? unescapeString(token.slice(1, -1)) : +token;
    }
    throw new SyntaxError('unexpected input at ' + pos);
  };
  const result = value();
  at(SPACE);
  if (pos < text.length) throw new SyntaxError('unexpected input at ' + pos);
  return result;
}
