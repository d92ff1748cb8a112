import {
  DEFAULT_EVALUATION_TIMEOUT_SECONDS,
  formatSeconds,
  JUDGING_BUDGET_SECONDS,
  MAX_METRIC_LAG_SECONDS,
  METRICS_INSIGHTS_MAX_AGE_SECONDS,
  PERIOD_MULTIPLE_SECONDS,
  REPORT_ALLOWANCE_SECONDS,
  SMOKE_TEST_ALLOWANCE_SECONDS,
} from './limits';
import { isMetricExpression, type MetricSourceSpec } from './metric-source';

/** The policy fields the time rules read (after defaults). */
export interface PolicyTiming {
  readonly metrics: readonly unknown[];
  readonly metricLag: number;
  readonly bake: { readonly duration: number; readonly period: number; readonly enabled?: boolean };
  readonly canaryWatch: { readonly enabled: boolean; readonly period: number; readonly maxDuration: number };
  readonly smokeTests: ReadonlyArray<{ readonly phase?: string }>;
  readonly smokeTestSettings?: { readonly enabled: boolean };
}

export interface PolicyIssue {
  readonly path: ReadonlyArray<string | number>;
  readonly message: string;
}

const roundUp = (seconds: number, period: number) => Math.ceil(seconds / period) * period;
const roundDown = (seconds: number, period: number) => Math.floor(seconds / period) * period;

/**
 * Rules that make a policy judge what it says, within the hook's hour. A window the plan would cut
 * short (`lib/evaluation/steps.ts` `planEvaluation`) is rejected instead, so "bake disabled by the
 * policy" never stands for "bake cut to nothing by metricLag". `evaluationTimeoutSeconds` is the
 * state machine's timeout (synth knows it; validation assumes the default 55 minutes).
 */
export function timingIssues(policy: PolicyTiming, evaluationTimeoutSeconds = DEFAULT_EVALUATION_TIMEOUT_SECONDS, judgingBudgetSeconds = JUDGING_BUDGET_SECONDS): PolicyIssue[] {
  const issues: PolicyIssue[] = [];
  // CodeDeploy's hour unless the registration fitted the policy to an ECS native hook's own timeout.
  const deadline = judgingBudgetSeconds === JUDGING_BUDGET_SECONDS ? "the hook's hour" : `the hook's deadline (${formatSeconds(judgingBudgetSeconds)} to judge)`;
  if (policy.metrics.length === 0) {
    issues.push({ path: ['metrics'], message: 'a policy needs at least one metric: without one the bake and the canary watch judge nothing and pass' });
  }
  if (policy.metricLag > MAX_METRIC_LAG_SECONDS) {
    issues.push({ path: ['metricLag'], message: `${formatSeconds(policy.metricLag)} is longer than ${formatSeconds(MAX_METRIC_LAG_SECONDS)}: CloudWatch data arrives within minutes, and a longer lag leaves nothing to judge` });
  }
  const periods: Array<[ReadonlyArray<string>, number]> = [
    [['bake', 'period'], policy.bake.period],
    [['canaryWatch', 'period'], policy.canaryWatch.period],
  ];
  for (const [path, period] of periods) {
    if (period % PERIOD_MULTIPLE_SECONDS !== 0) {
      issues.push({ path, message: `${formatSeconds(period)} is not a multiple of 60 s: CloudWatch accepts only whole minutes for standard-resolution metrics (MetricStat.Period)` });
    }
  }
  if (policy.metrics.length === 0) return issues;

  const smokeOn = policy.smokeTestSettings?.enabled ?? true;
  const postDeploySmoke = smokeOn && policy.smokeTests.some((test) => (test.phase ?? 'both') !== 'pre-traffic');
  const { bake } = policy;
  if (bake.enabled ?? true) {
    if (bake.duration < bake.period) {
      issues.push({ path: ['bake', 'duration'], message: `${formatSeconds(bake.duration)} is shorter than bake.period (${formatSeconds(bake.period)}): not one period would be judged` });
    } else {
      const smoke = postDeploySmoke ? SMOKE_TEST_ALLOWANCE_SECONDS : 0;
      const available = roundDown(judgingBudgetSeconds - policy.metricLag - smoke, bake.period);
      if (roundUp(bake.duration, bake.period) > available) {
        issues.push({
          path: ['bake', 'duration'],
          message: `${formatSeconds(bake.duration)} does not fit ${deadline}: every judged period must be visible ${formatSeconds(judgingBudgetSeconds)} after the hook starts, less metricLag (${formatSeconds(policy.metricLag)})${smoke ? ` and the post-deploy smoke tests' ${formatSeconds(smoke)}` : ''}; at most ${formatSeconds(Math.max(0, available))} at this period`,
        });
      } else {
        const needed = roundUp(bake.duration, bake.period) + policy.metricLag + smoke + REPORT_ALLOWANCE_SECONDS;
        if (needed > evaluationTimeoutSeconds) {
          issues.push({
            path: ['bake', 'duration'],
            message: `${formatSeconds(bake.duration)} with metricLag${smoke ? ', post-deploy smoke tests' : ''} and the report needs ${formatSeconds(needed)}, more than the evaluation timeout (${formatSeconds(evaluationTimeoutSeconds)})`,
          });
        }
      }
    }
  }
  const watch = policy.canaryWatch;
  if (watch.enabled) {
    if (watch.period > watch.maxDuration) {
      issues.push({ path: ['canaryWatch', 'period'], message: `${formatSeconds(watch.period)} is longer than canaryWatch.maxDuration (${formatSeconds(watch.maxDuration)}): the watch would never judge` });
    } else {
      const available = roundDown(judgingBudgetSeconds - policy.metricLag, watch.period);
      const window = roundUp(watch.maxDuration, watch.period);
      if (window > available) {
        issues.push({
          path: ['canaryWatch', 'maxDuration'],
          message: `${formatSeconds(watch.maxDuration)} does not fit ${deadline}: the watch's periods must be visible ${formatSeconds(judgingBudgetSeconds)} after the hook starts, less metricLag (${formatSeconds(policy.metricLag)}); at most ${formatSeconds(Math.max(0, available))}`,
        });
      } else if (window + policy.metricLag + watch.period > evaluationTimeoutSeconds) {
        issues.push({
          path: ['canaryWatch', 'maxDuration'],
          message: `${formatSeconds(watch.maxDuration)} plus metricLag and one period (${formatSeconds(window + policy.metricLag + watch.period)}) is longer than the evaluation timeout (${formatSeconds(evaluationTimeoutSeconds)}): the execution would time out while watching`,
        });
      }
    }
  }
  return issues;
}

