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
 * discrete prior is as valid as any. For speed, log(1 + e^θ·r) is evaluated by a 4th-order Taylor
 * expansion around buckets of log r 0.2 wide (|error| ≤ 0.125·0.1⁵/120 ≈ 1.1e-8 nats per event).
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
const GRID_POINTS = 61; // odd: θ = 0 is the middle point; step ≈ 0.154 (ρ steps of ~17 %)
const PRIOR_SD_HARM = 1; // half-normal on θ > 0: mass on ×1.1 … ×7
const PRIOR_SD_PASS = 0.5; // normal around θ = 0 truncated below log(tolerance)
const PRIOR_SD_INTERVAL = 1;
const BUCKET_WIDTH = 0.2;
const MAX_INTERVAL_LOOKS = 12;
/** Every period of the newest RECENT_PERIODS_CHECKED is checked for a crossing, older ones every CHECK_STRIDE-th. */
const RECENT_PERIODS_CHECKED = 10;
const CHECK_STRIDE = 3;

const GRID = Float64Array.from({ length: GRID_POINTS }, (_, g) => -THETA_MAX + (2 * THETA_MAX * g) / (GRID_POINTS - 1));
const ZERO_INDEX = (GRID_POINTS - 1) / 2;
GRID[ZERO_INDEX] = 0;

/** log Σ exp(values + weights) − shift over [from, to); terms 40 nats below the top are skipped (< 1e-17 each). */
function logSumExp(values: Float64Array, weights: Float64Array, from: number, to: number, shift: number): number {
  let max = -Infinity;
  for (let g = from; g < to; g++) if (values[g] + weights[g] > max) max = values[g] + weights[g];
  if (max === -Infinity) return -Infinity;
  let sum = 0;
  for (let g = from; g < to; g++) {
    const term = values[g] + weights[g] - max;
    if (term > -40) sum += Math.exp(term);
  }
  return max + Math.log(sum) - shift;
}

/**
 * Whether log Σ w·exp(ℓ − base) ≥ threshold over the prior's support [from, to), computing the
 * sum only when the bounds max(ℓ + log w) ≤ log Σ ≤ max(ℓ + log w) + log(points) do not settle it.
 */
function mixtureReaches(values: Float64Array, weights: Float64Array, from: number, to: number, base: number, threshold: number): boolean {
  let max = -Infinity;
  for (let g = from; g < to; g++) if (values[g] + weights[g] > max) max = values[g] + weights[g];
  if (max - base >= threshold) return true;
  if (max - base + Math.log(to - from) < threshold) return false;
  return logSumExp(values, weights, from, to, base) >= threshold;
}

/** log prior weights ∝ normal(θ; 0, sd) on the points `include` accepts, normalised to sum 1. */
function logWeights(thetas: Float64Array, sd: number, include: (theta: number) => boolean): Float64Array {
  const weights = new Float64Array(thetas.length).fill(-Infinity);
  let total = 0;
  for (const theta of thetas) if (include(theta)) total += Math.exp(-(theta * theta) / (2 * sd * sd));
  thetas.forEach((theta, g) => {
    if (include(theta)) weights[g] = -(theta * theta) / (2 * sd * sd) - Math.log(total);
  });
  return weights;
}

const HARM_WEIGHTS = logWeights(GRID, PRIOR_SD_HARM, (theta) => theta > 0);
const INTERVAL_WEIGHTS = logWeights(GRID, PRIOR_SD_INTERVAL, () => true);
const passWeightsCache = new Map<number, Float64Array>();

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

/** Maximum-likelihood θ by safeguarded Newton on the score Y − Σ nᵢ·σ(θ + sᵢ). */
function maximumLikelihoodTheta(events: readonly { y: number; n: number; s: number }[], start: number): number {
  let theta = start;
  for (let iteration = 0; iteration < 50; iteration++) {
    let score = 0;
    let information = 0;
    for (const { y, n, s } of events) {
      const p = 1 / (1 + Math.exp(-(theta + s)));
      score += y - n * p;
      information += n * p * (1 - p);
    }
    if (information <= 0) break;
    const step = Math.max(-1, Math.min(1, score / information));
    theta += step;
    if (Math.abs(step) < 1e-9) break; // far below the 4 significant digits reported
  }
  return theta;
}

