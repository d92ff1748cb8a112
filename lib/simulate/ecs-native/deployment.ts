import { reportSwitchesFromPolicy } from '../../evaluation/conclude';
import { PUBLICATION_GRACE_SECONDS, SWEEP_INTERVAL_MINUTES, sweepEvent } from '../../evaluation/contracts';
import {
  ECS_DEFAULT_HOOK_STAGES,
  ECS_HOOK_CALLBACK_DELAY_SECONDS,
  ecsNativeExecutionTimeoutSeconds,
  productionStepWeights,
  type EcsDeploymentStrategy,
  type EcsEvaluatedStage,
  type EcsHookResponse,
} from '../../evaluation/ecs-native/contract';
import { judgedProductionSteps } from '../../evaluation/ecs-native/alpha';
import { handleEcsHookEvent, type EcsHookStatusStore } from '../../evaluation/ecs-native/hook';
import { PlatformHookReporter } from '../../evaluation/ecs-native/routing';
import { createEvaluateHandler, createPrepareHandler, createReportHandler, createSmokeHandler, createWatchHandler } from '../../evaluation/handlers';
import type { EvaluationInput, HookStatus, MetricSource, TickResult, VerdictEvent, VerdictSink } from '../../evaluation';
import type { Policy } from '../../policy';
import { STATE, TASK_STATES, type TaskState } from '../../constructs/evaluation-definition';
import type { IdentityVerifier, OverrideStore } from '../../evaluation/override/look';
import { VirtualClock } from '../clock';
import { SIMULATED_REPORT_BUCKET } from '../deployment';
import { InMemoryPublicationLedger } from '../publication-ledger';
import { runLocally, type LocalRunResult, type TaskHandler } from '../run-local';

/** The service deployment the simulation deploys (the ECS Developer Guide's example ids). */
export const SIMULATED_SERVICE_DEPLOYMENT = 'arn:aws:ecs:us-east-1:123456789012:service-deployment/demo-cluster/demo-service/SimDeployment01';
const SERVICE = 'arn:aws:ecs:us-east-1:123456789012:service/demo-cluster/demo-service';
const GREEN_REVISION = 'arn:aws:ecs:us-east-1:123456789012:service-revision/demo-cluster/demo-service/2000000000000000002';
const BLUE_REVISION = 'arn:aws:ecs:us-east-1:123456789012:service-revision/demo-cluster/demo-service/1000000000000000001';
export const SIMULATED_TARGET_GROUPS = { green: 'targetgroup/demo-green/2222222222222222', blue: 'targetgroup/demo-blue/1111111111111111' } as const;
const ECS_TARGETS = { loadBalancer: 'app/demo/0123456789abcdef', targetGroups: { 'demo-blue': SIMULATED_TARGET_GROUPS.blue, 'demo-green': SIMULATED_TARGET_GROUPS.green } };

export interface SimulatedEcsNativeDeployment {
  readonly policy: Policy;
  readonly start: Date;
  readonly strategy: EcsDeploymentStrategy;
  /** LINEAR `stepPercent` or CANARY `canaryPercent`. @default ECS's default */
  readonly percent?: number;
  /** The stages the hook is registered at. @default ECS_DEFAULT_HOOK_STAGES */
  readonly stages?: readonly EcsEvaluatedStage[];
  /**
   * The hook's `PRODUCTION_STEPS`: the production steps it judges, from which each evaluation's α share
   * follows. `'unknown'`: the variable is absent (the hook assumes the most ECS allows).
   * @default - counted from `strategy`, `percent` and `stages`, as the registration does
   */
  readonly productionSteps?: number | 'unknown';
  /** The hook's `timeoutInMinutes`. @default 1440 */
  readonly hookTimeoutMinutes?: number;
  /**
   * The state machine's timeout: the extended machine's is `ecsNativeExecutionTimeoutSeconds(ecsNativeMaxHookTimeout)`,
   * longer than this hook's when the hook's timeout is below the evaluator's most.
   * @default ecsNativeExecutionTimeoutSeconds(hookTimeoutMinutes)
   */
  readonly executionTimeoutSeconds?: number;
  /** The metrics, given the virtual clock and the green weight at each instant. */
  readonly metrics: (now: () => Date, greenWeightAt: (at: Date) => number) => MetricSource;
  /** Fault injection on each Task's handler. */
  readonly wrapTask?: (state: TaskState, handler: TaskHandler) => TaskHandler;
  /** Fault injection on the hook status store (the report bucket's `ecs-native/`). */
  readonly wrapStatuses?: (store: EcsHookStatusStore) => EcsHookStatusStore;
  /**
   * Break-glass overrides, as `simulateDeployment` takes them: whether the registration allows them (the
   * hook passes `override` settings to every evaluation it starts), the records (given the virtual clock)
   * and STS's answer to a proof. @default - none: the hook passes no override settings
   */
  readonly overrides?: { readonly allowed: boolean; readonly store: (now: () => Date) => OverrideStore; readonly identity: IdentityVerifier };
}

