import type { MetricDefinition, Policy } from '../policy';
import { POLICY_DEFAULTS } from '../policy/defaults';
import type { MetricObservations, Observations } from './observations';
import { judgeThreshold } from './threshold';
import { judgeSequential } from './sequential';
import { judgeTimeShifted } from './time-shift/method';
import { judgeMannWhitney } from './mann-whitney-method';
import { judgeAlarmGate } from './alarm-gate';
import { judgeCost } from './cost';
import { judgeBudget } from './budget';
import type { MethodContext } from './method-context';
import { validateObservations } from './validate';
import type { Decision, MetricResult, Verdict } from './verdict';
import { explainInconclusive, passesAtDeadlineByItsMethod } from './inconclusive';
import { verdictSummary } from './plain';

export interface JudgeOptions {
  /** True at the last look: undecided metrics take the policy's `onTimeout`/`onNoData`. @default false */
  readonly deadlineReached?: boolean;
  /**
   * Share of the policy's α this judgement may spend, so that the phases of one deployment (canary
   * watch, bake) share one false-alarm budget: e.g. 0.5 for each of the two. Every metric's α
   * (its Bonferroni share or its own `alpha`) is scaled by it, and the verdict reports it.
   * @default 1 (the whole α: two phases then spend up to 2α per deployment)
   */
  readonly alphaShare?: number;
  /**
   * Length of one observation period, seconds: the budget gate scales the spend per period to a day or a
   * month with it. @default 60 (the canary watch's and the bake's default period)
   */
  readonly periodSeconds?: number;
}

const METHODS_WITH_ALPHA = new Set(['sequential', 'mann-whitney', 'cost']);

/**
 * Each metric's α: its own when set, else an equal (Bonferroni) share of the policy's α over the
 * metrics whose method uses one, so that Σ α over the run stays ≤ the policy's α (when no metric
 * overrides it).
 */
export function alphaOf(policy: Policy): Map<string, number> {
  const testing = policy.metrics.filter((metric) => METHODS_WITH_ALPHA.has(metric.method.type));
  const share = policy.alpha / Math.max(1, testing.length);
  return new Map(testing.map((metric) => [metric.name, ('alpha' in metric.method && metric.method.alpha) || share]));
}

/**
 * A metric whose data the source could not complete (`observed.incomplete`) is not judged: judged on
 * what came, a missing count would read as fewer events. It waits, and at the deadline it is
 * `inconclusive` with the reason, whatever `onTimeout`/`onNoData` say: never a pass.
 */
function notJudged(metric: MetricDefinition, observed: MetricObservations, incomplete: string, context: MethodContext): MetricResult {
  const periods = (arm: 'baseline' | 'canary') => (observed.kind === 'alarm' ? 0 : observed[arm].length);
  return {
    metric: metric.name,
    method: metric.method.type,
    decision: context.deadlineReached ? 'inconclusive' : 'continue',
    critical: metric.critical,
    baseline: { periods: periods('baseline') },
    canary: { periods: periods('canary') },
    dataIncomplete: incomplete,
    reason: `${metric.name}: not judged, ${incomplete}`,
  };
}

function judgeMetric(metric: MetricDefinition, observed: MetricObservations, context: MethodContext, observations: Observations): MetricResult {
  if (observed.kind !== 'alarm' && observed.incomplete) return notJudged(metric, observed, observed.incomplete, context);
  const method = metric.method;
  // validateObservations has checked that each metric has observations of its kind.
  if (metric.kind === 'alarm' && observed.kind === 'alarm' && method.type === 'alarm-gate') return judgeAlarmGate(metric, method, observed);
  if (metric.kind === 'cost' && observed.kind === 'tokens' && method.type === 'cost') {
    // Cost per successful request divides by requests less the failures of another (count) metric.
    const errors = method.errorsFrom === undefined ? undefined : observations[method.errorsFrom];
    return judgeCost(metric, method, observed, context, errors?.kind === 'count' ? errors : undefined);
  }
  if (metric.kind === 'count' && observed.kind === 'count') {
    if (method.type === 'sequential') {
      // The bake's baseline is from before the deployment: a comparison across time, calibrated on its history.
      if (observed.timeShift) return judgeTimeShifted(metric, method, { ...observed, timeShift: observed.timeShift }, context);
      return judgeSequential(metric, method, observed, context);
    }
    if (method.type === 'threshold') return judgeThreshold(metric, method, observed);
  }
  if (metric.kind === 'gauge' && observed.kind === 'gauge') {
    if (method.type === 'mann-whitney') return judgeMannWhitney(metric, method, observed, context);
    if (method.type === 'threshold') return judgeThreshold(metric, method, observed);
  }
  throw new Error(`metric "${metric.name}": method "${method.type}" cannot judge ${metric.kind} metrics with ${observed.kind} observations`);
}

/** 4 significant digits: verdicts are read by people and stored in logs; the JSON stays small. */
function significant(value: number): number {
  return Number(value.toPrecision(4));
}

function compact(result: MetricResult): MetricResult {
  const { effect, interval, evidence, alpha } = result;
  return {
    ...result,
    ...(alpha !== undefined && { alpha: significant(alpha) }),
    ...(effect !== undefined && { effect: significant(effect) }),
    ...(interval && { interval: [interval[0] === null ? null : significant(interval[0]), interval[1] === null ? null : significant(interval[1])] as const }),
    ...(evidence && { evidence: Object.fromEntries(Object.entries(evidence).map(([key, value]) => [key, significant(value as number)])) }),
  };
}

