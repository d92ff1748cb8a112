import { judge } from '../judge/judge';
import type { Verdict } from '../judge/verdict';
import type { Policy } from '../policy';
import { object, StateError } from './check';
import { HOOK_DEADLINE_SECONDS, REPORT_RESERVE_SECONDS } from './contracts';
import { buildQueries } from './queries';
import { costPerRequestFigures, type CostPerRequestFigure } from './verdict-metric';
import { baselineHistoryQueries, baselineHistorySeconds, joinSeries, toObservations } from './observations';
import type { AlarmStateSource, MetricSource, PolicyStore } from './ports';
import { phaseOf, waitSeconds, type EvaluateRequest, type EvaluationInput, type EvaluationPlan, type StateVerdict, type TickResult } from './state';

import { POLICY_DEFAULTS } from '../policy/defaults';
import { HOOK_MAX_EVENT_AGE_SECONDS, SMOKE_TEST_ALLOWANCE_SECONDS } from '../policy/limits';
/** A verdict kept in state stays under this size (the full verdict is published, not stored). */
export const MAX_STATE_VERDICT_BYTES = 8 * 1024;

/**
 * Loads the policy a hook evaluation runs under. The stored document is the construct's normalised
 * output of `parsePolicy` (validated at synth time, deployed with these Lambdas), so only its shape is
 * checked here: re-validating with zod would add ~440 KB to every Lambda bundle.
 */
export async function loadPolicy(store: PolicyStore, input: Pick<EvaluationInput, 'policyRef'>): Promise<Policy> {
  const where = `policy s3://${input.policyRef.bucket}/${input.policyRef.key}`;
  const document = object(await store.load(input.policyRef), where);
  if (!Array.isArray(document.metrics)) throw new StateError(`${where}: metrics: expected a list (is this a policy written by the CanaryEvaluator construct?)`);
  document.metrics.forEach((metric: unknown, index: number) => {
    const entry = object(metric, `${where}: metrics[${index}]`);
    if (typeof entry.name !== 'string' || typeof entry.kind !== 'string') throw new StateError(`${where}: metrics[${index}]: expected a metric with a name and a kind`);
  });
  if (typeof document.bake !== 'object' || document.bake === null) throw new StateError(`${where}: bake: expected an object`);
  return document as unknown as Policy;
}

/** The workflow switches with their defaults (a policy stored by an older construct may lack them). */
export function workflowSettings(policy: Policy) {
  return {
    smokeTests: policy.smokeTests ?? [],
    smokeTestsEnabled: policy.smokeTestSettings?.enabled ?? POLICY_DEFAULTS.smokeTestSettings.enabled,
    smokeTestConcurrency: policy.smokeTestSettings?.concurrency ?? POLICY_DEFAULTS.smokeTestSettings.concurrency,
    canaryWatch: policy.canaryWatch ?? POLICY_DEFAULTS.canaryWatch,
    bakeEnabled: policy.bake.enabled ?? POLICY_DEFAULTS.bake.enabled,
    dryRun: policy.dryRun ?? POLICY_DEFAULTS.dryRun,
    onEvaluatorError: policy.onEvaluatorError ?? POLICY_DEFAULTS.onEvaluatorError,
  };
}

/** Current states of the alarms the policy's alarm gates name, by alarm name. */
async function readAlarmStates(policy: Policy, source: AlarmStateSource | undefined, nowSeconds: number) {
  const names = [...new Set(policy.metrics.flatMap((metric) => (metric.kind === 'alarm' ? metric.alarmNames : [])))];
  const states = new Map<string, Array<{ name: string; state: 'OK' | 'ALARM' | 'INSUFFICIENT_DATA'; t: number }>>();
  if (names.length === 0) return states;
  if (!source) throw new Error(`the policy gates on alarms (${names.join(', ')}) but no alarm state source is configured`);
  for (const { name, state } of await source.getAlarmStates(names)) states.set(name, [...(states.get(name) ?? []), { name, state, t: nowSeconds }]);
  return states;
}

function alignDown(seconds: number, period: number): number {
  return Math.floor(seconds / period) * period;
}

/**
 * Fixes the evaluation once. Both phases start at the hook invocation (aligned down to the period) and
 * end before `reportBy`, so the hook is always reported well inside CodeDeploy's hour.
 * - pre-traffic: the window is the canary watch (same-time baseline: the current version on the same traffic).
 * - bake: the new version at 100 % for the bake duration, against the current version's own metrics
 *   over a window of the same length ending when the deployment was created.
 */
