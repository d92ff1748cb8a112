import { object, oneOf, string, StateError, type Json } from '../check';
import { REPORT_RESERVE_SECONDS } from '../../policy/limits';

/**
 * The contract of Amazon ECS's own deployment lifecycle hooks (deployment controller `ECS`, strategies
 * BLUE_GREEN, LINEAR and CANARY), as AWS documents it. One source for the hook Lambda (run time), the
 * registration construct (synth time) and the local simulation. Nothing here knows the SDK or CDK.
 *
 * Documents followed (all Amazon ECS):
 * - [HOOKS] Developer Guide, "Lifecycle hooks for Amazon ECS service deployments" (deployment-lifecycle-hooks).
 * - [LAMBDA] Developer Guide, "Lambda hooks for Amazon ECS service deployments" (lambda-lifecycle-hooks):
 *   the event payload, `hookStatus`, `callBackDelay`, `hookDetails`, timeouts, rollback.
 * - [PERMS] Developer Guide, "Permissions required for Lambda functions in Amazon ECS blue/green deployments".
 * - [API-HOOK] API Reference, `DeploymentLifecycleHook`; [API-TIMEOUT] `DeploymentLifecycleHookTimeoutConfiguration`;
 *   [API-LINEAR] `LinearConfiguration`; [API-CANARY] `CanaryConfiguration`; [API-DEPCONF] `DeploymentConfiguration`.
 * - [CFN] CloudFormation Template Reference, `AWS::ECS::Service` `DeploymentConfiguration`,
 *   `DeploymentLifecycleHook` (`HookDetails`, `HookTargetArn`, `LifecycleStages`, `RoleArn`, `TargetType`,
 *   `TimeoutConfiguration` → `HookTimeoutConfig` {`Action`, `TimeoutInMinutes`}), `LinearConfiguration`.
 *
 * Where the documents are silent, or disagree, the comment says so (search "SILENT" / "DISAGREE").
 */

/**
 * Every stage a hook may be registered at ([LAMBDA] "Supported lifecycle stages"; [HOOKS] "Supported
 * stages by hook type"). `PRE_PRODUCTION_TRAFFIC_SHIFT` is documented there and in the SDKs' newer
 * `DeploymentLifecycleHook.lifecycleStages`, but not in aws-cdk-lib 2.276's `CfnService` doc comment
 * (which lists the other seven); CloudFormation types `LifecycleStages` as strings, so it passes through.
 * The service deployment also has stages no hook can be registered at (`SCALE_UP`, `BAKE_TIME`,
 * `CLEAN_UP`: API Reference, `ServiceDeployment.lifecycleStage`); they never reach a hook.
 */
export const ECS_LIFECYCLE_STAGES = [
  'RECONCILE_SERVICE',
  'PRE_SCALE_UP',
  'POST_SCALE_UP',
  'TEST_TRAFFIC_SHIFT',
  'POST_TEST_TRAFFIC_SHIFT',
  'PRE_PRODUCTION_TRAFFIC_SHIFT',
  'PRODUCTION_TRAFFIC_SHIFT',
  'POST_PRODUCTION_TRAFFIC_SHIFT',
] as const;
export type EcsLifecycleStage = (typeof ECS_LIFECYCLE_STAGES)[number];

/**
 * Stages ECS may invoke more than once in one deployment ([HOOKS] "Lifecycle stage categories",
 * "Recurring invocation stages"): for LINEAR and CANARY, once per traffic-shift step.
 */
export const ECS_RECURRING_STAGES: readonly EcsLifecycleStage[] = ['PRE_PRODUCTION_TRAFFIC_SHIFT', 'PRODUCTION_TRAFFIC_SHIFT'];

