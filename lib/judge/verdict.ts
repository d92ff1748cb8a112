/**
 * A metric's decision: harm shown, harm ruled out, not enough evidence yet, or no data at all; at the
 * deadline, `inconclusive`: the evidence never decided (the policy's `onTimeout`/`onNoData` say so).
 */
export type MetricDecision = 'pass' | 'fail' | 'continue' | 'nodata' | 'inconclusive';

/**
 * The whole evaluation's decision. `continue` means "look again next period"; `inconclusive` (final)
 * means the deadline came before the evidence decided: the policy's `onInconclusive` says what
 * CodeDeploy hears.
 */
export type Decision = 'pass' | 'fail' | 'continue' | 'inconclusive';

/**
 * Where a sequential count metric's interval comes from, at its comparison's level (docs/judge.md):
 * - `harm-test` (`fail`): the ratios the harm test does not reject at the period it failed —
 *   one-sided, [low, null], low at or above the harm boundary (`harmAbove`, default 1). A fail by the
 *   absolute guard alone (the canary's own rate) reports no interval.
 * - `pass-test` (`pass`): the ratios the pass test does not reject when it passed — [null, high],
 *   high at or below the tolerance.
 * - `confidence-sequence` (undecided, inconclusive): the two-sided anytime-valid interval over the window.
 */
export type IntervalBasis = 'harm-test' | 'pass-test' | 'confidence-sequence';

/**
 * Which test a sequential count metric's `interval` comes from: its `intervalBasis` where set, else by
 * its decision (a test's fail or pass, or undecided).
 */
export function intervalBasisOf(result: Pick<MetricResult, 'decision' | 'intervalBasis'>): IntervalBasis {
  if (result.intervalBasis) return result.intervalBasis;
  return result.decision === 'fail' ? 'harm-test' : result.decision === 'pass' ? 'pass-test' : 'confidence-sequence';
}

/** What an arm contributed: counts for count metrics, samples for gauges, requests for cost. */
export interface ArmSummary {
  readonly periods: number;
  /** Count metrics: events and requests over the window. */
  readonly count?: number;
  readonly total?: number;
  /** Gauges: the median of the per-period values. */
  readonly median?: number;
  /** Cost metrics: requests, and USD per request over the window. */
  readonly requests?: number;
  readonly costPerRequest?: number;
}

/** Token types a cost verdict breaks spend down by (ccusage's columns, with reasoning apart from output). */
export const SPEND_TOKEN_TYPES = ['input', 'output', 'reasoning', 'cacheRead', 'cacheWrite'] as const;
export type SpendTokenType = (typeof SPEND_TOKEN_TYPES)[number];

/** One token type's tokens and USD per request on each version (USD at the verdict's prices). */
export interface TokenTypeSpend {
  readonly type: SpendTokenType;
  readonly baselineTokensPerRequest: number;
  readonly canaryTokensPerRequest: number;
  readonly baselineUsdPerRequest: number;
  readonly canaryUsdPerRequest: number;
}

/** The token type whose spend moved most in the harmful direction, and whether the prompt cache was missed. */
export interface SpendDriver {
  readonly type: SpendTokenType;
  /** Canary − baseline USD per request of that type. */
  readonly usdPerRequest: number;
  /** Cache reads fell while input rose by about as many tokens: cached prompt billed as input. */
  readonly cacheMiss: boolean;
}

/** What the budget gate projected (lib/judge/budget.ts), for the report, the JSON and the notification. */
export interface BudgetProjection {
  readonly period: 'daily' | 'monthly';
  /** The budget, USD per `period`. */
  readonly limitUsd: number;
  /** The new version's spend at full traffic, USD per `period`: the point estimate. */
  readonly projectedUsd: number;
  /** Its interval at `level` (two-sided). */
  readonly interval: readonly [number, number];
  readonly level: number;
  readonly action: 'fail' | 'warn';
  /** Periods of canary spend the projection is made from. */
  readonly periods: number;
}

/**
 * One metric's judgement. JSON-safe: every number is finite; an interval end that is unbounded
 * (beyond what the method can resolve, e.g. a rate ratio past ×100) is `null`.
 */
