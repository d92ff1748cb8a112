import { Stack } from 'aws-cdk-lib';
import { Annotations, Match } from 'aws-cdk-lib/assertions';
import * as codedeploy from 'aws-cdk-lib/aws-codedeploy';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { CanaryEvaluator, COVERAGE_FINDINGS, PostDeployChecks } from '../../lib';
import { EXEMPTION_METADATA } from '../../lib/constructs/coverage/protection';
import { ENV, noBundlingApp } from './support/all-options-stack';
import { nativeEcsService } from './support/ecs-native-service';

const policy = { metrics: [{ preset: 'lambda-error-rate' }] };

/** A function with its `live` alias and a deployment group: what a service team ships. */
function service(stack: Stack, id: string, props: Partial<lambda.FunctionProps> = {}) {
  const fn = new lambda.Function(stack, `${id}Fn`, { runtime: lambda.Runtime.NODEJS_24_X, handler: 'index.handler', code: lambda.Code.fromInline('x'), ...props });
  const alias = new lambda.Alias(stack, `${id}Live`, { aliasName: 'live', version: fn.currentVersion });
  return { fn, alias, group: new codedeploy.LambdaDeploymentGroup(stack, `${id}Group`, { alias }) };
}

function errorsOf(stack: Stack): string[] {
  return Annotations.fromStack(stack).findError('*', Match.anyValue()).map((entry) => String(entry.entry.data));
}
function warningsOf(stack: Stack): string[] {
  return Annotations.fromStack(stack).findWarning('*', Match.anyValue()).map((entry) => String(entry.entry.data));
}

