/**
 * Mann–Whitney under serial correlation. Per-minute gauges (p99 latency) are autocorrelated: a slow
 * minute is followed by slow minutes, so n minutes carry less information than n independent values
 * and the rank test's variance is too small (A/A false fails 9.5 % / 22.9 % at α = 5 % for AR(1)
 * φ = 0.3 / 0.7). The correction inflates the variance of the rank statistic by the factor an AR(1)
 * series' mean has over n values, 1 + 2 Σₖ (1 − k/n) φᵏ, with φ the lag-1 autocorrelation of the
 * ranks, estimated from the data in hand: the baseline's own history before the window (where the
 * evaluation reads it) and both arms in the window, each series around its own mean rank, so a level
 * shift does not count as correlation; pooled, as under "no harm" they are the same process.
 * The estimate is bias-corrected for short series (Marriott & Pope: E φ̂ ≈ φ − (1 + 3φ)/n for each
 * series), taken at its upper 95 % bound and limited to [0, 0.95]. Assumption: the process is
 * stationary over the history and the window, with correlation that decays about geometrically.
 * The history matters for power: from the window's 10 + 10 values alone the bound at φ = 0 is ≈ 0.35
 * (variance ×2, median over seeded runs), with 240 baseline periods before it ≈ 0.11 (×1.2).
 */
import { averageRanks } from './mann-whitney';
import { pnorm, qnorm } from './normal';

const MAX_PHI = 0.95;
/**
 * φ is taken at a one-sided 95 % upper bound (standard error √((1 − φ²)/values)): from 10 values per
 * arm the bias-corrected point estimate still falls short at φ = 0.7 (11 % A/A false fails at α = 5 %;
 * 4.2 % with the bound, over 2,000 seeded runs).
 */
const UPPER_BOUND_Z = 1.645;
/** Series shorter than this carry no lag-1 pair worth counting (and would dominate the bias correction). */
const MIN_SERIES = 3;

/** Pooled lag-1 autocorrelation of the ranks within each series, bias-corrected (not bounded), and how many values it rests on. */
function pooledLag1(series: readonly (readonly number[])[]): { phi: number; values: number } | undefined {
  const used = series.filter((values) => values.length >= MIN_SERIES);
  const { ranks } = averageRanks(used.flat());
  let products = 0;
  let squares = 0;
  let from = 0;
  for (const values of used) {
    const to = from + values.length;
    let mean = 0;
    for (let i = from; i < to; i++) mean += ranks[i] / values.length;
    for (let i = from; i < to; i++) {
      squares += (ranks[i] - mean) ** 2;
      if (i > from) products += (ranks[i] - mean) * (ranks[i - 1] - mean);
    }
    from = to;
  }
  if (!(squares > 0)) return undefined;
  const raw = products / squares;
  // Each series' estimate is biased by −(1 + 3φ)/n; pooled (weighted by n), the bias is −(1 + 3φ)·series/values.
  return { phi: Math.min(MAX_PHI, raw + ((1 + 3 * raw) * used.length) / from), values: from };
}

const standardError = (estimate: { phi: number; values: number }) => Math.sqrt(Math.max(0, 1 - estimate.phi * estimate.phi) / estimate.values);

/**
 * Lag-1 autocorrelation of the ranks within each series (ranked together): bias-corrected, at its
 * 95 % upper bound, within [0, 0.95]. `series` are e.g. [baseline history, baseline, canary].
 */
export function rankAutocorrelation(...series: readonly (readonly number[])[]): number {
  const estimate = pooledLag1(series);
  if (!estimate) return 0;
  return Math.max(0, Math.min(MAX_PHI, estimate.phi + UPPER_BOUND_Z * standardError(estimate)));
}

/**
 * One-sided 0.1 % on the difference of the window's and the history's estimates: at 5 % the window
 * alone (a bound near ×2 on the variance) was used so often under φ = 0.3 throughout that detection of
 * +3 innovation sd fell from 100 % to 92 %; at 0.1 % it is 99 %, and a window whose values are more
 * correlated than an independent history still stays ≤ α (3.5 %, 6.5 % without the rule; 400 runs).
 */
const WINDOW_MORE_CORRELATED_Z = 3.09;

/**
 * Whether the window's values are more autocorrelated than the history's, beyond chance: then the
 * history would dilute the estimate (a load that starts with the deployment), and φ should come from
 * the window alone.
 */
export function windowMoreCorrelated(history: readonly number[], ...window: readonly (readonly number[])[]): boolean {
  const before = pooledLag1([history]);
  const now = pooledLag1(window);
  if (!before || !now) return false;
  return now.phi - before.phi > WINDOW_MORE_CORRELATED_Z * Math.hypot(standardError(before), standardError(now));
}

/** Variance of the mean of n values of an AR(1) series with lag-1 correlation φ, relative to independent values. */
export function varianceInflation(phi: number, n: number): number {
  let inflation = 1;
  let power = 1;
  for (let k = 1; k < n; k++) {
    power *= phi;
    inflation += 2 * (1 - k / n) * power;
  }
  return inflation;
}

/** A one-sided normal-approximation p-value with its z-statistic divided by √inflation. */
export function inflatePValue(pValue: number, inflation: number): number {
  return pnorm(qnorm(pValue, false) / Math.sqrt(inflation), false);
}

/**
 * The confidence level whose normal quantile is √inflation times that of `level` (two-sided), for a
 * wider interval; kept below 1 − 1e-12 (levels that round to 1 are not levels).
 */
export function inflateConfidenceLevel(level: number, inflation: number): number {
  return Math.min(1 - 1e-12, 1 - 2 * pnorm(Math.sqrt(inflation) * qnorm((1 - level) / 2, false), false));
}

/** Fewest disjoint blocks of the history from which the block-pair spread is estimated. */
const MIN_BLOCKS = 6;

/**
 * How much more two windows of `n` values differ than `n` independent values each would, measured on
 * the history itself: over every pair of disjoint blocks of `n` values that are not adjacent, the
 * rank-sum z of one block against the other (no ties correction; continuous values), and the mean of
 * z², which is 1 for independent values. Unlike φ, which sees only the correlation inside a window
 * (each series around its own mean), this also counts drift slower than the window — two hosts whose
 * levels wander independently, drift on a second timescale, regime changes — anything the history
 * shows between windows. Undefined below MIN_BLOCKS blocks. Assumes the arms differ, between them, as
 * much as the baseline's windows differ across its history (a persistent offset between hosts beyond
 * that is the canary's).
 */
export function blockPairInflation(history: readonly number[], n: number): { inflation: number; blocks: number } | undefined {
  const blocks = Math.floor(history.length / n);
  if (n < 2 || blocks < MIN_BLOCKS) return undefined;
  // The most recent blocks: the history's end is nearest the window.
  const from = history.length - blocks * n;
  const block = (k: number) => history.slice(from + k * n, from + (k + 1) * n);
  const sigma = Math.sqrt((n * n * (2 * n + 1)) / 12);
  let sum = 0;
  let pairs = 0;
  for (let i = 0; i < blocks; i++) {
    for (let j = i + 2; j < blocks; j++) {
      const { ranks } = averageRanks([...block(i), ...block(j)]);
      let rankSum = 0;
      for (let k = 0; k < n; k++) rankSum += ranks[k];
      const z = (rankSum - (n * (n + 1)) / 2 - (n * n) / 2) / sigma;
      sum += z * z;
      pairs++;
    }
  }
  return { inflation: sum / pairs, blocks };
}
