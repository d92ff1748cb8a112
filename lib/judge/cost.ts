import type { TokenPrices } from '../policy/prices/types';
import type { CountPeriod, TokensPeriod } from './observations';
import type { MethodContext, MethodOf, MetricOfKind } from './method-context';
import { SPEND_TOKEN_TYPES, type ArmSummary, type MetricResult, type SpendDriver, type SpendTokenType, type TokenTypeSpend } from './verdict';
import { formatNumber, formatPercent } from './format';

/**
 * Bets of the e-process: a mixture (equal weights) of betting martingales ∏ (1 + λ Xᵢ). Fixed bets
 * keep the e-value monotone in the hypothesised ratio, so the confidence sequence is found by
 * bisection; the mixture costs log 3 nats against the best single bet.
 */
const BETS = [0.5, 0.8, 0.95] as const;
/** Scale of the first two periods' scores (10 % in log cost per request), before a spread is estimated. */
const INITIAL_SCALE = 0.1;
/** Floor on the estimated spread, so a few identical periods cannot make every score ±1. */
const MIN_SCALE = 0.01;
/** Interval ends beyond ×1000 or ×1/1000 are reported as unbounded. */
const LOG_LIMIT = Math.log(1000);
const BISECTION_STEPS = 40;

/** USD of one period's tokens (prices are per million tokens). Cache reads and writes have their own prices. */
export function costOf(period: TokensPeriod, prices: TokenPrices): number {
  return (
    (period.input * prices.input + period.output * prices.output + (period.cacheRead ?? 0) * prices.cacheRead + (period.cacheWrite ?? 0) * prices.cacheWrite) /
    1e6
  );
}

/** One arm's period, its cost, and the requests cost is divided by (all, or the successful ones). */
interface PricedPeriod {
  readonly t: number;
  readonly cost: number;
  readonly requests: number;
  readonly tokens: TokensPeriod;
}

function priced(periods: readonly TokensPeriod[], prices: TokenPrices, errors: readonly CountPeriod[] | undefined): PricedPeriod[] {
  const errorsByT = errors && new Map(errors.map((period) => [period.t, period.count]));
  const result: PricedPeriod[] = [];
  for (const period of periods) {
    let requests = period.requests;
    if (errorsByT) {
      const failed = errorsByT.get(period.t);
      // Without the error count of this period, its successful requests are unknown: skip it.
      if (failed === undefined) continue;
      requests = Math.max(0, requests - failed);
    }
    result.push({ t: period.t, cost: costOf(period, prices), requests, tokens: period });
  }
  return result;
}

function summarise(periods: readonly PricedPeriod[]): ArmSummary {
  let requests = 0;
  let cost = 0;
  for (const period of periods) {
    requests += period.requests;
    cost += period.cost;
  }
  return { periods: periods.length, requests, ...(requests > 0 && { costPerRequest: cost / requests }) };
}

/**
 * Tokens and USD per request of each token type, each arm over the same periods as its cost per request
 * (ccusage's columns: input, output, cache write, cache read; with reasoning apart from the rest of the
 * output when it is reported). The types partition the cost: `output` is the output less its reasoning.
 */
function spendByTokenType(baseline: readonly PricedPeriod[], canary: readonly PricedPeriod[], prices: TokenPrices): TokenTypeSpend[] {
  const perRequest = (periods: readonly PricedPeriod[]) => {
    const sums: Record<SpendTokenType, number> = { input: 0, output: 0, reasoning: 0, cacheRead: 0, cacheWrite: 0 };
    let requests = 0;
    for (const { tokens, requests: served } of periods) {
      const reasoning = tokens.reasoning ?? 0;
      sums.input += tokens.input;
      sums.output += tokens.output - reasoning;
      sums.reasoning += reasoning;
      sums.cacheRead += tokens.cacheRead ?? 0;
      sums.cacheWrite += tokens.cacheWrite ?? 0;
      requests += served;
    }
    return (type: SpendTokenType) => (requests > 0 ? sums[type] / requests : 0);
  };
  const b = perRequest(baseline);
  const c = perRequest(canary);
  const reported = (type: SpendTokenType) => type !== 'reasoning' || [...baseline, ...canary].some((period) => period.tokens.reasoning !== undefined);
  return SPEND_TOKEN_TYPES.filter(reported).map((type) => {
    const price = prices[type === 'reasoning' ? 'output' : type] / 1e6;
    // 4 significant digits, as the verdict's other figures (compact): verdicts travel in state and events.
    const round = (value: number) => Number(value.toPrecision(4));
    return { type, baselineTokensPerRequest: round(b(type)), canaryTokensPerRequest: round(c(type)), baselineUsdPerRequest: round(b(type) * price), canaryUsdPerRequest: round(c(type) * price) };
  });
}

