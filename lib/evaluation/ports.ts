/**
 * The evaluation steps talk to the world only through these ports. Each has an AWS adapter
 * (`lib/adapters/aws`) and a simulated one (`lib/simulate`), so the Lambdas and the local
 * simulation run the same steps.
 */

/** One CloudWatch `MetricStat` query for one version of one metric. */
export interface MetricQuery {
  /** Unique in the request; `^[a-z][a-zA-Z0-9_]*$` as CloudWatch requires. */
  readonly id: string;
  readonly namespace: string;
  readonly metricName: string;
  readonly dimensions: Readonly<Record<string, string>>;
  readonly stat: string;
  /** Period in seconds. */
  readonly period: number;
}

/** The datapoints of one query, oldest first. A period with no datapoint is absent. */
export interface MetricSeriesResult {
  readonly id: string;
  /** Period start times, epoch seconds. */
  readonly timestamps: readonly number[];
  readonly values: readonly number[];
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
}

export interface DeploymentReader {
  readDeployment(deploymentId: string): Promise<DeploymentInfo>;
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
