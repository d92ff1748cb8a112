/**
 * Anytime-valid comparison of two event rates (canary vs baseline) — the sequential count test.
 *
 * Conditioning on the events seen in a period removes the common level: if canary and baseline
 * served `eC` and `eB` requests and their event rates are λ·ρ and λ, the canary's share of the
 * period's `n` events is Binomial(n, ρ·r / (1 + ρ·r)) with r = eC / eB, whatever λ was (a burst
 * that hits both arms cancels). The log-likelihood of θ = log ρ over periods i is
 *   ℓ(θ) = Σ yᵢ·θ − Σ nᵢ·log(1 + e^θ·rᵢ)   (+ a constant),
 * and a mixture of likelihood ratios over a prior on θ is a test martingale under the null, so
 * Ville's inequality bounds the chance it ever reaches 1/α by α: it may be checked every period.
 *
 * - harm e-process: prior on θ > 0 against ρ = 1 (valid for the composite null ρ ≤ 1, because the
 *   likelihood ratio is monotone in ρ); `fail` once it reaches 1/α.
 * - pass e-process: prior on θ < log(tolerance) against ρ = tolerance (valid for ρ ≥ tolerance);
 *   `pass` once it reaches 1/α.
 * - confidence sequence: the ρ₀ not rejected by the two-sided mixture against ρ₀, intersected over
 *   time.
 *
 * The prior is a discrete grid on θ, so "integrating the mixture" is an exact finite sum — a
 * discrete prior is as valid as any. The grid is sinh-spaced (θ = a·sinh(h·k)): steps of 0.004 near
 * ρ = 1 growing to 0.08 at ×1.5 and 0.9 at ×100, so small ratios (×1.03–×1.08) are resolved and the
 * interval keeps shrinking with the data. Prior weights are density × spacing, so the discrete
 * mixture follows the continuous prior whatever the spacing.
 *
 * Speed: log(1 + e^θ·r) is a 4th-order Taylor expansion around buckets of log r 0.2 wide
 * (|error| ≤ 0.125·0.1⁵/120 ≈ 1.1e-8 nats per event), so ℓ on the whole grid is a function of five
 * moments per bucket (Σn, Σn·d … Σn·d⁴): a period costs O(1), and ℓ is evaluated on the grid once per
 * block of periods. Every period is still checked for a crossing: by convexity of log(1 + e^x),
 * ℓ(θ) − ℓ(0) grows by at most θ·(y − n·σ(s)) per period (θ > 0), so from the block's start a bound
 * on the harm mixture at every period of the block costs O(grid); only blocks whose bound can reach
 * 1/α are evaluated period by period (likewise for the pass mixture, around log tolerance), after
 * halving: each half of such a block is bounded again from its own start, so a crossing that is
 * possible near one end does not make the whole block (up to 64 periods) go period by period.
 */

/** One period with traffic in both arms. */
export interface RatePeriod {
  readonly t: number;
  readonly canaryCount: number;
  readonly canaryTotal: number;
  readonly baselineCount: number;
  readonly baselineTotal: number;
}

export interface RateTestOptions {
  /** Level of each test and of the confidence sequence. */
  readonly alpha: number;
  /** Rate ratio (> 1) below which a change is acceptable: `pass` rules out ρ ≥ tolerance. */
  readonly tolerance: number;
}

export interface RateTestResult {
  /** Period (`t`) at which the harm e-process first reached 1/α. */
  readonly harmShownAt?: number;
  /** Period (`t`) at which the pass e-process first reached 1/α. */
  readonly harmRuledOutAt?: number;
  /** Harm e-value at the last period (evidence against ρ ≤ 1), capped at E_CAP so it stays finite. */
  readonly eValue: number;
  /** Natural log of the harm e-value, uncapped (finite: a sum of log-likelihoods). */
  readonly logEValue: number;
  /** Pass e-value at the last period (evidence against ρ ≥ tolerance), capped at E_CAP. */
  readonly eValuePass: number;
  /** Natural log of the pass e-value, uncapped. */
  readonly logEValuePass: number;
  /**
   * Rate ratio estimate: the MLE, or with ½ event added to each arm when one arm has none;
   * undefined when neither arm had an event (nothing is known about the ratio).
   */
  readonly rateRatio?: number;
  /** Confidence sequence for ρ; `null` where it reaches the grid's end (×1/100 or ×100). */
  readonly interval: readonly [number | null, number | null];
  /** Periods that carried events (the others say nothing about ρ). */
  readonly informativePeriods: number;
}

