import { AppSpecMismatchError, type EcsAppSpec } from './appspec';
import { object, string, StateError } from './check';
import type { EcsDeploymentTarget } from './ports';
import type { EcsTarget } from './state';

/**
 * What an ECS hook receives in `ECS_TARGETS` (JSON): the ALB and the deployment group's two target
 * groups, as the full names CloudWatch uses for the `LoadBalancer` and `TargetGroup` dimensions.
 * Which target group holds the replacement task set is resolved at run time.
 */
export interface EcsTargets {
  /** `app/<name>/<id>` */
  readonly loadBalancer: string;
  /** Target group name → `targetgroup/<name>/<id>` */
  readonly targetGroups: Readonly<Record<string, string>>;
}

/** Parses `ECS_TARGETS` as the construct writes it. */
export function parseEcsTargets(json: string, path = 'ECS_TARGETS'): EcsTargets {
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch (error) {
    throw new StateError(`${path}: not JSON: ${(error as Error).message}`);
  }
  const targets = object(value, path);
  const groups = object(targets.targetGroups, `${path}.targetGroups`);
  return {
    loadBalancer: string(targets.loadBalancer, `${path}.loadBalancer`),
    targetGroups: Object.fromEntries(Object.entries(groups).map(([name, fullName]) => [name, string(fullName, `${path}.targetGroups.${name}`)])),
  };
}

/**
 * The evaluation target of an ECS blue/green deployment: Green (the replacement task set) is the
 * canary, Blue (the original) the baseline. Blue/green alternates the target groups between
 * deployments, so the labels CodeDeploy reports decide, never the registration order.
 */
export function resolveEcsTarget(appSpec: EcsAppSpec, deployment: EcsDeploymentTarget, targets: EcsTargets): EcsTarget {
  const where = `deployment target ${deployment.targetId}`;
  const groupOf = (label: 'Green' | 'Blue'): string => {
    const sets = deployment.taskSets.filter((set) => set.label === label);
    if (sets.length !== 1) {
      const labels = deployment.taskSets.map((set) => set.label).join(', ') || 'none';
      throw new Error(`${where}: expected one ${label} task set, found ${sets.length} (task sets: ${labels}); is this an ECS blue/green deployment?`);
    }
    const name = sets[0].targetGroupName;
    if (!name) throw new Error(`${where}: the ${label} task set has no target group`);
    // Own properties only: a target group named `constructor` must not find Object's.
    const fullName = Object.prototype.hasOwnProperty.call(targets.targetGroups, name) ? targets.targetGroups[name] : undefined;
    if (typeof fullName !== 'string' || !fullName) {
      throw new Error(
        `${where}: the ${label} task set's target group "${name}" is not one of the registered target groups (${Object.keys(targets.targetGroups).join(', ')}); register the deployment group with the target groups it deploys to`,
      );
    }
    return fullName;
  };
  const green = groupOf('Green');
  const blue = groupOf('Blue');
  if (green === blue) {
    const name = deployment.taskSets.find((set) => set.label === 'Green')?.targetGroupName;
    throw new AppSpecMismatchError(`${where}: the Green and Blue task sets both route to target group "${name}"; the canary would be compared with itself`);
  }
  return {
    type: 'ecs',
    loadBalancer: targets.loadBalancer,
    canaryTargetGroup: green,
    baselineTargetGroup: blue,
    taskDefinition: appSpec.taskDefinition,
    service: deployment.targetId,
  };
}
