import type { Observations } from '../judge';
import type { SimulatedSeries, VersionMinute } from '../simulate/generate';

/** The metrics every benchmarked judge watches: errors and slow requests (counts) and token cost. */
export const BENCH_METRICS = ['errors', 'slow-requests', 'cost'] as const;
export type BenchMetric = (typeof BENCH_METRICS)[number];

/** Minutes during which both versions serve traffic: the canary window, where canary and baseline are compared. */
export function canaryWindowMinutes(series: SimulatedSeries): number {
  let minutes = 0;
  while (minutes < series.canaryShare.length && series.canaryShare[minutes] > 0 && series.canaryShare[minutes] < 1) minutes += 1;
  return minutes;
}

function counts(rows: readonly VersionMinute[], pick: (row: VersionMinute) => number) {
  return rows.filter((row) => row.requests > 0).map((row) => ({ t: row.t, count: pick(row), total: row.requests }));
}

function tokens(rows: readonly VersionMinute[]) {
  return rows
    .filter((row) => row.requests > 0)
    .map((row) => ({ t: row.t, requests: row.requests, input: row.tokens.input, output: row.tokens.output, cacheRead: row.tokens.cacheRead, cacheWrite: row.tokens.cacheWrite }));
}

/** What a judge sees after `minutes` complete minutes of the canary window. */
export function observationsUpTo(series: SimulatedSeries, minutes: number): Observations {
  const arm = (version: string) => series.versions[version].slice(0, minutes);
  const baseline = arm(series.roles.baseline);
  const canary = arm(series.roles.canary);
  return {
    errors: { kind: 'count', baseline: counts(baseline, (r) => r.errors), canary: counts(canary, (r) => r.errors) },
    'slow-requests': { kind: 'count', baseline: counts(baseline, (r) => r.slowRequests), canary: counts(canary, (r) => r.slowRequests) },
    cost: { kind: 'tokens', baseline: tokens(baseline), canary: tokens(canary) },
  };
}
