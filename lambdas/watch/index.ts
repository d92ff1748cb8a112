import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { CodeDeployClient } from '@aws-sdk/client-codedeploy';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { S3Client } from '@aws-sdk/client-s3';
import { CloudWatchAlarmStateSource, CloudWatchMetricSource } from '../../lib/adapters/aws/cloudwatch-metric-source';
import { CodeDeployDeploymentControl } from '../../lib/adapters/aws/codedeploy';
import { S3PolicyStore } from '../../lib/adapters/aws/s3-policy-store';
import { AwsVerdictSink } from '../../lib/adapters/aws/verdict-sink';
import { createWatchHandler } from '../../lib/evaluation/handlers/watch';
import { notificationChannel } from '../notification-channel';
import { lazyHandler, runtime, traced } from '../shared';

export const handler = lazyHandler(() => {
  const cloudwatch = traced(new CloudWatchClient({}));
  const notifications = notificationChannel();
  const recordCall = (metrics: number) => (runtime.telemetry.count('GetMetricDataCalls', 1), runtime.telemetry.count('MetricsRequested', metrics));
  return createWatchHandler(
    {
      policies: new S3PolicyStore(traced(new S3Client({}))),
      metrics: new CloudWatchMetricSource(cloudwatch, {}, { recordCall }),
      control: new CodeDeployDeploymentControl(traced(new CodeDeployClient({}))),
      alarms: new CloudWatchAlarmStateSource(cloudwatch),
      sink: new AwsVerdictSink(cloudwatch, traced(new EventBridgeClient({}))),
      now: () => new Date(),
      ...(notifications ? { notifications } : {}),
      count: (name, value) => runtime.telemetry.count(name, value),
    },
    runtime,
  );
});
