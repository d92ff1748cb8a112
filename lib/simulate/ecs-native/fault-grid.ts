import { STATE, TASK_STATES, type TaskState } from '../../constructs/evaluation-definition';
import { ecsNativeDeploymentLimits, type EcsEvaluatedStage } from '../../evaluation/ecs-native/contract';
import type { EcsHookStatusStore } from '../../evaluation/ecs-native/hook';
import { parsePolicy } from '../../policy';
import { FAULT_KINDS, type FaultKind } from '../fault-grid';
import type { TaskHandler } from '../run-local';
import { simulateEcsNativeDeployment, SIMULATED_TARGET_GROUPS, type SimulatedEcsNativeDeployment, type SimulatedEcsNativeResult } from './deployment';
import { SimulatedTargetGroupMetrics } from './target-group-metrics';

/**
 * The fault grid's rows for ECS native deployments (issue 27): every Task × every fault × {permanent,
 * once}, injected into every evaluation of a LINEAR 50 % deployment (the test stage, two production steps,
 * the bake), plus the hook status store (the report bucket's `ecs-native/`) down while the report steps
 * run. What must hold: every stage and step ECS invokes gets exactly one SUCCEEDED or FAILED answer,
 * before the hook's timeout; each evaluation publishes exactly one verdict event and counts once in
 * `Verdicts`, with the status ECS got.
 */
export interface EcsNativeFaultCase {
  readonly name: string;
  readonly targets: readonly TaskState[];
  readonly kind: FaultKind;
  readonly mode: 'permanent' | 'once';
  /** The status store fails every call while these Tasks run. */
  readonly storeDownDuring?: readonly TaskState[];
  /**
   * A bake longer than CodeDeploy's hour (issue 27 item 3): the two-hour bake policy under a
   * `LONG_BAKE_HOOK_TIMEOUT_MINUTES` hook, as on an evaluator's extended state machine.
   */
  readonly longBake?: boolean;
}

export const ECS_NATIVE_FAULT_GRID_START = new Date('2026-12-07T10:00:00Z');
/** Two hours: the deadline guard is exercised by the hangs, inside a CI-sized run. */
export const ECS_NATIVE_FAULT_GRID_HOOK_TIMEOUT_MINUTES = 120;
const STAGES: readonly EcsEvaluatedStage[] = ['POST_TEST_TRAFFIC_SHIFT', 'PRODUCTION_TRAFFIC_SHIFT', 'POST_PRODUCTION_TRAFFIC_SHIFT'];
const policy = parsePolicy({
  metrics: [{ preset: 'alb-5xx-rate', method: { type: 'threshold', maxRatioToBaseline: 2, failureLimit: 2 } }],
  smokeTests: [{ type: 'http', name: 'health', url: 'http://demo.internal/health', expect: { status: 200 }, phase: 'both' }],
  bake: { duration: '5m', period: '60s' },
  canaryWatch: { period: '60s', maxDuration: '5m' },
  metricLag: '2m',
});

/** The long-bake rows' hook timeout: four hours, with `ecsNativeMaxHookTimeout` at least that. */
export const LONG_BAKE_HOOK_TIMEOUT_MINUTES = 240;
/** A two-hour bake, fitted to a `LONG_BAKE_HOOK_TIMEOUT_MINUTES` hook's deadline (a CodeDeploy hook's hour refuses it). */
export const LONG_BAKE_POLICY = parsePolicy(
  // A threshold judges every period to the end of the bake (a sequential test may pass early): the bake runs its two hours.
  { metrics: [{ preset: 'alb-5xx-rate', method: { type: 'threshold', maxRatioToBaseline: 2, failureLimit: 2 } }], bake: { duration: '2h', period: '5m' }, canaryWatch: { period: '60s', maxDuration: '5m' }, metricLag: '2m' },
  'long-bake policy',
  ecsNativeDeploymentLimits(LONG_BAKE_HOOK_TIMEOUT_MINUTES),
);

function faultHandler(kind: FaultKind): TaskHandler {
  if (kind === 'malformed-output') return async () => ({ unexpected: 'shape' });
  // A well-formed tick that keeps asking for the longest wait: `logSignal` is what the Decide state requires of a
  // `continue` tick (evaluation-definition.ts); without it the tick is malformed and ends at once, hanging nothing.
  if (kind === 'hang') return async () => ({ decision: 'continue', done: false, final: false, reason: 'slow', waitSeconds: 3600, periodsJudged: 0, logSignal: {} });
  return async () => {
    throw Object.assign(new Error(`injected ${kind}`), { name: kind });
  };
}