/**
 * The token type whose USD per request moved most in the harmful direction, and, when cache reads fell
 * while input rose by about as many tokens, that the prompt cache was missed (the tokens are the same,
 * billed at the input price).
 */
export function spendDriver(rows: readonly TokenTypeSpend[], sign: 1 | -1): SpendDriver | undefined {
  const moved = (row: TokenTypeSpend) => sign * (row.canaryUsdPerRequest - row.baselineUsdPerRequest);
  const top = [...rows].sort((a, b) => moved(b) - moved(a))[0];
  if (!top || !(moved(top) > 0)) return undefined;
  const input = rows.find((row) => row.type === 'input');
  const cacheRead = rows.find((row) => row.type === 'cacheRead');
  const inputGain = input ? input.canaryTokensPerRequest - input.baselineTokensPerRequest : 0;
  const cacheLoss = cacheRead ? cacheRead.baselineTokensPerRequest - cacheRead.canaryTokensPerRequest : 0;
  // "About as many": the cache reads lost are at least half the input gained (the rest may be new prompt).
  const cacheMiss = sign > 0 && top.type === 'input' && cacheLoss > 0 && inputGain > 0 && cacheLoss >= 0.5 * inputGain;
  return { type: top.type, usdPerRequest: moved(top) * sign, cacheMiss };
}

/**
 * Largest e-value, over time, of the mixture betting martingale against "the centre of dᵢ is ≤ θ"
 * (`side` +1) or "≥ θ" (`side` −1). Score Xᵢ = tanh(side·(dᵢ − θ)/sᵢ) ∈ (−1, 1) with sᵢ the spread of
 * the periods before i (predictable). If dᵢ − θ is symmetric about a centre on the null side given the
 * past, E[Xᵢ | past] ≤ 0 (tanh is odd and increasing), so each ∏ (1 + λXᵢ) is a nonnegative
 * supermartingale and, by Ville's inequality, the chance that it ever reaches 1/α is ≤ α: exact at
 * every look, with no normal approximation (Waudby-Smith & Ramdas, "Estimating means of bounded random
 * variables by betting", JRSS-B 2024, for the betting construction).
 * `until` limits the look to the first `until` periods.
 */
function maxEValue(d: readonly number[], scales: readonly number[], theta: number, side: 1 | -1, until = d.length): number {
  const wealth = BETS.map(() => 1);
  let best = 1;
  for (let i = 0; i < until; i += 1) {
    const x = Math.tanh((side * (d[i] - theta)) / scales[i]);
    let mixture = 0;
    for (let k = 0; k < BETS.length; k += 1) {
      wealth[k] *= 1 + BETS[k] * x;
      mixture += wealth[k];
    }
    best = Math.max(best, mixture / BETS.length);
  }
  return best;
}

/** First period (1-based count) at which the e-value reaches `threshold`, not before `minPeriods`. */
function crossing(d: readonly number[], scales: readonly number[], theta: number, side: 1 | -1, threshold: number, minPeriods: number): number | undefined {
  const wealth = BETS.map(() => 1);
  for (let i = 0; i < d.length; i += 1) {
    const x = Math.tanh((side * (d[i] - theta)) / scales[i]);
    let mixture = 0;
    for (let k = 0; k < BETS.length; k += 1) {
      wealth[k] *= 1 + BETS[k] * x;
      mixture += wealth[k];
    }
    if (i + 1 >= minPeriods && mixture / BETS.length >= threshold) return i + 1;
  }
  return undefined;
}

/**
 * The end of the confidence sequence on one side: the θ where the running-maximum e-value crosses
 * 1/α (monotone in θ: each score falls as θ rises on the lower side). `null` beyond ±log 1000.
 */
