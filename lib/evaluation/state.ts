import { createHash } from 'node:crypto';
import type { Verdict } from '../judge/verdict';
import { boolean, integer, isoDate, object, oneOf, optionalString, string, StateError, type Json } from './check';
import { MAX_WAIT_SECONDS } from './contracts';
import { parseNotifyOn, type NotifyOn } from './notify-on';
import { parseCarriedLogState } from './logs/carried-state';
import type { LogSignalState } from './logs/log-look';
import type { OverrideOutcome } from './override/outcome';

/**
 * What travels through the evaluation state machine. Kept small on purpose: raw metric data is
 * re-read each tick and never stored in state (Step Functions payloads are limited to 256 KB), and a
 * verdict in state is compacted to ≤ 8 KB.
 */
/**
 * The lifecycle events the evaluator judges (CodeDeploy User Guide, "AppSpec 'hooks' section"):
 * `BeforeAllowTraffic` (Lambda) and `AfterAllowTestTraffic` (ECS: the replacement task set serves the
 * test listener only) come before production traffic shifts; `AfterAllowTraffic` (both) after all of it has.
 */
export const LIFECYCLE_EVENTS = ['BeforeAllowTraffic', 'AfterAllowTestTraffic', 'AfterAllowTraffic'] as const;
export type LifecycleEvent = (typeof LIFECYCLE_EVENTS)[number];

/** `pre-traffic`: smoke tests, report, then the canary watch. `bake`: judge at 100 %, post-deploy smoke tests, report. */
export type Phase = 'pre-traffic' | 'bake';

export function phaseOf(event: LifecycleEvent): Phase {
  return event === 'AfterAllowTraffic' ? 'bake' : 'pre-traffic';
}

export function parseLifecycleEvent(value: unknown, path = 'lifecycleEvent'): LifecycleEvent {
  return oneOf(value, LIFECYCLE_EVENTS, path);
}

export interface LambdaTarget {
  readonly type: 'lambda';
  readonly functionName: string;
  readonly alias: string;
  readonly currentVersion: string;
  readonly targetVersion: string;
}

/**
 * An ECS blue/green deployment behind an ALB. The canary is the replacement (Green) task set's target
 * group, the baseline the original (Blue) one's, as CloudWatch's `TargetGroup` dimension names them
 * (`targetgroup/<name>/<id>`); which is which alternates between deployments, so the hook resolves it.
 */
export interface EcsTarget {
  readonly type: 'ecs';
  /** `app/<name>/<id>`: the `LoadBalancer` dimension. */
  readonly loadBalancer: string;
  readonly canaryTargetGroup: string;
  readonly baselineTargetGroup: string;
  /** The replacement task definition from the AppSpec (`TaskDefinition`, an ARN). */
  readonly taskDefinition: string;
  /** The deployment target id, `<cluster>:<service>`, when CodeDeploy named it. */
  readonly service?: string;
}

export type DeploymentTarget = LambdaTarget | EcsTarget;

/** The execution input, written by the hook Lambda. */
export interface EvaluationInput {
  readonly deploymentId: string;
  readonly lifecycleEventHookExecutionId: string;
  readonly lifecycleEvent: LifecycleEvent;
  readonly applicationName: string;
  readonly deploymentGroupName: string;
  readonly target: DeploymentTarget;
  readonly policyRef: { readonly bucket: string; readonly key: string };
  /** When the hook was invoked (ISO 8601); the judged window and the hook deadline start here. */
  readonly hookInvokedAt: string;
  /** When CodeDeploy created the deployment (ISO 8601): the bake's baseline window ends here. */
  readonly deploymentCreatedAt?: string;
  /**
   * The registration's report switches, copied by the hook from `REPORT_SWITCHES` (set at synth from
   * the policy), so that every path reporting this execution follows the same rule (`reportSwitchesOf`).
   * Absent (an execution started before they existed): the fail-closed defaults.
   */
  readonly switches?: ReportSwitches;
  /**
   * The hosts the registration's HTTP smoke tests may call (`SMOKE_ALLOWED_HOSTS`, copied by the hook).
   * Absent: none, so the smoke Lambda calls no host (fail closed).
   */
  readonly allowedHosts?: readonly string[];
  /**
   * ECS native deployments only (issue 27): the lifecycle stage and step this evaluation answers, and the
   * hook's timeout, from which the plan's deadline is derived (`lib/evaluation/ecs-native`). Absent: a
   * CodeDeploy hook (one hour).
   */
  readonly ecsNative?: EcsNativeEvaluation;
  /**
   * Where this evaluation's break-glass override would be and whether the registration allows one
   * (`OVERRIDE_SETTINGS`, copied by the hook; lib/evaluation/override). Absent (a registration through an
   * imported evaluator, which does not know the report bucket): no override is looked for.
   */
  readonly override?: OverrideSettings;
}

