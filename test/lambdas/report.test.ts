import { CodeDeployClient, LifecycleEventAlreadyCompletedException, PutLifecycleEventHookExecutionStatusCommand } from '@aws-sdk/client-codedeploy';
import { mockClient } from 'aws-sdk-client-mock';
import { handler } from '../../lambdas/report';
import { HOOK_EVENT } from '../fixtures/codedeploy/events';

const codedeploy = mockClient(CodeDeployClient);
const request = { deploymentId: HOOK_EVENT.DeploymentId, lifecycleEventHookExecutionId: HOOK_EVENT.LifecycleEventHookExecutionId, status: 'Succeeded', reason: 'all passed' };

beforeEach(() => codedeploy.reset());

describe('report handler', () => {
  test('reports the status for the hook execution', async () => {
    codedeploy.on(PutLifecycleEventHookExecutionStatusCommand).resolves({});
    await expect(handler(request)).resolves.toEqual({ status: 'Succeeded', result: 'reported' });
    expect(codedeploy.commandCalls(PutLifecycleEventHookExecutionStatusCommand)[0].args[0].input).toEqual({
      deploymentId: HOOK_EVENT.DeploymentId,
      lifecycleEventHookExecutionId: HOOK_EVENT.LifecycleEventHookExecutionId,
      status: 'Succeeded',
    });
  });

  test('treats an already-completed hook as done', async () => {
    codedeploy.on(PutLifecycleEventHookExecutionStatusCommand).rejects(new LifecycleEventAlreadyCompletedException({ message: 'already completed', $metadata: {} }));
    await expect(handler({ ...request, status: 'Failed' })).resolves.toEqual({ status: 'Failed', result: 'already-completed' });
  });

  test('surfaces other errors so Step Functions retries and catches them', async () => {
    codedeploy.on(PutLifecycleEventHookExecutionStatusCommand).rejects(new Error('ThrottlingException'));
    await expect(handler(request)).rejects.toThrow('ThrottlingException');
  });

  test('rejects a request without a valid status', async () => {
    await expect(handler({ ...request, status: 'Skipped' })).rejects.toThrow(/status/);
    expect(codedeploy.calls()).toHaveLength(0);
  });
});
