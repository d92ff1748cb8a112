import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { App } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { rollbackIntegApp } from './rollback-app';

/**
 * `npm run integ` deploys this app to a real account; CI synthesizes it offline and checks its shape:
 * what is deployed, the calls that ship a failing version, and what is asserted (rollback, hook report,
 * verdict metric), in that order, then destroyed.
 */
const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
const { stack, registered } = rollbackIntegApp(app);
const assembly = app.synth();
const testStack = Template.fromStack(stack);
const assertionArtifact = assembly.stacks.find((s) => s.stackName !== stack.stackName)!;
type SdkCall = { Type: string; Properties: Record<string, unknown>; DependsOn?: string[] };
const apiCalls = Object.entries((assertionArtifact.template as { Resources: Record<string, SdkCall> }).Resources).filter(([, r]) => r.Type.startsWith('Custom::DeployAssert@SdkCall'));
const calls = apiCalls.map(([id, r]) => ({ id, api: `${String(r.Properties.service)}.${String(r.Properties.api)}`, properties: r.Properties, dependsOn: r.DependsOn ?? [] }));
const call = (api: string) => calls.find((c) => c.api === api)!;

describe('integration test app (synthesized, not deployed)', () => {
  test('deploys a protected function whose deployment group the evaluator guards', () => {
    testStack.hasResourceProperties('AWS::Lambda::Function', { Environment: { Variables: { SHIP_FAILURE: 'false' } } });
    testStack.resourceCountIs('AWS::CodeDeploy::DeploymentGroup', 1);
    testStack.hasResourceProperties('AWS::CodeDeploy::DeploymentGroup', { AutoRollbackConfiguration: Match.objectLike({ Enabled: true, Events: Match.arrayWith(['DEPLOYMENT_FAILURE']) }) });
    testStack.hasResourceProperties('AWS::StepFunctions::StateMachine', {});
    expect(registered.policy.smokeTests.map((t) => t.phase)).toEqual(['pre-traffic']);
  });

  test('ships a failing version: switch on, wait, publish, deploy through CodeDeploy with the evaluator hooks', () => {
    expect(calls.map((c) => c.api)).toEqual(
      expect.arrayContaining(['Lambda.updateFunctionConfiguration', 'Lambda.getFunctionConfiguration', 'Lambda.publishVersion', 'CodeDeploy.createDeployment']),
    );
    expect(call('Lambda.updateFunctionConfiguration').properties.parameters).toMatchObject({ Environment: JSON.stringify({ Variables: { SHIP_FAILURE: 'true' } }) });
    const appSpec = JSON.stringify(call('CodeDeploy.createDeployment').properties.parameters);
    expect(appSpec).toContain('AppSpecContent');
    expect(appSpec).toContain('BeforeAllowTraffic');
    expect(appSpec).toContain('apiCallResponse.Version');
  });

  test('asserts the rollback, the hook report and the verdict metric, waiting for each', () => {
    expect(JSON.parse(call('CodeDeploy.getDeployment').properties.expected as string)).toEqual({
      $ObjectLike: { deploymentInfo: { status: 'Failed', rollbackInfo: { rollbackDeploymentId: { $StringLike: '^d-' } } } },
    });
    expect(call('CodeDeploy.getDeploymentTarget').properties.expected).toContain('"lifecycleEventName":"BeforeAllowTraffic","status":"Failed"');
    const metric = call('CloudWatch.listMetrics').properties;
    expect(metric.parameters).toMatchObject({ Namespace: '"CanaryEvaluator"', MetricName: '"Rollbacks"' });
    for (const waited of ['CodeDeploy.getDeployment', 'CloudWatch.listMetrics', 'Lambda.getFunctionConfiguration']) expect(call(waited).properties.stateMachineArn).toBeDefined();
  });

  test('runs the steps in order (each depends on the one before)', () => {
    const order = ['Lambda.updateFunctionConfiguration', 'Lambda.getFunctionConfiguration', 'Lambda.publishVersion', 'CodeDeploy.createDeployment', 'CodeDeploy.getDeployment', 'CodeDeploy.listDeploymentTargets', 'CodeDeploy.getDeploymentTarget', 'CloudWatch.listMetrics'];
    order.slice(1).forEach((api, index) => {
      const previous = call(order[index]).id;
      expect(call(api).dependsOn.some((dependency) => dependency.startsWith(previous))).toBe(true);
    });
  });

  test('is one test case in us-east-1, destroyed after with --force', () => {
    const manifest = JSON.parse(readFileSync(join(assembly.directory, 'integ.json'), 'utf8'));
    expect(Object.values(manifest.testCases)).toEqual([
      expect.objectContaining({ stacks: [stack.stackName], regions: ['us-east-1'], cdkCommandOptions: { destroy: { args: { force: true } } } }),
    ]);
  });
});
