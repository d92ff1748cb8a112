import type { CountPeriod } from '../observations';
import type { MethodContext, MethodOf, MetricOfKind } from '../method-context';
import { harmLowerBound, passUpperBound } from './decision-interval';
import { rateRatioEstimate, sequentialRateTest } from './rate-test';
import { E_CAP, type RatePeriod, type RateTestResult } from './types';
import { weightByDispersion } from './dispersion';
import { OVERDISPERSED_ABOVE, shareBettingTest, shareDispersion } from './share-betting';
import { GUARD_ALPHA_SHARE, intervalBasisOf, type ArmSummary, type IntervalBasis, type MetricResult } from '../verdict';
import { formatNumber, formatPercent } from '../format';

function summarise(periods: readonly CountPeriod[]): ArmSummary {
  let count = 0;
  let total = 0;
  for (const period of periods) {
    count += period.count;
    total += period.total;
  }
  return { periods: periods.length, count, total };
}

/** Longest run of adjacent periods pooled into one before it is given up (the level must be about constant within it). */
const MAX_GROUP_PERIODS = 10;

/**
 * The periods the rate test reads. A period with traffic in both arms is used as it is; a period where
 * an arm had no request is pooled with the following ones until both arms have had traffic (at most
 * MAX_GROUP_PERIODS; a group still one-sided then is dropped). Whether periods are pooled depends on
 * the request totals only, which carry no information about ρ, so the test stays valid; pooling
 * assumes the common level is about constant over the few pooled minutes (it is exact when it is).
 * Periods absent from an arm had no traffic there.
 */
function groupPeriods(baseline: readonly CountPeriod[], canary: readonly CountPeriod[], swap: boolean): RatePeriod[] {
  const grouped: RatePeriod[] = [];
  let cCount = 0, cTotal = 0, bCount = 0, bTotal = 0, members = 0;
  let i = 0;
  let j = 0;
  while (i < canary.length || j < baseline.length) {
    const t = Math.min(i < canary.length ? canary[i].t : Infinity, j < baseline.length ? baseline[j].t : Infinity);
    if (i < canary.length && canary[i].t === t) {
      cCount += canary[i].count;
      cTotal += canary[i].total;
      i++;
    }
    if (j < baseline.length && baseline[j].t === t) {
      bCount += baseline[j].count;
      bTotal += baseline[j].total;
      j++;
    }
    members++;
    if (cTotal > 0 && bTotal > 0) {
      grouped.push(
        swap
          ? { t, canaryCount: bCount, canaryTotal: bTotal, baselineCount: cCount, baselineTotal: cTotal }
          : { t, canaryCount: cCount, canaryTotal: cTotal, baselineCount: bCount, baselineTotal: bTotal },
      );
      cCount = cTotal = bCount = bTotal = members = 0;
    } else if (members >= MAX_GROUP_PERIODS || (cTotal === 0 && bTotal === 0)) {
      cCount = cTotal = bCount = bTotal = members = 0;
    }
  }
  return grouped;
}

/** Event rates the guard's mixture puts weight on (above the bound), and the weights: half on "nearly every request". */
function guardPrior(bound: number): { rates: number[]; logWeights: number[] } {
  const near = Math.max(0.99, (1 + bound) / 2);
  const spread = [0.2, 0.4, 0.6, 0.8].map((f) => bound + f * (near - bound));
  const rates = [...spread, near];
  const weights = [...spread.map(() => 0.5 / spread.length), 0.5];
  return { rates, logWeights: weights.map(Math.log) };
}

/** Seconds of the baseline (up to the canary period's own) pooled to say whether the current version is failing too. */
const GUARD_BASELINE_SECONDS = 300;
/** Share of the guard's bound above which the baseline's pooled rate counts as failing as well. */
const GUARD_BASELINE_SHARE = 0.5;

