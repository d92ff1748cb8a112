import { publishTickBestEffort } from '../conclude';
import { TICK_LOG_MESSAGES } from '../contracts';
import type { AlarmStateSource, MetricSource, PolicyStore, VerdictSink } from '../ports';
import { parseEvaluateRequest, type TickResult } from '../state';
import { lookAtBake, loadPolicy } from '../steps';
import { subjectOf } from '../watch';
import type { LogsQueryRunner } from '../logs/ports';
import { lookForOverride, overrideAwareWait, type OverrideDependencies } from '../override/look';
import { overriddenBakeTick } from '../override/ticks';
import type { OverrideOutcome } from '../override/record';
import { SILENT_RUNTIME, wrapHandler, type HandlerLog, type HandlerRuntime } from './runtime';

export interface EvaluateDependencies {
  readonly policies: PolicyStore;
  readonly metrics: MetricSource;
  readonly sink: VerdictSink;
  readonly now: () => Date;
  /** For alarm-gate metrics. @default - a policy with alarm gates fails the tick */
  readonly alarms?: AlarmStateSource;
  /** Logs Insights, for a policy's `logs` signal. @default - a policy with `logs` fails the tick */
  readonly logs?: LogsQueryRunner;
  /** The override records and the STS check of their author. @default - overrides are not looked for */
  readonly overrides?: OverrideDependencies;
}

/** This look's override, if any; a record that cannot be read is looked for again at the next look, never an evaluator error. */
export async function overrideAtThisLook(request: Parameters<typeof lookForOverride>[0], deps: OverrideDependencies | undefined, log: HandlerLog): Promise<OverrideOutcome | undefined> {
  try {
    return await lookForOverride(request, deps);
  } catch (error) {
    log.error('could not read the override record; looking again at the next look', { error: (error as Error).message });
    return undefined;
  }
}

/** One tick of the bake: read the window, judge it, publish `VerdictFailed`, say what comes next. */
export function createEvaluateHandler(deps: EvaluateDependencies, runtime: HandlerRuntime = SILENT_RUNTIME) {
  return wrapHandler(runtime, async (event): Promise<TickResult> => {
    const request = parseEvaluateRequest(event);
    runtime.log.setCorrelationId(request.input.deploymentId);
    const policy = await loadPolicy(deps.policies, request.input);
    // Before judging: an honoured override ends the bake (skip and rollback read no metric).
    const override = await overrideAtThisLook(request.input, deps.overrides, runtime.log);
    const honoured = override?.honoured ? override : undefined;
    const looked = honoured && honoured.action !== 'promote' ? { tick: undefined, costPerRequest: [] } : await lookAtBake(request, policy, deps.metrics, deps.now(), deps.alarms, deps.logs);
    // The log signal's state goes on to the next tick whatever the override did ("Decide" loops only on a tick with it).
    const logSignal = looked.tick?.logSignal ?? request.logSignal ?? {};
    const tick: TickResult = honoured
      ? { ...overriddenBakeTick(honoured, looked.tick), logSignal }
      : { ...looked.tick!, waitSeconds: overrideAwareWait(request.input, looked.tick!.waitSeconds), ...(override ? { override } : {}) };
    const { costPerRequest } = looked;
    // In a dry run the verdict metric stays silent: its alarm on the deployment group would act.
    // Best effort (one rule for the bake and the watch): a PutMetricData outage must not roll back every deployment.
    if (!request.plan.dryRun && tick.periodsJudged > 0) await publishTickBestEffort(deps.sink, subjectOf(request), tick.decision === 'fail', runtime.log, costPerRequest);
    runtime.log.info(TICK_LOG_MESSAGES.evaluate, {
      decision: tick.decision,
      final: tick.final,
      reason: tick.reason,
      periodsJudged: tick.periodsJudged,
      ...(tick.override ? { override: tick.override } : {}),
      ...(tick.final ? { verdict: tick.verdict } : {}),
    });
    if (tick.final) runtime.telemetry.seconds('TimeToVerdict', Math.round(deps.now().getTime() / 1000 - Date.parse(request.input.hookInvokedAt) / 1000));
    return tick;
  });
}
