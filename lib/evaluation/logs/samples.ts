/**
 * Sample lines as a verdict may quote them: secrets masked, cut to a readable length. Escaping is the
 * renderer's (chatText for chat, escapeHtml for the HTML report), as for every quoted string.
 */
import { maskSecrets } from '../secret-masking';

/** Longest sample line kept (characters). */
export const MAX_SAMPLE_LENGTH = 300;

const MASK = '***';

/**
 * Secrets that log lines carry without the evaluator knowing their values: credentials in headers and
 * URLs, key=value pairs named like secrets, AWS access key ids, JWTs. Each keeps its name and masks the value.
 */
const SECRET_SHAPES: ReadonlyArray<readonly [RegExp, string]> = [
  [/\b(authorization|proxy-authorization|x-api-key|cookie|set-cookie)(["']?\s*[:=]\s*["']?)(?:bearer\s+|basic\s+)?[^\s"',;]+/gi, `$1$2${MASK}`],
  [/\b([\w-]*(?:password|passwd|secret|token|api[_-]?key|access[_-]?key|private[_-]?key|credential)[\w-]*)(["']?\s*[:=]\s*["']?)[^\s"',;&]+/gi, `$1$2${MASK}`],
  [/\b(?:AKIA|ASIA)[A-Z0-9]{16}\b/g, MASK],
  [/\beyJ[\w-]+\.[\w-]+\.[\w-]+/g, MASK],
  [/(\/\/[^/\s:@]+:)[^@\s/]+@/g, `$1${MASK}@`],
];

/** The line with secret-shaped values masked (cheap: a few regular expressions; every line goes through it before its signature is taken). */
export function maskSecretShapes(line: string): string {
  let text = line;
  for (const [shape, replacement] of SECRET_SHAPES) text = text.replace(shape, replacement);
  return text;
}

/** One line as the verdict quotes it: known secret values and secret-shaped values masked, cut to MAX_SAMPLE_LENGTH. */
export function sampleLine(line: string, secrets: readonly string[]): string {
  const text = maskSecrets(maskSecretShapes(line.replace(/\s+$/, '')), secrets);
  return text.length > MAX_SAMPLE_LENGTH ? `${text.slice(0, MAX_SAMPLE_LENGTH)}…` : text;
}
