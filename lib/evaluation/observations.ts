import type { Policy } from '../policy';
import type { Arm, CountPeriod, GaugePeriod, MetricObservations, Observations } from '../judge';
import type { MetricSeriesResult } from './ports';
import type { QueryPlan } from './queries';

function toPoints(series: MetricSeriesResult, window: { readonly start: number; readonly end: number }): Map<number, number> {
  const points = new Map<number, number>();
  series.timestamps.forEach((t, i) => {
    if (t >= window.start && t < window.end) points.set(t, series.values[i]);
  });
  return points;
}

function countPeriods(counts: Map<number, number> | undefined, totals: Map<number, number> | undefined): CountPeriod[] {
  // A period exists only where there was traffic: no requests is not "zero errors".
  // Lambda publishes Errors only when there were invocations, so a missing count is 0.
  return [...(totals ?? new Map<number, number>())]
    .filter(([, total]) => total > 0)
    .map(([t, total]) => ({ t, count: counts?.get(t) ?? 0, total }))
    .sort((a, b) => a.t - b.t);
}

function gaugePeriods(values: Map<number, number> | undefined): GaugePeriod[] {
  return [...(values ?? new Map<number, number>())].map(([t, value]) => ({ t, value })).sort((a, b) => a.t - b.t);
}

/**
 * Turns query results into the judge's observations. Only periods inside `[windowStart, windowEnd)`
 * count, so a period still filling up (or outside the judged window) is never judged.
 */
export function toObservations(
  policy: Policy,
  plan: QueryPlan,
  results: readonly MetricSeriesResult[],
  window: { readonly start: number; readonly end: number },
): Observations {
  const byRole = new Map<string, Map<number, number>>();
  for (const series of results) {
    const role = plan.roles.get(series.id);
    if (role) byRole.set(`${role.metric}/${role.arm}/${role.role}`, toPoints(series, window));
  }
  const find = (metric: string, arm: Arm, role: string) => byRole.get(`${metric}/${arm}/${role}`);

  const observations: Record<string, MetricObservations> = {};
  for (const metric of policy.metrics) {
    observations[metric.name] =
      metric.kind === 'count'
        ? {
            kind: 'count',
            canary: countPeriods(find(metric.name, 'canary', 'count'), find(metric.name, 'canary', 'total')),
            baseline: countPeriods(find(metric.name, 'baseline', 'count'), find(metric.name, 'baseline', 'total')),
          }
        : {
            kind: 'gauge',
            canary: gaugePeriods(find(metric.name, 'canary', 'value')),
            baseline: gaugePeriods(find(metric.name, 'baseline', 'value')),
          };
  }
  return observations;
}
