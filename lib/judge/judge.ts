import type { MetricDefinition, Policy } from '../policy';
import type { Observations } from './observations';
import { judgeThreshold } from './threshold';
import type { Decision, MetricResult, Verdict } from './verdict';

export interface JudgeOptions {
  /** True at the last look: undecided metrics take the policy's `onTimeout`/`onNoData`. @default false */
  readonly deadlineReached?: boolean;
}

function judgeMetric(metric: MetricDefinition, observations: Observations): MetricResult {
  const observed = observations[metric.name];
  if (!observed || observed.kind !== metric.kind) {
    throw new Error(
      `observations for metric "${metric.name}" are missing or not of kind "${metric.kind}"; ` +
        `provide { kind: "${metric.kind}", baseline: [...], canary: [...] } under "${metric.name}"`,
    );
  }
  switch (metric.method.type) {
    case 'threshold':
      return judgeThreshold(metric, metric.method, observed);
  }
}

/** Applies the deadline rules to a metric that has not decided by itself. */
function atDeadline(result: MetricResult, policy: Policy): MetricResult {
  if (result.decision === 'continue') {
    return { ...result, decision: policy.onTimeout, reason: `${result.reason}; deadline reached, onTimeout=${policy.onTimeout}` };
  }
  if (result.decision === 'nodata') {
    return { ...result, decision: policy.onNoData, reason: `${result.reason}; deadline reached, onNoData=${policy.onNoData}` };
  }
  return result;
}

/**
 * The decision engine: observations + policy → verdict. Pure: no clock, no I/O.
 * A critical metric that fails fails the run at once; the run passes when every metric passes,
 * or at the deadline when nothing critical failed.
 */
export function judge(policy: Policy, observations: Observations, options: JudgeOptions = {}): Verdict {
  let results = policy.metrics.map((metric) => judgeMetric(metric, observations));
  if (options.deadlineReached) results = results.map((result) => atDeadline(result, policy));

  const failed = results.filter((result) => result.critical && result.decision === 'fail');
  if (failed.length > 0) {
    return { decision: 'fail', final: true, reason: failed.map((result) => result.reason).join('; '), metrics: results };
  }
  const allPassed = results.every((result) => result.decision === 'pass' || (!result.critical && result.decision === 'fail'));
  const decision: Decision = allPassed ? 'pass' : 'continue';
  const reason =
    results.length === 0
      ? 'no metrics in the policy'
      : decision === 'pass'
        ? `all ${results.length} metric(s) passed`
        : `waiting for evidence: ${results.filter((r) => r.decision === 'continue' || r.decision === 'nodata').map((r) => r.metric).join(', ')}`;
  return { decision, final: decision !== 'continue', reason, metrics: results };
}
