import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { CodeDeployClient } from '@aws-sdk/client-codedeploy';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { SFNClient } from '@aws-sdk/client-sfn';
import { CodeDeployHookReporter } from '../../lib/adapters/aws/codedeploy';
import { StepFunctionsEndedExecutionLister, StepFunctionsExecutionInputReader } from '../../lib/adapters/aws/step-functions';
import { AwsVerdictSink } from '../../lib/adapters/aws/verdict-sink';
import { createReportHandler } from '../../lib/evaluation/handlers/report';
import { lazyHandler, runtime, traced } from '../shared';

export const handler = lazyHandler(() => {
  const sfn = traced(new SFNClient({}));
  return createReportHandler(
    {
      reporter: new CodeDeployHookReporter(traced(new CodeDeployClient({}))),
      sink: new AwsVerdictSink(traced(new CloudWatchClient({})), traced(new EventBridgeClient({}))),
      executions: new StepFunctionsExecutionInputReader(sfn),
      endedExecutions: new StepFunctionsEndedExecutionLister(sfn),
      now: () => new Date(),
    },
    runtime,
  );
});