/**
 * The absolute guard: an e-process against "the canary's event rate is ≤ bound in every period"
 * (requests independent given the period), a mixture of binomial likelihood ratios over rates above
 * the bound, monotone in the rate, so valid for the whole composite null. Returns the `t` where it
 * first reaches `threshold` (log scale), and its final log value.
 *
 * A canary period counts only while the current version is not failing as well: it is skipped when
 * the baseline's periods of the last GUARD_BASELINE_SECONDS (up to that period's own) pooled
 * fail above half the bound — a deployment started inside a shared outage (the hotfix for it) is left to
 * the comparison, which cancels the outage. Which periods count depends on the baseline's counts
 * only, independent of the canary's given the rates, so the guard stays valid for its null; with no
 * baseline traffic in that time every period counts (a canary failing every request at low traffic).
 */
function guardTest(canary: readonly CountPeriod[], baseline: readonly CountPeriod[], bound: number, logThreshold: number): { shownAt?: number; logEValue: number; skipped: number } {
  const { rates, logWeights } = guardPrior(bound);
  const hit = rates.map((p) => Math.log(p / bound));
  const miss = rates.map((p) => Math.log((1 - p) / (1 - bound)));
  const log = new Float64Array(rates.length);
  let shownAt: number | undefined;
  let skipped = 0;
  const mixture = () => {
    let max = -Infinity;
    for (let k = 0; k < rates.length; k++) max = Math.max(max, log[k] + logWeights[k]);
    let sum = 0;
    for (let k = 0; k < rates.length; k++) sum += Math.exp(log[k] + logWeights[k] - max);
    return max + Math.log(sum);
  };
  const recent: CountPeriod[] = [];
  let next = 0;
  for (const period of canary) {
    while (next < baseline.length && baseline[next].t <= period.t) recent.push(baseline[next++]);
    while (recent.length > 0 && recent[0].t <= period.t - GUARD_BASELINE_SECONDS) recent.shift();
    if (period.total === 0) continue;
    const baselineCount = recent.reduce((sum, p) => sum + p.count, 0);
    const baselineTotal = recent.reduce((sum, p) => sum + p.total, 0);
    if (baselineTotal > 0 && baselineCount / baselineTotal > GUARD_BASELINE_SHARE * bound) {
      skipped++;
      continue;
    }
    for (let k = 0; k < rates.length; k++) log[k] += period.count * hit[k] + (period.total - period.count) * miss[k];
    if (shownAt === undefined && period.count > 0 && mixture() >= logThreshold) shownAt = period.t;
  }
  return { shownAt, logEValue: mixture(), skipped };
}

/**
 * One result from the harm run (counts clipped from above) and the pass run (clipped from below): each
 * test and each end of the interval from the run whose clipping can only weaken it.
 */
function combineHarmAndPass(harm: RateTestResult, pass: RateTestResult): RateTestResult {
  return {
    ...harm,
    harmRuledOutAt: harm.harmShownAt !== undefined && (pass.harmRuledOutAt === undefined || harm.harmShownAt <= pass.harmRuledOutAt) ? undefined : pass.harmRuledOutAt,
    eValuePass: pass.eValuePass,
    logEValuePass: pass.logEValuePass,
    interval: [harm.interval[0], pass.interval[1]],
  };
}


export function formatRatio(value: number | null): string {
  return value === null ? '∞' : formatNumber(value);
}

export function formatInterval([low, high]: readonly [number | null, number | null]): string {
  return `[${low === null ? '0' : formatNumber(low)}, ${high === null ? '∞)' : `${formatNumber(high)}]`}`;
}

/** A warning when the canary's counts vary more than Poisson given each period's events, saying what the test does about it. */
function overdispersionWarnings(periods: readonly RatePeriod[], rateRatio: number | undefined, mode: 'robust' | 'estimate' | 'poisson', inflation: number | undefined): string[] | undefined {
  if (rateRatio === undefined) return undefined;
  const dispersion = shareDispersion(periods, rateRatio);
  if (dispersion === undefined || dispersion <= OVERDISPERSED_ABOVE) return undefined;
  const consequence = {
    robust: 'the robust (share-betting) test does not rely on Poisson counts',
    estimate: `the test weighs each period's evidence by the overdispersion it estimates (variance ×${formatNumber(inflation ?? 1)} the Poisson one)`,
    poisson: "the test's guarantee assumes Poisson counts (`dispersion: poisson`); the default `dispersion: estimate` keeps α",
  }[mode];
  return [`counts look overdispersed (dispersion ${formatNumber(dispersion)} over ${periods.length} periods, 1 if Poisson): ${consequence}`];
}

