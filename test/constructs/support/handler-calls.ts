import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ECS_HOOK_STATUS_STORE } from '../../../lib/evaluation/ecs-native/contract';
import { VERDICT_NAMESPACE } from '../../../lib/evaluation/verdict-metric';

/**
 * The AWS calls each evaluator handler makes, one table per handler: the single list the IAM
 * simulation (test/constructs/iam-simulate.test.ts) checks each role against. `command` is the SDK
 * command an adapter sends; `adapterCommands` reads the handler's wiring and adapters, so a call added
 * to the code without a row here fails the test.
 */
export type Handler = 'prepare' | 'evaluate' | 'smoke' | 'watch' | 'report' | 'hook' | 'ecs-hook';
export const HANDLERS: readonly Handler[] = ['prepare', 'evaluate', 'smoke', 'watch', 'report', 'hook', 'ecs-hook'];

/** What a template resolves to, for building request ARNs (see `resolve` in the test). */
export interface Resolved {
  /** The evaluator's registration tag value (`canary-evaluator=<value>` on registered groups, functions and policy objects). */
  readonly registrationTag: string;
  /** The state machine the role's hook starts (the standard one, or the extended one for a long ECS native evaluation); the standard one for the evaluator's own roles. */
  readonly stateMachineArn: string;
  readonly executionArn: string;
  /** Every state machine of the evaluator (with `ecsNativeMaxHookTimeout`, the extended one too) and an execution of each: the reaper and sweep read them all. */
  readonly machines: ReadonlyArray<{ readonly stateMachineArn: string; readonly executionArn: string }>;
  /** The evaluator's state machines the role's hook does not start. */
  readonly otherStateMachineArns: readonly string[];
  readonly policyObjects: readonly string[];
  /** The registered deployment groups (a hook: its own group only). */
  readonly groups: ReadonlyArray<{ readonly groupArn: string; readonly applicationArn: string; readonly ecs: boolean }>;
  /** Protected functions' versions the smoke tests invoke. */
  readonly functionVersions: readonly string[];
  /** Options of the template's registrations. */
  readonly alarmArns: readonly string[];
  readonly stopsDeployments: boolean;
  readonly revisionObjects: readonly string[];
  /** The evaluator's report bucket(s). */
  readonly reportBuckets: readonly string[];
  /** The evaluator's notification topic, when it has `notifications`. */
  readonly notificationTopics: readonly string[];
  /** The complete ARNs of the secrets, and the parameters, the smoke-test headers name. */
  readonly smokeSecretArns: readonly string[];
  readonly smokeParameterArns: readonly string[];
  /** The log groups the registrations' log signals read (policy `logs.logGroups`), as ARNs. */
  readonly logGroupArns: readonly string[];
}

export interface Call {
  readonly command: string;
  readonly action: string;
  /** The request resources; none: the call does not apply to this template or role. */
  readonly resources: (t: Resolved) => readonly string[];
  /** Request context, e.g. the tags of the resource (`aws:ResourceTag/…`); a function of the template when it names them. */
  readonly context?: Record<string, string> | ((t: Resolved) => Record<string, string>);
}

