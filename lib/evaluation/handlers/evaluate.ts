import { publishTickBestEffort } from '../conclude';
import { TICK_LOG_MESSAGES } from '../contracts';
import type { AlarmStateSource, MetricSource, PolicyStore, VerdictSink } from '../ports';
import { parseEvaluateRequest, type TickResult } from '../state';
import { lookAtBake, loadPolicy } from '../steps';
import { subjectOf } from '../watch';
import type { LogsQueryRunner } from '../logs/ports';
import { SILENT_RUNTIME, wrapHandler, type HandlerRuntime } from './runtime';

export interface EvaluateDependencies {
  readonly policies: PolicyStore;
  readonly metrics: MetricSource;
  readonly sink: VerdictSink;
  readonly now: () => Date;
  /** For alarm-gate metrics. @default - a policy with alarm gates fails the tick */
  readonly alarms?: AlarmStateSource;
  /** Logs Insights, for a policy's `logs` signal. @default - a policy with `logs` fails the tick */
  readonly logs?: LogsQueryRunner;
}

/** One tick of the bake: read the window, judge it, publish `VerdictFailed`, say what comes next. */
export function createEvaluateHandler(deps: EvaluateDependencies, runtime: HandlerRuntime = SILENT_RUNTIME) {
  return wrapHandler(runtime, async (event): Promise<TickResult> => {
    const request = parseEvaluateRequest(event);
    runtime.log.setCorrelationId(request.input.deploymentId);
    const policy = await loadPolicy(deps.policies, request.input);
    const { tick, costPerRequest } = await lookAtBake(request, policy, deps.metrics, deps.now(), deps.alarms, deps.logs);
    // In a dry run the verdict metric stays silent: its alarm on the deployment group would act.
    // Best effort (one rule for the bake and the watch): a PutMetricData outage must not roll back every deployment.
    if (!request.plan.dryRun && tick.periodsJudged > 0) await publishTickBestEffort(deps.sink, subjectOf(request), tick.decision === 'fail', runtime.log, costPerRequest);
    runtime.log.info(TICK_LOG_MESSAGES.evaluate, {
      decision: tick.decision,
      final: tick.final,
      reason: tick.reason,
      periodsJudged: tick.periodsJudged,
      ...(tick.final ? { verdict: tick.verdict } : {}),
    });
    if (tick.final) runtime.telemetry.seconds('TimeToVerdict', Math.round(deps.now().getTime() / 1000 - Date.parse(request.input.hookInvokedAt) / 1000));
    return tick;
  });
}