describe('PostDeployChecks: coverage of every deployment at synth time', () => {
  test('a protected group passes; an unprotected one fails synth, naming its path and the line that fixes it', () => {
    const app = noBundlingApp();
    const stack = new Stack(app, 'Services', { env: ENV });
    const evaluator = new CanaryEvaluator(stack, 'Evaluator');
    const orders = service(stack, 'Orders');
    service(stack, 'Payments');
    evaluator.registerLambdaDeploymentGroup(orders.group, { policy, alias: orders.alias });
    PostDeployChecks.require(app);

    const errors = errorsOf(stack);
    expect(errors).toEqual([
      'Services/PaymentsGroup: CodeDeploy deployment group with no post-deploy checks. Fix: evaluator.registerLambdaDeploymentGroup(group, { policy: \'policy.yaml\', alias }) — or PostDeployChecks.exempt(group, \'why\').',
    ]);
    expect(errors.join('\n')).not.toContain('OrdersGroup');
  });

  test('negative control: every group registered (or exempted with a reason) gives no finding at all', () => {
    const app = noBundlingApp();
    const stack = new Stack(app, 'Services', { env: ENV });
    const evaluator = new CanaryEvaluator(stack, 'Evaluator');
    const orders = service(stack, 'Orders');
    const batch = service(stack, 'Batch');
    evaluator.registerLambdaDeploymentGroup(orders.group, { policy, alias: orders.alias });
    PostDeployChecks.exempt(batch.group, 'nightly batch job: judged by its own end-to-end suite');
    PostDeployChecks.require(app);
    expect(errorsOf(stack)).toEqual([]);
    expect(warningsOf(stack).filter((text) => text.includes('post-deploy'))).toEqual([]);
    // The exemption is on record in the cloud assembly, with its reason.
    const recorded = app.synth().getStackArtifact(stack.artifactId).findMetadataByType(EXEMPTION_METADATA);
    expect(recorded).toEqual([{ path: '/Services/BatchGroup', type: EXEMPTION_METADATA, data: 'nightly batch job: judged by its own end-to-end suite' }]);
    expect(() => PostDeployChecks.exempt(batch.group, ' ')).toThrow(/say why/);
  });

  test('warn mode: the same finding as a warning, synth goes on; groups in other stacks of the app are found too', () => {
    const app = noBundlingApp();
    const platform = new Stack(app, 'Platform', { env: ENV });
    new CanaryEvaluator(platform, 'Evaluator');
    const team = new Stack(app, 'Team', { env: ENV });
    service(team, 'Search');
    PostDeployChecks.require(app, { onMissing: 'warn' });
    expect(errorsOf(team)).toEqual([]);
    expect(warningsOf(team)).toEqual([expect.stringContaining('Team/SearchGroup: CodeDeploy deployment group with no post-deploy checks.')]);
    expect(warningsOf(team)[0]).toContain(`[ack: ${COVERAGE_FINDINGS.unprotectedGroup}]`);
  });

  test('ECS: an unregistered blue/green group, an L1 group, and a service on the native ECS strategy are each found', () => {
    const app = noBundlingApp();
    const stack = new Stack(app, 'Ecs', { env: ENV });
    const vpc = new ec2.Vpc(stack, 'Vpc', { maxAzs: 2, natGateways: 0 });
    const cluster = new ecs.Cluster(stack, 'Cluster', { vpc });
    const taskDefinition = new ecs.FargateTaskDefinition(stack, 'Task');
    taskDefinition.addContainer('app', { image: ecs.ContainerImage.fromRegistry('public.ecr.aws/nginx/nginx:latest'), portMappings: [{ containerPort: 80 }] });
    const service = new ecs.FargateService(stack, 'Service', { cluster, taskDefinition, deploymentController: { type: ecs.DeploymentControllerType.CODE_DEPLOY } });
    const alb = new elbv2.ApplicationLoadBalancer(stack, 'Alb', { vpc });
    const listener = alb.addListener('Http', { port: 80, open: false });
    const blue = new elbv2.ApplicationTargetGroup(stack, 'Blue', { vpc, port: 80, targetType: elbv2.TargetType.IP });
    const green = new elbv2.ApplicationTargetGroup(stack, 'Green', { vpc, port: 80, targetType: elbv2.TargetType.IP });
    listener.addTargetGroups('Default', { targetGroups: [blue] });
    new codedeploy.EcsDeploymentGroup(stack, 'EcsGroup', { service, blueGreenDeploymentConfig: { blueTargetGroup: blue, greenTargetGroup: green, listener } });
    new codedeploy.CfnDeploymentGroup(stack, 'RawGroup', { applicationName: 'app', serviceRoleArn: 'arn:aws:iam::123456789012:role/cd' });
    const native = new ecs.CfnService(stack, 'NativeService', { cluster: cluster.clusterName, deploymentConfiguration: { strategy: 'LINEAR' } });
    const rolling = new ecs.CfnService(stack, 'RollingService', { cluster: cluster.clusterName, deploymentConfiguration: { strategy: 'ROLLING' } });
    PostDeployChecks.require(app);

    const errors = errorsOf(stack);
    expect(errors).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^Ecs\/EcsGroup: CodeDeploy deployment group with no post-deploy checks\. Fix: evaluator\.registerEcsDeploymentGroup\(group/),
        expect.stringMatching(/^Ecs\/RawGroup: CodeDeploy deployment group made as a CfnDeploymentGroup/),
        expect.stringMatching(/^Ecs\/NativeService: ECS service with the native LINEAR deployment strategy and no post-deploy checks\. Fix: evaluator\.registerEcsService\(service/),
      ]),
    );
    expect(errors).toHaveLength(3);
    expect(native.node.path).toBe('Ecs/NativeService');
    // A rolling service has no traffic shift to judge: not a finding.
    expect(errors.join('\n')).not.toContain(rolling.node.path);
  });

  test('ECS native: an unregistered L2 service on CANARY is found by its L2 path; a registered one and an exempted one are not (negative control)', () => {
    const app = noBundlingApp();
    const stack = new Stack(app, 'Native', { env: ENV });
    const evaluator = new CanaryEvaluator(stack, 'Evaluator');
    const registered = nativeEcsService(stack, 'Registered');
    nativeEcsService(stack, 'Unregistered', { strategy: ecs.DeploymentStrategy.CANARY });
    const exempted = nativeEcsService(stack, 'Exempted');
    const rolling = nativeEcsService(stack, 'Rolling', { strategy: ecs.DeploymentStrategy.ROLLING, alternateTarget: false });
    evaluator.registerEcsService(registered.service, {
      policy: { metrics: [{ preset: 'alb-5xx-rate' }] },
      loadBalancer: registered.loadBalancer,
      productionTargetGroup: registered.productionTargetGroup,
      alternateTargetGroup: registered.alternateTargetGroup,
    });
    PostDeployChecks.exempt(exempted.service, 'internal admin tool, judged by its own suite');
    PostDeployChecks.require(app);

    const errors = errorsOf(stack);
    expect(errors).toEqual([
      "Native/UnregisteredService: ECS service with the native CANARY deployment strategy and no post-deploy checks. Fix: evaluator.registerEcsService(service, { policy: 'policy.yaml', loadBalancer, productionTargetGroup, alternateTargetGroup }) — or PostDeployChecks.exempt(service, 'why').",
    ]);
    for (const quiet of [registered, exempted, rolling]) expect(errors.join('\n')).not.toContain(quiet.service.node.path);
  });

  test('when asked: functions a group deploys without JSON logs or active tracing, and not functions no group deploys', () => {
    const app = noBundlingApp();
    const stack = new Stack(app, 'Services', { env: ENV });
    const evaluator = new CanaryEvaluator(stack, 'Evaluator');
    const plain = service(stack, 'Plain');
    const good = service(stack, 'Good', { loggingFormat: lambda.LoggingFormat.JSON, tracing: lambda.Tracing.ACTIVE });
    new lambda.Function(stack, 'Helper', { runtime: lambda.Runtime.NODEJS_24_X, handler: 'index.handler', code: lambda.Code.fromInline('x') });
    for (const entry of [plain, good]) evaluator.registerLambdaDeploymentGroup(entry.group, { policy, alias: entry.alias });
    PostDeployChecks.require(app, { requireStructuredLogs: true, requireTracing: true });

    expect(errorsOf(stack).sort()).toEqual([
      'Services/PlainFn: deployed by CodeDeploy (alias live) with plain-text logs. Fix: loggingFormat: lambda.LoggingFormat.JSON on the function.',
      'Services/PlainFn: deployed by CodeDeploy (alias live) without active tracing. Fix: tracing: lambda.Tracing.ACTIVE on the function.',
    ]);
  });
});
