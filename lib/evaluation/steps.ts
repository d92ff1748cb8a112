import { judge } from '../judge';
import { parsePolicy, type Policy } from '../policy';
import { buildQueries } from './queries';
import { toObservations } from './observations';
import type { AlarmStateSource, MetricSource, PolicyStore } from './ports';
import type { EvaluateRequest, EvaluationInput, EvaluationPlan, TickResult } from './state';

/** Loads and validates the policy a hook evaluation runs under. */
export async function loadPolicy(store: PolicyStore, input: Pick<EvaluationInput, 'policyRef'>): Promise<Policy> {
  const document = await store.load(input.policyRef);
  return parsePolicy(document, `policy s3://${input.policyRef.bucket}/${input.policyRef.key}`);
}

/**
 * Fixes the judged window once: from the hook invocation (aligned down to the period) for the
 * policy's bake duration. Every later tick judges complete periods of this window only.
 * Before traffic shifts the new version has no traffic, so the window is empty.
 */
export function planEvaluation(input: EvaluationInput, policy: Policy): EvaluationPlan {
  const period = policy.bake.period;
  const invokedAt = Math.floor(Date.parse(input.hookInvokedAt) / 1000);
  const windowStart = Math.floor(invokedAt / period) * period;
  const judgedPeriods = input.lifecycleEvent === 'AfterAllowTraffic' ? Math.ceil(policy.bake.duration / period) : 0;
  return {
    windowStart,
    windowEnd: windowStart + judgedPeriods * period,
    periodSeconds: period,
    lagSeconds: policy.metricLag,
    metricCount: policy.metrics.length,
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

/**
 * One look at the metrics: re-reads the whole window up to the newest complete period
 * (`now − lag`), judges it, and says when the next look is worth taking.
 */
export async function evaluateTick(
  request: EvaluateRequest,
  policy: Policy,
  metrics: MetricSource,
  now: Date,
  alarms?: AlarmStateSource,
): Promise<TickResult> {
  const { input, plan } = request;
  if (plan.windowEnd === plan.windowStart) {
    const reason = 'no metrics judged before traffic shifts (the new version has no traffic yet)';
    return { decision: 'pass', final: true, reason, waitSeconds: 0, periodsJudged: 0, verdict: { decision: 'pass', final: true, reason, metrics: [] } };
  }
  const nowSeconds = Math.floor(now.getTime() / 1000);
  const visibleUntil = Math.floor((nowSeconds - plan.lagSeconds) / plan.periodSeconds) * plan.periodSeconds;
  const judgedEnd = Math.min(visibleUntil, plan.windowEnd);
  const deadlineReached = visibleUntil >= plan.windowEnd;

  const window = { start: plan.windowStart, end: Math.max(plan.windowStart, judgedEnd) };
  const queryPlan = buildQueries(policy, input.target, plan.periodSeconds);
  const results =
    window.end > window.start && queryPlan.queries.length > 0
      ? await metrics.getMetricData(queryPlan.queries, { start: new Date(window.start * 1000), end: new Date(window.end * 1000) })
      : [];
  const observations = toObservations(policy, queryPlan, results, window, await readAlarmStates(policy, alarms, nowSeconds));
  const verdict = judge(policy, observations, { deadlineReached });

  // Next look: when the next period has become visible (its end plus the metric lag).
  const nextVisibleAt = Math.max(visibleUntil, plan.windowStart) + plan.periodSeconds + plan.lagSeconds;
  const waitSeconds = Math.max(1, nextVisibleAt - nowSeconds);
  return {
    decision: verdict.decision,
    final: verdict.final,
    reason: verdict.reason,
    waitSeconds,
    periodsJudged: (window.end - window.start) / plan.periodSeconds,
    verdict,
  };
}
