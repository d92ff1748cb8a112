import { AppSpecMismatchError, checkLambdaAppSpec, handleHookEvent, resolveEcsTarget, type EcsDeploymentTarget, type HookDependencies, type HookStatus } from '../../lib/evaluation';
import { ECS_TARGET_ID, ECS_TARGETS } from '../fixtures/codedeploy/events';

/** Issue 11 finding 10: the AppSpec must deploy what the hook was registered for. */
const appSpec = { type: 'lambda' as const, functionName: 'orders', alias: 'live', currentVersion: '1', targetVersion: '2' };
const registered = { functionName: 'orders', alias: 'live' };

describe('checkLambdaAppSpec', () => {
  test('accepts the registered function (by name or ARN) and alias with two distinct published versions', () => {
    expect(checkLambdaAppSpec(appSpec, registered)).toBe(appSpec);
    expect(checkLambdaAppSpec({ ...appSpec, functionName: 'arn:aws:lambda:us-east-1:111222333444:function:orders' }, registered)).toMatchObject({ alias: 'live' });
    // Without a registered alias, the versions are still checked.
    expect(checkLambdaAppSpec(appSpec, undefined)).toBe(appSpec);
  });

  test.each([
    ['another function', { functionName: 'payments' }, 'Resources[0].Properties.Name: the AppSpec deploys function "payments", but this hook is registered for "orders"'],
    ['another function by ARN', { functionName: 'arn:aws:lambda:us-east-1:111222333444:function:orders-v2' }, 'but this hook is registered for "orders"'],
    ['another alias', { alias: 'beta' }, 'Resources[0].Properties.Alias: the AppSpec deploys alias "beta", but this hook is registered for "live"'],
    ['the same version twice', { targetVersion: '1' }, 'CurrentVersion and TargetVersion are both "1": there is no new version to judge'],
    ['$LATEST', { targetVersion: '$LATEST' }, 'TargetVersion: expected a published version number, got "$LATEST"'],
  ])('rejects %s with a clear reason', (_name, change, reason) => {
    expect(() => checkLambdaAppSpec({ ...appSpec, ...change }, registered)).toThrow(AppSpecMismatchError);
    expect(() => checkLambdaAppSpec({ ...appSpec, ...change }, registered)).toThrow(reason);
  });
});

describe('ECS: Green and Blue target groups must be distinct', () => {
  const ecsAppSpec = { type: 'ecs' as const, taskDefinition: 'arn:aws:ecs:us-east-1:111222333444:task-definition/web:7', containerName: 'web', containerPort: 80 };
  const sameGroup: EcsDeploymentTarget = {
    targetId: ECS_TARGET_ID,
    taskSets: [
      { label: 'Blue', targetGroupName: 'web-blue', trafficWeight: 100, identifier: 'ecs-svc/1' },
      { label: 'Green', targetGroupName: 'web-blue', trafficWeight: 0, identifier: 'ecs-svc/2' },
    ],
  };
  test('one target group for both task sets is a mismatch, not a comparison of the canary with itself', () => {
    expect(() => resolveEcsTarget(ecsAppSpec, sameGroup, ECS_TARGETS)).toThrow(AppSpecMismatchError);
    expect(() => resolveEcsTarget(ecsAppSpec, sameGroup, ECS_TARGETS)).toThrow('the Green and Blue task sets both route to target group "web-blue"');
  });
});

describe('the hook reports a mismatch Failed, whatever onEvaluatorError says', () => {
  test.each(['pass', 'fail'] as const)('onEvaluatorError=%s', async (onEvaluatorError) => {
    const reports: HookStatus[] = [];
    const content = JSON.stringify({ version: 0.0, Resources: [{ fn: { Type: 'AWS::Lambda::Function', Properties: { Name: 'payments', Alias: 'live', CurrentVersion: '1', TargetVersion: '2' } } }] });
    const deps: HookDependencies = {
      lifecycleEvent: 'BeforeAllowTraffic',
      policyRef: { bucket: 'b', key: 'k' },
      switches: { dryRun: false, onEvaluatorError },
      lambdaTarget: registered,
      deployments: {
        readDeployment: async () => ({ deploymentId: 'd-MISMATCH1', applicationName: 'a', deploymentGroupName: 'g', computePlatform: 'Lambda', appSpecContent: content }),
        readEcsTarget: async () => Promise.reject(new Error('unused')),
      },
      starter: { start: async () => 'started', exists: async () => false },
      reporter: { report: async (_ids, status) => (reports.push(status), 'reported') },
      now: () => new Date('2026-11-26T10:00:00Z'),
      log: { info: () => undefined, error: () => undefined },
    };
    const outcome = await handleHookEvent({ DeploymentId: 'd-MISMATCH1', LifecycleEventHookExecutionId: 'hook-1' }, deps);
    expect(reports).toEqual(['Failed']);
    expect(outcome).toMatchObject({ outcome: 'reported', status: 'Failed', reason: expect.stringContaining('registered for "orders"') });
  });
});
