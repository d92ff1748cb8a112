import { StateError } from '../check';
import { evaluatorErrorStatus, hookStatusFor } from '../conclude';
import type { EcsTargets } from '../ecs';
import type { HookLog } from '../hook';
import type { EvaluationStarter, HookStatus, PolicyRef } from '../ports';
import { executionName, type EcsTarget, type EvaluationInput, type LifecycleEvent, type OverrideSettings, type ReportSwitches } from '../state';
import {
  checkEcsHookResponse,
  ECS_ANSWER_GUARD_SECONDS,
  ECS_EVALUATED_STAGES,
  ECS_HOOK_CALLBACK_DELAY_SECONDS,
  ECS_NATIVE_HOOK_EXECUTION_PREFIX,
  ecsNativeEvaluationId,
  greenWeight,
  isRollbackInvocation,
  parseEcsHookEvent,
  parseServiceDeploymentArn,
  stageRole,
  type EcsEvaluatedStage,
  type EcsHookEvent,
  type EcsHookResponse,
  type EcsHookTimeoutConfiguration,
  type EcsNativeService,
  type EcsStageRole,
} from './contract';

/** An evaluation execution as the hook sees it (`DescribeExecution`, metadata only). */
export interface EcsEvaluationExecution {
  readonly status: string;
  readonly startDate: Date;
}

/** Looks up an evaluation execution by its deterministic name; undefined when there is none. */
export interface EcsEvaluationTracker {
  describe(name: string): Promise<EcsEvaluationExecution | undefined>;
}

/**
 * The hook statuses of ECS native evaluations (`ECS_HOOK_STATUS_STORE`): the first one recorded for an
 * evaluation stands. The report step records (in place of CodeDeploy's PutLifecycleEventHookExecutionStatus);
 * the hook function reads, and records only when the deadline comes first.
 */
export interface EcsHookStatusStore {
  read(evaluationId: string): Promise<HookStatus | undefined>;
  record(evaluationId: string, status: HookStatus): Promise<'recorded' | 'already-recorded'>;
}

export interface EcsHookDependencies {
  readonly policyRef: PolicyRef;
  readonly switches: ReportSwitches;
  readonly allowedHosts?: readonly string[];
  readonly ecsTargets: EcsTargets;
  readonly service: EcsNativeService;
  readonly hookTimeout: EcsHookTimeoutConfiguration;
  readonly starter: EvaluationStarter;
  readonly executions: EcsEvaluationTracker;
  readonly statuses: EcsHookStatusStore;
  readonly now: () => Date;
  readonly log: HookLog;
  /**
   * Where the break-glass override of each evaluation would be and whether the registration allows one
   * (`OVERRIDE_SETTINGS`, as for a CodeDeploy hook), passed to every execution: each stage's and each step's
   * evaluation looks for its own record (`overrideKey(evaluationId, …)`). @default - none looked for
   */
  readonly override?: OverrideSettings;
}

/** The answer and why, for the log and the tests; `hookStatus`, `callBackDelay` and `hookDetails` go to ECS. */
export interface EcsHookAnswer {
  readonly response: EcsHookResponse;
  readonly reason: string;
  /** The evaluation this invocation belongs to (absent: rollback, or an event that names none). */
  readonly evaluationId?: string;
  /** `started`: this invocation started the evaluation. */
  readonly started?: boolean;
}

/** The CodeDeploy lifecycle event whose steps an ECS stage shares (`planEvaluation` tells them apart by `ecsNative.role`). */
export function sharedLifecycleEvent(role: EcsStageRole): LifecycleEvent {
  return role === 'smoke' ? 'AfterAllowTestTraffic' : 'AfterAllowTraffic';
}

/** Where the hook keeps the first invocation time of each evaluation in `hookDetails`, which ECS passes back. */
const FIRST_INVOKED_KEY = 'canaryEvaluatorFirstInvokedAt';

