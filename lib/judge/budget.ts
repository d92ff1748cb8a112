import type { MetricDefinition, Policy } from '../policy';
import { costOf } from './cost';
import { formatNumber } from './format';
import { BUDGET_METRIC } from './plain';
import { qnorm } from './normal';
import type { MetricObservations, TokensPeriod } from './observations';
import type { BudgetProjection, MetricResult } from './verdict';

/** The budget as the policy gives it (`policy.budget`). */
export type Budget = NonNullable<Policy['budget']>;

/**
 * Level of the projection's interval over all looks: the chance that any look's interval misses the true
 * spend is at most 1 − this (each end at most half of it), so a release whose true spend is at the budget
 * fails at some look with chance ≤ 2.5 %, however often the evaluation looks.
 */
export const BUDGET_INTERVAL_LEVEL = 0.95;
/** Periods of canary spend before the gate says anything (as the cost method's `minPeriods` default). */
export const BUDGET_MIN_PERIODS = 5;
/** An average calendar month: 365.25 / 12 days. */
const SECONDS_PER_MONTH = (365.25 / 12) * 86_400;
const SECONDS_PER_DAY = 86_400;

/**
 * Quantile of Student's t with ν degrees of freedom from the normal quantile, by the Cornish–Fisher
 * expansion of Abramowitz & Stegun 26.7.5 (error below 1e-3 for ν ≥ 4 at the 97.5 % point; tested
 * against tabled values).
 */
export function qt(p: number, nu: number): number {
  const z = qnorm(p);
  const z2 = z * z;
  const g1 = ((z2 + 1) * z) / 4;
  const g2 = (((5 * z2 + 16) * z2 + 3) * z) / 96;
  const g3 = ((((3 * z2 + 19) * z2 + 17) * z2 - 15) * z) / 384;
  const g4 = (((((79 * z2 + 776) * z2 + 1482) * z2 - 1920) * z2 - 945) * z) / 92_160;
  return z + g1 / nu + g2 / nu ** 2 + g3 / nu ** 3 + g4 / nu ** 4;
}

/**
 * The new version's spend at full traffic in each period: for each cost metric, the canary's USD in the
 * period times (canary + baseline requests) / canary requests — its spend scaled from its share of the
 * requests to all of them. In the bake the baseline arm is the current version before the deployment
 * and the canary already has all the traffic (`baselineFromBefore`): its spend is taken as it is.
 * Only periods in which every counted metric has canary requests are used.
 */
export function fullTrafficSpend(metrics: readonly Extract<MetricDefinition, { kind: 'cost' }>[], observations: Readonly<Record<string, MetricObservations | undefined>>): { t: number; usd: number }[] {
  const byT = new Map<number, { usd: number; metrics: number }>();
  for (const metric of metrics) {
    const observed = observations[metric.name];
    if (!observed || observed.kind !== 'tokens' || !metric.prices) continue;
    const baselineByT = new Map<number, TokensPeriod>(observed.baselineFromBefore ? [] : observed.baseline.map((period) => [period.t, period]));
    for (const period of observed.canary) {
      if (!(period.requests > 0)) continue;
      const all = period.requests + (baselineByT.get(period.t)?.requests ?? 0);
      const usd = costOf(period, metric.prices) * (all / period.requests);
      const entry = byT.get(period.t) ?? { usd: 0, metrics: 0 };
      byT.set(period.t, { usd: entry.usd + usd, metrics: entry.metrics + 1 });
    }
  }
  return [...byT]
    .filter(([, entry]) => entry.metrics === metrics.length)
    .sort(([a], [b]) => a - b)
    .map(([t, entry]) => ({ t, usd: entry.usd }));
}

/**
 * The budget gate. Projection: the mean full-traffic spend per period (`fullTrafficSpend`) × the
 * periods in a day or month. Interval: Student's t on that mean (its sample sd over √n, ν = n − 1) at the
 * look's share of 1 − BUDGET_INTERVAL_LEVEL (a union bound over looks, so repeated looks do not inflate
 * false fails): the periods' spends are treated as independent draws around a steady rate, so traffic
 * that changes within the window (a daily peak), or a budget period unlike the window, is not
 * extrapolated — the projection is "this window's rate, all day". Coverage and false fails at repeated
 * looks are measured in docs/benchmark.md ("Why spend moved, and the budget gate").
 * - `fail` (action fail) when the interval's lower end is above the budget: the breach is shown;
 * - `continue` while the point is above but the interval reaches below it (a warning says so); at the
 *   deadline that passes with the warning: the breach was never shown;
 * - `pass` while the point is within budget.
 * With `action: warn` the result is not critical: it reports, it never holds or fails the run.
 */
