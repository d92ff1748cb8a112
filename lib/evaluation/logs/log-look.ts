/**
 * One look at the logs: the Logs Insights queries of a tick, and what they add to the log signal's
 * state. Each look reads only the minutes not read before (so a 10-minute bake scans each minute's
 * lines once per query kind): error counts, then error lines; the first look then reads the current
 * version's error patterns over the lookback (sized to the budget from what the first minutes cost). At
 * most 3 queries per look, 4 with the bake's time-shifted baseline (the ceiling is 4), run one after another so the
 * account's concurrent-query quota is never used by more than one of ours: 100 concurrent Logs Insights
 * queries per account, dashboards included (CloudWatch Logs User Guide, "View running queries or query
 * history"; older API reference pages say 30).
 */
import type { LogsSignal } from '../../policy/logs';
import { baselinePatternsQuery, errorCountsQuery, errorLinesQuery, MAX_QUERY_ROWS, minuteOf, VERSION_FIELD, type ArmVersions, type QueryRow } from './insights-queries';
import type { LogsQueryOutcome, LogsQueryRunner } from './ports';
import { maskSecretShapes, sampleLine } from './samples';
import { maskSecrets } from '../secret-masking';
import { matchesPattern, signatureOf } from './signature';

/** Literal letters and digits a lookback pattern needs to be matched against (fewer: it would match anything). */
const MIN_PATTERN_LITERALS = 8;

/** Sample lines kept per signature (the verdict shows up to 3). */
export const SAMPLES_PER_SIGNATURE = 3;

/** Per minute (epoch seconds of its start): events of each arm. */
export type ArmCounts = Readonly<Record<number, { readonly canary: number; readonly baseline: number }>>;

export interface SignatureRecord {
  readonly signature: string;
  /** Minute the canary first showed it (epoch seconds); absent while only the current version has. */
  readonly firstSeen?: number;
  readonly byMinute: ArmCounts;
  /** The current version showed it within the lookback: one of its lines matched a lookback pattern. */
  readonly inLookback: boolean;
  /**
   * The current version showed it (lookback or the same minutes): it can never be new, so its counts
   * and samples are not kept (the state stays small: it is carried from look to look).
   */
  readonly known?: true;
  /** Up to 3 of the canary's lines, secrets masked (not yet escaped: each renderer escapes for its medium). */
  readonly samples: readonly string[];
}

/** What the log signal has read so far: plain JSON, carried from look to look. */
export interface LogSignalState {
  /** Minutes before this (epoch seconds) have been read. */
  readonly readUntil?: number;
  readonly bytesScanned: number;
  readonly queries: number;
  /** Most queries any one look ran. */
  readonly mostQueriesPerLook: number;
  /** The current version's error patterns over the lookback; `complete: false` when the query did not finish. */
  readonly lookback?: Lookback;
  readonly errorsByMinute: ArmCounts;
  readonly signatures: readonly SignatureRecord[];
  /** Minutes whose error lines were more than one query returns: their signature counts are a lower bound. */
  readonly truncatedMinutes: readonly number[];
  /** Why a query's minutes could not be read (budget, time, a failed query), newest last. */
  readonly problems: readonly string[];
  /** Set when the state outgrew what a tick may carry (carried-state.ts): no further look reads anything. */
  readonly stopped?: string;
}

export const EMPTY_LOG_STATE: LogSignalState = { bytesScanned: 0, queries: 0, mostQueriesPerLook: 0, errorsByMinute: {}, signatures: [], truncatedMinutes: [], problems: [] };

export interface LookInput {
  readonly signal: LogsSignal;
  readonly runner: LogsQueryRunner;
  readonly versions: ArmVersions;
  /** When the evaluation began (epoch seconds): the lookback ends here. */
  readonly evaluationStart: number;
  /** Minutes in [from, until) are complete and may be read (epoch seconds, minute-aligned). */
  readonly from: number;
  readonly until: number;
  /** Time left for each query within the tick (ms). */
  readonly queryTimeoutMs: number;
  /** Values that must never appear in a sample line (the policy's resolved secrets). */
  readonly secrets?: readonly string[];
  /**
   * The bake's time-shifted baseline (EvaluationPlan.baselineOffsetSeconds): the current version's
   * requests are read this many seconds earlier, so its error lines are counted there too, and moved
   * forward onto the canary's minutes (one more query). @default 0 (the arms are concurrent)
   */
  readonly baselineOffset?: number;
}

function describeUnfinished(what: string, outcome: LogsQueryOutcome): string {
  if (outcome.status === 'Stopped') return `${what} stopped: ${outcome.stoppedBecause === 'budget' ? 'the bytes-scanned budget was reached' : 'it did not finish within the tick'}`;
  return `${what} ended ${outcome.status}`;
}

