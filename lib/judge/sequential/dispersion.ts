/**
 * Overdispersion-aware weighting of the periods: the quasi-likelihood form of the sequential count test.
 *
 * Under a period-level random effect (one bad instance or sticky sessions make the canary's rate
 * wander from minute to minute, or both arms wander independently) the canary's count given the
 * period's n events is not binomial: its variance is inflated, roughly by φ = 1 + (n − 1)·c, where
 * c, the intra-period correlation of events, does not depend on the traffic (the beta-binomial
 * model). The score Σ(yᵢ − nᵢ·qᵢ) keeps mean 0 under "equal mean rates" (it is linear in the counts;
 * the per-period share yᵢ/nᵢ is not, and is biased by Jensen once both arms wander), but its variance
 * is φ times the Poisson one, so the Poisson likelihood over-counts the evidence by φ.
 *
 * Each period's log-likelihood is therefore weighted by wᵢ = 1/φᵢ, with c estimated *from the earlier
 * periods only* (method of moments on prequential Pearson residuals, shrunk towards a prior) and nᵢ
 * the events expected in the period. Each residual is taken around a ratio estimated from other
 * periods, less the part that ratio's own error adds under Poisson counts (n/N after N events). The
 * first period with events has no earlier ratio: its residual is taken around the ratio of the periods
 * after it, re-taken as they come (around "equal rates" it measured the effect, not the dispersion: a
 * ×3 canary at 1,000 req/min added ≈ 4 to the excess in expectation, against the prior's 6.6). A weighted period enters the likelihood as counts (w·y, w·n), so the
 * e-processes, bounds and confidence sequence are unchanged. Guarantee:
 * - Poisson counts given a shared level: exact. Given nᵢ, E[LRᵢ^w] ≤ (E LRᵢ)^w ≤ 1 for w ≤ 1 (Jensen),
 *   so each tempered factor is an e-value and their mixture a test supermartingale; the weights are
 *   fixed before the period's share is seen.
 * - Period-level random effects: approximate. For a score S with variance φ·I, E exp(S/φ − θ²I/(2φ))
 *   = 1 when S is normal, so weighting by the right 1/φ restores the martingale's mean; the prior on
 *   c keeps the first periods (before c is estimated) from counting as Poisson at high traffic.
 */
import type { RatePeriod } from './types';

/**
 * Prior on the intra-period correlation c, worth PRIOR_PERIODS periods of the mean size seen: c = 0.2
 * is about what a canary rate wandering by a lognormal factor of log-sd 1.1 per minute gives at a 10 %
 * share (c ≈ q·(e^{σ²} − 1)), so the first minutes of a high-traffic deployment do not count as
 * Poisson before the data can say how much the rates wander. Under Poisson counts the estimate falls
 * as 3/(3 + periods), faster with the shrink below. Chosen among c = 0.05–0.2, 1.5–4 periods and a
 * shrink of 0–2 sd on seeded runs (2,000 a row): the one with every class ≤ α (canary log-sd 1 at 3,000
 * req/min the hardest: 1.1 %) and the most power at ×2, 1,000 req/min (76 %; 79 % with the residuals
 * taken as below, the hardest class still 1.1 %; a shrink of 2.5–3 sd then buys a few points of power at
 * the cost of margin at the binding classes; docs/benchmark.md).
 */
const PRIOR_CORRELATION = 0.2;
const PRIOR_PERIODS = 3;
const POISSON_SD_SHRINK = 2;

/** Clip of the canary's count, in dispersion-scaled standard deviations from its expected share. */
const CLIP_SD = 3;

export interface DispersionWeighting {
  /** The periods with counts weighted by 1/φᵢ (requests unchanged). */
  /** For the harm test: counts weighted by 1/φᵢ, the canary's count clipped from above (requests unchanged). */
  readonly harmPeriods: RatePeriod[];
  /** For the pass test: counts weighted by 1/φᵢ, the canary's count clipped from below. */
  readonly passPeriods: RatePeriod[];
  /** Estimate of c from all the periods (0 when Poisson), with the same prior; undefined without events. */
  readonly correlation: number | undefined;
  /** Mean φ over the periods with events under that final estimate: how many times the Poisson variance the counts show. */
  readonly inflation: number | undefined;
}

