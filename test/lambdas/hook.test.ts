import { CodeDeployClient, GetApplicationRevisionCommand, GetDeploymentCommand, PutLifecycleEventHookExecutionStatusCommand } from '@aws-sdk/client-codedeploy';
import { DescribeExecutionCommand, ExecutionAlreadyExists, ExecutionDoesNotExist, SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { mockClient } from 'aws-sdk-client-mock';
import { APPSPEC_YAML, DEPLOYMENT_INFO, HOOK_EVENT } from '../fixtures/codedeploy/events';

process.env.LIFECYCLE_EVENT = 'AfterAllowTraffic';
process.env.POLICY_BUCKET = 'assets-bucket';
process.env.POLICY_KEY = 'abc123.json';
process.env.REPORT_SWITCHES = '{"dryRun":false,"onEvaluatorError":"fail"}';
process.env.STATE_MACHINE_ARN = 'arn:aws:states:us-east-1:123456789012:stateMachine:Evaluation';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const { handler } = require('../../lambdas/hook') as typeof import('../../lambdas/hook');

const codedeploy = mockClient(CodeDeployClient);
const sfn = mockClient(SFNClient);

beforeEach(() => {
  codedeploy.reset();
  sfn.reset();
  codedeploy.on(GetDeploymentCommand).resolves({ deploymentInfo: DEPLOYMENT_INFO });
  codedeploy.on(GetApplicationRevisionCommand).resolves({
    applicationName: DEPLOYMENT_INFO.applicationName,
    revision: { revisionType: 'AppSpecContent', appSpecContent: { content: APPSPEC_YAML, sha256: 'x' } },
  });
  codedeploy.on(PutLifecycleEventHookExecutionStatusCommand).resolves({ lifecycleEventHookExecutionId: HOOK_EVENT.LifecycleEventHookExecutionId });
  sfn.on(StartExecutionCommand).resolves({ executionArn: 'arn:exec', startDate: new Date() });
});

describe('hook handler', () => {
  test('starts one evaluation named after the deployment and the lifecycle event', async () => {
    await expect(handler(HOOK_EVENT)).resolves.toEqual({ outcome: 'started', executionName: 'd-A1B2C3D4E-AfterAllowTraffic' });
    const calls = sfn.commandCalls(StartExecutionCommand);
    expect(calls).toHaveLength(1);
    const { stateMachineArn, name, input } = calls[0].args[0].input;
    expect(stateMachineArn).toBe(process.env.STATE_MACHINE_ARN);
    expect(name).toBe('d-A1B2C3D4E-AfterAllowTraffic');
    expect(JSON.parse(input!)).toMatchObject({
      deploymentId: HOOK_EVENT.DeploymentId,
      lifecycleEventHookExecutionId: HOOK_EVENT.LifecycleEventHookExecutionId,
      lifecycleEvent: 'AfterAllowTraffic',
      applicationName: 'orders-app',
      deploymentGroupName: 'orders-group',
      target: { functionName: 'orders', alias: 'live', currentVersion: '1', targetVersion: '2' },
      policyRef: { bucket: 'assets-bucket', key: 'abc123.json' },
    });
    expect(codedeploy.commandCalls(GetApplicationRevisionCommand)[0].args[0].input).toEqual({
      applicationName: 'orders-app',
      revision: DEPLOYMENT_INFO.revision,
    });
    expect(codedeploy.commandCalls(PutLifecycleEventHookExecutionStatusCommand)).toHaveLength(0);
  });

  test('a duplicate invocation starts nothing new and reports nothing', async () => {
    sfn.on(StartExecutionCommand).rejects(new ExecutionAlreadyExists({ message: 'Execution Already Exists', $metadata: {} }));
    await expect(handler(HOOK_EVENT)).resolves.toEqual({ outcome: 'duplicate', executionName: 'd-A1B2C3D4E-AfterAllowTraffic' });
    expect(codedeploy.commandCalls(PutLifecycleEventHookExecutionStatusCommand)).toHaveLength(0);
  });

  test('reports Failed itself when GetDeployment fails', async () => {
    codedeploy.on(GetDeploymentCommand).rejects(new Error('AccessDenied'));
    await expect(handler(HOOK_EVENT)).resolves.toMatchObject({ outcome: 'reported', status: 'Failed', reason: expect.stringContaining('AccessDenied') });
    const reports = codedeploy.commandCalls(PutLifecycleEventHookExecutionStatusCommand);
    expect(reports).toHaveLength(1);
    expect(reports[0].args[0].input).toEqual({ ...toIds(HOOK_EVENT), status: 'Failed' });
    expect(sfn.commandCalls(StartExecutionCommand)).toHaveLength(0);
  });

  // Issue 23 item 4: StartExecution may fail after it created the execution (a timeout, a lost response).
  test('a StartExecution error whose execution exists (DescribeExecution by its name) leaves the report to the execution', async () => {
    sfn.on(StartExecutionCommand).rejects(Object.assign(new Error('socket hang up'), { name: 'TimeoutError' }));
    sfn.on(DescribeExecutionCommand).resolves({ executionArn: 'arn:aws:states:us-east-1:123456789012:execution:Evaluation:x', status: 'RUNNING' });
    await expect(handler(HOOK_EVENT)).resolves.toMatchObject({ outcome: 'started' });
    expect(sfn.commandCalls(DescribeExecutionCommand)[0].args[0].input).toEqual({
      executionArn: `arn:aws:states:us-east-1:123456789012:execution:Evaluation:${HOOK_EVENT.DeploymentId}-AfterAllowTraffic`,
      includedData: 'METADATA_ONLY',
    });
    expect(codedeploy.commandCalls(PutLifecycleEventHookExecutionStatusCommand)).toHaveLength(0);
  });

  test('a StartExecution error whose lookup fails too is reported (the deadline), and names the start error', async () => {
    sfn.on(StartExecutionCommand).rejects(Object.assign(new Error('socket hang up'), { name: 'TimeoutError' }));
    sfn.on(DescribeExecutionCommand).rejects(Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' }));
    await expect(handler(HOOK_EVENT)).resolves.toMatchObject({ outcome: 'reported', status: 'Failed', reason: 'could not start the evaluation: socket hang up' });
    expect(codedeploy.commandCalls(PutLifecycleEventHookExecutionStatusCommand)).toHaveLength(1);
  });

  test('reports Failed when the execution cannot start or the AppSpec is not a Lambda AppSpec', async () => {
    sfn.on(StartExecutionCommand).rejects(new Error('StateMachineDoesNotExist'));
    sfn.on(DescribeExecutionCommand).rejects(new ExecutionDoesNotExist({ message: 'Execution Does Not Exist', $metadata: {} }));
    await expect(handler(HOOK_EVENT)).resolves.toMatchObject({ outcome: 'reported', status: 'Failed' });
    codedeploy.on(GetApplicationRevisionCommand).resolves({ revision: { revisionType: 'AppSpecContent', appSpecContent: { content: 'Resources: []' } } });
    await expect(handler(HOOK_EVENT)).resolves.toMatchObject({ outcome: 'reported', reason: expect.stringContaining('AppSpec') });
    expect(codedeploy.commandCalls(PutLifecycleEventHookExecutionStatusCommand)).toHaveLength(2);
  });

  test.each(['codeDeployRollback', 'CloudFormationRollback'] as const)('reports a rollback deployment (creator %s) Succeeded without starting an evaluation', async (creator) => {
    codedeploy.on(GetDeploymentCommand).resolves({ deploymentInfo: { ...DEPLOYMENT_INFO, creator } });
    await expect(handler(HOOK_EVENT)).resolves.toMatchObject({ outcome: 'reported', status: 'Succeeded' });
    expect(codedeploy.commandCalls(PutLifecycleEventHookExecutionStatusCommand)[0].args[0].input.status).toBe('Succeeded');
    expect(sfn.commandCalls(StartExecutionCommand)).toHaveLength(0);
  });

  test('carries the X-Ray trace into the execution (the hook span as parent) and the deployment creation time into the input', async () => {
    process.env._X_AMZN_TRACE_ID = 'Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1';
    try {
      await handler(HOOK_EVENT);
    } finally {
      delete process.env._X_AMZN_TRACE_ID;
    }
    const { traceHeader, input } = sfn.commandCalls(StartExecutionCommand)[0].args[0].input;
    // Same trace as Lambda's segment; the parent is the hook's own span, a child of that segment.
    expect(traceHeader).toMatch(/^Root=1-5759e988-bd862e3fe1be46a994272793;Parent=(?!53995c3f42cd8ad8)[0-9a-f]{16};Sampled=1$/);
    expect(JSON.parse(input!).deploymentCreatedAt).toBe('2026-11-26T10:00:00.000Z');
  });

  test.each([
    ['an empty event', {}],
    ['a missing hook execution id', { DeploymentId: 'd-A1B2C3D4E' }],
    ['a malformed deployment id', { DeploymentId: 'deployment-1', LifecycleEventHookExecutionId: 'x' }],
    ['not an object', 'hello'],
  ])('logs %s as an error and calls nothing', async (_case, event) => {
    await expect(handler(event)).resolves.toMatchObject({ outcome: 'invalid-event' });
    expect(codedeploy.calls()).toHaveLength(0);
    expect(sfn.calls()).toHaveLength(0);
  });
});

function toIds(event: typeof HOOK_EVENT) {
  return { deploymentId: event.DeploymentId, lifecycleEventHookExecutionId: event.LifecycleEventHookExecutionId };
}

describe('a misconfigured hook function', () => {
  test('still reports the hook Failed when its environment is broken (an unreported hook holds the deployment an hour)', async () => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { createConfiguredHookHandler } = require('../../lib/evaluation/handlers') as typeof import('../../lib/evaluation/handlers');
    const reports: Array<{ ids: unknown; status: string }> = [];
    const misconfigured = createConfiguredHookHandler(
      () => {
        throw new Error('environment variable STATE_MACHINE_ARN is not set; deploy this function with the CanaryEvaluator construct');
      },
      { report: async (ids, status) => (reports.push({ ids, status }), 'reported' as const) },
    );
    await expect(misconfigured(HOOK_EVENT)).resolves.toMatchObject({ outcome: 'reported', status: 'Failed', reason: expect.stringContaining('STATE_MACHINE_ARN') });
    expect(reports).toEqual([{ ids: { deploymentId: HOOK_EVENT.DeploymentId, lifecycleEventHookExecutionId: HOOK_EVENT.LifecycleEventHookExecutionId }, status: 'Failed' }]);
    await expect(misconfigured({ nothing: true })).resolves.toMatchObject({ outcome: 'invalid-event' });
    expect(reports).toHaveLength(1);
  });
});
