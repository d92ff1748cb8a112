/**
 * Bounds that let the sequential count test skip periods where no mixture can cross 1/α.
 *
 * By convexity of log(1 + e^x), ℓ(θ) − ℓ(0) grows by at most θ·(y − n·σ(s)) per period (θ > 0), so
 * from a block's start a bound on the harm mixture at every period of the block costs O(grid); only
 * blocks whose bound can reach 1/α are evaluated period by period (likewise for the pass mixture,
 * around log tolerance).
 */
import { mixtureReaches } from './grid';
import type { RatePeriod } from './types';

/** Slack for rounding and the Taylor error when a bound rules a crossing out (nats; the error is ≤ 1.1e-8 per event). */
export const BOUND_SLACK = 1e-6;
export const TAYLOR_ERROR_PER_EVENT = 2e-8;

/** Largest rises of the score at θ = 0 (harm) and at log tolerance (pass) over periods [from, to) where that test can cross. */
export interface ScoreRises {
  readonly harmRise: number;
  readonly passRise: number;
  /** Events in the run (for the Taylor error's slack). */
  readonly runEvents: number;
}

/** The score rises over the run [from, to) from its start (−∞ where a test cannot cross in the run). */
export function scoreRises(periods: readonly RatePeriod[], from: number, to: number, tolerance: number): ScoreRises {
  let score = 0;
  let passScore = 0;
  let harmRise = -Infinity;
  let passRise = -Infinity;
  let runEvents = 0;
  for (let i = from; i < to; i++) {
    const p = periods[i];
    const n = p.canaryCount + p.baselineCount;
    if (n === 0) continue;
    const r = p.canaryTotal / p.baselineTotal;
    score += p.canaryCount - (n * r) / (1 + r);
    passScore += (n * r * tolerance) / (1 + r * tolerance) - p.canaryCount;
    runEvents += n;
    if (p.canaryCount > 0 && score > harmRise) harmRise = score;
    if (p.canaryCount < n && passScore > passRise) passRise = passScore;
  }
  return { harmRise, passRise, runEvents };
}

/**
 * Whether log Σ w·exp(ℓ_g − base + slope_g·Δ) over the support [from, to) reaches `threshold`:
 * an upper bound on the log mixture at any period where the score rose by at most Δ.
 */
const boundTerms = new Float64Array(1024);
export function boundReaches(values: Float64Array, weights: Float64Array, from: number, to: number, base: number, slope: Float64Array, delta: number, threshold: number): boolean {
  for (let g = from; g < to; g++) boundTerms[g] = values[g] + slope[g] * delta;
  return mixtureReaches(boundTerms, weights, from, to, base, threshold);
}
