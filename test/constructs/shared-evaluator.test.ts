import { App, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as codedeploy from 'aws-cdk-lib/aws-codedeploy';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { CanaryEvaluator, evaluatorParameterNames } from '../../lib/constructs';

/** A platform team's evaluator and a service team's registration, in two separate CDK apps. */
const env = { account: '123456789012', region: 'us-east-1' };
const newApp = () => new App({ context: { 'aws:cdk:bundling-stacks': [] } });
const ARN = (service: string, resource: string) => `arn:aws:${service}:us-east-1:123456789012:${resource}`;
const attributes = {
  stateMachineArn: ARN('states', 'stateMachine:canary-evaluation'),
  hookDeadLetterQueueArn: ARN('sqs', 'canary-hook-dlq'),
  prepareRoleArn: 'arn:aws:iam::123456789012:role/evaluator-prepare',
  evaluateRoleArn: 'arn:aws:iam::123456789012:role/evaluator-evaluate',
  smokeRoleArn: 'arn:aws:iam::123456789012:role/evaluator-smoke',
  watchRoleArn: 'arn:aws:iam::123456789012:role/evaluator-watch',
  reportRoleArn: 'arn:aws:iam::123456789012:role/evaluator-report',
};
const policy = {
  metrics: [{ preset: 'lambda-error-rate' as const }],
  smokeTests: [{ name: 'ping', type: 'lambda' as const, payload: { ping: true } }],
};

function serviceStack() {
  const stack = new Stack(newApp(), 'Orders', { env });
  const fn = new lambda.Function(stack, 'OrdersFn', { runtime: lambda.Runtime.NODEJS_24_X, handler: 'index.handler', code: lambda.Code.fromInline('exports.handler=async()=>1') });
  const alias = new lambda.Alias(stack, 'Live', { aliasName: 'live', version: fn.currentVersion });
  const group = new codedeploy.LambdaDeploymentGroup(stack, 'OrdersGroup', { alias, deploymentConfig: codedeploy.LambdaDeploymentConfig.CANARY_10PERCENT_5MINUTES });
  return { stack, fn, alias, group };
}

type Policy = { Properties: { Roles: unknown[]; PolicyDocument: { Statement: Array<{ Action: string | string[]; Resource: unknown }> } } };
const policiesOf = (template: Template) => Object.values(template.findResources('AWS::IAM::Policy')) as Policy[];
const attachedTo = (template: Template, roleName: string) => policiesOf(template).filter((p) => p.Properties.Roles.includes(roleName));
const actionsOf = (policies: Policy[]) => policies.flatMap((p) => p.Properties.PolicyDocument.Statement.flatMap((s) => [s.Action].flat()));

describe('the platform evaluator with evaluatorName', () => {
  test('writes one SSM parameter per attribute, named as documented', () => {
    const stack = new Stack(newApp(), 'Platform', { env });
    new CanaryEvaluator(stack, 'Evaluator', { evaluatorName: 'platform' });
    const template = Template.fromStack(stack);
    const names = Object.values(evaluatorParameterNames('platform'));
    expect(names).toContain('/canary-evaluator/platform/state-machine-arn');
    for (const name of names) template.hasResourceProperties('AWS::SSM::Parameter', { Name: name, Type: 'String' });
    template.hasResourceProperties('AWS::SSM::Parameter', { Name: '/canary-evaluator/platform/encryption-key-arn', Value: 'none' });
  });

  test('fails on a name SSM cannot hold, saying what is allowed', () => {
    const stack = new Stack(newApp(), 'Platform', { env });
    expect(() => new CanaryEvaluator(stack, 'Evaluator', { evaluatorName: 'team a/b' })).toThrow(/evaluatorName "team a\/b" must be 1–64 letters/);
  });

  test('writes no parameters without evaluatorName', () => {
    const stack = new Stack(newApp(), 'Platform', { env });
    new CanaryEvaluator(stack, 'Evaluator');
    Template.fromStack(stack).resourceCountIs('AWS::SSM::Parameter', 0);
  });
});

describe('a service stack registering with an evaluator it does not own', () => {
  test('creates its hooks, alarms and policy asset, and grants the evaluator roles for its own group only', () => {
    const { stack, group, fn, alias } = serviceStack();
    const shared = CanaryEvaluator.fromEvaluatorAttributes(stack, 'Evaluator', attributes);
    const registered = shared.registerLambdaDeploymentGroup(group, { policy, alias });
    const template = Template.fromStack(stack);

    template.resourceCountIs('AWS::StepFunctions::StateMachine', 0);
    expect(Object.keys(registered.hooks)).toEqual(['BeforeAllowTraffic', 'AfterAllowTraffic']);
    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: { Variables: Match.objectLike({ LIFECYCLE_EVENT: 'BeforeAllowTraffic', STATE_MACHINE_ARN: attributes.stateMachineArn }) },
      DeadLetterConfig: { TargetArn: attributes.hookDeadLetterQueueArn },
    });
    const groupArn = stack.resolve(group.deploymentGroupArn);

    const report = attachedTo(template, 'evaluator-report');
    expect(report).not.toHaveLength(0);
    const reportStatements = report.flatMap((p) => p.Properties.PolicyDocument.Statement);
    // Reporting is on `*` (no resource type in the Service Authorization Reference: lib/constructs/service-authorization.ts).
    expect(reportStatements).toContainEqual(expect.objectContaining({ Action: 'codedeploy:PutLifecycleEventHookExecutionStatus', Resource: '*' }));

    const watchStatements = attachedTo(template, 'evaluator-watch').flatMap((p) => p.Properties.PolicyDocument.Statement);
    expect(watchStatements).toContainEqual(expect.objectContaining({ Action: 'codedeploy:GetDeployment', Resource: groupArn }));
    const watchActions = actionsOf(attachedTo(template, 'evaluator-watch'));
    expect(watchActions).toEqual(expect.arrayContaining(['codedeploy:GetDeployment', 's3:GetObject']));
    for (const role of ['evaluator-prepare', 'evaluator-evaluate', 'evaluator-smoke']) expect(actionsOf(attachedTo(template, role))).toContain('s3:GetObject');

    // Smoke tests invoke this function's versions, nothing else.
    const smoke = attachedTo(template, 'evaluator-smoke').flatMap((p) => p.Properties.PolicyDocument.Statement);
    const invoke = smoke.filter((s) => [s.Action].flat().includes('lambda:InvokeFunction'));
    expect(invoke).toHaveLength(1);
    expect(JSON.stringify(invoke[0]!.Resource)).toContain(stack.getLogicalId(fn.node.defaultChild as lambda.CfnFunction));

    // The hooks may start the evaluator's state machine and nothing else of it.
    const hookStatements = policiesOf(template).flatMap((p) => p.Properties.PolicyDocument.Statement);
    expect(hookStatements).toContainEqual(expect.objectContaining({ Action: 'states:StartExecution', Resource: attributes.stateMachineArn }));
    template.resourceCountIs('AWS::CloudWatch::Alarm', 2); // verdict alarm, hook errors
  });

  test('finds the evaluator by name through SSM parameters resolved at deploy time', () => {
    const { stack, group } = serviceStack();
    CanaryEvaluator.fromEvaluatorName(stack, 'Evaluator', 'platform').registerLambdaDeploymentGroup(group, { policy: { metrics: [{ preset: 'lambda-error-rate' as const }] } });
    const parameters = Template.fromStack(stack).toJSON().Parameters as Record<string, { Type: string; Default: string }>;
    const defaults = Object.values(parameters).filter((p) => p.Type === 'AWS::SSM::Parameter::Value<String>').map((p) => p.Default);
    expect(defaults).toEqual(expect.arrayContaining(['/canary-evaluator/platform/state-machine-arn', '/canary-evaluator/platform/report-role-arn']));
    expect(defaults).not.toContain('/canary-evaluator/platform/encryption-key-arn');
  });

  test('fails when the same group registers twice', () => {
    const { stack, group } = serviceStack();
    const shared = CanaryEvaluator.fromEvaluatorAttributes(stack, 'Evaluator', attributes);
    shared.registerLambdaDeploymentGroup(group, { policy: { metrics: [{ preset: 'lambda-error-rate' as const }] } });
    expect(() => shared.registerLambdaDeploymentGroup(group, { policy: { metrics: [{ preset: 'lambda-error-rate' as const }] } })).toThrow(/already registered/);
  });
});