function armOf(row: QueryRow, versions: ArmVersions): 'canary' | 'baseline' | undefined {
  const version = row[VERSION_FIELD];
  return version === versions.canary ? 'canary' : version === versions.baseline ? 'baseline' : undefined;
}

function addCount(counts: Record<number, { canary: number; baseline: number }>, minute: number, arm: 'canary' | 'baseline', n: number) {
  const entry = (counts[minute] ??= { canary: 0, baseline: 0 });
  entry[arm] += n;
}

export interface Lookback {
  readonly complete: boolean;
  readonly patterns: readonly string[];
  /** Seconds read before the evaluation began: the policy's lookback, or less where it would not fit the budget. */
  readonly seconds: number;
  readonly problem?: string;
}

/** Share of the bytes-scanned budget the lookback may take: the rest is for the window's minutes. */
export const LOOKBACK_BUDGET_SHARE = 0.5;
/** Shortest lookback worth reading (a day's rare errors need most of a day; an hour still catches the common ones). */
export const MIN_LOOKBACK_SECONDS = 3600;

/**
 * The current version's error patterns before the evaluation. Logs Insights bills every byte in the
 * time range, so its cost is the log group's bytes per second × the lookback: measured on the
 * window's first minutes (all versions), the lookback is shortened to fit half the budget and the
 * verdict says so (24 h of a 15,000 requests/min service is ~13 GB, past the 10 GB default).
 */
async function readLookback(
  input: LookInput,
  run: (query: string, start: number, end: number) => Promise<LogsQueryOutcome | undefined>,
  bytesPerSecond: number,
  budget: number,
): Promise<Lookback> {
  const wanted = input.signal.newSignatures.lookback;
  const affordable = bytesPerSecond > 0 ? Math.floor((budget * LOOKBACK_BUDGET_SHARE) / bytesPerSecond / 60) * 60 : wanted;
  const seconds = Math.min(wanted, affordable);
  if (seconds < MIN_LOOKBACK_SECONDS) {
    return { complete: false, patterns: [], seconds: 0, problem: `a lookback of at least 1 h would scan over half the bytes-scanned budget (${Math.round(bytesPerSecond * 3600 / 1e6)} MB per hour)` };
  }
  const outcome = await run(baselinePatternsQuery(input.signal.errorFilter, input.signal.versioning, input.versions.baseline), input.evaluationStart - seconds, input.evaluationStart - 1);
  const shortened = seconds < wanted ? `lookback shortened to ${Math.round(seconds / 360) / 10} h to fit the bytes-scanned budget` : undefined;
  if (outcome === undefined) return { complete: false, patterns: [], seconds, problem: 'the bytes-scanned budget was spent before the lookback was read' };
  if (outcome.status !== 'Complete') return { complete: false, patterns: [], seconds, problem: describeUnfinished('the lookback query', outcome) };
  const patterns = outcome.rows.map((row) => row['@pattern']).filter((p): p is string => typeof p === 'string' && p.length > 0);
  return { complete: true, patterns, seconds, ...(shortened && { problem: shortened }) };
}

function trimKnown(record: SignatureRecord): SignatureRecord {
  const known = record.known === true || record.inLookback || Object.values(record.byMinute).some((counts) => counts.baseline > 0);
  if (!known) return record;
  return { signature: record.signature, ...(record.firstSeen !== undefined && { firstSeen: record.firstSeen }), inLookback: record.inLookback, known: true, byMinute: {}, samples: [] };
}