/** The smoke-test function's timeout the construct gives it (the evaluator's `Smoke` function). */
export const DEFAULT_SMOKE_TIMEOUT_SECONDS = 60;

/** The smoke-test fields the budget reads (after defaults). */
export interface SmokeBudgetFields {
  readonly smokeTests: ReadonlyArray<{ readonly name: string; readonly type: string; readonly phase: string; readonly retries: number; readonly timeoutMs?: number }>;
  readonly smokeTestSettings: { readonly concurrency: number };
}

/**
 * A phase's HTTP smoke tests must finish inside the smoke-test function's timeout: each test may take
 * `(retries + 1) × timeoutMs`, and `concurrency` workers run them, so the worst case is at most (the sum
 * of the tests' worst cases) / concurrency + the longest single test. Lambda smoke tests have no
 * per-test timeout: the invoked function's own timeout bounds them.
 */
export function smokeBudgetIssues(policy: SmokeBudgetFields, smokeTimeoutSeconds = DEFAULT_SMOKE_TIMEOUT_SECONDS): PolicyIssue[] {
  const budgetMs = smokeTimeoutSeconds * 1000;
  const concurrency = Math.max(1, policy.smokeTestSettings.concurrency);
  const issues: PolicyIssue[] = [];
  for (const phase of ['pre-traffic', 'post-deploy'] as const) {
    const tests = policy.smokeTests.flatMap((test, index) => (test?.type === 'http' && typeof test.timeoutMs === 'number' && typeof test.retries === 'number' && (test.phase === phase || test.phase === 'both') ? [{ test, index, worstMs: (test.retries + 1) * test.timeoutMs }] : []));
    if (tests.length === 0) continue;
    const boundMs = tests.reduce((sum, { worstMs }) => sum + worstMs, 0) / concurrency + Math.max(...tests.map(({ worstMs }) => worstMs));
    if (boundMs > budgetMs) {
      const slowest = tests.reduce((a, b) => (b.worstMs > a.worstMs ? b : a));
      issues.push({
        path: ['smokeTests', slowest.index, 'timeoutMs'],
        message: `${phase} HTTP smoke tests may take up to ${Math.ceil(boundMs / 1000)} s (${tests.map(({ test, worstMs }) => `${test.name}: ${worstMs / 1000} s`).join(', ')}; concurrency ${concurrency}), but the smoke-test Lambda stops after ${budgetMs / 1000} s: lower timeoutMs or retries, or raise smokeTestSettings.concurrency`,
      });
    }
  }
  return issues;
}

