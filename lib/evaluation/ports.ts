import type { SecretReference } from '../policy';
import type { CostPerRequestFigure } from './verdict-metric';
import type { OverrideOutcome } from './override/record';
/**
 * The evaluation steps talk to the world only through these ports. Each has an AWS adapter
 * (`lib/adapters/aws`) and a simulated one (`lib/simulate`), so the Lambdas and the local
 * simulation run the same steps.
 */

/** One CloudWatch `MetricStat` query for one version of one metric. */
export interface MetricStatQuery {
  /** Unique in the request; `^[a-z][a-zA-Z0-9_]*$` as CloudWatch requires. */
  readonly id: string;
  readonly namespace: string;
  readonly metricName: string;
  readonly dimensions: Readonly<Record<string, string>>;
  readonly stat: string;
  /** Period in seconds. */
  readonly period: number;
}

/** A metric-math expression (`SEARCH`, arithmetic…) for one version, its placeholders already filled in. */
export interface MetricExpressionQuery {
  readonly id: string;
  readonly expression: string;
  /** Period in seconds. */
  readonly period: number;
}

export type MetricQuery = MetricStatQuery | MetricExpressionQuery;

export function isExpressionQuery(query: MetricQuery): query is MetricExpressionQuery {
  return 'expression' in query;
}

/** The datapoints of one query, oldest first. A period with no datapoint is absent. */
export interface MetricSeriesResult {
  readonly id: string;
  /** Period start times, epoch seconds. */
  readonly timestamps: readonly number[];
  readonly values: readonly number[];
  /**
   * Set when the source could not return the whole series, even after re-reading it: CloudWatch's
   * `StatusCode` (`PartialData`, `InternalError`, `Forbidden`; `NoResult` when the query had no result)
   * and its `Messages` (CloudWatch API Reference, MetricDataResult). The metrics it feeds are not
   * judged on it. @default - complete
   */
  readonly incomplete?: { readonly status: string; readonly messages: readonly string[] };
}

/**
 * The source could not read the metrics within the time one look may spend on them (GetMetricData
 * throttled throughout): the look is skipped, not failed.
 */
export class MetricsThrottledError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'MetricsThrottledError';
  }
}

export interface TimeWindow {
  readonly start: Date;
  readonly end: Date;
}

/** CloudWatch `GetMetricData`, or a simulation of it. */
export interface MetricSource {
  getMetricData(queries: readonly MetricQuery[], window: TimeWindow): Promise<MetricSeriesResult[]>;
}

/** The current state of named CloudWatch alarms (`DescribeAlarms`), for alarm-gate metrics. */
export interface AlarmStateSource {
  getAlarmStates(alarmNames: readonly string[]): Promise<ReadonlyArray<{ readonly name: string; readonly state: 'OK' | 'ALARM' | 'INSUFFICIENT_DATA' }>>;
}

/** What CodeDeploy knows of a deployment (`GetDeployment` + `GetApplicationRevision`). */
export interface DeploymentInfo {
  readonly deploymentId: string;
  readonly applicationName: string;
  readonly deploymentGroupName: string;
  /** `user`, `autoscaling`, `codeDeployRollback`… rollbacks are not judged as releases. */
  readonly creator?: string;
  readonly status?: string;
  /** The AppSpec (YAML or JSON) of the revision. */
  readonly appSpecContent: string;
  /** When the deployment was created: the bake's baseline window ends here. */
  readonly createTime?: Date;
  /** `Server`, `Lambda` or `ECS`. */
  readonly computePlatform?: string;
}

/**
 * One task set of an ECS blue/green deployment target (CodeDeploy API Reference, `ECSTaskSet`):
 * `Blue` is the original task set, `Green` the replacement.
 */
export interface EcsTaskSet {
  /** `Blue` or `Green` (`taskSetLabel`). */
  readonly label: string;
  /** The target group serving this task set (`targetGroup.name`), a plain name. */
  readonly targetGroupName?: string;
  /** Share of production traffic, 0–100 (`trafficWeight`). */
  readonly trafficWeight?: number;
  /** The ECS task set id (`identifer`, sic, in the API). */
  readonly identifier?: string;
}

/** An ECS deployment's target (`<cluster>:<service>`) and its task sets. */
export interface EcsDeploymentTarget {
  readonly targetId: string;
  readonly taskSets: readonly EcsTaskSet[];
}

export interface DeploymentReader {
  readDeployment(deploymentId: string): Promise<DeploymentInfo>;
  /** ECS only: `ListDeploymentTargets` + `GetDeploymentTarget`, the task sets of the deployment's service. */
  readEcsTarget(deploymentId: string): Promise<EcsDeploymentTarget>;
}