export function planEvaluation(input: EvaluationInput, policy: Policy): EvaluationPlan {
  const settings = workflowSettings(policy);
  const phase = phaseOf(input.lifecycleEvent);
  const invokedAt = Math.floor(Date.parse(input.hookInvokedAt) / 1000);
  const reportBy = invokedAt + HOOK_DEADLINE_SECONDS - REPORT_RESERVE_SECONDS - HOOK_MAX_EVENT_AGE_SECONDS;
  const smokePhase = phase === 'pre-traffic' ? 'pre-traffic' : 'post-deploy';
  const smokeTests = settings.smokeTestsEnabled ? settings.smokeTests.filter((test) => test.phase === 'both' || test.phase === smokePhase).length : 0;
  const common = { lagSeconds: policy.metricLag, metricCount: policy.metrics.length, reportBy, smokeTests, dryRun: settings.dryRun, onEvaluatorError: settings.onEvaluatorError };

  if (phase === 'pre-traffic') {
    const period = settings.canaryWatch.period;
    const windowStart = alignDown(invokedAt, period);
    const watching = settings.canaryWatch.enabled && policy.metrics.length > 0;
    const windowEnd = watching ? Math.min(windowStart + Math.ceil(settings.canaryWatch.maxDuration / period) * period, alignDown(reportBy - policy.metricLag, period)) : windowStart;
    return {
      phase,
      windowStart,
      windowEnd: Math.max(windowStart, windowEnd),
      periodSeconds: period,
      baselineOffsetSeconds: 0,
      canaryWatch: watching,
      stopDeploymentOnFail: settings.canaryWatch.stopDeploymentOnFail,
      ...common,
    };
  }

  const period = policy.bake.period;
  const windowStart = alignDown(invokedAt, period);
  const wanted = settings.bakeEnabled ? windowStart + Math.ceil(policy.bake.duration / period) * period : windowStart;
  // The last judged period must be visible (lag) with time left for post-deploy smoke tests.
  const latest = alignDown(reportBy - policy.metricLag - (smokeTests > 0 ? SMOKE_TEST_ALLOWANCE_SECONDS : 0), period);
  const windowEnd = Math.max(windowStart, Math.min(wanted, latest));
  const createdAt = input.deploymentCreatedAt ? Math.floor(Date.parse(input.deploymentCreatedAt) / 1000) : invokedAt;
  const baselineEnd = Math.min(alignDown(createdAt, period), windowStart);
  return {
    phase,
    windowStart,
    windowEnd,
    periodSeconds: period,
    baselineOffsetSeconds: windowEnd - windowStart + (windowStart - baselineEnd),
    canaryWatch: false,
    stopDeploymentOnFail: false,
    ...common,
  };
}

/** Judges `[windowStart, min(now − lag, end))`: one GetMetricData call covering both arms' windows, and one more for the history of gauges that adjust for autocorrelation. */
export async function judgeWindow(
  request: EvaluateRequest,
  policy: Policy,
  metrics: MetricSource,
  nowSeconds: number,
  options: { readonly end: number; readonly deadlineReached: boolean; readonly alarms?: AlarmStateSource },
): Promise<{ verdict: Verdict; periodsJudged: number }> {
  const { input, plan } = request;
  const visibleUntil = alignDown(nowSeconds - plan.lagSeconds, plan.periodSeconds);
  const window = { start: plan.windowStart, end: Math.max(plan.windowStart, Math.min(visibleUntil, options.end)) };
  const queryPlan = buildQueries(policy, input.target, plan.periodSeconds);
  const offset = plan.baselineOffsetSeconds;
  const judging = window.end > window.start;
  const results = judging && queryPlan.queries.length > 0 ? await metrics.getMetricData(queryPlan.queries, { start: new Date((window.start - offset) * 1000), end: new Date(window.end * 1000) }) : [];
  // Gauges that adjust for autocorrelation, and in the bake count metrics (lib/judge/time-shift), also
  // read their baseline's history before the window, in a second call with only those queries (so the other metrics' datapoints are not read 240 periods
  // further back). One-minute data is kept 15 days (CloudWatch API Reference, GetMetricData), far
  // beyond the 1,440 periods historyPeriods allows at one minute.
  const timeShifted = offset > 0;
  const history = baselineHistorySeconds(policy, plan.periodSeconds, timeShifted);
  const historyQueries = history > 0 ? baselineHistoryQueries(policy, queryPlan, timeShifted) : [];
  const before =
    judging && historyQueries.length > 0
      ? await metrics.getMetricData(historyQueries, { start: new Date((window.start - offset - history) * 1000), end: new Date((window.start - offset) * 1000) })
      : [];
  const observations = toObservations(policy, queryPlan, joinSeries(results, before), window, offset, await readAlarmStates(policy, options.alarms, nowSeconds), history, plan.periodSeconds);
  return {
    verdict: judge(policy, observations, { deadlineReached: options.deadlineReached, alphaShare: alphaShareOf(policy) }),
    periodsJudged: (window.end - window.start) / plan.periodSeconds,
  };
}