function toEcs(status: HookStatus): 'SUCCEEDED' | 'FAILED' {
  return status === 'Succeeded' ? 'SUCCEEDED' : 'FAILED';
}

/**
 * The green and blue target groups, as CloudWatch names them. Green is the alternate target group
 * (ECS Developer Guide, "Application Load Balancer resources for blue/green deployments"); see
 * `EcsNativeService` for what the guide leaves unsaid.
 */
export function greenTargetGroupOf(service: EcsNativeService, targets: EcsTargets): { green: string; blue: string } {
  const full = (name: string, role: string) => {
    const value = Object.prototype.hasOwnProperty.call(targets.targetGroups, name) ? targets.targetGroups[name] : undefined;
    if (!value) throw new StateError(`ECS_NATIVE_SERVICE.${role}: target group "${name}" is not one of ECS_TARGETS.targetGroups (${Object.keys(targets.targetGroups).join(', ')})`);
    return value;
  };
  return { green: full(service.alternateTargetGroup, 'alternateTargetGroup'), blue: full(service.primaryTargetGroup, 'primaryTargetGroup') };
}

function targetOf(event: EcsHookEvent, deps: EcsHookDependencies): EcsTarget {
  const { green, blue } = greenTargetGroupOf(deps.service, deps.ecsTargets);
  const { cluster, service } = parseServiceDeploymentArn(event.resourceArn);
  return {
    type: 'ecs',
    loadBalancer: deps.ecsTargets.loadBalancer,
    canaryTargetGroup: green,
    baselineTargetGroup: blue,
    // ECS native deploys a service revision; its ARN stands where CodeDeploy's AppSpec names a task definition.
    taskDefinition: event.executionDetails.targetServiceRevisionArn,
    service: `${cluster}:${service}`,
  };
}

/** The first invocation time this hook recorded for the evaluation in `hookDetails`, if any. */
function firstInvokedFromDetails(event: EcsHookEvent | undefined, evaluationId: string): number | undefined {
  const kept = event?.hookDetails?.[FIRST_INVOKED_KEY];
  if (typeof kept !== 'object' || kept === null) return undefined;
  const value = (kept as Record<string, unknown>)[evaluationId];
  const parsed = typeof value === 'string' ? Date.parse(value) : NaN;
  return Number.isFinite(parsed) ? parsed : undefined;
}

function inProgress(event: EcsHookEvent, evaluationId: string, firstInvokedAt: number): EcsHookResponse {
  const kept = typeof event.hookDetails?.[FIRST_INVOKED_KEY] === 'object' && event.hookDetails?.[FIRST_INVOKED_KEY] !== null ? (event.hookDetails[FIRST_INVOKED_KEY] as Record<string, unknown>) : {};
  return checkEcsHookResponse({
    hookStatus: 'IN_PROGRESS',
    callBackDelay: ECS_HOOK_CALLBACK_DELAY_SECONDS,
    hookDetails: { [FIRST_INVOKED_KEY]: { ...kept, [evaluationId]: new Date(firstInvokedAt).toISOString() } },
  });
}

/**
 * Answers one invocation of an ECS lifecycle hook (ECS Developer Guide, "Lambda hooks for Amazon ECS
 * service deployments"). Never throws: a function that fails rolls the deployment back, so every error
 * is an answer under the registration's switches, or IN_PROGRESS while the hook's deadline allows a retry.
 * - rollback invocations (`isRollbackInvocation`) are answered SUCCEEDED at once: a rollback restores
 *   the version that ran before, and holding it would keep the one that failed in service;
 * - otherwise the evaluation of this deployment, stage and step is started once (deterministic execution
 *   name), IN_PROGRESS is answered until its status is recorded, then SUCCEEDED or FAILED;
 * - whatever happens, SUCCEEDED or FAILED is answered `ECS_ANSWER_GUARD_SECONDS` before the hook's
 *   timeout, counted from the first invocation: the status the evaluation recorded if any, else the one
 *   this function records (the first recorded stands, so the evaluation then publishes what ECS got).
 */