function confidenceEnd(d: readonly number[], scales: readonly number[], side: 1 | -1, threshold: number): number | null {
  // side +1: lower end = sup{θ : E(≤θ) ≥ 1/α}; side −1: upper end = inf{θ : E(≥θ) ≥ 1/α}.
  const rejected = (theta: number) => maxEValue(d, scales, theta, side) >= threshold;
  const far = -side * LOG_LIMIT;
  if (!rejected(far)) return null;
  let inside = far;
  let outside = side * LOG_LIMIT;
  if (rejected(outside)) return outside;
  for (let step = 0; step < BISECTION_STEPS; step += 1) {
    const middle = (inside + outside) / 2;
    if (rejected(middle)) inside = middle;
    else outside = middle;
  }
  return inside;
}

/** Predictable scales: the sample sd of the earlier periods' dᵢ (from the third period on). */
function predictableScales(d: readonly number[]): number[] {
  const scales: number[] = [];
  let sum = 0;
  let sumSquares = 0;
  d.forEach((value, index) => {
    if (index < 2) scales.push(INITIAL_SCALE);
    else {
      const mean = sum / index;
      scales.push(Math.max(MIN_SCALE, Math.sqrt(Math.max(0, (sumSquares - index * mean * mean) / (index - 1)))));
    }
    sum += value;
    sumSquares += value * value;
  });
  return scales;
}

/**
 * Cost per request (or per successful request), canary vs baseline, judged by an anytime-valid
 * e-process. Each period with enough requests in both arms gives dᵢ = log(canary USD/request ÷ baseline
 * USD/request); pairing by period cancels shifts of the traffic mix that hit both arms, and pricing
 * each token type on its own makes the method cache-aware: a release that stops hitting the prompt
 * cache moves tokens from cache-read to input prices and shows as a rise at equal token counts.
 * `fail` once "the ratio is ≤ 1 + tolerance" is rejected at level α; `pass` (early) once "≥ 1 +
 * tolerance" is rejected. The interval is the confidence sequence of the ratio: the ratios neither
 * e-process rejects, at each side's level α (one-sided ends). Token counts are not Poisson events
 * (one request carries hundreds), so the sequential rate test would be invalid here.
 */