const ACCOUNT = '123456789012';
/** The registration tag as a registered resource carries it, in the condition key each service reads it by. */
const TAGGED = (t: Resolved) => ({ 'aws:ResourceTag/canary-evaluator': t.registrationTag });
/** S3 fills in the bucket owner's account with every request (`s3:ResourceAccount`); the simulation is told. */
const OWN_OBJECT = { 's3:ResourceAccount': ACCOUNT };
const TAGGED_OBJECT = (t: Resolved) => ({ ...OWN_OBJECT, 's3:ExistingObjectTag/canary-evaluator': t.registrationTag });
const TAGGED_OTHERWISE = { 'aws:ResourceTag/canary-evaluator': 'another-evaluator' };
const DEFAULT_BUS = `arn:aws:events:us-east-1:${ACCOUNT}:event-bus/default`;
const WILDCARD = () => ['*'];
const LEDGER_MARKER = 'publications/done/d-EXAMPLE-AfterAllowTraffic/event';
const LEDGER_PENDING = 'publications/pending/d-EXAMPLE-AfterAllowTraffic.json';
const LAST_PROMOTION = 'change-failures/app/group/last-promotion.json';
const ESCAPE_MARKER = 'change-failures/app/group/escaped/d-EXAMPLE';
/** An ECS native hook status (S3HookStatusStore): one object per evaluation under ECS_HOOK_STATUS_STORE.prefix. */
const ECS_NATIVE_STATUS = `${ECS_HOOK_STATUS_STORE.prefix}EXAMPLE_PRODUCTION_TRAFFIC_SHIFT_w10.json`;
const hookStatuses = (t: Resolved) => t.reportBuckets.map((arn) => `${arn}/${ECS_NATIVE_STATUS}`);
const policyObject: Call = { command: 'GetObjectCommand', action: 's3:GetObject', resources: (t) => t.policyObjects, context: TAGGED_OBJECT };
/**
 * Every handler's spans go to the X-Ray OTLP traces endpoint (lambdas/shared.ts, XRayOtlpSpanExporter),
 * authorized as `xray:PutTraceSegments`, which has no resource type (Service Authorization Reference).
 */
const traceExport: Call = { command: 'POST /v1/traces (XRayOtlpSpanExporter)', action: 'xray:PutTraceSegments', resources: WILDCARD };
const verdictSink: Call[] = [
  { command: 'PutMetricDataCommand', action: 'cloudwatch:PutMetricData', resources: WILDCARD, context: { 'cloudwatch:namespace': VERDICT_NAMESPACE } },
  { command: 'PutEventsCommand', action: 'events:PutEvents', resources: () => [DEFAULT_BUS] },
];
const metrics: Call[] = [
  { command: 'GetMetricDataCommand', action: 'cloudwatch:GetMetricData', resources: WILDCARD },
  { command: 'DescribeAlarmsCommand', action: 'cloudwatch:DescribeAlarms', resources: (t) => t.alarmArns },
];
const ecsOnly = (t: Resolved) => (t.groups.some((g) => g.ecs) ? ['*'] : []);