/**
 * Stages ECS invokes again when the deployment rolls back ([LAMBDA] "Lifecycle hooks during rollback":
 * "there is no dedicated ROLLBACK lifecycle stage … Amazon ECS re-invokes hooks registered at the
 * PRODUCTION_TRAFFIC_SHIFT and TEST_TRAFFIC_SHIFT stages").
 *
 * DISAGREE: [HOOKS] "Lifecycle stage categories" lists TEST_TRAFFIC_SHIFT among the *single* invocation
 * stages, while [LAMBDA] calls both stages above "the recurring invocation stages" in its rollback
 * section. We follow the stricter reading: either stage may be invoked again, during a rollback.
 */
export const ECS_ROLLBACK_STAGES: readonly EcsLifecycleStage[] = ['TEST_TRAFFIC_SHIFT', 'PRODUCTION_TRAFFIC_SHIFT'];

/**
 * Stages a PAUSE hook cannot be registered at, because ECS invokes them during a rollback too ([HOOKS]
 * "Supported stages by hook type"; [API-HOOK] `lifecycleStages`). Lambda hooks may use every stage.
 */
export const ECS_LAMBDA_ONLY_STAGES: readonly EcsLifecycleStage[] = ['TEST_TRAFFIC_SHIFT', 'PRODUCTION_TRAFFIC_SHIFT'];

/**
 * What the evaluator does at each stage it judges (issue 27):
 * - `TEST_TRAFFIC_SHIFT` / `POST_TEST_TRAFFIC_SHIFT`: the policy's pre-traffic smoke tests, against the
 *   test listener (the green revision serves 100 % of test traffic: [LAMBDA] payload examples).
 * - `PRODUCTION_TRAFFIC_SHIFT`: at every step, the green target group judged against the blue one at the
 *   weight of that step (one verdict per step).
 * - `POST_PRODUCTION_TRAFFIC_SHIFT`: the bake, with all production traffic on green.
 * Anything else a registration names is rejected (the evaluator has nothing to judge there).
 */
export const ECS_EVALUATED_STAGES = ['TEST_TRAFFIC_SHIFT', 'POST_TEST_TRAFFIC_SHIFT', 'PRODUCTION_TRAFFIC_SHIFT', 'POST_PRODUCTION_TRAFFIC_SHIFT'] as const;
export type EcsEvaluatedStage = (typeof ECS_EVALUATED_STAGES)[number];

/**
 * The stages a registration hooks by default. POST_TEST rather than TEST_TRAFFIC_SHIFT for the smoke
 * tests: the test shift is complete there, and it is not re-invoked on rollback ([HOOKS]).
 */
export const ECS_DEFAULT_HOOK_STAGES: readonly EcsEvaluatedStage[] = ['POST_TEST_TRAFFIC_SHIFT', 'PRODUCTION_TRAFFIC_SHIFT', 'POST_PRODUCTION_TRAFFIC_SHIFT'];

/** What the evaluation of one stage does (see `ECS_EVALUATED_STAGES`). */
export type EcsStageRole = 'smoke' | 'step' | 'bake';

export function stageRole(stage: EcsEvaluatedStage): EcsStageRole {
  if (stage === 'PRODUCTION_TRAFFIC_SHIFT') return 'step';
  if (stage === 'POST_PRODUCTION_TRAFFIC_SHIFT') return 'bake';
  return 'smoke';
}

/** The hook's answer ([LAMBDA] "hookStatus values"). Anything else, or a failing function, rolls back. */
export const ECS_HOOK_STATUSES = ['SUCCEEDED', 'FAILED', 'IN_PROGRESS'] as const;
export type EcsHookStatus = (typeof ECS_HOOK_STATUSES)[number];

/**
 * ECS invokes the function again this long after an `IN_PROGRESS` without `callBackDelay` ([LAMBDA]:
 * "By default, the delay is 30 seconds").
 * SILENT: the unit is not stated; the example `"callBackDelay": 60` is described as "after 60 seconds",
 * so seconds. The allowed range of `callBackDelay` is not documented; we answer with values in
 * [`ECS_MIN_CALLBACK_DELAY_SECONDS`, `ECS_MAX_CALLBACK_DELAY_SECONDS`] only (the documented 30 and 60
 * lie inside it), and keep the answer an integer.
 */
