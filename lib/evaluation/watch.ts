import { costPerRequestFigures } from './verdict-metric';
import type { Policy } from '../policy';
import type { NotificationChannel } from './notify';
import { publishAndNotify } from './publication';
import { IN_PROGRESS_STATUSES, type AlarmStateSource, type MetricsThrottledError, type DeploymentControl, type MetricSource, type VerdictEvent, type VerdictSink, type VerdictSubject } from './ports';
import { waitSeconds, type EvaluateRequest, type StateVerdict } from './state';
import { publishTickBestEffort, reportSwitchesOf } from './conclude';
import { compactVerdict, judgeWindowUnlessThrottled } from './steps';
import { lookForOverride, overrideAwareWait, type OverrideDependencies } from './override/look';
import { overrideWords, type OverrideOutcome } from './override/record';

/** One look at the canary window; small, it goes into state. */
export interface WatchTickResult {
  /** True when the watch ends: deployment no longer in progress, max duration reached, or a failing verdict. */
  readonly done: boolean;
  readonly decision: 'pass' | 'fail' | 'continue' | 'inconclusive';
  readonly reason: string;
  readonly waitSeconds: number;
  readonly periodsJudged: number;
  /** Set when a failing verdict stopped the deployment. */
  readonly stopped?: 'stopped' | 'not-in-progress';
  /** The explained verdict of this look (compact, ≤ 8 KB), absent when nothing was judged. */
  readonly verdict?: StateVerdict;
  /** An override this look found: honoured (the watch ended on it) or refused (the look judged as usual). */
  readonly override?: OverrideOutcome;
}

export interface WatchDependencies {
  readonly metrics: MetricSource;
  readonly control: DeploymentControl;
  readonly sink: VerdictSink;
  /** For alarm-gate metrics. @default - a policy with alarm gates fails the tick */
  readonly alarms?: AlarmStateSource;
  /** Where a failed `VerdictFailed` publish is logged. @default - console.error */
  readonly log?: { error(message: string, details: Record<string, unknown>): void };
  /** Who hears of a failed canary watch (the rollback it asks for). @default - nobody */
  readonly notifications?: NotificationChannel;
  /** Counts `NotificationsFailed`. @default - not counted */
  readonly count?: (name: string, value: number) => void;
  /** The override records and the STS check of their author. @default - overrides are not looked for */
  readonly overrides?: OverrideDependencies;
}

export function subjectOf(request: EvaluateRequest): VerdictSubject {
  const { input } = request;
  return { deploymentId: input.deploymentId, applicationName: input.applicationName, deploymentGroupName: input.deploymentGroupName, lifecycleEvent: input.lifecycleEvent };
}

/**
 * The canary watch: while CodeDeploy shifts traffic (no hook runs there), compare the target version
 * with the current one on the same traffic. Each tick publishes `VerdictFailed` (the alarm on it is on
 * the deployment group); a failing verdict may also stop the deployment with rollback. Never judged
 * "at the deadline": a watch that runs out simply ends, the bake hook judges what follows.
 */