/** What a policy must fit of the evaluator it runs on: synth knows them, validation assumes the construct's defaults. */
export interface DeploymentLimits {
  /** The state machine's timeout. @default DEFAULT_EVALUATION_TIMEOUT_SECONDS */
  readonly evaluationTimeoutSeconds?: number;
  /** The smoke-test function's timeout. @default DEFAULT_SMOKE_TIMEOUT_SECONDS */
  readonly smokeTimeoutSeconds?: number;
  /**
   * Seconds after the hook's invocation by which every judged period must be visible (the plan's `reportBy`).
   * @default JUDGING_BUDGET_SECONDS - a CodeDeploy hook's hour; an ECS native hook's comes from its timeout (`ecsNativeDeploymentLimits`)
   */
  readonly judgingBudgetSeconds?: number;
}

/** The time rules and the smoke-test budget: everything a policy must fit of its evaluator. */
export function deploymentFitIssues(policy: PolicyTiming & SmokeBudgetFields, limits: DeploymentLimits = {}): PolicyIssue[] {
  return [
    ...timingIssues(policy, limits.evaluationTimeoutSeconds ?? DEFAULT_EVALUATION_TIMEOUT_SECONDS, limits.judgingBudgetSeconds ?? JUDGING_BUDGET_SECONDS),
    ...smokeBudgetIssues(policy, limits.smokeTimeoutSeconds ?? DEFAULT_SMOKE_TIMEOUT_SECONDS),
  ];
}

/** What the Metrics Insights history rule reads of a metric (after defaults). */
interface HistoryMetric {
  readonly kind: string;
  readonly value?: MetricSourceSpec;
  readonly method: { readonly type: string; readonly autocorrelation?: string; readonly historyPeriods?: number };
}

/**
 * A gauge read by a Metrics Insights query that adjusts for autocorrelation reads its baseline's
 * `historyPeriods` before the window, and Metrics Insights answers only for the last three hours. At
 * the last look the oldest period read is `metricLag` + the window (the canary watch's `maxDuration`;
 * the bake's `duration` twice, the baseline being read a window earlier) + the history: that must stay
 * within the three hours, or the history would come back short. Issues name the largest `historyPeriods`
 * that fits.
 */
export function metricsInsightsHistoryIssues(policy: PolicyTiming, metrics: readonly HistoryMetric[]): PolicyIssue[] {
  const issues: PolicyIssue[] = [];
  const phases = [
    ...(policy.canaryWatch.enabled ? [{ name: 'canary watch', period: policy.canaryWatch.period, window: policy.canaryWatch.maxDuration }] : []),
    ...((policy.bake.enabled ?? true) ? [{ name: 'bake', period: policy.bake.period, window: 2 * policy.bake.duration }] : []),
  ];
  metrics.forEach((metric, index) => {
    const periods = metric.method.historyPeriods ?? 0;
    const insights = metric.kind === 'gauge' && metric.value !== undefined && isMetricExpression(metric.value) && /^\s*SELECT\b/i.test(metric.value.expression);
    if (!insights || metric.method.type !== 'mann-whitney' || metric.method.autocorrelation !== 'adjust' || periods === 0) return;
    for (const phase of phases) {
      const reach = policy.metricLag + phase.window + periods * phase.period;
      if (reach <= METRICS_INSIGHTS_MAX_AGE_SECONDS) continue;
      const fits = Math.max(0, Math.floor((METRICS_INSIGHTS_MAX_AGE_SECONDS - policy.metricLag - phase.window) / phase.period));
      issues.push({
        path: ['metrics', index, 'method', 'historyPeriods'],
        message: `${periods} periods of history reach ${formatSeconds(reach)} back in the ${phase.name} (metricLag, the window, the history), but a Metrics Insights query reads only the last ${formatSeconds(METRICS_INSIGHTS_MAX_AGE_SECONDS)} (CloudWatch GetMetricData); at most ${fits} here`,
      });
      return;
    }
  });
  return issues;
}
