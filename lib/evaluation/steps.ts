import { judge } from '../judge/judge';
import type { Observations } from '../judge/observations';
import type { LogSignalVerdict, Verdict } from '../judge/verdict';
import { boundedLogState } from './logs/carried-state';
import { judgeLogs } from './logs/judge-logs';
import { EMPTY_LOG_STATE, lookAtLogs, SAMPLES_PER_SIGNATURE } from './logs/log-look';
import type { LogsQueryRunner } from './logs/ports';
import type { Policy } from '../policy';
import { loadPolicy, workflowSettings } from './policy-loading';
import { HOOK_DEADLINE_SECONDS, REPORT_RESERVE_SECONDS } from './contracts';
import { buildQueries } from './queries';
import { costPerRequestFigures, type CostPerRequestFigure } from './verdict-metric';
import { baselineHistoryQueries, baselineHistorySeconds, joinSeries, toObservations } from './observations';
import { MetricsThrottledError, type AlarmStateSource, type MetricSource } from './ports';
import { phaseOf, waitSeconds, type EvaluateRequest, type EvaluationInput, type EvaluationPlan, type StateVerdict, type TickResult } from './state';

import { HOOK_MAX_EVENT_AGE_SECONDS, SMOKE_TEST_ALLOWANCE_SECONDS } from '../policy/limits';
import { ecsNativeAlphaShare } from './ecs-native/alpha';
import { ECS_ANSWER_GUARD_SECONDS } from './ecs-native/contract';

// In their own module so that the smoke Lambda's bundle does not carry the judge.
export { loadPolicy, workflowSettings };

/** A verdict kept in state stays under this size (the full verdict is published, not stored). */
export const MAX_STATE_VERDICT_BYTES = 8 * 1024;

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
  const native = input.ecsNative;
  const phase = native ? (native.role === 'smoke' ? 'pre-traffic' : 'bake') : phaseOf(input.lifecycleEvent);
  const invokedAt = Math.floor(Date.parse(input.hookInvokedAt) / 1000);
  // CodeDeploy: the hour from the (asynchronous) invocation. ECS native: the hook's own timeout from its
  // first invocation, less the time the hook function needs to see the verdict and answer (issue 27).
  const reportBy = native
    ? invokedAt + native.hookTimeoutSeconds - ECS_ANSWER_GUARD_SECONDS - REPORT_RESERVE_SECONDS
    : invokedAt + HOOK_DEADLINE_SECONDS - REPORT_RESERVE_SECONDS - HOOK_MAX_EVENT_AGE_SECONDS;
  const smokePhase = phase === 'pre-traffic' ? 'pre-traffic' : 'post-deploy';
  const smokeTests = settings.smokeTestsEnabled ? settings.smokeTests.filter((test) => test.phase === 'both' || test.phase === smokePhase).length : 0;
  const common = { lagSeconds: policy.metricLag, metricCount: policy.metrics.length, reportBy, smokeTests, dryRun: settings.dryRun, onEvaluatorError: settings.onEvaluatorError };

  if (native?.role === 'step') {
    // One production traffic-shift step: the green target group against the blue one over the same
    // periods at this step's weight (same-time baseline, as the canary watch), a verdict for this step.
    // The watch's period and duration bound the step; no smoke tests (they ran at the test stage).
    const period = settings.canaryWatch.period;
    const windowStart = alignDown(invokedAt, period);
    const judging = policy.metrics.length > 0;
    const windowEnd = judging ? Math.min(windowStart + Math.ceil(settings.canaryWatch.maxDuration / period) * period, alignDown(reportBy - policy.metricLag, period)) : windowStart;
    return { ...common, phase, windowStart, windowEnd: Math.max(windowStart, windowEnd), periodSeconds: period, baselineOffsetSeconds: 0, smokeTests: 0, canaryWatch: false, stopDeploymentOnFail: false };
  }

  if (phase === 'pre-traffic') {
    const period = settings.canaryWatch.period;
    const windowStart = alignDown(invokedAt, period);
    // ECS native: no watch after the test stage; every production step is judged by its own hook.
    const watching = !native && settings.canaryWatch.enabled && policy.metrics.length > 0;
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
): Promise<{ verdict: Verdict; periodsJudged: number; observations: Observations }> {
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
  const observations = toObservations(policy, queryPlan, joinSeries(results, before), window, {
    baselineOffset: offset,
    alarmStates: await readAlarmStates(policy, options.alarms, nowSeconds),
    historySeconds: history,
    // A count that may be left out when zero reads as 0 only once it had a further lag to arrive.
    settledUntil: alignDown(nowSeconds - 2 * plan.lagSeconds, plan.periodSeconds),
  });
  return {
    verdict: judge(policy, observations, { deadlineReached: options.deadlineReached, alphaShare: alphaShareFor(input, policy), periodSeconds: plan.periodSeconds }),
    periodsJudged: (window.end - window.start) / plan.periodSeconds,
    observations,
  };
}