/** What the hook copies into the execution input: the bucket of the override records, and whether the registration allows one. */
export interface OverrideSettings {
  readonly bucket: string;
  readonly allowed: boolean;
}

export function parseOverrideSettings(value: unknown, path: string): OverrideSettings {
  const settings = object(value, path);
  return { bucket: string(settings.bucket, `${path}.bucket`), allowed: boolean(settings.allowed, `${path}.allowed`) };
}

/**
 * What an ECS native evaluation adds to the input. The CodeDeploy fields are filled so the shared steps
 * work unchanged: `deploymentId` names the service deployment, stage and step (one verdict each),
 * `lifecycleEvent` the CodeDeploy event with the same meaning (`lib/evaluation/ecs-native/contract.ts`).
 */
export interface EcsNativeEvaluation {
  /** The ECS lifecycle stage (`ECS_EVALUATED_STAGES`). */
  readonly stage: string;
  /** `smoke` (test traffic), `step` (one production traffic-shift step), `bake` (after the last step). */
  readonly role: 'smoke' | 'step' | 'bake';
  /** The green revision's production weight at this step (percent); 0 before production traffic. */
  readonly productionWeight: number;
  /** The hook's `timeoutInMinutes`, in seconds: the plan answers well before it. */
  readonly hookTimeoutSeconds: number;
  /**
   * The number of production traffic-shift steps the registration's hook judges (0: none), from which
   * this evaluation's share of α follows (`ecsNativeAlphaShare`). Absent: unknown, the most ECS allows
   * is assumed.
   */
  readonly productionSteps?: number;
  /** The service deployment (`resourceArn`) and the green revision, as ECS sent them. */
  readonly serviceDeploymentArn: string;
  readonly targetServiceRevisionArn: string;
}

/** The policy switches that turn an outcome into a hook status. Defaults: fail-closed, no dry run. */
export interface ReportSwitches {
  readonly dryRun: boolean;
  readonly onEvaluatorError: OnEvaluatorError;
  /** What a deadline without a verdict reports. @default pass */
  readonly onInconclusive?: OnInconclusive;
  /** When the registration notifies (its `notifications.on`). @default - the evaluator's */
  readonly notify?: NotifyOn;
}

export function parseHostList(value: unknown, path: string): readonly string[] {
  if (!Array.isArray(value)) throw new StateError(`${path}: expected a list of host names, got ${JSON.stringify(value)}`);
  return value.map((host, index) => string(host, `${path}[${index}]`));
}

export function parseReportSwitches(value: unknown, path: string): ReportSwitches {
  const switches = object(value, path);
  return {
    dryRun: boolean(switches.dryRun, `${path}.dryRun`),
    onEvaluatorError: oneOf(switches.onEvaluatorError, ['pass', 'fail'] as const, `${path}.onEvaluatorError`),
    ...(switches.onInconclusive !== undefined ? { onInconclusive: oneOf(switches.onInconclusive, ['pass', 'fail'] as const, `${path}.onInconclusive`) } : {}),
    ...(switches.notify !== undefined ? { notify: parseNotifyOn(switches.notify, `${path}.notify`) } : {}),
  };
}