/**
 * The interval a verdict reports, as canary/baseline ratios: at a comparison's fail, the harm test's
 * (every ratio below its lower end rejected at the test's level, at the period it decided), at a pass
 * the pass test's, otherwise the two-sided confidence sequence.
 */
function reportedInterval(
  basis: IntervalBasis,
  test: RateTestResult,
  periods: { readonly harm: readonly RatePeriod[]; readonly pass: readonly RatePeriod[] },
  options: { readonly alpha: number; readonly tolerance: number },
  harmAbove: number,
  swap: boolean,
): [number | null, number | null] {
  const upTo = (list: readonly RatePeriod[], t: number) => list.slice(0, list.findIndex((period) => period.t === t) + 1);
  const [low, high]: readonly [number | null, number | null] =
    basis === 'harm-test'
      ? [harmLowerBound(upTo(periods.harm, test.harmShownAt!), options.alpha, options.tolerance), null]
      : basis === 'pass-test'
        ? [null, passUpperBound(upTo(periods.pass, test.harmRuledOutAt!), options.alpha, options.tolerance)]
        : test.interval;
  const scaled = [low === null ? null : low * harmAbove, high === null ? null : high * harmAbove];
  return swap ? [scaled[1] === null ? null : 1 / scaled[1], scaled[0] === null ? null : 1 / scaled[0]] : [scaled[0], scaled[1]];
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
  const paired = groupPeriods(observed.baseline, observed.canary, swap);
  // The guard bounds the canary's own rate of harmful events: only where harm is an increase.
  const guardRate = method.guardRate !== undefined && method.guardRate !== false && !swap ? method.guardRate : undefined;
  const comparisonAlpha = guardRate === undefined ? context.alpha : context.alpha * (1 - GUARD_ALPHA_SHARE);
  const guard = guardRate === undefined ? undefined : guardTest(observed.canary, observed.baseline, guardRate, Math.log(1 / (context.alpha * GUARD_ALPHA_SHARE)));
  const guardReason = guard?.shownAt !== undefined ? `canary's own rate above ${formatPercent(guardRate!)} shown (guard E≥${formatNumber(1 / (context.alpha * GUARD_ALPHA_SHARE))})` : undefined;
  const guardEvidence = guard === undefined ? {} : { guardEValue: Math.exp(Math.min(guard.logEValue, Math.log(E_CAP))) };
  if (paired.length === 0) {
    if (guardReason) return { ...common, decision: 'fail', evidence: guardEvidence, reason: `${metric.name} — ${traffic}; ${guardReason}` };
    const missing = canary.periods === 0 ? 'no canary periods' : baseline.periods === 0 ? 'no baseline periods' : 'no period with traffic in both arms';
    return { ...common, decision: 'nodata', reason: `${metric.name}: ${missing} yet` };
  }

  const robust = method.robust === true;
  // Harm boundary b: "ρ ≤ b" is the harm test's null. Scaling the canary's requests by b makes it
  // "ρ/b ≤ 1" exactly (the share is ρ·r/(1 + ρ·r) = (ρ/b)·(b·r)/(1 + (ρ/b)·(b·r))); ratios come back ×b.
  const harmAbove = method.harmAbove;
  const periods = harmAbove === 1 ? paired : paired.map((p) => ({ ...p, canaryTotal: p.canaryTotal * harmAbove }));
  // Weighted by the estimated overdispersion unless told counts are Poisson (robust bets on shares instead).
  const weighting = !robust && method.dispersion !== 'poisson' ? weightByDispersion(periods) : undefined;
  const options = { alpha: comparisonAlpha, tolerance: method.tolerance / harmAbove };
  // Weighted: the effect is the likelihood estimate from the counts as they are (consistent for the
  // ratio of mean rates however the arms wander), not from the clipped ones.
  const modelTest = weighting
    ? { ...combineHarmAndPass(sequentialRateTest(weighting.harmPeriods, options), sequentialRateTest(weighting.passPeriods, options)), rateRatio: rateRatioEstimate(periods) }
    : sequentialRateTest(periods, options);
  // Robust: harm from betting on the canary's share; the model-based pass and interval are not
  // valid under overdispersion (Jensen favours a pass there), so neither is used.
  const betting = robust ? shareBettingTest(periods, comparisonAlpha) : undefined;
  const test = betting
    ? { ...modelTest, harmShownAt: betting.harmShownAt, harmRuledOutAt: undefined, eValue: Math.exp(Math.min(betting.logEValue, Math.log(E_CAP))), logEValue: betting.logEValue }
    : modelTest;
  const threshold = formatNumber(1 / comparisonAlpha);
  const warnings = overdispersionWarnings(periods, modelTest.rateRatio, robust ? 'robust' : weighting ? 'estimate' : 'poisson', weighting?.inflation);
  // Harm is shown at the first of the comparison's and the guard's crossings (α is split between them).
  const harmAt = Math.min(test.harmShownAt ?? Infinity, guard?.shownAt ?? Infinity);
  const byGuard = guard?.shownAt !== undefined && guard.shownAt === harmAt && !(test.harmShownAt !== undefined && test.harmShownAt <= guard.shownAt);
  if (test.rateRatio === undefined) {
    // 0 vs 0 events: nothing is known about the ratio, so no effect and no interval are reported.
    if (guardReason) return { ...common, decision: 'fail', evidence: { eValue: test.eValue, ...guardEvidence }, reason: `${metric.name} — ${traffic}; ${guardReason}` };
    return { ...common, decision: 'continue', evidence: { eValue: test.eValue, ...guardEvidence }, reason: `${metric.name} — ${traffic}; no events in either arm yet` };
  }
  const effect = swap ? 1 / (test.rateRatio * harmAbove) : test.rateRatio * harmAbove;
  const harmFirst = harmAt < Infinity && (test.harmRuledOutAt === undefined || harmAt <= test.harmRuledOutAt);
  const decision = harmFirst ? 'fail' : test.harmRuledOutAt !== undefined ? 'pass' : 'continue';
  // A fail by the guard is about the canary's own rate, not the ratio: it reports no ratio interval, so
  // every fail's interval is its harm test's (intervalBasisOf).
  const basis = intervalBasisOf({ decision });
  const interval = robust || (decision === 'fail' && byGuard) ? undefined : reportedInterval(basis, test, { harm: weighting?.harmPeriods ?? periods, pass: weighting?.passPeriods ?? periods }, options, harmAbove, swap);
  const periodsUntil = (t: number) => paired.findIndex((period) => period.t === t) + 1;
  const tolerance = swap ? `÷${method.tolerance}` : `×${method.tolerance}`;
  const why =
    decision === 'fail'
      ? byGuard
        ? guardReason!
        : `harm shown after ${periodsUntil(test.harmShownAt!)} periods (${robust ? 'share-betting ' : ''}E≥${threshold})`
      : decision === 'pass'
        ? `${tolerance} ruled out after ${periodsUntil(test.harmRuledOutAt!)} periods (E≥${threshold})`
        : robust
          ? `undecided, share-betting E=${formatNumber(test.eValue)} of ${threshold} (the robust test passes only at the deadline)`
          : `undecided, E=${formatNumber(test.eValue)} pass-E=${formatNumber(test.eValuePass)} of ${threshold}`;
  return {
    ...common,
    decision,
    effect,
    ...(interval && { interval }),
    ...(warnings && { warnings }),
    // log E only where the e-value hit its cap: verdicts stay small (20 metrics < 8 KB).
    // Undecided: the e-value against a regression says how near the test came to passing (plain words);
    // the robust test has no early pass, so it has none.
    evidence: { eValue: test.eValue, ...(test.logEValue > Math.log(E_CAP) && { logEValue: test.logEValue }), ...(decision === 'continue' && !robust && { eValuePass: test.eValuePass }), ...guardEvidence },
    reason: `${metric.name} ×${formatNumber(effect)}${interval ? ` ${formatInterval(interval)}` : ''} — ${traffic}; ${why}`,
  };
}
