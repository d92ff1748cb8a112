/**
 * The contracts that cross a boundary between the constructs (synth time), the Lambdas (run time), the
 * dashboard and the local simulation, each defined once here.
 */

// The deadlines live with the policy limits that must fit in them (lib/policy/limits.ts): one source.
export { DEFAULT_EVALUATION_TIMEOUT_SECONDS, HOOK_DEADLINE_SECONDS, HOOK_MAX_EVENT_AGE_SECONDS, MAX_WAIT_SECONDS, REPORT_RESERVE_SECONDS } from '../policy/limits';

/** The environment the construct gives a hook function, by variable name. */
export const HOOK_ENVIRONMENT = {
  /** The lifecycle event this function is the hook of (CodeDeploy's event does not say). */
  lifecycleEvent: 'LIFECYCLE_EVENT',
  /** Where the registration's validated policy is stored (an S3 asset). */
  policyBucket: 'POLICY_BUCKET',
  policyKey: 'POLICY_KEY',
  /** The evaluation state machine the hook starts. */
  stateMachineArn: 'STATE_MACHINE_ARN',
  /** ECS hooks only: the load balancer and target groups, as JSON (`lib/evaluation/ecs.ts`). */
  ecsTargets: 'ECS_TARGETS',
  /** Lambda hooks of a group registered with its `alias`: `{ functionName, alias }` as JSON, checked against the AppSpec. */
  lambdaTarget: 'LAMBDA_TARGET',
  /** The hosts the registration's HTTP smoke tests may call, as a JSON list (`lib/constructs/smoke-hosts.ts`). */
  smokeAllowedHosts: 'SMOKE_ALLOWED_HOSTS',
  /** The policy's `dryRun` and `onEvaluatorError`, as JSON: every report of the hook follows them (`reportSwitchesOf`). */
  reportSwitches: 'REPORT_SWITCHES',
  /** `{ bucket, allowed }` as JSON: where this hook's override would be and whether the registration allows one (lib/evaluation/override). */
  overrideSettings: 'OVERRIDE_SETTINGS',
} as const;

/** The EventBridge detail type of Step Functions status events (Step Functions Developer Guide, "Step Functions events"). */
export const EXECUTION_STATUS_CHANGE = 'Step Functions Execution Status Change';

/** Execution statuses the reaper reports `Failed` for: a state-machine timeout or abort cannot be caught inside the machine. */
export const REAPED_EXECUTION_STATUSES = ['FAILED', 'TIMED_OUT', 'ABORTED'] as const;

/**
 * The reaper rule's event pattern for the evaluator's state machines (an EventBridge pattern, as `events.Rule`
 * takes it): the standard one, and the extended one of long ECS native evaluations when there is one.
 */
export function reaperEventPattern(...stateMachineArns: string[]) {
  return {
    source: ['aws.states'],
    detailType: [EXECUTION_STATUS_CHANGE],
    detail: { status: [...REAPED_EXECUTION_STATUSES], stateMachineArn: stateMachineArns },
  };
}

/**
 * The sweep: Step Functions status events are delivered best effort (EventBridge Events Reference,
 * "AWS Step Functions events": *Delivery type: Best effort*; "Delivery level for AWS service events":
 * "in some rare cases an event might not be delivered"), so a schedule also lists the executions that
 * ended FAILED, TIMED_OUT or ABORTED and reports them as the reaper would. Every 2 minutes: a lost
 * TIMED_OUT at the default 55-minute timeout is still reported before the hour.
 */
export const SWEEP_INTERVAL_MINUTES = 2;
/** How far back a sweep looks: three intervals, so the next two sweeps cover one that failed. */
export const SWEEP_LOOKBACK_SECONDS = 3 * SWEEP_INTERVAL_MINUTES * 60;

/** The sweep rule's input to the report function (an EventBridge constant input). */
export function sweepEvent(stateMachineArn: string) {
  return { sweep: { stateMachineArn } };
}

/** The namespace of the evaluator's own EMF telemetry (`CanaryEvaluator` holds the verdict metrics only). */
export const TELEMETRY_NAMESPACE = 'CanaryEvaluatorTelemetry';

/**
 * Fields of the evaluate and watch handlers' tick log line that the dashboard's Logs Insights query
 * reads; the handlers log exactly these keys (besides Powertools' own `correlation_id`).
 */
export const TICK_LOG_FIELDS = ['decision', 'final', 'periodsJudged', 'reason'] as const;
export const TICK_LOG_MESSAGES = { evaluate: 'evaluation tick', watch: 'canary watch tick' } as const;

/**
 * The evaluator's report bucket: the report Lambda writes one HTML report per evaluation under this
 * prefix (and may write nowhere else), named in its environment variable `REPORT_BUCKET`.
 */
export const REPORT_STORE = { prefix: 'reports/', bucketVariable: 'REPORT_BUCKET' } as const;

/**
 * The publication ledger (issue 11) in the report bucket, under its own prefix: a marker per verdict and
 * publication step (`done/<key>/<step>`), and a record per accepted verdict until each step is done
 * (`pending/<key>.json`). The report Lambda may read, write and delete there, list nothing else; the
 * objects expire after `expiryDays`.
 */
export const PUBLICATION_LEDGER = { prefix: 'publications/', expiryDays: 30 } as const;

/**
 * The publish Task's attempts: the report function runs at most `REPORT_FUNCTION_TIMEOUT_SECONDS`, the
 * Task waits a little longer. Every error is retried (the ledger makes each step once).
 */
export const PUBLISH_TASK = { timeoutSeconds: 40, retries: 3, intervalSeconds: 2, backoffRate: 2 } as const;
export const REPORT_FUNCTION_TIMEOUT_SECONDS = 30;

/**
 * The sweep publishes a pending verdict only this long after it was accepted: past the publish Task's
 * last attempt (checked against the synthesized definition in test/constructs/state-machine.test.ts),
 * so it never races that Task. Ten minutes: a publish that kept failing is finished within 12.
 */
export const PUBLICATION_GRACE_SECONDS = 600;
/**
 * How far back a sweep reads the executions that ended (any status) for verdicts they accepted whose
 * publication is not marked done (issue 23 item 3: the ledger was down while the report and publish
 * steps ran, so no pending record exists). Thirty minutes: fifteen sweeps per execution, one ledger
 * read each (and its history only while a step is missing), so a ledger outage of up to half an hour
 * after the execution ended loses nothing.
 */
export const EXECUTION_PUBLICATION_LOOKBACK_SECONDS = 1800;
/** Every execution status after which nothing more runs: the statuses the sweep lists. */
export const ENDED_EXECUTION_STATUSES = ['SUCCEEDED', ...REAPED_EXECUTION_STATUSES] as const;

/** A pending verdict older than this is no longer retried by the sweep (it stays, logged, until it expires). */
export const PUBLICATION_RETRY_SECONDS = 24 * 3600;

/**
 * The evaluator's notification topic, in the report Lambda's environment: `NOTIFICATION_TOPIC_ARN`, and
 * `NOTIFY_ON` (the evaluator's default `on` as JSON; a registration's `notify` switch overrides it).
 */
export const NOTIFICATIONS = { topicVariable: 'NOTIFICATION_TOPIC_ARN', onVariable: 'NOTIFY_ON' } as const;
