import type { CountPeriod } from './observations';
import type { MethodContext, MethodOf, MetricOfKind } from './method-context';
import { E_CAP, sequentialRateTest, type RatePeriod } from './sequential';
import type { ArmSummary, MetricResult } from './verdict';
import { formatNumber } from './format';

function summarise(periods: readonly CountPeriod[]): ArmSummary {
  let count = 0;
  let total = 0;
  for (const period of periods) {
    count += period.count;
    total += period.total;
  }
  return { periods: periods.length, count, total };
}

/** Periods present in both arms with traffic in both (the only ones that say anything about ρ). */
function pairPeriods(baseline: readonly CountPeriod[], canary: readonly CountPeriod[], swap: boolean): RatePeriod[] {
  const baselineByT = new Map(baseline.map((period) => [period.t, period]));
  const paired: RatePeriod[] = [];
  for (const c of canary) {
    const b = baselineByT.get(c.t);
    if (!b || b.total <= 0 || c.total <= 0) continue;
    paired.push(
      swap
        ? { t: c.t, canaryCount: b.count, canaryTotal: b.total, baselineCount: c.count, baselineTotal: c.total }
        : { t: c.t, canaryCount: c.count, canaryTotal: c.total, baselineCount: b.count, baselineTotal: b.total },
    );
  }
  return paired;
}

export function formatRatio(value: number | null): string {
  return value === null ? '∞' : formatNumber(value);
}

export function formatInterval([low, high]: readonly [number | null, number | null]): string {
  return `[${low === null ? '0' : formatNumber(low)}, ${high === null ? '∞)' : `${formatNumber(high)}]`}`;
}

/**
 * The sequential count test on a count metric. For `direction: decrease` the arms are swapped for
 * the test (harm = a lower canary rate) and the effect is reported the usual way round
 * (canary/baseline).
 */
export function judgeSequential(
  metric: MetricOfKind<'count'>,
  method: MethodOf<'sequential'>,
  observed: { readonly baseline: readonly CountPeriod[]; readonly canary: readonly CountPeriod[] },
  context: MethodContext,
): MetricResult {
  const baseline = summarise(observed.baseline);
  const canary = summarise(observed.canary);
  const common = { metric: metric.name, method: 'sequential', critical: metric.critical, alpha: context.alpha, baseline, canary };
  const traffic = `${formatNumber(canary.count!)}/${formatNumber(canary.total!)} canary vs ${formatNumber(baseline.count!)}/${formatNumber(baseline.total!)} baseline`;
  const swap = metric.direction === 'decrease';
  const paired = pairPeriods(observed.baseline, observed.canary, swap);
  if (paired.length === 0) {
    const missing = canary.periods === 0 ? 'no canary periods' : baseline.periods === 0 ? 'no baseline periods' : 'no period with traffic in both arms';
    return { ...common, decision: 'nodata', reason: `${metric.name}: ${missing} yet` };
  }

  const test = sequentialRateTest(paired, { alpha: context.alpha, tolerance: method.tolerance });
  const threshold = formatNumber(1 / context.alpha);
  if (test.rateRatio === undefined) {
    // 0 vs 0 events: nothing is known about the ratio, so no effect and no interval are reported.
    return { ...common, decision: 'continue', evidence: { eValue: test.eValue }, reason: `${metric.name} — ${traffic}; no events in either arm yet` };
  }
  const effect = swap ? 1 / test.rateRatio : test.rateRatio;
  const interval: [number | null, number | null] = swap
    ? [test.interval[1] === null ? null : 1 / test.interval[1], test.interval[0] === null ? null : 1 / test.interval[0]]
    : [test.interval[0], test.interval[1]];
  const harmFirst = test.harmShownAt !== undefined && (test.harmRuledOutAt === undefined || test.harmShownAt <= test.harmRuledOutAt);
  const decision = harmFirst ? 'fail' : test.harmRuledOutAt !== undefined ? 'pass' : 'continue';
  const periodsUntil = (t: number) => paired.findIndex((period) => period.t === t) + 1;
  const tolerance = swap ? `÷${method.tolerance}` : `×${method.tolerance}`;
  const why =
    decision === 'fail'
      ? `harm shown after ${periodsUntil(test.harmShownAt!)} periods (E≥${threshold})`
      : decision === 'pass'
        ? `${tolerance} ruled out after ${periodsUntil(test.harmRuledOutAt!)} periods (E≥${threshold})`
        : `undecided, E=${formatNumber(test.eValue)} pass-E=${formatNumber(test.eValuePass)} of ${threshold}`;
  return {
    ...common,
    decision,
    effect,
    interval,
    // log E only where the e-value hit its cap: verdicts stay small (20 metrics < 8 KB).
    evidence: { eValue: test.eValue, ...(test.logEValue > Math.log(E_CAP) && { logEValue: test.logEValue }) },
    reason: `${metric.name} ×${formatNumber(effect)} ${formatInterval(interval)} — ${traffic}; ${why}`,
  };
}
