import { App, Duration, Stack, Validations } from 'aws-cdk-lib';
import * as cwActions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as codedeploy from 'aws-cdk-lib/aws-codedeploy';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as sns from 'aws-cdk-lib/aws-sns';
import { CanaryEvaluator } from '../../../lib/constructs';
import { acknowledgeSampleServiceFindings, addNativeEcsService } from '../../../lib/demo/demo-stack';
import type { PolicyInput } from '../../../lib/policy';

/** The secrets the all-options registration's smoke-test headers name (a partial secret ARN, an SSM SecureString with a customer key). */
export const SMOKE_SECRET_PARTIAL_ARN = 'arn:aws:secretsmanager:us-east-1:123456789012:secret:orders/smoke-token';
export const SMOKE_PARAMETER = '/orders/api-key';
/** The log group the all-options Lambda group's log signal reads (policy `logs`). */
export const LOG_GROUP = '/aws/lambda/orders';
export const SMOKE_PARAMETER_KEY = 'arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab';

export const ENV = { account: '123456789012', region: 'us-east-1' };

/** An app that skips asset bundling (the construct tests' way: `aws:cdk:bundling-stacks` empty). */
export const noBundlingApp = () => new App({ context: { 'aws:cdk:bundling-stacks': [] } });

/**
 * Every option that changes IAM or KMS at once: a customer managed key, a health alarm action, an alarm
 * gate, metric math, Lambda and HTTP smoke tests, `stopDeploymentOnFail`, an S3 revision bucket and an
 * ECS blue/green group, notifications to Slack and Teams channels, the smoke-test Lambda in a VPC. The IAM and resource-specification checks run against it and the demo app.
 */
