import { CloudWatchClient, PutMetricDataCommand } from '@aws-sdk/client-cloudwatch';
import { CodeDeployClient, PutLifecycleEventHookExecutionStatusCommand } from '@aws-sdk/client-codedeploy';
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { mockClient } from 'aws-sdk-client-mock';
import { handler } from '../../lambdas/report';
import { NOTIFICATIONS } from '../../lib/evaluation/contracts';
import { HOOK_EVENT, LAMBDA_EXECUTION_INPUT } from '../fixtures/codedeploy/events';
import { executionStatusChange } from '../fixtures/stepfunctions/events';

// The handler reads its environment when first called: the evaluator's topic, default `on`.
const TOPIC = 'arn:aws:sns:us-east-1:123456789012:canary-notifications';
process.env[NOTIFICATIONS.topicVariable] = TOPIC;
process.env[NOTIFICATIONS.onVariable] = JSON.stringify(['rollback', 'inconclusive']);

const codedeploy = mockClient(CodeDeployClient);
const cloudwatch = mockClient(CloudWatchClient);
const eventbridge = mockClient(EventBridgeClient);
const sns = mockClient(SNSClient);

const execution = {
  ...LAMBDA_EXECUTION_INPUT,
  lifecycleEventHookExecutionId: HOOK_EVENT.LifecycleEventHookExecutionId,
  lifecycleEvent: 'AfterAllowTraffic',
  applicationName: 'orders-app',
  deploymentGroupName: 'orders-group',
  switches: { dryRun: false, onEvaluatorError: 'fail' },
};
const executionArn = 'arn:aws:states:us-east-1:123456789012:execution:Evaluation:d-A1B2C3D4E-AfterAllowTraffic';
const plan = { phase: 'bake', windowStart: 0, windowEnd: 600, periodSeconds: 60, lagSeconds: 120, metricCount: 1, baselineOffsetSeconds: 600, reportBy: 3000, smokeTests: 0, canaryWatch: false, stopDeploymentOnFail: false, dryRun: false, onEvaluatorError: 'fail' };
const verdictOf = (decision: 'pass' | 'fail') => ({ decision, final: true, reason: `verdict ${decision}`, metrics: [] });
const request = (decision: 'pass' | 'fail', input: object = execution) => ({
  mode: 'verdict',
  execution: input,
  state: { plan, tick: { decision, final: true, reason: `verdict ${decision}`, waitSeconds: 60, periodsJudged: 10, verdict: verdictOf(decision) }, outcome: { decision, cause: 'verdict' } },
});

/** *Report verdict* then *Publish verdict*, with the payload the state machine gives the publish Task. */
async function reportAndPublish(report: { execution: object }) {
  const { event } = (await handler(report)) as { event?: unknown };
  return handler({ mode: 'publish', event, execution: report.execution, executionArn });
}

const messages = () => sns.commandCalls(PublishCommand).map((call) => ({ ...call.args[0].input, Message: JSON.parse(call.args[0].input.Message!) as { content: { title: string; nextSteps?: string[] } } }));

beforeEach(() => {
  for (const mock of [codedeploy, cloudwatch, eventbridge, sns]) mock.reset();
  codedeploy.on(PutLifecycleEventHookExecutionStatusCommand).resolves({});
  cloudwatch.on(PutMetricDataCommand).resolves({});
  eventbridge.on(PutEventsCommand).resolves({ FailedEntryCount: 0, Entries: [{ EventId: '1' }] });
  sns.on(PublishCommand).resolves({ MessageId: 'm-1' });
});

describe('report handler: notifications', () => {
  test('a rollback: the publish step sends one message to the topic, the report step none', async () => {
    const { event } = (await handler(request('fail'))) as { event?: unknown };
    expect(messages()).toEqual([]);
    await expect(handler({ mode: 'publish', event, execution, executionArn })).resolves.toEqual({ published: true });
    const sent = messages();
    expect(sent).toHaveLength(1);
    expect(sent[0]).toMatchObject({ TopicArn: TOPIC, Subject: 'Rolled back: orders-app / orders-group (Lambda orders:live), version 2 (from 1)' });
    expect(sent[0].Message.content.nextSteps).toContain(`Evaluation: https://us-east-1.console.aws.amazon.com/states/home?region=us-east-1#/v2/executions/details/${executionArn}`);
  });

  test('a promotion: none by default, one when the registration says every-verdict', async () => {
    await reportAndPublish(request('pass'));
    expect(messages()).toHaveLength(0);
    await reportAndPublish(request('pass', { ...execution, switches: { ...execution.switches, notify: 'every-verdict' } }));
    expect(messages()).toHaveLength(1);
    expect(eventbridge.commandCalls(PutEventsCommand)).toHaveLength(2);
  });

  test('SNS failing: the verdict is still reported and published, the publish step succeeds', async () => {
    sns.on(PublishCommand).rejects(new Error('AuthorizationError: not authorized to perform SNS:Publish'));
    await expect(reportAndPublish(request('fail'))).resolves.toEqual({ published: true });
    expect(codedeploy.commandCalls(PutLifecycleEventHookExecutionStatusCommand)[0].args[0].input.status).toBe('Failed');
    expect(eventbridge.commandCalls(PutEventsCommand)).toHaveLength(1);
    expect(sns.commandCalls(PublishCommand)).toHaveLength(1);
  });

  test('the reaper notifies of the Failed it reported, once', async () => {
    await expect(handler(executionStatusChange('TIMED_OUT', execution))).resolves.toEqual({ status: 'Failed', result: 'reported' });
    const sent = messages();
    expect(sent).toHaveLength(1);
    expect(sent[0].Message.content.title).toBe(':warning: Evaluator error, rolled back: orders-app / orders-group (Lambda orders:live), version 2 (from 1)');
  });
});
