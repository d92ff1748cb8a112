import type { GaugePeriod } from './observations';
import type { MethodContext, MethodOf, MetricOfKind } from './method-context';
import { mannWhitney, minimumSamplesFor, smallestOneSidedPValue } from './mann-whitney';
import { blockPairInflation, windowMoreCorrelated, inflateConfidenceLevel, inflatePValue, rankAutocorrelation, varianceInflation } from './autocorrelation';
import type { MetricResult } from './verdict';
import { formatNumber, formatPercent } from './format';
import { largestRankSumZ, pairedHistory, pairedPValues, rankSumZ } from './paired-history';

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

/**
 * What a gauge's verdict on an ECS deployment's two target groups rests on (docs/judge.md, "Two
 * different hosts"): the arms are different task sets and the new one has no periods before the
 * deployment, so a lasting difference between the task sets cannot be told from the version's.
 */
export const TASK_SETS_ASSUMPTION =
  'the arms are different task sets and the new one has no history of its own: a lasting difference between the task sets beyond the tolerance is read as the new version\'s';

/**
 * Mann–Whitney on a gauge, fixed horizon: the test runs on the first `minSamples` periods of each arm
 * (later periods are ignored, so repeated looks give the same answer and α holds), or at the deadline
 * on whatever there is. `fail` when "canary worse than baseline by more than tolerance × the baseline
 * median" is shown at α; `pass` when that much harm is ruled out at α; otherwise `continue`.
 */