export function parseEvaluationInput(value: unknown, path = 'input'): EvaluationInput {
  const input = object(value, path);
  const policyRef = object(input.policyRef, `${path}.policyRef`);
  const deploymentCreatedAt = input.deploymentCreatedAt === undefined ? undefined : isoDate(input.deploymentCreatedAt, `${path}.deploymentCreatedAt`);
  return {
    deploymentId: string(input.deploymentId, `${path}.deploymentId`),
    lifecycleEventHookExecutionId: string(input.lifecycleEventHookExecutionId, `${path}.lifecycleEventHookExecutionId`),
    lifecycleEvent: parseLifecycleEvent(input.lifecycleEvent, `${path}.lifecycleEvent`),
    applicationName: string(input.applicationName, `${path}.applicationName`),
    deploymentGroupName: string(input.deploymentGroupName, `${path}.deploymentGroupName`),
    target: parseDeploymentTarget(input.target, `${path}.target`),
    policyRef: { bucket: string(policyRef.bucket, `${path}.policyRef.bucket`), key: string(policyRef.key, `${path}.policyRef.key`) },
    hookInvokedAt: isoDate(input.hookInvokedAt, `${path}.hookInvokedAt`),
    ...(deploymentCreatedAt ? { deploymentCreatedAt } : {}),
    ...(input.switches !== undefined ? { switches: parseReportSwitches(input.switches, `${path}.switches`) } : {}),
    ...(input.allowedHosts !== undefined ? { allowedHosts: parseHostList(input.allowedHosts, `${path}.allowedHosts`) } : {}),
    ...(input.ecsNative !== undefined ? { ecsNative: parseEcsNativeEvaluation(input.ecsNative, `${path}.ecsNative`) } : {}),
    ...(input.override !== undefined ? { override: parseOverrideSettings(input.override, `${path}.override`) } : {}),
  };
}

export function parseEcsNativeEvaluation(value: unknown, path: string): EcsNativeEvaluation {
  const native = object(value, path);
  const weight = native.productionWeight;
  if (typeof weight !== 'number' || !Number.isFinite(weight) || weight < 0 || weight > 100) throw new StateError(`${path}.productionWeight: expected a percentage from 0 to 100, got ${JSON.stringify(weight)}`);
  return {
    stage: string(native.stage, `${path}.stage`),
    role: oneOf(native.role, ['smoke', 'step', 'bake'] as const, `${path}.role`),
    productionWeight: weight,
    hookTimeoutSeconds: positive(integer(native.hookTimeoutSeconds, `${path}.hookTimeoutSeconds`), `${path}.hookTimeoutSeconds`),
    ...(native.productionSteps !== undefined ? { productionSteps: nonNegative(integer(native.productionSteps, `${path}.productionSteps`), `${path}.productionSteps`) } : {}),
    serviceDeploymentArn: string(native.serviceDeploymentArn, `${path}.serviceDeploymentArn`),
    targetServiceRevisionArn: string(native.targetServiceRevisionArn, `${path}.targetServiceRevisionArn`),
  };
}

export function parseDeploymentTarget(value: unknown, path: string): DeploymentTarget {
  const target = object(value, path);
  const type = oneOf(target.type, ['lambda', 'ecs'] as const, `${path}.type`);
  if (type === 'lambda') {
    return {
      type,
      functionName: string(target.functionName, `${path}.functionName`),
      alias: string(target.alias, `${path}.alias`),
      currentVersion: string(target.currentVersion, `${path}.currentVersion`),
      targetVersion: string(target.targetVersion, `${path}.targetVersion`),
    };
  }
  const service = optionalString(target.service, `${path}.service`);
  return {
    type,
    loadBalancer: string(target.loadBalancer, `${path}.loadBalancer`),
    canaryTargetGroup: string(target.canaryTargetGroup, `${path}.canaryTargetGroup`),
    baselineTargetGroup: string(target.baselineTargetGroup, `${path}.baselineTargetGroup`),
    taskDefinition: string(target.taskDefinition, `${path}.taskDefinition`),
    ...(service ? { service } : {}),
  };
}

/** What the hook reports when the evaluator itself fails. */
export type OnEvaluatorError = 'pass' | 'fail';
/** What the hook reports when the deadline came without a verdict. */
export type OnInconclusive = 'pass' | 'fail';

/**
 * Fixed once by the prepare step, so every tick judges the same window, and read by the state
 * machine's Choice states (phase, smoke tests, canary watch) and by the error path (the switches).
 */