/** Weights each period's counts by 1/(1 + (n − 1)·ĉ), ĉ from the periods before it. */
export function weightByDispersion(periods: readonly RatePeriod[]): DispersionWeighting {
  const harmPeriods: RatePeriod[] = [];
  const passPeriods: RatePeriod[] = [];
  let excess = 0; // Σ pearsonExcess over the periods with events after the first
  let pairs = 0; // Σ (n − 1)
  let canaryEvents = 0, canaryRequests = 0, baselineEvents = 0, baselineRequests = 0;
  // The prior counts as PRIOR_PERIODS periods of the mean size seen so far (this one's before any).
  const estimate = (n: number) => {
    const priorPairs = PRIOR_PERIODS * Math.max(1, (informative > 0 ? eventsSum / informative : n) - 1);
    // The first period's residual, around the ratio of the periods after it (none yet: no residual).
    const withFirst = first !== undefined && informative > 1;
    const firstExcess = withFirst ? pearsonExcess(first!, canaryEvents - first!.canaryCount, canaryRequests - first!.canaryTotal, baselineEvents - first!.baselineCount, baselineRequests - first!.baselineTotal) : 0;
    const firstPairs = withFirst ? first!.canaryCount + first!.baselineCount - 1 : 0;
    const residuals = Math.max(0, informative - 1) + (withFirst ? 1 : 0);
    // Less POISSON_SD_SHRINK sd of the excess under Poisson counts (√(2k) after k residuals): the floor
    // at 0 would otherwise leave a positive estimate, and a needless loss of power, on Poisson counts.
    return Math.max(0, (PRIOR_CORRELATION * priorPairs + excess + firstExcess - POISSON_SD_SHRINK * Math.sqrt(2 * residuals)) / (priorPairs + pairs + firstPairs));
  };
  let informative = 0;
  let eventsSum = 0;
  let first: RatePeriod | undefined;
  for (const p of periods) {
    const n = p.canaryCount + p.baselineCount;
    if (n === 0) {
      harmPeriods.push(p);
      passPeriods.push(p);
      continue;
    }
    // The events expected from this period's requests at the rates seen so far, not the events it had:
    // a weight that followed n would follow the arms' wander (the baseline's sets most of n), which
    // moves the share, and bias the score.
    const expected = informative > 0 ? p.canaryTotal * ((canaryEvents + 0.5) / canaryRequests) + p.baselineTotal * ((baselineEvents + 0.5) / baselineRequests) : n;
    const correlation = estimate(expected);
    const weight = 1 / (1 + Math.max(0, expected - 1) * correlation);
    // The residual around the ratio estimated before this period (½ event each side keeps it finite).
    const ratio = canaryRequests > 0 && baselineRequests > 0 ? (canaryEvents + 0.5) / canaryRequests / ((baselineEvents + 0.5) / baselineRequests) : 1;
    const r = (ratio * p.canaryTotal) / p.baselineTotal;
    const q = r / (1 + r);
    // A wander with a heavy tail (one period at ×7) would carry a tempered Poisson likelihood past 1/α
    // alone: the canary's count is clipped CLIP_SD dispersion-scaled sd from the expected share, from
    // above for the harm test and from below for the pass test. Under Poisson counts this only lowers
    // each test's likelihood ratio (monotone in the count), so exactness holds.
    const reach = CLIP_SD * Math.sqrt((1 + (n - 1) * correlation) * n * q * (1 - q));
    const harmCount = Math.min(p.canaryCount, Math.max(0, n * q + reach));
    const passCount = Math.max(p.canaryCount, Math.min(n, n * q - reach));
    harmPeriods.push({ ...p, canaryCount: harmCount * weight, baselineCount: (n - harmCount) * weight });
    passPeriods.push({ ...p, canaryCount: passCount * weight, baselineCount: (n - passCount) * weight });
    if (informative > 0) {
      excess += pearsonExcess(p, canaryEvents, canaryRequests, baselineEvents, baselineRequests);
      pairs += n - 1;
    } else {
      first = p;
    }
    canaryEvents += p.canaryCount;
    canaryRequests += p.canaryTotal;
    baselineEvents += p.baselineCount;
    baselineRequests += p.baselineTotal;
    informative++;
    eventsSum += n;
  }
  if (informative === 0) return { harmPeriods, passPeriods, correlation: undefined, inflation: undefined };
  const correlation = estimate(0);
  return { harmPeriods, passPeriods, correlation, inflation: 1 + (eventsSum / informative - 1) * correlation };
}

/**
 * A period's squared Pearson residual less 1, around the ratio of the other periods' counts given
 * (½ event each side keeps it finite), less the part that ratio's own error adds under Poisson counts:
 * n/N after N events (Var(n·q̂) ≈ n²·q(1 − q)/N). Left in, that part counts as overdispersion, most
 * where traffic is low and the first periods are few events. Under overdispersion it is about φ̄·n/N,
 * so taking off n/N still leaves the excess at or above (n − 1)·c in expectation.
 */
function pearsonExcess(p: RatePeriod, canaryEvents: number, canaryRequests: number, baselineEvents: number, baselineRequests: number): number {
  const n = p.canaryCount + p.baselineCount;
  const ratio = (canaryEvents + 0.5) / canaryRequests / ((baselineEvents + 0.5) / baselineRequests);
  const r = (ratio * p.canaryTotal) / p.baselineTotal;
  const q = r / (1 + r);
  return (p.canaryCount - n * q) ** 2 / (n * q * (1 - q)) - 1 - n / (canaryEvents + baselineEvents);
}