export async function handleEcsHookEvent(raw: unknown, deps: EcsHookDependencies): Promise<EcsHookAnswer> {
  let event: EcsHookEvent;
  try {
    event = parseEcsHookEvent(raw);
  } catch (error) {
    const status = evaluatorErrorStatus(deps.switches);
    const reason = `not an ECS lifecycle hook event (${(error as Error).message}); answered ${toEcs(status)} under onEvaluatorError`;
    deps.log.error(reason, { event: raw });
    return { response: { hookStatus: toEcs(status) }, reason };
  }

  if (isRollbackInvocation(event)) {
    const reason = `rollback invocation at ${event.lifecycleStage} (the green revision has weight 0): not judged, answered SUCCEEDED so the rollback proceeds`;
    deps.log.info(reason, { resourceArn: event.resourceArn });
    return { response: { hookStatus: 'SUCCEEDED' }, reason };
  }
  if (!(ECS_EVALUATED_STAGES as readonly string[]).includes(event.lifecycleStage)) {
    const status = evaluatorErrorStatus(deps.switches);
    const reason = `the evaluator judges nothing at ${event.lifecycleStage} (it judges ${ECS_EVALUATED_STAGES.join(', ')}); register the hook at those stages only. Answered ${toEcs(status)} under onEvaluatorError`;
    deps.log.error(reason, { resourceArn: event.resourceArn });
    return { response: { hookStatus: toEcs(status) }, reason };
  }

  const stage = event.lifecycleStage as EcsEvaluatedStage;
  const role = stageRole(stage);
  const weight = role === 'smoke' ? 0 : (greenWeight(event.executionDetails.productionTrafficWeights, event.executionDetails.targetServiceRevisionArn) ?? (role === 'bake' ? 100 : undefined));
  if (weight === undefined) {
    const status = evaluatorErrorStatus(deps.switches);
    const reason = `${stage}: productionTrafficWeights does not name the target revision ${event.executionDetails.targetServiceRevisionArn}; the step cannot be told. Answered ${toEcs(status)} under onEvaluatorError`;
    deps.log.error(reason, { executionDetails: event.executionDetails });
    return { response: { hookStatus: toEcs(status) }, reason };
  }
  const evaluationId = ecsNativeEvaluationId(parseServiceDeploymentArn(event.resourceArn), stage, weight);
  const now = deps.now().getTime();
  const remembered = firstInvokedFromDetails(event, evaluationId);
  const timeoutMs = deps.hookTimeout.timeoutInMinutes * 60_000;

  try {
    const recorded = await deps.statuses.read(evaluationId);
    if (recorded) return { evaluationId, response: { hookStatus: toEcs(recorded) }, reason: `the evaluation recorded ${recorded}` };

    const lifecycleEvent = sharedLifecycleEvent(role);
    const name = executionName(evaluationId, lifecycleEvent);
    const execution = await deps.executions.describe(name);
    if (!execution) {
      const firstInvokedAt = remembered ?? now;
      if (now >= firstInvokedAt + timeoutMs - ECS_ANSWER_GUARD_SECONDS * 1000) return await answerAtDeadline(event, evaluationId, 'error', 'no evaluation could be started before the deadline', deps);
      const input = evaluationInput(event, deps, { evaluationId, stage, role, weight, lifecycleEvent, invokedAt: new Date(now) });
      await startOnce(name, input, deps);
      deps.log.info('evaluation started', { evaluationId, executionName: name });
      return { evaluationId, started: true, response: inProgress(event, evaluationId, firstInvokedAt), reason: 'evaluation started' };
    }
    const firstInvokedAt = Math.min(remembered ?? Infinity, execution.startDate.getTime());
    if (now >= firstInvokedAt + timeoutMs - ECS_ANSWER_GUARD_SECONDS * 1000) {
      const running = execution.status === 'RUNNING';
      return await answerAtDeadline(event, evaluationId, running ? 'no-verdict' : 'error', running ? 'no verdict by the deadline' : `the evaluation ended ${execution.status} without a recorded status`, deps);
    }
    return { evaluationId, response: inProgress(event, evaluationId, firstInvokedAt), reason: `evaluation ${execution.status.toLowerCase()}, no status recorded yet` };
  } catch (error) {
    const firstInvokedAt = remembered ?? now;
    deps.log.error('could not read or start the evaluation', { evaluationId, error: (error as Error).message });
    if (now < firstInvokedAt + timeoutMs - ECS_ANSWER_GUARD_SECONDS * 1000) {
      return { evaluationId, response: inProgress(event, evaluationId, firstInvokedAt), reason: `could not read or start the evaluation (${(error as Error).message}); asking ECS to call again` };
    }
    const status = evaluatorErrorStatus(deps.switches);
    return { evaluationId, response: { hookStatus: toEcs(status) }, reason: `could not read or start the evaluation by the deadline (${(error as Error).message}); answered ${toEcs(status)} under onEvaluatorError` };
  }
}