/** `judgeWindow`, or the throttling that kept the look from reading (`MetricsThrottledError`): such a look is skipped, never an evaluator error. */
export async function judgeWindowUnlessThrottled(...args: Parameters<typeof judgeWindow>): Promise<Awaited<ReturnType<typeof judgeWindow>> | { throttled: MetricsThrottledError }> {
  try {
    return await judgeWindow(...args);
  } catch (error) {
    if (error instanceof MetricsThrottledError) return { throttled: error };
    throw error;
  }
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
 * The share of the policy's α this evaluation spends: a CodeDeploy phase's (`alphaShareOf`); an ECS
 * native production step's or bake's from the deployment's budget (`ecsNativeAlphaShare`: the steps
 * split the watch's half, so the whole deployment spends at most α).
 */
export function alphaShareFor(input: EvaluationInput, policy: Policy): number {
  const native = input.ecsNative;
  if (!native || native.role === 'smoke') return alphaShareOf(policy);
  const settings = workflowSettings(policy);
  return ecsNativeAlphaShare(native.role, { bakeJudged: settings.bakeEnabled && policy.metrics.length > 0, productionSteps: native.productionSteps });
}

/**
 * One look at the bake: re-reads the whole window up to the newest complete period (`now − lag`),
 * judges it, and says when the next look is worth taking. At the window's end, or at `reportBy`
 * whatever the metrics say, the verdict is final. Missing data is waited for until `reportBy`, not
 * judged: a look CloudWatch throttled throughout is skipped, and a critical metric whose data is still
 * incomplete at the window's end is read again at the next look; at `reportBy` either ends the
 * evaluation `inconclusive` with the reason.
 */
export async function evaluateTick(request: EvaluateRequest, policy: Policy, metrics: MetricSource, now: Date, alarms?: AlarmStateSource): Promise<TickResult> {
  return (await lookAtBake(request, policy, metrics, now, alarms)).tick;
}

/** The critical metrics whose data was incomplete at this look, and why. */
function incompleteCritical(verdict: Verdict): string[] {
  return verdict.metrics.filter((metric) => metric.critical && metric.dataIncomplete).map((metric) => metric.dataIncomplete!);
}

/** A look that could not read the metrics (throttled throughout): skipped, or at `reportBy` the end, inconclusive. */
function skippedLook(policy: Policy, error: MetricsThrottledError, lastLook: boolean, wait: number): TickResult {
  if (lastLook) {
    const reason = `no verdict by the deadline: the metrics could not be read (${error.message})`;
    const critical = policy.metrics.filter((metric) => metric.critical).map((metric) => metric.name);
    return { decision: 'inconclusive', final: true, reason, waitSeconds: 0, periodsJudged: 0, verdict: { decision: 'inconclusive', final: true, reason, metrics: [], inconclusive: { lowTraffic: false, metrics: critical, unread: critical } } };
  }
  const reason = `look skipped: ${error.message}; looking again in ${wait} s`;
  return { decision: 'continue', final: false, reason, waitSeconds: wait, periodsJudged: 0, verdict: { decision: 'continue', final: false, reason, metrics: [] } };
}

/**
 * `evaluateTick` with the look's `CostPerRequest` figures, taken from the full verdict: the tick's
 * verdict is compacted for state and may leave out metrics, whose spend must still be published.
 */
export async function lookAtBake(
  request: EvaluateRequest,
  policy: Policy,
  metrics: MetricSource,
  now: Date,
  alarms?: AlarmStateSource,
  logs?: LogsQueryRunner,
): Promise<{ tick: TickResult; costPerRequest: CostPerRequestFigure[] }> {
  const looked = await lookAtBakeMetrics(request, policy, metrics, now, alarms);
  const { observations, ...result } = looked;
  if (!policy.logs || request.plan.windowEnd === request.plan.windowStart) return { ...result, tick: { ...result.tick, logSignal: request.logSignal ?? {} } };
  if (!logs) throw new Error('the policy has `logs` but the evaluate step has no Logs Insights query runner; deploy the evaluator version that runs the log signal');
  return { ...result, tick: await withLogSignal(request, policy, result.tick, observations, logs, now) };
}

/**
 * Time each Logs Insights query may take within a tick: the evaluate Lambda has 60 s
 * (lib/constructs/canary-evaluator.ts); a look runs at most 4 queries one after another (≤ 32 s),
 * leaving the rest for the metrics read and the tick's publication. A query stopped on it is read again
 * at the next look (log-look.ts).
 */
export const LOG_QUERY_TIMEOUT_MS = 8_000;

/** One look at the logs (lib/evaluation/logs), its verdict joined to the metrics': a failing critical log signal fails the bake. */
async function withLogSignal(request: EvaluateRequest, policy: Policy, tick: TickResult, observations: Observations | undefined, runner: LogsQueryRunner, now: Date): Promise<TickResult> {
  const signal = policy.logs!;
  const { plan, input } = request;
  if (input.target.type !== 'lambda') throw new Error('the log signal tells versions apart for Lambda deployments only (policy `logs`); this deployment is ECS');
  const nowSeconds = Math.floor(now.getTime() / 1000);
  const visibleUntil = alignDown(nowSeconds - plan.lagSeconds, 60);
  const lastLook = nowSeconds >= plan.reportBy;
  const deadlineReached = visibleUntil >= plan.windowEnd || lastLook;
  const state = boundedLogState(
    await lookAtLogs(request.logSignal ?? EMPTY_LOG_STATE, {
      signal,
      runner,
      versions: { canary: input.target.targetVersion, baseline: input.target.currentVersion },
      evaluationStart: plan.windowStart,
      from: plan.windowStart,
      until: Math.max(plan.windowStart, Math.min(visibleUntil, plan.windowEnd)),
      queryTimeoutMs: LOG_QUERY_TIMEOUT_MS,
      baselineOffset: plan.baselineOffsetSeconds,
    }),
  );
  const requests = observations?.[signal.requestsFrom];
  const perArm = requests?.kind === 'count' ? { canary: requests.canary, baseline: requests.baseline } : { canary: [], baseline: [] };
  const alpha = policy.alpha * alphaShareFor(input, policy);
  const result = judgeLogs(signal, state, perArm, { alpha, deadlineReached });
  const failed = result.newSignatures.find((candidate) => candidate.decision === 'fail');
  const logVerdict: LogSignalVerdict = {
    decision: result.decision,
    critical: result.critical,
    reason: result.reason,
    ...(result.decision === 'fail' && failed ? { signature: failed.signature, samples: failed.samples.slice(0, SAMPLES_PER_SIGNATURE) } : {}),
    bytesScanned: result.bytesScanned,
    costUsd: result.costUsd,
    queries: result.queries,
    mostQueriesPerLook: result.mostQueriesPerLook,
  };
  const joined = joinLogVerdict(tick, logVerdict, lastLook, alpha);
  return { ...joined, logSignal: state };
}

/**
 * The bake's verdict with the log signal's: a critical log signal that fails fails the bake (its reason
 * first); one still under test holds a passing bake open until the deadline; one undecided at the deadline
 * (its lookback could not be read) makes a pass `inconclusive`, the log signal unread. A non-critical
 * one is only reported.
 */
export function joinLogVerdict(tick: TickResult, logs: LogSignalVerdict, lastLook: boolean, alpha: number): TickResult {
  const bound = logs.critical && tick.verdict.falseAlarmBound !== undefined ? { falseAlarmBound: tick.verdict.falseAlarmBound + alpha } : {};
  const withLogs = (decision: TickResult['decision'], final: boolean, reason: string, extra: Partial<StateVerdict> = {}): TickResult => ({
    ...tick,
    decision,
    final,
    reason,
    verdict: compactVerdict({ ...tick.verdict, ...bound, ...extra, decision, final, reason, logs }),
  });
  if (!logs.critical || tick.decision === 'fail') return withLogs(tick.decision, tick.final, tick.reason);
  if (logs.decision === 'fail') return withLogs('fail', true, `logs: ${logs.reason}`);
  if (logs.decision === 'continue' && tick.final && !lastLook) return withLogs('continue', false, `${tick.reason}; log signal still under test: ${logs.reason}`);
  if (logs.decision === 'inconclusive' && tick.decision === 'pass') {
    return withLogs('inconclusive', true, `${tick.reason}; logs: ${logs.reason}`, { inconclusive: { lowTraffic: false, metrics: ['logs'], unread: ['logs'] } });
  }
  return withLogs(tick.decision, tick.final, tick.reason);
}

async function lookAtBakeMetrics(
  request: EvaluateRequest,
  policy: Policy,
  metrics: MetricSource,
  now: Date,
  alarms?: AlarmStateSource,
): Promise<{ tick: TickResult; costPerRequest: CostPerRequestFigure[]; observations?: Observations }> {
  const { plan } = request;
  if (plan.windowEnd === plan.windowStart) {
    const reason = plan.phase === 'pre-traffic' ? 'no metrics judged before traffic shifts (the new version has no traffic yet)' : 'bake disabled by the policy';
    return { tick: { decision: 'pass', final: true, reason, waitSeconds: 0, periodsJudged: 0, verdict: { decision: 'pass', final: true, reason, metrics: [] } }, costPerRequest: [] };
  }
  const nowSeconds = Math.floor(now.getTime() / 1000);
  const visibleUntil = alignDown(nowSeconds - plan.lagSeconds, plan.periodSeconds);
  const lastLook = nowSeconds >= plan.reportBy;
  const deadlineReached = visibleUntil >= plan.windowEnd || lastLook;
  // Next look: when the next period has become visible (its end plus the metric lag), never past reportBy.
  const nextVisibleAt = Math.max(visibleUntil, plan.windowStart) + plan.periodSeconds + plan.lagSeconds;
  const wait = waitSeconds(Math.max(1, Math.min(nextVisibleAt, plan.reportBy) - nowSeconds), 'tick.waitSeconds');
  const judged = await judgeWindowUnlessThrottled(request, policy, metrics, nowSeconds, { end: plan.windowEnd, deadlineReached, alarms });
  if ('throttled' in judged) return { tick: skippedLook(policy, judged.throttled, lastLook, wait), costPerRequest: [] };
  const { verdict, periodsJudged, observations } = judged;
  const waiting = incompleteCritical(verdict);
  if (verdict.final && verdict.decision !== 'fail' && waiting.length > 0 && !lastLook) {
    // The window is complete but CloudWatch has not returned all of it: read it again rather than end without it.
    const reason = `window complete, waiting for CloudWatch data until the deadline: ${waiting.join('; ')}`;
    return {
      tick: { decision: 'continue', final: false, reason, waitSeconds: wait, periodsJudged, verdict: compactVerdict({ ...verdict, decision: 'continue', final: false, reason }) },
      costPerRequest: costPerRequestFigures(verdict),
      observations,
    };
  }
  return {
    tick: { decision: verdict.decision, final: verdict.final, reason: verdict.reason, waitSeconds: wait, periodsJudged, verdict: compactVerdict(verdict) },
    costPerRequest: costPerRequestFigures(verdict),
    observations,
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
