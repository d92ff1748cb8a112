import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { S3Client } from '@aws-sdk/client-s3';
import { CloudWatchAlarmStateSource, CloudWatchMetricSource } from '../../lib/adapters/aws/cloudwatch-metric-source';
import { S3PolicyStore } from '../../lib/adapters/aws/s3-policy-store';
import { AwsVerdictSink } from '../../lib/adapters/aws/verdict-sink';
import { type AlarmStateSource, type MetricSource, type PolicyStore, type VerdictSink } from '../../lib/evaluation/ports';
import { parseEvaluateRequest, type TickResult } from '../../lib/evaluation/state';
import { evaluateTick, loadPolicy } from '../../lib/evaluation/steps';
import { subjectOf } from '../../lib/evaluation/watch';
import { publishTickBestEffort } from '../../lib/evaluation/conclude';
import { logger, NO_TELEMETRY, powertoolsTelemetry, type Telemetry } from '../shared';

export interface EvaluateDependencies {
  readonly policies: PolicyStore;
  readonly metrics: MetricSource;
  readonly sink: VerdictSink;
  readonly now: () => Date;
  /** For alarm-gate metrics. @default - a policy with alarm gates fails the tick */
  readonly alarms?: AlarmStateSource;
  readonly telemetry?: Telemetry;
}

/** One tick of the bake: read the window, judge it, publish `VerdictFailed`, say what comes next. */
export function createEvaluateHandler(deps: EvaluateDependencies) {
  const telemetry = deps.telemetry ?? NO_TELEMETRY;
  return async (event: unknown): Promise<TickResult> => {
    const request = parseEvaluateRequest(event);
    logger.setCorrelationId(request.input.deploymentId);
    const policy = await loadPolicy(deps.policies, request.input);
    const tick = await evaluateTick(request, policy, deps.metrics, deps.now(), deps.alarms);
    // In a dry run the verdict metric stays silent: its alarm on the deployment group would act.
    if (!request.plan.dryRun && tick.periodsJudged > 0) await publishTickBestEffort(deps.sink, subjectOf(request), tick.decision === 'fail', logger);
    logger.info('evaluation tick', { decision: tick.decision, final: tick.final, reason: tick.reason, periodsJudged: tick.periodsJudged, ...(tick.final ? { verdict: tick.verdict } : {}) });
    if (tick.final) telemetry.seconds('TimeToVerdict', Math.round(deps.now().getTime() / 1000 - Date.parse(request.input.hookInvokedAt) / 1000));
    telemetry.flush();
    return tick;
  };
}

let wired: ReturnType<typeof createEvaluateHandler> | undefined;

export const handler = async (event: unknown) => {
  wired ??= (() => {
    const telemetry = powertoolsTelemetry();
    const cloudwatch = new CloudWatchClient({});
    return createEvaluateHandler({
      policies: new S3PolicyStore(new S3Client({})),
      metrics: new CloudWatchMetricSource(cloudwatch, {}, { recordCall: (n) => (telemetry.count('GetMetricDataCalls', 1), telemetry.count('MetricsRequested', n)) }),
      alarms: new CloudWatchAlarmStateSource(cloudwatch),
      sink: new AwsVerdictSink(cloudwatch, new EventBridgeClient({})),
      now: () => new Date(),
      telemetry,
    });
  })();
  return wired(event);
};
