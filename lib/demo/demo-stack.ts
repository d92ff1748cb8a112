import { join } from 'node:path';
import { Annotations, CfnOutput, Duration, RemovalPolicy, Stack, Validations, type StackProps } from 'aws-cdk-lib';
import * as codedeploy from 'aws-cdk-lib/aws-codedeploy';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';
import { CanaryEvaluator, type RegisteredEcsDeploymentGroup, type RegisteredEcsService } from '../constructs';

/** The demo policy, also used by the local simulation. */
export const DEMO_POLICY_FILE = join(__dirname, 'demo-policy.yaml');
/** The demo ECS service's policy (ALB target-group metrics). */
export const DEMO_ECS_POLICY_FILE = join(__dirname, 'demo-ecs-policy.yaml');

/**
 * What a team's stack looks like after adding canary-evaluator: a Lambda service (10 % canary for
 * 5 minutes), an ECS Fargate service behind an ALB (CodeDeploy blue/green, 10 % canary for 5 minutes), and
 * an ECS Fargate service that Amazon ECS deploys itself (LINEAR, 25 % steps, lifecycle hooks), all
 * protected by one evaluator. Synthesizes offline: a new VPC, no lookups.
 */
export class DemoStack extends Stack {
  public readonly evaluator: CanaryEvaluator;
  public readonly deploymentGroup: codedeploy.LambdaDeploymentGroup;
  public readonly ecsDeploymentGroup: codedeploy.EcsDeploymentGroup;
  public readonly ecsRegistration: RegisteredEcsDeploymentGroup;
  /** The ECS service Amazon ECS deploys itself (LINEAR strategy), protected through lifecycle hooks. */
  public readonly nativeService: ecs.FargateService;
  public readonly nativeRegistration: RegisteredEcsService;

  constructor(scope: Construct, id: string, props?: StackProps) {
    super(scope, id, props);
    this.evaluator = new CanaryEvaluator(this, 'CanaryEvaluator');

    // Lambda service
    const service = new lambda.Function(this, 'OrdersService', {
      runtime: lambda.Runtime.NODEJS_24_X,
      handler: 'index.handler',
      code: lambda.Code.fromInline('exports.handler = async () => ({ statusCode: 200, body: "ok" });'),
      description: 'Sample service protected by canary-evaluator',
      memorySize: 256,
      timeout: Duration.seconds(10),
      tracing: lambda.Tracing.ACTIVE,
    });
    const alias = new lambda.Alias(this, 'Live', { aliasName: 'live', version: service.currentVersion });
    this.deploymentGroup = new codedeploy.LambdaDeploymentGroup(this, 'OrdersDeployment', {
      alias,
      deploymentConfig: codedeploy.LambdaDeploymentConfig.CANARY_10PERCENT_5MINUTES,
    });
    this.evaluator.registerLambdaDeploymentGroup(this.deploymentGroup, { policy: DEMO_POLICY_FILE, alias });

    // ECS service behind an ALB, deployed blue/green by CodeDeploy
    const vpc = new ec2.Vpc(this, 'Vpc', { maxAzs: 2, natGateways: 0, subnetConfiguration: [{ name: 'public', subnetType: ec2.SubnetType.PUBLIC }] });
    const cluster = new ecs.Cluster(this, 'Cluster', { vpc, containerInsightsV2: ecs.ContainerInsights.ENABLED });
    const taskDefinition = new ecs.FargateTaskDefinition(this, 'WebTask', { cpu: 256, memoryLimitMiB: 512 });
    taskDefinition.addContainer('web', {
      image: ecs.ContainerImage.fromRegistry('public.ecr.aws/nginx/nginx:stable'),
      portMappings: [{ containerPort: 80 }],
      logging: ecs.LogDrivers.awsLogs({
        streamPrefix: 'web',
        logGroup: new logs.LogGroup(this, 'WebLogs', { retention: logs.RetentionDays.ONE_WEEK, removalPolicy: RemovalPolicy.DESTROY }),
      }),
    });
    const web = new ecs.FargateService(this, 'WebService', {
      cluster,
      taskDefinition,
      desiredCount: 2,
      minHealthyPercent: 100,
      assignPublicIp: true, // public subnets, no NAT: keeps the demo cheap
      deploymentController: { type: ecs.DeploymentControllerType.CODE_DEPLOY },
    });
    const loadBalancer = new elbv2.ApplicationLoadBalancer(this, 'WebAlb', { vpc, internetFacing: true });
    const targetGroup = (id: string) =>
      new elbv2.ApplicationTargetGroup(this, id, { vpc, port: 80, protocol: elbv2.ApplicationProtocol.HTTP, targetType: elbv2.TargetType.IP, healthCheck: { path: '/' } });
    const blueTargetGroup = targetGroup('WebBlue');
    const greenTargetGroup = targetGroup('WebGreen');
    const listener = loadBalancer.addListener('Production', { port: 80, defaultTargetGroups: [blueTargetGroup] });
    const testListener = loadBalancer.addListener('Test', { port: 8080, defaultTargetGroups: [greenTargetGroup] });
    web.attachToApplicationTargetGroup(blueTargetGroup);
    this.ecsDeploymentGroup = new codedeploy.EcsDeploymentGroup(this, 'WebDeployment', {
      service: web,
      blueGreenDeploymentConfig: { blueTargetGroup, greenTargetGroup, listener, testListener },
      deploymentConfig: codedeploy.EcsDeploymentConfig.CANARY_10PERCENT_5MINUTES,
    });
    this.ecsRegistration = this.evaluator.registerEcsDeploymentGroup(this.ecsDeploymentGroup, {
      policy: DEMO_ECS_POLICY_FILE,
      loadBalancer,
      blueTargetGroup,
      greenTargetGroup,
    });
    // ECS service deployed by Amazon ECS itself (LINEAR, 25 % steps with 5 minutes' bake), on the same
    // cluster and load balancer; the evaluator hooks the stages its policy needs.
    const native = addNativeEcsService(this, 'NativeWeb', { vpc, cluster, taskDefinition, loadBalancer, ports: { production: 81, test: 8081 } });
    this.nativeService = native.service;
    this.nativeRegistration = this.evaluator.registerEcsService(this.nativeService, {
      policy: DEMO_ECS_POLICY_FILE,
      loadBalancer,
      productionTargetGroup: native.primaryTargetGroup,
      alternateTargetGroup: native.alternateTargetGroup,
    });

    acknowledgeSampleServiceFindings(this, { lambdaFunction: 'OrdersService', lambdaGroup: 'OrdersDeployment', ecsGroup: 'WebDeployment', vpc: 'Vpc', loadBalancer: 'WebAlb', nativeService: 'NativeWebService' }, 'Sample service of the demo, not part of canary-evaluator');
    // The ECS AppSpec names its hooks: publish them for the deployment pipeline.
    new CfnOutput(this, 'WebAppSpecHooks', { value: Stack.of(this).toJsonString(this.ecsRegistration.appSpecHooks) });
  }
}