/** One answer ECS received. */
export interface SimulatedEcsAnswer {
  readonly stage: EcsEvaluatedStage;
  readonly weight: number;
  readonly at: Date;
  readonly response: EcsHookResponse;
  /** A rollback re-invocation (green weight 0). */
  readonly rollback?: boolean;
}

export interface SimulatedEcsNativeResult {
  /** Every SUCCEEDED/FAILED answer, in order (IN_PROGRESS answers are counted in `inProgress`). */
  readonly answers: readonly SimulatedEcsAnswer[];
  readonly inProgress: number;
  /** `deployed`: every stage succeeded; `rolled-back`: a stage answered FAILED and ECS rolled back. */
  readonly outcome: 'deployed' | 'rolled-back';
  /** When the first FAILED answer came (the rollback starts), relative to `start`. */
  readonly failedAfterSeconds?: number;
  readonly verdictEvents: readonly VerdictEvent[];
  readonly verdictMetrics: readonly VerdictEvent[];
  readonly executions: ReadonlyArray<{ readonly input: EvaluationInput; readonly run: LocalRunResult; readonly ticks: readonly TickResult[] }>;
}

interface Execution {
  readonly input: EvaluationInput;
  readonly startDate: Date;
  end?: { at: Date; status: string };
}

/**
 * An ECS native deployment end to end, locally (issue 27): ECS's side (stages in order, each production
 * step at its weight, re-invocation every `callBackDelay` while the hook answers IN_PROGRESS, a rollback
 * re-invoking PRODUCTION_TRAFFIC_SHIFT at weight 0 after a FAILED) drives the real hook handler; each
 * evaluation it starts runs in the synthesized state machine with the real step handlers, the real report
 * handler (`PlatformHookReporter`: the status recorded in a store, not CodeDeploy), the reaper and the sweep.
 *
 * An execution runs to its end at once on the virtual clock; the hook's invocations during it are then
 * replayed at their own instants against a store and an execution status that show only what had
 * happened by then, so the answers are what ECS would have received when.
 */
