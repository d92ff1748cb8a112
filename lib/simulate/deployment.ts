import type { CostPerRequestFigure } from '../evaluation/verdict-metric';
import { reportSwitchesFromPolicy } from '../evaluation/conclude';
import { DEFAULT_EVALUATION_TIMEOUT_SECONDS, PUBLICATION_GRACE_SECONDS, SWEEP_INTERVAL_MINUTES, sweepEvent } from '../evaluation/contracts';
import { createEvaluateHandler, createHookHandler, createPrepareHandler, createReportHandler, createSmokeHandler, createWatchHandler } from '../evaluation/handlers';
import { STATE, TASK_STATES, type TaskState } from '../constructs/evaluation-definition';
import type {
  DeploymentInfo,
  EcsDeploymentTarget,
  EcsTargets,
  EvaluationInput,
  EvaluationStarter,
  FunctionInvoker,
  HookIds,
  HookStatus,
  HttpClient,
  SecretResolver,
  LifecycleEvent,
  MetricQuery,
  MetricSource,
  PublicationLedger,
  TickResult,
  TimeWindow,
  VerdictEvent,
  VerdictSink,
  VerdictSubject,
  WatchTickResult,
} from '../evaluation';
import type { Policy } from '../policy';
import type { LogsQueryRunner } from '../evaluation/logs/ports';
import { SILENT_RUNTIME } from '../evaluation/handlers/runtime';
import type { NotificationChannel } from '../evaluation/notify';
import type { IdentityVerifier, OverrideStore } from '../evaluation/override/look';
import { VirtualClock } from './clock';
import type { InMemoryChangeFailures } from './promotion-store';
import { InMemoryPublicationLedger } from './publication-ledger';
import { runLocally, type LocalRunResult, type TaskHandler } from './run-local';
import type { SimulatedTracing } from './tracing';

/** What a simulated deployment ended with: what CodeDeploy heard, the verdict timeline and the outputs. */
export interface SimulatedDeploymentResult {
  readonly reports: ReadonlyArray<{ readonly status: HookStatus; readonly at: Date }>;
  readonly ticks: ReadonlyArray<{ readonly at: Date; readonly tick: TickResult }>;
  readonly watchTicks: ReadonlyArray<{ readonly at: Date; readonly tick: WatchTickResult }>;
  /** `Canary Verdict` events published. */
  readonly verdictEvents: readonly VerdictEvent[];
  /** The verdicts whose metrics (`Verdicts` 1, `Rollbacks`…) were published, in order: each counts once in `Verdicts`. */
  readonly verdictMetrics: readonly VerdictEvent[];
  /** `VerdictFailed` values published, in order. */
  readonly verdictFailed: readonly number[];
  readonly costPerRequest: readonly CostPerRequestFigure[];
  /** `StopDeployment` calls. */
  readonly stops: number;
  /** Hook invocations that started an execution, and those that were duplicates. */
  readonly hookOutcomes: readonly string[];
  readonly execution: LocalRunResult;
  /** Set when the execution did not succeed: what the reaper (EventBridge → report Lambda) did. */
  readonly reaper?: unknown;
  /** What the first sweep after the execution ended did (it runs whether or not the status event arrived). */
  readonly sweep: unknown;
  /** What the first sweep past `PUBLICATION_GRACE_SECONDS` did: it finishes a publication the publish Task could not. */
  readonly publicationSweep?: unknown;
  /** For the cost benchmark: Lambda invocations per Task state, GetMetricData calls and metrics requested. */
  readonly usage: { readonly invocations: Readonly<Record<string, number>>; readonly getMetricDataCalls: number; readonly metricsRequested: number };
}

/** A Lambda deployment's AppSpec. */
export interface SimulatedLambdaAppSpec {
  readonly functionName: string;
  readonly alias: string;
  readonly currentVersion: string;
  readonly targetVersion: string;
}

/** An ECS blue/green deployment: its AppSpec, what CodeDeploy reports of its task sets, and the hook's `ECS_TARGETS`. */
export interface SimulatedEcsAppSpec {
  readonly type: 'ecs';
  readonly taskDefinition: string;
  readonly containerName: string;
  readonly containerPort: number;
  readonly targets: EcsTargets;
  readonly deploymentTarget: EcsDeploymentTarget;
}