export const HANDLER_CALLS: Record<Handler, readonly Call[]> = {
  prepare: [policyObject, traceExport],
  evaluate: [
    policyObject,
    ...metrics,
    ...verdictSink,
    traceExport,
    // The log signal's Logs Insights queries (InsightsQueryRunner): StartQuery and GetQueryResults on the
    // registered log groups; StopQuery has no resource type (Service Authorization Reference), so `*`.
    { command: 'StartQueryCommand', action: 'logs:StartQuery', resources: (t) => t.logGroupArns },
    { command: 'GetQueryResultsCommand', action: 'logs:GetQueryResults', resources: (t) => t.logGroupArns },
    { command: 'StopQueryCommand', action: 'logs:StopQuery', resources: (t) => (t.logGroupArns.length > 0 ? ['*'] : []) },
  ],
  smoke: [
    policyObject,
    traceExport,
    { command: 'InvokeCommand', action: 'lambda:InvokeFunction', resources: (t) => t.functionVersions, context: TAGGED },
    // Secrets and parameters their owners tagged for the evaluator.
    { command: 'GetSecretValueCommand', action: 'secretsmanager:GetSecretValue', resources: (t) => t.smokeSecretArns, context: TAGGED },
    { command: 'GetParameterCommand', action: 'ssm:GetParameter', resources: (t) => t.smokeParameterArns, context: TAGGED },
  ],
  watch: [
    policyObject,
    traceExport,
    ...metrics,
    ...verdictSink,
    { command: 'GetDeploymentCommand', action: 'codedeploy:GetDeployment', resources: (t) => t.groups.map((g) => g.groupArn), context: TAGGED },
    { command: 'ListDeploymentTargetsCommand', action: 'codedeploy:ListDeploymentTargets', resources: WILDCARD },
    { command: 'GetDeploymentTargetCommand', action: 'codedeploy:GetDeploymentTarget', resources: WILDCARD },
    { command: 'StopDeploymentCommand', action: 'codedeploy:StopDeployment', resources: (t) => (t.stopsDeployments ? ['*'] : []) },
    // A failed canary watch notifies on call of the rollback it asks for.
    { command: 'PublishCommand', action: 'sns:Publish', resources: (t) => t.notificationTopics },
  ],
  report: [
    ...verdictSink,
    traceExport,
    { command: 'PutLifecycleEventHookExecutionStatusCommand', action: 'codedeploy:PutLifecycleEventHookExecutionStatus', resources: WILDCARD },
    { command: 'DescribeExecutionCommand', action: 'states:DescribeExecution', resources: (t) => t.machines.map((m) => m.executionArn) },
    { command: 'ListExecutionsCommand', action: 'states:ListExecutions', resources: (t) => t.machines.map((m) => m.stateMachineArn) },
    // The sweep reads what ended executions accepted; a completed hook's status is read from CodeDeploy (issue 23 items 3, 4).
    { command: 'GetExecutionHistoryCommand', action: 'states:GetExecutionHistory', resources: (t) => t.machines.map((m) => m.executionArn) },
    { command: 'ListDeploymentTargetsCommand', action: 'codedeploy:ListDeploymentTargets', resources: WILDCARD },
    { command: 'GetDeploymentTargetCommand', action: 'codedeploy:GetDeploymentTarget', resources: WILDCARD },
    { command: 'PutObjectCommand', action: 's3:PutObject', resources: (t) => t.reportBuckets.map((arn) => `${arn}/reports/app/group/d-EXAMPLE-AfterAllowTraffic.html`) },
    { command: 'PublishCommand', action: 'sns:Publish', resources: (t) => t.notificationTopics },
    // The publication ledger (S3PublicationLedger): markers and pending records under publications/.
    { command: 'PutObjectCommand', action: 's3:PutObject', resources: (t) => t.reportBuckets.map((arn) => `${arn}/${LEDGER_MARKER}`) },
    { command: 'GetObjectCommand', action: 's3:GetObject', resources: (t) => t.reportBuckets.map((arn) => `${arn}/${LEDGER_PENDING}`) },
    { command: 'DeleteObjectCommand', action: 's3:DeleteObject', resources: (t) => t.reportBuckets.map((arn) => `${arn}/${LEDGER_PENDING}`) },
    { command: 'ListObjectsV2Command', action: 's3:ListBucket', resources: (t) => t.reportBuckets, context: { 's3:prefix': 'publications/pending/' } },
    { command: 'ListObjectsV2Command', action: 's3:ListBucket', resources: (t) => t.reportBuckets, context: { 's3:prefix': 'publications/done/d-EXAMPLE-AfterAllowTraffic/' } },
    // Escaped change failures (S3PromotionStore, CloudWatchChangeFailureSink: the verdict namespace above): each group's last promotion and the escape markers.
    { command: 'GetObjectCommand', action: 's3:GetObject', resources: (t) => t.reportBuckets.map((arn) => `${arn}/${LAST_PROMOTION}`) },
    { command: 'PutObjectCommand', action: 's3:PutObject', resources: (t) => t.reportBuckets.flatMap((arn) => [`${arn}/${LAST_PROMOTION}`, `${arn}/${ESCAPE_MARKER}`]) },
    { command: 'ListObjectsV2Command', action: 's3:ListBucket', resources: (t) => t.reportBuckets, context: { 's3:prefix': LAST_PROMOTION } },
    { command: 'ListObjectsV2Command', action: 's3:ListBucket', resources: (t) => t.reportBuckets, context: { 's3:prefix': ESCAPE_MARKER } },
    // ECS native hook statuses (S3HookStatusStore, issue 27): created once, read back when already recorded.
    { command: 'PutObjectCommand', action: 's3:PutObject', resources: (t) => t.reportBuckets.map((arn) => `${arn}/${ECS_NATIVE_STATUS}`) },
    { command: 'GetObjectCommand', action: 's3:GetObject', resources: (t) => t.reportBuckets.map((arn) => `${arn}/${ECS_NATIVE_STATUS}`) },
  ],
  hook: [
    traceExport,
    { command: 'GetDeploymentCommand', action: 'codedeploy:GetDeployment', resources: (t) => t.groups.map((g) => g.groupArn) },
    { command: 'GetApplicationRevisionCommand', action: 'codedeploy:GetApplicationRevision', resources: (t) => t.groups.map((g) => g.applicationArn) },
    { command: 'GetObjectCommand', action: 's3:GetObject', resources: (t) => t.revisionObjects },
    { command: 'ListDeploymentTargetsCommand', action: 'codedeploy:ListDeploymentTargets', resources: ecsOnly },
    { command: 'GetDeploymentTargetCommand', action: 'codedeploy:GetDeploymentTarget', resources: ecsOnly },
    { command: 'PutLifecycleEventHookExecutionStatusCommand', action: 'codedeploy:PutLifecycleEventHookExecutionStatus', resources: WILDCARD },
    { command: 'StartExecutionCommand', action: 'states:StartExecution', resources: (t) => [t.stateMachineArn] },
    { command: 'DescribeExecutionCommand', action: 'states:DescribeExecution', resources: (t) => [t.executionArn] },
  ],
  // ECS invokes it synchronously: it starts and follows its evaluation, and reads (or, at its deadline, creates) the hook status.
  'ecs-hook': [
    traceExport,
    { command: 'StartExecutionCommand', action: 'states:StartExecution', resources: (t) => [t.stateMachineArn] },
    { command: 'DescribeExecutionCommand', action: 'states:DescribeExecution', resources: (t) => [t.executionArn] },
    { command: 'GetObjectCommand', action: 's3:GetObject', resources: hookStatuses },
    { command: 'PutObjectCommand', action: 's3:PutObject', resources: hookStatuses },
  ],
};

