/**
 * Generated log lines per version, for the log signal's simulation and benchmark (issue 26 item 5):
 * Lambda JSON log lines (`{"timestamp","level","requestId","message",…}`, the shape of Lambda's JSON log
 * format) of both versions, with
 * - benign noise both versions share: handled errors whose ids, numbers, hex, addresses and quoted
 *   values vary from line to line, rare errors the current version shows only a few times a day, and
 *   info lines;
 * - a healthy release's new lines: new info and warning lines, and the old errors written with new
 *   values (new ids, other durations);
 * - a faulty release's new exception, on a share of its requests.
 * Only error lines are materialised; the bytes of every line (platform START/END/REPORT lines included)
 * are counted, since Logs Insights bills what it scans, not what it returns.
 */
import { Random } from '../random';

export interface LogProfile {
  /** New info/warning lines the new version adds (healthy change). @default 0 */
  readonly newBenignLines?: number;
  /** Share of the new version's requests that log a new exception. @default 0 */
  readonly newExceptionRate?: number;
  /**
   * New error-level lines of a healthy release that each occur about `strayOccurrences` times in the
   * bake (a one-off at start-up, a rare edge case): distinct kinds, each a stray. @default 0
   */
  readonly strayErrorLines?: number;
  /** Expected occurrences of each stray error line over a 10-minute bake. @default 1 */
  readonly strayOccurrences?: number;
}

/** Bytes every request writes besides its error lines: START, END and REPORT platform lines and ~2 info lines. */
export const BYTES_PER_REQUEST = 620;

const hex = (random: Random, n: number) => Array.from({ length: n }, () => Math.floor(random.uniform() * 16).toString(16)).join('');
const uuid = (random: Random) => `${hex(random, 8)}-${hex(random, 4)}-4${hex(random, 3)}-a${hex(random, 3)}-${hex(random, 12)}`;
const int = (random: Random, low: number, high: number) => low + Math.floor(random.uniform() * (high - low + 1));
const pick = <T>(random: Random, items: readonly T[]) => items[Math.floor(random.uniform() * items.length)];
const USERS = ['alice', 'bob', 'carol', 'dave', 'erin', 'frank'];
const STRAY_WORDS = ['legacy-coupon', 'empty-basket', 'currency-rounding', 'locale-fallback', 'gift-wrap'];

interface ErrorTemplate {
  /** Share of requests that log it. */
  readonly rate: number;
  readonly errorType?: string;
  readonly message: (random: Random, newVersion: boolean) => string;
  /**
   * The message as Logs Insights' `pattern` shows it where a word varies that no placeholder rule
   * catches (a locale); otherwise the simulation derives it from one message.
   */
  readonly pattern?: string;
}

/** Errors both versions log (handled failures), with varying values; the new version words some values differently. */
const SHARED_ERRORS: readonly ErrorTemplate[] = [
  { rate: 0.004, errorType: 'TimeoutError', message: (r, v) => (v ? `upstream inventory-api timed out after ${(int(r, 1000, 4000) / 1000).toFixed(1)}s (attempt ${int(r, 1, 3)})` : `upstream inventory-api timed out after ${int(r, 1000, 4000)}ms (attempt ${int(r, 1, 3)})`) },
  { rate: 0.003, message: (r) => `payment declined for order ${uuid(r)}: card ending ${int(r, 1000, 9999)} (code ${int(r, 51, 59)})` },
  { rate: 0.002, errorType: 'ConditionalCheckFailedException', message: (r) => `conditional write failed for item cart#${hex(r, 16)} at version ${int(r, 1, 900)}` },
  { rate: 0.002, message: (r) => `user "${pick(r, USERS)}" not found in tenant ${int(r, 100, 999)}` },
  { rate: 0.001, message: (r) => `connection reset by peer ${int(r, 10, 250)}.${int(r, 0, 255)}.${int(r, 0, 255)}.${int(r, 1, 254)}:${int(r, 1024, 65000)} after ${int(r, 1, 900)} ms` },
  { rate: 0.001, errorType: 'ThrottlingException', message: (r) => `Rate exceeded for arn:aws:dynamodb:us-east-1:123456789012:table/carts-${hex(r, 6)} (retry ${int(r, 1, 5)})` },
  // Rare: a few times a day, so a 10-minute window often lacks them in one version and has them in the other.
  { rate: 0.0001, errorType: 'ValidationException', message: (r) => `invalid coupon code '${hex(r, 6).toUpperCase()}' for locale ${pick(r, ['en-US', 'de-DE', 'fr-FR'])}`, pattern: 'invalid coupon code <*> for locale <*>' },
  { rate: 0.00005, message: (r) => `slow query on orders index took ${int(r, 5, 30)} s, trace 0x${hex(r, 12)}` },
  { rate: 0.00005, message: (r) => `secret rotation in progress, retrying with token=${hex(r, 24)}` },
];

