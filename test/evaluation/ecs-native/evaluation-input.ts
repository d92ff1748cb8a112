import type { EvaluationInput } from '../../../lib/evaluation/state';

type EcsNativeInput = NonNullable<EvaluationInput['ecsNative']>;

/**
 * An ECS native evaluation's input as the hook builds it, for the tests of what an evaluation does with
 * its stage and step; `ecsNative` undefined gives a CodeDeploy hook's input of the same target.
 */
export function ecsEvaluationInput(ecsNative?: Partial<EcsNativeInput>): EvaluationInput {
  return {
    deploymentId: `Sim_PRODUCTION_TRAFFIC_SHIFT_w${ecsNative?.productionWeight ?? 10}`,
    lifecycleEventHookExecutionId: 'ecs-native:sim',
    lifecycleEvent: 'AfterAllowTraffic',
    applicationName: 'c',
    deploymentGroupName: 's',
    target: { type: 'ecs', loadBalancer: 'app/a/1', canaryTargetGroup: 'targetgroup/g/2', baselineTargetGroup: 'targetgroup/b/1', taskDefinition: 'rev' },
    policyRef: { bucket: 'b', key: 'k' },
    hookInvokedAt: '2026-12-07T12:00:00Z',
    ...(ecsNative
      ? { ecsNative: { stage: 'PRODUCTION_TRAFFIC_SHIFT', role: 'step', productionWeight: 10, hookTimeoutSeconds: 3600, serviceDeploymentArn: 'arn', targetServiceRevisionArn: 'rev', ...ecsNative } }
      : {}),
  };
}