export const ECS_DEFAULT_CALLBACK_DELAY_SECONDS = 30;
export const ECS_MIN_CALLBACK_DELAY_SECONDS = 30;
export const ECS_MAX_CALLBACK_DELAY_SECONDS = 300;

/**
 * The hook's timeout ([API-TIMEOUT]; [CFN] `HookTimeoutConfig`): `timeoutInMinutes` default 1440 (24 h),
 * valid 1–20160 (14 days); `action` ROLLBACK (default) or CONTINUE, taken when the hook has not answered
 * SUCCEEDED or FAILED by then ([LAMBDA] "Timeout configuration").
 * DISAGREE: [LAMBDA] "Timeout configuration" gives the valid range as 1–1,440; the API Reference gives
 * 1–20160. A registration that must work in every case keeps to 1–1440; the parser accepts the API's range.
 * SILENT: whether the timeout counts from the first invocation of a stage (we assume so: it is the only
 * reading under which IN_PROGRESS answers can keep a stage open, and it is the conservative one for a
 * deadline), and whether a LINEAR/CANARY step's `stepBakeTimeInMinutes` runs before or after the hook.
 */
export const ECS_HOOK_TIMEOUT = {
  defaultMinutes: 1440,
  minMinutes: 1,
  maxMinutes: 20160,
  /** The range the Lambda hooks page documents ([LAMBDA]). */
  lambdaPageMaxMinutes: 1440,
  actions: ['ROLLBACK', 'CONTINUE'] as const,
  defaultAction: 'ROLLBACK',
} as const;
export type EcsHookTimeoutAction = (typeof ECS_HOOK_TIMEOUT.actions)[number];

export interface EcsHookTimeoutConfiguration {
  readonly timeoutInMinutes: number;
  readonly action: EcsHookTimeoutAction;
}

/**
 * The role ECS assumes to invoke a hook function ([PERMS]; [API-HOOK] `roleArn`): trusted by
 * `ecs.amazonaws.com` (`sts:AssumeRole`), allowed `lambda:InvokeFunction`. [PERMS]'s sample policy allows
 * every function (`arn:aws:lambda:*:*:function:*`); least privilege scopes it to the hook function.
 */
export const ECS_HOOK_INVOKE_ROLE = {
  servicePrincipal: 'ecs.amazonaws.com',
  actions: ['lambda:InvokeFunction'],
} as const;

/**
 * Deployment strategies with lifecycle hooks ([API-DEPCONF] `strategy`, [CFN] `Strategy`), and the step
 * settings of LINEAR ([API-LINEAR]: `stepPercent` multiples of 0.1 in 3.0–100.0, default 10.0;
 * `stepBakeTimeInMinutes` 0–1440, default 6, not applied after 100 %) and CANARY ([API-CANARY]:
 * `canaryPercent` multiples of 0.1 in 0.1–100.0, default 5.0; `canaryBakeTimeInMinutes` 0–1440, default 10).
 */
export const ECS_DEPLOYMENT_STRATEGIES = ['BLUE_GREEN', 'LINEAR', 'CANARY'] as const;
export type EcsDeploymentStrategy = (typeof ECS_DEPLOYMENT_STRATEGIES)[number];
export const ECS_LINEAR_LIMITS = { stepPercent: { min: 3, max: 100, multipleOf: 0.1, default: 10 }, stepBakeTimeInMinutes: { min: 0, max: 1440, default: 6 } } as const;
export const ECS_CANARY_LIMITS = { canaryPercent: { min: 0.1, max: 100, multipleOf: 0.1, default: 5 }, canaryBakeTimeInMinutes: { min: 0, max: 1440, default: 10 } } as const;

/**
 * The production weights of the green revision, step by step, for a strategy: what the PRODUCTION_TRAFFIC_SHIFT
 * payloads should show. SILENT: [LAMBDA] shows only the blue/green payload (green 100); that a LINEAR
 * step's payload carries the weight *reached* by that step is our reading of "invoked at each traffic
 * shift step" together with the documented weight maps. The local simulation uses this sequence.
 */
