import type { Stack } from 'aws-cdk-lib';
import { Duration } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';

export interface NativeServiceOptions {
  /** @default LINEAR */
  readonly strategy?: ecs.DeploymentStrategy;
  /** @default ECS */
  readonly controller?: ecs.DeploymentControllerType;
  /** Attach the service to the production target group with the alternate one (ecs.AlternateTarget). @default true */
  readonly alternateTarget?: boolean;
  readonly serviceName?: string;
}

/**
 * An ECS Fargate service that Amazon ECS deploys itself: an ALB whose production listener rule forwards
 * to the production target group, the service attached to it with the alternate target group (the L2's
 * `AlternateTarget`), as the ECS Developer Guide's "Application Load Balancer resources for blue/green
 * deployments" lays out.
 */
export function nativeEcsService(stack: Stack, id = 'Web', options: NativeServiceOptions = {}) {
  const vpc = new ec2.Vpc(stack, `${id}Vpc`, { maxAzs: 2, natGateways: 0, subnetConfiguration: [{ name: 'public', subnetType: ec2.SubnetType.PUBLIC }] });
  const cluster = new ecs.Cluster(stack, `${id}Cluster`, { vpc });
  const taskDefinition = new ecs.FargateTaskDefinition(stack, `${id}Task`);
  taskDefinition.addContainer('web', { image: ecs.ContainerImage.fromRegistry('public.ecr.aws/nginx/nginx:stable'), portMappings: [{ containerPort: 80 }] });
  const loadBalancer = new elbv2.ApplicationLoadBalancer(stack, `${id}Alb`, { vpc, internetFacing: true });
  const targetGroup = (name: string) => new elbv2.ApplicationTargetGroup(stack, `${id}${name}`, { vpc, port: 80, protocol: elbv2.ApplicationProtocol.HTTP, targetType: elbv2.TargetType.IP });
  const productionTargetGroup = targetGroup('Production');
  const alternateTargetGroup = targetGroup('Alternate');
  const listener = loadBalancer.addListener(`${id}Http`, { port: 80, defaultAction: elbv2.ListenerAction.fixedResponse(404) });
  const productionRule = new elbv2.ApplicationListenerRule(stack, `${id}ProductionRule`, { listener, priority: 1, conditions: [elbv2.ListenerCondition.pathPatterns(['/*'])], action: elbv2.ListenerAction.weightedForward([{ targetGroup: productionTargetGroup, weight: 100 }, { targetGroup: alternateTargetGroup, weight: 0 }]) });
  const testListener = loadBalancer.addListener(`${id}Test`, { port: 8080, defaultAction: elbv2.ListenerAction.fixedResponse(404) });
  const testRule = new elbv2.ApplicationListenerRule(stack, `${id}TestRule`, { listener: testListener, priority: 1, conditions: [elbv2.ListenerCondition.pathPatterns(['/*'])], action: elbv2.ListenerAction.weightedForward([{ targetGroup: productionTargetGroup, weight: 100 }, { targetGroup: alternateTargetGroup, weight: 0 }]) });
  const service = new ecs.FargateService(stack, `${id}Service`, {
    cluster,
    taskDefinition,
    desiredCount: 2,
    assignPublicIp: true,
    serviceName: options.serviceName,
    deploymentController: { type: options.controller ?? ecs.DeploymentControllerType.ECS },
    ...(options.controller === ecs.DeploymentControllerType.CODE_DEPLOY
      ? {}
      : {
          deploymentStrategy: options.strategy ?? ecs.DeploymentStrategy.LINEAR,
          ...((options.strategy ?? ecs.DeploymentStrategy.LINEAR) === ecs.DeploymentStrategy.LINEAR ? { linearConfiguration: { stepPercent: 25, stepBakeTime: Duration.minutes(5) } } : {}),
        }),
  });
  if (options.alternateTarget ?? true) {
    service.loadBalancerTarget({
      containerName: 'web',
      containerPort: 80,
      alternateTarget: new ecs.AlternateTarget(`${id}AlternateTarget`, {
        alternateTargetGroup,
        productionListener: ecs.ListenerRuleConfiguration.applicationListenerRule(productionRule),
        testListener: ecs.ListenerRuleConfiguration.applicationListenerRule(testRule),
      }),
    }).attachToApplicationTargetGroup(productionTargetGroup);
  } else {
    service.attachToApplicationTargetGroup(productionTargetGroup);
  }
  return { vpc, cluster, service, loadBalancer, productionTargetGroup, alternateTargetGroup };
}