export function allOptionsStack(app = noBundlingApp()): { stack: Stack; evaluator: CanaryEvaluator } {
  const stack = new Stack(app, 'AllOptions', { env: ENV });
  const encryptionKey = new kms.Key(stack, 'Key', { enableKeyRotation: true });
  const vpc = new ec2.Vpc(stack, 'Vpc', {
    maxAzs: 2,
    natGateways: 0,
    subnetConfiguration: [
      { name: 'public', subnetType: ec2.SubnetType.PUBLIC },
      { name: 'internal', subnetType: ec2.SubnetType.PRIVATE_ISOLATED },
    ],
  });
  const evaluator = new CanaryEvaluator(stack, 'Evaluator', {
    encryptionKey,
    healthAlarmAction: new cwActions.SnsAction(new sns.Topic(stack, 'OnCall', { enforceSSL: true })),
    smokeTestVpc: vpc,
    smokeTestVpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_ISOLATED },
    // Long ECS native evaluations: the extended state machine, its key grants, the reaper over both machines.
    ecsNativeMaxHookTimeout: Duration.minutes(240),
    notifications: {
      slackChannel: { slackWorkspaceId: 'T0123ABCD', slackChannelId: 'C0123ABCD' },
      teamsChannel: { teamId: '5f0c2e9a-1111-4222-8333-944455556666', teamsChannelId: '19%3aabc%40thread.tacv2', teamsTenantId: '0a1b2c3d-1111-4222-8333-944455556666' },
    },
  });

  const fn = new lambda.Function(stack, 'OrdersFn', {
    runtime: lambda.Runtime.NODEJS_24_X,
    handler: 'index.handler',
    code: lambda.Code.fromInline('exports.handler=async()=>1'),
    memorySize: 256,
    timeout: Duration.seconds(10),
    tracing: lambda.Tracing.ACTIVE,
  });
  const alias = new lambda.Alias(stack, 'Live', { aliasName: 'live', version: fn.currentVersion });
  const group = new codedeploy.LambdaDeploymentGroup(stack, 'OrdersGroup', { alias, deploymentConfig: codedeploy.LambdaDeploymentConfig.CANARY_10PERCENT_5MINUTES });
  const policy: PolicyInput = {
    metrics: [
      { preset: 'lambda-error-rate' },
      { name: 'dependencies', kind: 'alarm', alarmNames: ['orders-db-healthy'] },
      {
        name: 'checkout-failures',
        kind: 'count',
        count: { expression: `SUM(SEARCH('{Shop,Version} MetricName="CheckoutFailed" Version="\${VERSION}"', 'Sum', 60))` },
        total: { namespace: 'Shop', metricName: 'CheckoutStarted' },
        versioning: { type: 'dimension', dimension: 'Version' },
      },
    ],
    smokeTests: [
      { name: 'invoke', payload: { ping: true } },
      {
        name: 'health',
        type: 'http',
        url: 'https://orders.example.com/health',
        headers: { Authorization: { secret: SMOKE_SECRET_PARTIAL_ARN, prefix: 'Bearer ' }, 'X-Api-Key': { parameter: SMOKE_PARAMETER, kmsKeyArn: SMOKE_PARAMETER_KEY } },
      },
    ],
    canaryWatch: { stopDeploymentOnFail: true },
    logs: { logGroups: [LOG_GROUP], errorFilter: { type: 'json-level' }, versioning: { type: 'lambda-stream' }, requestsFrom: 'lambda-error-rate' },
  };
  evaluator.registerLambdaDeploymentGroup(group, { policy, alias, revisionBucket: new s3.Bucket(stack, 'Revisions', { enforceSSL: true }), allowedSmokeTestHosts: ['orders.example.com'] });

  const cluster = new ecs.Cluster(stack, 'Cluster', { vpc, containerInsightsV2: ecs.ContainerInsights.ENABLED });
  const taskDefinition = new ecs.FargateTaskDefinition(stack, 'WebTask');
  taskDefinition.addContainer('web', {
    image: ecs.ContainerImage.fromRegistry('public.ecr.aws/nginx/nginx:stable'),
    portMappings: [{ containerPort: 80 }],
    logging: ecs.LogDrivers.awsLogs({ streamPrefix: 'web', logGroup: new logs.LogGroup(stack, 'WebLogs', { retention: logs.RetentionDays.ONE_WEEK }) }),
  });
  const service = new ecs.FargateService(stack, 'Web', { cluster, taskDefinition, deploymentController: { type: ecs.DeploymentControllerType.CODE_DEPLOY } });
  const loadBalancer = new elbv2.ApplicationLoadBalancer(stack, 'Alb', { vpc });
  const targetGroup = (id: string) => new elbv2.ApplicationTargetGroup(stack, id, { vpc, port: 80, protocol: elbv2.ApplicationProtocol.HTTP, targetType: elbv2.TargetType.IP });
  const blueTargetGroup = targetGroup('Blue');
  const greenTargetGroup = targetGroup('Green');
  const listener = loadBalancer.addListener('Prod', { port: 80, defaultTargetGroups: [blueTargetGroup] });
  const testListener = loadBalancer.addListener('Test', { port: 8080, defaultTargetGroups: [greenTargetGroup] });
  service.attachToApplicationTargetGroup(blueTargetGroup);
  const ecsGroup = new codedeploy.EcsDeploymentGroup(stack, 'WebGroup', {
    service,
    blueGreenDeploymentConfig: { blueTargetGroup, greenTargetGroup, listener, testListener, terminationWaitTime: Duration.minutes(5) },
    deploymentConfig: codedeploy.EcsDeploymentConfig.CANARY_10PERCENT_5MINUTES,
  });
  evaluator.registerEcsDeploymentGroup(ecsGroup, {
    policy: { metrics: [{ preset: 'alb-5xx-rate' }], smokeTests: [{ name: 'test-listener', type: 'http', url: 'http://internal.example.com:8080/health' }], canaryWatch: { stopDeploymentOnFail: true } },
    loadBalancer,
    blueTargetGroup,
    greenTargetGroup,
    allowedSmokeTestHosts: ['internal.example.com'],
  });
  // An ECS service that Amazon ECS deploys itself (LINEAR), with pre-traffic smoke tests: the ECS hook's role and KMS grants.
  // Its two-hour bake under a four-hour hook runs on the extended state machine: the hook may start that one only.
  const native = addNativeEcsService(stack, 'NativeWeb', { vpc, cluster, taskDefinition, loadBalancer, ports: { production: 81, test: 8081 } });
  evaluator.registerEcsService(native.service, {
    policy: { metrics: [{ preset: 'alb-5xx-rate' }], smokeTests: [{ name: 'test-listener', type: 'http', url: 'http://internal.example.com:8081/health', phase: 'pre-traffic' }], bake: { duration: '2h', period: '5m' } },
    hookTimeout: Duration.minutes(240),
    loadBalancer,
    productionTargetGroup: native.primaryTargetGroup,
    alternateTargetGroup: native.alternateTargetGroup,
    allowedSmokeTestHosts: ['internal.example.com'],
  });
  acknowledgeFixtureFindings(stack);
  return { stack, evaluator };
}

/** cdk-nag findings on the fixture's own services and network, which are not the evaluator's (the demo app acknowledges the same). */
function acknowledgeFixtureFindings(stack: Stack): void {
  const who = 'Test fixture, not part of canary-evaluator';
  acknowledgeSampleServiceFindings(stack, { lambdaFunction: 'OrdersFn', lambdaGroup: 'OrdersGroup', ecsGroup: 'WebGroup', vpc: 'Vpc', loadBalancer: 'Alb', nativeService: 'NativeWebService' }, who);
  Validations.of(stack.node.findChild('Revisions')).acknowledge({ id: 'AwsSolutions-S1', reason: `${who}: the AppSpec revision bucket needs no access logs` });
}
