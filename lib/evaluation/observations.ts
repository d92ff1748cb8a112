import type { Policy } from '../policy';
import type { AlarmObservation, Arm, CountPeriod, GaugePeriod, MetricObservations, Observations, TokensPeriod } from '../judge';
import type { MetricQuery, MetricSeriesResult } from './ports';
import type { QueryPlan } from './queries';

/** Points inside the window, read `offset` seconds earlier and moved forward onto the window's periods. */
function toPoints(series: MetricSeriesResult, window: { readonly start: number; readonly end: number }, offset: number): Map<number, number> {
  const points = new Map<number, number>();
  series.timestamps.forEach((t, i) => {
    const value = series.values[i];
    // A missing or NaN value is a period without a datapoint, never a zero.
    if (t >= window.start - offset && t < window.end - offset && Number.isFinite(value)) points.set(t + offset, value);
  });
  return points;
}

function countPeriods(counts: Map<number, number> | undefined, totals: Map<number, number> | undefined, countInTotal = true): CountPeriod[] {
  // A period exists only where there was traffic: no requests is not "zero errors".
  // Lambda publishes Errors only when there were invocations, so a missing count is 0.
  if (!countInTotal) {
    // Requests = total + count (e.g. Invocations + Throttles): a period where every request was throttled counts too.
    const periods = new Set([...(totals?.keys() ?? []), ...(counts?.keys() ?? [])]);
    return [...periods]
      .map((t) => ({ t, count: counts?.get(t) ?? 0, total: (totals?.get(t) ?? 0) + (counts?.get(t) ?? 0) }))
      .filter((period) => period.total > 0)
      .sort((a, b) => a.t - b.t);
  }
  return [...(totals ?? new Map<number, number>())]
    .filter(([, total]) => total > 0)
    .map(([t, total]) => ({ t, count: counts?.get(t) ?? 0, total }))
    .sort((a, b) => a.t - b.t);
}

function tokensPeriods(find: (role: string) => Map<number, number> | undefined): TokensPeriod[] {
  // As for counts: a period exists only where requests were served; a missing token type is 0.
  return [...(find('requests') ?? new Map<number, number>())]
    .filter(([, requests]) => requests > 0)
    .map(([t, requests]) => ({
      t,
      requests,
      input: find('input')?.get(t) ?? 0,
      output: find('output')?.get(t) ?? 0,
      cacheRead: find('cacheRead')?.get(t) ?? 0,
      cacheWrite: find('cacheWrite')?.get(t) ?? 0,
    }))
    .sort((a, b) => a.t - b.t);
}

function gaugePeriods(values: Map<number, number> | undefined): GaugePeriod[] {
  return [...(values ?? new Map<number, number>())].map(([t, value]) => ({ t, value })).sort((a, b) => a.t - b.t);
}

/**
 * Periods of history the bake reads for each count metric judged by `sequential`: its baseline is the
 * current version before the deployment, and the comparison across time is calibrated on how far the
 * rate moved between windows as far apart over this history (lib/judge/time-shift). Three days at one
 * minute: a level that changes regime a few times a day needs that many changes seen before a movement
 * beyond them is read as harm (A/A 0.33 % at α 0.5 %; 0.83 % from one day, docs/benchmark.md).
 * One-minute data is kept 15 days (CloudWatch User Guide, "Metrics concepts", data retention), but
 * Metrics Insights queries reach back only 3 hours (CloudWatch User Guide, "Metrics Insights limits"):
 * a policy whose counts are such queries gets a short history and a wider (or no) decision.
 */
export const BAKE_HISTORY_PERIODS = 3 * 1440;

/**
 * How far before the window the baseline is read for history, in seconds: the longest `historyPeriods`
 * of a Mann–Whitney gauge that adjusts for autocorrelation, and in the bake (`timeShifted`) the
 * BAKE_HISTORY_PERIODS of count metrics judged by `sequential`.
 */
export function baselineHistorySeconds(policy: Policy, periodSeconds: number, timeShifted = false): number {
  return Math.max(0, ...historyPeriodsByMetric(policy, timeShifted).values()) * periodSeconds;
}

/** Periods of baseline history each metric reads, by metric name (only metrics that read any). */
function historyPeriodsByMetric(policy: Policy, timeShifted: boolean): Map<string, number> {
  const periods = new Map<string, number>();
  for (const metric of policy.metrics) {
    if (metric.kind === 'gauge' && metric.method.type === 'mann-whitney' && metric.method.autocorrelation === 'adjust') periods.set(metric.name, metric.method.historyPeriods);
    if (timeShifted && metric.kind === 'count' && metric.method.type === 'sequential') periods.set(metric.name, BAKE_HISTORY_PERIODS);
  }
  return periods;
}

