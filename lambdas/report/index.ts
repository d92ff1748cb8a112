import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { CodeDeployClient } from '@aws-sdk/client-codedeploy';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { SFNClient } from '@aws-sdk/client-sfn';
import { CodeDeployHookReporter } from '../../lib/adapters/aws/codedeploy';
import { StepFunctionsExecutionInputReader } from '../../lib/adapters/aws/step-functions';
import { AwsVerdictSink } from '../../lib/adapters/aws/verdict-sink';
import { createReportHandler } from '../../lib/evaluation/handlers/report';
import { lazyHandler, runtime } from '../shared';

export const handler = lazyHandler(() =>
  createReportHandler(
    {
      reporter: new CodeDeployHookReporter(new CodeDeployClient({})),
      sink: new AwsVerdictSink(new CloudWatchClient({}), new EventBridgeClient({})),
      executions: new StepFunctionsExecutionInputReader(new SFNClient({})),
      now: () => new Date(),
    },
    runtime,
  ),
);