/**
 * Largest e-value reported: beyond it only `logEValue` grows. 1e300 stays finite after rounding to
 * 4 significant digits (Number.MAX_VALUE rounds up to Infinity, which JSON writes as null).
 */
export const E_CAP = 1e300;


const THETA_MAX = Math.log(100);
/** sinh grid: θ_k = A·sinh(H·k), k = −K … K (θ = 0 is the middle point, exactly). */
const GRID_A = 0.02;
const GRID_H = 0.2;
const GRID_K = Math.ceil(Math.asinh(THETA_MAX / GRID_A) / GRID_H);
const GRID_POINTS = 2 * GRID_K + 1;
const ZERO_INDEX = GRID_K;
const GRID = Float64Array.from({ length: GRID_POINTS }, (_, g) => Math.max(-THETA_MAX, Math.min(THETA_MAX, GRID_A * Math.sinh(GRID_H * (g - GRID_K)))));
GRID[ZERO_INDEX] = 0;
/** Width each grid point stands for (half the gaps to its neighbours): prior weight = density × width. */
const GRID_WIDTH = Float64Array.from(GRID, (_, g) => (GRID[Math.min(GRID_POINTS - 1, g + 1)] - GRID[Math.max(0, g - 1)]) / 2);

/**
 * The harm prior, by tolerance τ: 90 % a normal on θ centred at 2.3·log τ (a regression a little more
 * than twice the tolerated excess: ×2.54 at τ = 1.5, ×1.070 at τ = 1.03) with sd 0.7·log τ, where a
 * regression worth a rollback most likely lies, and 10 % a half-normal of sd 2, so that a far smaller
 * or far larger ratio (a canary failing every request) is still found. Any prior keeps the test
 * valid; this one spends its evidence where the tolerance says harm starts. Against a half-normal of
 * sd 1 alone it takes the median time to fail from 1.17× to 1.08× Wald's oracle SPRT at ×2, and at
 * ×1.06 with τ = 1.03 from 2× to 1.33×; against the centre 2·log τ, sd 0.8·log τ it had before, the
 * median over all runs (interpolated between minutes) at ×3 from 1.19× to 1.12× the oracle's, the
 * others within ±0.03 (docs/benchmark.md, `npm run bench:judge -- --second-pass`).
 */
const HARM_CENTRE_PER_LOG_TOLERANCE = 2.3;
const HARM_SD_PER_LOG_TOLERANCE = 0.7;
const HARM_CENTRED_SHARE = 0.9;
const PRIOR_SD_HARM_TAIL = 2;
const PRIOR_SD_PASS = 0.5; // normal around θ = 0 truncated below log(tolerance)
const PRIOR_SD_INTERVAL = 1;
const BUCKET_WIDTH = 0.2;
/**
 * Periods per block: ℓ is evaluated on the grid at block ends (and inside a block only where a
 * crossing is possible). Blocks double while their bound stays below 1/α, and start again short after
 * one that had to be checked period by period.
 */
const FIRST_BLOCK = 4;
const LONGEST_BLOCK = 64;
/** Periods between looks of the confidence sequence. */
const LOOK_SPACING = 8;
/** Slack for rounding and the Taylor error when a bound rules a crossing out (nats; the error is ≤ 1.1e-8 per event). */
const BOUND_SLACK = 1e-6;
const TAYLOR_ERROR_PER_EVENT = 2e-8;

/** Scratch for the terms values + weights of a mixture (one per grid point; calls never overlap). */
const TERMS = new Float64Array(GRID_POINTS);