export interface EvaluationPlan {
  readonly phase: Phase;
  /** Start of the judged window (bake) or watch window (pre-traffic), epoch seconds, period-aligned. */
  readonly windowStart: number;
  /** End of the judged window, epoch seconds. */
  readonly windowEnd: number;
  readonly periodSeconds: number;
  readonly lagSeconds: number;
  readonly metricCount: number;
  /** The baseline arm is read this many seconds earlier (0: same time, e.g. the canary watch). */
  readonly baselineOffsetSeconds: number;
  /** Epoch seconds by which a verdict must be final: the hook deadline minus a reserve to report. */
  readonly reportBy: number;
  /** Smoke tests to run in this phase (0: skip the smoke-test state). */
  readonly smokeTests: number;
  /** Pre-traffic only: watch the canary window after reporting. */
  readonly canaryWatch: boolean;
  readonly stopDeploymentOnFail: boolean;
  readonly dryRun: boolean;
  readonly onEvaluatorError: OnEvaluatorError;
}

export function parseEvaluationPlan(value: unknown, path = 'plan'): EvaluationPlan {
  const plan = object(value, path);
  return {
    phase: oneOf(plan.phase, ['pre-traffic', 'bake'] as const, `${path}.phase`),
    windowStart: integer(plan.windowStart, `${path}.windowStart`),
    windowEnd: integer(plan.windowEnd, `${path}.windowEnd`),
    periodSeconds: positive(integer(plan.periodSeconds, `${path}.periodSeconds`), `${path}.periodSeconds`),
    lagSeconds: integer(plan.lagSeconds, `${path}.lagSeconds`),
    metricCount: integer(plan.metricCount, `${path}.metricCount`),
    baselineOffsetSeconds: integer(plan.baselineOffsetSeconds, `${path}.baselineOffsetSeconds`),
    reportBy: integer(plan.reportBy, `${path}.reportBy`),
    smokeTests: integer(plan.smokeTests, `${path}.smokeTests`),
    canaryWatch: boolean(plan.canaryWatch, `${path}.canaryWatch`),
    stopDeploymentOnFail: boolean(plan.stopDeploymentOnFail, `${path}.stopDeploymentOnFail`),
    dryRun: boolean(plan.dryRun, `${path}.dryRun`),
    onEvaluatorError: oneOf(plan.onEvaluatorError, ['pass', 'fail'] as const, `${path}.onEvaluatorError`),
  };
}

function nonNegative(value: number, path: string): number {
  if (value < 0) throw new StateError(`${path}: expected a whole number ≥ 0, got ${value}`);
  return value;
}

function positive(value: number, path: string): number {
  if (value <= 0) throw new StateError(`${path}: expected a positive number, got ${value}`);
  return value;
}

/** The evaluate and watch steps' request: the execution input and the plan. */
export interface EvaluateRequest {
  readonly input: EvaluationInput;
  readonly plan: EvaluationPlan;
  /** The bake's log signal so far, carried from the previous tick (absent: none yet, or no `logs` in the policy). */
  readonly logSignal?: LogSignalState;
}

export function parseEvaluateRequest(value: unknown): EvaluateRequest {
  const request = object(value, 'request');
  const logSignal = parseCarriedLogState(request.logSignal, 'logSignal');
  return { input: parseEvaluationInput(request.input, 'input'), plan: parseEvaluationPlan(request.plan, 'plan'), ...(logSignal ? { logSignal } : {}) };
}

/** A verdict as kept in state: the judge's verdict, compacted to ≤ 8 KB. */
export type StateVerdict = Verdict & { readonly omittedMetrics?: number };

/**
 * A step's `waitSeconds`, checked where the step makes it: a Wait state's `SecondsPath` must be a
 * non-negative integer (Step Functions Developer Guide, "Wait workflow state"), and the Choice before it
 * can test only that it is numeric and in range, so 1.5 would pass the Choice and fail at the Wait.
 */
export function waitSeconds(value: number, path: string): number {
  if (!Number.isInteger(value) || value < 0 || value > MAX_WAIT_SECONDS) throw new StateError(`${path}: expected a whole number of seconds in [0, ${MAX_WAIT_SECONDS}], got ${value}`);
  return value;
}