export function productionStepWeights(strategy: EcsDeploymentStrategy, percent?: number): readonly number[] {
  if (strategy === 'BLUE_GREEN') return [100];
  if (strategy === 'CANARY') return [percent ?? ECS_CANARY_LIMITS.canaryPercent.default, 100];
  const step = percent ?? ECS_LINEAR_LIMITS.stepPercent.default;
  const weights: number[] = [];
  // Tenths as integers, so 3.3 × 3 is 9.9, not 9.899999.
  for (let tenths = Math.round(step * 10); tenths < 1000; tenths += Math.round(step * 10)) weights.push(tenths / 10);
  weights.push(100);
  return weights;
}

/** ARN → percentage, as in `testTrafficWeights` and `productionTrafficWeights`. */
export type TrafficWeights = Readonly<Record<string, number>>;

/**
 * `executionDetails` ([LAMBDA] "Common payload structure"). Every field is documented for every stage;
 * the weight maps are empty where no traffic of that kind is being shifted.
 */
export interface EcsExecutionDetails {
  readonly serviceArn: string;
  /** The green revision, also during a rollback ([LAMBDA] "Lifecycle hooks during rollback"). */
  readonly targetServiceRevisionArn: string;
  readonly testTrafficWeights: TrafficWeights;
  readonly productionTrafficWeights: TrafficWeights;
}

/**
 * The event ECS sends a Lambda hook ([LAMBDA] "Common payload structure", full example).
 * SILENT: whether `executionId` stays the same across the IN_PROGRESS re-invocations of one stage, and
 * whether it differs per LINEAR step. The evaluator therefore never keys on it: one evaluation is
 * identified by the service deployment (`resourceArn`), the stage and the step's green weight.
 */
export interface EcsHookEvent {
  /** "The unique identifier for this hook execution." */
  readonly executionId: string;
  readonly lifecycleStage: EcsLifecycleStage;
  /** The service deployment: `arn:<partition>:ecs:<region>:<account>:service-deployment/<cluster>/<service>/<id>`. */
  readonly resourceArn: string;
  readonly executionDetails: EcsExecutionDetails;
  /** The registration's `hookDetails`, merged with what an earlier IN_PROGRESS answer returned ([LAMBDA] "Passing state with hookDetails"). */
  readonly hookDetails?: Json;
}

/**
 * The function's answer ([LAMBDA] "hookStatus values", "Passing state with hookDetails"). `callBackDelay`
 * and `hookDetails` only matter with IN_PROGRESS.
 */
export interface EcsHookResponse {
  readonly hookStatus: EcsHookStatus;
  readonly callBackDelay?: number;
  readonly hookDetails?: Json;
}

/** The parts of a service deployment ARN. SILENT: [LAMBDA] calls `resourceArn` only "the ARN of the resource associated with the deployment"; its examples are service-deployment ARNs. */
export interface ServiceDeploymentId {
  readonly cluster: string;
  readonly service: string;
  /** The last path segment, e.g. `EZe5RNVLH6PPzHXINuP28`. */
  readonly deploymentId: string;
}

const SERVICE_DEPLOYMENT_ARN = /^arn:[a-z-]+:ecs:[a-z0-9-]+:\d{12}:service-deployment\/([^/]+)\/([^/]+)\/([^/]+)$/;

export function parseServiceDeploymentArn(arn: string, path = 'resourceArn'): ServiceDeploymentId {
  const match = SERVICE_DEPLOYMENT_ARN.exec(arn);
  if (!match) throw new StateError(`${path}: expected a service deployment ARN "arn:aws:ecs:<region>:<account>:service-deployment/<cluster>/<service>/<id>", got "${arn.slice(0, 120)}"`);
  return { cluster: match[1], service: match[2], deploymentId: match[3] };
}

