/**
 * Secret header values in smoke-test reasons. A reason may quote the new version's response, and an
 * endpoint may echo a header back, raw or encoded; the reason then reaches logs, the execution history,
 * the verdict event, the stored report and the notification. So a secret is sent exactly as it will be
 * masked, and masked in every common encoding of what was sent.
 */

/**
 * Below this length a secret is refused: masking a short value everywhere it occurs (`abc`, `1234`)
 * covers ordinary words and numbers too, and the pattern of masks then shows the value. No credential
 * that short is worth sending.
 */
export const MIN_SECRET_LENGTH = 8;

/** Leading and trailing HTTP whitespace (Fetch standard, "normalize" a header value: HTAB, LF, CR, SP). */
const SURROUNDING_WHITESPACE = /^[\t\n\r ]+|[\t\n\r ]+$/g;

/**
 * The value a stored secret is sent as, or why it cannot be sent and masked safely. Surrounding
 * whitespace is trimmed here (a value stored from a file often ends in a newline; Node's fetch would
 * trim it on the wire), so what is masked is exactly what is sent. Inside the value only printable
 * ASCII, space and tab are sent: a line break cannot go into a header, and a non-ASCII character has no
 * single byte form an echo could be matched against. The problem never quotes the value.
 */
export function sendableSecret(stored: string): { readonly value: string } | { readonly problem: string } {
  const value = stored.replace(SURROUNDING_WHITESPACE, '');
  if (/[^\t\x20-\x7e]/.test(value)) return { problem: 'contains a line break, control or non-ASCII character inside it; only printable ASCII, space and tab can be sent and masked' };
  if (value.length < MIN_SECRET_LENGTH) return { problem: `is shorter than ${MIN_SECRET_LENGTH} characters (surrounding whitespace trimmed), too short to be masked in reasons without the masks showing it; not sent` };
  return { value };
}

/** A text seen through some decodings: each character with the span of the original text it came from. */
interface View {
  readonly text: string;
  readonly starts: readonly number[];
  readonly ends: readonly number[];
}

const NAMED_ENTITIES: Readonly<Record<string, string>> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };
const fromHex = (hex: string) => String.fromCodePoint(Math.min(0x10ffff, parseInt(hex, 16)));

