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
 * The parts: the θ grid and log-sum-exp (grid.ts), the priors (priors.ts), the likelihood by Taylor
 * moments (likelihood.ts), the bounds that skip periods where nothing can cross (bounds.ts), and here
 * the e-processes run over the periods. Every period is still checked for a crossing: only blocks
 * whose bound can reach 1/α are evaluated period by period, after halving: each half of such a block
 * is bounded again from its own start, so a crossing that is possible near one end does not make the
 * whole block (up to 64 periods) go period by period.
 */
import { BOUND_SLACK, boundReaches, scoreRises, TAYLOR_ERROR_PER_EVENT } from './bounds';
import { GRID, GRID_POINTS, logSumExp, mixtureReaches, ZERO_INDEX } from './grid';
import { GridLikelihood, maximumLikelihoodTheta, Moments } from './likelihood';
import { INTERVAL_WEIGHTS, priorsFor, type TolerancePriors } from './priors';
import { E_CAP, type RatePeriod, type RateTestOptions, type RateTestResult } from './types';

/**
 * Periods per block: ℓ is evaluated on the grid at block ends (and inside a block only where a
 * crossing is possible). Blocks double while their bound stays below 1/α, and start again short after
 * one that had to be checked period by period.
 */
const FIRST_BLOCK = 4;
const LONGEST_BLOCK = 64;
/** Periods between looks of the confidence sequence. */
const LOOK_SPACING = 8;

/** Buffers every call reuses (calls are synchronous, so they never overlap). */
const MOMENTS = new Moments();
const LIKELIHOOD = new GridLikelihood(MOMENTS);

/** One run of the harm and pass e-processes and the confidence sequence over a call's periods. */
class RateTestRun {
  private readonly logThreshold: number;
  private readonly priors: TolerancePriors;
  private readonly moments = MOMENTS;
  private readonly likelihood = LIKELIHOOD;

  harmShownAt: number | undefined;
  harmRuledOutAt: number | undefined;
  private decided = false;
  canaryExposure = 0;
  baselineExposure = 0;
  baselineEvents = 0;
  informative = 0;
  /** The confidence sequence so far: grid indices of its ends. */
  lowIndex = 0;
  highIndex = GRID_POINTS - 1;

  // Which test's bound can reach 1/α over a run of periods (set by mayCross): only that test is
  // checked period by period there (where its bound stays below, its mixture cannot cross, so
  // checking it would change nothing).
  private harmDetailed = false;
  private passDetailed = false;

  constructor(
    private readonly periods: readonly RatePeriod[],
    private readonly options: RateTestOptions,
  ) {
    this.logThreshold = Math.log(1 / options.alpha);
    this.priors = priorsFor(options.tolerance);
    this.moments.reset();
    this.likelihood.reset(Math.log(options.tolerance), this.priors.toleranceCoefficients);
  }

  run(): RateTestResult {
    const periods = this.periods;
    let blockLength = FIRST_BLOCK;
    let lastLook = 0;
    for (let start = 0; start < periods.length; ) {
      const end = Math.min(periods.length, start + blockLength);
      this.harmDetailed = this.passDetailed = false;
      if (!this.decided) this.mayCross(start, end);
      // Block lengths (and so the confidence sequence's looks) follow the whole block's bound.
      blockLength = this.harmDetailed || this.passDetailed ? FIRST_BLOCK : Math.min(LONGEST_BLOCK, 2 * blockLength);
      this.takeIn(start, end, this.harmDetailed, this.passDetailed);
      // Confidence sequence: intersect the sets at block ends at least LOOK_SPACING apart (fewer looks only widen it).
      if (this.moments.events > 0 && (end - lastLook >= LOOK_SPACING || end === periods.length)) {
        lastLook = end;
        this.narrowInterval(end);
      }
      start = end;
    }
    return this.result();
  }

  /** Bounds each test's mixture over the periods [from, to), from ℓ at `from` (evaluated from the moments). */
  private mayCross(from: number, to: number): void {
    const { harmRise, passRise, runEvents } = scoreRises(this.periods, from, to, this.options.tolerance);
    const slack = BOUND_SLACK + TAYLOR_ERROR_PER_EVENT * (this.moments.events + runEvents);
    const { harmWeights, passWeights, passEnd, passSlope } = this.priors;
    const likelihood = this.likelihood;
    likelihood.evaluate(from);
    const values = likelihood.values;
    this.harmDetailed = harmRise > -Infinity && boundReaches(values, harmWeights, ZERO_INDEX + 1, GRID_POINTS, values[ZERO_INDEX], GRID, harmRise, this.logThreshold - slack);
    this.passDetailed = passRise > -Infinity && boundReaches(values, passWeights, 0, passEnd, likelihood.tolValue, passSlope, passRise, this.logThreshold - slack);
  }