/** log Σ exp(values + weights) − shift over [from, to); terms 40 nats below the top are skipped (< 1e-17 each). */
function logSumExp(values: Float64Array, weights: Float64Array, from: number, to: number, shift: number): number {
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
function mixtureReaches(values: Float64Array, weights: Float64Array, from: number, to: number, base: number, threshold: number): boolean {
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
function weightsOf(density: (theta: number) => number): Float64Array {
  const weights = Float64Array.from(GRID, (theta, g) => density(theta) * GRID_WIDTH[g]);
  const total = weights.reduce((sum, weight) => sum + weight, 0);
  return weights.map((weight) => Math.log(weight / total));
}

/** log prior weights ∝ normal(θ; 0, sd) × width on the points `include` accepts, normalised to sum 1. */
function logWeights(sd: number, include: (theta: number) => boolean): Float64Array {
  return weightsOf((theta) => (include(theta) ? Math.exp(-(theta * theta) / (2 * sd * sd)) : 0));
}

const normalDensity = (theta: number, centre: number, sd: number) => Math.exp(-((theta - centre) ** 2) / (2 * sd * sd)) / (sd * Math.sqrt(2 * Math.PI));

/** The harm prior's density at θ = log ρ for a tolerance (see HARM_CENTRED_SHARE); 0 for θ ≤ 0 (the null). */
export function harmPriorDensity(theta: number, tolerance: number): number {
  if (!(theta > 0)) return 0;
  const thetaTolerance = Math.log(tolerance);
  const centred = normalDensity(theta, HARM_CENTRE_PER_LOG_TOLERANCE * thetaTolerance, HARM_SD_PER_LOG_TOLERANCE * thetaTolerance);
  return HARM_CENTRED_SHARE * centred + (1 - HARM_CENTRED_SHARE) * 2 * normalDensity(theta, 0, PRIOR_SD_HARM_TAIL);
}

const INTERVAL_WEIGHTS = logWeights(PRIOR_SD_INTERVAL, () => true);
/**
 * The mixtures' priors that depend on the tolerance (harm and pass), the pass support's end, the
 * bound's slopes and the Taylor coefficients at θ = log tolerance by bucket, by tolerance (a policy has few).
 */
interface PassPrior {
  readonly harmWeights: Float64Array;
  readonly passWeights: Float64Array;
  readonly passEnd: number;
  readonly passSlope: Float64Array;
  readonly toleranceCoefficients: Map<number, readonly number[]>;
}
const passPriorCache = new Map<number, PassPrior>();
function passPrior(tolerance: number): PassPrior {
  let prior = passPriorCache.get(tolerance);
  if (!prior) {
    const thetaTolerance = Math.log(tolerance);
    let passEnd = 0;
    while (passEnd < GRID_POINTS && GRID[passEnd] < thetaTolerance) passEnd++;
    prior = {
      harmWeights: weightsOf((theta) => harmPriorDensity(theta, tolerance)),
      passWeights: logWeights(PRIOR_SD_PASS, (theta) => theta < thetaTolerance),
      passEnd,
      passSlope: Float64Array.from(GRID, (theta) => thetaTolerance - theta),
      toleranceCoefficients: new Map(),
    };
    if (passPriorCache.size > 1_000) passPriorCache.clear();
    passPriorCache.set(tolerance, prior);
  }
  return prior;
}

function softplus(u: number): number {
  return u > 0 ? u + Math.log1p(Math.exp(-u)) : Math.log1p(Math.exp(u));
}

/** Taylor coefficients [k0..k4] of log(1 + e^(θ+c)) in δ at θ, around bucket centre c. */
function taylorCoefficients(theta: number, centre: number): [number, number, number, number, number] {
  const u = theta + centre;
  const s = 1 / (1 + Math.exp(-u));
  const d1 = s * (1 - s);
  const d2 = d1 * (1 - 2 * s);
  const d3 = d2 * (1 - 2 * s) - 2 * d1 * d1;
  return [softplus(u), s, d1 / 2, d2 / 6, d3 / 24];
}

/** Coefficients for every grid point, laid out [k0, k1, k2, k3, k4] per point; cached by bucket. */
const bucketCache = new Map<number, Float64Array>();
function gridCoefficients(bucket: number): Float64Array {
  let coefficients = bucketCache.get(bucket);
  if (!coefficients) {
    coefficients = new Float64Array(5 * GRID_POINTS);
    for (let g = 0; g < GRID_POINTS; g++) coefficients.set(taylorCoefficients(GRID[g], bucket * BUCKET_WIDTH), 5 * g);
    if (bucketCache.size > 10_000) bucketCache.clear();
    bucketCache.set(bucket, coefficients);
  }
  return coefficients;
}

/** Taylor coefficients of log(1 + e^(θ+c)) at one θ for a bucket, kept in `cache` (θ's own). */
function coefficientsAt(theta: number, bucket: number, cache: Map<number, readonly number[]>): readonly number[] {
  let coefficients = cache.get(bucket);
  if (!coefficients) {
    coefficients = taylorCoefficients(theta, bucket * BUCKET_WIDTH);
    if (cache.size > 10_000) cache.clear();
    cache.set(bucket, coefficients);
  }
  return coefficients;
}

/**
 * Sufficient statistics of the Taylor-expanded likelihood: Σy, and per bucket of log r the moments
 * Σn·dʲ (j = 0…4) of the offsets d from the bucket centre.
 */
class Moments {
  events = 0;
  canaryEvents = 0;
  readonly buckets: number[] = [];
  /** Each bucket's grid coefficients (gridCoefficients), looked up once per bucket. */
  private readonly coefficients: Float64Array[] = [];
  private lastSlot = 0;
  moments = new Float64Array(5 * 4);

  /** Empty again, keeping the buffers (one instance serves every call). */
  reset(): void {
    this.events = 0;
    this.canaryEvents = 0;
    this.moments.fill(0, 0, 5 * this.buckets.length);
    this.buckets.length = 0;
    this.coefficients.length = 0;
    this.lastSlot = 0;
  }

  add(y: number, n: number, s: number): void {
    const bucket = Math.round(s / BUCKET_WIDTH);
    const d = s - bucket * BUCKET_WIDTH;
    // Periods fall in a few buckets, mostly the last one used: a scan beats a Map here.
    let slot = this.buckets[this.lastSlot] === bucket ? this.lastSlot : this.buckets.indexOf(bucket);
    if (slot < 0) {
      slot = this.buckets.length;
      this.buckets.push(bucket);
      this.coefficients.push(gridCoefficients(bucket));
      if (5 * this.buckets.length > this.moments.length) {
        const grown = new Float64Array(2 * this.moments.length);
        grown.set(this.moments);
        this.moments = grown;
      }
    }
    this.lastSlot = slot;
    const m = this.moments;
    const o = 5 * slot;
    m[o] += n;
    m[o + 1] += n * d;
    m[o + 2] += n * d * d;
    m[o + 3] += n * d * d * d;
    m[o + 4] += n * d * d * d * d;
    this.events += n;
    this.canaryEvents += y;
  }

  /** ℓ(θ) on the whole grid into `out`. */
  evaluate(out: Float64Array): void {
    const y = this.canaryEvents;
    for (let g = 0; g < GRID_POINTS; g++) out[g] = y * GRID[g];
    const m = this.moments;
    for (let b = 0; b < this.buckets.length; b++) {
      const k = this.coefficients[b];
      const o = 5 * b;
      const m0 = m[o], m1 = m[o + 1], m2 = m[o + 2], m3 = m[o + 3], m4 = m[o + 4];
      for (let g = 0; g < GRID_POINTS; g++) {
        const c = 5 * g;
        out[g] -= k[c] * m0 + k[c + 1] * m1 + k[c + 2] * m2 + k[c + 3] * m3 + k[c + 4] * m4;
      }
    }
  }

  /** ℓ(θ) at one θ; `cache` holds θ's Taylor coefficients by bucket. */
  at(theta: number, cache: Map<number, readonly number[]>): number {
    let value = this.canaryEvents * theta;
    const m = this.moments;
    for (let b = 0; b < this.buckets.length; b++) {
      const k = coefficientsAt(theta, this.buckets[b], cache);
      const o = 5 * b;
      value -= k[0] * m[o] + k[1] * m[o + 1] + k[2] * m[o + 2] + k[3] * m[o + 3] + k[4] * m[o + 4];
    }
    return value;
  }

  /** Score ℓ'(θ) and information −ℓ''(θ), from the same expansion differentiated in θ. */
  scoreAndInformation(theta: number): [number, number] {
    let score = this.canaryEvents;
    let information = 0;
    const m = this.moments;
    for (let b = 0; b < this.buckets.length; b++) {
      const s = 1 / (1 + Math.exp(-(theta + this.buckets[b] * BUCKET_WIDTH)));
      const d1 = s * (1 - s);
      const d2 = d1 * (1 - 2 * s);
      const d3 = d2 * (1 - 2 * s) - 2 * d1 * d1;
      const d4 = d3 * (1 - 2 * s) - 6 * d1 * d2;
      const d5 = d4 * (1 - 2 * s) - 8 * d1 * d3 - 6 * d2 * d2;
      const o = 5 * b;
      score -= s * m[o] + d1 * m[o + 1] + (d2 / 2) * m[o + 2] + (d3 / 6) * m[o + 3] + (d4 / 24) * m[o + 4];
      information += d1 * m[o] + d2 * m[o + 1] + (d3 / 2) * m[o + 2] + (d4 / 6) * m[o + 3] + (d5 / 24) * m[o + 4];
    }
    return [score, information];
  }
}

/** Maximum-likelihood θ by safeguarded Newton on the score. */
function maximumLikelihoodTheta(moments: Moments, start: number): number {
  let theta = start;
  for (let iteration = 0; iteration < 50; iteration++) {
    const [score, information] = moments.scoreAndInformation(theta);
    if (!(information > 0)) break;
    const step = Math.max(-1, Math.min(1, score / information));
    theta += step;
    if (Math.abs(step) < 1e-9) break; // far below the 4 significant digits reported
  }
  return theta;
}

/**
 * Whether log Σ w·exp(ℓ_g − base + slope_g·Δ) over the support [from, to) reaches `threshold`:
 * an upper bound on the log mixture at any period where the score rose by at most Δ.
 */
const boundTerms = new Float64Array(1024);
function boundReaches(values: Float64Array, weights: Float64Array, from: number, to: number, base: number, slope: Float64Array, delta: number, threshold: number): boolean {
  for (let g = from; g < to; g++) boundTerms[g] = values[g] + slope[g] * delta;
  return mixtureReaches(boundTerms, weights, from, to, base, threshold);
}

/** Adds y·θ − n·log(1 + e^θ·r) on the grid points [from, to), from the bucket's coefficients `k` and offset `d`. */
function addToGrid(values: Float64Array, k: Float64Array, from: number, to: number, y: number, n: number, d: number): void {
  for (let g = from; g < to; g++) {
    const o = 5 * g;
    values[g] += y * GRID[g] - n * (k[o] + d * (k[o + 1] + d * (k[o + 2] + d * (k[o + 3] + d * k[o + 4]))));
  }
}

/** Buffers every call reuses (calls are synchronous, so they never overlap). */
const MOMENTS = new Moments();
const VALUES = new Float64Array(GRID_POINTS);

/** Runs the harm test, the pass test and the confidence sequence over the periods, in order. */
export function sequentialRateTest(periods: readonly RatePeriod[], options: RateTestOptions): RateTestResult {
  const logThreshold = Math.log(1 / options.alpha);
  const thetaTolerance = Math.log(options.tolerance);
  const { harmWeights: harmPrior, passWeights, passEnd, passSlope, toleranceCoefficients } = passPrior(options.tolerance);

  const moments = MOMENTS;
  moments.reset();
  const values = VALUES.fill(0); // ℓ on the grid at the last evaluation
  let valuesAt = 0; // number of periods `values` includes
  let tolValue = 0; // ℓ(log tolerance) at the same point
  const evaluate = (count: number) => {
    if (valuesAt === count) return;
    moments.evaluate(values);
    tolValue = moments.at(thetaTolerance, toleranceCoefficients);
    valuesAt = count;
  };
  /** Adds one period to ℓ on the grid points [from, to) (the supports the block checks), and to ℓ(log tolerance) when `tolerance`. */
  const addPeriod = (y: number, n: number, logRatio: number, from: number, to: number, tolerance: boolean) => {
    const bucket = Math.round(logRatio / BUCKET_WIDTH);
    const d = logRatio - bucket * BUCKET_WIDTH;
    addToGrid(values, gridCoefficients(bucket), from, to, y, n, d);
    if (tolerance) {
      const kt = coefficientsAt(thetaTolerance, bucket, toleranceCoefficients);
      tolValue += y * thetaTolerance - n * (kt[0] + d * (kt[1] + d * (kt[2] + d * (kt[3] + d * kt[4]))));
    }
    valuesAt = -1; // incrementally updated: the next evaluate() recomputes from the moments
  };

  let harmShownAt: number | undefined;
  let harmRuledOutAt: number | undefined;
  let lowIndex = 0;
  let highIndex = GRID_POINTS - 1;
  let canaryExposure = 0;
  let baselineExposure = 0;
  let baselineEvents = 0;
  let informative = 0;
  let blockLength = FIRST_BLOCK;
  let lastLook = 0;
  let decided = false;

  // Which test's bound can reach 1/α over a run of periods (set by mayCross): only that test is
  // checked period by period there (where its bound stays below, its mixture cannot cross, so
  // checking it would change nothing).
  let harmDetailed = false;
  let passDetailed = false;
  /** Bounds each test's mixture over the periods [from, to), from ℓ at `from` (evaluated from the moments). */
  const mayCross = (from: number, to: number) => {
    // Largest rise of the score at θ = 0 (harm) and at log tolerance (pass) at a period of the run
    // where that test can cross, from the run's start.
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
      passScore += (n * r * options.tolerance) / (1 + r * options.tolerance) - p.canaryCount;
      runEvents += n;
      if (p.canaryCount > 0 && score > harmRise) harmRise = score;
      if (p.canaryCount < n && passScore > passRise) passRise = passScore;
    }
    const slack = BOUND_SLACK + TAYLOR_ERROR_PER_EVENT * (moments.events + runEvents);
    evaluate(from);
    harmDetailed = harmRise > -Infinity && boundReaches(values, harmPrior, ZERO_INDEX + 1, GRID_POINTS, values[ZERO_INDEX], GRID, harmRise, logThreshold - slack);
    passDetailed = passRise > -Infinity && boundReaches(values, passWeights, 0, passEnd, tolValue, passSlope, passRise, logThreshold - slack);
  };
  /**
   * Takes in the periods [from, to), in order, checking period by period the tests `harm` / `pass`
   * (whose bounds from `from` can reach 1/α). A run longer than FIRST_BLOCK is halved first, each half
   * bounded again from its own start: a crossing near one end of a long block leaves the rest of it
   * bounded, not checked period by period.
   */
  const takeIn = (from: number, to: number, harm: boolean, pass: boolean): void => {
    if ((harm || pass) && !decided && to - from > FIRST_BLOCK) {
      const middle = from + ((to - from) >> 1);
      mayCross(from, middle);
      takeIn(from, middle, harmDetailed, passDetailed);
      if (decided) takeIn(middle, to, false, false);
      else {
        mayCross(middle, to);
        takeIn(middle, to, harmDetailed, passDetailed);
      }
      return;
    }
    const detailed = (harm || pass) && !decided;
    // The grid points the detailed checks read: the harm mixture's support and its base θ = 0, the pass mixture's support.
    const updateFrom = pass ? 0 : ZERO_INDEX;
    const updateTo = harm ? GRID_POINTS : passEnd;
    for (let i = from; i < to; i++) {
      const p = periods[i];
      canaryExposure += p.canaryTotal;
      baselineExposure += p.baselineTotal;
      const n = p.canaryCount + p.baselineCount;
      if (n === 0) continue;
      informative++;
      baselineEvents += p.baselineCount;
      const logRatio = Math.log(p.canaryTotal / p.baselineTotal);
      moments.add(p.canaryCount, n, logRatio);
      if (!detailed || decided) continue;
      // A period without canary events lowers every term of the harm mixture (θ > 0), and one with
      // only canary events every term of the pass mixture: neither can cross there.
      const harmCanCross = p.canaryCount > 0;
      const passCanCross = p.canaryCount < n;
      // Inside a run, ℓ moves one period at a time (O(grid), not O(grid × buckets)); block ends
      // re-evaluate from the moments, so every call sees the same values there.
      addPeriod(p.canaryCount, n, logRatio, updateFrom, updateTo, pass);
      if (harm && harmCanCross && mixtureReaches(values, harmPrior, ZERO_INDEX + 1, GRID_POINTS, values[ZERO_INDEX], logThreshold)) harmShownAt = p.t;
      else if (pass && passCanCross && mixtureReaches(values, passWeights, 0, passEnd, tolValue, logThreshold)) harmRuledOutAt = p.t;
      decided = harmShownAt !== undefined || harmRuledOutAt !== undefined;
    }
  };

  for (let start = 0; start < periods.length; ) {
    const end = Math.min(periods.length, start + blockLength);
    harmDetailed = passDetailed = false;
    if (!decided) mayCross(start, end);
    // Block lengths (and so the confidence sequence's looks) follow the whole block's bound.
    blockLength = harmDetailed || passDetailed ? FIRST_BLOCK : Math.min(LONGEST_BLOCK, 2 * blockLength);
    takeIn(start, end, harmDetailed, passDetailed);

    // Confidence sequence: intersect the sets at block ends at least LOOK_SPACING apart (fewer looks only widen it).
    if (moments.events > 0 && (end - lastLook >= LOOK_SPACING || end === periods.length)) {
      lastLook = end;
      evaluate(end);
      const floor = logSumExp(values, INTERVAL_WEIGHTS, 0, GRID_POINTS, 0) - logThreshold;
      let low = 0;
      while (low < GRID_POINTS && values[low] <= floor) low++;
      let high = GRID_POINTS - 1;
      while (high >= 0 && values[high] <= floor) high--;
      // Step out one grid point so the reported set contains the continuous one.
      low = Math.max(0, low - 1);
      high = Math.min(GRID_POINTS - 1, high + 1);
      if (Math.max(low, lowIndex) <= Math.min(high, highIndex)) {
        lowIndex = Math.max(low, lowIndex);
        highIndex = Math.min(high, highIndex);
      }
    }
    start = end;
  }

  evaluate(periods.length);
  const none = moments.events === 0;
  const logEValue = none ? 0 : logSumExp(values, harmPrior, ZERO_INDEX + 1, GRID_POINTS, values[ZERO_INDEX]);
  const logEValuePass = none ? 0 : logSumExp(values, passWeights, 0, passEnd, tolValue);

  const canaryEvents = moments.canaryEvents;
  let rateRatio: number | undefined;
  if (canaryEvents === 0 && baselineEvents === 0) {
    rateRatio = undefined;
  } else if (canaryEvents === 0 || baselineEvents === 0) {
    rateRatio = (canaryEvents + 0.5) / canaryExposure / ((baselineEvents + 0.5) / baselineExposure);
  } else {
    const start = Math.log(canaryEvents / canaryExposure / (baselineEvents / baselineExposure));
    rateRatio = Math.exp(maximumLikelihoodTheta(moments, start));
  }
  const interval: [number | null, number | null] = none
    ? [null, null]
    : [lowIndex === 0 ? null : Math.exp(GRID[lowIndex]), highIndex === GRID_POINTS - 1 ? null : Math.exp(GRID[highIndex])];
  return {
    harmShownAt,
    harmRuledOutAt,
    eValue: Math.exp(Math.min(logEValue, Math.log(E_CAP))),
    logEValue,
    eValuePass: Math.exp(Math.min(logEValuePass, Math.log(E_CAP))),
    logEValuePass,
    rateRatio,
    interval,
    informativePeriods: informative,
  };
}

/** The grid of θ = log ρ the mixtures sum over (for tests and documentation). */
export const THETA_GRID: Readonly<Float64Array> = GRID;
