/**
 * Characters a terminal acts on, or that reorder the text around them: the C0 controls (ESC starts
 * the CSI and OSC sequences that clear the screen, move the cursor or write the clipboard with OSC 52),
 * DEL and the C1 controls (0x80–0x9F: 8-bit CSI, OSC, ST; ECMA-48, "Control functions for coded
 * character sets", 5th ed., sections 5.2–5.3 and 8.3), the Unicode line and paragraph separators, and
 * the bidirectional controls (Unicode Standard Annex #9, "Explicit directional formatting characters").
 */
// eslint-disable-next-line no-control-regex -- control characters are what this escapes
const TERMINAL_CONTROLS = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

const NAMED: Readonly<Record<string, string>> = { '\n': '\\n', '\r': '\\r', '\t': '\\t', '\u001b': '\\x1b' };

/**
 * A quoted string (a reason quoting the new version's response, a policy's metric name, a CodeDeploy
 * message) as a terminal shows it: each control character written out as a visible escape (`\x1b`,
 * `\n`, `\u202e`), so that none acts on the terminal or starts a line of its own.
 */
export function terminalText(text: string): string {
  return text.replace(TERMINAL_CONTROLS, (char) => NAMED[char] ?? (char.charCodeAt(0) <= 0xff ? `\\x${char.charCodeAt(0).toString(16).padStart(2, '0')}` : `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`));
}

/**
 * A view model with every string in it passed through `terminalText` (plain objects and arrays are
 * walked; other values are kept), for a renderer that writes to a terminal: escaping the data once,
 * before rendering, covers every field the renderer quotes, including ones added later.
 */
export function terminalSafe<T>(value: T): T {
  if (typeof value === 'string') return terminalText(value) as T;
  if (Array.isArray(value)) return value.map((item: unknown) => terminalSafe(item)) as T;
  if (value !== null && typeof value === 'object' && [Object.prototype, null].includes(Object.getPrototypeOf(value))) {
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, terminalSafe(item)])) as T;
  }
  return value;
}