/** What the tests vary in the sample native service; the demo uses the defaults. */
export interface NativeEcsServiceOptions {
  /** @default ecs.DeploymentStrategy.LINEAR (25 % steps, 5 minutes' bake) */
  readonly strategy?: ecs.DeploymentStrategy;
  /** @default ecs.DeploymentControllerType.ECS */
  readonly controller?: ecs.DeploymentControllerType;
  /** Attach the service with the alternate target group (`AlternateTarget`); false attaches the primary one only. @default true */
  readonly alternateTarget?: boolean;
  /** @default a name CloudFormation generates */
  readonly serviceName?: string;
}

/**
 * A sample ECS Fargate service that Amazon ECS deploys itself (deployment controller ECS, LINEAR, 25 % steps
 * with 5 minutes' bake) behind an existing ALB: its own production and test listeners, each with a rule
 * forwarding to the primary and alternate target groups, and the service attached to the primary one with
 * the alternate as its `AlternateTarget` (Amazon ECS Developer Guide, "Application Load Balancer resources for
 * blue/green deployments"). The demo app and the all-options test fixture both use it.
 */
export function addNativeEcsService(
  stack: Stack,
  id: string,
  network: { readonly vpc: ec2.IVpc; readonly cluster: ecs.ICluster; readonly taskDefinition: ecs.TaskDefinition; readonly loadBalancer: elbv2.ApplicationLoadBalancer; readonly ports: { readonly production: number; readonly test: number } },
  options: NativeEcsServiceOptions = {},
): { service: ecs.FargateService; primaryTargetGroup: elbv2.ApplicationTargetGroup; alternateTargetGroup: elbv2.ApplicationTargetGroup } {
  const controller = options.controller ?? ecs.DeploymentControllerType.ECS;
  const strategy = options.strategy ?? ecs.DeploymentStrategy.LINEAR;
  const targetGroup = (name: string) =>
    new elbv2.ApplicationTargetGroup(stack, `${id}${name}`, { vpc: network.vpc, port: 80, protocol: elbv2.ApplicationProtocol.HTTP, targetType: elbv2.TargetType.IP, healthCheck: { path: '/' } });
  const primaryTargetGroup = targetGroup('Primary');
  const alternateTargetGroup = targetGroup('Alternate');
  const rule = (name: string, port: number) =>
    new elbv2.ApplicationListenerRule(stack, `${id}${name}Rule`, {
      listener: network.loadBalancer.addListener(`${id}${name}`, { port, protocol: elbv2.ApplicationProtocol.HTTP, defaultAction: elbv2.ListenerAction.fixedResponse(404) }),
      priority: 1,
      conditions: [elbv2.ListenerCondition.pathPatterns(['/*'])],
      action: elbv2.ListenerAction.weightedForward([{ targetGroup: primaryTargetGroup, weight: 100 }, { targetGroup: alternateTargetGroup, weight: 0 }]),
    });
  const productionRule = rule('Production', network.ports.production);
  const testRule = rule('Test', network.ports.test);
  const service = new ecs.FargateService(stack, `${id}Service`, {
    cluster: network.cluster,
    taskDefinition: network.taskDefinition,
    desiredCount: 2,
    minHealthyPercent: 100,
    assignPublicIp: true, // public subnets, no NAT: keeps the sample cheap
    serviceName: options.serviceName,
    deploymentController: { type: controller },
    // A CodeDeploy-controlled service takes no ECS deployment strategy (CloudFormation, DeploymentConfiguration.Strategy).
    ...(controller === ecs.DeploymentControllerType.ECS
      ? { deploymentStrategy: strategy, ...(strategy === ecs.DeploymentStrategy.LINEAR ? { linearConfiguration: { stepPercent: 25, stepBakeTime: Duration.minutes(5) } } : {}) }
      : {}),
  });
  // CloudFormation, DeploymentCircuitBreaker: "can only be used for services using the rolling update (ECS) deployment
  // type"; this service rolls back through its lifecycle hooks and deployment alarms instead.
  Annotations.of(service).acknowledgeWarning('@aws-cdk/aws-ecs:shouldUseCircuitBreaker', 'a LINEAR deployment: the hooks and the verdict alarm roll it back; the circuit breaker is for rolling updates');
  if (options.alternateTarget === false) {
    service.attachToApplicationTargetGroup(primaryTargetGroup);
    return { service, primaryTargetGroup, alternateTargetGroup };
  }
  service
    .loadBalancerTarget({
      containerName: 'web',
      containerPort: 80,
      alternateTarget: new ecs.AlternateTarget(`${id}AlternateTarget`, {
        alternateTargetGroup,
        productionListener: ecs.ListenerRuleConfiguration.applicationListenerRule(productionRule),
        testListener: ecs.ListenerRuleConfiguration.applicationListenerRule(testRule),
      }),
    })
    .attachToApplicationTargetGroup(primaryTargetGroup);
  return { service, primaryTargetGroup, alternateTargetGroup };
}

