import { App, Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as codedeploy from 'aws-cdk-lib/aws-codedeploy';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { CanaryEvaluator, evaluatorParameterNames } from '../../lib/constructs';

/** A platform team's evaluator and a service team's registration, in two separate CDK apps. */
const env = { account: '123456789012', region: 'us-east-1' };
const newApp = () => new App({ context: { 'aws:cdk:bundling-stacks': [] } });
const ARN = (service: string, resource: string) => `arn:aws:${service}:us-east-1:123456789012:${resource}`;
const attributes = {
  stateMachineArn: ARN('states', 'stateMachine:canary-evaluation'),
  hookDeadLetterQueueArn: ARN('sqs', 'canary-hook-dlq'),
  registrationTag: 'platform',
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

describe('the platform evaluator with evaluatorName', () => {
  test('writes one SSM parameter per attribute, named as documented', () => {
    const stack = new Stack(newApp(), 'Platform', { env });
    new CanaryEvaluator(stack, 'Evaluator', { evaluatorName: 'platform' });
    const template = Template.fromStack(stack);
    // The extended state machine's parameter exists only with ecsNativeMaxHookTimeout (ecs-native-long-evaluation.test.ts).
    const { ecsNativeExtendedStateMachineArn, ...always } = evaluatorParameterNames('platform');
    const names = Object.values(always);
    expect(names).toContain('/canary-evaluator/platform/state-machine-arn');
    for (const name of names) template.hasResourceProperties('AWS::SSM::Parameter', { Name: name, Type: 'String' });
    expect(template.findResources('AWS::SSM::Parameter', { Properties: { Name: ecsNativeExtendedStateMachineArn } })).toEqual({});
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
  test('with the report bucket among the attributes, its evaluations look for break-glass overrides there (allowOverrides: false refuses them)', () => {
    const hookOverrides = (allowOverrides?: boolean) => {
      const { stack, group, alias } = serviceStack();
      CanaryEvaluator.fromEvaluatorAttributes(stack, 'Evaluator', { ...attributes, reportBucketName: 'platform-reports' }).registerLambdaDeploymentGroup(group, { policy, alias, allowOverrides });
      const hooks = Template.fromStack(stack).findResources('AWS::Lambda::Function', { Properties: { Environment: { Variables: { LIFECYCLE_EVENT: Match.anyValue() } } } });
      return Object.values(hooks).map((hook) => (hook as { Properties: { Environment: { Variables: Record<string, unknown> } } }).Properties.Environment.Variables.OVERRIDE_SETTINGS);
    };
    expect(hookOverrides()).toEqual([JSON.stringify({ bucket: 'platform-reports', allowed: true }), JSON.stringify({ bucket: 'platform-reports', allowed: true })]);
    expect(hookOverrides(false)).toEqual([JSON.stringify({ bucket: 'platform-reports', allowed: false }), JSON.stringify({ bucket: 'platform-reports', allowed: false })]);
    // Without it (an evaluator found by name, or attributes without the bucket) the hooks carry no override settings.
    const { stack, group, alias } = serviceStack();
    CanaryEvaluator.fromEvaluatorAttributes(stack, 'Evaluator', attributes).registerLambdaDeploymentGroup(group, { policy, alias });
    expect(JSON.stringify(Template.fromStack(stack).toJSON())).not.toContain('OVERRIDE_SETTINGS');
  });

  test('creates its hooks, alarms and policy asset, tags its group, function and policy object, and changes no evaluator role', () => {
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
    // Attribute-based grants (issue 24 finding 7): the evaluator acts on what carries its tag.
    const tag = { Key: 'canary-evaluator', Value: 'platform' };
    template.hasResourceProperties('AWS::CodeDeploy::DeploymentGroup', { Tags: Match.arrayWith([tag]) });
    expect(template.toJSON().Resources[stack.getLogicalId(fn.node.defaultChild as lambda.CfnFunction)].Properties.Tags).toContainEqual(tag);
    const tagging = Object.values(template.findResources('Custom::AWS')).map((r) => JSON.parse(r.Properties.Create as string) as unknown);
    expect(tagging).toEqual([
      expect.objectContaining({
        service: 'S3',
        action: 'putObjectTagging',
        parameters: { Bucket: registered.policyAsset.s3BucketName, Key: registered.policyAsset.s3ObjectKey, Tagging: { TagSet: [tag] } },
      }),
    ]);

    // Every IAM policy of the stack is attached to a role of the stack itself: the hooks', the tagger's.
    const ownRoles = new Set(Object.keys(template.findResources('AWS::IAM::Role')));
    for (const policyResource of policiesOf(template)) {
      for (const role of policyResource.Properties.Roles) expect(ownRoles.has((role as { Ref: string }).Ref)).toBe(true);
    }
    // The hooks may start the evaluator's state machine and nothing else of it.
    const hookStatements = policiesOf(template).flatMap((p) => p.Properties.PolicyDocument.Statement);
    expect(hookStatements).toContainEqual(expect.objectContaining({ Action: 'states:StartExecution', Resource: attributes.stateMachineArn }));
    template.resourceCountIs('AWS::CloudWatch::Alarm', 2); // verdict alarm, hook errors
  });

  test('a policy that stops deployments warns that the shared evaluator must allow it', () => {
    const { stack, group } = serviceStack();
    const shared = CanaryEvaluator.fromEvaluatorAttributes(stack, 'Evaluator', attributes);
    shared.registerLambdaDeploymentGroup(group, { policy: { ...policy, smokeTests: [], canaryWatch: { stopDeploymentOnFail: true } } });
    const warnings = Annotations.fromStack(stack).findWarning('*', Match.stringLikeRegexp('canaryWatchStopsDeployments: true'));
    expect(warnings).toHaveLength(1);
  });

  test('a policy with `logs` fails synth: the shared evaluator cannot grant its log groups', () => {
    const { stack, group } = serviceStack();
    const shared = CanaryEvaluator.fromEvaluatorAttributes(stack, 'Evaluator', attributes);
    const logs = { logGroups: ['/aws/lambda/orders'], errorFilter: { type: 'json-level' as const }, versioning: { type: 'lambda-stream' as const }, requestsFrom: 'lambda-error-rate' };
    expect(() => shared.registerLambdaDeploymentGroup(group, { policy: { metrics: [{ preset: 'lambda-error-rate' }], logs } })).toThrow(/`logs` needs the evaluate role.*register the group with a CanaryEvaluator/);
  });

  test('an imported function cannot be tagged by the registration: a warning names the tag to add', () => {
    const { stack, group } = serviceStack();
    const imported = lambda.Function.fromFunctionArn(stack, 'Imported', 'arn:aws:lambda:us-east-1:123456789012:function:orders');
    const alias = lambda.Alias.fromAliasAttributes(stack, 'ImportedAlias', { aliasName: 'live', aliasVersion: imported.latestVersion });
    CanaryEvaluator.fromEvaluatorAttributes(stack, 'Evaluator', attributes).registerLambdaDeploymentGroup(group, { policy, alias });
    const warnings = Annotations.fromStack(stack).findWarning('*', Match.stringLikeRegexp('tag it canary-evaluator=platform where it is defined'));
    expect(warnings).toHaveLength(1);
  });

  test('finds the evaluator by name through SSM parameters resolved at deploy time', () => {
    const { stack, group } = serviceStack();
    CanaryEvaluator.fromEvaluatorName(stack, 'Evaluator', 'platform').registerLambdaDeploymentGroup(group, { policy: { metrics: [{ preset: 'lambda-error-rate' as const }] } });
    const parameters = Template.fromStack(stack).toJSON().Parameters as Record<string, { Type: string; Default: string }>;
    const defaults = Object.values(parameters).filter((p) => p.Type === 'AWS::SSM::Parameter::Value<String>').map((p) => p.Default);
    expect(defaults).toEqual(expect.arrayContaining(['/canary-evaluator/platform/state-machine-arn', '/canary-evaluator/platform/hook-dead-letter-queue-arn']));
    // The evaluator's tag value is its name: the group carries it.
    Template.fromStack(stack).hasResourceProperties('AWS::CodeDeploy::DeploymentGroup', { Tags: Match.arrayWith([{ Key: 'canary-evaluator', Value: 'platform' }]) });
    expect(defaults).not.toContain('/canary-evaluator/platform/encryption-key-arn');
  });

  test('fails when the same group registers twice', () => {
    const { stack, group } = serviceStack();
    const shared = CanaryEvaluator.fromEvaluatorAttributes(stack, 'Evaluator', attributes);
    shared.registerLambdaDeploymentGroup(group, { policy: { metrics: [{ preset: 'lambda-error-rate' as const }] } });
    expect(() => shared.registerLambdaDeploymentGroup(group, { policy: { metrics: [{ preset: 'lambda-error-rate' as const }] } })).toThrow(/already registered/);
  });
});

/**
 * Issue 24 finding 7: registrations from other stacks used to attach inline policies to the evaluator's
 * roles, and IAM's 10,240-character quota of a role's inline policies (IAM User Guide, "IAM and AWS STS
 * quotas") capped an evaluator at about 15 of them. Now a registration tags; the evaluator's grants are
 * conditioned on the tag and do not change.
 */
describe('200 registrations with one evaluator', () => {
  const IAM_ROLE_POLICY_QUOTA = 10_240;
  const busyPolicy = {
    metrics: [{ preset: 'lambda-error-rate' as const }, { name: 'db', kind: 'alarm' as const, alarmNames: ['orders-db-healthy'] }],
    smokeTests: [
      { name: 'ping', type: 'lambda' as const, payload: { ping: true } },
      { name: 'health', type: 'http' as const, url: 'https://orders.example.com/health', headers: { Authorization: { secret: 'arn:aws:secretsmanager:us-east-1:123456789012:secret:orders/token' } } },
    ],
    canaryWatch: { stopDeploymentOnFail: true },
  };
  /** Characters of the inline policies attached to each role of `template`, as IAM counts them (no whitespace), before CloudFormation resolves ARNs. */
  const policyCharactersByRole = (template: Template) => {
    const byRole = new Map<string, number>();
    for (const policyResource of policiesOf(template)) {
      for (const role of policyResource.Properties.Roles) {
        const key = JSON.stringify(role);
        byRole.set(key, (byRole.get(key) ?? 0) + JSON.stringify(policyResource.Properties.PolicyDocument).length);
      }
    }
    return byRole;
  };
  const evaluatorRoleSizes = (registrations: number) => {
    const stack = new Stack(newApp(), 'Platform', { env });
    const evaluator = new CanaryEvaluator(stack, 'Evaluator', { evaluatorName: 'platform', canaryWatchStopsDeployments: true });
    for (let i = 0; i < registrations; i++) {
      const fn = new lambda.Function(stack, `Fn${i}`, { runtime: lambda.Runtime.NODEJS_24_X, handler: 'index.handler', code: lambda.Code.fromInline('exports.handler=async()=>1') });
      const alias = new lambda.Alias(stack, `Live${i}`, { aliasName: 'live', version: fn.currentVersion });
      const group = new codedeploy.LambdaDeploymentGroup(stack, `Group${i}`, { alias });
      evaluator.registerLambdaDeploymentGroup(group, { policy: busyPolicy, alias, allowedSmokeTestHosts: ['orders.example.com'] });
    }
    const sizes = policyCharactersByRole(Template.fromStack(stack));
    const roleOf = (f: lambda.Function) => JSON.stringify({ Ref: stack.getLogicalId(f.role!.node.defaultChild as iam.CfnRole) });
    return Object.fromEntries(
      (['prepareFunction', 'evaluateFunction', 'smokeFunction', 'watchFunction', 'reportFunction'] as const).map((name) => [name, sizes.get(roleOf(evaluator[name])) ?? 0]),
    );
  };

  test('registrations in the evaluator\'s own app leave its roles\' policies exactly as they were', () => {
    const before = evaluatorRoleSizes(0);
    const after = evaluatorRoleSizes(12);
    expect(after).toEqual(before);
    for (const size of Object.values(after)) expect(size).toBeLessThan(IAM_ROLE_POLICY_QUOTA);
  });

  test('200 registrations from 20 other stacks attach nothing to the evaluator; each stack stays within IAM and CloudFormation quotas', () => {
    let registered = 0;
    for (let s = 0; s < 20; s++) {
      const stack = new Stack(newApp(), `Service${s}`, { env });
      const shared = CanaryEvaluator.fromEvaluatorName(stack, 'Evaluator', 'platform');
      for (let i = 0; i < 10; i++) {
        const fn = new lambda.Function(stack, `Fn${i}`, { runtime: lambda.Runtime.NODEJS_24_X, handler: 'index.handler', code: lambda.Code.fromInline('exports.handler=async()=>1') });
        const alias = new lambda.Alias(stack, `Live${i}`, { aliasName: 'live', version: fn.currentVersion });
        const group = new codedeploy.LambdaDeploymentGroup(stack, `Group${i}`, { alias });
        shared.registerLambdaDeploymentGroup(group, { policy: busyPolicy, alias, allowedSmokeTestHosts: ['orders.example.com'] });
        registered++;
      }
      const template = Template.fromStack(stack);
      const ownRoles = new Set(Object.keys(template.findResources('AWS::IAM::Role')));
      const foreign = policiesOf(template).flatMap((p) => p.Properties.Roles).filter((role) => !ownRoles.has((role as { Ref?: string }).Ref ?? ''));
      expect(foreign).toEqual([]);
      expect(Math.max(...policyCharactersByRole(template).values())).toBeLessThan(IAM_ROLE_POLICY_QUOTA);
      expect(Object.keys(template.toJSON().Resources).length).toBeLessThanOrEqual(500); // CloudFormation's resources per stack
      expect(Object.keys(template.findResources('AWS::CodeDeploy::DeploymentGroup', { Properties: { Tags: [{ Key: 'canary-evaluator', Value: 'platform' }] } }))).toHaveLength(10);
    }
    expect(registered).toBe(200);
  }, 600_000);
});