export async function watchTick(request: EvaluateRequest, policy: Policy, deps: WatchDependencies, now: Date): Promise<WatchTickResult> {
  const { input, plan } = request;
  const status = await deps.control.readStatus(input.deploymentId);
  if (!IN_PROGRESS_STATUSES.includes(status)) {
    return { done: true, decision: 'continue', reason: `deployment is ${status}; canary watch ended`, waitSeconds: 0, periodsJudged: 0 };
  }
  // Once all traffic is on the new version there is no canary left to compare with: the bake hook
  // (AfterAllowTraffic) judges from here. Judging on would read a baseline without traffic, double the
  // metric cost and could stop a deployment during its bake.
  const nowSeconds = Math.floor(now.getTime() / 1000);
  const log = deps.log ?? { error: (message: string, details: Record<string, unknown>) => console.error(message, details) };
  // Before judging: an honoured override ends the watch (skip and rollback read no metric).
  const override = await overrideAtThisLook(request, deps, log);
  if (override?.honoured) return overriddenWatch(request, policy, deps, nowSeconds, override, log);
  const refused = override ? { override } : {};
  const shift = deps.control.readShift ? await deps.control.readShift(input.deploymentId) : undefined;
  if (shift?.complete) return lastLook(request, policy, deps, nowSeconds, `traffic shift complete (${shift.detail}); canary watch ended`);
  const windowOver = nowSeconds - plan.lagSeconds >= plan.windowEnd || nowSeconds >= plan.reportBy;
  const wait = waitSeconds(Math.max(1, overrideAwareWait(input, Math.min(plan.periodSeconds, plan.reportBy - nowSeconds))), 'watch.waitSeconds');
  const judged = await judgeWindowUnlessThrottled(request, policy, deps.metrics, nowSeconds, { end: plan.windowEnd, deadlineReached: false, alarms: deps.alarms });
  if ('throttled' in judged) {
    // A look CloudWatch throttled throughout is skipped: the watch goes on, or ends without a verdict.
    if (windowOver) return notRead('canary watch reached its maximum duration', judged.throttled);
    return { done: false, decision: 'continue', reason: `look skipped: ${judged.throttled.message}; looking again in ${wait} s`, waitSeconds: wait, periodsJudged: 0, ...refused };
  }
  const { verdict, periodsJudged } = judged;
  const compact = compactVerdict(verdict);
  const failed = verdict.decision === 'fail';
  // In a dry run the verdict metric stays silent: its alarm would stop the deployment.
  if (!plan.dryRun) await publishTickBestEffort(deps.sink, subjectOf(request), failed, log, costPerRequestFigures(verdict));

  if (failed) {
    const ended = await endWatch(request, deps, nowSeconds, { decision: 'fail', reason: verdict.reason, verdict: compact, periodsJudged, log });
    return { ...ended, ...refused };
  }
  if (windowOver) return { ...(await lastLook(request, policy, deps, nowSeconds, 'canary watch reached its maximum duration')), ...refused };
  return { done: false, decision: verdict.decision, reason: verdict.reason, waitSeconds: wait, periodsJudged, verdict: compact, ...refused };
}

/** This look's override, if any; a record that cannot be read is looked for again at the next look, never a watch error. */
async function overrideAtThisLook(request: EvaluateRequest, deps: WatchDependencies, log: { error(message: string, details: Record<string, unknown>): void }): Promise<OverrideOutcome | undefined> {
  try {
    return await lookForOverride(request.input, deps.overrides);
  } catch (error) {
    log.error('could not read the override record; looking again at the next look', { error: (error as Error).message });
    return undefined;
  }
}

/**
 * The watch ended by an honoured override, published like a failed watch (event, notification,
 * `Overrides` metric): skip and promote end it (promote judges the window once, for the record);
 * rollback acts as a failing verdict does (the verdict alarm, and `StopDeployment` when the policy lets the watch stop).
 */
async function overriddenWatch(request: EvaluateRequest, policy: Policy, deps: WatchDependencies, nowSeconds: number, override: OverrideOutcome, log: { error(message: string, details: Record<string, unknown>): void }): Promise<WatchTickResult> {
  const words = overrideWords(override);
  if (override.action === 'rollback') return endWatch(request, deps, nowSeconds, { decision: 'fail', reason: words, periodsJudged: 0, override, log });
  const judged = override.action === 'promote' ? await judgeWindowUnlessThrottled(request, policy, deps.metrics, nowSeconds, { end: request.plan.windowEnd, deadlineReached: false, alarms: deps.alarms }) : undefined;
  const looked = judged && !('throttled' in judged) ? judged : undefined;
  const reason = looked ? `${words}; the verdict so far: ${looked.verdict.reason}` : words;
  return endWatch(request, deps, nowSeconds, { decision: 'pass', reason, periodsJudged: looked?.periodsJudged ?? 0, ...(looked ? { verdict: compactVerdict({ ...looked.verdict, reason }) } : {}), override, log });
}

/**
 * Ends the watch with a published verdict: a failing one (its verdict, or an override's rollback) raises
 * the verdict alarm and may stop the deployment; an override's skip or promote is published so that on
 * call sees it, and changes nothing in CodeDeploy.
 */
