/**
 * The grid of θ = log ρ the sequential count test's mixtures sum over, and the log-sum-exp over it.
 *
 * The prior is a discrete grid on θ, so "integrating the mixture" is an exact finite sum — a discrete
 * prior is as valid as any. The grid is sinh-spaced (θ = a·sinh(h·k)): steps of 0.004 near ρ = 1
 * growing to 0.08 at ×1.5 and 0.9 at ×100, so small ratios (×1.03–×1.08) are resolved and the interval
 * keeps shrinking with the data. Prior weights are density × spacing, so the discrete mixture follows
 * the continuous prior whatever the spacing.
 */

export const THETA_MAX = Math.log(100);
/** sinh grid: θ_k = A·sinh(H·k), k = −K … K (θ = 0 is the middle point, exactly). */
const GRID_A = 0.02;
const GRID_H = 0.2;
const GRID_K = Math.ceil(Math.asinh(THETA_MAX / GRID_A) / GRID_H);
export const GRID_POINTS = 2 * GRID_K + 1;
export const ZERO_INDEX = GRID_K;
export const GRID = Float64Array.from({ length: GRID_POINTS }, (_, g) => Math.max(-THETA_MAX, Math.min(THETA_MAX, GRID_A * Math.sinh(GRID_H * (g - GRID_K)))));
GRID[ZERO_INDEX] = 0;
/** Width each grid point stands for (half the gaps to its neighbours): prior weight = density × width. */
export const GRID_WIDTH = Float64Array.from(GRID, (_, g) => (GRID[Math.min(GRID_POINTS - 1, g + 1)] - GRID[Math.max(0, g - 1)]) / 2);

/** Scratch for the terms values + weights of a mixture (one per grid point; calls never overlap). */
const TERMS = new Float64Array(GRID_POINTS);

/** log Σ exp(values + weights) − shift over [from, to); terms 40 nats below the top are skipped (< 1e-17 each). */
export function logSumExp(values: Float64Array, weights: Float64Array, from: number, to: number, shift: number): number {
  let max = -Infinity;
  for (let g = from; g < to; g++) {
    const term = values[g] + weights[g];
    TERMS[g] = term;
    if (term > max) max = term;
  }
  return sumTerms(from, to, max, shift);
}

/** log Σ exp(TERMS) − shift over [from, to), given the terms' maximum. */
function sumTerms(from: number, to: number, max: number, shift: number): number {
  if (max === -Infinity) return -Infinity;
  let sum = 0;
  for (let g = from; g < to; g++) {
    const term = TERMS[g] - max;
    if (term > -40) sum += Math.exp(term);
  }
  return max + Math.log(sum) - shift;
}

/**
 * Whether log Σ w·exp(ℓ − base) ≥ threshold over the prior's support [from, to), computing the
 * sum only when the bounds max(ℓ + log w) ≤ log Σ ≤ min(max ℓ, max(ℓ + log w) + log(points)) (the
 * weights sum to 1) do not settle it.
 */
export function mixtureReaches(values: Float64Array, weights: Float64Array, from: number, to: number, base: number, threshold: number): boolean {
  let max = -Infinity;
  let maxValue = -Infinity;
  for (let g = from; g < to; g++) {
    const value = values[g];
    const term = value + weights[g];
    TERMS[g] = term;
    if (term > max) max = term;
    if (value > maxValue) maxValue = value;
  }
  if (max - base >= threshold) return true;
  if (max - base + Math.log(to - from) < threshold || maxValue - base < threshold) return false;
  return sumTerms(from, to, max, base) >= threshold;
}

/** log prior weights ∝ density(θ) × width on the points where the density is positive, normalised to sum 1. */
export function weightsOf(density: (theta: number) => number): Float64Array {
  const weights = Float64Array.from(GRID, (theta, g) => density(theta) * GRID_WIDTH[g]);
  const total = weights.reduce((sum, weight) => sum + weight, 0);
  return weights.map((weight) => Math.log(weight / total));
}

/** log prior weights ∝ normal(θ; 0, sd) × width on the points `include` accepts, normalised to sum 1. */
export function logWeights(sd: number, include: (theta: number) => boolean): Float64Array {
  return weightsOf((theta) => (include(theta) ? Math.exp(-(theta * theta) / (2 * sd * sd)) : 0));
}
