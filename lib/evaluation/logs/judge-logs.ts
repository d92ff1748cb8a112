/**
 * The log signal's verdict, from what the looks read (pure):
 * 1. Error lines per request: the sequential count test (lib/judge, the same test as `Errors` /
 *    `Invocations`) on each minute's error lines of each version against its requests.
 * 2. New error signatures: a signature the current version never showed (not in the same minutes, not
 *    in the lookback) is tested by the same anytime-valid rate test on its occurrences per request,
 *    canary vs baseline (whose count is 0), at α / maxSignatures each, so that one stray line does not
 *    fail (one line is at most a likelihood ratio of 1/(canary share) ≈ 10 at a 10 % canary, far below
 *    1/α), while a new exception on a steady share of requests does within minutes.
 */
import type { CountPeriod, MetricResult } from '../../judge';
import { formatNumber, formatPercent } from '../../judge';
import { sequentialRateTest, judgeSequential } from '../../judge/sequential';
import type { LogsSignal } from '../../policy/logs';
import { BYTES_PER_GB } from '../../policy/logs-units';
import type { LogSignalState, SignatureRecord } from './log-look';

/**
 * USD per GB scanned by Logs Insights: $0.005 in us-east-1 (Amazon CloudWatch pricing, Logs tab,
 * "Logs Insights queries: $0.005 per GB of data scanned", as quoted in June 2026; other Regions differ).
 */
export const USD_PER_GB_SCANNED = 0.005;

export type LogDecision = 'fail' | 'pass' | 'continue' | 'inconclusive';

export interface NewSignatureResult {
  readonly signature: string;
  readonly decision: 'fail' | 'continue';
  readonly canaryCount: number;
  readonly canaryRequests: number;
  readonly eValue: number;
  /** The e-value at which it fails: 1 / its share of the level. */
  readonly threshold: number;
  /** Up to 3 of the new version's lines, secrets masked (escape them where they are shown). */
  readonly samples: readonly string[];
}

export interface LogSignalResult {
  readonly decision: LogDecision;
  readonly critical: boolean;
  readonly reason: string;
  /** The error-rate test, as a metric of its own (`log-errors`). */
  readonly errorRate?: MetricResult;
  /** New signatures judged (the first maxSignatures by first appearance), failing ones first. */
  readonly newSignatures: readonly NewSignatureResult[];
  /** New signatures beyond maxSignatures, not judged. */
  readonly notJudged: number;
  /** Whether new signatures could be told at all (false: the lookback was not read completely). */
  readonly lookbackComplete: boolean;
  readonly bytesScanned: number;
  readonly costUsd: number;
  readonly queries: number;
  readonly mostQueriesPerLook: number;
}

export interface RequestsPerArm {
  readonly canary: readonly CountPeriod[];
  readonly baseline: readonly CountPeriod[];
}

/**
 * The signature tests' tolerance, which places their harm prior (lib/judge/sequential/priors.ts: centred
 * at ρ = tolerance^2.3): 5 centres it near ×40. A signature the current version never showed has a
 * baseline rate of about 0, so its ratio is far above any tolerance; the prior spends its evidence
 * there (3 lines of it, all in a 10 % canary: E ≈ 390, against 22 with the count metrics' 1.5). Any
 * prior keeps the test valid. Its pass side is not used: a new signature fails or stays undecided.
 */
const SIGNATURE_TOLERANCE = 5;

function requestsByMinute(periods: readonly CountPeriod[]): Map<number, number> {
  return new Map(periods.map((period) => [period.t, period.total]));
}

/** Minutes with requests in both arms, and the events of each there. */
function pairedPeriods(byMinute: SignatureRecord['byMinute'], requests: RequestsPerArm, pick: (counts: { canary: number; baseline: number }) => { canary: number; baseline: number }) {
  const canary = requestsByMinute(requests.canary);
  const baseline = requestsByMinute(requests.baseline);
  const periods = [];
  for (const [t, canaryTotal] of [...canary].sort((a, b) => a[0] - b[0])) {
    const baselineTotal = baseline.get(t);
    if (!(canaryTotal > 0) || baselineTotal === undefined || !(baselineTotal > 0)) continue;
    const counts = pick(byMinute[t] ?? { canary: 0, baseline: 0 });
    // A minute's lines can outnumber its requests (a request that logs twice): events are capped at requests.
    periods.push({ t, canaryCount: Math.min(counts.canary, canaryTotal), canaryTotal, baselineCount: Math.min(counts.baseline, baselineTotal), baselineTotal });
  }
  return periods;
}

/**
 * The share of the signature tests' level that the signature first seen `rank`-th (0-based) gets:
 * ½, ¼, ⅛, … and the last of maxSignatures the rest, so the shares add up to 1 (a weighted
 * Bonferroni split). A faulty release's new exception is usually among the first new signatures, so
 * it is tested at a level near α/2 instead of α/maxSignatures.
 */
export function signatureWeight(rank: number, maxSignatures: number): number {
  return rank === maxSignatures - 1 ? 2 ** -rank : 2 ** -(rank + 1);
}

function isNew(record: SignatureRecord): boolean {
  return record.known !== true && record.firstSeen !== undefined && !record.inLookback && !Object.values(record.byMinute).some((counts) => counts.baseline > 0);
}

