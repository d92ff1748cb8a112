import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { CodeDeployClient } from '@aws-sdk/client-codedeploy';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { S3Client } from '@aws-sdk/client-s3';
import { SFNClient } from '@aws-sdk/client-sfn';
import { SNSClient } from '@aws-sdk/client-sns';
import { CodeDeployHookReporter } from '../../lib/adapters/aws/codedeploy';
import { StepFunctionsEndedExecutionLister, StepFunctionsExecutionInputReader } from '../../lib/adapters/aws/step-functions';
import { S3ReportStore } from '../../lib/adapters/aws/s3-report-store';
import { SnsNotifier } from '../../lib/adapters/aws/sns-notifier';
import { AwsVerdictSink } from '../../lib/adapters/aws/verdict-sink';
import { NOTIFICATIONS, REPORT_STORE } from '../../lib/evaluation/contracts';
import { parseNotifyOn } from '../../lib/evaluation/notification';
import { createReportHandler } from '../../lib/evaluation/handlers/report';
import { renderVerdictReport } from '../../lib/report/verdict-report';
import { lazyHandler, runtime, traced } from '../shared';

export const handler = lazyHandler(() => {
  const sfn = traced(new SFNClient({}));
  const bucket = process.env[REPORT_STORE.bucketVariable];
  const region = process.env.AWS_REGION ?? 'us-east-1';
  const topicArn = process.env[NOTIFICATIONS.topicVariable];
  const on = process.env[NOTIFICATIONS.onVariable];
  return createReportHandler(
    {
      reporter: new CodeDeployHookReporter(traced(new CodeDeployClient({}))),
      sink: new AwsVerdictSink(traced(new CloudWatchClient({})), traced(new EventBridgeClient({}))),
      executions: new StepFunctionsExecutionInputReader(sfn),
      endedExecutions: new StepFunctionsEndedExecutionLister(sfn),
      now: () => new Date(),
      ...(topicArn ? { notifications: { notifier: new SnsNotifier(traced(new SNSClient({}))), topicArn, region, ...(on ? { on: parseNotifyOn(JSON.parse(on), NOTIFICATIONS.onVariable) } : {}) } } : {}),
      ...(bucket ? { reports: { store: new S3ReportStore(traced(new S3Client({})), bucket, region), render: (event) => renderVerdictReport(event) } } : {}),
    },
    runtime,
  );
});