export function judgeCost(
  metric: MetricOfKind<'cost'>,
  method: MethodOf<'cost'>,
  observed: { readonly baseline: readonly TokensPeriod[]; readonly canary: readonly TokensPeriod[] },
  context: MethodContext,
  errors?: { readonly baseline: readonly CountPeriod[]; readonly canary: readonly CountPeriod[] },
): MetricResult {
  const prices = metric.prices;
  if (!prices) throw new Error(`metric "${metric.name}": model "${metric.model}" has no prices; validate the policy with parsePolicy (it resolves prices or names the override)`);
  const perSuccessful = method.per === 'successful-request';
  if (perSuccessful && !errors) throw new Error(`metric "${metric.name}": cost per successful request needs the observations of metric "${method.errorsFrom}"`);
  const baselinePeriods = priced(observed.baseline, prices, perSuccessful ? errors!.baseline : undefined);
  const canaryPeriods = priced(observed.canary, prices, perSuccessful ? errors!.canary : undefined);
  const baseline = summarise(baselinePeriods);
  const canary = summarise(canaryPeriods);
  const sign = metric.direction === 'increase' ? 1 : -1;
  // Why spend moved, by token type: shown whatever the decision; the driver is named once the test fails.
  const spend = spendByTokenType(baselinePeriods, canaryPeriods, prices);
  const common = {
    metric: metric.name,
    method: 'cost',
    critical: metric.critical,
    alpha: context.alpha,
    baseline,
    canary,
    pricing: `${prices.source}, ${prices.date}`,
    ...(baseline.requests && canary.requests && { spendByTokenType: spend }),
  };
  const bound = Math.log(1 + method.tolerance);
  const unit = perSuccessful ? 'successful request' : 'request';

  const baselineByT = new Map(baselinePeriods.map((period) => [period.t, period]));
  const paired: { t: number; d: number }[] = [];
  for (const c of canaryPeriods) {
    const b = baselineByT.get(c.t);
    if (!b || c.requests < method.minRequestsPerPeriod || b.requests < method.minRequestsPerPeriod) continue;
    const canaryCost = c.cost / c.requests;
    const baselineCost = b.cost / b.requests;
    if (canaryCost > 0 && baselineCost > 0) paired.push({ t: c.t, d: sign * Math.log(canaryCost / baselineCost) });
  }
  const perThousand = `$${formatNumber((canary.costPerRequest ?? 0) * 1000)} vs $${formatNumber((baseline.costPerRequest ?? 0) * 1000)} per 1k ${unit}s`;
  if (paired.length === 0) return { ...common, decision: 'nodata', reason: `${metric.name}: no period with enough ${unit}s in both arms yet` };
  if (paired.length < method.minPeriods) {
    return { ...common, decision: 'continue', reason: `${metric.name}: ${paired.length}/${method.minPeriods} paired periods — ${perThousand}` };
  }

  const d = paired.map((entry) => entry.d);
  const scales = predictableScales(d);
  const threshold = 1 / context.alpha;
  const failAt = crossing(d, scales, bound, 1, threshold, method.minPeriods);
  const passAt = crossing(d, scales, bound, -1, threshold, method.minPeriods);
  // The first crossing decides (a tie goes to fail, as for the sequential count test).
  const decision = failAt !== undefined && (passAt === undefined || failAt <= passAt) ? 'fail' : passAt !== undefined ? 'pass' : 'continue';
  const eValue = maxEValue(d, scales, bound, 1);

  const low = confidenceEnd(d, scales, 1, threshold);
  const high = confidenceEnd(d, scales, -1, threshold);
  // Back to canary/baseline orientation.
  const mean = (sign * d.reduce((total, value) => total + value, 0)) / d.length;
  const toRatio = (value: number | null) => (value === null || Math.abs(value) >= LOG_LIMIT ? null : Math.exp(value));
  const interval: readonly [number | null, number | null] =
    sign > 0 ? [low === null ? null : toRatio(low), toRatio(high)] : [high === null ? null : toRatio(-high), low === null ? null : toRatio(-low)];
  const effect = Math.exp(mean);
  const why =
    decision === 'fail'
      ? `raised by more than ${formatPercent(method.tolerance)} (E = ${formatNumber(eValue)} ≥ ${formatNumber(threshold)} at t=${paired[failAt! - 1].t})`
      : decision === 'pass'
        ? `a rise of ${formatPercent(method.tolerance)} or more ruled out at t=${paired[passAt! - 1].t}`
        : `not decided (E = ${formatNumber(eValue)} < ${formatNumber(threshold)})`;
  const shown = (value: number | null, open: string) => (value === null ? open : formatNumber(value));
  const driver = decision === 'fail' ? spendDriver(spend, sign) : undefined;
  const driverWords = driver ? `; moved most: ${driverText(driver, spend, unit)}` : '';
  return {
    ...common,
    decision,
    effect,
    interval,
    evidence: { eValue },
    ...(driver && { spendDriver: driver }),
    reason: `${metric.name} cost/${unit} ×${formatNumber(effect)} [${shown(interval[0], '0')}, ${shown(interval[1], '∞')}] — ${perThousand}, ${paired.length} periods; ${why}${driverWords}`,
  };
}

/** "input tokens +$9.00 per 1k requests (300 → 3,300 per request; cache reads 3,000 → 0: a prompt-cache miss)". */
export function driverText(driver: SpendDriver, rows: readonly TokenTypeSpend[], unit = 'request'): string {
  const row = rows.find((entry) => entry.type === driver.type)!;
  const tokens = (entry: TokenTypeSpend) => `${formatNumber(entry.baselineTokensPerRequest)} → ${formatNumber(entry.canaryTokensPerRequest)} per ${unit}`;
  const usd = `${driver.usdPerRequest >= 0 ? '+' : '−'}$${formatNumber(Math.abs(driver.usdPerRequest) * 1000)} per 1k ${unit}s`;
  const cacheRead = rows.find((entry) => entry.type === 'cacheRead');
  const miss = driver.cacheMiss && cacheRead ? `; cache reads ${tokens(cacheRead)}: a prompt-cache miss` : '';
  return `${TOKEN_TYPE_WORDS[driver.type]} ${usd} (${tokens(row)}${miss})`;
}

/** Token types as people (and ccusage's columns) name them. */
export const TOKEN_TYPE_WORDS: Record<SpendTokenType, string> = {
  input: 'input tokens',
  output: 'output tokens',
  reasoning: 'reasoning tokens',
  cacheRead: 'cache-read tokens',
  cacheWrite: 'cache-write tokens',
};
