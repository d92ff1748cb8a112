/**
 * Error signatures: a log line reduced to what stays the same between two occurrences of one failure
 * (the message's words and structure), with what varies (ids, numbers, hex, addresses, timestamps,
 * quoted values) replaced by placeholders. Two lines with one signature are counted as one kind of
 * error; a signature the current version never showed is a new kind.
 *
 * The same idea as Logs Insights' `pattern` command, whose dynamic tokens show as `<*>` or
 * `<Token-n>` (CloudWatch Logs User Guide, "pattern": CWL_QuerySyntax-Pattern), but deterministic:
 * `pattern` clusters each query's result set on its own, so two queries' patterns need not match; the
 * evaluator normalises the lines itself so the new version's and the current version's lines are cut
 * by one rule (and `matchesPattern` below compares a line with the baseline's `pattern` output).
 */

/** Longest signature kept (characters): a stack trace's first frame at most, not the whole trace. */
export const MAX_SIGNATURE_LENGTH = 160;

/**
 * Replacements in order: the more specific first (a UUID before its hex parts, an ISO time before its
 * numbers). Each placeholder is a word the next rules leave alone.
 */
const RULES: ReadonlyArray<readonly [RegExp, string]> = [
  [/\b\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}:\d{2}(?:[.,]\d+)?(?:Z|[+-]\d{2}:?\d{2})?/g, '<TIME>'],
  [/\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b/gi, '<UUID>'],
  [/\barn:aws[a-z-]*:[^\s"',]+/g, '<ARN>'],
  [/\bhttps?:\/\/[^\s"',]+/g, '<URL>'],
  [/\b[\w.+-]+@[\w-]+(?:\.[\w-]+)+\b/g, '<EMAIL>'],
  [/\b\d{1,3}(?:\.\d{1,3}){3}(?::\d+)?\b/g, '<IP>'],
  [/\b0x[0-9a-f]+\b/gi, '<HEX>'],
  // Hex runs of 8 or more with at least one digit (commit hashes, trace ids), not plain words.
  [/\b(?=[0-9a-f]*\d)[0-9a-f]{8,}\b/gi, '<HEX>'],
  // Mixed letter-digit tokens of 12 or more (request ids, base64 keys): ids, not words.
  [/\b(?=[A-Za-z0-9_-]*\d)(?=[A-Za-z0-9_-]*[A-Za-z])[A-Za-z0-9_-]{12,}\b/g, '<ID>'],
  [/"[^"]*"|'[^']*'/g, '<STR>'],
  [/-?\b\d+(?:\.\d+)?(?:e[+-]?\d+)?(?:ms|s|m|h|kb|mb|gb|b|%)?\b/gi, '<NUM>'],
];

/** A Lambda runtime line starts with `<ISO time>\t<request id>\t<LEVEL>\t`: the time and id vary per line. */
const LAMBDA_PREFIX = /^\d{4}-\d{2}-\d{2}T[\d:.]+Z\t[0-9a-f-]{36}\t/;

/** JSON fields that carry the message and the error's kind, in the forms common loggers write. */
const MESSAGE_FIELDS = ['message', 'msg', 'errorMessage', 'error.message', 'err.message'];
const TYPE_FIELDS = ['errorType', 'error.type', 'error.kind', 'err.type', 'exception.type', 'exception'];

function field(record: Record<string, unknown>, path: string): unknown {
  if (path in record) return record[path];
  let value: unknown = record;
  for (const part of path.split('.')) {
    if (value === null || typeof value !== 'object') return undefined;
    value = (value as Record<string, unknown>)[part];
  }
  return value;
}

function firstString(record: Record<string, unknown>, paths: readonly string[]): string | undefined {
  for (const path of paths) {
    const value = field(record, path);
    if (typeof value === 'string' && value.length > 0) return value;
  }
  return undefined;
}

/** A JSON log line's kind and message, or undefined when the line is not a JSON object with either. */
function jsonText(line: string): string | undefined {
  const start = line.indexOf('{');
  if (start < 0) return undefined;
  let record: unknown;
  try {
    record = JSON.parse(line.slice(start));
  } catch {
    return undefined;
  }
  if (record === null || typeof record !== 'object' || Array.isArray(record)) return undefined;
  const kind = firstString(record as Record<string, unknown>, TYPE_FIELDS);
  const message = firstString(record as Record<string, unknown>, MESSAGE_FIELDS);
  if (kind === undefined && message === undefined) return undefined;
  return [kind, message].filter((part) => part !== undefined).join(': ');
}

/** Text with every varying token (time, UUID, ARN, URL, address, hex, id, quoted value, number) a placeholder, whitespace collapsed. */
export function normaliseText(text: string): string {
  let normalised = text;
  for (const [pattern, placeholder] of RULES) normalised = normalised.replace(pattern, placeholder);
  return normalised.replace(/\s+/g, ' ').trim();
}

/** The line's signature: its stable words, with every varying token a placeholder, whitespace collapsed. */
export function signatureOf(line: string): string {
  const text = jsonText(line) ?? line.replace(LAMBDA_PREFIX, '');
  // Only the first line of a multi-line message (a stack trace's header): frames vary with inlining.
  const signature = normaliseText(text.split(/\r?\n/, 1)[0]);
  return signature.length > MAX_SIGNATURE_LENGTH ? `${signature.slice(0, MAX_SIGNATURE_LENGTH)}…` : signature;
}

/**
 * Whether a line belongs to a Logs Insights `pattern` result: its `<*>` and `<Token-n>` dynamic tokens
 * match any run of characters, the rest literally (whitespace-insensitive).
 */
export function matchesPattern(line: string, pattern: string): boolean {
  const parts = pattern.split(/<\*>|<Token-\d+>/);
  const escaped = parts.map((part) => part.trim().replace(/[.*+?^${}()|[\]\\]/g, '\\$&').replace(/\s+/g, '\\s+'));
  return new RegExp(`^\\s*${escaped.join('.*?')}\\s*$`, 's').test(line.replace(LAMBDA_PREFIX, ''));
}
