import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { S3Client } from '@aws-sdk/client-s3';
import { CloudWatchAlarmStateSource, CloudWatchMetricSource } from '../../lib/adapters/aws/cloudwatch-metric-source';
import { InsightsQueryRunner } from '../../lib/adapters/aws/cloudwatch-logs-queries';
import { S3PolicyStore } from '../../lib/adapters/aws/s3-policy-store';
import { AwsVerdictSink } from '../../lib/adapters/aws/verdict-sink';
import { createEvaluateHandler } from '../../lib/evaluation/handlers/evaluate';
import { lazyHandler, runtime, traced } from '../shared';

export const handler = lazyHandler(() => {
  const cloudwatch = traced(new CloudWatchClient({}));
  const recordCall = (metrics: number) => (runtime.telemetry.count('GetMetricDataCalls', 1), runtime.telemetry.count('MetricsRequested', metrics));
  return createEvaluateHandler(
    {
      policies: new S3PolicyStore(traced(new S3Client({}))),
      metrics: new CloudWatchMetricSource(cloudwatch, {}, { recordCall }),
      alarms: new CloudWatchAlarmStateSource(cloudwatch),
      logs: new InsightsQueryRunner(traced(new CloudWatchLogsClient({}))),
      sink: new AwsVerdictSink(cloudwatch, traced(new EventBridgeClient({}))),
      now: () => new Date(),
    },
    runtime,
  );
});
