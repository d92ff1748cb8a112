import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { S3Client } from '@aws-sdk/client-s3';
import { CloudWatchAlarmStateSource, CloudWatchMetricSource } from '../../lib/adapters/aws/cloudwatch-metric-source';
import { S3PolicyStore } from '../../lib/adapters/aws/s3-policy-store';
import { evaluateRequestSchema, evaluateTick, loadPolicy, type AlarmStateSource, type MetricSource, type PolicyStore, type TickResult } from '../../lib/evaluation';
import { logger } from '../shared';

export interface EvaluateDependencies {
  readonly policies: PolicyStore;
  readonly metrics: MetricSource;
  readonly now: () => Date;
  /** For alarm-gate metrics. @default - a policy with alarm gates fails the tick */
  readonly alarms?: AlarmStateSource;
}

/** One tick of the evaluation loop: read the window, judge it, say what comes next. */
export function createEvaluateHandler(deps: EvaluateDependencies) {
  return async (event: unknown): Promise<TickResult> => {
    const request = evaluateRequestSchema.parse(event);
    logger.setCorrelationId(request.input.deploymentId);
    const policy = await loadPolicy(deps.policies, request.input);
    const tick = await evaluateTick(request, policy, deps.metrics, deps.now(), deps.alarms);
    logger.info('evaluation tick', { decision: tick.decision, final: tick.final, reason: tick.reason, periodsJudged: tick.periodsJudged });
    return tick;
  };
}

export const handler = createEvaluateHandler({
  policies: new S3PolicyStore(new S3Client({})),
  metrics: new CloudWatchMetricSource(new CloudWatchClient({})),
  alarms: new CloudWatchAlarmStateSource(new CloudWatchClient({})),
  now: () => new Date(),
});
