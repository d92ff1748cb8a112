/** The sequential count test's input and output. */

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
