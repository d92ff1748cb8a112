import { App, Duration, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as codedeploy from 'aws-cdk-lib/aws-codedeploy';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { CanaryEvaluator } from '../../lib/constructs';
import { DemoStack } from '../../lib/demo/demo-stack';

const noBundling = () => new App({ context: { 'aws:cdk:bundling-stacks': [] } });

function serviceGroup(stack: Stack, id = 'Service') {
  const fn = new lambda.Function(stack, `${id}Fn`, { runtime: lambda.Runtime.NODEJS_22_X, handler: 'index.handler', code: lambda.Code.fromInline('exports.handler=async()=>1') });
  const alias = new lambda.Alias(stack, `${id}Alias`, { aliasName: 'live', version: fn.currentVersion });
  return new codedeploy.LambdaDeploymentGroup(stack, `${id}Group`, { alias, deploymentConfig: codedeploy.LambdaDeploymentConfig.CANARY_10PERCENT_5MINUTES });
}

const LOG_DELIVERY_ACTIONS = [
  'logs:CreateLogDelivery',
  'logs:GetLogDelivery',
  'logs:UpdateLogDelivery',
  'logs:DeleteLogDelivery',
  'logs:ListLogDeliveries',
  'logs:PutResourcePolicy',
  'logs:DescribeResourcePolicies',
  'logs:DescribeLogGroups',
];

type Statement = { Action: string | string[]; Resource: unknown; Effect: string; Condition?: Record<string, Record<string, string>> };

function statementsOf(template: Template): Statement[] {
  return Object.values(template.findResources('AWS::IAM::Policy')).flatMap((policy) => policy.Properties.PolicyDocument.Statement as Statement[]);
}

describe('CanaryEvaluator', () => {
  const template = Template.fromStack(new DemoStack(noBundling(), 'Demo', { env: { account: '123456789012', region: 'us-east-1' } }));

  test('runs every Lambda on an explicit, current Node.js runtime with tracing', () => {
    const evaluatorFunctions = template.findResources('AWS::Lambda::Function', { Properties: { Environment: { Variables: { POWERTOOLS_SERVICE_NAME: 'canary-evaluator' } } } });
    expect(Object.keys(evaluatorFunctions)).toHaveLength(10); // prepare, evaluate, smoke, watch, report, Lambda pre/post hooks, CodeDeploy ECS hooks, the ECS native hook
    for (const fn of Object.values(evaluatorFunctions)) {
      expect(fn.Properties.Runtime).toBe('nodejs24.x');
      expect(fn.Properties.TracingConfig).toEqual({ Mode: 'Active' });
      expect(fn.Properties.Timeout).toBeLessThanOrEqual(60);
    }
  });

  test('is a Standard state machine that times out before the one-hour hook deadline', () => {
    template.hasResourceProperties('AWS::StepFunctions::StateMachine', {
      StateMachineType: 'STANDARD',
      TracingConfiguration: { Enabled: true },
      LoggingConfiguration: Match.objectLike({ Level: 'ALL' }),
    });
    const definition = JSON.stringify(template.findResources('AWS::StepFunctions::StateMachine'));
    expect(definition).toContain('\\"TimeoutSeconds\\":3300');
  });

  test('wires the hooks on the deployment group', () => {
    const hooks = template.findResources('AWS::Lambda::Function', { Properties: { Environment: { Variables: { LIFECYCLE_EVENT: Match.anyValue() } } } });
    const events = Object.values(hooks).map((fn) => fn.Properties.Environment.Variables.LIFECYCLE_EVENT).sort();
    expect(events).toEqual(['AfterAllowTestTraffic', 'AfterAllowTraffic', 'AfterAllowTraffic', 'BeforeAllowTraffic']);
    // CDK wires LambdaDeploymentGroup hooks through the alias' UpdatePolicy.
    const alias = Object.values(template.findResources('AWS::Lambda::Alias'))[0];
    const update = alias.UpdatePolicy.CodeDeployLambdaAliasUpdate;
    const hookIds = Object.keys(hooks);
    expect(hookIds).toContain(update.BeforeAllowTrafficHook.Ref);
    expect(hookIds).toContain(update.AfterAllowTrafficHook.Ref);
  });

  test('grants no wildcard action, and wildcard resources only where AWS offers no resource-level permission', () => {
    const statements = statementsOf(template);
    for (const statement of statements) {
      const actions = [statement.Action].flat();
      for (const action of actions) expect(action).not.toMatch(/\*/);
      if (statement.Resource === '*') {
        // X-Ray, GetMetricData and the log-delivery APIs Step Functions logging needs have no
        // resource-level permissions (Service Authorization Reference; Step Functions Developer Guide, "Logging").
        // PutMetricData is limited to the verdict namespace by condition instead.
        const namespaced = statement.Condition?.StringEquals?.['cloudwatch:namespace'] === 'CanaryEvaluator';
        // The CodeDeploy actions below support no resource type (see lib/constructs/service-authorization.ts).
        const codeDeployWildcardOnly = ['codedeploy:PutLifecycleEventHookExecutionStatus', 'codedeploy:ListDeploymentTargets', 'codedeploy:GetDeploymentTarget', 'codedeploy:StopDeployment'];
        const unscopable = (a: string) =>
          a.startsWith('xray:') ||
          a === 'cloudwatch:GetMetricData' ||
          LOG_DELIVERY_ACTIONS.includes(a) ||
          codeDeployWildcardOnly.includes(a) ||
          (a === 'cloudwatch:PutMetricData' && namespaced);
        expect(actions.filter((a) => !unscopable(a))).toEqual([]);
      }
    }
  });

  test('scopes GetDeployment to the registered deployment group; reports hooks on * (wildcard-only, the call that must never fail)', () => {
    const reports = statementsOf(template).filter((s) => [s.Action].flat().includes('codedeploy:PutLifecycleEventHookExecutionStatus'));
    // Ours on `*` (hooks and report); CDK's addPreHook/addPostHook add group-scoped ones for the Lambda hooks.
    expect(reports.filter((s) => s.Resource === '*').length).toBeGreaterThanOrEqual(5);
    const scoped = statementsOf(template).filter((s) => [s.Action].flat().includes('codedeploy:GetDeployment'));
    expect(scoped.length).toBeGreaterThanOrEqual(3);
    for (const statement of scoped) {
      const resource = JSON.stringify(statement.Resource);
      expect(resource).toContain(':deploymentgroup:');
      expect(resource).not.toBe('"*"');
    }
  });

  // Issue 24 finding 5: scheduled rules are EventBridge's legacy form; the sweep is an EventBridge Scheduler schedule.
  test('sweeps ended executions on a Scheduler schedule (status events are best effort): the report function, with the state machine ARN, ListExecutions on it only', () => {
    const stateMachineId = Object.keys(template.findResources('AWS::StepFunctions::StateMachine'))[0];
    const reportFunctionId = Object.keys(template.findResources('AWS::Lambda::Function')).find((id) => id.includes('Report'))!;
    expect(Object.keys(template.findResources('AWS::Events::Rule', { Properties: { ScheduleExpression: Match.anyValue() } }))).toEqual([]);
    const sweeps = template.findResources('AWS::Scheduler::Schedule', { Properties: { ScheduleExpression: 'rate(2 minutes)' } });
    expect(Object.keys(sweeps)).toHaveLength(1);
    const { Target: target, FlexibleTimeWindow: window } = Object.values(sweeps)[0].Properties;
    expect(window).toEqual({ Mode: 'OFF' });
    expect(target.Arn).toEqual({ 'Fn::GetAtt': [reportFunctionId, 'Arn'] });
    expect(JSON.parse(target.Input['Fn::Join'][1].map((part: unknown) => (typeof part === 'string' ? part : 'ARN')).join(''))).toEqual({ sweep: { stateMachineArn: 'ARN' } });
    expect(JSON.stringify(target.Input)).toContain(stateMachineId);
    expect(target.RetryPolicy).toEqual({ MaximumRetryAttempts: 2, MaximumEventAgeInSeconds: 120 });
    expect(target.DeadLetterConfig).toBeDefined();
    // The schedule's role may invoke the report function only.
    const scheduleRole = (target.RoleArn as { 'Fn::GetAtt': [string, string] })['Fn::GetAtt'][0];
    const scheduleStatements = Object.values(template.findResources('AWS::IAM::Policy'))
      .filter((p) => JSON.stringify(p.Properties.Roles).includes(scheduleRole))
      .flatMap((p) => p.Properties.PolicyDocument.Statement as Statement[]);
    const invokes = scheduleStatements.filter((s) => [s.Action].flat().includes('lambda:InvokeFunction'));
    expect(invokes.map((s) => JSON.stringify(s.Resource))).toEqual([expect.stringContaining(reportFunctionId)]);
    const listing = statementsOf(template).filter((s) => [s.Action].flat().includes('states:ListExecutions'));
    expect(listing).toEqual([expect.objectContaining({ Action: 'states:ListExecutions', Effect: 'Allow', Resource: { Ref: stateMachineId } })]);
  });

  test('reads the policy from one S3 object tagged for the evaluator, not from the environment', () => {
    const allReads = statementsOf(template).filter((s) => [s.Action].flat().includes('s3:GetObject'));
    // Besides the policy objects, the functions read only named prefixes of the evaluator's own bucket:
    // the report function its publication ledger, change-failure records and ECS native hook statuses (the ECS native hook these too), evaluate and watch the override records.
    const ownPrefix = (s: Statement) => /"\/(publications|overrides|change-failures|ecs-native\/hook-status)\/\*"\]\]\}$/.exec(JSON.stringify(s.Resource))?.[1];
    const reads = allReads.filter((s) => ownPrefix(s) === undefined);
    expect(allReads.map(ownPrefix).filter((prefix) => prefix !== undefined).sort()).toEqual(['change-failures', 'ecs-native/hook-status', 'ecs-native/hook-status', 'overrides', 'overrides', 'publications']);
    expect(reads).toHaveLength(4); // prepare, evaluate, smoke, watch
    for (const statement of reads) expect(Object.keys(statement.Condition?.StringEquals ?? {}).sort()).toEqual(['s3:ExistingObjectTag/canary-evaluator', 's3:ResourceAccount']);
    const tagging = Object.values(template.findResources('Custom::AWS')).map((r) => (JSON.parse(r.Properties.Create as string) as { action: string }).action);
    expect(tagging).toEqual(['putObjectTagging', 'putObjectTagging', 'putObjectTagging']); // the Lambda, the CodeDeploy ECS and the ECS native registrations
    const hooks = template.findResources('AWS::Lambda::Function', { Properties: { Environment: { Variables: { LIFECYCLE_EVENT: Match.anyValue() } } } });
    for (const hook of Object.values(hooks)) expect(Object.keys(hook.Properties.Environment.Variables)).toEqual(expect.arrayContaining(['POLICY_BUCKET', 'POLICY_KEY', 'REPORT_SWITCHES']));
  });

  test('fails at synth on an invalid policy, naming the path', () => {
    const stack = new Stack(noBundling(), 'Bad');
    const evaluator = new CanaryEvaluator(stack, 'Evaluator');
    expect(() => evaluator.registerLambdaDeploymentGroup(serviceGroup(stack), { policy: { metrics: [{ preset: 'lambda-error-rate', method: { type: 'threshold', max: -1 } }] } })).toThrow(
      /metrics\[0\]\.method\.max: Too small/,
    );
  });

  test('fails on an evaluation timeout at or beyond the hook deadline', () => {
    const stack = new Stack(noBundling(), 'Slow');
    expect(() => new CanaryEvaluator(stack, 'Evaluator', { evaluationTimeout: Duration.hours(1) })).toThrow(/must be under 1 hour/);
  });

  test('many deployment groups share one state machine', () => {
    const stack = new Stack(noBundling(), 'Shared');
    const evaluator = new CanaryEvaluator(stack, 'Evaluator');
    evaluator.registerLambdaDeploymentGroup(serviceGroup(stack, 'A'), { policy: { metrics: [{ preset: 'lambda-throttle-rate' }] } });
    evaluator.registerLambdaDeploymentGroup(serviceGroup(stack, 'B'), { policy: { metrics: [{ preset: 'lambda-error-rate' }] } });
    const shared = Template.fromStack(stack);
    shared.resourceCountIs('AWS::StepFunctions::StateMachine', 1);
    shared.resourceCountIs('AWS::Lambda::Function', 5 + 4 + 2 + 1); // evaluator, 2×2 hooks, the services, the stack's policy-object tagger
  });
});
