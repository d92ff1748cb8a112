import type { Stack } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import { addNativeEcsService, type NativeEcsServiceOptions } from '../../../lib/demo/demo-stack';

export type NativeServiceOptions = NativeEcsServiceOptions;

/**
 * The demo's native ECS service (`addNativeEcsService`: production and test listener rules over the
 * production and alternate target groups, the service attached with the alternate as its
 * `AlternateTarget`) in a network of its own, so a test can build several in one stack.
 */
export function nativeEcsService(stack: Stack, id = 'Web', options: NativeServiceOptions = {}) {
  const vpc = new ec2.Vpc(stack, `${id}Vpc`, { maxAzs: 2, natGateways: 0, subnetConfiguration: [{ name: 'public', subnetType: ec2.SubnetType.PUBLIC }] });
  const cluster = new ecs.Cluster(stack, `${id}Cluster`, { vpc });
  const taskDefinition = new ecs.FargateTaskDefinition(stack, `${id}Task`);
  taskDefinition.addContainer('web', { image: ecs.ContainerImage.fromRegistry('public.ecr.aws/nginx/nginx:stable'), portMappings: [{ containerPort: 80 }] });
  const loadBalancer = new elbv2.ApplicationLoadBalancer(stack, `${id}Alb`, { vpc, internetFacing: true });
  const native = addNativeEcsService(stack, id, { vpc, cluster, taskDefinition, loadBalancer, ports: { production: 80, test: 8080 } }, options);
  return { vpc, cluster, service: native.service, loadBalancer, productionTargetGroup: native.primaryTargetGroup, alternateTargetGroup: native.alternateTargetGroup };
}
