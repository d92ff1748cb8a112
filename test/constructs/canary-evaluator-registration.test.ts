import { App, Stack, type CfnElement } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as codedeploy from 'aws-cdk-lib/aws-codedeploy';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { CanaryEvaluator } from '../../lib/constructs';

const env = { account: '123456789012', region: 'us-east-1' };
const newStack = () => new Stack(new App({ context: { 'aws:cdk:bundling-stacks': [] } }), 'Test', { env });

function lambdaGroup(stack: Stack, id = 'Service') {
  const fn = new lambda.Function(stack, `${id}Fn`, { runtime: lambda.Runtime.NODEJS_24_X, handler: 'index.handler', code: lambda.Code.fromInline('exports.handler=async()=>1') });
  const alias = new lambda.Alias(stack, `${id}Alias`, { aliasName: 'live', version: fn.currentVersion });
  const group = new codedeploy.LambdaDeploymentGroup(stack, `${id}Group`, { alias, deploymentConfig: codedeploy.LambdaDeploymentConfig.CANARY_10PERCENT_5MINUTES });
  return { fn, alias, group };
}

function ecsGroup(stack: Stack) {
  const vpc = new ec2.Vpc(stack, 'Vpc', { maxAzs: 2, natGateways: 0, subnetConfiguration: [{ name: 'public', subnetType: ec2.SubnetType.PUBLIC }] });
  const cluster = new ecs.Cluster(stack, 'Cluster', { vpc });
  const taskDefinition = new ecs.FargateTaskDefinition(stack, 'Task');
  taskDefinition.addContainer('web', { image: ecs.ContainerImage.fromRegistry('nginx'), portMappings: [{ containerPort: 80 }] });
  const service = new ecs.FargateService(stack, 'Web', { cluster, taskDefinition, deploymentController: { type: ecs.DeploymentControllerType.CODE_DEPLOY } });
  const loadBalancer = new elbv2.ApplicationLoadBalancer(stack, 'Alb', { vpc });
  const tg = (id: string) => new elbv2.ApplicationTargetGroup(stack, id, { vpc, port: 80, targetType: elbv2.TargetType.IP });
  const blueTargetGroup = tg('Blue');
  const greenTargetGroup = tg('Green');
  const listener = loadBalancer.addListener('Prod', { port: 80, defaultTargetGroups: [blueTargetGroup] });
  service.attachToApplicationTargetGroup(blueTargetGroup);
  const group = new codedeploy.EcsDeploymentGroup(stack, 'WebGroup', { service, blueGreenDeploymentConfig: { blueTargetGroup, greenTargetGroup, listener } });
  return { group, loadBalancer, blueTargetGroup, greenTargetGroup };
}

const policy = { metrics: [{ preset: 'lambda-error-rate' as const }] };
type Statement = { Action: string | string[]; Resource: unknown; Condition?: { StringEquals?: Record<string, unknown> } };
const statements = (template: Template): Statement[] =>
  Object.values(template.findResources('AWS::IAM::Policy')).flatMap((p) => p.Properties.PolicyDocument.Statement as Statement[]);
const withAction = (template: Template, action: string) => statements(template).filter((s) => [s.Action].flat().includes(action));

