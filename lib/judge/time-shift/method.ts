/**
 * The bake's count comparison. The new version (all traffic) is compared with the current version's
 * periods from before the deployment, read `timeShift.seconds` earlier. A level change between then
 * and now moves one arm only, so the sequential test's "shared level" does not hold (identical code
 * false-failed 9–36 % under bursty or drifting error levels). Here the log rate ratio X of the two
 * windows is judged against how far the current version's own rate moved between windows as long and
 * as far apart over its history: z = X / √(level variance + 1/(C+½) + 1/(B+½)), the level variance
 * learnt by `calibrate` (at a 95 % upper bound), Poisson noise from the counts in hand.
 * Assumption (docs/judge.md): the level's movement over that distance is about normal and as large
 * now as over the history. Looks: after 2, 4, 8, 16, 32 and 64 periods (α/12 each) and at the
 * deadline (α/2): a union bound, so one call on the window decides as the look-by-look run did.
 */
import type { CountPeriod, TimeShift } from '../observations';
import type { MethodContext, MethodOf, MetricOfKind } from '../method-context';
import type { ArmSummary, MetricResult } from '../verdict';
import { pnorm, qnorm } from '../normal';
import { formatNumber } from '../format';
import { judgeSequential } from '../sequential';
import { calibrate, logRate, type Calibration, type PeriodGrid } from './calibration';

/** Looks before the deadline (periods judged) and the share of α the deadline keeps. */
export const INTERIM_LOOKS = [2, 4, 8, 16, 32, 64] as const;
const DEADLINE_SHARE = 0.5;
/** Share of the metric's α the absolute guard spends when on, as in the concurrent test. */
const GUARD_SHARE = 0.5;

interface Look {
  readonly periods: number;
  readonly alpha: number;
}

/** The looks a call with `periods` periods judged, each with its α (they sum to ≤ α). */
export function looksOf(periods: number, deadlineReached: boolean, alpha: number): Look[] {
  const interim = (alpha * (1 - DEADLINE_SHARE)) / INTERIM_LOOKS.length;
  const looks = INTERIM_LOOKS.filter((m) => m <= periods).map((m) => ({ periods: m, alpha: interim }));
  if (!deadlineReached || periods === 0) return looks;
  const last = looks.at(-1)?.periods === periods ? looks.pop()!.alpha : 0;
  return [...looks, { periods, alpha: alpha * DEADLINE_SHARE + last }];
}

/** Periods on the grid `start + k·period`, k in [0, length): counts and totals (0 where absent). */
function gridOf(periods: readonly CountPeriod[], start: number, period: number, length: number): PeriodGrid {
  const counts = new Float64Array(Math.max(0, length));
  const totals = new Float64Array(Math.max(0, length));
  for (const p of periods) {
    const k = Math.round((p.t - start) / period);
    if (k >= 0 && k < length) {
      counts[k] += p.count;
      totals[k] += p.total;
    }
  }
  return { counts, totals };
}

interface LookResult {
  readonly look: Look;
  readonly canary: { count: number; total: number };
  readonly baseline: { count: number; total: number };
  /** log(canary rate / baseline rate), ½ event added to each arm. */
  readonly logRatio: number;
  readonly sd: number;
  readonly calibration: Calibration;
}

function sumBefore(periods: readonly CountPeriod[], end: number): { count: number; total: number } {
  let count = 0;
  let total = 0;
  for (const p of periods) {
    if (p.t >= end) break;
    count += p.count;
    total += p.total;
  }
  return { count, total };
}

/**
 * The time-shifted comparison of a count metric (sequential method in the bake). `observed.baseline`
 * and `observed.baselineHistory` carry `t` moved forward by `timeShift.seconds` onto the canary's grid.
 */
