/**
 * Robust harm test for count metrics: betting on the canary's share of each period's events
 * (Waudby-Smith & Ramdas, "Estimating means of bounded random variables by betting", JRSS-B 2023,
 * doi:10.1093/jrsssb/qkad009; the aGRAPA bet is from its Section 4 / Supplement B).
 *
 * In a period where canary and baseline served eC and eB requests (r = eC / eB) and had events at
 * the same rate, the canary's share x = y / n of the period's n events has mean at most
 * m = r / (1 + r). That holds under Poisson counts, and also when the canary's rate wanders from
 * period to period (one bad instance, a noisy dependency) around the baseline's: with canary rate
 * λ·G (E G = 1) the expected share is about E[r·G / (1 + r·G)] ≤ r / (1 + r) by Jensen (concave in G).
 * So the null needs only a bounded per-period quantity with a known upper mean, not a count model.
 *
 * The capital K = Π (1 + fᵢ·zᵢ), zᵢ = (xᵢ − mᵢ) / mᵢ ≥ −1, with bets fᵢ ∈ [0, ½] chosen from the
 * periods before i, is a nonnegative supermartingale under the null, so by Ville's inequality it
 * reaches 1/α with chance at most α, checked at every period. The bet is the approximate GRAPA
 * (aGRAPA) plug-in of the paper: f = μ̂ / (σ̂² + μ̂²), from running mean and variance of z shrunk
 * towards 0 and ¼ by one pseudo-period.
 */
import type { RatePeriod } from './types';

export interface ShareBettingResult {
  /** Period (`t`) at which the capital first reached 1/α. */
  readonly harmShownAt?: number;
  /** Natural log of the capital at the last period. */
  readonly logEValue: number;
  /** Periods that carried events (the others say nothing). */
  readonly informativePeriods: number;
}

const MAX_BET = 0.8;
const PRIOR_VARIANCE = 0.25;

/** Runs the betting test over the periods, in order; the canary's share is the bounded quantity. */
export function shareBettingTest(periods: readonly RatePeriod[], alpha: number): ShareBettingResult {
  const logThreshold = Math.log(1 / alpha);
  let logCapital = 0;
  let harmShownAt: number | undefined;
  let k = 0;
  let sum = 0;
  let sumSquares = 0;
  for (const p of periods) {
    const n = p.canaryCount + p.baselineCount;
    if (n === 0) continue;
    const r = p.canaryTotal / p.baselineTotal;
    const m = r / (1 + r);
    const z = (p.canaryCount / n - m) / m;
    // Predictable bet: from the periods before this one only.
    const mean = sum / (k + 1);
    const variance = (PRIOR_VARIANCE + sumSquares - (k + 1) * mean * mean) / (k + 1);
    const bet = Math.max(0, Math.min(MAX_BET, mean / (Math.max(variance, 1e-12) + mean * mean)));
    logCapital += Math.log1p(bet * z);
    k++;
    sum += z;
    sumSquares += z * z;
    if (harmShownAt === undefined && logCapital >= logThreshold) harmShownAt = p.t;
  }
  return { harmShownAt, logEValue: logCapital, informativePeriods: k };
}

/**
 * Pearson dispersion of the canary's event counts given each period's events, around the pooled
 * rate ratio: ≈ 1 when counts are Poisson given the shared level, well above 1 when the canary's
 * rate wanders from period to period. Undefined with fewer than `MIN_DISPERSION_PERIODS` periods.
 */
export function shareDispersion(periods: readonly RatePeriod[], rateRatio: number): number | undefined {
  let statistic = 0;
  let used = 0;
  for (const p of periods) {
    const n = p.canaryCount + p.baselineCount;
    if (n === 0) continue;
    const q = (rateRatio * p.canaryTotal) / (rateRatio * p.canaryTotal + p.baselineTotal);
    const variance = n * q * (1 - q);
    if (!(variance > 0)) continue;
    statistic += (p.canaryCount - n * q) ** 2 / variance;
    used++;
  }
  return used >= MIN_DISPERSION_PERIODS ? statistic / (used - 1) : undefined;
}

export const MIN_DISPERSION_PERIODS = 8;
/**
 * Dispersion above which the verdict says the data look overdispersed: under Poisson counts the
 * statistic is about χ²(k−1)/(k−1), so above 2 is rare with 8+ periods (P < 5 % at k = 8) and
 * common once the canary's rate wanders by more than its own noise.
 */
export const OVERDISPERSED_ABOVE = 2;