/** Runs the harm test, the pass test and the confidence sequence over the periods, in order. */
export function sequentialRateTest(periods: readonly RatePeriod[], options: RateTestOptions): RateTestResult {
  const logThreshold = Math.log(1 / options.alpha);
  const thetaTolerance = Math.log(options.tolerance);
  let passWeights = passWeightsCache.get(options.tolerance);
  if (!passWeights) {
    passWeights = logWeights(GRID, PRIOR_SD_PASS, (theta) => theta < thetaTolerance);
    passWeightsCache.set(options.tolerance, passWeights);
  }

  let passEnd = 0;
  while (passEnd < GRID_POINTS && GRID[passEnd] < thetaTolerance) passEnd++;
  // ℓ(θ) on the grid, and at θ = log(tolerance) (the pass test's null) on the side.
  const logLikelihood = new Float64Array(GRID_POINTS);
  let logLikelihoodAtTolerance = 0;
  // Taylor coefficients at the pass test's null θ = log(tolerance), by bucket (few buckets per call).
  const toleranceCoefficients = new Map<number, readonly number[]>();
  const events: { y: number; n: number; s: number }[] = [];
  let harmShownAt: number | undefined;
  let harmRuledOutAt: number | undefined;
  let lowIndex = 0;
  let highIndex = GRID_POINTS - 1;
  let canaryEvents = 0;
  let baselineEvents = 0;
  let canaryExposure = 0;
  let baselineExposure = 0;
  const lookEvery = Math.max(1, Math.ceil(periods.length / MAX_INTERVAL_LOOKS));

  for (let index = 0; index < periods.length; index++) {
    const period = periods[index];
    canaryExposure += period.canaryTotal;
    baselineExposure += period.baselineTotal;
    const y = period.canaryCount;
    const n = period.canaryCount + period.baselineCount;
    if (n === 0) continue;
    canaryEvents += y;
    baselineEvents += period.baselineCount;
    const s = Math.log(period.canaryTotal / period.baselineTotal);
    events.push({ y, n, s });
    const bucket = Math.round(s / BUCKET_WIDTH);
    const d = s - bucket * BUCKET_WIDTH;
    const k = gridCoefficients(bucket);
    for (let g = 0; g < GRID_POINTS; g++) {
      const o = 5 * g;
      logLikelihood[g] += y * GRID[g] - n * (k[o] + d * (k[o + 1] + d * (k[o + 2] + d * (k[o + 3] + d * k[o + 4]))));
    }
    let kt = toleranceCoefficients.get(bucket);
    if (!kt) toleranceCoefficients.set(bucket, (kt = taylorCoefficients(thetaTolerance, bucket * BUCKET_WIDTH)));
    logLikelihoodAtTolerance += y * thetaTolerance - n * (kt[0] + d * (kt[1] + d * (kt[2] + d * (kt[3] + d * kt[4]))));

    // A period without canary events lowers every term of the harm mixture (θ > 0), and one with only
    // canary events lowers every term of the pass mixture (θ < log tolerance): neither can cross then.
    // Older periods are checked every CHECK_STRIDE-th only: the evaluator judged them on earlier ticks,
    // and checking any subset of times keeps the guarantee (Ville's inequality holds at every time).
    const checkHere = index >= periods.length - RECENT_PERIODS_CHECKED || index % CHECK_STRIDE === 0;
    const intervalLook = index % lookEvery === 0 || index === periods.length - 1;
    if (checkHere && harmShownAt === undefined && y > 0 && mixtureReaches(logLikelihood, HARM_WEIGHTS, ZERO_INDEX + 1, GRID_POINTS, logLikelihood[ZERO_INDEX], logThreshold)) {
      harmShownAt = period.t;
    }
    if (checkHere && harmRuledOutAt === undefined && y < n && mixtureReaches(logLikelihood, passWeights, 0, passEnd, logLikelihoodAtTolerance, logThreshold)) {
      harmRuledOutAt = period.t;
    }

    // Confidence sequence: intersect the sets at a bounded number of looks (fewer looks only widen it).
    if (intervalLook) {
      const floor = logSumExp(logLikelihood, INTERVAL_WEIGHTS, 0, GRID_POINTS, 0) - logThreshold;
      let low = 0;
      while (low < GRID_POINTS && logLikelihood[low] <= floor) low++;
      let high = GRID_POINTS - 1;
      while (high >= 0 && logLikelihood[high] <= floor) high--;
      // Step out one grid point so the reported set contains the continuous one.
      low = Math.max(0, low - 1);
      high = Math.min(GRID_POINTS - 1, high + 1);
      if (Math.max(low, lowIndex) <= Math.min(high, highIndex)) {
        lowIndex = Math.max(low, lowIndex);
        highIndex = Math.min(high, highIndex);
      }
    }
  }

  const harmBase = logLikelihood[ZERO_INDEX];
  const passBase = logLikelihoodAtTolerance;
  const logEValue = events.length === 0 ? 0 : logSumExp(logLikelihood, HARM_WEIGHTS, ZERO_INDEX + 1, GRID_POINTS, harmBase);
  const logEValuePass = events.length === 0 ? 0 : logSumExp(logLikelihood, passWeights, 0, passEnd, passBase);

  let rateRatio: number | undefined;
  if (canaryEvents === 0 && baselineEvents === 0) {
    rateRatio = undefined;
  } else if (canaryEvents === 0 || baselineEvents === 0) {
    rateRatio = (canaryEvents + 0.5) / canaryExposure / ((baselineEvents + 0.5) / baselineExposure);
  } else {
    const start = Math.log(canaryEvents / canaryExposure / (baselineEvents / baselineExposure));
    rateRatio = Math.exp(maximumLikelihoodTheta(events, start));
  }
  const interval: [number | null, number | null] =
    events.length === 0
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
    informativePeriods: events.length,
  };
}