export interface HookIds {
  readonly deploymentId: string;
  readonly lifecycleEventHookExecutionId: string;
}

export type HookStatus = 'Succeeded' | 'Failed';

/** `PutLifecycleEventHookExecutionStatus`; a second report of the same hook is `already-completed`. */
export interface HookReporter {
  report(ids: HookIds, status: HookStatus): Promise<'reported' | 'already-completed'>;
}

/** Starts the evaluation state machine; a name already used is `already-exists` (duplicate hook). */
export interface EvaluationStarter {
  start(name: string, input: object): Promise<'started' | 'already-exists'>;
  /**
   * Whether an execution of this name exists (`DescribeExecution`): asked after `start` failed, which
   * it may do after it created the execution (a timeout, a lost response). Throws when it cannot tell.
   */
  exists(name: string): Promise<boolean>;
}

/**
 * The status CodeDeploy holds for one lifecycle event of a deployment (`GetDeploymentTarget`'s
 * `lifecycleEvents`), whoever reported it: `Succeeded` or `Failed` once the hook is completed; throws
 * while it is not, or when it cannot be read.
 */
export interface HookStatusReader {
  readStatus(deploymentId: string, lifecycleEvent: string): Promise<HookStatus>;
}

/** Where a registered deployment group's policy is stored (an S3 object deployed by the construct). */
export interface PolicyRef {
  readonly bucket: string;
  readonly key: string;
}

export interface PolicyStore {
  /** The policy document as stored (JSON); the caller validates it. */
  load(ref: PolicyRef): Promise<unknown>;
}

/** Deployment statuses in which traffic may still be shifting (CodeDeploy API Reference, DeploymentInfo.status). */
export const IN_PROGRESS_STATUSES: readonly string[] = ['Created', 'Queued', 'InProgress', 'Baking', 'Ready'];

/** Whether CodeDeploy has finished shifting production traffic to the new version. */
export interface TrafficShift {
  readonly complete: boolean;
  /** What was read, for the watch's reason: weights or the AllowTraffic lifecycle event. */
  readonly detail: string;
}

/** `GetDeployment` status and `StopDeployment` (with automatic rollback), for the canary watch. */
export interface DeploymentControl {
  readStatus(deploymentId: string): Promise<string>;
  /**
   * The traffic shift's progress (`GetDeploymentTarget`): `GetDeployment` stays `InProgress` through
   * `AfterAllowTraffic` and carries no weights. @default - unknown; the watch runs to its maximum duration
   */
  readShift?(deploymentId: string): Promise<TrafficShift>;
  stop(deploymentId: string): Promise<'stopped' | 'not-in-progress'>;
}

/** One invocation of a Lambda version (`Invoke` with `Qualifier`). */
export interface InvocationResult {
  /** `Unhandled`/`Handled` when the function returned an error. */
  readonly functionError?: string;
  /** The response payload as text. */
  readonly payload: string;
}

export interface FunctionInvoker {
  invoke(functionName: string, qualifier: string, payload: string): Promise<InvocationResult>;
}

export interface HttpRequest {
  readonly url: string;
  readonly method: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly body?: string;
  readonly timeoutMs: number;
}

export interface HttpResponse {
  readonly status: number;
  readonly body: string;
}

/**
 * Reads a smoke-test header's secret at run time (Secrets Manager `GetSecretValue`, SSM `GetParameter`
 * with decryption); throws when it cannot. The value never goes into state, logs or reasons.
 */
export interface SecretResolver {
  resolve(reference: SecretReference): Promise<string>;
}

export interface HttpClient {
  request(request: HttpRequest): Promise<HttpResponse>;
}

/** Who and what a verdict is about: the verdict metric's dimensions and the deployment. */
export interface VerdictSubject {
  readonly deploymentId: string;
  readonly applicationName: string;
  readonly deploymentGroupName: string;
  readonly lifecycleEvent: string;
}

/** The `Canary Verdict` event: the full explained verdict of one hook (or of the canary watch). */
export interface VerdictEvent extends VerdictSubject {
  readonly status: HookStatus | 'NotReported';
  /** `inconclusive`: the deadline came without a verdict (`status` then says what `onInconclusive` made of it). */
  readonly decision: 'pass' | 'fail' | 'error' | 'inconclusive';
  readonly cause: string;
  readonly reason: string;
  readonly dryRun: boolean;
  /** What CodeDeploy did, in words: "promoted", "promoted without a verdict", "rolled back"… (`codeDeployAction`). */
  readonly codeDeploy?: string;
  /** Where the HTML report of this evaluation is (when the evaluator keeps reports). */
  readonly reportUrl?: string;
  /** Seconds from the hook invocation to this verdict. */
  readonly timeToVerdictSeconds: number;
  readonly verdict?: unknown;
  /**
   * A break-glass override of this evaluation (`canary-eval override`): who, what, why, and whether it
   * was honoured (`cause: "override"` then) or refused. Counted in the `Overrides` metric.
   */
  readonly override?: OverrideOutcome;
}

