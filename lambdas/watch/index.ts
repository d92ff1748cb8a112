import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { CodeDeployClient } from '@aws-sdk/client-codedeploy';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { S3Client } from '@aws-sdk/client-s3';
import { CloudWatchAlarmStateSource, CloudWatchMetricSource } from '../../lib/adapters/aws/cloudwatch-metric-source';
import { CodeDeployDeploymentControl } from '../../lib/adapters/aws/codedeploy';
import { S3OverrideStore } from '../../lib/adapters/aws/s3-override-store';
import { S3PolicyStore } from '../../lib/adapters/aws/s3-policy-store';
import { StsIdentityVerifier } from '../../lib/adapters/aws/sts-identity';
import { AwsVerdictSink } from '../../lib/adapters/aws/verdict-sink';
import { createWatchHandler } from '../../lib/evaluation/handlers/watch';
import { notificationChannel } from '../notification-channel';
import { lazyHandler, runtime, traced } from '../shared';

export const handler = lazyHandler(() => {
  const cloudwatch = traced(new CloudWatchClient({}));
  const s3 = traced(new S3Client({}));
  const notifications = notificationChannel();
  const recordCall = (metrics: number) => (runtime.telemetry.count('GetMetricDataCalls', 1), runtime.telemetry.count('MetricsRequested', metrics));
  return createWatchHandler(
    {
      policies: new S3PolicyStore(s3),
      overrides: { overrides: new S3OverrideStore(s3), identity: new StsIdentityVerifier() },
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