export interface JudgeLogsOptions {
  /** Level of the whole log signal; split in half between the error-rate test and the signature tests. */
  readonly alpha: number;
  readonly deadlineReached: boolean;
}

export function judgeLogs(signal: LogsSignal, state: LogSignalState, requests: RequestsPerArm, options: JudgeLogsOptions): LogSignalResult {
  const parts = signal.errorRate ? 2 : 1;
  const costUsd = (state.bytesScanned / BYTES_PER_GB) * USD_PER_GB_SCANNED;
  const common = { critical: signal.critical, bytesScanned: state.bytesScanned, costUsd, queries: state.queries, mostQueriesPerLook: state.mostQueriesPerLook };
  const scanned = `${formatNumber(state.bytesScanned / 1e6)} MB scanned ($${costUsd.toFixed(4)})`;

  let errorRate: MetricResult | undefined;
  if (signal.errorRate) {
    const canaryTotals = requestsByMinute(requests.canary);
    const baselineTotals = requestsByMinute(requests.baseline);
    const armPeriods = (arm: 'canary' | 'baseline', totals: Map<number, number>): CountPeriod[] =>
      [...totals]
        .filter(([t, total]) => total > 0 && (state.readUntil ?? 0) > t)
        .sort((a, b) => a[0] - b[0])
        .map(([t, total]) => ({ t, total, count: Math.min(total, state.errorsByMinute[t]?.[arm] ?? 0) }));
    errorRate = judgeSequential(
      { name: 'log-errors', kind: 'count', critical: signal.critical, direction: 'increase' } as Parameters<typeof judgeSequential>[0],
      { type: 'sequential', tolerance: 1.5, harmAbove: 1, robust: false, dispersion: 'estimate' },
      { canary: armPeriods('canary', canaryTotals), baseline: armPeriods('baseline', baselineTotals) },
      { alpha: options.alpha / parts, deadlineReached: options.deadlineReached },
    );
  }

  const lookbackComplete = state.lookback?.complete === true;
  const candidates = lookbackComplete ? state.signatures.filter(isNew) : [];
  const judged = candidates.slice(0, signal.newSignatures.maxSignatures);
  const signaturesAlpha = options.alpha / parts;
  const newSignatures: NewSignatureResult[] = judged.map((record, rank) => {
    const periods = pairedPeriods(record.byMinute, requests, (counts) => counts);
    const alpha = signaturesAlpha * signatureWeight(rank, signal.newSignatures.maxSignatures);
    const test = sequentialRateTest(periods, { alpha, tolerance: SIGNATURE_TOLERANCE });
    const canaryCount = periods.reduce((sum, p) => sum + p.canaryCount, 0);
    const canaryRequests = periods.reduce((sum, p) => sum + p.canaryTotal, 0);
    return { signature: record.signature, decision: test.harmShownAt !== undefined ? 'fail' : 'continue', canaryCount, canaryRequests, eValue: test.eValue, threshold: 1 / alpha, samples: record.samples };
  });
  newSignatures.sort((a, b) => (a.decision === b.decision ? 0 : a.decision === 'fail' ? -1 : 1));
  const failedSignature = newSignatures.find((result) => result.decision === 'fail');
  const rest = { errorRate, newSignatures, notJudged: candidates.length - judged.length, lookbackComplete, ...common };

  if (failedSignature) {
    const rate = failedSignature.canaryRequests > 0 ? failedSignature.canaryCount / failedSignature.canaryRequests : 0;
    return {
      decision: 'fail',
      reason: `new error signature in the new version's logs, never shown by the current version (lookback ${formatNumber((state.lookback?.seconds ?? 0) / 3600)} h): "${failedSignature.signature}" on ${formatNumber(failedSignature.canaryCount)} of ${formatNumber(failedSignature.canaryRequests)} requests (${formatPercent(rate)}; E=${formatNumber(failedSignature.eValue)} ≥ ${formatNumber(failedSignature.threshold)}); ${scanned}`,
      ...rest,
    };
  }
  if (errorRate?.decision === 'fail') return { decision: 'fail', reason: `error log lines per request: ${errorRate.reason}; ${scanned}`, ...rest };

  const undecidedSignatures = newSignatures.length;
  const lookbackWords = lookbackComplete ? (state.lookback?.problem ? `; ${state.lookback.problem}` : '') : `; new signatures not judged: ${state.lookback?.problem ?? 'the lookback was not read'}`;
  if (options.deadlineReached) {
    // At the deadline nothing failed: the signal passes, unless it could not tell new signatures.
    return {
      decision: lookbackComplete ? 'pass' : 'inconclusive',
      reason: `${lookbackComplete ? 'no new error signature shown' : 'log signal undecided at the deadline'}${undecidedSignatures > 0 ? ` (${undecidedSignatures} new signature(s) too rare to fail)` : ''}${errorRate ? `; error lines: ${errorRate.reason}` : ''}${lookbackWords}; ${scanned}`,
      ...rest,
    };
  }
  return {
    decision: 'continue',
    reason: `${undecidedSignatures} new signature(s) under test${errorRate ? `; error lines: ${errorRate.reason}` : ''}${lookbackWords}; ${scanned}`,
    ...rest,
  };
}
