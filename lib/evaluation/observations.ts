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
 * How far before the window the baseline's gauges are read: the longest `historyPeriods` of a
 * Mann–Whitney gauge that adjusts for autocorrelation (it estimates φ from that history), in seconds.
 */
export function baselineHistorySeconds(policy: Policy, periodSeconds: number): number {
  return Math.max(0, ...historyPeriodsByGauge(policy).values()) * periodSeconds;
}

/** `historyPeriods` of each gauge whose Mann–Whitney adjusts for autocorrelation, by metric name. */
function historyPeriodsByGauge(policy: Policy): Map<string, number> {
  const periods = new Map<string, number>();
  for (const metric of policy.metrics) {
    if (metric.kind === 'gauge' && metric.method.type === 'mann-whitney' && metric.method.autocorrelation === 'adjust') periods.set(metric.name, metric.method.historyPeriods);
  }
  return periods;
}

/** The queries of the baseline's value of each gauge that baselineHistorySeconds reads history for. */
export function baselineHistoryQueries(policy: Policy, plan: QueryPlan): MetricQuery[] {
  const adjusting = historyPeriodsByGauge(policy);
  return plan.queries.filter((query) => (plan.roles.get(query.id) ?? []).some((role) => role.arm === 'baseline' && role.role === 'value' && adjusting.has(role.metric)));
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
 * baselineHistoryQueries).
 */
export function toObservations(
  policy: Policy,
  plan: QueryPlan,
  results: readonly MetricSeriesResult[],
  window: { readonly start: number; readonly end: number },
  baselineOffset = 0,
  alarmStates: ReadonlyMap<string, readonly AlarmObservation[]> = new Map(),
  historySeconds = 0,
): Observations {
  const byRole = new Map<string, Map<number, number>>();
  const history = new Map<string, Map<number, number>>();
  const before = { start: window.start - historySeconds, end: window.start };
  for (const series of results) {
    for (const role of plan.roles.get(series.id) ?? []) {
      byRole.set(`${role.metric}/${role.arm}/${role.role}`, toPoints(series, window, role.arm === 'baseline' ? baselineOffset : 0));
      if (historySeconds > 0 && role.arm === 'baseline' && role.role === 'value') history.set(role.metric, toPoints(series, before, baselineOffset));
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
        };
        break;
      case 'gauge':
        observations[metric.name] = {
          kind: 'gauge',
          canary: gaugePeriods(find(metric.name, 'canary', 'value')),
          baseline: gaugePeriods(find(metric.name, 'baseline', 'value')),
          ...(historySeconds > 0 && { baselineHistory: gaugePeriods(history.get(metric.name)) }),
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