export interface SimulatedDeployment {
  readonly deploymentId: string;
  readonly policy: Policy;
  /** The simulated CloudWatch, or a factory given the virtual clock (metrics appear as time passes). */
  readonly metrics: MetricSource | ((now: () => Date) => MetricSource);
  readonly start: Date;
  /** The AppSpec CodeDeploy would hold for this deployment. */
  readonly appSpec: SimulatedLambdaAppSpec | SimulatedEcsAppSpec;
  readonly lifecycleEvent?: LifecycleEvent;
  /** `codeDeployRollback` simulates a rollback deployment. @default user */
  readonly creator?: string;
  /** Lambda smoke tests' invocations. @default every invocation answers `{ "statusCode": 200 }` */
  readonly invoker?: FunctionInvoker;
  readonly http?: HttpClient;
  /** When the deployment stops being in progress (ends the canary watch). @default never within the run */
  readonly deploymentEndsAt?: Date;
  /** When CodeDeploy has shifted all traffic (ends the canary watch, as `GetDeploymentTarget` weights do). @default - unknown: the watch ends with the deployment or its maximum duration */
  readonly shiftEndsAt?: Date;
  /** Hook invocations CodeDeploy makes (a retried async invocation is a duplicate). @default 1 */
  readonly hookInvocations?: number;
  /** Fault injection: wraps each Task's handler (the fault matrix). */
  readonly wrapTask?: (state: TaskState, handler: TaskHandler) => TaskHandler;
  /** Wraps the CodeDeploy reporter (e.g. to fail transiently). */
  readonly wrapReport?: (report: (ids: HookIds, status: HookStatus) => Promise<'reported' | 'already-completed'>) => (ids: HookIds, status: HookStatus) => Promise<'reported' | 'already-completed'>;
  /** Fault injection on StartExecution and its lookup (`DescribeExecution`), e.g. an error after the execution was created. */
  readonly wrapStarter?: (starter: EvaluationStarter) => EvaluationStarter;
  /** Fault injection on the reaper (EventBridge → report Lambda), e.g. the ledger down while it publishes. */
  readonly wrapReaper?: (handler: TaskHandler) => TaskHandler;
  /** Fault injection on the publication ledger (the report bucket's `publications/`), e.g. unavailable while some Tasks run. */
  readonly wrapLedger?: (ledger: PublicationLedger) => PublicationLedger;
  /** Whether EventBridge delivers the ended execution's status event (best effort: it may be lost). @default 'delivered' */
  readonly statusEvent?: 'delivered' | 'lost';
  /** The state machine's timeout, seconds of virtual time from the hook. @default DEFAULT_EVALUATION_TIMEOUT_SECONDS (as the construct) */
  readonly executionTimeoutSeconds?: number;
  /** The evaluator's notification channel (report and watch functions, as `EvaluatorNotifications` wires them). @default - none */
  readonly notifications?: NotificationChannel;
  /** The evaluator's spans, the trace carried as on AWS (`SimulatedTracing`). @default - no spans */
  readonly tracing?: SimulatedTracing;
  /** Logs Insights for a policy's `logs` signal (lib/simulate/logs), or a factory given the virtual clock. @default - none */
  readonly logs?: LogsQueryRunner | ((now: () => Date) => LogsQueryRunner);
  /**
   * Break-glass overrides (lib/evaluation/override): whether the registration allows them, the records
   * (the report bucket's `overrides/`, given the virtual clock: a record appears when on call writes it)
   * and STS's answer to a proof. @default - none: the hook passes no override settings, nothing looks
   */
  readonly overrides?: { readonly allowed: boolean; readonly store: (now: () => Date) => OverrideStore; readonly identity: IdentityVerifier };
  /** The group's last promotion and escaped change failures, shared by its simulated deployments (the report bucket's `change-failures/`). @default - not tracked */
  readonly changeFailures?: InMemoryChangeFailures;
}

/** The simulated report bucket, where override records are. */
export const SIMULATED_REPORT_BUCKET = 'simulated-reports';

/**
 * Runs one hook end to end, locally: the real hook handler receives the CodeDeploy event, the
 * synthesized state machine runs with the real handlers bound to simulated adapters, time passes only
 * on the virtual clock, and an execution that does not succeed goes to the real report handler as the
 * reaper's EventBridge event would.
 */