describe('registerLambdaDeploymentGroup', () => {
  test('adds a verdict alarm on VerdictFailed (Maximum >= 1, missing data not breaching) to the group, by literal name', () => {
    const stack = newStack();
    const { group } = lambdaGroup(stack);
    const registered = new CanaryEvaluator(stack, 'Evaluator').registerLambdaDeploymentGroup(group, { policy });
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: 'CanaryEvaluator',
      MetricName: 'VerdictFailed',
      Statistic: 'Maximum',
      Period: 60,
      Threshold: 1,
      EvaluationPeriods: 1,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      TreatMissingData: 'notBreaching',
      Dimensions: Match.arrayWith([{ Name: 'DeploymentGroupName', Value: { Ref: Match.stringLikeRegexp('ServiceGroup') } }]),
    });
    const alarmName = stack.resolve(registered.verdictAlarm.alarmName);
    expect(typeof alarmName === 'string' || JSON.stringify(alarmName)).toBeTruthy();
    template.hasResourceProperties('AWS::CodeDeploy::DeploymentGroup', {
      AlarmConfiguration: { Enabled: true, Alarms: [{ Name: Match.stringLikeRegexp('VerdictFailed$') }] },
      AutoRollbackConfiguration: { Enabled: true, Events: Match.arrayWith(['DEPLOYMENT_STOP_ON_ALARM']) },
    });
  });

  test('addVerdictAlarm: false creates the alarm but leaves the group alone', () => {
    const stack = newStack();
    const { group } = lambdaGroup(stack);
    const registered = new CanaryEvaluator(stack, 'Evaluator').registerLambdaDeploymentGroup(group, { policy, addVerdictAlarm: false });
    expect(registered.verdictAlarm).toBeInstanceOf(cloudwatch.Alarm);
    const deploymentGroup = Object.values(Template.fromStack(stack).findResources('AWS::CodeDeploy::DeploymentGroup'))[0];
    expect(deploymentGroup.Properties.AlarmConfiguration).toBeUndefined();
  });

  test('fails at synth when the group ends up with more than 10 alarms', () => {
    const stack = newStack();
    const { group, fn } = lambdaGroup(stack);
    for (let i = 0; i < 10; i++) group.addAlarm(new cloudwatch.Alarm(stack, `Alarm${i}`, { metric: fn.metricErrors(), threshold: 1, evaluationPeriods: 1 }));
    new CanaryEvaluator(stack, 'Evaluator').registerLambdaDeploymentGroup(group, { policy });
    expect(() => Template.fromStack(stack)).toThrow(/has 11 CloudWatch alarms.*at most 10.*CompositeAlarm/s);
  });

  test('deploymentGroupAlarmLimit raises the limit', () => {
    const stack = newStack();
    const { group, fn } = lambdaGroup(stack);
    for (let i = 0; i < 10; i++) group.addAlarm(new cloudwatch.Alarm(stack, `Alarm${i}`, { metric: fn.metricErrors(), threshold: 1, evaluationPeriods: 1 }));
    new CanaryEvaluator(stack, 'Evaluator', { deploymentGroupAlarmLimit: 50 }).registerLambdaDeploymentGroup(group, { policy });
    expect(() => Template.fromStack(stack)).not.toThrow();
  });

  test('fails when the same group is registered twice', () => {
    const stack = newStack();
    const { group } = lambdaGroup(stack);
    const evaluator = new CanaryEvaluator(stack, 'Evaluator');
    evaluator.registerLambdaDeploymentGroup(group, { policy });
    expect(() => evaluator.registerLambdaDeploymentGroup(group, { policy })).toThrow(/already registered/);
  });

  test('fails on a policy file that does not exist, naming the file', () => {
    const stack = newStack();
    expect(() => new CanaryEvaluator(stack, 'Evaluator').registerLambdaDeploymentGroup(lambdaGroup(stack).group, { policy: '/nope/policy.yaml' })).toThrow(
      /\/nope\/policy\.yaml: not found/,
    );
  });

  test('fails on a policy with smoke tests but no alias', () => {
    const stack = newStack();
    const smoke = { metrics: [{ preset: 'lambda-error-rate' as const }], smokeTests: [{ name: 'health' }] };
    expect(() => new CanaryEvaluator(stack, 'Evaluator').registerLambdaDeploymentGroup(lambdaGroup(stack).group, { policy: smoke })).toThrow(/pass `alias`/);
  });

  test('the smoke-test runner may invoke qualified ARNs of functions tagged for the evaluator only; the registration tags its function', () => {
    const stack = newStack();
    const { group, alias, fn } = lambdaGroup(stack);
    const evaluator = new CanaryEvaluator(stack, 'Evaluator');
    const runner = new iam.Role(stack, 'Runner', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });
    evaluator.grantSmokeTestInvoke(runner);
    evaluator.registerLambdaDeploymentGroup(group, { policy, alias });
    const template = Template.fromStack(stack);
    const invokes = withAction(template, 'lambda:InvokeFunction').filter((s) => JSON.stringify(s.Resource).includes(':function:'));
    expect(invokes).toHaveLength(2); // the smoke function's and the runner's
    for (const statement of invokes) {
      expect(JSON.stringify(statement.Resource)).toMatch(/:function:\*:\*"\]\]\}$/);
      expect(statement.Condition).toEqual({ StringEquals: { 'aws:ResourceTag/canary-evaluator': evaluator.registrationTag } });
    }
    expect(template.toJSON().Resources[stack.getLogicalId(fn.node.defaultChild as CfnElement)].Properties.Tags).toEqual([{ Key: 'canary-evaluator', Value: evaluator.registrationTag }]);
  });

  test('limits PutMetricData to the verdict namespace; grants StopDeployment (wildcard-only) only when a policy stops deployments', () => {
    const stack = newStack();
    const evaluator = new CanaryEvaluator(stack, 'Evaluator');
    evaluator.registerLambdaDeploymentGroup(lambdaGroup(stack).group, { policy });
    const template = Template.fromStack(stack);
    const put = withAction(template, 'cloudwatch:PutMetricData');
    expect(put).toHaveLength(3); // evaluate (bake), watch (canary window), report (final verdict)
    for (const statement of put) expect(statement.Condition).toEqual({ StringEquals: { 'cloudwatch:namespace': 'CanaryEvaluator' } });
    expect(withAction(template, 'codedeploy:StopDeployment')).toHaveLength(0);

    const stopping = newStack();
    const stopper = new CanaryEvaluator(stopping, 'Evaluator');
    const stopPolicy = { ...policy, canaryWatch: { stopDeploymentOnFail: true } };
    stopper.registerLambdaDeploymentGroup(lambdaGroup(stopping, 'One').group, { policy: stopPolicy });
    stopper.registerLambdaDeploymentGroup(lambdaGroup(stopping, 'Two').group, { policy: stopPolicy });
    const stop = withAction(Template.fromStack(stopping), 'codedeploy:StopDeployment');
    // StopDeployment supports no resource type (Service Authorization Reference): an ARN would never match.
    expect(stop).toHaveLength(1);
    expect(stop[0].Resource).toBe('*');
  });

  test('gives every evaluator Lambda its own role without AWS managed policies, writing only to its own log group', () => {
    const stack = newStack();
    new CanaryEvaluator(stack, 'Evaluator').registerLambdaDeploymentGroup(lambdaGroup(stack).group, { policy });
    const template = Template.fromStack(stack);
    const evaluatorRoles = Object.entries(template.findResources('AWS::IAM::Role')).filter(([id]) => id.startsWith('Evaluator') && !id.includes('StateMachine'));
    expect(evaluatorRoles.length).toBe(8); // prepare, evaluate, smoke, watch, report, two hooks, the sweep schedule's
    for (const [, role] of evaluatorRoles) expect(role.Properties.ManagedPolicyArns).toBeUndefined();
    for (const statement of withAction(template, 'logs:PutLogEvents')) expect(JSON.stringify(statement.Resource)).toMatch(/Logs.*Arn/);
  });
});

