import type { MetricDefinition, Policy } from '../policy';
import { isMetricExpression, type MetricSourceSpec } from '../policy/metric-source';
import type { AlarmObservation, Arm, CountPeriod, GaugePeriod, MetricObservations, Observations, TokensPeriod } from '../judge';
import type { MetricQuery, MetricSeriesResult } from './ports';
import type { QueryPlan, QueryRole } from './queries';

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

/**
 * Metrics whose publisher sends a datapoint, zero included, for every period with traffic: a missing
 * one is late or lost, never a zero. Lambda's invocation metrics are binary indicators sent with each
 * invocation (`Errors` 0 or 1), and `Duration` is sent with each invocation, so any statistic of it
 * (`TC(t:)`…) has a datapoint wherever `Invocations` has (Lambda Developer Guide, "Types of metrics for
 * Lambda functions"). Other counts may leave zeros out (ALB `HTTPCode_*` counts are reported only when
 * non-zero: ELB User Guide, "CloudWatch metrics for your Application Load Balancer"), so there a
 * missing count is a zero once the period is settled.
 */
const PUBLISHES_ZEROS: Readonly<Record<string, readonly string[]>> = { 'AWS/Lambda': ['Errors', 'Duration'] };

function publishesZeros(source: MetricSourceSpec | undefined): boolean {
  return source !== undefined && !isMetricExpression(source) && (PUBLISHES_ZEROS[source.namespace] ?? []).includes(source.metricName);
}

/**
 * How a period with traffic but without one of its other datapoints is read: `t` is on the canary's
 * timeline, `armOffset` the seconds the arm was read earlier. A metric that publishes zeros: not yet
 * there, the period waits. Otherwise: a zero once the period ended `settledUntil` or earlier (it had a
 * further metric lag to arrive), else it waits.
 */
interface MissingRule {
  readonly settledUntil: number;
  readonly periodSeconds: number;
  readonly armOffset: number;
}

function missingIsZero(rule: MissingRule, t: number, source: MetricSourceSpec | undefined): boolean {
  return !publishesZeros(source) && t - rule.armOffset + rule.periodSeconds <= rule.settledUntil;
}

/** The periods of one count arm, and the periods that wait for a datapoint (judged in neither arm). */
function countPeriods(
  counts: Map<number, number> | undefined,
  totals: Map<number, number> | undefined,
  metric: Extract<MetricDefinition, { kind: 'count' }>,
  rule: MissingRule,
): { periods: CountPeriod[]; waiting: number[] } {
  const waiting: number[] = [];
  const periods: CountPeriod[] = [];
  // A period exists only where there was traffic: no requests is not "zero errors".
  const countInTotal = metric.countInTotal ?? true;
  const times = countInTotal ? [...(totals?.keys() ?? [])] : [...new Set([...(totals?.keys() ?? []), ...(counts?.keys() ?? [])])];
  for (const t of times.sort((a, b) => a - b)) {
    if (countInTotal && !((totals?.get(t) ?? 0) > 0)) continue;
    const count = counts?.get(t) ?? (missingIsZero(rule, t, metric.count) ? 0 : undefined);
    // Requests = total + count (e.g. Invocations + Throttles): a period where every request was throttled counts too.
    const total = countInTotal ? totals?.get(t) : (totals?.get(t) ?? (missingIsZero(rule, t, metric.total) ? 0 : undefined));
    if (count === undefined || total === undefined) {
      waiting.push(t);
      continue;
    }
    const requests = countInTotal ? total : total + count;
    if (requests > 0) periods.push({ t, count, total: requests });
  }
  return { periods, waiting };
}

function tokensPeriods(find: (role: string) => Map<number, number> | undefined, metric: Extract<MetricDefinition, { kind: 'cost' }>, rule: MissingRule): { periods: TokensPeriod[]; waiting: number[] } {
  // As for counts: a period exists only where requests were served; a missing token type is 0 once settled.
  const waiting: number[] = [];
  const periods: TokensPeriod[] = [];
  const types = ['input', 'output', 'cacheRead', 'cacheWrite', 'reasoning'] as const;
  for (const [t, requests] of [...(find('requests') ?? new Map<number, number>())].sort(([a], [b]) => a - b)) {
    if (!(requests > 0)) continue;
    const tokens = types.map((type) => (metric.tokens[type] === undefined ? 0 : (find(type)?.get(t) ?? (missingIsZero(rule, t, metric.tokens[type]) ? 0 : undefined))));
    if (tokens.some((value) => value === undefined)) {
      waiting.push(t);
      continue;
    }
    const [reported, output, cacheRead, cacheWrite, reasoning] = tokens as number[];
    // Disjoint buckets for pricing: where `input` counts the cached tokens too (OpenTelemetry GenAI), take them out.
    const input = metric.inputIncludesCache ? Math.max(0, reported - cacheRead - cacheWrite) : reported;
    periods.push({ t, requests, input, output, cacheRead, cacheWrite, ...(metric.tokens.reasoning !== undefined && { reasoning: Math.min(reasoning, output) }) });
  }
  return { periods, waiting };
}