/** Runs this look's queries and returns the state with what they read. */
export async function lookAtLogs(state: LogSignalState, input: LookInput): Promise<LogSignalState> {
  const { signal, runner, versions } = input;
  let bytesScanned = state.bytesScanned;
  let queries = 0;
  const problems = [...state.problems];
  const run = async (query: string, start: number, end: number): Promise<LogsQueryOutcome | undefined> => {
    const left = signal.bytesScannedBudget - bytesScanned;
    if (left <= 0) return undefined;
    queries++;
    const outcome = await runner.run({ logGroups: signal.logGroups, start, end, query, maxBytesScanned: left, timeoutMs: input.queryTimeoutMs });
    bytesScanned += outcome.bytesScanned;
    return outcome;
  };

  const from = state.readUntil ?? input.from;
  if (input.until <= from || state.stopped !== undefined) return state;
  const errorsByMinute: Record<number, { canary: number; baseline: number }> = { ...state.errorsByMinute };
  const truncatedMinutes = [...state.truncatedMinutes];
  let readAll = true;

  const offset = input.baselineOffset ?? 0;
  // Each arm's error lines per minute; with a time-shifted baseline, the baseline's from `offset` earlier.
  const countErrors = async (shift: number, arms: ReadonlyArray<'canary' | 'baseline'>) => {
    const outcome = await run(errorCountsQuery(signal.errorFilter, signal.versioning, versions), from - shift, input.until - shift - 1);
    if (outcome?.status === 'Complete') {
      for (const row of outcome.rows) {
        const read = minuteOf(row.minute ?? '');
        const minute = read === undefined ? undefined : read + shift;
        const arm = armOf(row, versions);
        const n = Number(row.errors);
        if (minute !== undefined && arm !== undefined && arms.includes(arm) && Number.isFinite(n) && minute >= from && minute < input.until) addCount(errorsByMinute, minute, arm, n);
      }
      return true;
    }
    problems.push(outcome === undefined ? 'error counts not read: the bytes-scanned budget is spent' : describeUnfinished('the error-count query', outcome));
    return false;
  };
  if (signal.errorRate) {
    readAll = offset > 0 ? (await countErrors(0, ['canary'])) && (await countErrors(offset, ['baseline'])) : await countErrors(0, ['canary', 'baseline']);
  }

  type Mutable = { signature: string; firstSeen?: number; inLookback: boolean; known?: true; byMinute: Record<number, { canary: number; baseline: number }>; samples: string[] };
  const records = new Map<string, Mutable>(state.signatures.map((record) => [record.signature, { ...record, byMinute: { ...record.byMinute }, samples: [...record.samples] }]));
  const lines = readAll ? await run(errorLinesQuery(signal.errorFilter, signal.versioning, versions), from, input.until - 1) : undefined;
  let lookback = state.lookback;
  // The lines query scanned every byte of the window's minutes (each query does): the log group's rate.
  if (lookback === undefined && lines?.status === 'Complete') lookback = await readLookback(input, run, lines.bytesScanned / (input.until - from), signal.bytesScannedBudget);
  lookback ??= { complete: false, patterns: [], seconds: 0, problem: 'the lookback is read once the first minute has been' };
  // A pattern with few literal characters (`<*> <*>`) would match every line: it tells nothing.
  const knownPatterns = (lookback.patterns ?? []).filter((pattern) => pattern.replace(/<\*>|<Token-\d+>|[^A-Za-z0-9]/g, '').length >= MIN_PATTERN_LITERALS);
  if (lines?.status === 'Complete') {
    const seenMinutes = new Set<number>();
    for (const row of lines.rows) {
      const arm = armOf(row, versions);
      const minute = minuteOf(row['@timestamp'] ?? '');
      const message = row['@message'];
      if (arm === undefined || minute === undefined || message === undefined) continue;
      seenMinutes.add(minute);
      // Signatures are quoted in verdicts: taken from the line with secret-shaped values masked, and a
      // new one masked of the policy's secret values too (it is then stored so, and matched so later).
      const shaped = signatureOf(maskSecretShapes(message));
      const signature = records.has(shaped) ? shaped : maskSecrets(shaped, input.secrets ?? []);
      let record = records.get(signature);
      if (record === undefined) {
        record = { signature, inLookback: knownPatterns.some((pattern) => matchesPattern(message, pattern)), byMinute: {}, samples: [] };
        records.set(signature, record);
      }
      addCount(record.byMinute, minute, arm, 1);
      if (arm === 'canary') {
        // Rows come oldest first and each look reads later minutes: the first canary row is the earliest.
        record.firstSeen ??= minute;
        if (record.samples.length < SAMPLES_PER_SIGNATURE) record.samples.push(sampleLine(message, input.secrets ?? []));
      }
    }
    // At the row limit the newest lines were left out: the last minute read may be incomplete.
    if (lines.rows.length >= MAX_QUERY_ROWS && seenMinutes.size > 0) truncatedMinutes.push(Math.max(...seenMinutes));
  } else if (readAll) {
    readAll = false;
    problems.push(lines === undefined ? 'error lines not read: the bytes-scanned budget is spent' : describeUnfinished('the error-lines query', lines));
  }

  return {
    // Minutes whose queries did not finish are read again at the next look (within the budget).
    readUntil: readAll ? input.until : from,
    bytesScanned,
    queries: state.queries + queries,
    mostQueriesPerLook: Math.max(state.mostQueriesPerLook, queries),
    lookback,
    errorsByMinute: readAll ? errorsByMinute : state.errorsByMinute,
    signatures: readAll ? [...records.values()].map(trimKnown).sort((a, b) => (a.firstSeen ?? Infinity) - (b.firstSeen ?? Infinity) || (a.signature < b.signature ? -1 : 1)) : state.signatures,
    truncatedMinutes,
    problems: problems.slice(-5),
  };
}