const OTHER_BUCKET_OBJECT = 'arn:aws:s3:::someone-elses-bucket/policy.json';
/** Calls each handler must not be able to make. */
export const FORBIDDEN_CALLS: Record<Handler, readonly Omit<Call, 'command'>[]> = {
  prepare: [
    { action: 's3:GetObject', resources: () => [OTHER_BUCKET_OBJECT] },
    // A registered policy object is read by its tag (issue 24 finding 7): untagged, or tagged for another evaluator, it is not.
    { action: 's3:GetObject', resources: (t) => t.policyObjects, context: OWN_OBJECT },
    { action: 's3:GetObject', resources: (t) => t.policyObjects, context: { ...OWN_OBJECT, 's3:ExistingObjectTag/canary-evaluator': 'another-evaluator' } },
    // Tagged, but in another account's bucket.
    { action: 's3:GetObject', resources: (t) => t.policyObjects, context: (t) => ({ 's3:ResourceAccount': '210987654321', 's3:ExistingObjectTag/canary-evaluator': t.registrationTag }) },
    { action: 's3:PutObject', resources: (t) => t.policyObjects },
  ],
  evaluate: [
    { action: 'cloudwatch:PutMetricData', resources: WILDCARD, context: { 'cloudwatch:namespace': 'SomeoneElses' } },
    { action: 's3:GetObject', resources: () => [OTHER_BUCKET_OBJECT] },
    { action: 'codedeploy:StopDeployment', resources: WILDCARD },
    // Only the log groups the policies name: not another, nor one whose name merely starts the same.
    { action: 'logs:StartQuery', resources: () => [`arn:aws:logs:us-east-1:${ACCOUNT}:log-group:/aws/lambda/someone-elses`] },
    { action: 'logs:StartQuery', resources: (t) => t.logGroupArns.map((arn) => `${arn}-other`) },
    // Querying is all it may do there: not read the lines themselves.
    { action: 'logs:FilterLogEvents', resources: (t) => t.logGroupArns },
  ],
  smoke: [
    { action: 'lambda:InvokeFunction', resources: () => [`arn:aws:lambda:us-east-1:${ACCOUNT}:function:someone-elses:1`] },
    { action: 'lambda:InvokeFunction', resources: (t) => t.functionVersions, context: TAGGED_OTHERWISE },
    // The unqualified function, even tagged: smoke tests invoke the new version only.
    { action: 'lambda:InvokeFunction', resources: (t) => t.functionVersions.map((v) => v.replace(/:[^:]+$/, '')), context: TAGGED },
    { action: 'lambda:UpdateFunctionCode', resources: (t) => t.functionVersions.map((v) => v.replace(/:[^:]+$/, '')) },
    // Only the secrets the registrations name: not another secret, nor one whose name merely starts the same.
    { action: 'secretsmanager:GetSecretValue', resources: () => [`arn:aws:secretsmanager:us-east-1:${ACCOUNT}:secret:someone-elses-AbC123`] },
    // Secrets and parameters their owners did not tag for the evaluator.
    { action: 'secretsmanager:GetSecretValue', resources: (t) => t.smokeSecretArns },
    { action: 'ssm:GetParameter', resources: () => [`arn:aws:ssm:us-east-1:${ACCOUNT}:parameter/someone/elses`] },
    { action: 'ssm:GetParameter', resources: (t) => t.smokeParameterArns, context: TAGGED_OTHERWISE },
  ],
  watch: [
    { action: 'codedeploy:StopDeployment', resources: (t) => (t.stopsDeployments ? [] : ['*']) },
    // Deployments of groups not registered with this evaluator (untagged, or tagged for another).
    { action: 'codedeploy:GetDeployment', resources: (t) => t.groups.map((g) => g.groupArn) },
    { action: 'codedeploy:GetDeployment', resources: (t) => t.groups.map((g) => g.groupArn), context: TAGGED_OTHERWISE },
    { action: 'sns:Publish', resources: () => [`arn:aws:sns:us-east-1:${ACCOUNT}:someone-elses-topic`] },
    { action: 'cloudwatch:PutMetricData', resources: WILDCARD, context: { 'cloudwatch:namespace': 'SomeoneElses' } },
    { action: 'codedeploy:CreateDeployment', resources: (t) => t.groups.map((g) => g.groupArn) },
  ],
  report: [
    { action: 'codedeploy:StopDeployment', resources: WILDCARD },
    { action: 'states:DeleteStateMachine', resources: (t) => [t.stateMachineArn] },
    { action: 'states:StopExecution', resources: (t) => [t.executionArn] },
    { action: 's3:GetObject', resources: () => [OTHER_BUCKET_OBJECT] },
    // The switches travel in the execution input (one onEvaluatorError rule): the reaper reads no policy.
    { action: 's3:GetObject', resources: (t) => t.policyObjects },
    // Reports only under reports/, and never read back nor deleted by the evaluator.
    { action: 's3:PutObject', resources: (t) => t.reportBuckets.map((arn) => `${arn}/elsewhere.html`) },
    { action: 's3:DeleteObject', resources: (t) => t.reportBuckets.map((arn) => `${arn}/reports/app/group/d-EXAMPLE-AfterAllowTraffic.html`) },
    { action: 's3:PutObject', resources: () => ['arn:aws:s3:::someone-elses-bucket/reports/x.html'] },
    // The ledger lists its own prefix only: not the reports, not the whole bucket.
    { action: 's3:ListBucket', resources: (t) => t.reportBuckets, context: { 's3:prefix': 'reports/' } },
    { action: 's3:ListBucket', resources: (t) => t.reportBuckets },
    { action: 's3:GetObject', resources: (t) => t.reportBuckets.map((arn) => `${arn}/reports/app/group/d-EXAMPLE-AfterAllowTraffic.html`) },
    // The promotion records are overwritten, never deleted; the escape markers are the proof of publication.
    { action: 's3:DeleteObject', resources: (t) => t.reportBuckets.map((arn) => `${arn}/${ESCAPE_MARKER}`) },
    // Notifications go to the evaluator's topic only.
    { action: 'sns:Publish', resources: () => [`arn:aws:sns:us-east-1:${ACCOUNT}:someone-elses-topic`] },
  ],
  hook: [
    { action: 'cloudwatch:PutMetricData', resources: WILDCARD, context: { 'cloudwatch:namespace': 'SomeoneElses' } },
    { action: 'states:DeleteStateMachine', resources: (t) => [t.stateMachineArn] },
    { action: 'codedeploy:StopDeployment', resources: WILDCARD },
    { action: 's3:GetObject', resources: () => [OTHER_BUCKET_OBJECT] },
    // It looks up its own state machine's executions, nothing more.
    { action: 'states:DescribeExecution', resources: (t) => [t.executionArn.replace(/:execution:[^:]+:/, ':execution:someone-elses-machine:')] },
    { action: 'states:GetExecutionHistory', resources: (t) => [t.executionArn] },
  ],
  'ecs-hook': [
    // Nothing of CodeDeploy, and no other object of the report bucket.
    { action: 'codedeploy:PutLifecycleEventHookExecutionStatus', resources: WILDCARD },
    { action: 'codedeploy:StopDeployment', resources: WILDCARD },
    { action: 's3:GetObject', resources: (t) => t.reportBuckets.map((arn) => `${arn}/reports/app/group/d-EXAMPLE-AfterAllowTraffic.html`) },
    { action: 's3:PutObject', resources: (t) => t.reportBuckets.map((arn) => `${arn}/${LEDGER_MARKER}`) },
    { action: 's3:DeleteObject', resources: hookStatuses },
    { action: 's3:GetObject', resources: () => [OTHER_BUCKET_OBJECT] },
    { action: 'states:DescribeExecution', resources: (t) => [t.executionArn.replace(/:execution:[^:]+:/, ':execution:someone-elses-machine:')] },
    { action: 'states:StopExecution', resources: (t) => [t.executionArn] },
    // Only the machine its registration needs (issue 27 item 3): not the evaluator's other one.
    { action: 'states:StartExecution', resources: (t) => t.otherStateMachineArns },
    { action: 'lambda:InvokeFunction', resources: () => [`arn:aws:lambda:us-east-1:${ACCOUNT}:function:someone-elses`] },
  ],
};

