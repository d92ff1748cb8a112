import type { TokensPeriod } from './observations';
import type { MethodContext, MethodOf, MetricOfKind } from './method-context';
import { TOKEN_PRICES_USD_PER_MILLION, type TokenPrices } from '../policy/prices';
import type { ArmSummary, MetricResult } from './verdict';
import { formatNumber, formatPercent } from './format';

/** Periods at which the confidence sequence's width is tuned to be smallest. */
const TUNED_FOR_PERIODS = 30;
/** Floor on the per-period standard deviation of the log ratio, so a few identical periods cannot decide alone. */
const MIN_SD = 0.01;

export function costOf(period: TokensPeriod, prices: TokenPrices): number {
  return (
    (period.input * prices.input + period.output * prices.output + (period.cacheRead ?? 0) * prices.cacheRead + (period.cacheWrite ?? 0) * prices.cacheWrite) /
    1e6
  );
}

function summarise(periods: readonly TokensPeriod[], prices: TokenPrices): ArmSummary {
  let requests = 0;
  let cost = 0;
  for (const period of periods) {
    requests += period.requests;
    cost += costOf(period, prices);
  }
  return { periods: periods.length, requests, ...(requests > 0 && { costPerRequest: cost / requests }) };
}

/**
 * Half-width of the asymptotic confidence sequence for a mean after n observations with standard
 * deviation sd (normal-mixture boundary of Waudby-Smith et al., "Time-uniform central limit theory and
 * asymptotic confidence sequences", 2021), valid at level α uniformly over n as n grows.
 */
function radius(n: number, sd: number, alpha: number): number {
  const logTerm = -2 * Math.log(alpha);
  const rho2 = (logTerm + Math.log(logTerm + 1)) / TUNED_FOR_PERIODS;
  return sd * Math.sqrt(((2 * (n * rho2 + 1)) / (n * n * rho2)) * Math.log(Math.sqrt(n * rho2 + 1) / alpha));
}

/**
 * Cost per request, canary vs baseline. Each period with enough requests in both arms gives
 * dᵢ = log(canary USD/request ÷ baseline USD/request) (pairing by period cancels shifts in the traffic
 * mix that hit both arms). An asymptotic confidence sequence on the mean of dᵢ, intersected over time,
 * decides: `fail` once its lower end is above log(1 + tolerance) (cost raised beyond tolerance),
 * `pass` once its upper end is below it. Token counts are not events (one request carries hundreds),
 * so the Poisson-based sequential test would be invalid here.
 */
export function judgeCost(
  metric: MetricOfKind<'cost'>,
  method: MethodOf<'cost'>,
  observed: { readonly baseline: readonly TokensPeriod[]; readonly canary: readonly TokensPeriod[] },
  context: MethodContext,
): MetricResult {
  const prices = TOKEN_PRICES_USD_PER_MILLION[metric.model];
  const baseline = summarise(observed.baseline, prices);
  const canary = summarise(observed.canary, prices);
  const common = { metric: metric.name, method: 'cost', critical: metric.critical, alpha: context.alpha, baseline, canary };
  const sign = metric.direction === 'increase' ? 1 : -1;
  const bound = sign * Math.log(1 + method.tolerance);

  const baselineByT = new Map(observed.baseline.map((period) => [period.t, period]));
  const differences: { t: number; d: number }[] = [];
  for (const c of observed.canary) {
    const b = baselineByT.get(c.t);
    if (!b || c.requests < method.minRequestsPerPeriod || b.requests < method.minRequestsPerPeriod) continue;
    const canaryCost = costOf(c, prices) / c.requests;
    const baselineCost = costOf(b, prices) / b.requests;
    if (canaryCost > 0 && baselineCost > 0) differences.push({ t: c.t, d: sign * Math.log(canaryCost / baselineCost) });
  }
  const perRequest = `$${formatNumber((canary.costPerRequest ?? 0) * 1000)} vs $${formatNumber((baseline.costPerRequest ?? 0) * 1000)} per 1k requests`;
  if (differences.length === 0) return { ...common, decision: 'nodata', reason: `${metric.name}: no period with enough requests in both arms yet` };
  if (differences.length < method.minPeriods) {
    return { ...common, decision: 'continue', reason: `${metric.name}: ${differences.length}/${method.minPeriods} paired periods — ${perRequest}` };
  }

  let sum = 0;
  let sumSquares = 0;
  let low = -Infinity;
  let high = Infinity;
  let failAt: number | undefined;
  let passAt: number | undefined;
  differences.forEach(({ t, d }, index) => {
    sum += d;
    sumSquares += d * d;
    const n = index + 1;
    if (n < method.minPeriods) return;
    const mean = sum / n;
    const sd = Math.max(MIN_SD, Math.sqrt(Math.max(0, (sumSquares - n * mean * mean) / (n - 1))));
    const r = radius(n, sd, context.alpha);
    // Running intersection; an empty intersection (the model is off) keeps the last non-empty one.
    if (Math.max(low, mean - r) <= Math.min(high, mean + r)) {
      low = Math.max(low, mean - r);
      high = Math.min(high, mean + r);
    }
    if (failAt === undefined && passAt === undefined) {
      if (low > bound) failAt = t;
      else if (high < bound) passAt = t;
    }
  });
  // Back to canary/baseline orientation.
  const mean = sign * (sum / differences.length);
  const ends = sign > 0 ? [low, high] : [-high, -low];
  const effect = Math.exp(mean);
  const interval = [Math.exp(ends[0]), Math.exp(ends[1])] as const;
  const decision = failAt !== undefined ? 'fail' : passAt !== undefined ? 'pass' : 'continue';
  const why =
    decision === 'fail'
      ? `raised by more than ${formatPercent(method.tolerance)} (shown at t=${failAt})`
      : decision === 'pass'
        ? `a rise of ${formatPercent(method.tolerance)} or more ruled out at t=${passAt}`
        : 'not decided';
  return {
    ...common,
    decision,
    effect,
    interval,
    reason: `${metric.name} cost/request ×${formatNumber(effect)} [${formatNumber(interval[0])}, ${formatNumber(interval[1])}] — ${perRequest}, ${differences.length} periods; ${why}`,
  };
}
