import { Duration, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as kms from 'aws-cdk-lib/aws-kms';
import { CanaryEvaluator } from '../../lib';
import { stagesForPolicy } from '../../lib/constructs/ecs-native/registration';
import { ECS_HOOK_ENVIRONMENT, ECS_HOOK_STATUS_STORE } from '../../lib/evaluation/ecs-native/contract';
import { validatePolicy } from '../../lib/evaluation/policy-check';
import { ENV, noBundlingApp } from './support/all-options-stack';
import { nativeEcsService, type NativeServiceOptions } from './support/ecs-native-service';

const judged = { metrics: [{ preset: 'alb-5xx-rate' as const }] };
const withSmoke = { ...judged, smokeTests: [{ name: 'home', type: 'http' as const, url: 'https://web.example.com/', phase: 'pre-traffic' as const }] };

type Resources = Record<string, { Type: string; Properties?: Record<string, unknown>; DependsOn?: string[] }>;

function setup(service: NativeServiceOptions = {}, options: { readonly encrypted?: boolean } = {}) {
  const stack = new Stack(noBundlingApp(), 'Native', { env: ENV });
  const evaluator = new CanaryEvaluator(stack, 'Evaluator', options.encrypted ? { encryptionKey: new kms.Key(stack, 'Key', { enableKeyRotation: true }) } : {});
  const web = nativeEcsService(stack, 'Web', service);
  const targets = { loadBalancer: web.loadBalancer, productionTargetGroup: web.productionTargetGroup, alternateTargetGroup: web.alternateTargetGroup, allowedSmokeTestHosts: ['web.example.com'] };
  return { stack, evaluator, web, targets };
}

const resourcesOf = (stack: Stack) => Template.fromStack(stack).toJSON().Resources as Resources;
const serviceOf = (resources: Resources) => Object.values(resources).find((r) => r.Type === 'AWS::ECS::Service')!;
const logicalIdOf = (stack: Stack, construct: { node: { defaultChild?: unknown } } | { node: unknown }) => stack.getLogicalId((construct as { node: { defaultChild: never } }).node.defaultChild);

describe('registerEcsService: an ECS service on a native strategy', () => {
  test('one hook function at the stages the policy needs, invoked through a role ECS assumes, with the timeout on the service', () => {
    const { stack, evaluator, web, targets } = setup();
    const registered = evaluator.registerEcsService(web.service, { policy: withSmoke, ...targets });
    const resources = resourcesOf(stack);
    const service = serviceOf(resources);
    const hookId = logicalIdOf(stack, registered.hookFunction);
    const roleId = stack.getLogicalId(registered.invokeRole.node.defaultChild as never);
    const configuration = service.Properties!.DeploymentConfiguration as Record<string, unknown>;
    expect(configuration.Strategy).toBe('LINEAR');
    expect(configuration.LifecycleHooks).toEqual([
      {
        HookTargetArn: { 'Fn::GetAtt': [hookId, 'Arn'] },
        RoleArn: { 'Fn::GetAtt': [roleId, 'Arn'] },
        LifecycleStages: ['POST_TEST_TRAFFIC_SHIFT', 'PRODUCTION_TRAFFIC_SHIFT', 'POST_PRODUCTION_TRAFFIC_SHIFT'],
        TimeoutConfiguration: { Action: 'ROLLBACK', TimeoutInMinutes: 60 },
      },
    ]);
    // The role: trusted by ECS only, allowed to invoke this hook function only (not `function:*` as AWS's sample).
    expect(resources[roleId].Properties!.AssumeRolePolicyDocument).toEqual({
      Statement: [{ Action: 'sts:AssumeRole', Effect: 'Allow', Principal: { Service: 'ecs.amazonaws.com' } }],
      Version: '2012-10-17',
    });
    const rolePolicies = Object.values(resources).filter((r) => r.Type === 'AWS::IAM::Policy' && JSON.stringify(r.Properties!.Roles) === JSON.stringify([{ Ref: roleId }]));
    expect(rolePolicies.map((p) => (p.Properties!.PolicyDocument as { Statement: unknown[] }).Statement)).toEqual([[{ Action: 'lambda:InvokeFunction', Effect: 'Allow', Resource: { 'Fn::GetAtt': [hookId, 'Arn'] } }]]);
    // The hook is told what the contract names, and runs the ecs-hook bundle.
    const environment = (resources[hookId].Properties!.Environment as { Variables: Record<string, unknown> }).Variables;
    expect(Object.keys(environment).sort()).toEqual(
      ['POWERTOOLS_SERVICE_NAME', ...[ECS_HOOK_ENVIRONMENT.policyBucket, ECS_HOOK_ENVIRONMENT.policyKey, ECS_HOOK_ENVIRONMENT.stateMachineArn, ECS_HOOK_ENVIRONMENT.reportSwitches, ECS_HOOK_ENVIRONMENT.smokeAllowedHosts, ECS_HOOK_ENVIRONMENT.ecsTargets, ECS_HOOK_ENVIRONMENT.service, ECS_HOOK_ENVIRONMENT.hookTimeout, ECS_HOOK_ENVIRONMENT.reportBucket, ECS_HOOK_ENVIRONMENT.overrideSettings]].sort(),
    );
    // Break-glass overrides, as for a CodeDeploy hook: the report bucket and allowOverrides (default true), passed to every evaluation.
    expect(environment[ECS_HOOK_ENVIRONMENT.overrideSettings]).toEqual({ 'Fn::Join': ['', ['{"bucket":"', { Ref: stack.getLogicalId(evaluator.reportBucket.bucket.node.defaultChild as never) }, '","allowed":true}']] });
    expect(JSON.parse(environment[ECS_HOOK_ENVIRONMENT.hookTimeout] as string)).toEqual({ timeoutInMinutes: 60, action: 'ROLLBACK' });
    expect(resources[hookId].Properties!.DeadLetterConfig).toBeUndefined();
    // A deployment waits for the alarm it watches, the policy object's tag and the invoke permission.
    expect(service.DependsOn).toEqual(expect.arrayContaining([stack.getLogicalId(registered.verdictAlarm.node.defaultChild as never), roleId]));
    expect((configuration.Alarms as { AlarmNames: unknown[]; Rollback: boolean }).Rollback).toBe(true);
    expect((configuration.Alarms as { AlarmNames: unknown[] }).AlarmNames).toEqual([expect.stringMatching(/^Native-.*-VerdictFailed$/)]);
    expect(registered.stages).toEqual(['POST_TEST_TRAFFIC_SHIFT', 'PRODUCTION_TRAFFIC_SHIFT', 'POST_PRODUCTION_TRAFFIC_SHIFT']);
    // The service carries the registration tag (what `canary-eval coverage` reads); the hook function does not,
    // so the evaluator's tag-based grants (smoke invocations) cannot reach it.
    expect(service.Properties!.Tags).toEqual(expect.arrayContaining([{ Key: 'canary-evaluator', Value: evaluator.registrationTag }]));
    expect(JSON.stringify(resources[hookId].Properties!.Tags ?? [])).not.toContain('canary-evaluator');
  });

  test('allowOverrides: false reaches the hook (its evaluations refuse overrides, recording the refusal)', () => {
    const { stack, evaluator, web, targets } = setup();
    const registered = evaluator.registerEcsService(web.service, { policy: judged, ...targets, allowOverrides: false });
    const environment = (resourcesOf(stack)[logicalIdOf(stack, registered.hookFunction)].Properties!.Environment as { Variables: Record<string, unknown> }).Variables;
    expect(JSON.stringify(environment[ECS_HOOK_ENVIRONMENT.overrideSettings])).toContain('\\"allowed\\":false}');
  });

  test("the hook's role: start and follow its evaluations, read and create hook statuses under their prefix; the report function too", () => {
    const { stack, evaluator, web, targets } = setup({}, { encrypted: true });
    const registered = evaluator.registerEcsService(web.service, { policy: judged, ...targets });
    const template = Template.fromStack(stack);
    const hookRoleId = stack.getLogicalId((registered.hookFunction.role as never as { node: { defaultChild: never } }).node.defaultChild);
    const statements = Object.values(template.findResources('AWS::IAM::Policy', { Properties: { Roles: [{ Ref: hookRoleId }] } })).flatMap((p) => p.Properties.PolicyDocument.Statement as Array<{ Action: string | string[]; Resource: unknown }>);
    const actions = statements.flatMap((s) => [s.Action].flat()).sort();
    expect(actions).toEqual(['kms:Decrypt', 'kms:GenerateDataKey', 'kms:GenerateDataKey', 'logs:CreateLogStream', 'logs:PutLogEvents', 's3:GetObject', 's3:PutObject', 'states:DescribeExecution', 'states:StartExecution', 'xray:PutTelemetryRecords', 'xray:PutTraceSegments'].sort());
    const statusStatement = statements.find((s) => JSON.stringify(s.Action) === JSON.stringify(['s3:GetObject', 's3:PutObject']))!;
    expect(JSON.stringify(statusStatement.Resource)).toContain(`/${ECS_HOOK_STATUS_STORE.prefix}*`);
    // The report step records the statuses the hook reads.
    const reportRoleId = stack.getLogicalId((evaluator.reportFunction.role as never as { node: { defaultChild: never } }).node.defaultChild);
    const reportStatements = Object.values(template.findResources('AWS::IAM::Policy', { Properties: { Roles: [{ Ref: reportRoleId }] } })).flatMap((p) => p.Properties.PolicyDocument.Statement as Array<{ Action: unknown; Resource: unknown }>);
    expect(reportStatements.some((s) => JSON.stringify(s.Action) === JSON.stringify(['s3:GetObject', 's3:PutObject']) && JSON.stringify(s.Resource).includes(ECS_HOOK_STATUS_STORE.prefix))).toBe(true);
  });

  test('stages follow the policy and the strategy; explicit stages and a longer timeout are honoured; the timeout action follows onEvaluatorError', () => {
    const policy = (input: object) => validatePolicy(input);
    expect(stagesForPolicy(policy(judged), 'LINEAR')).toEqual(['PRODUCTION_TRAFFIC_SHIFT', 'POST_PRODUCTION_TRAFFIC_SHIFT']);
    expect(stagesForPolicy(policy(judged), 'BLUE_GREEN')).toEqual(['POST_PRODUCTION_TRAFFIC_SHIFT']);
    expect(stagesForPolicy(policy({ ...judged, canaryWatch: { enabled: false } }), 'CANARY')).toEqual(['POST_PRODUCTION_TRAFFIC_SHIFT']);
    expect(stagesForPolicy(policy(withSmoke), 'CANARY')).toEqual(['POST_TEST_TRAFFIC_SHIFT', 'PRODUCTION_TRAFFIC_SHIFT', 'POST_PRODUCTION_TRAFFIC_SHIFT']);

    const { stack, evaluator, web, targets } = setup({ strategy: ecs.DeploymentStrategy.BLUE_GREEN });
    const registered = evaluator.registerEcsService(web.service, { policy: { ...judged, onEvaluatorError: 'pass' }, ...targets, stages: ['TEST_TRAFFIC_SHIFT', 'POST_PRODUCTION_TRAFFIC_SHIFT'], hookTimeout: Duration.hours(2) });
    expect(registered.hookTimeout).toEqual({ timeoutInMinutes: 120, action: 'CONTINUE' });
    const hooks = (serviceOf(resourcesOf(stack)).Properties!.DeploymentConfiguration as { LifecycleHooks: Array<Record<string, unknown>> }).LifecycleHooks;
    expect(hooks.map((hook) => [hook.LifecycleStages, hook.TimeoutConfiguration])).toEqual([[['TEST_TRAFFIC_SHIFT', 'POST_PRODUCTION_TRAFFIC_SHIFT'], { Action: 'CONTINUE', TimeoutInMinutes: 120 }]]);
  });

  test("a hook the app adds itself keeps its own settings; the evaluator's timeout goes on its own entry only", () => {
    const { stack, evaluator, web, targets } = setup();
    const own = evaluator.prepareFunction; // any function of the app
    web.service.addLifecycleHook(new ecs.DeploymentLifecycleLambdaTarget(own, 'Own', { lifecycleStages: [ecs.DeploymentLifecycleStage.PRE_SCALE_UP] }));
    const registered = evaluator.registerEcsService(web.service, { policy: judged, ...targets });
    const hooks = (serviceOf(resourcesOf(stack)).Properties!.DeploymentConfiguration as { LifecycleHooks: Array<Record<string, unknown>> }).LifecycleHooks;
    expect(hooks).toHaveLength(2);
    expect(hooks[0]).not.toHaveProperty('TimeoutConfiguration');
    expect(hooks[0].LifecycleStages).toEqual(['PRE_SCALE_UP']);
    expect(hooks[1]).toMatchObject({ HookTargetArn: { 'Fn::GetAtt': [logicalIdOf(stack, registered.hookFunction), 'Arn'] }, TimeoutConfiguration: { Action: 'ROLLBACK', TimeoutInMinutes: 60 } });
  });

  test('bad combinations fail with errors that say what to change', () => {
    const attempt = (service: NativeServiceOptions, options: Record<string, unknown> = {}, policy: object = judged) => {
      const { evaluator, web, targets } = setup(service);
      return () => evaluator.registerEcsService(web.service, { policy, ...targets, ...options });
    };
    expect(attempt({ strategy: ecs.DeploymentStrategy.ROLLING })).toThrow(/deployment strategy is ROLLING.*Set deploymentStrategy to ecs\.DeploymentStrategy\.BLUE_GREEN, LINEAR or CANARY/);
    expect(attempt({ controller: ecs.DeploymentControllerType.CODE_DEPLOY, alternateTarget: false })).toThrow(/deployment controller is CODE_DEPLOY.*registerEcsDeploymentGroup/);
    expect(attempt({}, { stages: ['PRE_SCALE_UP'] })).toThrow(/stages PRE_SCALE_UP are not judged by canary-evaluator; choose among TEST_TRAFFIC_SHIFT/);
    expect(attempt({}, { hookTimeout: Duration.minutes(30) })).toThrow(/hookTimeout is 30 minutes; expected whole minutes from 60/);
    expect(attempt({}, { hookTimeout: Duration.days(2) })).toThrow(/to 1440/);
    expect(attempt({ strategy: ecs.DeploymentStrategy.BLUE_GREEN }, {}, { ...judged, bake: { enabled: false } })).toThrow(/judges nothing at any lifecycle stage of a BLUE_GREEN deployment/);
    expect(attempt({}, {}, { ...judged, canaryWatch: { stopDeploymentOnFail: true } })).toThrow(/stopDeploymentOnFail stops CodeDeploy deployments/);
    expect(attempt({}, {}, { metrics: [{ preset: 'lambda-error-rate' }] })).toThrow(/lambda-alias versioning reads Lambda metrics/);
    const same = setup();
    expect(() => same.evaluator.registerEcsService(same.web.service, { policy: judged, ...same.targets, alternateTargetGroup: same.web.productionTargetGroup })).toThrow(/the same target group/);
    const { evaluator, web, targets } = setup();
    const second = new CanaryEvaluator(web.service.stack, 'Second');
    evaluator.registerEcsService(web.service, { policy: judged, ...targets });
    expect(() => evaluator.registerEcsService(web.service, { policy: judged, ...targets })).toThrow(/already registered/);
    expect(() => second.registerEcsService(web.service, { policy: judged, ...targets })).toThrow(/already registered with a canary-evaluator/);
  });

  test('a service not behind the two target groups fails synth, naming the fix', () => {
    const { stack, evaluator, web, targets } = setup({ alternateTarget: false });
    evaluator.registerEcsService(web.service, { policy: judged, ...targets });
    expect(() => Template.fromStack(stack)).toThrow(/none of its load balancer entries names that target group with that alternate target group.*AlternateTarget/s);
  });

  test('from another stack: the imported evaluator registers with its report bucket; without it the registration is refused', () => {
    const app = noBundlingApp();
    const platform = new Stack(app, 'Platform', { env: ENV });
    new CanaryEvaluator(platform, 'Evaluator', { evaluatorName: 'shared' });
    const team = new Stack(app, 'Team', { env: ENV });
    const web = nativeEcsService(team, 'Web');
    const targets = { loadBalancer: web.loadBalancer, productionTargetGroup: web.productionTargetGroup, alternateTargetGroup: web.alternateTargetGroup };
    const byName = CanaryEvaluator.fromEvaluatorName(team, 'Shared', 'shared');
    const registered = byName.registerEcsService(web.service, { policy: judged, ...targets });
    const parameters = Template.fromStack(team).toJSON().Parameters as Record<string, { Default?: string }>;
    expect(Object.values(parameters).map((p) => p.Default)).toContain('/canary-evaluator/shared/report-bucket-name');
    expect(Template.fromStack(platform).findResources('AWS::SSM::Parameter', { Properties: { Name: '/canary-evaluator/shared/report-bucket-name' } })).not.toEqual({});
    expect(registered.stages).toEqual(['PRODUCTION_TRAFFIC_SHIFT', 'POST_PRODUCTION_TRAFFIC_SHIFT']);

    const other = new Stack(app, 'Other', { env: ENV });
    const web2 = nativeEcsService(other, 'Web');
    const byAttributes = CanaryEvaluator.fromEvaluatorAttributes(other, 'Shared', { stateMachineArn: 'arn:aws:states:us-east-1:123456789012:stateMachine:x', hookDeadLetterQueueArn: 'arn:aws:sqs:us-east-1:123456789012:q', registrationTag: 'shared' });
    expect(() => byAttributes.registerEcsService(web2.service, { policy: judged, loadBalancer: web2.loadBalancer, productionTargetGroup: web2.productionTargetGroup, alternateTargetGroup: web2.alternateTargetGroup })).toThrow(/report bucket is unknown.*reportBucketName/);
  });

  test('the dashboard counts the native service under its platform', () => {
    const { stack, evaluator, web, targets } = setup({ serviceName: 'web' });
    evaluator.registerEcsService(web.service, { policy: judged, ...targets });
    const body = JSON.stringify(Template.fromStack(stack).findResources('AWS::CloudWatch::Dashboard'));
    expect(body).toContain('ECS native LINEAR: verdicts');
    expect(body).toContain('ECS native LINEAR WebService: alarms');
    // The service's own name is its label when the app names it (a reference to the service would be circular).
    expect(body).toMatch(/DeploymentGroupName\\\\?",\\\\?"web\\\\?"/);
  });
});