/** Construct ids (children of the stack) of a sample app's services: the protected Lambda function and ECS service, their network. */
export interface SampleServiceIds {
  readonly lambdaFunction: string;
  readonly lambdaGroup: string;
  readonly ecsGroup: string;
  readonly vpc: string;
  readonly loadBalancer: string;
  /** The ECS service Amazon ECS deploys itself, when the app has one. */
  readonly nativeService?: string;
}

/**
 * cdk-nag findings on a sample app's services (not on the evaluator): the demo's, and the all-options test
 * app's. A real service fixes them its own way; the samples keep them out to stay small and cheap.
 */
export function acknowledgeSampleServiceFindings(stack: Stack, ids: SampleServiceIds, who: string): void {
  const acknowledge = (path: string, id: string, reason: string) => Validations.of(stack.node.findChild(path)).acknowledge({ id, reason: `${who}: ${reason}` });
  acknowledge(ids.lambdaFunction, 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]', 'the CDK default execution role');
  acknowledge(ids.lambdaFunction, 'AwsSolutions-IAM5[Resource::*]', 'X-Ray tracing has no resource-level permissions');
  acknowledge(ids.lambdaFunction, 'Serverless-LambdaDLQ', 'invoked synchronously only');
  acknowledge(ids.lambdaGroup, 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSCodeDeployRoleForLambdaLimited]', 'the CodeDeploy role CDK creates for Lambda deployment groups');
  acknowledge(ids.ecsGroup, 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/AWSCodeDeployRoleForECS]', 'the CodeDeploy role CDK creates for ECS deployment groups');
  acknowledge(ids.vpc, 'AwsSolutions-VPC7', 'no VPC flow logs, to keep the sample free of log costs');
  acknowledge(ids.loadBalancer, 'AwsSolutions-ELB2', 'no ALB access logs (they need an S3 bucket); ALB CloudWatch metrics are what the evaluator reads');
  acknowledge(ids.loadBalancer, 'AwsSolutions-EC23', 'a public web service: the ALB accepts HTTP from the internet');
  if (ids.nativeService) {
    acknowledge(
      ids.nativeService,
      'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/AmazonECSInfrastructureRolePolicyForLoadBalancers]',
      "the infrastructure role ecs.AlternateTarget creates so that ECS may move the listener rules' traffic between the target groups, with the AWS managed policy the Amazon ECS Developer Guide names for it (\"Amazon ECS infrastructure IAM role for load balancers\")",
    );
  }
}
