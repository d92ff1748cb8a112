import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { CodeDeployClient } from '@aws-sdk/client-codedeploy';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { S3Client } from '@aws-sdk/client-s3';
import { SFNClient } from '@aws-sdk/client-sfn';
import { CodeDeployHookReporter, CodeDeployHookStatusReader } from '../../lib/adapters/aws/codedeploy';
import { StepFunctionsEndedExecutionLister, StepFunctionsExecutionInputReader, StepFunctionsExecutionRecordReader } from '../../lib/adapters/aws/step-functions';
import { CloudWatchChangeFailureSink, S3PromotionStore } from '../../lib/adapters/aws/s3-change-failures';
import { hookStatusStoreIn } from '../../lib/adapters/aws/s3-hook-status-store';
import { S3PublicationLedger } from '../../lib/adapters/aws/s3-publication-ledger';
import { S3ReportStore } from '../../lib/adapters/aws/s3-report-store';
import { AwsVerdictSink } from '../../lib/adapters/aws/verdict-sink';
import { REPORT_STORE } from '../../lib/evaluation/contracts';
import { PlatformHookReporter } from '../../lib/evaluation/ecs-native/routing';
import { createReportHandler } from '../../lib/evaluation/handlers/report';
import { renderVerdictReport } from '../../lib/report/verdict-report';
import { notificationChannel } from '../notification-channel';
import { lazyHandler, runtime, traced } from '../shared';

export const handler = lazyHandler(() => {
  const sfn = traced(new SFNClient({}));
  const bucket = process.env[REPORT_STORE.bucketVariable];
  const notifications = notificationChannel();
  const s3 = traced(new S3Client({}));
  const codeDeploy = traced(new CodeDeployClient({}));
  const cloudwatch = traced(new CloudWatchClient({}));
  const platform = new PlatformHookReporter(new CodeDeployHookReporter(codeDeploy), hookStatusStoreIn(s3, bucket), new CodeDeployHookStatusReader(codeDeploy));
  return createReportHandler(
    {
      reporter: platform, hookStatus: platform, // one object: reports and reads hook statuses, CodeDeploy or ECS native
      records: new StepFunctionsExecutionRecordReader(sfn),
      sink: new AwsVerdictSink(cloudwatch, traced(new EventBridgeClient({}))),
      executions: new StepFunctionsExecutionInputReader(sfn),
      endedExecutions: new StepFunctionsEndedExecutionLister(sfn),
      now: () => new Date(),
      ...(notifications ? { notifications } : {}),
      ...(bucket ? { reports: { store: new S3ReportStore(s3, bucket, process.env.AWS_REGION ?? 'us-east-1'), render: (event) => renderVerdictReport(event) }, ledger: new S3PublicationLedger(s3, bucket), changeFailures: { store: new S3PromotionStore(s3, bucket), sink: new CloudWatchChangeFailureSink(cloudwatch) } } : {}),
    },
    runtime,
  );
});
