/** A metric's decision: harm shown, harm ruled out, not enough evidence yet, or no data at all. */
export type MetricDecision = 'pass' | 'fail' | 'continue' | 'nodata';

/** The whole evaluation's decision. `continue` means "look again next period". */
export type Decision = 'pass' | 'fail' | 'continue';

/** What an arm contributed: counts for count metrics, samples for gauges. */
export interface ArmSummary {
  readonly periods: number;
  /** Count metrics: events and requests over the window. */
  readonly count?: number;
  readonly total?: number;
  /** Gauges: the median of the per-period values. */
  readonly median?: number;
}

export interface MetricResult {
  readonly metric: string;
  readonly method: string;
  readonly decision: MetricDecision;
  readonly critical: boolean;
  readonly baseline: ArmSummary;
  readonly canary: ArmSummary;
  /** Effect estimate: rate ratio (count metrics) or canary/baseline ratio (gauges). */
  readonly effect?: number;
  /** Interval for the effect, when the method gives one. */
  readonly interval?: readonly [number, number];
  /** Evidence of harm: e-value (sequential methods) or p-value (fixed-horizon tests). */
  readonly evidence?: { readonly eValue?: number; readonly pValue?: number };
  /** One line a person understands. */
  readonly reason: string;
}

export interface Verdict {
  readonly decision: Decision;
  /** True when this verdict ends the evaluation (pass/fail, or the deadline was reached). */
  readonly final: boolean;
  readonly reason: string;
  readonly metrics: readonly MetricResult[];
}