const ROOT = join(__dirname, '..', '..', '..');
/** An exported class's or function's body in a source file: from its declaration to the first closing brace at column 0. */
function declarationBody(source: string, name: string): string {
  const declarations = [`export class ${name} `, `export function ${name}(`];
  const start = Math.max(...declarations.map((declaration) => source.indexOf(declaration)));
  if (start < 0) throw new Error(`no exported class or function ${name}`);
  const end = source.indexOf('\n}', start);
  return source.slice(start, end < 0 ? undefined : end);
}

/** SDK commands the adapters a handler's wiring (`lambdas/<handler>/index.ts`) constructs send. */
export function adapterCommands(handler: Handler): string[] {
  const wiring = readFileSync(join(ROOT, 'lambdas', handler, 'index.ts'), 'utf8');
  const commands = new Set<string>();
  for (const [, names, path] of wiring.matchAll(/import \{([^}]+)\} from '\.\.\/\.\.\/(lib\/adapters\/[^']+)'/g)) {
    const source = readFileSync(join(ROOT, `${path}.ts`), 'utf8');
    for (const name of names.split(',').map((n) => n.trim()).filter(Boolean)) {
      for (const [, command] of declarationBody(source, name).matchAll(/new (\w+Command)\(/g)) commands.add(command);
    }
  }
  return [...commands].sort();
}