const NEW_EXCEPTION: ErrorTemplate = {
  rate: 0,
  errorType: 'TypeError',
  message: (r) => `Cannot read properties of undefined (reading 'discount') at applyPromotion (/var/task/index.mjs:${int(r, 410, 412)}:${int(r, 9, 31)}) for cart ${uuid(r)}`,
};

/** One generated line: who logged it, its level and text. */
export interface GeneratedLine {
  readonly arm: 'canary' | 'baseline';
  /** Epoch milliseconds. */
  readonly timestamp: number;
  readonly level: 'INFO' | 'WARN' | 'ERROR';
  readonly message: string;
}

function jsonLine(random: Random, timestamp: number, level: GeneratedLine['level'], template: { errorType?: string; message: string }, version: string): string {
  return JSON.stringify({
    timestamp: new Date(timestamp).toISOString(),
    level,
    requestId: uuid(random),
    ...(template.errorType && { errorType: template.errorType }),
    message: template.message,
    service: { name: 'checkout', version },
  });
}

/** Expected error lines per request of the current version (for the lookback's patterns). */
export function sharedErrorTemplates(): readonly ErrorTemplate[] {
  return SHARED_ERRORS;
}

/** Lines of one minute of one version, for `requests` requests. */
export function linesOfMinute(
  random: Random,
  minuteStart: number,
  arm: 'canary' | 'baseline',
  version: string,
  requests: number,
  profile: LogProfile,
): { readonly lines: GeneratedLine[]; readonly bytes: number } {
  const newVersion = arm === 'canary';
  const lines: GeneratedLine[] = [];
  const at = () => minuteStart * 1000 + Math.floor(random.uniform() * 60_000);
  const templates = newVersion && (profile.newExceptionRate ?? 0) > 0 ? [...SHARED_ERRORS, { ...NEW_EXCEPTION, rate: profile.newExceptionRate! }] : SHARED_ERRORS;
  for (const template of templates) {
    const n = random.poisson(requests * template.rate);
    for (let i = 0; i < n; i++) {
      const timestamp = at();
      lines.push({ arm, timestamp, level: 'ERROR', message: jsonLine(random, timestamp, 'ERROR', { errorType: template.errorType, message: template.message(random, newVersion) }, version) });
    }
  }
  // Stray new error lines: each kind about `strayOccurrences` times in 10 minutes, whatever the traffic.
  const strays = newVersion ? (profile.strayErrorLines ?? 0) : 0;
  for (let k = 0; k < strays; k++) {
    const n = random.poisson((profile.strayOccurrences ?? 1) / 10);
    for (let i = 0; i < n; i++) {
      const timestamp = at();
      lines.push({ arm, timestamp, level: 'ERROR', message: jsonLine(random, timestamp, 'ERROR', { message: `edge case ${STRAY_WORDS[k % STRAY_WORDS.length]}-${String.fromCharCode(97 + (k % 26))} hit for cart ${uuid(random)}` }, version) });
    }
  }
  // The healthy release's new lines: info and warnings, each on 2 % of its requests.
  const benign = newVersion ? (profile.newBenignLines ?? 0) : 0;
  for (let k = 0; k < benign; k++) {
    const n = random.poisson(requests * 0.02);
    for (let i = 0; i < n; i++) {
      const timestamp = at();
      const level = k % 3 === 0 ? 'WARN' : 'INFO';
      lines.push({ arm, timestamp, level, message: jsonLine(random, timestamp, level, { message: `feature-${k} ${level === 'WARN' ? 'fallback used' : 'step done'} for cart ${uuid(random)} in ${int(random, 1, 400)} ms` }, version) });
    }
  }
  lines.sort((a, b) => a.timestamp - b.timestamp);
  const bytes = requests * BYTES_PER_REQUEST + lines.reduce((sum, line) => sum + line.message.length + 1, 0);
  return { lines, bytes };
}