/** Where verdicts go: the verdict metric (`PutMetricData`), the `Canary Verdict` event (`PutEvents`). */
export interface VerdictSink {
  /** `VerdictFailed` 0/1 for one tick of a running evaluation. */
  /** With it, in the same call, each arm's `CostPerRequest` of the tick's cost metrics. */
  publishTick(subject: VerdictSubject, failed: boolean, costs?: readonly CostPerRequestFigure[]): Promise<void>;
  /**
   * The final verdict's metrics in one `PutMetricData` call: `Verdicts`, `Rollbacks`, `Inconclusive`,
   * `TimeToVerdictSeconds`. One publication step: the ledger marks it apart from the event.
   */
  publishVerdictMetrics(event: VerdictEvent): Promise<void>;
  /** The final verdict's `Canary Verdict` event (`PutEvents`). The other publication step. */
  publishVerdictEvent(event: VerdictEvent): Promise<void>;
}

/** The steps of making one verdict known, each done once: the verdict metrics, the event, the notification. */
export const PUBLICATION_STEPS = ['metrics', 'event', 'notification'] as const;
export type PublicationStep = (typeof PUBLICATION_STEPS)[number];

/** A verdict CodeDeploy accepted, recorded by the step that reported it, until each publication step is done. */
export interface PendingPublication {
  /** `publicationKey(event)`: one per hook (deployment and lifecycle event). */
  readonly key: string;
  readonly event: VerdictEvent;
  /** The execution input and ARN, for the notification (`NotificationSource`). */
  readonly execution?: unknown;
  readonly executionArn?: string;
  /** When the report was accepted (ISO 8601): the sweep leaves younger records to the publish Task. */
  readonly acceptedAt: string;
}

/**
 * The publication ledger (issue 11): a durable "done" marker per verdict and publication step, and the
 * pending record of each accepted verdict, so that a publish retried, or finished by the sweep, makes
 * each step once.
 */
export interface PublicationLedger {
  /** The steps marked done for this verdict. */
  doneSteps(key: string): Promise<ReadonlySet<PublicationStep>>;
  /** Marks a step done; `already-marked` when another publisher marked it first. */
  markDone(key: string, step: PublicationStep): Promise<'marked' | 'already-marked'>;
  /** Records an accepted verdict; the first record of a key stands, and is returned. */
  recordPending(record: PendingPublication): Promise<PendingPublication>;
  /**
   * The records not yet completed; `unreadable` names those that cannot be parsed, so one bad record
   * is reported by every sweep instead of stopping the sweep of all the others.
   */
  listPending(): Promise<{ readonly records: readonly PendingPublication[]; readonly unreadable: readonly string[] }>;
  /** Every step is done: the record is no longer pending (its markers stay). */
  complete(key: string): Promise<void>;
}

/** `DescribeExecution`: the input of an execution, when the status-change event does not carry it. */
export interface ExecutionInputReader {
  readInput(executionArn: string): Promise<string | undefined>;
}

/** An execution that ended, as `ListExecutions` lists it. */
export interface EndedExecution {
  readonly executionArn: string;
  readonly status: string;
  readonly stopDate?: Date;
}

/** `ListExecutions`: the executions of a state machine that ended with one of `statuses` at or after `since`. */
export interface EndedExecutionLister {
  listEnded(stateMachineArn: string, since: Date, statuses: readonly string[]): Promise<readonly EndedExecution[]>;
}

/**
 * What an execution's own history holds of its hook (`GetExecutionHistory`): its input, and the result
 * (`$.report`) of each report state that exited, oldest first. The record that a verdict was accepted
 * lives there whatever became of the publication ledger.
 */
export interface ExecutionRecord {
  readonly input?: string;
  readonly reportResults: readonly unknown[];
}

export interface ExecutionRecordReader {
  readRecord(executionArn: string): Promise<ExecutionRecord>;
}

/** Where the HTML report of each evaluation is kept (the evaluator's report bucket). */
export interface ReportStore {
  /** Stores the report under `key`; returns where a person opens it. */
  put(key: string, html: string): Promise<{ readonly url: string }>;
}

/** Where an evaluation's notification goes (`Publish` to an SNS topic a chat channel may subscribe to). */
export interface Notifier {
  publish(topicArn: string, message: string, subject: string): Promise<void>;
}