/**
 * One false-alarm budget per deployment: when both the canary watch and the bake judge the new
 * version, each spends half of the policy's α, so a healthy deployment is rolled back with
 * probability at most α overall (a union bound over the two phases); a phase alone spends all of it.
 */
export function alphaShareOf(policy: Policy): number {
  const settings = workflowSettings(policy);
  return settings.canaryWatch.enabled && settings.bakeEnabled ? 0.5 : 1;
}

/**
 * One look at the bake: re-reads the whole window up to the newest complete period (`now − lag`),
 * judges it, and says when the next look is worth taking. At the window's end, or at `reportBy`
 * whatever the metrics say, the verdict is final.
 */
export async function evaluateTick(request: EvaluateRequest, policy: Policy, metrics: MetricSource, now: Date, alarms?: AlarmStateSource): Promise<TickResult> {
  return (await lookAtBake(request, policy, metrics, now, alarms)).tick;
}

/**
 * `evaluateTick` with the look's `CostPerRequest` figures, taken from the full verdict: the tick's
 * verdict is compacted for state and may leave out metrics, whose spend must still be published.
 */
export async function lookAtBake(request: EvaluateRequest, policy: Policy, metrics: MetricSource, now: Date, alarms?: AlarmStateSource): Promise<{ tick: TickResult; costPerRequest: CostPerRequestFigure[] }> {
  const { plan } = request;
  if (plan.windowEnd === plan.windowStart) {
    const reason = plan.phase === 'pre-traffic' ? 'no metrics judged before traffic shifts (the new version has no traffic yet)' : 'bake disabled by the policy';
    return { tick: { decision: 'pass', final: true, reason, waitSeconds: 0, periodsJudged: 0, verdict: { decision: 'pass', final: true, reason, metrics: [] } }, costPerRequest: [] };
  }
  const nowSeconds = Math.floor(now.getTime() / 1000);
  const visibleUntil = alignDown(nowSeconds - plan.lagSeconds, plan.periodSeconds);
  const deadlineReached = visibleUntil >= plan.windowEnd || nowSeconds >= plan.reportBy;
  const { verdict, periodsJudged } = await judgeWindow(request, policy, metrics, nowSeconds, { end: plan.windowEnd, deadlineReached, alarms });

  // Next look: when the next period has become visible (its end plus the metric lag), never past reportBy.
  const nextVisibleAt = Math.max(visibleUntil, plan.windowStart) + plan.periodSeconds + plan.lagSeconds;
  const wait = waitSeconds(Math.max(1, Math.min(nextVisibleAt, plan.reportBy) - nowSeconds), 'tick.waitSeconds');
  return {
    tick: { decision: verdict.decision, final: verdict.final, reason: verdict.reason, waitSeconds: wait, periodsJudged, verdict: compactVerdict(verdict) },
    costPerRequest: costPerRequestFigures(verdict),
  };
}

/**
 * A verdict small enough for state (≤ 8 KB): long reasons are shortened, then metrics beyond what fits
 * are dropped and counted. The full verdict is logged and published by the step that judged it.
 */
export function compactVerdict(verdict: Verdict, maxBytes = MAX_STATE_VERDICT_BYTES): StateVerdict {
  const size = (value: unknown) => Buffer.byteLength(JSON.stringify(value));
  if (size(verdict) <= maxBytes) return verdict;
  const shorten = (text: string, length: number) => (text.length > length ? `${text.slice(0, length - 1)}…` : text);
  const metrics = verdict.metrics.map((metric) => ({ ...metric, reason: shorten(metric.reason, 300) }));
  let compact: StateVerdict = { ...verdict, reason: shorten(verdict.reason, 1000), metrics };
  while (size(compact) > maxBytes && compact.metrics.length > 0) {
    compact = { ...compact, metrics: compact.metrics.slice(0, -1), omittedMetrics: verdict.metrics.length - compact.metrics.length + 1 };
  }
  return compact;
}
