import { Fn } from 'aws-cdk-lib';
import type * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import type { EcsTargets } from '../evaluation/ecs';

// The hooks parse this shape (lib/evaluation/ecs.ts); one definition for both sides.
export type { EcsTargets };

/** `app/<name>/<id>` from `arn:…:loadbalancer/app/<name>/<id>` (imported load balancers have no `loadBalancerFullName`). */
function loadBalancerFullName(loadBalancer: elbv2.IApplicationLoadBalancer): string {
  const known = (loadBalancer as { loadBalancerFullName?: string }).loadBalancerFullName;
  return known ?? Fn.select(1, Fn.split(':loadbalancer/', loadBalancer.loadBalancerArn));
}

/** `targetgroup/<name>/<id>` from `arn:…:targetgroup/<name>/<id>`. */
function targetGroupFullName(targetGroup: elbv2.ITargetGroup): string {
  const known = (targetGroup as { targetGroupFullName?: string }).targetGroupFullName;
  return known ?? Fn.select(5, Fn.split(':', targetGroup.targetGroupArn));
}

export function ecsTargetsOf(loadBalancer: elbv2.IApplicationLoadBalancer, targetGroups: readonly elbv2.ITargetGroup[]): EcsTargets {
  return {
    loadBalancer: loadBalancerFullName(loadBalancer),
    targetGroups: Object.fromEntries(targetGroups.map((group) => [group.targetGroupName, targetGroupFullName(group)])),
  };
}
