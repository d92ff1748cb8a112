import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { S3Client } from '@aws-sdk/client-s3';
import { CloudWatchAlarmStateSource, CloudWatchMetricSource } from '../../lib/adapters/aws/cloudwatch-metric-source';
import { InsightsQueryRunner } from '../../lib/adapters/aws/cloudwatch-logs-queries';
import { S3OverrideStore } from '../../lib/adapters/aws/s3-override-store';
import { S3PolicyStore } from '../../lib/adapters/aws/s3-policy-store';
import { StsIdentityVerifier } from '../../lib/adapters/aws/sts-identity';
import { AwsVerdictSink } from '../../lib/adapters/aws/verdict-sink';
import { createEvaluateHandler } from '../../lib/evaluation/handlers/evaluate';
import { lazyHandler, runtime, traced } from '../shared';

export const handler = lazyHandler(() => {
  const cloudwatch = traced(new CloudWatchClient({}));
  const s3 = traced(new S3Client({}));
  const recordCall = (metrics: number) => (runtime.telemetry.count('GetMetricDataCalls', 1), runtime.telemetry.count('MetricsRequested', metrics));
  return createEvaluateHandler(
    {
      policies: new S3PolicyStore(s3),
      overrides: { overrides: new S3OverrideStore(s3), identity: new StsIdentityVerifier() },
      metrics: new CloudWatchMetricSource(cloudwatch, {}, { recordCall }),
      alarms: new CloudWatchAlarmStateSource(cloudwatch),
      logs: new InsightsQueryRunner(traced(new CloudWatchLogsClient({}))),
      sink: new AwsVerdictSink(cloudwatch, traced(new EventBridgeClient({}))),
      now: () => new Date(),
    },
    runtime,
  );
});