function weights(value: unknown, path: string): TrafficWeights {
  const map = object(value, path);
  const parsed: Record<string, number> = {};
  for (const [arn, weight] of Object.entries(map)) {
    if (typeof weight !== 'number' || !Number.isFinite(weight) || weight < 0 || weight > 100) {
      throw new StateError(`${path}["${arn}"]: expected a percentage from 0 to 100, got ${JSON.stringify(weight)}`);
    }
    parsed[arn] = weight;
  }
  return parsed;
}

/**
 * Reads an ECS lifecycle hook event. Hand-written like the other Lambda-boundary parsers
 * (`lib/evaluation/check.ts`: zod would add ~440 KB to the hook bundle). Unknown top-level fields are
 * ignored, so a field AWS adds later does not fail a deployment; every documented field is required
 * except `hookDetails`. Errors name the field and what was expected.
 */
export function parseEcsHookEvent(event: unknown): EcsHookEvent {
  const body = object(event, '(event)');
  const details = object(body.executionDetails, 'executionDetails');
  const resourceArn = string(body.resourceArn, 'resourceArn');
  parseServiceDeploymentArn(resourceArn);
  return {
    executionId: string(body.executionId, 'executionId'),
    lifecycleStage: oneOf(body.lifecycleStage, ECS_LIFECYCLE_STAGES, 'lifecycleStage'),
    resourceArn,
    executionDetails: {
      serviceArn: string(details.serviceArn, 'executionDetails.serviceArn'),
      targetServiceRevisionArn: string(details.targetServiceRevisionArn, 'executionDetails.targetServiceRevisionArn'),
      testTrafficWeights: weights(details.testTrafficWeights, 'executionDetails.testTrafficWeights'),
      productionTrafficWeights: weights(details.productionTrafficWeights, 'executionDetails.productionTrafficWeights'),
    },
    ...(body.hookDetails !== undefined && body.hookDetails !== null ? { hookDetails: object(body.hookDetails, 'hookDetails') } : {}),
  };
}

/** Checks an answer before it leaves the function: a malformed one would roll the deployment back ([LAMBDA]). */
export function checkEcsHookResponse(response: EcsHookResponse): EcsHookResponse {
  oneOf(response.hookStatus, ECS_HOOK_STATUSES, 'hookStatus');
  if (response.callBackDelay !== undefined) {
    const delay = response.callBackDelay;
    if (response.hookStatus !== 'IN_PROGRESS') throw new StateError(`callBackDelay: only meaningful with IN_PROGRESS, got it with ${response.hookStatus}`);
    if (!Number.isInteger(delay) || delay < ECS_MIN_CALLBACK_DELAY_SECONDS || delay > ECS_MAX_CALLBACK_DELAY_SECONDS) {
      throw new StateError(`callBackDelay: expected whole seconds in [${ECS_MIN_CALLBACK_DELAY_SECONDS}, ${ECS_MAX_CALLBACK_DELAY_SECONDS}], got ${delay}`);
    }
  }
  return response;
}

/** The green revision's weight in a map, or undefined when the map does not name it. */
export function greenWeight(weightsByRevision: TrafficWeights, targetServiceRevisionArn: string): number | undefined {
  return Object.prototype.hasOwnProperty.call(weightsByRevision, targetServiceRevisionArn) ? weightsByRevision[targetServiceRevisionArn] : undefined;
}

/**
 * Is this invocation part of a rollback? [LAMBDA] "Lifecycle hooks during rollback": "If the
 * targetServiceRevisionArn (green revision) has a weight of 0% and the other revision has 100%, the
 * deployment is rolling back." Applies to the rollback stages only: PRE_PRODUCTION_TRAFFIC_SHIFT shows
 * the same weights going forward.
 * SILENT: the rollback payload of TEST_TRAFFIC_SHIFT is not shown; we apply the same rule to
 * `testTrafficWeights`. Also silent: whether a LINEAR rollback passes through intermediate weights; a
 * shift *down* to a weight below an already-judged step is recognised by the hook (`rollbackOf`), not here.
 */