/** The baseline queries of the metrics baselineHistorySeconds reads history for (gauge values; in the bake, counts and totals). */
export function baselineHistoryQueries(policy: Policy, plan: QueryPlan, timeShifted = false): MetricQuery[] {
  const reading = historyPeriodsByMetric(policy, timeShifted);
  return plan.queries.filter((query) => (plan.roles.get(query.id) ?? []).some((role) => role.arm === 'baseline' && reading.has(role.metric)));
}

/** The series of several GetMetricData answers over disjoint time ranges, joined per query id in time order. */
export function joinSeries(...answers: readonly (readonly MetricSeriesResult[])[]): MetricSeriesResult[] {
  const joined = new Map<string, Array<[number, number]>>();
  for (const series of answers.flat()) {
    const points = joined.get(series.id) ?? [];
    series.timestamps.forEach((t, i) => points.push([t, series.values[i]]));
    joined.set(series.id, points);
  }
  return [...joined].map(([id, points]) => {
    points.sort((a, b) => a[0] - b[0]);
    return { id, timestamps: points.map(([t]) => t), values: points.map(([, value]) => value) };
  });
}

/**
 * Turns query results into the judge's observations. Only periods inside `[windowStart, windowEnd)`
 * count, so a period still filling up (or outside the judged window) is never judged.
 * `baselineOffset` > 0 compares with the baseline's history (the bake): the baseline is read that many
 * seconds earlier and aligned onto the canary's periods, so "same period" rules still apply.
 * `historySeconds` > 0 also gives each gauge the baseline's periods in the `historySeconds` before the
 * window (`baselineHistory`; the results must reach back that far, see baselineHistorySeconds and
 * baselineHistoryQueries). With `baselineOffset` > 0 a count metric carries `timeShift` (on the
 * `periodSeconds` grid) and, with history, its `baselineHistory`.
 */
export function toObservations(
  policy: Policy,
  plan: QueryPlan,
  results: readonly MetricSeriesResult[],
  window: { readonly start: number; readonly end: number },
  baselineOffset = 0,
  alarmStates: ReadonlyMap<string, readonly AlarmObservation[]> = new Map(),
  historySeconds = 0,
  periodSeconds = 60,
): Observations {
  const byRole = new Map<string, Map<number, number>>();
  const history = new Map<string, Map<number, number>>();
  const before = { start: window.start - historySeconds, end: window.start };
  for (const series of results) {
    for (const role of plan.roles.get(series.id) ?? []) {
      byRole.set(`${role.metric}/${role.arm}/${role.role}`, toPoints(series, window, role.arm === 'baseline' ? baselineOffset : 0));
      if (historySeconds > 0 && role.arm === 'baseline') history.set(`${role.metric}/${role.role}`, toPoints(series, before, baselineOffset));
    }
  }
  const find = (metric: string, arm: Arm, role: string) => byRole.get(`${metric}/${arm}/${role}`);

  const observations: Record<string, MetricObservations> = {};
  for (const metric of policy.metrics) {
    const arm = (name: Arm) => (role: string) => find(metric.name, name, role);
    switch (metric.kind) {
      case 'count':
        observations[metric.name] = {
          kind: 'count',
          canary: countPeriods(find(metric.name, 'canary', 'count'), find(metric.name, 'canary', 'total'), metric.countInTotal),
          baseline: countPeriods(find(metric.name, 'baseline', 'count'), find(metric.name, 'baseline', 'total'), metric.countInTotal),
          // The bake: the baseline is from before the deployment; the judge calibrates on its history.
          ...(baselineOffset > 0 && {
            timeShift: { seconds: baselineOffset, periodSeconds },
            ...(historySeconds > 0 && { baselineHistory: countPeriods(history.get(`${metric.name}/count`), history.get(`${metric.name}/total`), metric.countInTotal) }),
          }),
        };
        break;
      case 'gauge':
        observations[metric.name] = {
          kind: 'gauge',
          canary: gaugePeriods(find(metric.name, 'canary', 'value')),
          baseline: gaugePeriods(find(metric.name, 'baseline', 'value')),
          ...(historySeconds > 0 && { baselineHistory: gaugePeriods(history.get(`${metric.name}/value`)) }),
        };
        break;
      case 'cost':
        observations[metric.name] = { kind: 'tokens', canary: tokensPeriods(arm('canary')), baseline: tokensPeriods(arm('baseline')) };
        break;
      case 'alarm':
        observations[metric.name] = { kind: 'alarm', alarms: metric.alarmNames.flatMap((name) => alarmStates.get(name) ?? []) };
        break;
    }
  }
  return observations;
}