export function ecsNativeFaultGrid(): EcsNativeFaultCase[] {
  const grid: EcsNativeFaultCase[] = [];
  for (const target of TASK_STATES) {
    for (const kind of FAULT_KINDS) for (const mode of ['permanent', 'once'] as const) grid.push({ name: `ECS native: ${target} ${kind} ${mode}`, targets: [target], kind, mode });
  }
  grid.push({ name: 'ECS native: both report paths down', targets: [STATE.report, STATE.reportError], kind: 'Lambda.ServiceException', mode: 'permanent' });
  grid.push({ name: 'ECS native: status store down while the report step runs', targets: [], kind: 'Lambda.ServiceException', mode: 'permanent', storeDownDuring: [STATE.report] });
  grid.push({ name: 'ECS native: status store down while both report steps run (the reaper records)', targets: [], kind: 'Lambda.ServiceException', mode: 'permanent', storeDownDuring: [STATE.report, STATE.reportError] });
  // Issue 27 item 3: a two-hour bake that hangs or times out is still answered before its four-hour hook's timeout.
  grid.push({ name: 'ECS native long bake: Evaluate hang permanent', targets: [STATE.evaluate], kind: 'hang', mode: 'permanent', longBake: true });
  grid.push({ name: 'ECS native long bake: Evaluate throttled permanent', targets: [STATE.evaluate], kind: 'Lambda.TooManyRequestsException', mode: 'permanent', longBake: true });
  grid.push({ name: 'ECS native long bake: status store down while both report steps run', targets: [], kind: 'Lambda.ServiceException', mode: 'permanent', storeDownDuring: [STATE.report, STATE.reportError], longBake: true });
  return grid;
}

/** The simulated deployment of one case: healthy metrics, the case's faults in every evaluation. */
export function ecsNativeFaultDeployment(testCase: EcsNativeFaultCase): SimulatedEcsNativeDeployment {
  let storeDown = false;
  // `once`: the first call of the Task in each evaluation fails (a new evaluation starts with Prepare).
  const calls = new Map<TaskState, number>();
  const errorPath = testCase.targets.includes(STATE.reportError) || testCase.targets.includes(STATE.publishError) || (testCase.storeDownDuring ?? []).includes(STATE.reportError);
  return {
    policy: testCase.longBake ? LONG_BAKE_POLICY : policy,
    start: ECS_NATIVE_FAULT_GRID_START,
    strategy: 'LINEAR',
    percent: 50,
    stages: STAGES,
    hookTimeoutMinutes: hookTimeoutMinutesOf(testCase),
    metrics: (now, greenWeightAt) =>
      new SimulatedTargetGroupMetrics({ ...SIMULATED_TARGET_GROUPS, requestsPerMinute: 1000, greenBehaviour: { errorRate: 0.01 }, blueBehaviour: { errorRate: 0.01 }, greenWeightAt, metricLagMinutes: 2, seed: 11 }, now),
    wrapTask: (state, handler) => {
      if (state === STATE.prepare) calls.clear();
      // The error paths' Tasks run only after a failure: Prepare fails too, so that they are entered.
      if (errorPath && state === STATE.prepare) return faultHandler('States.TaskFailed');
      const wrapped: TaskHandler = testCase.storeDownDuring?.includes(state)
        ? async (input) => {
            storeDown = true;
            try {
              return await handler(input);
            } finally {
              storeDown = false;
            }
          }
        : handler;
      if (!testCase.targets.includes(state)) return wrapped;
      return async (input) => {
        const call = (calls.get(state) ?? 0) + 1;
        calls.set(state, call);
        if (testCase.mode === 'once' && call > 1) return wrapped(input);
        return faultHandler(testCase.kind)(input);
      };
    },
    wrapStatuses: (store): EcsHookStatusStore => ({
      read: async (id) => {
        if (storeDown) throw new Error('S3: ServiceUnavailable (simulated)');
        return store.read(id);
      },
      record: async (id, status) => {
        if (storeDown) throw new Error('S3: ServiceUnavailable (simulated)');
        return store.record(id, status);
      },
    }),
  };
}

export interface EcsNativeFaultOutcome {
  readonly name: string;
  /** Forward (not rollback) invocations answered SUCCEEDED/FAILED, by stage and step. */
  readonly answersPerStep: Readonly<Record<string, number>>;
  /** Stages and steps ECS invoked (forward). */
  readonly stepsInvoked: number;
  /** Answers given after the hook's timeout (from the stage's first invocation). */
  readonly lateAnswers: number;
  /** Verdict events (not `NotReported`) per evaluation, and `Verdicts` counted per evaluation. */
  readonly verdictEventsPerEvaluation: Readonly<Record<string, number>>;
  readonly verdictsCountedPerEvaluation: Readonly<Record<string, number>>;
  /** Verdict events whose status differs from the answer ECS got for that stage and step. */
  readonly contradictions: number;
  readonly outcome: SimulatedEcsNativeResult['outcome'];
}

