/**
 * Time limits a policy must fit in. One source for validation (here), synth (the construct) and the
 * run-time plan (`lib/evaluation/steps.ts`), so a policy the validator accepts is one the plan can honour.
 */

/** CodeDeploy fails a lifecycle hook not reported within an hour (CodeDeploy User Guide, "AppSpec 'hooks' section"). */
export const HOOK_DEADLINE_SECONDS = 3600;
/** Every verdict is final this long before the hook deadline: time for post-deploy smoke tests and the report's retries. */
export const REPORT_RESERVE_SECONDS = 600;
/** Time set aside for post-deploy smoke tests after the bake. */
export const SMOKE_TEST_ALLOWANCE_SECONDS = 300;
/**
 * Longest a hook's asynchronous event may wait before the hook function runs (the hooks'
 * `EventInvokeConfig.MaximumEventAgeInSeconds`; Lambda's default is 6 hours). `hookInvokedAt` is when the
 * handler ran, not when CodeDeploy invoked it, so the budget assumes the event waited this long.
 */
export const HOOK_MAX_EVENT_AGE_SECONDS = 300;
/** Seconds after the hook invocation by which every judged period must be visible (the plan's `reportBy`). */
export const JUDGING_BUDGET_SECONDS = HOOK_DEADLINE_SECONDS - REPORT_RESERVE_SECONDS - HOOK_MAX_EVENT_AGE_SECONDS;
/** The construct's default `evaluationTimeout` (55 minutes). */
export const DEFAULT_EVALUATION_TIMEOUT_SECONDS = 3300;
/** Time the report step needs after the last look (a 60 s Task with retries). */
export const REPORT_ALLOWANCE_SECONDS = 120;
/** The longest wait a step may ask for: the Wait states' bound, and what the steps check their results against. */
export const MAX_WAIT_SECONDS = HOOK_DEADLINE_SECONDS;
/**
 * No hook waits longer than an Amazon ECS lifecycle hook's longest timeout, 1,440 minutes (Amazon ECS
 * Developer Guide, "Lambda hooks for Amazon ECS service deployments", timeout configuration): the longest
 * duration a policy may write. Whether a duration fits is the time rules' question (`lib/policy/fit.ts`),
 * against the deadline of the hook the policy runs at: a CodeDeploy hook's hour unless an ECS native
 * registration fits it to its own hook timeout.
 */
export const MAX_DURATION_SECONDS = 1440 * 60;
/** CloudWatch standard metrics arrive within minutes; a longer lag leaves nothing to judge. */
export const MAX_METRIC_LAG_SECONDS = 900;
/**
 * Periods of a `MetricStat` must be 1, 5, 10, 20, 30 or a multiple of 60 seconds, and only
 * high-resolution metrics have sub-minute data (CloudWatch API Reference, `MetricStat.Period`);
 * the evaluator's metrics are standard resolution, so a period is a whole number of minutes.
 */
export const PERIOD_MULTIPLE_SECONDS = 60;

/** `90` → "90 s", `900` → "15 min (900 s)". */
export function formatSeconds(seconds: number): string {
  return seconds >= 60 && seconds % 60 === 0 ? `${seconds / 60} min (${seconds} s)` : `${seconds} s`;
}

/**
 * How far back a CloudWatch Metrics Insights query (`SELECT …`) reads: the last three hours (CloudWatch API
 * Reference, GetMetricData: "Metrics Insights queries can query only the most recent three hours of metric data").
 */
export const METRICS_INSIGHTS_MAX_AGE_SECONDS = 3 * 3600;