export function judgeTimeShifted(
  metric: MetricOfKind<'count'>,
  method: MethodOf<'sequential'>,
  observed: { readonly baseline: readonly CountPeriod[]; readonly canary: readonly CountPeriod[]; readonly baselineHistory?: readonly CountPeriod[]; readonly timeShift: TimeShift },
  context: MethodContext,
): MetricResult {
  const { seconds, periodSeconds } = observed.timeShift;
  const summarise = (periods: readonly CountPeriod[]): ArmSummary => ({ periods: periods.length, ...sumBefore(periods, Infinity) });
  const baseline = summarise(observed.baseline);
  const canary = summarise(observed.canary);
  const common = { metric: metric.name, method: 'time-shifted', critical: metric.critical, alpha: context.alpha, baseline, canary };
  const swap = metric.direction === 'decrease';
  const guardRate = method.guardRate !== undefined && method.guardRate !== false && !swap ? method.guardRate : undefined;
  // The guard bounds the new version's own rate: it needs no baseline, concurrent or not.
  const guard = guardRate === undefined ? undefined : judgeSequential(metric, method, { baseline: [], canary: observed.canary }, context);
  const alpha = guardRate === undefined ? context.alpha : context.alpha * (1 - GUARD_SHARE);
  const traffic = `${formatNumber(canary.count!)}/${formatNumber(canary.total!)} new version vs ${formatNumber(baseline.count!)}/${formatNumber(baseline.total!)} current version ${formatNumber(seconds / 60)} min earlier`;
  if (guard?.decision === 'fail') return { ...guard, ...common, reason: `${metric.name} — ${traffic}; ${guard.reason.slice(guard.reason.lastIndexOf('; ') + 2)}` };
  if (observed.canary.length === 0 || observed.baseline.length === 0) {
    return { ...common, decision: 'nodata', reason: `${metric.name}: no ${observed.canary.length === 0 ? 'new-version' : 'baseline'} periods yet` };
  }

  const start = Math.min(observed.canary[0].t, observed.baseline[0].t);
  const periods = Math.round((Math.max(observed.canary.at(-1)!.t, observed.baseline.at(-1)!.t) - start) / periodSeconds) + 1;
  const history = observed.baselineHistory ?? [];
  const historyStart = history.length > 0 ? Math.min(history[0].t, start) : start;
  const shift = seconds / periodSeconds;
  const judged: LookResult[] = [];
  for (const look of looksOf(periods, context.deadlineReached, alpha)) {
    const end = start + look.periods * periodSeconds;
    const c = sumBefore(observed.canary, end);
    const b = sumBefore(observed.baseline, end);
    if (!(c.total > 0 && b.total > 0)) continue;
    // The current version's periods known at this look: its history and its window so far, on one grid.
    const length = Math.round((end - historyStart) / periodSeconds);
    const grid = gridOf([...history, ...observed.baseline.filter((p) => p.t < end)], historyStart, periodSeconds, length);
    const calibration = calibrate(grid, shift, look.periods);
    const poisson = 1 / (c.count + 0.5) + 1 / (b.count + 0.5);
    judged.push({ look, canary: c, baseline: b, logRatio: logRate(c.count, c.total) - logRate(b.count, b.total), sd: Math.sqrt((calibration.levelVariance ?? Infinity) + poisson), calibration });
  }

  const orient = (x: number) => (swap ? -x : x);
  const critical = (look: Look) => qnorm(look.alpha, false);
  // Beyond the normal bound, a decision also needs a movement past any the history showed at that
  // distance (its oriented extremes): rare regime changes make the tails heavier than a normal's.
  const largest = (r: LookResult) => (swap ? -r.calibration.smallest : r.calibration.largest);
  const smallest = (r: LookResult) => (swap ? -r.calibration.largest : r.calibration.smallest);
  const failsAt = (r: LookResult) => Number.isFinite(r.sd) && orient(r.logRatio) / r.sd >= critical(r.look) && orient(r.logRatio) > largest(r);
  const passesAt = (r: LookResult) => Number.isFinite(r.sd) && (orient(r.logRatio) - Math.log(method.tolerance)) / r.sd <= -critical(r.look) && orient(r.logRatio) - Math.log(method.tolerance) < smallest(r);
  const decidedBy = judged.find((r) => failsAt(r) || passesAt(r));
  const decision = decidedBy === undefined ? 'continue' : failsAt(decidedBy) ? 'fail' : 'pass';
  const shown = decidedBy ?? judged.at(-1);
  if (shown === undefined) return { ...common, decision: 'continue', reason: `${metric.name} — ${traffic}; waiting for a look with traffic in both arms` };

  const z = critical(decidedBy?.look ?? { periods, alpha: alpha * DEADLINE_SHARE });
  const effect = Math.exp(shown.logRatio);
  const interval = Number.isFinite(shown.sd) ? ([Math.exp(shown.logRatio - z * shown.sd), Math.exp(shown.logRatio + z * shown.sd)] as const) : undefined;
  // The p-value against the metric's α: the look's one-sided p scaled by α / the look's α (Bonferroni).
  const pValue = Number.isFinite(shown.sd) ? Math.min(1, (pnorm(orient(shown.logRatio) / shown.sd, false) * alpha) / shown.look.alpha) : 1;
  const { calibration } = shown;
  const movement =
    calibration.levelVariance === undefined
      ? `no history of the current version ${formatNumber(seconds / 60)} min before its window to learn how far its rate moves: a comparison across time cannot decide`
      : `rate movement between windows ${formatNumber(seconds / 60)} min apart, from the current version's history: sd ${formatNumber(Math.sqrt(calibration.levelVariance))} (${calibration.independentPairs} disjoint pairs)`;
  const tolerance = swap ? `÷${method.tolerance}` : `×${method.tolerance}`;
  const why =
    decision === 'fail'
      ? `harm shown after ${shown.look.periods} periods (z = ${formatNumber(orient(shown.logRatio) / shown.sd)} ≥ ${formatNumber(z)})`
      : decision === 'pass'
        ? `${tolerance} ruled out after ${shown.look.periods} periods`
        : `undecided after ${periods} periods`;
  return {
    ...common,
    decision,
    effect,
    ...(interval && { interval }),
    evidence: { pValue, ...(guard?.evidence?.guardEValue !== undefined && { guardEValue: guard.evidence.guardEValue }) },
    reason: `${metric.name} ×${formatNumber(effect)}${interval ? ` [${formatNumber(interval[0])}, ${formatNumber(interval[1])}]` : ''} — ${traffic}; ${movement}; ${why}`,
  };
}
