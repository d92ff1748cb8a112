import { StateError } from '../check';
import { ECS_LINEAR_LIMITS, productionStepWeights, type EcsDeploymentStrategy, type EcsEvaluatedStage } from './contract';

/**
 * The false-alarm budget of an ECS native deployment (issue 27): how much of the policy's α one stage's
 * evaluation may spend, so that a healthy deployment is rolled back with probability at most α overall.
 *
 * A CodeDeploy deployment is judged twice: the canary watch and the bake, each spending its phase share
 * (`alphaShareOf`: ½ each when both are on, else all of it). An ECS LINEAR or CANARY deployment is judged
 * once per production traffic-shift step (one verdict each, `PRODUCTION_TRAFFIC_SHIFT`) and then at the
 * bake (`POST_PRODUCTION_TRAFFIC_SHIFT`). Each step's verdict comes from its own e-process, so a healthy
 * deployment can be failed by any of them: N steps each spending the watch's share would let the
 * deployment spend N × that share, ×5.5 of α for LINEAR 10 % (10 steps at α/2, and the bake's α/2).
 *
 * The rule, a union bound over the stages: when both the steps and the bake judge, the steps share half
 * of α equally and the bake has the other half; when only one of them judges, it has all of it
 * (α/N per step, or α for the bake). Σ steps + bake ≤ α whatever step fails first. Equal shares
 * among the steps because the rate test is about the ratio of the revisions' rates, not the weight
 * (docs/judge.md, `sequential`), so no step is a better place to spend α in advance; a later step
 * sees more green traffic and needs fewer minutes for the same evidence.
 *
 * N comes from the registration (`ECS_HOOK_ENVIRONMENT.productionSteps`): the steps its hook judges,
 * from the service's strategy and step percent at synthesis, 0 when it is not registered at
 * PRODUCTION_TRAFFIC_SHIFT (BLUE_GREEN, or the canary watch off). When the registration cannot know it
 * (the percent is a token, or a hook function deployed before this variable), each step spends as if
 * the deployment had the most steps ECS allows, `ECS_MAX_PRODUCTION_STEPS`, and the bake half: valid
 * for every strategy, at the cost of power.
 *
 * The count includes the step at 100 % (ECS invokes the hook there too): blue then has no traffic, so
 * the comparison has nothing to go on, but a metric's absolute guard judges green alone and can fail
 * there (docs/judge.md, `sequential`), so that step spends α like any other.
 *
 * Not done: one e-process carried across the steps (the evidence of step k counted in step k + 1),
 * which would be valid with the whole watch's half and more powerful; see docs/judge.md, "ECS native
 * deployments: one α over the steps", for why.
 */

/**
 * The most production traffic-shift steps an ECS deployment can have: LINEAR at its smallest
 * `stepPercent` (3 %: 3, 6, …, 99, then 100) has 34 ([API-LINEAR]); CANARY has 2, BLUE_GREEN 1.
 */
export const ECS_MAX_PRODUCTION_STEPS = productionStepWeights('LINEAR', ECS_LINEAR_LIMITS.stepPercent.min).length;

/**
 * The number of PRODUCTION_TRAFFIC_SHIFT steps of a deployment on `strategy`, with `percent` its LINEAR
 * `stepPercent` or CANARY `canaryPercent` (undefined: ECS's default). `'unknown'` (a percent the
 * registration cannot read) gives the strategy's most: 2 for CANARY whatever its percent, `ECS_MAX_PRODUCTION_STEPS` for LINEAR.
 */
export function productionStepCount(strategy: EcsDeploymentStrategy, percent?: number | 'unknown'): number {
  if (percent === 'unknown') return strategy === 'LINEAR' ? ECS_MAX_PRODUCTION_STEPS : productionStepWeights(strategy).length;
  return productionStepWeights(strategy, percent).length;
}

/**
 * How many production traffic-shift steps a hook registered at `stages` judges (`PRODUCTION_STEPS`):
 * 0 when it is not registered at PRODUCTION_TRAFFIC_SHIFT. The registration and the local simulation
 * both count them here.
 */
export function judgedProductionSteps(stages: readonly EcsEvaluatedStage[], strategy: EcsDeploymentStrategy, percent?: number | 'unknown'): number {
  return stages.includes('PRODUCTION_TRAFFIC_SHIFT') ? productionStepCount(strategy, percent) : 0;
}

/** What the share of one ECS native evaluation depends on. */
export interface EcsNativeBudget {
  /** Whether the policy bakes (`bake.enabled` and metrics to judge): then the steps leave the bake half. */
  readonly bakeJudged: boolean;
  /** The number of production steps the registration's hook judges (0: none); undefined: unknown. */
  readonly productionSteps?: number;
}

/**
 * The share of the policy's α one ECS native evaluation spends at `role` (the rule above): a
 * production traffic-shift step's, or the bake's.
 */
export function ecsNativeAlphaShare(role: 'step' | 'bake', budget: EcsNativeBudget): number {
  const steps = budget.productionSteps;
  if (steps !== undefined && (!Number.isInteger(steps) || steps < 0 || steps > ECS_MAX_PRODUCTION_STEPS)) {
    throw new StateError(`productionSteps: expected a whole number from 0 to ${ECS_MAX_PRODUCTION_STEPS}, got ${steps}`);
  }
  if (role === 'bake') return steps === 0 ? 1 : 0.5;
  if (steps === 0) {
    throw new StateError('productionSteps: the registration says its hook judges no production step, yet a PRODUCTION_TRAFFIC_SHIFT step is being judged; redeploy the registration (its PRODUCTION_STEPS is stale)');
  }
  return (budget.bakeJudged ? 0.5 : 1) / (steps ?? ECS_MAX_PRODUCTION_STEPS);
}

/** Parses `PRODUCTION_STEPS` (`ECS_HOOK_ENVIRONMENT.productionSteps`): absent → undefined (unknown: the safe maximum is used). */
export function parseProductionSteps(value: string | undefined, path: string): number | undefined {
  if (value === undefined) return undefined;
  const steps = /^\d+$/.test(value) ? Number(value) : NaN;
  if (!Number.isInteger(steps) || steps > ECS_MAX_PRODUCTION_STEPS) {
    throw new StateError(`${path}: expected the number of production traffic-shift steps the hook judges, a whole number from 0 to ${ECS_MAX_PRODUCTION_STEPS}, got ${JSON.stringify(value)}`);
  }
  return steps;
}