describe('registerEcsDeploymentGroup', () => {
  test('creates AfterAllowTestTraffic and AfterAllowTraffic hooks with ECS_TARGETS, invokable by the CodeDeploy role', () => {
    const stack = newStack();
    const { group, ...targets } = ecsGroup(stack);
    const registered = new CanaryEvaluator(stack, 'Evaluator').registerEcsDeploymentGroup(group, { policy: { metrics: [{ preset: 'alb-5xx-rate' }] }, ...targets });
    const template = Template.fromStack(stack);
    const hooks = template.findResources('AWS::Lambda::Function', { Properties: { Environment: { Variables: { ECS_TARGETS: Match.anyValue() } } } });
    expect(Object.values(hooks).map((fn) => fn.Properties.Environment.Variables.LIFECYCLE_EVENT).sort()).toEqual(['AfterAllowTestTraffic', 'AfterAllowTraffic']);
    const ecsTargets = JSON.stringify(Object.values(hooks)[0].Properties.Environment.Variables.ECS_TARGETS);
    expect(ecsTargets).toContain('LoadBalancerFullName');
    expect(ecsTargets).toContain('TargetGroupFullName');
    expect(ecsTargets).toMatch(/Blue.*Green/);
    expect(registered.appSpecHooks.map((hook) => Object.keys(hook)[0])).toEqual(['AfterAllowTestTraffic', 'AfterAllowTraffic']);

    const codeDeployPolicy = Object.values(template.findResources('AWS::IAM::Policy')).find((p) => JSON.stringify(p.Properties.Roles).includes('WebGroupServiceRole'));
    const invoke = (codeDeployPolicy?.Properties.PolicyDocument.Statement as Statement[]).filter((s) => s.Action === 'lambda:InvokeFunction');
    // The two hooks, unqualified (CodeDeploy invokes the function the AppSpec names), nothing else.
    expect(invoke.map((s) => JSON.stringify(s.Resource)).sort()).toEqual([
      expect.stringMatching(/AfterAllowTestTrafficHookFunction\w+","Arn"\]\}$/),
      expect.stringMatching(/AfterAllowTrafficHookFunction\w+","Arn"\]\}$/),
    ]);
    template.hasResourceProperties('AWS::CodeDeploy::DeploymentGroup', { AlarmConfiguration: { Enabled: true, Alarms: [{ Name: Match.stringLikeRegexp('VerdictFailed$') }] } });
  });

  test('lets the ECS hooks, the canary watch and the report function read deployment targets (wildcard-only ListDeploymentTargets, GetDeploymentTarget)', () => {
    const stack = newStack();
    const { group, ...targets } = ecsGroup(stack);
    const evaluator = new CanaryEvaluator(stack, 'Evaluator');
    evaluator.registerEcsDeploymentGroup(group, { policy: { metrics: [{ preset: 'alb-5xx-rate' }] }, ...targets });
    evaluator.registerLambdaDeploymentGroup(lambdaGroup(stack).group, { policy });
    const template = Template.fromStack(stack);
    const reading = Object.values(template.findResources('AWS::IAM::Policy')).filter((p) =>
      (p.Properties.PolicyDocument.Statement as Statement[]).some((s) => [s.Action].flat().includes('codedeploy:GetDeploymentTarget')),
    );
    // The report function reads a hook's status in CodeDeploy when the state machine finds the hook already completed (issue 23 item 4).
    expect(reading.map((p) => JSON.stringify(p.Properties.Roles)).sort()).toEqual([
      expect.stringMatching(/EvaluatorReportRole/),
      expect.stringMatching(/WebGroup\w*AfterAllowTestTrafficHookRole/),
      expect.stringMatching(/WebGroup\w*AfterAllowTrafficHookRole/),
      expect.stringMatching(/EvaluatorWatchRole/),
    ]);
    for (const p of reading) expect(JSON.stringify(p.Properties.Roles)).not.toMatch(/ServiceGroup/);
    const targetReads = withAction(template, 'codedeploy:ListDeploymentTargets');
    expect(targetReads).toHaveLength(4);
    for (const statement of targetReads) {
      expect(statement.Action).toEqual(['codedeploy:ListDeploymentTargets', 'codedeploy:GetDeploymentTarget']);
      // Both actions support no resource type (Service Authorization Reference, AWS CodeDeploy).
      expect(statement.Resource).toBe('*');
    }
  });

  test('fails when the policy does not fit ECS: Lambda metrics, version dimensions or Lambda smoke tests', () => {
    const stack = newStack();
    const { group, ...targets } = ecsGroup(stack);
    const unfit = {
      metrics: [
        { preset: 'lambda-error-rate' as const },
        { name: 'latency', kind: 'gauge' as const, value: { namespace: 'Web', metricName: 'Latency', stat: 'Average' }, versioning: { type: 'dimension' as const, dimension: 'Version' } },
      ],
      smokeTests: [{ name: 'invoke' }],
    };
    expect(() => new CanaryEvaluator(stack, 'Evaluator').registerEcsDeploymentGroup(group, { policy: unfit, ...targets })).toThrow(
      /does not fit an ECS deployment group:\n {2}- metric lambda-error-rate: lambda-alias[\s\S]*metric latency: dimension versioning is not supported for ECS[\s\S]*smoke test invoke: Lambda smoke tests/,
    );
  });

  test('a Lambda group fails on ALB target-group metrics', () => {
    const stack = newStack();
    expect(() => new CanaryEvaluator(stack, 'Evaluator').registerLambdaDeploymentGroup(lambdaGroup(stack).group, { policy: { metrics: [{ preset: 'alb-5xx-rate' }] } })).toThrow(
      'metric alb-5xx-rate: alb-target-group versioning needs an ECS blue/green deployment',
    );
  });

  test('fails on an imported group without codeDeployRole', () => {
    const stack = newStack();
    const { loadBalancer, blueTargetGroup, greenTargetGroup } = ecsGroup(stack);
    const targets = { loadBalancer, blueTargetGroup, greenTargetGroup };
    const imported = codedeploy.EcsDeploymentGroup.fromEcsDeploymentGroupAttributes(stack, 'Imported', {
      application: codedeploy.EcsApplication.fromEcsApplicationName(stack, 'App', 'app'),
      deploymentGroupName: 'web',
    });
    expect(() => new CanaryEvaluator(stack, 'Evaluator').registerEcsDeploymentGroup(imported, { policy, ...targets })).toThrow(/Pass `codeDeployRole`/);
  });
});

describe('CanaryEvaluator props', () => {
  test('encryptionKey encrypts log groups, the state machine, the hook dead-letter queue and Lambda environments', () => {
    const stack = newStack();
    const encryptionKey = new kms.Key(stack, 'Key');
    new CanaryEvaluator(stack, 'Evaluator', { encryptionKey }).registerLambdaDeploymentGroup(lambdaGroup(stack).group, { policy });
    const template = Template.fromStack(stack);
    const keyArn = { 'Fn::GetAtt': [Match.stringLikeRegexp('^Key'), 'Arn'] };
    for (const logGroup of Object.values(template.findResources('AWS::Logs::LogGroup'))) expect(JSON.stringify(logGroup.Properties.KmsKeyId)).toContain('Key');
    template.hasResourceProperties('AWS::StepFunctions::StateMachine', { EncryptionConfiguration: { KmsKeyId: keyArn, Type: 'CUSTOMER_MANAGED_KMS_KEY' } });
    template.hasResourceProperties('AWS::SQS::Queue', { KmsMasterKeyId: keyArn });
    template.hasResourceProperties('AWS::Lambda::Function', { KmsKeyArn: keyArn });
    template.hasResourceProperties('AWS::KMS::Key', {
      KeyPolicy: { Statement: Match.arrayWith([Match.objectLike({ Principal: { Service: { 'Fn::Join': ['', ['logs.', { Ref: 'AWS::Region' }, '.amazonaws.com']] } } })]) },
    });
  });

  test('encryptionKey: KMS conditions name the real state machine; the reaper decrypts, the hooks encrypt execution input and dead letters', () => {
    const stack = newStack();
    const encryptionKey = new kms.Key(stack, 'Key');
    new CanaryEvaluator(stack, 'Evaluator', { encryptionKey }).registerLambdaDeploymentGroup(lambdaGroup(stack).group, { policy });
    const template = Template.fromStack(stack);
    const machine = Object.values(template.findResources('AWS::StepFunctions::StateMachine'))[0];
    const name = machine.Properties.StateMachineName as string;
    expect(name).toMatch(/^[A-Za-z0-9-]{1,80}$/);
    const contexts = withAction(template, 'kms:Decrypt')
      .concat(withAction(template, 'kms:GenerateDataKey'))
      .map((s) => s.Condition?.StringEquals?.['kms:EncryptionContext:aws:states:stateMachineArn'])
      .filter((c) => c !== undefined);
    // The state machine role (CDK), the reaper (report) and the two hooks; none with an empty name.
    expect(contexts.length).toBeGreaterThanOrEqual(4);
    for (const context of contexts) expect(JSON.stringify(context)).toMatch(new RegExp(`:stateMachine:${name}"`));
    const rolesWith = (action: string, conditioned: boolean) =>
      Object.values(template.findResources('AWS::IAM::Policy'))
        .filter((p) => (p.Properties.PolicyDocument.Statement as Statement[]).some((s) => [s.Action].flat().includes(action) && (s.Condition !== undefined) === conditioned))
        .map((p) => JSON.stringify(p.Properties.Roles));
    expect(rolesWith('kms:Decrypt', true).join()).toMatch(/EvaluatorReportRole/);
    const hookGenerate = rolesWith('kms:GenerateDataKey', true).filter((r) => /HookRole/.test(r));
    expect(hookGenerate).toHaveLength(2);
    // GenerateDataKey + Decrypt for the dead-letter queue (SQS producer permissions), through SQS only.
    const viaSqs = Object.values(template.findResources('AWS::IAM::Policy')).filter((p) =>
      (p.Properties.PolicyDocument.Statement as Statement[]).some((s) => [s.Action].flat().includes('kms:Decrypt') && s.Condition?.StringEquals?.['kms:ViaService'] === 'sqs.us-east-1.amazonaws.com'),
    );
    expect(viaSqs.map((p) => JSON.stringify(p.Properties.Roles)).filter((r) => /HookRole/.test(r))).toHaveLength(2);
    // Issue 24 finding 5: no KMS grant without a condition (kms:ViaService or the encryption context).
    expect(rolesWith('kms:Decrypt', false).concat(rolesWith('kms:GenerateDataKey', false))).toEqual([]);
  });

  test('the state machine logs under /aws/vendedlogs/states/', () => {
    const stack = newStack();
    new CanaryEvaluator(stack, 'Evaluator').registerLambdaDeploymentGroup(lambdaGroup(stack).group, { policy });
    Template.fromStack(stack).hasResourceProperties('AWS::Logs::LogGroup', { LogGroupName: Match.stringLikeRegexp('^/aws/vendedlogs/states/') });
  });

  test('hook functions send failed asynchronous invocations to the dead-letter queue, which an alarm watches', () => {
    const stack = newStack();
    const evaluator = new CanaryEvaluator(stack, 'Evaluator');
    evaluator.registerLambdaDeploymentGroup(lambdaGroup(stack).group, { policy });
    const template = Template.fromStack(stack);
    const hooks = template.findResources('AWS::Lambda::Function', { Properties: { Environment: { Variables: { LIFECYCLE_EVENT: Match.anyValue() } } } });
    for (const hook of Object.values(hooks)) expect(hook.Properties.DeadLetterConfig.TargetArn['Fn::GetAtt'][0]).toMatch(/HookDeadLetters/);
    template.hasResourceProperties('AWS::CloudWatch::Alarm', { MetricName: 'ApproximateNumberOfMessagesVisible', Threshold: 1 });
  });

  test('health alarms: failed/timed-out/aborted evaluations and Lambda errors, with the healthAlarmAction', () => {
    const stack = newStack();
    const action = { bind: () => ({ alarmActionArn: 'arn:aws:sns:us-east-1:123456789012:oncall' }) };
    const evaluator = new CanaryEvaluator(stack, 'Evaluator', { healthAlarmAction: action });
    evaluator.registerLambdaDeploymentGroup(lambdaGroup(stack).group, { policy });
    const template = Template.fromStack(stack);
    const failed = template.findResources('AWS::CloudWatch::Alarm', { Properties: { Metrics: Match.arrayWith([Match.objectLike({ Expression: 'failed + timedOut + aborted' })]) } });
    expect(Object.keys(failed)).toHaveLength(1);
    const actioned = template.findResources('AWS::CloudWatch::Alarm', { Properties: { AlarmActions: ['arn:aws:sns:us-east-1:123456789012:oncall'] } });
    expect(Object.keys(actioned)).toHaveLength(5); // failed evaluations, evaluator errors, watch/smoke errors, hook dead letters, the group's hook errors
  });

  test('creates one dashboard with the quality signal, verdict explanations and health; dashboard: false creates none', () => {
    const stack = newStack();
    new CanaryEvaluator(stack, 'Evaluator', { dashboardName: 'canary' }).registerLambdaDeploymentGroup(lambdaGroup(stack).group, { policy });
    const body = JSON.stringify(Template.fromStack(stack).findResources('AWS::CloudWatch::Dashboard'));
    expect(body).toContain('canary');
    for (const text of ['Rollbacks', 'Rollbacks (change failures caught)', 'canary-eval history --application A --group G --dora', 'Verdicts', 'Inconclusive', 'Verdicts, rollbacks and inconclusive per day', 'TimeToVerdictSeconds', '100 * rollbacks / verdicts', "filter message = 'evaluation tick'", 'ExecutionsFailed', 'ExecutionsTimedOut']) {
      expect(body).toContain(text);
    }
    const quiet = newStack();
    new CanaryEvaluator(quiet, 'Evaluator', { dashboard: false });
    Template.fromStack(quiet).resourceCountIs('AWS::CloudWatch::Dashboard', 0);
  });
});

describe('run-time AWS limits (issue 10, findings 10-12)', () => {
  test('the verdict alarm name stays within 255 characters with the longest stack name, and stays unique', () => {
    const stack = new Stack(new App({ context: { 'aws:cdk:bundling-stacks': [] } }), 'S'.repeat(128), { env });
    const evaluator = new CanaryEvaluator(stack, 'Evaluator'.repeat(10));
    const one = evaluator.registerLambdaDeploymentGroup(lambdaGroup(stack, 'A'.repeat(60)).group, { policy });
    const two = evaluator.registerLambdaDeploymentGroup(lambdaGroup(stack, 'B'.repeat(60)).group, { policy });
    const names = [one, two].map((r) => (r.verdictAlarm.node.defaultChild as cloudwatch.CfnAlarm).alarmName as string);
    for (const name of names) expect(name.length).toBeLessThanOrEqual(255);
    expect(new Set(names).size).toBe(2);
  });

  test('the alias update that starts a deployment waits for the verdict alarm; hooks bound async retries and event age', () => {
    const stack = newStack();
    const { group } = lambdaGroup(stack);
    const registered = new CanaryEvaluator(stack, 'Evaluator').registerLambdaDeploymentGroup(group, { policy });
    const template = Template.fromStack(stack);
    const alias = Object.values(template.findResources('AWS::Lambda::Alias'))[0];
    expect(alias.DependsOn).toContain(stack.getLogicalId(registered.verdictAlarm.node.defaultChild as CfnElement));
    const configs = Object.values(template.findResources('AWS::Lambda::EventInvokeConfig'));
    expect(configs).toHaveLength(2);
    for (const config of configs) expect(config.Properties).toMatchObject({ MaximumRetryAttempts: 2, MaximumEventAgeInSeconds: 300, Qualifier: '$LATEST' });
  });

  test('smokeTestVpc puts the smoke-test Lambda (only) in the VPC', () => {
    const stack = newStack();
    const vpc = new ec2.Vpc(stack, 'Private', { maxAzs: 2 });
    new CanaryEvaluator(stack, 'Evaluator', { smokeTestVpc: vpc }).registerLambdaDeploymentGroup(lambdaGroup(stack).group, { policy });
    const inVpc = Object.keys(Template.fromStack(stack).findResources('AWS::Lambda::Function', { Properties: { VpcConfig: Match.anyValue() } }));
    expect(inVpc).toEqual([expect.stringMatching(/^EvaluatorSmokeFunction/)]);
  });

  // Issue 24 finding 1: the smoke function has its own role, so CDK attaches no AWSLambdaVPCAccessExecutionRole,
  // and Lambda refuses to create a VPC function whose role cannot create network interfaces.
  test('smokeTestVpc grants the smoke role the network-interface actions Lambda needs, before the function is created', () => {
    const stack = newStack();
    const vpc = new ec2.Vpc(stack, 'Private', { maxAzs: 2 });
    const evaluator = new CanaryEvaluator(stack, 'Evaluator', { smokeTestVpc: vpc });
    const template = Template.fromStack(stack);
    const roleOf = (fn: lambda.Function) => stack.getLogicalId(fn.role!.node.defaultChild as CfnElement);
    const policiesOf = (fn: lambda.Function) =>
      Object.entries(template.findResources('AWS::IAM::Policy')).filter(([, p]) => JSON.stringify(p.Properties.Roles).includes(roleOf(fn)));
    const ec2Actions = (fn: lambda.Function) =>
      policiesOf(fn).flatMap(([, p]) => (p.Properties.PolicyDocument.Statement as Statement[]).flatMap((s) => [s.Action].flat()).filter((a) => a.startsWith('ec2:')));
    expect(ec2Actions(evaluator.smokeFunction).sort()).toEqual([
      'ec2:AssignPrivateIpAddresses',
      'ec2:CreateNetworkInterface',
      'ec2:DeleteNetworkInterface',
      'ec2:DescribeNetworkInterfaces',
      'ec2:DescribeSubnets',
      'ec2:UnassignPrivateIpAddresses',
    ]);
    const smoke = template.toJSON().Resources[stack.getLogicalId(evaluator.smokeFunction.node.defaultChild as CfnElement)];
    const [[grantingPolicy]] = policiesOf(evaluator.smokeFunction).filter(([, p]) => JSON.stringify(p).includes('ec2:CreateNetworkInterface'));
    expect(smoke.DependsOn).toContain(grantingPolicy);
    for (const other of [evaluator.prepareFunction, evaluator.evaluateFunction, evaluator.watchFunction, evaluator.reportFunction]) expect(ec2Actions(other)).toEqual([]);
  });

  test('without smokeTestVpc no role is granted EC2 actions', () => {
    const stack = newStack();
    new CanaryEvaluator(stack, 'Evaluator');
    expect(JSON.stringify(Template.fromStack(stack).findResources('AWS::IAM::Policy'))).not.toContain('ec2:');
  });

  test('fails synth when HTTP smoke tests × retries × timeout cannot finish in the smoke-test Lambda', () => {
    const stack = newStack();
    const slow = (name: string) => ({ name, type: 'http' as const, url: 'https://orders.example.com/health', timeoutMs: 10000, retries: 3 });
    const tooSlow = { ...policy, smokeTests: [slow('a'), slow('b'), slow('c'), slow('d'), slow('e')] };
    expect(() => new CanaryEvaluator(stack, 'Evaluator').registerLambdaDeploymentGroup(lambdaGroup(stack).group, { policy: tooSlow })).toThrow(
      /pre-traffic HTTP smoke tests may take up to 90 s \(a: 40 s, .*concurrency 4\), but the smoke-test Lambda stops after 60 s/,
    );
    const fits = { ...policy, smokeTests: [slow('a'), { ...slow('b'), retries: 0 }] };
    const other = newStack();
    expect(() => new CanaryEvaluator(other, 'Evaluator').registerLambdaDeploymentGroup(lambdaGroup(other).group, { policy: fits, allowedSmokeTestHosts: ['orders.example.com'] })).not.toThrow();
  });
});

describe('smoke-test host allow-list (issue 11 finding 10)', () => {
  const http = (url: string) => ({ ...policy, smokeTests: [{ name: 'health', type: 'http' as const, url }] });

  test('a host the registration does not name or allow fails synth, naming the test and the option', () => {
    const stack = newStack();
    expect(() => new CanaryEvaluator(stack, 'Evaluator').registerLambdaDeploymentGroup(lambdaGroup(stack).group, { policy: http('https://orders.example.com/health') })).toThrow(
      "smokeTests[0] (health).url: orders.example.com is not one of this registration's smoke-test hosts (none); add it to allowedSmokeTestHosts",
    );
  });

  test('an allowed host passes, case-insensitively, and reaches the hooks as SMOKE_ALLOWED_HOSTS', () => {
    const stack = newStack();
    new CanaryEvaluator(stack, 'Evaluator').registerLambdaDeploymentGroup(lambdaGroup(stack).group, { policy: http('https://Orders.Example.com/health'), allowedSmokeTestHosts: ['orders.example.com'] });
    const hooks = Object.values(Template.fromStack(stack).findResources('AWS::Lambda::Function', { Properties: { Environment: { Variables: { LIFECYCLE_EVENT: Match.anyValue() } } } }));
    expect(hooks).toHaveLength(2);
    for (const hook of hooks) expect(hook.Properties.Environment.Variables.SMOKE_ALLOWED_HOSTS).toBe('["orders.example.com"]');
  });

  test('loopback and link-local are refused even when allowed', () => {
    const stack = newStack();
    expect(() => new CanaryEvaluator(stack, 'Evaluator').registerLambdaDeploymentGroup(lambdaGroup(stack).group, { policy: http('http://localhost:9001/2018-06-01/runtime'), allowedSmokeTestHosts: ['localhost'] })).toThrow(
      /loopback/,
    );
  });
});