/**
 * The deadline came first: the status the switches give (no verdict: `onInconclusive`; an evaluation that
 * ended without recording, or none at all: `onEvaluatorError`) is recorded, unless the evaluation's
 * arrived in between, which then stands.
 */
async function answerAtDeadline(event: EcsHookEvent, evaluationId: string, kind: 'no-verdict' | 'error', why: string, deps: EcsHookDependencies): Promise<EcsHookAnswer> {
  const status = kind === 'no-verdict' ? hookStatusFor({ decision: 'inconclusive', cause: 'verdict', reason: why }, deps.switches) : evaluatorErrorStatus(deps.switches);
  let held: HookStatus = status;
  try {
    if ((await deps.statuses.record(evaluationId, status)) === 'already-recorded') held = (await deps.statuses.read(evaluationId)) ?? status;
  } catch (error) {
    deps.log.error('could not record the hook status answered at the deadline', { evaluationId, error: (error as Error).message });
  }
  const reason = held === status ? `${why}: answered ${toEcs(status)} before the hook's timeout` : `the evaluation recorded ${held} as the deadline came`;
  deps.log.info(reason, { evaluationId, resourceArn: event.resourceArn });
  return { evaluationId, response: { hookStatus: toEcs(held) }, reason };
}

/** `StartExecution`, `ExecutionAlreadyExists` being success; a failure after the execution was created counts as started. */
async function startOnce(name: string, input: EvaluationInput, deps: EcsHookDependencies): Promise<void> {
  try {
    await deps.starter.start(name, input);
  } catch (error) {
    if (await deps.starter.exists(name)) return;
    throw error;
  }
}

function evaluationInput(
  event: EcsHookEvent,
  deps: EcsHookDependencies,
  at: { evaluationId: string; stage: EcsEvaluatedStage; role: EcsStageRole; weight: number; lifecycleEvent: LifecycleEvent; invokedAt: Date },
): EvaluationInput {
  return {
    deploymentId: at.evaluationId,
    lifecycleEventHookExecutionId: `${ECS_NATIVE_HOOK_EXECUTION_PREFIX}${event.executionId}`,
    lifecycleEvent: at.lifecycleEvent,
    applicationName: deps.service.applicationName,
    deploymentGroupName: deps.service.deploymentGroupName,
    target: targetOf(event, deps),
    policyRef: deps.policyRef,
    switches: deps.switches,
    ...(deps.allowedHosts ? { allowedHosts: deps.allowedHosts } : {}),
    ...(deps.override ? { override: deps.override } : {}),
    hookInvokedAt: at.invokedAt.toISOString(),
    ecsNative: {
      stage: at.stage,
      role: at.role,
      productionWeight: at.weight,
      hookTimeoutSeconds: deps.hookTimeout.timeoutInMinutes * 60,
      serviceDeploymentArn: event.resourceArn,
      targetServiceRevisionArn: event.executionDetails.targetServiceRevisionArn,
    },
  };
}
