/**
 * The interval of the test that decided (issue 22 item 6): a `fail` reports the ratios its harm test
 * family does not reject, a `pass` those its pass test family does not reject, each at the test's
 * level and at the period it decided — so a fail's interval lies above the harm boundary and a pass's
 * below the tolerance, which the two-sided confidence sequence (another prior, another test) does not
 * promise.
 *
 * The families: for a null ρ₀ = e^θ₀ on the θ grid,
 * - harm: Σ w(θ − θ₀)·exp(ℓ(θ) − ℓ(θ₀)) over grid points θ > θ₀, w the harm prior shifted to θ₀ (at
 *   θ₀ = 0 it is the harm test itself); an e-process for "ρ ≤ ρ₀";
 * - pass: Σ w(θ)·exp(ℓ(θ) − ℓ(θ₀)) over grid points θ < θ₀, w the pass prior truncated at θ₀ (at
 *   θ₀ = log tolerance it is the pass test itself); an e-process for "ρ ≥ ρ₀".
 * Each is valid at any stopping time, in particular the decision's; the reported bound is the last grid
 * point, moving away from the boundary the test rejected, up to which every null is rejected.
 */
import { GRID, GRID_POINTS, GRID_WIDTH, ZERO_INDEX } from './grid';
import { Moments } from './likelihood';
import { harmPriorDensity, passPriorDensity } from './priors';
import type { RatePeriod } from './types';

function likelihoodOnGrid(periods: readonly RatePeriod[]): { values: Float64Array; moments: Moments } {
  const moments = new Moments();
  for (const p of periods) {
    const n = p.canaryCount + p.baselineCount;
    if (n > 0) moments.add(p.canaryCount, n, Math.log(p.canaryTotal / p.baselineTotal));
  }
  const values = new Float64Array(GRID_POINTS);
  moments.evaluate(values);
  return { values, moments };
}

/** log Σ w_g·exp(values_g − base) over the grid points `g` selects, w ∝ density·width normalised there. */
function logMixture(values: Float64Array, base: number, density: (g: number) => number): number {
  let total = 0;
  let max = -Infinity;
  const terms: number[] = [];
  for (let g = 0; g < GRID_POINTS; g++) {
    const weight = density(g) * GRID_WIDTH[g];
    if (!(weight > 0)) continue;
    total += weight;
    const term = Math.log(weight) + values[g];
    terms.push(term);
    if (term > max) max = term;
  }
  if (terms.length === 0) return -Infinity;
  const sum = terms.reduce((s, term) => s + Math.exp(term - max), 0);
  return max + Math.log(sum) - Math.log(total) - base;
}

/**
 * Lower end of the harm test's interval at a fail: ρ₀ below it are rejected by the harm family at
 * level α over `periods` (the periods up to the decision). At least 1 (the boundary the test rejected).
 */
export function harmLowerBound(periods: readonly RatePeriod[], alpha: number, tolerance: number): number {
  const { values } = likelihoodOnGrid(periods);
  const logThreshold = Math.log(1 / alpha);
  let last = ZERO_INDEX;
  for (let j = ZERO_INDEX + 1; j < GRID_POINTS - 1; j++) {
    const theta0 = GRID[j];
    const logE = logMixture(values, values[j], (g) => (g > j ? harmPriorDensity(GRID[g] - theta0, tolerance) : 0));
    if (logE < logThreshold) break;
    last = j;
  }
  return Math.exp(GRID[last]);
}

/**
 * Upper end of the pass test's interval at a pass: ρ₀ above it are rejected by the pass family at level
 * α over `periods` (up to the decision). At most the tolerance (the boundary the test rejected).
 */
export function passUpperBound(periods: readonly RatePeriod[], alpha: number, tolerance: number): number {
  const { values } = likelihoodOnGrid(periods);
  const logThreshold = Math.log(1 / alpha);
  const thetaTolerance = Math.log(tolerance);
  let bound = tolerance;
  for (let j = GRID_POINTS - 1; j > 0; j--) {
    const theta0 = GRID[j];
    if (theta0 >= thetaTolerance) continue;
    const logE = logMixture(values, values[j], (g) => (GRID[g] < theta0 ? passPriorDensity(GRID[g]) : 0));
    if (logE < logThreshold) break;
    bound = Math.exp(theta0);
  }
  return bound;
}
