import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { CodeDeployClient } from '@aws-sdk/client-codedeploy';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { S3Client } from '@aws-sdk/client-s3';
import { CloudWatchAlarmStateSource, CloudWatchMetricSource } from '../../lib/adapters/aws/cloudwatch-metric-source';
import { CodeDeployDeploymentControl } from '../../lib/adapters/aws/codedeploy';
import { S3PolicyStore } from '../../lib/adapters/aws/s3-policy-store';
import { AwsVerdictSink } from '../../lib/adapters/aws/verdict-sink';
import { type PolicyStore } from '../../lib/evaluation/ports';
import { parseEvaluateRequest } from '../../lib/evaluation/state';
import { loadPolicy } from '../../lib/evaluation/steps';
import { watchTick, type WatchDependencies, type WatchTickResult } from '../../lib/evaluation/watch';
import { logger, NO_TELEMETRY, powertoolsTelemetry, type Telemetry } from '../shared';

export interface WatchHandlerDependencies extends WatchDependencies {
  readonly policies: PolicyStore;
  readonly now: () => Date;
  readonly telemetry?: Telemetry;
}

/** One look at the canary window while CodeDeploy shifts traffic (after the pre-traffic hook reported). */
export function createWatchHandler(deps: WatchHandlerDependencies) {
  const telemetry = deps.telemetry ?? NO_TELEMETRY;
  return async (event: unknown): Promise<WatchTickResult> => {
    const request = parseEvaluateRequest(event);
    logger.setCorrelationId(request.input.deploymentId);
    const policy = await loadPolicy(deps.policies, request.input);
    const tick = await watchTick(request, policy, deps, deps.now());
    logger.info('canary watch tick', { ...tick });
    telemetry.flush();
    return tick;
  };
}

let wired: ReturnType<typeof createWatchHandler> | undefined;

export const handler = async (event: unknown) => {
  wired ??= (() => {
    const telemetry = powertoolsTelemetry();
    const cloudwatch = new CloudWatchClient({});
    return createWatchHandler({
      policies: new S3PolicyStore(new S3Client({})),
      metrics: new CloudWatchMetricSource(cloudwatch, {}, { recordCall: (n) => (telemetry.count('GetMetricDataCalls', 1), telemetry.count('MetricsRequested', n)) }),
      control: new CodeDeployDeploymentControl(new CodeDeployClient({})),
      alarms: new CloudWatchAlarmStateSource(cloudwatch),
      sink: new AwsVerdictSink(cloudwatch, new EventBridgeClient({})),
      now: () => new Date(),
      telemetry,
    });
  })();
  return wired(event);
};
