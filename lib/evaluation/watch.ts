import { costPerRequestFigures } from './verdict-metric';
import type { Policy } from '../policy';
import type { NotificationChannel } from './notify';
import { publishAndNotify } from './publication';
import { IN_PROGRESS_STATUSES, type AlarmStateSource, type MetricsThrottledError, type DeploymentControl, type MetricSource, type VerdictEvent, type VerdictSink, type VerdictSubject } from './ports';
import { waitSeconds, type EvaluateRequest, type StateVerdict } from './state';
import { publishTickBestEffort, reportSwitchesOf } from './conclude';
import { compactVerdict, judgeWindowUnlessThrottled } from './steps';

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
  const shift = deps.control.readShift ? await deps.control.readShift(input.deploymentId) : undefined;
  const nowSeconds = Math.floor(now.getTime() / 1000);
  if (shift?.complete) return lastLook(request, policy, deps, nowSeconds, `traffic shift complete (${shift.detail}); canary watch ended`);
  const windowOver = nowSeconds - plan.lagSeconds >= plan.windowEnd || nowSeconds >= plan.reportBy;
  const wait = waitSeconds(Math.max(1, Math.min(plan.periodSeconds, plan.reportBy - nowSeconds)), 'watch.waitSeconds');
  const judged = await judgeWindowUnlessThrottled(request, policy, deps.metrics, nowSeconds, { end: plan.windowEnd, deadlineReached: false, alarms: deps.alarms });
  if ('throttled' in judged) {
    // A look CloudWatch throttled throughout is skipped: the watch goes on, or ends without a verdict.
    if (windowOver) return notRead('canary watch reached its maximum duration', judged.throttled);
    return { done: false, decision: 'continue', reason: `look skipped: ${judged.throttled.message}; looking again in ${wait} s`, waitSeconds: wait, periodsJudged: 0 };
  }
  const { verdict, periodsJudged } = judged;
  const compact = compactVerdict(verdict);
  const failed = verdict.decision === 'fail';
  // In a dry run the verdict metric stays silent: its alarm would stop the deployment.
  if (!plan.dryRun) await publishTickBestEffort(deps.sink, subjectOf(request), failed, deps.log ?? { error: (message, details) => console.error(message, details) }, costPerRequestFigures(verdict));

  if (failed) {
    const stopped = plan.stopDeploymentOnFail && !plan.dryRun ? await deps.control.stop(input.deploymentId) : undefined;
    const event: VerdictEvent = {
      ...subjectOf(request),
      status: 'NotReported',
      decision: 'fail',
      cause: 'canary-watch',
      reason: `canary watch: ${verdict.reason}${stopped === 'stopped' ? '; deployment stopped with rollback' : ''}`,
      dryRun: plan.dryRun,
      codeDeploy: plan.dryRun
        ? 'nothing: a dry run (the canary watch failed)'
        : stopped === 'stopped'
          ? 'stopped with rollback by the canary watch'
          : 'rolls back on the deployment group’s verdict alarm (the canary watch failed)',
      timeToVerdictSeconds: Math.max(0, nowSeconds - Math.floor(Date.parse(input.hookInvokedAt) / 1000)),
      verdict: compact,
    };
    // The rollback the watch asks for is one on call must hear of, as the report step's are (best effort).
    // No ledger: the watch's verdict is not a hook's, and its Task is not retried after it ran.
    const log = deps.log ?? { error: (message: string, details: Record<string, unknown>) => console.error(message, details) };
    await publishAndNotify(event, { execution: input, on: reportSwitchesOf(input).notify }, { sink: deps.sink, notifications: deps.notifications, log: { error: log.error, info: () => undefined }, count: deps.count });
    return { done: true, decision: 'fail', reason: verdict.reason, waitSeconds: 0, periodsJudged, verdict: compact, ...(stopped ? { stopped } : {}) };
  }
  if (windowOver) return lastLook(request, policy, deps, nowSeconds, 'canary watch reached its maximum duration');
  return { done: false, decision: verdict.decision, reason: verdict.reason, waitSeconds: wait, periodsJudged, verdict: compact };
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