/** One tick's result: the decision, why, and how long to wait before the next tick. */
export interface TickResult {
  readonly decision: 'pass' | 'fail' | 'continue' | 'inconclusive';
  readonly final: boolean;
  readonly reason: string;
  /** Seconds until the next tick is worth running (`continue` only). */
  readonly waitSeconds: number;
  /** Complete periods judged so far. */
  readonly periodsJudged: number;
  readonly verdict: StateVerdict;
  /**
   * The log signal's state for the next tick (`$.tick.logSignal`, read by the Evaluate Task's payload):
   * `{}` when the policy has no `logs`. Always present in a bake tick: "Decide" loops only on a tick with it.
   */
  readonly logSignal?: LogSignalState | Record<string, never>;
  /** An override this look found: honoured (the tick is final and says so) or refused (the look judged as usual). */
  readonly override?: OverrideOutcome;
}

/** The smoke-test step's request: which phase's tests to run against the execution's target. */
export interface SmokeRequest {
  readonly input: EvaluationInput;
  readonly phase: 'pre-traffic' | 'post-deploy';
}

export function parseSmokeRequest(value: unknown): SmokeRequest {
  const request = object(value, 'request');
  return { input: parseEvaluationInput(request.input, 'input'), phase: oneOf(request.phase, ['pre-traffic', 'post-deploy'] as const, 'phase') };
}

/** Why the hook got the status it got; named in the verdict event. */
export type Cause =
  | 'verdict'
  | 'smoke-tests'
  | 'evaluator-error'
  | 'execution-failed'
  | 'execution-timed-out'
  | 'execution-aborted'
  | 'canary-watch'
  | 'override';

/** The conclusion the state machine reached, before the policy's switches turn it into a hook status. */
export interface Outcome {
  /** `inconclusive`: the deadline came without a verdict; the policy's `onInconclusive` decides the status. */
  readonly decision: 'pass' | 'fail' | 'error' | 'inconclusive';
  readonly cause: Cause;
  readonly reason: string;
  /**
   * `inconclusive` only: the critical metrics whose data could not be read by the deadline. The gate was
   * blind, so the status follows `onEvaluatorError` (default fail), not `onInconclusive`, which is for
   * traffic too low to decide: an unreadable metric must not promote a release by default.
   */
  readonly metricsUnread?: readonly string[];
}

export function parseOutcome(value: unknown, path = 'state.outcome'): Outcome {
  const outcome = object(value, path);
  return {
    decision: oneOf(outcome.decision, ['pass', 'fail', 'error', 'inconclusive'] as const, `${path}.decision`),
    cause: oneOf(outcome.cause, ['verdict', 'smoke-tests', 'evaluator-error', 'execution-failed', 'execution-timed-out', 'execution-aborted', 'canary-watch', 'override'] as const, `${path}.cause`),
    reason: optionalString(outcome.reason, `${path}.reason`) ?? '',
    ...(Array.isArray(outcome.metricsUnread) && outcome.metricsUnread.length > 0 && { metricsUnread: outcome.metricsUnread.map((metric, index) => string(metric, `${path}.metricsUnread[${index}]`)) }),
  };
}

export type { Json };

/** Step Functions execution names are 1–80 characters (StartExecution API Reference, `name`). */
const MAX_EXECUTION_NAME = 80;

/**
 * `${DeploymentId}-${LifecycleEvent}`: the same for every invocation of one hook, so a duplicate hook
 * invocation cannot start a second evaluation, and different for different hooks. When the plain name
 * would be cut or changed (over 80 characters, characters Step Functions refuses), the readable part
 * is shortened and a hash of the exact ids is appended, so two hooks never share a name.
 */
export function executionName(deploymentId: string, lifecycleEvent: LifecycleEvent): string {
  const raw = `${deploymentId}-${lifecycleEvent}`;
  const safe = raw.replace(/[^A-Za-z0-9_-]/g, '_');
  if (safe === raw && raw.length <= MAX_EXECUTION_NAME) return raw;
  const hash = createHash('sha256').update(`${deploymentId}\n${lifecycleEvent}`).digest('hex').slice(0, 16);
  return `${safe.slice(0, MAX_EXECUTION_NAME - hash.length - 1)}-${hash}`;
}