/** One decoding: a pattern of escape sequences and what each stands for (the rest of the text is kept). */
const DECODINGS: ReadonlyArray<{ readonly pattern: RegExp; readonly decode: (match: RegExpExecArray) => string }> = [
  // JSON string escapes, as a reason quotes a response value (repeated decodings undo repeated escaping).
  { pattern: /\\(?:u[0-9a-fA-F]{4}|["\\/bfnrt])/g, decode: (m) => JSON.parse(`"${m[0]}"`) as string },
  // Percent-encoding (RFC 3986), either case of hex.
  { pattern: /%([0-9a-fA-F]{2})/g, decode: (m) => fromHex(m[1]) },
  // Form encoding (application/x-www-form-urlencoded): percent-encoding, and `+` for a space.
  { pattern: /%([0-9a-fA-F]{2})|\+/g, decode: (m) => (m[1] !== undefined ? fromHex(m[1]) : ' ') },
  // HTML character references: the named ones an HTML escaper writes, and numeric ones.
  { pattern: /&(?:#(\d{1,7})|#[xX]([0-9a-fA-F]{1,6})|(amp|lt|gt|quot|apos));/g, decode: (m) => NAMED_ENTITIES[m[3]] ?? fromHex(m[2] ?? Number(m[1]).toString(16)) },
];

function decodeView(view: View, decoding: (typeof DECODINGS)[number]): View {
  let text = '';
  const starts: number[] = [];
  const ends: number[] = [];
  let at = 0;
  const keep = (until: number) => {
    for (; at < until; at++) {
      text += view.text[at];
      starts.push(view.starts[at]);
      ends.push(view.ends[at]);
    }
  };
  for (const match of view.text.matchAll(decoding.pattern)) {
    keep(match.index);
    const decoded = decoding.decode(match as RegExpExecArray);
    for (let unit = 0; unit < decoded.length; unit++) {
      text += decoded[unit];
      starts.push(view.starts[match.index]);
      ends.push(view.ends[match.index + match[0].length - 1]);
    }
    at = match.index + match[0].length;
  }
  keep(view.text.length);
  return { text, starts, ends };
}

/** The text and its decodings, nested up to `depth` deep (JSON text in a JSON string, a URL in JSON, …). */
function viewsOf(text: string, depth: number): View[] {
  const identity: View = { text, starts: Array.from({ length: text.length }, (_, i) => i), ends: Array.from({ length: text.length }, (_, i) => i + 1) };
  const seen = new Map<string, View>([[text, identity]]);
  let frontier = [identity];
  for (let level = 0; level < depth; level++) {
    frontier = frontier.flatMap((view) => DECODINGS.map((decoding) => decodeView(view, decoding))).filter((view) => !seen.has(view.text) && seen.set(view.text, view));
  }
  return [...seen.values()];
}

/**
 * The base64 characters that encode `value` wherever it sits in a longer base64 text (one string per
 * byte alignment, both alphabets): an echo of `Basic base64(user:secret)` shows the secret this way.
 */
function base64Forms(value: string): string[] {
  const bytes = Buffer.from(value, 'latin1');
  return [0, 1, 2].flatMap((offset) => {
    const encoded = Buffer.concat([Buffer.alloc(offset), bytes]).toString('base64');
    // Characters whose 6 bits all come from the value's bytes.
    const core = encoded.slice(Math.ceil((8 * offset) / 6), Math.floor((8 * (offset + bytes.length)) / 6));
    return [core, core.replace(/\+/g, '-').replace(/\//g, '_')];
  });
}

const MASK = '***';
/** Decodings nested this deep are looked through (a value JSON-escaped three times, then URL-encoded). */
const DECODING_DEPTH = 4;
/**
 * A longer text is cut before masking: looking through every nested decoding costs about a
 * millisecond per 50 characters on an adversarial text (a 1 MB quoted response took over a minute).
 */
export const MAX_MASKED_LENGTH = 2000;

/** Where each needle occurs in the text's views, as spans of the text; with `cut`, also a needle's beginning at the very end. */
function secretSpans(text: string, needles: readonly string[], cut: boolean): Array<[number, number]> {
  const spans: Array<[number, number]> = [];
  for (const view of viewsOf(text, DECODING_DEPTH)) {
    for (const needle of needles) {
      for (let at = view.text.indexOf(needle); at >= 0; at = view.text.indexOf(needle, at + 1)) spans.push([view.starts[at], view.ends[at + needle.length - 1]]);
      if (!cut) continue;
      // The cut may have split an occurrence: its first characters end the text.
      for (let length = Math.min(needle.length - 1, view.text.length); length > 0; length--) {
        if (view.text.endsWith(needle.slice(0, length))) {
          spans.push([view.starts[view.text.length - length], text.length]);
          break;
        }
      }
    }
  }
  return spans;
}

/**
 * `text` with every occurrence of each value masked: as is, JSON-escaped (any number of times up to the
 * depth), percent- or form-encoded, HTML-escaped, base64-encoded, and these nested. Each value is
 * found in the decoded views of the text and the span of the original text it came from is masked.
 * A text longer than `MAX_MASKED_LENGTH` is cut first (a value split by the cut is masked too). If
 * masking does not converge, the whole text is withheld: a reason is never returned with a value in it.
 */
export function maskSecrets(text: string, values: readonly string[]): string {
  const needles = [...new Set(values.flatMap((value) => [value, ...base64Forms(value)]))].filter((needle) => needle.length > 0);
  if (needles.length === 0) return text;
  const cut = text.length > MAX_MASKED_LENGTH;
  // An escape split by the cut is dropped, so what it began is seen decoded.
  let masked = cut ? text.slice(0, MAX_MASKED_LENGTH).replace(/(?:%[0-9a-fA-F]?|\\(?:u[0-9a-fA-F]{0,3})?|&#?[xX]?[0-9a-zA-Z]{0,6})$/, '') : text;
  // Masking one form can reveal another around it (an escape split by a mask); a few rounds settle it.
  for (let round = 0; round < 5; round++) {
    // The end is checked once: after that it is a mask, which may itself begin a value (`***` for `*abc…`).
    const spans = secretSpans(masked, needles, cut && round === 0);
    if (spans.length === 0) return cut ? `${masked}…` : masked;
    masked = maskSpans(masked, spans);
  }
  return '(withheld: it quotes a secret header value in a form that could not be masked)';
}

/** Replaces each span (overlapping or adjacent ones as one) with the mask. */
function maskSpans(text: string, spans: ReadonlyArray<[number, number]>): string {
  const hidden = new Uint8Array(text.length);
  for (const [start, end] of spans) hidden.fill(1, start, end);
  let result = '';
  for (let at = 0; at < text.length; at++) {
    if (!hidden[at]) result += text[at];
    else if (at === 0 || !hidden[at - 1]) result += MASK;
  }
  return result;
}