export function isRollbackInvocation(event: EcsHookEvent): boolean {
  if (!ECS_ROLLBACK_STAGES.includes(event.lifecycleStage)) return false;
  const map = event.lifecycleStage === 'TEST_TRAFFIC_SHIFT' ? event.executionDetails.testTrafficWeights : event.executionDetails.productionTrafficWeights;
  const green = greenWeight(map, event.executionDetails.targetServiceRevisionArn);
  const others = Object.entries(map).filter(([arn]) => arn !== event.executionDetails.targetServiceRevisionArn);
  return green === 0 && others.some(([, weight]) => weight > 0);
}

/** The blue revision of a weight map: the one revision that is not green. Undefined when there is none or more than one. */
export function blueRevision(weightsByRevision: TrafficWeights, targetServiceRevisionArn: string): string | undefined {
  const others = Object.keys(weightsByRevision).filter((arn) => arn !== targetServiceRevisionArn);
  return others.length === 1 ? others[0] : undefined;
}

/**
 * How long before the hook's timeout the hook function answers SUCCEEDED or FAILED whatever the
 * evaluation holds: two callback delays (ECS may call back late by one) plus the function's own run time.
 * The state machine's deadline (`reportBy`) is this much, and the report reserve, earlier still.
 */
export const ECS_HOOK_CALLBACK_DELAY_SECONDS = ECS_DEFAULT_CALLBACK_DELAY_SECONDS;
export const ECS_ANSWER_GUARD_SECONDS = 2 * ECS_HOOK_CALLBACK_DELAY_SECONDS + 60;

/**
 * The shortest hook timeout the evaluator accepts at a judged stage: the hour a CodeDeploy hook has, so
 * every policy that fits CodeDeploy's deadline fits this one (`lib/policy/limits.ts`).
 */
export const ECS_MIN_EVALUATED_HOOK_TIMEOUT_MINUTES = 60;

/**
 * The environment of the ECS hook function (`lambdas/ecs-hook`). The first six are the CodeDeploy hook's
 * (`HOOK_ENVIRONMENT` in `lib/evaluation/contracts.ts`), same names and meaning.
 */
export const ECS_HOOK_ENVIRONMENT = {
  policyBucket: 'POLICY_BUCKET',
  policyKey: 'POLICY_KEY',
  stateMachineArn: 'STATE_MACHINE_ARN',
  reportSwitches: 'REPORT_SWITCHES',
  smokeAllowedHosts: 'SMOKE_ALLOWED_HOSTS',
  /** `{ loadBalancer, targetGroups: { <name>: 'targetgroup/<name>/<id>' } }`: the service's two target groups. */
  ecsTargets: 'ECS_TARGETS',
  /** `EcsNativeService` as JSON. */
  service: 'ECS_NATIVE_SERVICE',
  /** `EcsHookTimeoutConfiguration` as JSON: exactly the hook's `TimeoutConfiguration`. */
  hookTimeout: 'HOOK_TIMEOUT',
  /** The evaluator's report bucket (`REPORT_STORE.bucketVariable`): the hook statuses are kept there (`ECS_HOOK_STATUS_STORE`). */
  reportBucket: 'REPORT_BUCKET',
  /** `OverrideSettings` as JSON (bucket, allowed), the CodeDeploy hook's `OVERRIDE_SETTINGS`: absent, no override is looked for. */
  overrideSettings: 'OVERRIDE_SETTINGS',
  /**
   * The deployment's number of production traffic-shift steps, from the service's strategy and step
   * percent at synthesis: each step's evaluation spends that fraction of the watch's α
   * (`ecsNativeAlphaShare` in `alpha.ts`). Absent: the most ECS allows, `ECS_MAX_PRODUCTION_STEPS`.
   */
  productionSteps: 'PRODUCTION_STEPS',
} as const;

/**
 * What the registration tells the hook about the service: which target group is which, and the labels
 * that stand in for CodeDeploy's application and deployment group in verdict metrics, events and reports.
 * ECS's ALB guide ("Application Load Balancer resources for blue/green deployments") names "a primary
 * target group for the blue service revision" and "an alternate target group for the green service
 * revision". SILENT: whether ECS swaps the two roles after a successful deployment (CodeDeploy does).
 * The hook takes the alternate group as green, as documented; see `greenTargetGroupOf`.
 */