async function endWatch(
  request: EvaluateRequest,
  deps: WatchDependencies,
  nowSeconds: number,
  end: { decision: 'pass' | 'fail'; reason: string; verdict?: StateVerdict; periodsJudged: number; override?: OverrideOutcome; log: { error(message: string, details: Record<string, unknown>): void } },
): Promise<WatchTickResult> {
  const { input, plan } = request;
  const failed = end.decision === 'fail';
  // An override's rollback raises the verdict alarm as a failing look does (the look that judged published its own tick).
  if (failed && end.override && !plan.dryRun) await publishTickBestEffort(deps.sink, subjectOf(request), true, end.log);
  const stopped = failed && plan.stopDeploymentOnFail && !plan.dryRun ? await deps.control.stop(input.deploymentId) : undefined;
  const why = end.override ? 'the canary watch was overridden to roll back' : 'the canary watch failed';
  const event: VerdictEvent = {
    ...subjectOf(request),
    status: 'NotReported',
    decision: end.decision,
    cause: end.override ? 'override' : 'canary-watch',
    reason: `${end.override ? '' : 'canary watch: '}${end.reason}${stopped === 'stopped' ? '; deployment stopped with rollback' : ''}`,
    dryRun: plan.dryRun,
    codeDeploy: !failed
      ? 'nothing: the canary watch was overridden and ended; the traffic shift goes on'
      : plan.dryRun
        ? `nothing: a dry run (${why})`
        : stopped === 'stopped'
          ? `stopped with rollback by the canary watch${end.override ? ' (overridden)' : ''}`
          : `rolls back on the deployment group’s verdict alarm (${why})`,
    timeToVerdictSeconds: Math.max(0, nowSeconds - Math.floor(Date.parse(input.hookInvokedAt) / 1000)),
    ...(end.verdict ? { verdict: end.verdict } : {}),
    ...(end.override ? { override: end.override } : {}),
  };
  // The rollback the watch asks for is one on call must hear of, as the report step's are (best effort).
  // No ledger: the watch's verdict is not a hook's, and its Task is not retried after it ran.
  await publishAndNotify(event, { execution: input, on: reportSwitchesOf(input).notify }, { sink: deps.sink, notifications: deps.notifications, log: { error: end.log.error, info: () => undefined }, count: deps.count });
  return {
    done: true,
    decision: end.decision,
    reason: end.override ? event.reason : end.reason,
    waitSeconds: 0,
    periodsJudged: end.periodsJudged,
    ...(end.verdict ? { verdict: end.verdict } : {}),
    ...(stopped ? { stopped } : {}),
    ...(end.override ? { override: end.override } : {}),
  };
}

/** The watch's end when its last look could not read the metrics: without a verdict, and why. */
function notRead(ending: string, error: MetricsThrottledError): WatchTickResult {
  return { done: true, decision: 'inconclusive', reason: `${ending} without a verdict: the metrics could not be read (${error.message})`, waitSeconds: 0, periodsJudged: 0 };
}

/**
 * The watch's end (shift complete or maximum duration): one last judgment of the window as at a deadline,
 * so a watch that never decided says `inconclusive` and why (traffic too low, which metric, what traffic
 * would have decided) instead of passing silently. It neither publishes a tick nor stops the deployment:
 * harm shown only now is the bake hook's to judge.
 */
async function lastLook(request: EvaluateRequest, policy: Policy, deps: WatchDependencies, nowSeconds: number, ending: string): Promise<WatchTickResult> {
  const judged = await judgeWindowUnlessThrottled(request, policy, deps.metrics, nowSeconds, { end: request.plan.windowEnd, deadlineReached: true, alarms: deps.alarms });
  if ('throttled' in judged) return notRead(ending, judged.throttled);
  const { verdict, periodsJudged } = judged;
  const compact = compactVerdict(verdict);
  if (verdict.decision === 'fail') return { done: true, decision: 'continue', reason: `${ending}; harm shown only at its end, the bake hook judges from here: ${verdict.reason}`, waitSeconds: 0, periodsJudged, verdict: compact };
  const decision = verdict.decision === 'inconclusive' ? 'inconclusive' : 'pass';
  const result = decision === 'pass' ? 'with no harm shown' : 'without a verdict';
  return { done: true, decision, reason: `${ending} ${result}; last verdict: ${verdict.reason}`, waitSeconds: 0, periodsJudged, verdict: compact };
}