export interface MetricResult {
  readonly metric: string;
  readonly method: string;
  readonly decision: MetricDecision;
  readonly critical: boolean;
  /** Level of this metric's test (its Bonferroni share of the policy's α unless set). */
  readonly alpha?: number;
  readonly baseline: ArmSummary;
  readonly canary: ArmSummary;
  /** Effect estimate as a canary/baseline ratio: rate ratio (counts), level ratio (gauges), cost-per-request ratio (cost). */
  readonly effect?: number;
  /**
   * Interval for the effect; `null` ends are unbounded. Sequential count metrics report the interval
   * of the test that decided, at the comparison's level: `intervalBasisOf(result)` says which.
   */
  readonly interval?: readonly [number | null, number | null];
  /**
   * Set only where the decision does not tell the interval's basis: a sequential metric the deadline
   * decided (`onTimeout: pass | fail`) keeps its `confidence-sequence`. Read it with `intervalBasisOf`.
   */
  readonly intervalBasis?: IntervalBasis;
  /**
   * Evidence of harm: an e-value (sequential: reject "no harm" at E ≥ 1/α; capped at 1e300; where
   * the cap binds, its uncapped natural log is in `logEValue`) or a p-value (Mann–Whitney);
   * `guardEValue`: the absolute guard's e-value (sequential with `guardRate`), against 1/(α/2);
   * `eValuePass` (sequential, undecided only): the e-value against "a regression of the tolerance or
   * more", which says how near the test came to passing.
   */
  readonly evidence?: { readonly eValue?: number; readonly logEValue?: number; readonly guardEValue?: number; readonly pValue?: number; readonly eValuePass?: number };
  /** Set when the metric was not judged because its data was incomplete at this look: why (e.g. "CloudWatch returned PartialData for …"). */
  readonly dataIncomplete?: string;
  /** Cost metrics: where the prices came from (catalog or override, and its date): provenance for the report and JSON, not for chat. */
  readonly pricing?: string;
  /** Cost metrics: spend per request by token type, each version (why spend moved). */
  readonly spendByTokenType?: readonly TokenTypeSpend[];
  /** Cost metrics that failed: the token type that moved most. */
  readonly spendDriver?: SpendDriver;
  /** The budget gate (`metric: budget`): the projection of the new version's spend at full traffic. */
  readonly budget?: BudgetProjection;
  /** Problems with the metric's configuration found while judging (e.g. a horizon too short to ever reach α). */
  readonly warnings?: readonly string[];
  /** One line a person understands. */
  readonly reason: string;
}

/**
 * Why a metric ended `inconclusive`, derived from its result by `explainInconclusive`
 * (`lib/judge/inconclusive.ts`): not stored, so verdicts stay small.
 */
export interface InconclusiveMetric {
  /** `low-traffic`: no (or too few) requests or events on the new version; `undecided`: data, but not enough evidence. */
  readonly cause: 'low-traffic' | 'undecided' | 'incomplete-data';
  /**
   * `no-data`: no period with traffic on both versions; `no-events`: 0 events against 0; `weak-evidence`:
   * the e-values stayed below 1/α; `few-samples`: fewer samples than the method needs; `incomplete-data`:
   * the source never returned the metric's data complete (`dataIncomplete` says why). In words:
   * `describeInconclusive` (`lib/judge/inconclusive.ts`).
   */
  readonly detail: 'no-data' | 'no-events' | 'weak-evidence' | 'few-samples' | 'incomplete-data';
  /** Roughly how many requests on the new version would have decided it, when it can be told. */
  readonly neededCanaryTotal?: number;
  /** The same as a multiple of what the window had. */
  readonly trafficFactor?: number;
}

/**
 * The bake's log signal (issue 26, lib/evaluation/logs), as the verdict carries it to every view.
 * Samples and the signature are masked of secrets but not escaped: each renderer escapes for its medium.
 */
export interface LogSignalVerdict {
  readonly decision: Decision;
  readonly critical: boolean;
  readonly reason: string;
  /** The new error signature that failed, when one did. */
  readonly signature?: string;
  /** Up to 3 of the new version's lines with that signature. */
  readonly samples?: readonly string[];
  /** Logs Insights bytes scanned by this evaluation so far (what it is billed for), and their cost in USD. */
  readonly bytesScanned: number;
  readonly costUsd: number;
  readonly queries: number;
  readonly mostQueriesPerLook: number;
}

export interface Verdict {
  readonly decision: Decision;
  /** True when this verdict ends the evaluation (pass/fail, or the deadline was reached). */
  readonly final: boolean;
  readonly reason: string;
  /** Upper bound on the chance this evaluation fails a good release: Σ α of its critical tests. */
  readonly falseAlarmBound?: number;
  /** Share of the policy's α this phase spent (present when < 1: the deployment's phases split one budget). */
  readonly alphaShare?: number;
  readonly metrics: readonly MetricResult[];
  /**
   * Set when the decision is `inconclusive`: the critical metrics that lacked evidence; `unread` names those
   * of them whose data could not be read by the deadline (incomplete or throttled CloudWatch results): the
   * gate was blind to them, which the report step treats as an evaluator error, not as traffic too low.
   */
  readonly inconclusive?: { readonly lowTraffic: boolean; readonly metrics: readonly string[]; readonly unread?: readonly string[] };
  /** The bake's log signal, when the policy has `logs`. @default - none */
  readonly logs?: LogSignalVerdict;
}

/** Share of a sequential metric's α its absolute guard spends when on (the comparison keeps the rest). */
export const GUARD_ALPHA_SHARE = 0.5;

/**
 * The evidence (e-value) a metric's comparison needed to decide: 1/α, or 1/(α × (1 − GUARD_ALPHA_SHARE))
 * when an absolute guard took its share (its `guardEValue` is then present). Every view says this figure,
 * the one the method itself tested against.
 */
export function evidenceNeeded(result: Pick<MetricResult, 'alpha' | 'evidence'>): number | undefined {
  if (!result.alpha) return undefined;
  return result.evidence?.guardEValue !== undefined ? 1 / (result.alpha * (1 - GUARD_ALPHA_SHARE)) : 1 / result.alpha;
}