export function judgeMannWhitney(
  metric: MetricOfKind<'gauge'>,
  method: MethodOf<'mann-whitney'>,
  observed: {
    readonly baseline: readonly GaugePeriod[];
    readonly canary: readonly GaugePeriod[];
    readonly baselineHistory?: readonly GaugePeriod[];
    readonly canaryHistory?: readonly GaugePeriod[];
  },
  context: MethodContext,
): MetricResult {
  // A horizon at which even complete separation cannot reach α would never decide: run at the
  // smallest one that can, and say so.
  const needed = minimumSamplesFor(context.alpha);
  const horizon = Math.max(method.minSamples, needed);
  const warnings =
    method.minSamples < needed
      ? [
          `minSamples ${method.minSamples} can never reach α = ${formatNumber(context.alpha)} (smallest p-value ${formatNumber(smallestOneSidedPValue(method.minSamples))}); the test runs at ${needed} samples per arm`,
        ]
      : undefined;
  const baselineValues = observed.baseline.slice(0, horizon).map((period) => period.value);
  const canaryValues = observed.canary.slice(0, horizon).map((period) => period.value);
  const common = {
    metric: metric.name,
    method: 'mann-whitney',
    critical: metric.critical,
    alpha: context.alpha,
    baseline: { periods: baselineValues.length, ...(baselineValues.length > 0 && { median: median(baselineValues) }) },
    canary: { periods: canaryValues.length, ...(canaryValues.length > 0 && { median: median(canaryValues) }) },
    ...(warnings && { warnings }),
  };
  if (baselineValues.length === 0 || canaryValues.length === 0) {
    return { ...common, decision: 'nodata', reason: `${metric.name}: no ${canaryValues.length === 0 ? 'canary' : 'baseline'} samples yet` };
  }
  const atHorizon = baselineValues.length >= horizon && canaryValues.length >= horizon;
  if (!atHorizon && !context.deadlineReached) {
    return {
      ...common,
      decision: 'continue',
      reason: `${metric.name}: ${canaryValues.length}/${horizon} canary and ${baselineValues.length}/${horizon} baseline samples; the test runs at ${horizon}`,
    };
  }

  // Orient so that "greater" is harm; the allowed worsening is relative to the baseline level.
  const sign = metric.direction === 'increase' ? 1 : -1;
  const baselineLevel = Math.abs(common.baseline.median!);
  const allowed = method.tolerance * baselineLevel;
  const control = baselineValues.map((value) => sign * value);
  const shifted = canaryValues.map((value) => sign * value - allowed);
  // Autocorrelated values carry less information than their number: widen by the AR(1) factor,
  // with φ estimated from the baseline's history (its last `historyPeriods`) and the window.
  const adjust = method.autocorrelation === 'adjust';
  const history = adjust ? (observed.baselineHistory ?? []).slice(-method.historyPeriods).map((period) => sign * period.value) : [];
  // A window more correlated than its history (beyond chance) is estimated alone: the history would dilute it.
  const windowAlone = adjust && history.length > 0 && windowMoreCorrelated(history, control, shifted);
  const phi = adjust ? (windowAlone ? rankAutocorrelation(control, shifted) : rankAutocorrelation(history, control, shifted)) : 0;
  const n = Math.min(control.length, shifted.length);
  // The larger of the AR(1) factor and what the history shows between windows (slow drift, regimes).
  const between = adjust ? blockPairInflation(history, n) : undefined;
  // With the canary arm's own history at the same times, the difference between the arms is
  // calibrated on how they differed before (a persistent offset or another shape between two hosts
  // cancels): the window's rank-sum z against the history blocks' (lib/judge/paired-history.ts).
  // Not when the window is more correlated than the history (beyond chance): then the history does not
  // describe the window (its z is not one more draw of the blocks'), and the window-alone estimate decides.
  const paired = adjust && !windowAlone && observed.canaryHistory && observed.baselineHistory ? pairedHistory(observed.baselineHistory, observed.canaryHistory, n, sign, method.historyPeriods) : undefined;
  const windowZ = rankSumZ(control, shifted);
  const pairedTest = paired && pairedPValues(windowZ, paired);
  // The interval is widened by the spread the history shows (its z's variance, as an inflation).
  const inflation = paired ? Math.max(1, paired.sd ** 2 * (1 + 1 / paired.blocks)) : Math.max(varianceInflation(phi, n), between?.inflation ?? 0);
  const harmP = pairedTest ? pairedTest.harm : inflatePValue(mannWhitney(control, shifted, { alternative: 'greater' }).pValue, inflation);
  const noHarmP = pairedTest ? pairedTest.noHarm : inflatePValue(mannWhitney(control, shifted, { alternative: 'less' }).pValue, inflation);
  const shift = mannWhitney(baselineValues, canaryValues, { alternative: 'two.sided', confidenceLevel: inflateConfidenceLevel(1 - context.alpha, inflation) });
  // The rank among K blocks cannot go below 1/(K + 1); n values' ranks saturate when the arms' histories already differ about as much as they can show.
  const rankFloor = paired ? 1 / (paired.blocks + 1) : 0;
  const saturated = paired && paired.zs.filter((z) => Math.abs(z) >= largestRankSumZ(n, n) - 1e-9).length > paired.blocks / 2;
  const correlation = paired
    ? `; calibrated on the arms' histories at the same times (${paired.blocks} blocks of ${n}): canary-vs-baseline rank z ${formatNumber(paired.mean)} ± ${formatNumber(paired.sd)} before, ${formatNumber(windowZ)} in the window after the tolerance${rankFloor > context.alpha ? `; a fail needs α ≥ 1/(blocks + 1) = ${formatNumber(rankFloor)}: give ≥ ${Math.ceil(1 / context.alpha - 1) * n} periods of history (historyPeriods)` : ''}${saturated ? '; in most blocks the histories are completely separated: these few values cannot show a change' : ''}`
    : adjust
    ? `; lag-1 rank autocorrelation ≤ ${formatNumber(phi)} (${windowAlone ? `from the window alone: more correlated than the ${history.length} baseline periods before it` : history.length > 0 ? `with ${history.length} baseline periods before the window` : 'from the window alone'})${between ? `, windows of the history differ ×${formatNumber(between.inflation)} (${between.blocks} blocks)` : ''}, variance ×${formatNumber(inflation)}`
    : '';

  const decision = harmP <= context.alpha ? 'fail' : noHarmP <= context.alpha ? 'pass' : 'continue';
  const relative = (value: number) => (baselineLevel > 0 ? 1 + value / baselineLevel : undefined);
  const effect = relative(shift.estimate);
  const interval = baselineLevel > 0 ? ([relative(shift.confidenceInterval[0])!, relative(shift.confidenceInterval[1])!] as const) : undefined;
  const shown = `shift ${formatNumber(shift.estimate)} [${formatNumber(shift.confidenceInterval[0])}, ${formatNumber(shift.confidenceInterval[1])}]`;
  const level = `${formatNumber(common.canary.median!)} canary vs ${formatNumber(common.baseline.median!)} baseline median`;
  // An ECS deployment's arms are two task sets (the new one started with the deployment, so it has no
  // history of its own to calibrate on): a fail or pass rests on the task sets differing, apart from
  // the version, by less than the tolerance plus what the baseline's own windows differ. Say so.
  const taskSets = !paired && decision !== 'continue' && metric.versioning.type === 'alb-target-group' ? `; ${TASK_SETS_ASSUMPTION}` : '';
  const why =
    decision === 'fail'
      ? `worse by more than ${formatPercent(method.tolerance)} (p = ${formatNumber(harmP)} ≤ α)`
      : decision === 'pass'
        ? `${formatPercent(method.tolerance)} worse ruled out (p = ${formatNumber(noHarmP)} ≤ α)`
        : `inconclusive at ${atHorizon ? 'the fixed horizon' : 'the deadline'} (p = ${formatNumber(harmP)})`;
  return {
    ...common,
    decision,
    ...(effect !== undefined && { effect, interval }),
    evidence: { pValue: harmP },
    reason: `${metric.name} ${shown} — ${level}, ${canaryValues.length} vs ${baselineValues.length} samples${correlation}; ${why}${taskSets}`,
  };
}
