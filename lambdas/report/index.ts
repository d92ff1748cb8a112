import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { CodeDeployClient } from '@aws-sdk/client-codedeploy';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { S3Client } from '@aws-sdk/client-s3';
import { SFNClient } from '@aws-sdk/client-sfn';
import { CodeDeployHookReporter } from '../../lib/adapters/aws/codedeploy';
import { S3PolicyStore } from '../../lib/adapters/aws/s3-policy-store';
import { StepFunctionsEndedExecutionLister, StepFunctionsExecutionInputReader } from '../../lib/adapters/aws/step-functions';
import { AwsVerdictSink } from '../../lib/adapters/aws/verdict-sink';
import { createReportHandler } from '../../lib/evaluation/handlers/report';
import { lazyHandler, runtime } from '../shared';

export const handler = lazyHandler(() => {
  const sfn = new SFNClient({});
  return createReportHandler(
    {
      reporter: new CodeDeployHookReporter(new CodeDeployClient({})),
      sink: new AwsVerdictSink(new CloudWatchClient({}), new EventBridgeClient({})),
      policies: new S3PolicyStore(new S3Client({})),
      executions: new StepFunctionsExecutionInputReader(sfn),
      endedExecutions: new StepFunctionsEndedExecutionLister(sfn),
      now: () => new Date(),
    },
    runtime,
  );
});
