/**
 * How far a count metric's rate moves between two windows `shift` periods apart, learnt from the
 * metric's own history. The bake compares the new version with the current version's periods from
 * before the deployment: a level change between then and now hits one arm only and does not cancel,
 * so the comparison is calibrated on how much the current version's own rate moved between windows
 * as far apart, over its history (the same geometry, both windows from one version).
 */
import { qnorm } from '../normal';

/** One version's periods on a regular grid: counts and totals, 0 where a period had no traffic. */
export interface PeriodGrid {
  readonly counts: Float64Array;
  readonly totals: Float64Array;
}

export interface Calibration {
  /** Pairs of windows (`length` periods, `shift` apart) with traffic in both, over the history. */
  readonly pairs: number;
  /** Pairs that share no period: the degrees of freedom the second moment is bounded with. */
  readonly independentPairs: number;
  /**
   * Variance of the log rate ratio between the two windows beyond Poisson noise (the level's own
   * movement), at a one-sided 95 % upper bound; undefined without a pair.
   */
  readonly levelVariance?: number;
  /** The largest and smallest X seen: the history's own extremes (no pair: ±Infinity). */
  readonly largest: number;
  readonly smallest: number;
}

/**
 * The lower `p` quantile of a chi-square with `df` degrees of freedom (Wilson–Hilferty, within a few
 * per cent from 2 degrees of freedom on; at 1 it errs small, i.e. towards a wider bound).
 */
export function chiSquareQuantile(p: number, df: number): number {
  const a = 2 / (9 * df);
  return df * Math.max(1e-6, 1 - a + qnorm(p) * Math.sqrt(a)) ** 3;
}

/** log rate with ½ event added, so that a window without events stays finite. */
export function logRate(count: number, total: number): number {
  return Math.log((count + 0.5) / total);
}

/** A bound that a second moment estimated from `df` independent values exceeds its true value with probability ≤ 5 %. */
const UPPER_BOUND_P = 0.05;

/**
 * Over every pair of windows [s, s + length) and [s + shift, s + shift + length) of the history, the
 * log rate ratio X = log rate(later) − log rate(earlier). Its second moment about 0 (a steady trend
 * counts as movement, not as a known offset) less the pairs' mean Poisson variance (≈ 1/count per
 * window) is the level's movement; it is bounded above from the number of disjoint pairs. The extremes
 * of X are kept too: a level that changes regime now and then has heavier tails than a normal of the
 * same variance, and a movement no larger than the history's own is never called harm.
 */
export function calibrate(history: PeriodGrid, shift: number, length: number): Calibration {
  const n = history.counts.length;
  const cumulativeCounts = new Float64Array(n + 1);
  const cumulativeTotals = new Float64Array(n + 1);
  for (let i = 0; i < n; i++) {
    cumulativeCounts[i + 1] = cumulativeCounts[i] + history.counts[i];
    cumulativeTotals[i + 1] = cumulativeTotals[i] + history.totals[i];
  }
  const sum = (cumulative: Float64Array, from: number) => cumulative[from + length] - cumulative[from];
  let pairs = 0;
  let secondMoment = 0;
  let poisson = 0;
  let largest = -Infinity;
  let smallest = Infinity;
  for (let s = 0; s + shift + length <= n; s++) {
    const earlierTotal = sum(cumulativeTotals, s);
    const laterTotal = sum(cumulativeTotals, s + shift);
    if (!(earlierTotal > 0 && laterTotal > 0)) continue;
    const earlierCount = sum(cumulativeCounts, s);
    const laterCount = sum(cumulativeCounts, s + shift);
    const x = logRate(laterCount, laterTotal) - logRate(earlierCount, earlierTotal);
    pairs++;
    largest = Math.max(largest, x);
    smallest = Math.min(smallest, x);
    secondMoment += x * x;
    poisson += 1 / (laterCount + 0.5) + 1 / (earlierCount + 0.5);
  }
  const independentPairs = Math.floor(Math.max(0, n - shift - length + 1) / (shift + length)) || (pairs > 0 ? 1 : 0);
  if (pairs === 0) return { pairs, independentPairs: 0, largest: Infinity, smallest: -Infinity };
  const df = Math.max(1, Math.min(independentPairs, pairs));
  const bounded = ((secondMoment / pairs) * df) / chiSquareQuantile(UPPER_BOUND_P, df);
  return { pairs, independentPairs: df, levelVariance: Math.max(0, bounded - poisson / pairs), largest, smallest };
}