export async function simulateDeployment(definition: Record<string, unknown>, deployment: SimulatedDeployment): Promise<SimulatedDeploymentResult> {
  const clock = new VirtualClock(deployment.start);
  const lifecycleEvent = deployment.lifecycleEvent ?? 'AfterAllowTraffic';
  const reports: Array<{ status: HookStatus; at: Date }> = [];
  const ticks: Array<{ at: Date; tick: TickResult }> = [];
  const watchTicks: Array<{ at: Date; tick: WatchTickResult }> = [];
  const verdictEvents: VerdictEvent[] = [];
  const verdictMetrics: VerdictEvent[] = [];
  const verdictFailed: number[] = [];
  // What the simulated CloudWatch records of CostPerRequest, in publication order.
  const costPerRequest: CostPerRequestFigure[] = [];
  const invocations: Record<string, number> = {};
  const usage = { getMetricDataCalls: 0, metricsRequested: 0 };
  let stops = 0;

  // CodeDeploy: the first report of the hook stands; later ones find it already completed.
  const baseReport = async (_ids: HookIds, status: HookStatus) => {
    if (reports.length > 0) return 'already-completed' as const;
    reports.push({ status, at: clock.now() });
    return 'reported' as const;
  };
  const report = deployment.wrapReport ? deployment.wrapReport(baseReport) : baseReport;
  const reporter = { report };
  const policies = { load: async () => deployment.policy };
  const sink: VerdictSink = {
    async publishTick(_subject: VerdictSubject, failed: boolean, costs: readonly CostPerRequestFigure[] = []) {
      verdictFailed.push(failed ? 1 : 0);
      costPerRequest.push(...costs);
    },
    async publishVerdictMetrics(event: VerdictEvent) {
      verdictMetrics.push(event);
    },
    async publishVerdictEvent(event: VerdictEvent) {
      verdictEvents.push(event);
    },
  };
  const source = typeof deployment.metrics === 'function' ? deployment.metrics(() => clock.now()) : deployment.metrics;
  const metrics: MetricSource = {
    async getMetricData(queries: readonly MetricQuery[], window: TimeWindow) {
      usage.getMetricDataCalls += 1;
      usage.metricsRequested += queries.length;
      return source.getMetricData(queries, window);
    },
  };
  const { appSpec } = deployment;
  const ecs = 'type' in appSpec ? appSpec : undefined;
  const deploymentInfo: DeploymentInfo = {
    deploymentId: deployment.deploymentId,
    applicationName: 'demo-app',
    deploymentGroupName: 'demo-group',
    creator: deployment.creator ?? 'user',
    createTime: deployment.start,
    computePlatform: ecs ? 'ECS' : 'Lambda',
    appSpecContent: JSON.stringify({ version: 0.0, Resources: [ecs ? ecsResource(ecs) : lambdaResource(appSpec as SimulatedLambdaAppSpec)] }),
  };

  const { tracing } = deployment;
  const runtime = tracing?.runtime ?? SILENT_RUNTIME;
  let executionInput: EvaluationInput | undefined;
  let startedName = deployment.deploymentId;
  let executionTraceHeader: string | undefined;
  const hook = createHookHandler({
    lifecycleEvent,
    policyRef: { bucket: 'simulated', key: `${deployment.deploymentId}.json` },
    switches: reportSwitchesFromPolicy(deployment.policy),
    ...(deployment.overrides ? { override: { bucket: SIMULATED_REPORT_BUCKET, allowed: deployment.overrides.allowed } } : {}),
    // The simulated registration allows the hosts its policy names (what allowedSmokeTestHosts would list).
    allowedHosts: deployment.policy.smokeTests.flatMap((test) => (test.type === 'http' ? [new URL(test.url).hostname] : [])),
    deployments: {
      readDeployment: async () => deploymentInfo,
      readEcsTarget: async () => {
        if (!ecs) throw new Error('not an ECS deployment');
        return ecs.deploymentTarget;
      },
    },
    ...(ecs ? { ecsTargets: ecs.targets } : {}),
    starter: (deployment.wrapStarter ?? ((starter: EvaluationStarter) => starter))({
      async start(name, input) {
        if (executionInput) return 'already-exists';
        executionInput = input as EvaluationInput;
        startedName = name;
        executionTraceHeader = tracing?.executionTraceHeader();
        return 'started';
      },
      exists: async () => executionInput !== undefined,
    }),
    reporter,
    now: () => clock.now(),
    log: { info: () => undefined, error: () => undefined },
  }, runtime);
  const hookOutcomes: string[] = [];
  const hookEvent = { DeploymentId: deployment.deploymentId, LifecycleEventHookExecutionId: `hook-${deployment.deploymentId}` };
  for (let i = 0; i < (deployment.hookInvocations ?? 1); i++) hookOutcomes.push((await (tracing ? tracing.hook(lifecycleEvent, () => hook(hookEvent)) : hook(hookEvent))).outcome);
  const result = { reports, ticks, watchTicks, verdictEvents, verdictMetrics, verdictFailed, costPerRequest, hookOutcomes };
  if (!executionInput) {
    return { ...result, stops, usage: { invocations, ...usage }, execution: { status: 'SUCCEEDED', error: 'the hook did not start an evaluation', statesEntered: [], taskExits: [] }, sweep: undefined };
  }

  // The hook's deterministic name (`executionName`), as Step Functions names the execution.
  const executionArn = `arn:aws:states:us-east-1:123456789012:execution:Evaluation:${startedName}`;
  // ListExecutions of the statuses asked: this execution, once it has ended so.
  const ended: { execution?: { status: string; stopDate: Date }; run?: LocalRunResult } = {};
  const endedExecutions = { listEnded: async (_arn: string, _since: Date, statuses: readonly string[]) => (ended.execution && statuses.includes(ended.execution.status) ? [{ executionArn, ...ended.execution }] : []) };
  // GetExecutionHistory: the input, and the report states' results (`$.report` of each TaskStateExited).
  const records = {
    readRecord: async () => ({
      input: JSON.stringify(executionInput),
      reportResults: (ended.run?.taskExits ?? []).filter((exit) => exit.state === STATE.report || exit.state === STATE.reportError).map((exit) => (exit.output as { report?: unknown } | undefined)?.report),
    }),
  };
  // CodeDeploy's lifecycle event status (GetDeploymentTarget): the first report stands.
  const hookStatus = {
    readStatus: async () => {
      if (reports.length === 0) throw new Error('the lifecycle event is InProgress, not Succeeded or Failed');
      return reports[0].status;
    },
  };
  const ledger = new InMemoryPublicationLedger();
  const reportHandler = createReportHandler(
    {
      reporter,
      sink,
      ledger: deployment.wrapLedger ? deployment.wrapLedger(ledger) : ledger,
      records,
      hookStatus,
      executions: { readInput: async () => JSON.stringify(executionInput) },
      endedExecutions,
      now: () => clock.now(),
      ...(deployment.notifications ? { notifications: deployment.notifications } : {}),
      ...(deployment.changeFailures ? { changeFailures: { store: deployment.changeFailures, sink: deployment.changeFailures } } : {}),
    },
    runtime,
  );
  const control = {
    readStatus: async () => (deployment.deploymentEndsAt && clock.now() >= deployment.deploymentEndsAt ? 'Succeeded' : 'InProgress'),
    ...(deployment.shiftEndsAt
      ? { readShift: async () => ({ complete: clock.now() >= deployment.shiftEndsAt!, detail: clock.now() >= deployment.shiftEndsAt! ? 'target version weight 1' : 'target version weight 0.1' }) }
      : {}),
    stop: async () => ((stops += 1), 'stopped' as const),
  };
  const invoker: FunctionInvoker = deployment.invoker ?? { invoke: async () => ({ payload: '{"statusCode":200}' }) };
  const http: HttpClient = deployment.http ?? { request: async () => ({ status: 200, body: '{}' }) };
  // No AWS secret is read offline: a header's secret reference stands for a placeholder the simulated HTTP client receives.
  const secrets: SecretResolver = { resolve: async (reference) => `simulated-secret:${reference.secret ?? reference.parameter}` };
  const smoke = createSmokeHandler({ policies, invoker, http, stopwatch: () => performance.now(), secrets }, runtime);
  const logs = typeof deployment.logs === 'function' ? deployment.logs(() => clock.now()) : deployment.logs;
  const overrides = deployment.overrides ? { overrides: { overrides: deployment.overrides.store(() => clock.now()), identity: deployment.overrides.identity } } : {};
  const evaluate = createEvaluateHandler({ policies, metrics, sink, now: () => clock.now(), ...overrides, ...(logs ? { logs } : {}) }, runtime);
  const notifications = deployment.notifications ? { notifications: deployment.notifications } : {};
  const watch = createWatchHandler({ policies, metrics, control, sink, now: () => clock.now(), ...notifications, ...overrides }, runtime);

  // Fault injection wraps the Lambda handlers themselves; the clock and the counters wrap around them.
  const lambdas: Record<TaskState, TaskHandler> = {
    [STATE.prepare]: createPrepareHandler({ policies }, runtime),
    [STATE.preSmoke]: smoke,
    [STATE.postSmoke]: smoke,
    [STATE.evaluate]: evaluate,
    [STATE.watch]: watch,
    [STATE.report]: reportHandler,
    [STATE.reportError]: reportHandler,
    [STATE.publish]: reportHandler,
    [STATE.publishError]: reportHandler,
  };
  // The Wait state before a tick lasted the previous tick's `waitSeconds`.
  let pendingWait = 0;
  const timed =
    (handler: TaskHandler, record: (tick: unknown) => void): TaskHandler =>
    async (input) => {
      clock.advance(pendingWait);
      pendingWait = 0;
      const tick = (await handler(input)) as { waitSeconds?: unknown } | undefined;
      // As the Choice states do: a wait outside 1 s–1 h goes to Malformed step result, not to a Wait.
      pendingWait = typeof tick?.waitSeconds === 'number' && tick.waitSeconds >= 1 && tick.waitSeconds <= 3600 ? tick.waitSeconds : 0;
      record(tick);
      return tick;
    };
  const bound = Object.fromEntries(
    TASK_STATES.map((state) => {
      let handler = deployment.wrapTask ? deployment.wrapTask(state, lambdas[state]) : lambdas[state];
      if (state === STATE.evaluate) handler = timed(handler, (tick) => ticks.push({ at: clock.now(), tick: tick as TickResult }));
      if (state === STATE.watch) handler = timed(handler, (tick) => watchTicks.push({ at: clock.now(), tick: tick as WatchTickResult }));
      const counted = handler;
      const invoke = (input: unknown) => ((invocations[state] = (invocations[state] ?? 0) + 1), counted(input));
      return [state, tracing ? (input: unknown) => tracing.task(state, executionTraceHeader, input, () => invoke(input)) : invoke];
    }),
  ) as Record<TaskState, TaskHandler>;

  const timeoutAt = Date.parse(executionInput.hookInvokedAt) + (deployment.executionTimeoutSeconds ?? DEFAULT_EVALUATION_TIMEOUT_SECONDS) * 1000;
  // Checked before each Task: if the pending Wait ends past the timeout, the execution timed out at the timeout.
  const shouldTimeOut = () => {
    if (clock.now().getTime() + pendingWait * 1000 < timeoutAt) return false;
    clock.advance((timeoutAt - clock.now().getTime()) / 1000);
    return true;
  };
  const execution = await runLocally(definition, executionInput, bound, { shouldTimeOut });

  // The reaper: EventBridge delivers FAILED / TIMED_OUT / ABORTED executions to the report Lambda.
  let reaper: unknown;
  ended.execution = { status: execution.status, stopDate: clock.now() };
  ended.run = execution;
  if (execution.status !== 'SUCCEEDED' && deployment.statusEvent !== 'lost') {
    const reaperEvent = {
      version: '0',
      source: 'aws.states',
      'detail-type': 'Step Functions Execution Status Change',
      detail: { executionArn, status: execution.status, input: JSON.stringify(executionInput) },
    };
    const reaperHandler = deployment.wrapReaper ? deployment.wrapReaper(reportHandler) : reportHandler;
    reaper = await (tracing ? tracing.untraced(() => reaperHandler(reaperEvent)) : reaperHandler(reaperEvent));
  }
  // The schedule's next sweep, at worst a full interval after the execution ended.
  clock.advance(SWEEP_INTERVAL_MINUTES * 60);
  const sweepInput = sweepEvent('arn:aws:states:us-east-1:123456789012:stateMachine:Evaluation');
  const sweepOnce = () => (tracing ? tracing.untraced(() => reportHandler(sweepInput)) : reportHandler(sweepInput));
  const sweep = await sweepOnce();
  // The first scheduled sweep past the grace finishes what no publish Task could (the execution has ended: nothing was accepted later).
  const interval = SWEEP_INTERVAL_MINUTES * 60;
  clock.advance(Math.ceil(PUBLICATION_GRACE_SECONDS / interval) * interval - interval);
  const publicationSweep = await sweepOnce();
  return { ...result, stops, usage: { invocations, ...usage }, execution, reaper, sweep, publicationSweep };
}

/** CodeDeploy User Guide, "AppSpec 'resources' section for an AWS Lambda deployment". */
function lambdaResource({ functionName, alias, currentVersion, targetVersion }: SimulatedLambdaAppSpec) {
  return { service: { Type: 'AWS::Lambda::Function', Properties: { Name: functionName, Alias: alias, CurrentVersion: currentVersion, TargetVersion: targetVersion } } };
}

/** CodeDeploy User Guide, "AppSpec 'resources' section for Amazon ECS deployments". */
function ecsResource({ taskDefinition, containerName, containerPort }: SimulatedEcsAppSpec) {
  return { TargetService: { Type: 'AWS::ECS::Service', Properties: { TaskDefinition: taskDefinition, LoadBalancerInfo: { ContainerName: containerName, ContainerPort: containerPort } } } };
}