export function judgeBudget(budget: Budget, policy: Policy, observations: Readonly<Record<string, MetricObservations | undefined>>, periodSeconds: number): MetricResult {
  const names = budget.metrics ?? policy.metrics.filter((metric) => metric.kind === 'cost').map((metric) => metric.name);
  const metrics = policy.metrics.filter((metric): metric is Extract<MetricDefinition, { kind: 'cost' }> => metric.kind === 'cost' && names.includes(metric.name));
  const period = budget.daily !== undefined ? 'daily' : 'monthly';
  const limitUsd = budget.daily ?? budget.monthly!;
  const periodsPerBudget = (period === 'daily' ? SECONDS_PER_DAY : SECONDS_PER_MONTH) / periodSeconds;
  const per = period === 'daily' ? 'day' : 'month';
  const common = { metric: BUDGET_METRIC, method: 'budget', critical: budget.action === 'fail', baseline: { periods: 0 }, canary: { periods: 0 } };
  const spend = fullTrafficSpend(metrics, observations);
  const n = spend.length;
  const limitWords = `${period} budget $${formatNumber(limitUsd)}`;
  if (n === 0) return { ...common, decision: 'nodata', reason: `budget: no period with canary spend yet (${limitWords})` };
  if (n < BUDGET_MIN_PERIODS) {
    return { ...common, canary: { periods: n }, decision: 'continue', reason: `budget: ${n}/${BUDGET_MIN_PERIODS} periods of canary spend (${limitWords})` };
  }
  const mean = spend.reduce((total, entry) => total + entry.usd, 0) / n;
  const variance = spend.reduce((total, entry) => total + (entry.usd - mean) ** 2, 0) / (n - 1);
  // Look k (k = 1 at the first judged period) spends (1 − level) / (k(k + 1)) of the miss chance: the
  // shares sum to 1 − level over every look (a union bound), so the intervals hold at all looks at once
  // (a Bonferroni confidence sequence). Looks less often than every period only spend less.
  const look = n - BUDGET_MIN_PERIODS + 1;
  const lookLevel = 1 - (1 - BUDGET_INTERVAL_LEVEL) / (look * (look + 1));
  const half = qt(1 - (1 - lookLevel) / 2, n - 1) * Math.sqrt(variance / n);
  const round = (value: number) => Number(value.toPrecision(4));
  const projectedUsd = round(mean * periodsPerBudget);
  const interval = [round(Math.max(0, mean - half) * periodsPerBudget), round((mean + half) * periodsPerBudget)] as const;
  const projection: BudgetProjection = { period, limitUsd, projectedUsd, interval, level: BUDGET_INTERVAL_LEVEL, action: budget.action, periods: n };
  const shown = interval[0] > limitUsd;
  const over = projectedUsd > limitUsd;
  const figures = `$${formatNumber(projectedUsd)}/${per} at full traffic [${formatNumber(interval[0])}, ${formatNumber(interval[1])}] vs the ${limitWords}, ${n} periods`;
  const warnings = over && !shown ? [`projected over the ${limitWords} ($${formatNumber(projectedUsd)}/${per}), not yet shown: the interval reaches $${formatNumber(interval[0])}`] : [];
  const decision = shown ? 'fail' : over ? 'continue' : 'pass';
  const why = shown ? 'over budget (the whole interval is above it)' : over ? 'projected over budget, not shown (the interval reaches below it)' : 'within budget';
  return {
    ...common,
    canary: { periods: n },
    decision: budget.action === 'warn' && decision === 'continue' ? 'pass' : decision,
    budget: projection,
    ...(warnings.length > 0 && { warnings }),
    reason: `budget: ${figures}; ${why}${budget.action === 'warn' && shown ? ' (action: warn, the run goes on)' : ''}`,
  };
}