export interface EcsNativeService {
  readonly primaryTargetGroup: string;
  readonly alternateTargetGroup: string;
  readonly applicationName: string;
  readonly deploymentGroupName: string;
}

export function parseEcsNativeService(json: string, path: string = ECS_HOOK_ENVIRONMENT.service): EcsNativeService {
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch (error) {
    throw new StateError(`${path}: not JSON: ${(error as Error).message}`);
  }
  const service = object(value, path);
  const parsed = {
    primaryTargetGroup: string(service.primaryTargetGroup, `${path}.primaryTargetGroup`),
    alternateTargetGroup: string(service.alternateTargetGroup, `${path}.alternateTargetGroup`),
    applicationName: string(service.applicationName, `${path}.applicationName`),
    deploymentGroupName: string(service.deploymentGroupName, `${path}.deploymentGroupName`),
  };
  if (parsed.primaryTargetGroup === parsed.alternateTargetGroup) throw new StateError(`${path}: primaryTargetGroup and alternateTargetGroup are both "${parsed.primaryTargetGroup}"; the canary would be compared with itself`);
  return parsed;
}

/** Parses `HOOK_TIMEOUT`; a judged stage needs at least `ECS_MIN_EVALUATED_HOOK_TIMEOUT_MINUTES`. */
export function parseEcsHookTimeout(json: string, path: string = ECS_HOOK_ENVIRONMENT.hookTimeout): EcsHookTimeoutConfiguration {
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch (error) {
    throw new StateError(`${path}: not JSON: ${(error as Error).message}`);
  }
  const config = object(value, path);
  const minutes = config.timeoutInMinutes ?? ECS_HOOK_TIMEOUT.defaultMinutes;
  if (typeof minutes !== 'number' || !Number.isInteger(minutes) || minutes < ECS_MIN_EVALUATED_HOOK_TIMEOUT_MINUTES || minutes > ECS_HOOK_TIMEOUT.maxMinutes) {
    throw new StateError(`${path}.timeoutInMinutes: expected whole minutes from ${ECS_MIN_EVALUATED_HOOK_TIMEOUT_MINUTES} (the evaluator's least) to ${ECS_HOOK_TIMEOUT.maxMinutes} (ECS's most), got ${JSON.stringify(minutes)}`);
  }
  return { timeoutInMinutes: minutes, action: oneOf(config.action ?? ECS_HOOK_TIMEOUT.defaultAction, ECS_HOOK_TIMEOUT.actions, `${path}.action`) };
}

/**
 * Where the hook statuses of ECS native evaluations are kept (in the report bucket): one object per
 * stage and step, created once (`If-None-Match: *`), so the first status recorded stands, as
 * CodeDeploy keeps the first `PutLifecycleEventHookExecutionStatus` of a hook. It stands in for
 * CodeDeploy's hook status: the report step records there, the hook function reads there.
 */
export const ECS_HOOK_STATUS_STORE = { prefix: 'ecs-native/hook-status/' } as const;

/**
 * The marker on `lifecycleEventHookExecutionId` of an ECS native evaluation: the report step routes
 * its status to `ECS_HOOK_STATUS_STORE` instead of CodeDeploy.
 */
export const ECS_NATIVE_HOOK_EXECUTION_PREFIX = 'ecs-native:';

/** CodeDeploy deployment ids are `d-` and upper-case letters and digits (CodeDeploy API Reference, `DeploymentInfo.deploymentId`). */
export function isCodeDeployDeploymentId(deploymentId: string): boolean {
  return /^d-[A-Z0-9]+$/.test(deploymentId);
}

/**
 * The evaluation's `deploymentId`: the service deployment, the stage and, for a production step, the
 * green weight, so each stage and step has its own execution, verdict and publication
 * (`${id}_${stage}` or `${id}_${stage}_w${weight}`, the weight's decimal point as `p`). Made only of
 * characters Step Functions execution names allow, so the sweep can read it back from the name.
 */
