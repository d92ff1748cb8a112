import { GetObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { DescribeExecutionCommand, ExecutionDoesNotExist, SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { mockClient } from 'aws-sdk-client-mock';
import { ECS_NATIVE_SERVICE, ECS_NATIVE_TARGETS, PRODUCTION_TRAFFIC_SHIFT, PRODUCTION_TRAFFIC_SHIFT_ROLLBACK } from '../fixtures/ecs-native/events';

process.env.POLICY_BUCKET = 'assets-bucket';
process.env.POLICY_KEY = 'web.json';
process.env.REPORT_SWITCHES = '{"dryRun":false,"onEvaluatorError":"fail"}';
process.env.STATE_MACHINE_ARN = 'arn:aws:states:us-west-2:123456789012:stateMachine:Evaluation';
process.env.ECS_TARGETS = JSON.stringify(ECS_NATIVE_TARGETS);
process.env.ECS_NATIVE_SERVICE = JSON.stringify(ECS_NATIVE_SERVICE);
process.env.HOOK_TIMEOUT = '{"timeoutInMinutes":1440,"action":"ROLLBACK"}';
process.env.REPORT_BUCKET = 'reports-bucket';
process.env.PRODUCTION_STEPS = '4';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const { handler } = require('../../lambdas/ecs-hook') as typeof import('../../lambdas/ecs-hook');

const s3 = mockClient(S3Client);
const sfn = mockClient(SFNClient);
/** A GetObject body as the SDK gives it (read with `transformToString`). */
const body = (text: string) => ({ transformToString: async () => text });
const notFound = () => Object.assign(new Error('NoSuchKey'), { name: 'NoSuchKey', $metadata: { httpStatusCode: 404 } });
const NAME = 'EZe5RNVLH6PPzHXINuP28_PRODUCTION_TRAFFIC_SHIFT_w100-AfterAllowTraffic';

beforeEach(() => {
  s3.reset();
  sfn.reset();
});

test('first invocation: reads no status, finds no execution, starts it under the deterministic name, answers IN_PROGRESS', async () => {
  s3.on(GetObjectCommand).rejects(notFound());
  sfn.on(DescribeExecutionCommand).rejects(new ExecutionDoesNotExist({ message: 'none', $metadata: {} }));
  sfn.on(StartExecutionCommand).resolves({ executionArn: 'arn', startDate: new Date() });
  const answer = await handler(PRODUCTION_TRAFFIC_SHIFT);
  expect(answer).toMatchObject({ hookStatus: 'IN_PROGRESS', callBackDelay: 30 });
  expect(s3.commandCalls(GetObjectCommand)[0].args[0].input).toEqual({ Bucket: 'reports-bucket', Key: 'ecs-native/hook-status/EZe5RNVLH6PPzHXINuP28_PRODUCTION_TRAFFIC_SHIFT_w100.json' });
  expect(sfn.commandCalls(DescribeExecutionCommand)[0].args[0].input).toEqual({ executionArn: `arn:aws:states:us-west-2:123456789012:execution:Evaluation:${NAME}`, includedData: 'METADATA_ONLY' });
  const started = sfn.commandCalls(StartExecutionCommand)[0].args[0].input;
  expect(started.name).toBe(NAME);
  expect(JSON.parse(started.input!)).toMatchObject({ deploymentId: 'EZe5RNVLH6PPzHXINuP28_PRODUCTION_TRAFFIC_SHIFT_w100', ecsNative: { role: 'step', productionWeight: 100, hookTimeoutSeconds: 86_400, productionSteps: 4 } });
});

test('a recorded status is answered; a rollback is answered without any call', async () => {
  s3.on(GetObjectCommand).resolves({ Body: body(JSON.stringify({ status: 'Failed' })) as never });
  await expect(handler(PRODUCTION_TRAFFIC_SHIFT)).resolves.toEqual({ hookStatus: 'FAILED' });
  expect(sfn.commandCalls(StartExecutionCommand)).toHaveLength(0);
  s3.reset();
  await expect(handler(PRODUCTION_TRAFFIC_SHIFT_ROLLBACK)).resolves.toEqual({ hookStatus: 'SUCCEEDED' });
  expect(s3.calls()).toHaveLength(0);
});

test('at the deadline the status is created once (If-None-Match), and one already there stands', async () => {
  s3.on(GetObjectCommand).rejectsOnce(notFound()).resolves({ Body: body(JSON.stringify({ status: 'Succeeded' })) as never });
  sfn.on(DescribeExecutionCommand).resolves({ status: 'RUNNING', startDate: new Date(Date.now() - 86_400_000) });
  s3.on(PutObjectCommand).rejects(Object.assign(new Error('PreconditionFailed'), { name: 'PreconditionFailed', $metadata: { httpStatusCode: 412 } }));
  await expect(handler(PRODUCTION_TRAFFIC_SHIFT)).resolves.toEqual({ hookStatus: 'SUCCEEDED' });
  expect(s3.commandCalls(PutObjectCommand)[0].args[0].input).toMatchObject({ IfNoneMatch: '*', Key: 'ecs-native/hook-status/EZe5RNVLH6PPzHXINuP28_PRODUCTION_TRAFFIC_SHIFT_w100.json' });
});
