import type { CountPeriod, GaugePeriod, MetricObservations } from './observations';
import type { ArmSummary, MetricResult } from './verdict';
import { formatNumber } from './format';
import type { MethodOf, MetricOfKind } from './method-context';

type ThresholdSpec = MethodOf<'threshold'>;
type ThresholdObservations = Extract<MetricObservations, { kind: 'count' | 'gauge' }>;
type ThresholdMetric = MetricOfKind<'count'> | MetricOfKind<'gauge'>;

interface Point {
  readonly t: number;
  readonly value: number;
}

/** Per-period values of an arm: the rate for count metrics (periods below the traffic floor dropped). */
function pointsOf(observations: ThresholdObservations, arm: 'baseline' | 'canary', minTotal: number): Point[] {
  if (observations.kind === 'gauge') {
    return (observations[arm] as readonly GaugePeriod[]).map(({ t, value }) => ({ t, value }));
  }
  return (observations[arm] as readonly CountPeriod[])
    .filter((period) => period.total > 0 && period.total >= minTotal)
    .map(({ t, count, total }) => ({ t, value: count / total }));
}

function summarise(observations: ThresholdObservations, arm: 'baseline' | 'canary'): ArmSummary {
  if (observations.kind === 'count') {
    const periods = observations[arm];
    return {
      periods: periods.length,
      count: periods.reduce((sum, period) => sum + period.count, 0),
      total: periods.reduce((sum, period) => sum + period.total, 0),
    };
  }
  const values = observations[arm].map((period) => period.value).sort((a, b) => a - b);
  const middle = values.length >> 1;
  const median = values.length === 0 ? undefined : values.length % 2 ? values[middle] : (values[middle - 1] + values[middle]) / 2;
  return { periods: values.length, median };
}

/** Why a canary point is over a bound, or undefined when it is within bounds. */
function breach(spec: ThresholdSpec, canary: number, baseline: number | undefined, harmful: 'increase' | 'decrease'): string | undefined {
  const worse = (value: number, bound: number) => (harmful === 'increase' ? value > bound : value < bound);
  if (spec.max !== undefined && worse(canary, spec.max)) {
    return `${formatNumber(canary)} beyond the bound ${formatNumber(spec.max)}`;
  }
  if (spec.maxRatioToBaseline !== undefined && baseline !== undefined) {
    const bound = harmful === 'increase' ? baseline * spec.maxRatioToBaseline : baseline / spec.maxRatioToBaseline;
    if (worse(canary, bound)) {
      return `${formatNumber(canary)} vs baseline ${formatNumber(baseline)} (allowed ×${spec.maxRatioToBaseline})`;
    }
  }
  return undefined;
}

/**
 * Threshold judgement, period by period: the canary's value must stay within an absolute bound and
 * within a ratio of the baseline's value in the same period. Fails when the failure limit is reached;
 * otherwise `continue` (a threshold never proves the absence of harm; the deadline decides).
 */
export function judgeThreshold(metric: ThresholdMetric, spec: ThresholdSpec, observations: ThresholdObservations): MetricResult {
  const canaryPoints = pointsOf(observations, 'canary', spec.minTotalPerPeriod);
  const baselineByTime = new Map(pointsOf(observations, 'baseline', spec.minTotalPerPeriod).map((p) => [p.t, p.value]));
  const common = {
    metric: metric.name,
    method: 'threshold',
    critical: metric.critical,
    baseline: summarise(observations, 'baseline'),
    canary: summarise(observations, 'canary'),
  };
  if (canaryPoints.length === 0) {
    return { ...common, decision: 'nodata', reason: `${metric.name}: no canary periods with enough traffic yet` };
  }

  let failures = 0;
  let run = 0;
  let lastBreach = '';
  for (const point of canaryPoints) {
    const why = breach(spec, point.value, baselineByTime.get(point.t), metric.direction);
    if (why) {
      failures += 1;
      run += 1;
      lastBreach = why;
    } else {
      run = 0;
    }
    const counted = spec.failureCounting === 'consecutive' ? run : failures;
    if (counted >= spec.failureLimit) {
      return { ...common, decision: 'fail', reason: `${metric.name}: ${lastBreach}, ${counted} ${spec.failureCounting} period(s) over (limit ${spec.failureLimit})` };
    }
  }
  const seen = `${canaryPoints.length} period(s) judged, ${failures} over a bound`;
  return { ...common, decision: 'continue', reason: `${metric.name}: within bounds so far (${seen})` };
}