/** Both arms without the periods either arm waits on: a period is judged whole or not at all. */
function withoutWaiting<P extends { readonly t: number }>(canary: { periods: P[]; waiting: number[] }, baseline: { periods: P[]; waiting: number[] }) {
  const waiting = new Set([...canary.waiting, ...baseline.waiting]);
  const keep = (periods: P[]) => periods.filter((period) => !waiting.has(period.t));
  return { canary: keep(canary.periods), baseline: keep(baseline.periods) };
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

/**
 * The baseline queries of the metrics baselineHistorySeconds reads history for (gauge values; in the bake, counts and totals).
 * Never the canary's: no target evaluated here has a canary arm with periods of its own before the
 * deployment, which the judge's `canaryHistory` would need (docs/judge.md, "Two different hosts"). A
 * Lambda target version is published for the deployment (no `ExecutedVersion` datapoints before the alias
 * routes to it); an ECS Green task set is started by it, and its target group's earlier datapoints, if
 * any, are the previous deployment's original task set, kept up to `TerminationWaitTimeInMinutes` after
 * it (CodeDeploy API Reference, BlueInstanceTerminationOption): other tasks, not this arm.
 */
export function baselineHistoryQueries(policy: Policy, plan: QueryPlan, timeShifted = false): MetricQuery[] {
  const reading = historyPeriodsByMetric(policy, timeShifted);
  return plan.queries.filter((query) => (plan.roles.get(query.id) ?? []).some((role) => role.arm === 'baseline' && reading.has(role.metric)));
}

/** The series of several GetMetricData answers over disjoint time ranges, joined per query id in time order; incomplete if any part is. */
export function joinSeries(...answers: readonly (readonly MetricSeriesResult[])[]): MetricSeriesResult[] {
  const joined = new Map<string, { points: Array<[number, number]>; incomplete?: MetricSeriesResult['incomplete'] }>();
  for (const series of answers.flat()) {
    const entry = joined.get(series.id) ?? { points: [] };
    series.timestamps.forEach((t, i) => entry.points.push([t, series.values[i]]));
    entry.incomplete ??= series.incomplete;
    joined.set(series.id, entry);
  }
  return [...joined].map(([id, { points, incomplete }]) => {
    points.sort((a, b) => a[0] - b[0]);
    return { id, timestamps: points.map(([t]) => t), values: points.map(([, value]) => value), ...(incomplete && { incomplete }) };
  });
}

export interface ObservationOptions {
  /**
   * > 0 compares with the baseline's history (the bake): the baseline is read that many seconds earlier
   * and aligned onto the canary's periods, so "same period" rules still apply. @default 0
   */
  readonly baselineOffset?: number;
  readonly alarmStates?: ReadonlyMap<string, readonly AlarmObservation[]>;
  /**
   * > 0 also gives each gauge the baseline's periods in the `historySeconds` before the window
   * (`baselineHistory`; the results must reach back that far, see baselineHistorySeconds and
   * baselineHistoryQueries). @default 0
   */
  readonly historySeconds?: number;
  /**
   * Periods that ended by then (canary timeline, epoch seconds) are settled: a count a metric may leave
   * out when zero reads as 0 there; in later periods it may still be on its way, and the period waits.
   * The look passes `now − 2 × lag`. @default window.end (everything read is settled: replays, simulations)
   */
  readonly settledUntil?: number;
}

/** Why a metric's data is incomplete at this look, in words: "CloudWatch returned PartialData for …". */
function incompleteReason(metric: string, incomplete: ReadonlyArray<{ role: QueryRole; id: string; status: string; messages: readonly string[] }>): string {
  return incomplete
    .map(({ role, id, status, messages }) => {
      const what = `the ${role.arm === 'canary' ? 'new' : 'current'} version's ${role.role} (query ${id})`;
      const said = messages.length > 0 ? `: ${messages.join('; ')}` : '';
      return status === 'NoResult' ? `CloudWatch returned no result for ${what} of ${metric}${said}` : `CloudWatch returned ${status} for ${what} of ${metric}${said}`;
    })
    .join('; ');
}

/**
 * Turns query results into the judge's observations. Only periods inside `[windowStart, windowEnd)`
 * count, so a period still filling up (or outside the judged window) is never judged. A period with
 * traffic whose count has not arrived is judged in neither arm (missing is not zero, see
 * `missingIsZero`); a metric fed by a result CloudWatch did not complete is marked `incomplete` with the
 * reason, and the judge does not judge it. With `baselineOffset` > 0 (the bake) a count metric carries
 * `timeShift` and, with `historySeconds`, its `baselineHistory` (lib/judge/time-shift).
 */
export function toObservations(policy: Policy, plan: QueryPlan, results: readonly MetricSeriesResult[], window: { readonly start: number; readonly end: number }, options: ObservationOptions = {}): Observations {
  const baselineOffset = options.baselineOffset ?? 0;
  const alarmStates = options.alarmStates ?? new Map<string, readonly AlarmObservation[]>();
  const historySeconds = options.historySeconds ?? 0;
  const periodSeconds = plan.queries[0]?.period ?? 60;
  const rule = (arm: Arm): MissingRule => ({ settledUntil: options.settledUntil ?? window.end, periodSeconds, armOffset: arm === 'baseline' ? baselineOffset : 0 });
  const incompleteOf = new Map<string, Array<{ role: QueryRole; id: string; status: string; messages: readonly string[] }>>();
  const byRole = new Map<string, Map<number, number>>();
  const history = new Map<string, Map<number, number>>();
  const before = { start: window.start - historySeconds, end: window.start };
  for (const series of results) {
    for (const role of plan.roles.get(series.id) ?? []) {
      if (series.incomplete) incompleteOf.set(role.metric, [...(incompleteOf.get(role.metric) ?? []), { role, id: series.id, ...series.incomplete }]);
      byRole.set(`${role.metric}/${role.arm}/${role.role}`, toPoints(series, window, role.arm === 'baseline' ? baselineOffset : 0));
      if (historySeconds > 0 && role.arm === 'baseline') history.set(`${role.metric}/${role.role}`, toPoints(series, before, baselineOffset));
    }
  }
  const find = (metric: string, arm: Arm, role: string) => byRole.get(`${metric}/${arm}/${role}`);

  const observations: Record<string, MetricObservations> = {};
  for (const metric of policy.metrics) {
    const arm = (name: Arm) => (role: string) => find(metric.name, name, role);
    const incomplete = incompleteOf.get(metric.name);
    const marked = incomplete ? { incomplete: incompleteReason(metric.name, incomplete) } : {};
    switch (metric.kind) {
      case 'count': {
        const canary = countPeriods(find(metric.name, 'canary', 'count'), find(metric.name, 'canary', 'total'), metric, rule('canary'));
        const baseline = countPeriods(find(metric.name, 'baseline', 'count'), find(metric.name, 'baseline', 'total'), metric, rule('baseline'));
        // The bake: the baseline is from before the deployment; the judge calibrates on its history.
        const shifted = baselineOffset > 0 && {
          timeShift: { seconds: baselineOffset, periodSeconds },
          ...(historySeconds > 0 && { baselineHistory: countPeriods(history.get(`${metric.name}/count`), history.get(`${metric.name}/total`), metric, rule('baseline')).periods }),
        };
        observations[metric.name] = { kind: 'count', ...withoutWaiting(canary, baseline), ...shifted, ...marked };
        break;
      }
      case 'gauge':
        observations[metric.name] = {
          kind: 'gauge',
          canary: gaugePeriods(find(metric.name, 'canary', 'value')),
          baseline: gaugePeriods(find(metric.name, 'baseline', 'value')),
          ...(historySeconds > 0 && { baselineHistory: gaugePeriods(history.get(`${metric.name}/value`)) }),
          ...marked,
        };
        break;
      case 'cost':
        observations[metric.name] = {
          kind: 'tokens',
          ...withoutWaiting(tokensPeriods(arm('canary'), metric, rule('canary')), tokensPeriods(arm('baseline'), metric, rule('baseline'))),
          ...(baselineOffset > 0 && { baselineFromBefore: true }),
          ...marked,
        };
        break;
      case 'alarm':
        observations[metric.name] = { kind: 'alarm', alarms: metric.alarmNames.flatMap((name) => alarmStates.get(name) ?? []) };
        break;
    }
  }
  // Cost per successful request also reads the failures of another metric: incomplete with it.
  for (const metric of policy.metrics) {
    const errors = metric.kind === 'cost' && metric.method.type === 'cost' && metric.method.errorsFrom !== undefined ? observations[metric.method.errorsFrom] : undefined;
    const own = observations[metric.name];
    if (errors && errors.kind !== 'alarm' && errors.incomplete && own.kind === 'tokens' && !own.incomplete) observations[metric.name] = { ...own, incomplete: errors.incomplete };
  }
  return observations;
}