/**
 * Applies the deadline rules to a metric that has not decided by itself: `onTimeout` (undecided) and
 * `onNoData` (no data) say `pass`, `fail` or, by default, `inconclusive`. Threshold and alarm-gate
 * metrics, which never prove the absence of harm, pass when nothing breached (unless `onTimeout: fail`).
 */
function atDeadline(result: MetricResult, policy: Policy): MetricResult {
  const onTimeout = policy.onTimeout ?? POLICY_DEFAULTS.onTimeout;
  const onNoData = policy.onNoData ?? POLICY_DEFAULTS.onNoData;
  if (result.decision === 'continue' && passesAtDeadlineByItsMethod(result)) {
    const decision = onTimeout === 'fail' ? 'fail' : 'pass';
    return { ...result, decision, reason: `${result.reason}; deadline: ${decision === 'pass' ? 'no breach through the window' : 'onTimeout=fail'}` };
  }
  const rule = result.decision === 'continue' ? { name: 'onTimeout', value: onTimeout } : result.decision === 'nodata' ? { name: 'onNoData', value: onNoData } : undefined;
  if (!rule) return result;
  // The why is derived from the result when shown (`describeInconclusive`): verdicts travel in state and events.
  if (rule.value === 'inconclusive') return { ...result, decision: 'inconclusive' };
  // A sequential interval stays the confidence sequence: no test decided (intervalBasisOf).
  const basis = result.method === 'sequential' && result.interval ? { intervalBasis: 'confidence-sequence' as const } : {};
  return { ...result, ...basis, decision: rule.value, reason: `${result.reason}; deadline: ${rule.name}=${rule.value}` };
}

/**
 * The decision engine: observations + policy → verdict. Pure: no clock, no I/O.
 * Observations are validated first (`ObservationError` names each problem).
 * A critical metric that fails fails the run at once; the run passes when every metric passes,
 * or at the deadline when nothing critical failed (after `onTimeout`/`onNoData`); a deadline that leaves
 * a critical metric undecided is `inconclusive`, with why and what traffic would have decided it.
 */
export function judge(policy: Policy, observations: Observations, options: JudgeOptions = {}): Verdict {
  validateObservations(policy, observations);
  const deadlineReached = options.deadlineReached ?? false;
  const alphaShare = options.alphaShare ?? 1;
  if (!(alphaShare > 0 && alphaShare <= 1)) throw new Error(`judge: alphaShare must be in (0, 1], got ${alphaShare}`);
  const alphas = new Map([...alphaOf(policy)].map(([name, alpha]) => [name, alpha * alphaShare]));
  let results = policy.metrics.map((metric) =>
    judgeMetric(metric, observations[metric.name], { alpha: alphas.get(metric.name) ?? policy.alpha, deadlineReached }, observations),
  );
  // The budget gate: the new version's spend at full traffic against the policy's budget, beside the metrics.
  if (policy.budget) {
    const periodSeconds = options.periodSeconds ?? 60;
    if (!(periodSeconds > 0)) throw new Error(`judge: periodSeconds must be positive, got ${periodSeconds}`);
    results.push(judgeBudget(policy.budget, policy, observations, periodSeconds));
  }
  results = results.map(compact);
  if (deadlineReached) results = results.map((result) => atDeadline(result, policy));
  const falseAlarmBound = Math.min(
    1,
    policy.metrics.reduce((sum, metric) => sum + (metric.critical ? (alphas.get(metric.name) ?? 0) : 0), 0),
  );

  const failed = results.filter((result) => result.critical && result.decision === 'fail');
  if (failed.length > 0) {
    const reason = failed.length === 1 ? failed[0].reason : `${failed.length} critical metrics failed: ${failed.map((result) => result.metric).join(', ')}`;
    return { decision: 'fail', final: true, reason, falseAlarmBound, ...(alphaShare < 1 && { alphaShare }), metrics: results };
  }
  // A non-critical metric never holds the run: not while it fails, nor once the deadline left it undecided.
  const allPassed = results.every((result) => result.decision === 'pass' || (!result.critical && (result.decision === 'fail' || result.decision === 'inconclusive')));
  if (!allPassed && deadlineReached) {
    // The deadline came and the evidence did not decide: say so, never "pass".
    const undecided = results.filter((result) => result.critical && result.decision === 'inconclusive');
    const lowTraffic = undecided.length > 0 && undecided.every((result) => explainInconclusive(result).cause === 'low-traffic');
    // Each reason once: the summary names the metrics; each metric's own result says what would have decided it.
    const reason = verdictSummary({ decision: 'inconclusive', metrics: results, reason: 'no verdict by the deadline' });
    const unread = undecided.filter((result) => result.dataIncomplete !== undefined).map((result) => result.metric);
    return {
      decision: 'inconclusive',
      final: true,
      reason,
      falseAlarmBound,
      ...(alphaShare < 1 && { alphaShare }),
      metrics: results,
      inconclusive: { lowTraffic, metrics: undecided.map((result) => result.metric), ...(unread.length > 0 && { unread }) },
    };
  }
  const decision: Decision = allPassed ? 'pass' : 'continue';
  const reason = results.length === 0 ? 'no metrics in the policy' : verdictSummary({ decision, metrics: results, reason: '' });
  return { decision, final: decision !== 'continue', reason, falseAlarmBound, ...(alphaShare < 1 && { alphaShare }), metrics: results };
}