export async function simulateEcsNativeDeployment(definition: Record<string, unknown>, deployment: SimulatedEcsNativeDeployment): Promise<SimulatedEcsNativeResult> {
  const clock = new VirtualClock(deployment.start);
  const stages = deployment.stages ?? ECS_DEFAULT_HOOK_STAGES;
  const hookTimeoutMinutes = deployment.hookTimeoutMinutes ?? 1440;
  // The listener's green weight over time: set as ECS shifts each step, back to 0 on rollback.
  const shifts: Array<{ at: number; weight: number }> = [{ at: deployment.start.getTime(), weight: 0 }];
  const greenWeightAt = (at: Date) => [...shifts].reverse().find((shift) => shift.at <= at.getTime())?.weight ?? 0;
  const source = deployment.metrics(() => clock.now(), greenWeightAt);

  // The report bucket's `ecs-native/` objects, each with the instant it was written: a read sees what existed then.
  const records = new Map<string, { status: HookStatus; at: number }>();
  let readerNow = () => clock.now().getTime();
  const baseStore: EcsHookStatusStore = {
    read: async (id) => {
      const record = records.get(id);
      return record && record.at <= readerNow() ? record.status : undefined;
    },
    record: async (id, status) => {
      const existing = records.get(id);
      if (existing && existing.at <= readerNow()) return 'already-recorded';
      records.set(id, { status, at: readerNow() });
      return 'recorded';
    },
  };
  const store = deployment.wrapStatuses ? deployment.wrapStatuses(baseStore) : baseStore;

  const executions = new Map<string, Execution>();
  const runs: Array<{ input: EvaluationInput; run: LocalRunResult; ticks: TickResult[] }> = [];
  const verdictEvents: VerdictEvent[] = [];
  const verdictMetrics: VerdictEvent[] = [];
  const sink: VerdictSink = {
    publishTick: async () => undefined,
    publishVerdictMetrics: async (event) => void verdictMetrics.push(event),
    publishVerdictEvent: async (event) => void verdictEvents.push(event),
  };
  const policies = { load: async () => deployment.policy };
  const ledger = new InMemoryPublicationLedger();
  const noCodeDeploy = { report: () => Promise.reject(new Error('an ECS native evaluation must not report to CodeDeploy')) };

  let hookNow = deployment.start.getTime();
  const productionSteps = deployment.productionSteps ?? judgedProductionSteps(stages, deployment.strategy, deployment.percent);
  const hookDeps = {
    policyRef: { bucket: 'simulated', key: 'ecs-native.json' },
    switches: reportSwitchesFromPolicy(deployment.policy),
    ecsTargets: ECS_TARGETS,
    service: { primaryTargetGroup: 'demo-blue', alternateTargetGroup: 'demo-green', applicationName: 'demo-cluster', deploymentGroupName: 'demo-service' },
    hookTimeout: { timeoutInMinutes: hookTimeoutMinutes, action: 'ROLLBACK' as const },
    ...(productionSteps !== 'unknown' ? { productionSteps } : {}),
    starter: {
      start: async (name: string, input: object) => {
        if (executions.has(name)) return 'already-exists' as const;
        executions.set(name, { input: input as EvaluationInput, startDate: new Date(hookNow) });
        return 'started' as const;
      },
      exists: async (name: string) => executions.has(name),
    },
    executions: {
      describe: async (name: string) => {
        const execution = executions.get(name);
        if (!execution) return undefined;
        const ended = execution.end && execution.end.at.getTime() <= hookNow;
        return { status: ended ? execution.end!.status : 'RUNNING', startDate: execution.startDate };
      },
    },
    statuses: store,
    now: () => new Date(hookNow),
    log: { info: () => undefined, error: () => undefined },
    ...(deployment.overrides ? { override: { bucket: SIMULATED_REPORT_BUCKET, allowed: deployment.overrides.allowed } } : {}),
  };
  const overrides = deployment.overrides ? { overrides: { overrides: deployment.overrides.store(() => clock.now()), identity: deployment.overrides.identity } } : {};

  async function runExecution(name: string): Promise<void> {
    const execution = executions.get(name)!;
    const ticks: TickResult[] = [];
    const executionArn = `arn:aws:states:us-east-1:123456789012:execution:Evaluation:${name}`;
    const ended: { status?: string; stopDate?: Date; run?: LocalRunResult } = {};
    const platform = new PlatformHookReporter(noCodeDeploy, store);
    const report = createReportHandler({
      reporter: platform,
      hookStatus: platform,
      sink,
      ledger,
      records: {
        readRecord: async () => ({
          input: JSON.stringify(execution.input),
          reportResults: (ended.run?.taskExits ?? []).filter((exit) => exit.state === STATE.report || exit.state === STATE.reportError).map((exit) => (exit.output as { report?: unknown } | undefined)?.report),
        }),
      },
      executions: { readInput: async () => JSON.stringify(execution.input) },
      endedExecutions: { listEnded: async (_arn, _since, statuses) => (ended.status && statuses.includes(ended.status) ? [{ executionArn, status: ended.status, stopDate: ended.stopDate! }] : []) },
      now: () => clock.now(),
    });
    const metrics = source;
    const lambdas: Record<TaskState, TaskHandler> = {
      [STATE.prepare]: createPrepareHandler({ policies }),
      [STATE.preSmoke]: createSmokeHandler({ policies, invoker: { invoke: async () => ({ payload: '{"statusCode":200}' }) }, http: { request: async () => ({ status: 200, body: '{}' }) }, stopwatch: () => performance.now(), secrets: { resolve: async () => 'simulated' } }),
      [STATE.postSmoke]: createSmokeHandler({ policies, invoker: { invoke: async () => ({ payload: '{"statusCode":200}' }) }, http: { request: async () => ({ status: 200, body: '{}' }) }, stopwatch: () => performance.now(), secrets: { resolve: async () => 'simulated' } }),
      [STATE.evaluate]: createEvaluateHandler({ policies, metrics, sink, now: () => clock.now(), ...overrides }),
      [STATE.watch]: createWatchHandler({ policies, metrics, control: { readStatus: async () => 'InProgress', stop: async () => 'stopped' as const }, sink, now: () => clock.now(), ...overrides }),
      [STATE.report]: report,
      [STATE.reportError]: report,
      [STATE.publish]: report,
      [STATE.publishError]: report,
    };
    let pendingWait = 0;
    const bound = Object.fromEntries(
      TASK_STATES.map((state) => {
        const handler = deployment.wrapTask ? deployment.wrapTask(state, lambdas[state]) : lambdas[state];
        return [
          state,
          async (input: unknown) => {
            clock.advance(pendingWait);
            pendingWait = 0;
            const result = (await handler(input)) as { waitSeconds?: unknown } | undefined;
            if (state === STATE.evaluate || state === STATE.watch) {
              pendingWait = typeof result?.waitSeconds === 'number' && result.waitSeconds >= 1 && result.waitSeconds <= 3600 ? result.waitSeconds : 0;
              if (state === STATE.evaluate) ticks.push(result as unknown as TickResult);
            }
            return result;
          },
        ];
      }),
    ) as Record<TaskState, TaskHandler>;
    // The evaluator's state machine timeout for ECS native hooks (`ecsNativeExecutionTimeoutSeconds`).
    const timeoutAt = execution.startDate.getTime() + (deployment.executionTimeoutSeconds ?? ecsNativeExecutionTimeoutSeconds(hookTimeoutMinutes)) * 1000;
    const shouldTimeOut = () => {
      if (clock.now().getTime() + pendingWait * 1000 < timeoutAt) return false;
      clock.advance((timeoutAt - clock.now().getTime()) / 1000);
      return true;
    };
    const run = await runLocally(definition, execution.input, bound, { shouldTimeOut });
    execution.end = { at: clock.now(), status: run.status };
    Object.assign(ended, { status: run.status, stopDate: clock.now(), run });
    if (run.status !== 'SUCCEEDED') {
      await report({ version: '0', source: 'aws.states', 'detail-type': 'Step Functions Execution Status Change', detail: { executionArn, status: run.status, input: JSON.stringify(execution.input) } });
    }
    // The next sweep, then the one past the publication grace (as simulateDeployment).
    clock.advance(SWEEP_INTERVAL_MINUTES * 60);
    await report(sweepEvent('arn:aws:states:us-east-1:123456789012:stateMachine:Evaluation'));
    clock.advance(Math.ceil(PUBLICATION_GRACE_SECONDS / (SWEEP_INTERVAL_MINUTES * 60)) * SWEEP_INTERVAL_MINUTES * 60 - SWEEP_INTERVAL_MINUTES * 60);
    await report(sweepEvent('arn:aws:states:us-east-1:123456789012:stateMachine:Evaluation'));
    runs.push({ input: execution.input, run, ticks });
  }

  const answers: SimulatedEcsAnswer[] = [];
  let inProgress = 0;

  /** Invokes the hook for one stage until it answers SUCCEEDED or FAILED, running any evaluation it starts. */
  async function invokeUntilAnswered(stage: EcsEvaluatedStage, weight: number, rollback = false): Promise<EcsHookResponse> {
    const production = stage === 'PRODUCTION_TRAFFIC_SHIFT' ? { [GREEN_REVISION]: weight, [BLUE_REVISION]: 100 - weight } : {};
    const test = stage === 'TEST_TRAFFIC_SHIFT' ? { [GREEN_REVISION]: rollback ? 0 : 100, [BLUE_REVISION]: rollback ? 100 : 0 } : {};
    let hookDetails: Record<string, unknown> | undefined;
    for (let invocation = 0; ; invocation++) {
      readerNow = () => hookNow;
      const before = new Set(executions.keys());
      const event = {
        executionId: `${stage}-${weight}-${invocation}`,
        lifecycleStage: stage,
        resourceArn: SIMULATED_SERVICE_DEPLOYMENT,
        executionDetails: { serviceArn: SERVICE, targetServiceRevisionArn: GREEN_REVISION, testTrafficWeights: test, productionTrafficWeights: production },
        ...(hookDetails ? { hookDetails } : {}),
      };
      const { response } = await handleEcsHookEvent(event, hookDeps);
      readerNow = () => clock.now().getTime();
      for (const name of executions.keys()) {
        if (before.has(name)) continue;
        clock.advance((hookNow - clock.now().getTime()) / 1000);
        await runExecution(name);
      }
      if (response.hookStatus !== 'IN_PROGRESS') {
        answers.push({ stage, weight, at: new Date(hookNow), response, ...(rollback ? { rollback } : {}) });
        return response;
      }
      inProgress += 1;
      hookDetails = response.hookDetails;
      hookNow += (response.callBackDelay ?? ECS_HOOK_CALLBACK_DELAY_SECONDS) * 1000;
    }
  }

  const plan: Array<{ stage: EcsEvaluatedStage; weight: number }> = [
    ...stages.filter((stage) => stage === 'TEST_TRAFFIC_SHIFT' || stage === 'POST_TEST_TRAFFIC_SHIFT').map((stage) => ({ stage, weight: 0 })),
    ...(stages.includes('PRODUCTION_TRAFFIC_SHIFT') ? productionStepWeights(deployment.strategy, deployment.percent).map((weight) => ({ stage: 'PRODUCTION_TRAFFIC_SHIFT' as const, weight })) : []),
    ...(stages.includes('POST_PRODUCTION_TRAFFIC_SHIFT') ? [{ stage: 'POST_PRODUCTION_TRAFFIC_SHIFT' as const, weight: 100 }] : []),
  ];
  let outcome: SimulatedEcsNativeResult['outcome'] = 'deployed';
  let failedAfterSeconds: number | undefined;
  for (const { stage, weight } of plan) {
    // The production stage's hook runs with the step's traffic shifted (the weights its payload shows).
    if (stage === 'PRODUCTION_TRAFFIC_SHIFT') shifts.push({ at: hookNow, weight });
    const response = await invokeUntilAnswered(stage, weight);
    if (response.hookStatus === 'FAILED') {
      outcome = 'rolled-back';
      failedAfterSeconds = (hookNow - deployment.start.getTime()) / 1000;
      shifts.push({ at: hookNow, weight: 0 });
      // ECS Developer Guide, "Lifecycle hooks during rollback": the traffic-shift stages' hooks run again.
      for (const rollbackStage of stages.filter((s) => s === 'PRODUCTION_TRAFFIC_SHIFT' || s === 'TEST_TRAFFIC_SHIFT')) await invokeUntilAnswered(rollbackStage, 0, true);
      break;
    }
  }
  return { answers, inProgress, outcome, ...(failedAfterSeconds !== undefined ? { failedAfterSeconds } : {}), verdictEvents, verdictMetrics, executions: runs };
}
