import {
  CodeDeployClient,
  GetApplicationRevisionCommand,
  GetDeploymentCommand,
  GetDeploymentTargetCommand,
  ListDeploymentTargetsCommand,
  PutLifecycleEventHookExecutionStatusCommand,
} from '@aws-sdk/client-codedeploy';
import { SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { mockClient } from 'aws-sdk-client-mock';
import { CodeDeployDeploymentReader, CodeDeployHookReporter } from '../../lib/adapters/aws/codedeploy';
import { APPSPEC_YAML, ECS_APPSPEC_YAML, ECS_DEPLOYMENT_INFO, ECS_TARGET_ID, ECS_TARGETS, ecsDeploymentTarget, HOOK_EVENT } from '../fixtures/codedeploy/events';

process.env.LIFECYCLE_EVENT = 'AfterAllowTestTraffic';
process.env.POLICY_BUCKET = 'assets-bucket';
process.env.POLICY_KEY = 'web.json';
process.env.REPORT_SWITCHES = '{"dryRun":false,"onEvaluatorError":"fail"}';
process.env.STATE_MACHINE_ARN = 'arn:aws:states:us-east-1:123456789012:stateMachine:Evaluation';
process.env.ECS_TARGETS = JSON.stringify(ECS_TARGETS);

// eslint-disable-next-line @typescript-eslint/no-require-imports
const { handler } = require('../../lambdas/hook') as typeof import('../../lambdas/hook');
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { createHookHandler } = require('../../lib/evaluation/handlers') as typeof import('../../lib/evaluation/handlers');

const codedeploy = mockClient(CodeDeployClient);
const sfn = mockClient(SFNClient);

beforeEach(() => {
  codedeploy.reset();
  sfn.reset();
  codedeploy.on(GetDeploymentCommand).resolves({ deploymentInfo: ECS_DEPLOYMENT_INFO });
  codedeploy.on(GetApplicationRevisionCommand).resolves({
    applicationName: ECS_DEPLOYMENT_INFO.applicationName,
    revision: { revisionType: 'AppSpecContent', appSpecContent: { content: ECS_APPSPEC_YAML, sha256: 'x' } },
  });
  codedeploy.on(ListDeploymentTargetsCommand).resolves({ targetIds: [ECS_TARGET_ID] });
  codedeploy.on(GetDeploymentTargetCommand).resolves({ deploymentTarget: ecsDeploymentTarget('web-green', 'web-blue') });
  codedeploy.on(PutLifecycleEventHookExecutionStatusCommand).resolves({ lifecycleEventHookExecutionId: HOOK_EVENT.LifecycleEventHookExecutionId });
  sfn.on(StartExecutionCommand).resolves({ executionArn: 'arn:exec', startDate: new Date() });
});

function startedInput() {
  const calls = sfn.commandCalls(StartExecutionCommand);
  expect(calls).toHaveLength(1);
  return JSON.parse(calls[0].args[0].input.input!);
}

function reports() {
  return codedeploy.commandCalls(PutLifecycleEventHookExecutionStatusCommand).map((call) => call.args[0].input.status);
}

describe('ECS hook (AfterAllowTestTraffic)', () => {
  test('starts the evaluation with the Green task set as canary and the Blue one as baseline', async () => {
    await expect(handler(HOOK_EVENT)).resolves.toEqual({ outcome: 'started', executionName: 'd-A1B2C3D4E-AfterAllowTestTraffic' });
    expect(startedInput()).toMatchObject({
      lifecycleEvent: 'AfterAllowTestTraffic',
      applicationName: 'web-app',
      deploymentGroupName: 'web-group',
      target: {
        type: 'ecs',
        loadBalancer: 'app/web-alb/50dc6c495c0c9188',
        canaryTargetGroup: 'targetgroup/web-green/943f017f100becff',
        baselineTargetGroup: 'targetgroup/web-blue/73e2d6bc24d8a067',
        taskDefinition: 'arn:aws:ecs:us-east-1:111222333444:task-definition/web:7',
        service: ECS_TARGET_ID,
      },
      policyRef: { bucket: 'assets-bucket', key: 'web.json' },
    });
    expect(codedeploy.commandCalls(ListDeploymentTargetsCommand)[0].args[0].input).toEqual({ deploymentId: HOOK_EVENT.DeploymentId });
    expect(codedeploy.commandCalls(GetDeploymentTargetCommand)[0].args[0].input).toEqual({ deploymentId: HOOK_EVENT.DeploymentId, targetId: ECS_TARGET_ID });
    expect(reports()).toEqual([]);
  });

  test('follows the labels when blue/green has swapped the target groups since the last deployment', async () => {
    codedeploy.on(GetDeploymentTargetCommand).resolves({ deploymentTarget: ecsDeploymentTarget('web-blue', 'web-green') });
    await handler(HOOK_EVENT);
    expect(startedInput().target).toMatchObject({
      canaryTargetGroup: 'targetgroup/web-blue/73e2d6bc24d8a067',
      baselineTargetGroup: 'targetgroup/web-green/943f017f100becff',
    });
  });

  test('pages through ListDeploymentTargets', async () => {
    codedeploy.on(ListDeploymentTargetsCommand).resolvesOnce({ targetIds: [], nextToken: 'page-2' }).resolves({ targetIds: [ECS_TARGET_ID] });
    await expect(handler(HOOK_EVENT)).resolves.toMatchObject({ outcome: 'started' });
    expect(codedeploy.commandCalls(ListDeploymentTargetsCommand).map((call) => call.args[0].input.nextToken)).toEqual([undefined, 'page-2']);
  });

  test('reports Failed, naming it, when a task set uses a target group missing from ECS_TARGETS', async () => {
    codedeploy.on(GetDeploymentTargetCommand).resolves({ deploymentTarget: ecsDeploymentTarget('web-canary', 'web-blue') });
    await expect(handler(HOOK_EVENT)).resolves.toMatchObject({
      outcome: 'reported',
      status: 'Failed',
      reason: expect.stringContaining('target group "web-canary" is not one of the registered target groups (web-blue, web-green)'),
    });
    expect(reports()).toEqual(['Failed']);
    expect(sfn.commandCalls(StartExecutionCommand)).toHaveLength(0);
  });

  test('reports Failed when the deployment target is not an ECS target or CodeDeploy lists no target', async () => {
    codedeploy.on(GetDeploymentTargetCommand).resolves({ deploymentTarget: { deploymentTargetType: 'LambdaTarget' } });
    await expect(handler(HOOK_EVENT)).resolves.toMatchObject({ status: 'Failed', reason: expect.stringContaining('returned no ecsTarget (type LambdaTarget)') });
    codedeploy.on(ListDeploymentTargetsCommand).resolves({ targetIds: [] });
    await expect(handler(HOOK_EVENT)).resolves.toMatchObject({ status: 'Failed', reason: expect.stringContaining('returned 0 targets') });
    expect(reports()).toEqual(['Failed', 'Failed']);
  });

  test('reports Failed when AfterAllowTestTraffic meets a Lambda AppSpec', async () => {
    codedeploy.on(GetApplicationRevisionCommand).resolves({ revision: { revisionType: 'AppSpecContent', appSpecContent: { content: APPSPEC_YAML } } });
    await expect(handler(HOOK_EVENT)).resolves.toMatchObject({ status: 'Failed', reason: expect.stringContaining('AfterAllowTestTraffic is an ECS lifecycle event') });
  });

  test('a hook without ECS_TARGETS (a Lambda group registration) reports an ECS deployment Failed', async () => {
    const client = new CodeDeployClient({});
    const hook = createHookHandler({
      lifecycleEvent: 'AfterAllowTraffic',
      policyRef: { bucket: 'b', key: 'k' },
      switches: { dryRun: false, onEvaluatorError: 'fail' },
      deployments: new CodeDeployDeploymentReader(client),
      starter: { start: async () => 'started', exists: async () => false },
      reporter: new CodeDeployHookReporter(client),
      now: () => new Date(),
      log: { info: () => undefined, error: () => undefined },
    });
    await expect(hook(HOOK_EVENT)).resolves.toMatchObject({ status: 'Failed', reason: expect.stringContaining('this hook has no ECS_TARGETS') });
    expect(reports()).toEqual(['Failed']);
  });
});