export function ecsNativeEvaluationId(deployment: ServiceDeploymentId, stage: EcsEvaluatedStage, productionWeight: number): string {
  const safeId = deployment.deploymentId.replace(/[^A-Za-z0-9_-]/g, '_');
  if (stage !== 'PRODUCTION_TRAFFIC_SHIFT') return `${safeId}_${stage}`;
  return `${safeId}_${stage}_w${String(Math.round(productionWeight * 10) / 10).replace('.', 'p')}`;
}

/** An evaluation id read back: the (sanitised) service deployment id, the stage and, for a production step, its weight. */
export interface EcsNativeEvaluationRef {
  readonly evaluationId: string;
  /** The service deployment id as it appears in the evaluation id (`ecsNativeEvaluationId` replaces characters outside `[A-Za-z0-9_-]` with `_`). */
  readonly deploymentId: string;
  readonly stage: EcsEvaluatedStage;
  /** The production weight of a step (percent); absent for the other stages. */
  readonly productionWeight?: number;
}

const EVALUATION_ID = new RegExp(`^([A-Za-z0-9_-]+?)_(${[...ECS_EVALUATED_STAGES].sort((a, b) => b.length - a.length).join('|')})(?:_w(\\d+(?:p\\d)?))?$`);

/**
 * Reads an evaluation id made by `ecsNativeEvaluationId` (the inverse, up to the sanitising of the deployment
 * id); undefined when `text` is not one. A production step needs its weight; the other stages have none.
 */
export function parseEcsNativeEvaluationId(text: string): EcsNativeEvaluationRef | undefined {
  const match = EVALUATION_ID.exec(text);
  if (!match) return undefined;
  const stage = match[2] as EcsEvaluatedStage;
  const weight = match[3] === undefined ? undefined : Number(match[3].replace('p', '.'));
  if ((stage === 'PRODUCTION_TRAFFIC_SHIFT') !== (weight !== undefined)) return undefined;
  if (weight !== undefined && (weight <= 0 || weight > 100)) return undefined;
  return { evaluationId: text, deploymentId: match[1], stage, ...(weight !== undefined ? { productionWeight: weight } : {}) };
}

/**
 * The evaluation state machine's timeout that suits an ECS hook of `timeoutInMinutes`: past the plan's
 * deadline (`reportBy`, the report reserve before the answer guard) with time for the report step, and
 * before the answer guard, so an execution that times out is reaped, and its status recorded, before the
 * hook function answers on its own. The evaluator's construct must use at least this for the longest
 * hook timeout it serves (one state machine timeout for every execution).
 */
export function ecsNativeExecutionTimeoutSeconds(timeoutInMinutes: number): number {
  return timeoutInMinutes * 60 - ECS_ANSWER_GUARD_SECONDS - 120;
}

/**
 * What a policy judged at an ECS native hook of `timeoutInMinutes` must fit (`DeploymentLimits`), when the
 * evaluator runs it on a state machine long enough for that hook (`CanaryEvaluatorProps.ecsNativeMaxHookTimeout`):
 * every judged period visible by the plan's `reportBy` (the hook's timeout from its first invocation, less the
 * answer guard and the report reserve: `planEvaluation`), and the whole evaluation inside the execution
 * timeout that hook timeout gives (`ecsNativeExecutionTimeoutSeconds`). The hook is synchronous, so no
 * asynchronous event age is set aside, unlike a CodeDeploy hook's `JUDGING_BUDGET_SECONDS`.
 */
export function ecsNativeDeploymentLimits(timeoutInMinutes: number): { readonly evaluationTimeoutSeconds: number; readonly judgingBudgetSeconds: number } {
  return { evaluationTimeoutSeconds: ecsNativeExecutionTimeoutSeconds(timeoutInMinutes), judgingBudgetSeconds: timeoutInMinutes * 60 - ECS_ANSWER_GUARD_SECONDS - REPORT_RESERVE_SECONDS };
}