  /**
   * Takes in the periods [from, to), in order, checking period by period the tests `harm` / `pass`
   * (whose bounds from `from` can reach 1/α). A run longer than FIRST_BLOCK is halved first, each half
   * bounded again from its own start: a crossing near one end of a long block leaves the rest of it
   * bounded, not checked period by period.
   */
  private takeIn(from: number, to: number, harm: boolean, pass: boolean): void {
    if ((harm || pass) && !this.decided && to - from > FIRST_BLOCK) {
      const middle = from + ((to - from) >> 1);
      this.mayCross(from, middle);
      this.takeIn(from, middle, this.harmDetailed, this.passDetailed);
      if (this.decided) this.takeIn(middle, to, false, false);
      else {
        this.mayCross(middle, to);
        this.takeIn(middle, to, this.harmDetailed, this.passDetailed);
      }
      return;
    }
    const detailed = (harm || pass) && !this.decided;
    const { harmWeights, passWeights, passEnd } = this.priors;
    const likelihood = this.likelihood;
    const values = likelihood.values;
    // The grid points the detailed checks read: the harm mixture's support and its base θ = 0, the pass mixture's support.
    const updateFrom = pass ? 0 : ZERO_INDEX;
    const updateTo = harm ? GRID_POINTS : passEnd;
    for (let i = from; i < to; i++) {
      const p = this.periods[i];
      this.canaryExposure += p.canaryTotal;
      this.baselineExposure += p.baselineTotal;
      const n = p.canaryCount + p.baselineCount;
      if (n === 0) continue;
      this.informative++;
      this.baselineEvents += p.baselineCount;
      const logRatio = Math.log(p.canaryTotal / p.baselineTotal);
      this.moments.add(p.canaryCount, n, logRatio);
      if (!detailed || this.decided) continue;
      // A period without canary events lowers every term of the harm mixture (θ > 0), and one with
      // only canary events every term of the pass mixture: neither can cross there.
      const harmCanCross = p.canaryCount > 0;
      const passCanCross = p.canaryCount < n;
      // Inside a run, ℓ moves one period at a time; block ends re-evaluate from the moments, so every
      // call sees the same values there.
      likelihood.addPeriod(p.canaryCount, n, logRatio, updateFrom, updateTo, pass);
      if (harm && harmCanCross && mixtureReaches(values, harmWeights, ZERO_INDEX + 1, GRID_POINTS, values[ZERO_INDEX], this.logThreshold)) this.harmShownAt = p.t;
      else if (pass && passCanCross && mixtureReaches(values, passWeights, 0, passEnd, likelihood.tolValue, this.logThreshold)) this.harmRuledOutAt = p.t;
      this.decided = this.harmShownAt !== undefined || this.harmRuledOutAt !== undefined;
    }
  }

  /** Intersects the confidence sequence with the set not rejected by the two-sided mixture after `end` periods. */
  private narrowInterval(end: number): void {
    this.likelihood.evaluate(end);
    const values = this.likelihood.values;
    const floor = logSumExp(values, INTERVAL_WEIGHTS, 0, GRID_POINTS, 0) - this.logThreshold;
    let low = 0;
    while (low < GRID_POINTS && values[low] <= floor) low++;
    let high = GRID_POINTS - 1;
    while (high >= 0 && values[high] <= floor) high--;
    // Step out one grid point so the reported set contains the continuous one.
    low = Math.max(0, low - 1);
    high = Math.min(GRID_POINTS - 1, high + 1);
    if (Math.max(low, this.lowIndex) <= Math.min(high, this.highIndex)) {
      this.lowIndex = Math.max(low, this.lowIndex);
      this.highIndex = Math.min(high, this.highIndex);
    }
  }

  private result(): RateTestResult {
    const likelihood = this.likelihood;
    likelihood.evaluate(this.periods.length);
    const values = likelihood.values;
    const { harmWeights, passWeights, passEnd } = this.priors;
    const moments = this.moments;
    const none = moments.events === 0;
    const logEValue = none ? 0 : logSumExp(values, harmWeights, ZERO_INDEX + 1, GRID_POINTS, values[ZERO_INDEX]);
    const logEValuePass = none ? 0 : logSumExp(values, passWeights, 0, passEnd, likelihood.tolValue);

    const rateRatio = estimateFrom(moments, this.baselineEvents, this.canaryExposure, this.baselineExposure);
    const interval: [number | null, number | null] = none
      ? [null, null]
      : [this.lowIndex === 0 ? null : Math.exp(GRID[this.lowIndex]), this.highIndex === GRID_POINTS - 1 ? null : Math.exp(GRID[this.highIndex])];
    return {
      harmShownAt: this.harmShownAt,
      harmRuledOutAt: this.harmRuledOutAt,
      eValue: Math.exp(Math.min(logEValue, Math.log(E_CAP))),
      logEValue,
      eValuePass: Math.exp(Math.min(logEValuePass, Math.log(E_CAP))),
      logEValuePass,
      rateRatio,
      interval,
      informativePeriods: this.informative,
    };
  }
}

/**
 * Rate ratio estimate: the MLE, or with ½ event added to each arm when one arm has none; undefined
 * when neither arm had an event.
 */
function estimateFrom(moments: Moments, baselineEvents: number, canaryExposure: number, baselineExposure: number): number | undefined {
  const canaryEvents = moments.canaryEvents;
  if (canaryEvents === 0 && baselineEvents === 0) return undefined;
  if (canaryEvents === 0 || baselineEvents === 0) return (canaryEvents + 0.5) / canaryExposure / ((baselineEvents + 0.5) / baselineExposure);
  const start = Math.log(canaryEvents / canaryExposure / (baselineEvents / baselineExposure));
  return Math.exp(maximumLikelihoodTheta(moments, start));
}

/** The rate ratio's estimate alone (as `sequentialRateTest` reports it), without the tests. */
export function rateRatioEstimate(periods: readonly RatePeriod[]): number | undefined {
  const moments = MOMENTS;
  moments.reset();
  let baselineEvents = 0, canaryExposure = 0, baselineExposure = 0;
  for (const p of periods) {
    canaryExposure += p.canaryTotal;
    baselineExposure += p.baselineTotal;
    const n = p.canaryCount + p.baselineCount;
    if (n === 0) continue;
    baselineEvents += p.baselineCount;
    moments.add(p.canaryCount, n, Math.log(p.canaryTotal / p.baselineTotal));
  }
  return estimateFrom(moments, baselineEvents, canaryExposure, baselineExposure);
}

/** Runs the harm test, the pass test and the confidence sequence over the periods, in order. */
export function sequentialRateTest(periods: readonly RatePeriod[], options: RateTestOptions): RateTestResult {
  return new RateTestRun(periods, options).run();
}