/** The hook timeout of a case: the grid's two hours, or the long-bake rows' four. */
export function hookTimeoutMinutesOf(testCase: Pick<EcsNativeFaultCase, 'longBake'>): number {
  return testCase.longBake ? LONG_BAKE_HOOK_TIMEOUT_MINUTES : ECS_NATIVE_FAULT_GRID_HOOK_TIMEOUT_MINUTES;
}

export async function runEcsNativeFaultCase(definition: Record<string, unknown>, testCase: EcsNativeFaultCase): Promise<EcsNativeFaultOutcome> {
  const result = await simulateEcsNativeDeployment(definition, ecsNativeFaultDeployment(testCase));
  return ecsNativeFaultOutcomeOf(testCase.name, result, hookTimeoutMinutesOf(testCase));
}

export function ecsNativeFaultOutcomeOf(name: string, result: SimulatedEcsNativeResult, hookTimeoutMinutes = ECS_NATIVE_FAULT_GRID_HOOK_TIMEOUT_MINUTES): EcsNativeFaultOutcome {
  const forward = result.answers.filter((answer) => !answer.rollback);
  const key = (stage: string, weight: number) => (stage === 'PRODUCTION_TRAFFIC_SHIFT' ? `${stage}_w${weight}` : stage);
  const answersPerStep: Record<string, number> = {};
  for (const answer of forward) answersPerStep[key(answer.stage, answer.weight)] = (answersPerStep[key(answer.stage, answer.weight)] ?? 0) + 1;
  const evaluations = result.executions.map((execution) => execution.input);
  const perEvaluation = (events: readonly { deploymentId: string; status: string }[]) =>
    Object.fromEntries(evaluations.map((input) => [input.deploymentId, events.filter((event) => event.deploymentId === input.deploymentId && event.status !== 'NotReported').length]));
  const answerOf = new Map(evaluations.map((input) => [input.deploymentId, forward.find((answer) => input.deploymentId.endsWith(`_${key(answer.stage, answer.weight)}`))]));
  const firstInvocation = new Map(result.executions.map((execution) => [execution.input.deploymentId, Date.parse(execution.input.hookInvokedAt)]));
  const timeoutMs = hookTimeoutMinutes * 60_000;
  return {
    name,
    answersPerStep,
    stepsInvoked: Object.keys(answersPerStep).length,
    lateAnswers: forward.filter((answer) => {
      const evaluation = evaluations.find((input) => input.deploymentId.endsWith(`_${key(answer.stage, answer.weight)}`));
      const first = evaluation ? firstInvocation.get(evaluation.deploymentId) : undefined;
      return first !== undefined && answer.at.getTime() >= first + timeoutMs;
    }).length,
    verdictEventsPerEvaluation: perEvaluation(result.verdictEvents),
    verdictsCountedPerEvaluation: perEvaluation(result.verdictMetrics),
    contradictions: result.verdictEvents.filter((event) => {
      const answer = answerOf.get(event.deploymentId);
      return event.status !== 'NotReported' && answer !== undefined && (answer.response.hookStatus === 'SUCCEEDED' ? 'Succeeded' : 'Failed') !== event.status;
    }).length,
    outcome: result.outcome,
  };
}

/** What must hold for every case; the problems of one outcome, empty when it holds. */
export function ecsNativeFaultProblems(outcome: EcsNativeFaultOutcome): string[] {
  const problems: string[] = [];
  for (const [step, answers] of Object.entries(outcome.answersPerStep)) if (answers !== 1) problems.push(`${step}: ${answers} answers, expected exactly 1`);
  if (outcome.stepsInvoked === 0) problems.push('no stage was answered');
  if (outcome.lateAnswers > 0) problems.push(`${outcome.lateAnswers} answers after the hook's timeout`);
  for (const [evaluation, events] of Object.entries(outcome.verdictEventsPerEvaluation)) if (events !== 1) problems.push(`${evaluation}: ${events} verdict events, expected exactly 1`);
  for (const [evaluation, counted] of Object.entries(outcome.verdictsCountedPerEvaluation)) if (counted !== 1) problems.push(`${evaluation}: Verdicts counted ${counted} times, expected exactly 1`);
  if (outcome.contradictions > 0) problems.push(`${outcome.contradictions} verdict events contradict the answer ECS got`);
  return problems;
}
