import { DeploymentStatusReader, type DeploymentView } from '../adapters/aws/deployment-status';
import { deploymentViewOf, EcsServiceDeploymentReader, type EcsServiceDeploymentView } from '../adapters/aws/ecs-service-deployments';
import { EvaluationHistoryReader } from '../adapters/aws/evaluation-history';
import { AwsReadError, readCall } from '../adapters/aws/read-call';
import { S3HookStatusStore } from '../adapters/aws/s3-hook-status-store';
import { S3OverrideStore } from '../adapters/aws/s3-override-store';
import { ECS_EVALUATED_STAGES, ECS_HOOK_STATUS_STORE, ecsNativeEvaluationId, parseServiceDeploymentArn, productionStepWeights, stageRole, type EcsEvaluatedStage } from '../evaluation/ecs-native/contract';
import { sharedLifecycleEvent } from '../evaluation/ecs-native/hook';
import { OVERRIDES, overrideKey, parseOverrideRecord } from '../evaluation/override/record';
import { executionName } from '../evaluation/state';
import { formatClock, formatDuration, formatPercent } from '../report/format';
import { terminalSafe } from '../report/terminal-text';
import { explainMetric } from '../report/text-report';
import { wrapToWidth } from '../report/wrap';
import { awsClients, awsFailure, type AwsClients } from './aws-context';
import { deploymentStatusOf, hookLabel, judgedEvents, parseDeploymentRef, type DeploymentRef, type DeploymentResult, type DeploymentStatus, type EcsNativeHook, type HookEvaluationStatus, type JudgedHook } from './deployment-report';
import { AWS_FLAGS, AWS_FLAGS_HELP, EXIT, parseFlags, processIO, UsageError, wantsHelp, type CommandIO } from './io';

export const STATUS_USAGE = `usage: canary-eval status <deployment> [--watch] [--interval <seconds>] [--json] [--state-machine <arn>] [--region R] [--profile P]

The deployment (CodeDeploy: status, lifecycle events, traffic split), the evaluation of each of its hooks
(the Step Functions executions named <deployment-id>-<event>: phase, state, time left before the hook
deadline), the latest verdict per metric, and a hook's break-glass override record (who, what, why, when)
when there is one.
<deployment> is a CodeDeploy deployment id (d-XXXXXXXXX), or for Amazon ECS native deployments (BLUE_GREEN,
LINEAR, CANARY) the service deployment ARN (arn:aws:ecs:<region>:<account>:service-deployment/<cluster>/<service>/<id>)
or one of its evaluation ids (<id>_<STAGE>, <id>_PRODUCTION_TRAFFIC_SHIFT_w<weight>): the service deployment's
status and stage, and each evaluated stage and production step with its evaluation, verdict and recorded hook status.
  --watch              redraw in place every --interval seconds until the deployment ends (on a terminal);
                       without a terminal, print one line per change
  --interval <s>       seconds between reads with --watch (default 60, the evaluator's period)
  --verbose            also the statistics behind each metric's verdict (counts, interval, evidence, α)
  --json               print the status as JSON (only JSON on stdout; with --watch, one JSON object per line per change)
  --state-machine <a>  the evaluator's state machine ARN (default: CANARY_EVAL_STATE_MACHINE, else the single
                       CanaryEvaluator state machine of the account and region)
${AWS_FLAGS_HELP}
Exit codes: 0 promoted with a verdict, 1 no such evaluation or another region (an ECS native id), 2 usage,
3 rolled back / failed / stopped, 4 still running, 5 promoted without a verdict (inconclusive), 6 AWS error (names the action).`;

export const EXIT_FOR_RESULT: Record<DeploymentResult, number> = { promoted: EXIT.ok, 'rolled-back': EXIT.rolledBack, running: EXIT.running, inconclusive: EXIT.inconclusive };

/** What `status` needs from the world; the real one reads AWS, tests inject a fake clock. */
export interface StatusDependencies {
  readonly clients?: (options: { region?: string; profile?: string }) => AwsClients;
  readonly now?: () => Date;
  readonly sleep?: (ms: number) => Promise<void>;
  /** Whether stdout is a terminal (redraw in place). @default process.stdout.isTTY for the process IO */
  readonly tty?: boolean;
  /** Terminal width to wrap at, between words. @default process.stdout.columns on a terminal, none (whole lines) on a pipe */
  readonly columns?: number;
}

/** A deployment and the evaluations of its hooks, as `status`, `report` and `override` read it. */
export interface DeploymentRead {
  readonly status: DeploymentStatus;
  readonly deployment: DeploymentView;
  /** Every judged hook in order (CodeDeploy lifecycle events; ECS native stages and production steps). */
  readonly hooks: readonly JudgedHook[];
  readonly stateMachineArn: string;
  /** The evaluation id the argument named, when it named one evaluation of an ECS native deployment. */
  readonly only?: string;
}

/**
 * Reads one deployment and the evaluations of its hooks: a CodeDeploy deployment id, an ECS service
 * deployment ARN, or an ECS native evaluation id (its deployment is read from the execution's input).
 */
export async function readDeploymentStatus(clients: AwsClients, deploymentRef: string, stateMachine: string | undefined, now: Date): Promise<DeploymentRead> {
  const ref = parseDeploymentRef(deploymentRef);
  const history = new EvaluationHistoryReader(clients.sfn);
  if (ref.kind !== 'codedeploy') return readEcsNativeStatus(clients, ref, history, stateMachine, now);
  const deploymentId = ref.deploymentId;
  const deployment = await new DeploymentStatusReader(clients.codedeploy).read(deploymentId);
  const stateMachineArn = await history.resolveStateMachine(stateMachine);
  const hooks: JudgedHook[] = [];
  for (const event of judgedEvents(deployment)) hooks.push({ lifecycleEvent: event, executionName: executionName(deploymentId, event), record: await history.read(stateMachineArn, deploymentId, event) });
  return { ...(await withOverrides(clients, deployment, hooks, now)), stateMachineArn };
}

/** The status of the hooks, each with its override record when its evaluation looks for one. */
async function withOverrides(clients: AwsClients, deployment: DeploymentView, hooks: readonly JudgedHook[], now: Date): Promise<Omit<DeploymentRead, 'stateMachineArn' | 'only'>> {
  const status = deploymentStatusOf(deployment, hooks, now);
  const overrides: Array<Pick<HookEvaluationStatus, 'override' | 'overrideUnread'>> = [];
  for (const { record } of hooks) {
    // Only evaluations that look for overrides know the bucket (an imported evaluator's registration does not).
    overrides.push(record?.input.override ? await readOverride(clients, record.input.override.bucket, overrideKey(record.input.deploymentId, record.input.lifecycleEvent)) : {});
  }
  return { status: { ...status, evaluations: status.evaluations.map((evaluation, index) => ({ ...evaluation, ...overrides[index] })) }, deployment, hooks };
}

/**
 * An ECS native deployment: the service deployment (`ecs:DescribeServiceDeployments`), then one evaluation
 * per evaluated stage its hooks are registered at and, at PRODUCTION_TRAFFIC_SHIFT, per step of its
 * strategy (`productionStepWeights`), each read by its deterministic execution name as the hook names it
 * (`ecsNativeEvaluationId`, `executionName`), with the hook status recorded for it (`ecs-native/hook-status/`).
 */
async function readEcsNativeStatus(clients: AwsClients, ref: Exclude<DeploymentRef, { kind: 'codedeploy' }>, history: EvaluationHistoryReader, stateMachine: string | undefined, now: Date): Promise<DeploymentRead> {
  const stateMachineArn = await history.resolveStateMachine(stateMachine);
  let serviceDeploymentArn: string;
  let named: JudgedHook | undefined;
  if (ref.kind === 'ecs-native-evaluation') {
    const { evaluation } = ref;
    const lifecycleEvent = sharedLifecycleEvent(stageRole(evaluation.stage));
    const record = await history.read(stateMachineArn, evaluation.evaluationId, lifecycleEvent);
    const arn = record?.input.ecsNative?.serviceDeploymentArn;
    if (!record || !arn) {
      throw new NoEvaluation(`no ECS native evaluation ${executionName(evaluation.evaluationId, lifecycleEvent)} in ${stateMachineArn}${record ? ' (the execution is not an ECS native evaluation)' : ''}: the hook starts one per stage and step; check the id with canary-eval status <service-deployment-arn>`);
    }
    serviceDeploymentArn = arn;
    named = { lifecycleEvent, executionName: record.executionName, record, ecsNative: nativeHookOf(evaluation.evaluationId, evaluation.stage, evaluation.productionWeight) };
  } else {
    serviceDeploymentArn = ref.serviceDeploymentArn;
  }
  const region = serviceDeploymentArn.split(':')[3];
  if (region !== clients.region) throw new NoEvaluation(`the service deployment ${serviceDeploymentArn} is in ${region}, the CLI reads ${clients.region}: pass --region ${region}`);
  const view = await new EcsServiceDeploymentReader(clients.ecs).read(serviceDeploymentArn);
  const deployment = deploymentViewOf(view);
  const hooks = await readEcsNativeHooks(clients, history, stateMachineArn, view, named);
  return { ...(await withOverrides(clients, deployment, hooks, now)), stateMachineArn, ...(named ? { only: named.ecsNative!.evaluationId } : {}) };
}

/** Thrown when an id names nothing the evaluator ran: exit 1 with the sentence, not an AWS error. */
export class NoEvaluation extends Error {}

function nativeHookOf(evaluationId: string, stage: EcsEvaluatedStage, productionWeight: number | undefined): EcsNativeHook {
  return { evaluationId, stage, ...(stage === 'PRODUCTION_TRAFFIC_SHIFT' && productionWeight !== undefined ? { productionWeight } : {}) };
}

/**
 * The evaluations of one ECS native service deployment, in stage and step order. Stages come from the
 * deployment's lifecycle hooks (every evaluated stage when it names none: then only the evaluations that
 * exist are listed). The hook statuses are read from the report bucket the evaluations name (`override.bucket`).
 */
export async function readEcsNativeHooks(clients: AwsClients, history: EvaluationHistoryReader, stateMachineArn: string, view: EcsServiceDeploymentView, known?: JudgedHook): Promise<JudgedHook[]> {
  const deployment = parseServiceDeploymentArn(view.serviceDeploymentArn, 'serviceDeploymentArn');
  const stages = view.hookStages.length > 0 ? view.hookStages : ECS_EVALUATED_STAGES;
  const weights = productionStepWeights(view.strategy ?? 'BLUE_GREEN', view.stepPercent);
  const hooks: JudgedHook[] = [];
  for (const stage of stages) {
    const role = stageRole(stage);
    const lifecycleEvent = sharedLifecycleEvent(role);
    for (const weight of role === 'step' ? weights : [role === 'bake' ? 100 : 0]) {
      const evaluationId = ecsNativeEvaluationId(deployment, stage, weight);
      const record = known?.ecsNative?.evaluationId === evaluationId ? known.record : await history.read(stateMachineArn, evaluationId, lifecycleEvent);
      hooks.push({ lifecycleEvent, executionName: executionName(evaluationId, lifecycleEvent), record, ecsNative: nativeHookOf(evaluationId, stage, weight) });
    }
  }
  // An evaluation named on the command line at a step the strategy does not list (ECS's payload weights are ours to read, not documented per step).
  if (known && !hooks.some((hook) => hook.ecsNative?.evaluationId === known.ecsNative?.evaluationId)) hooks.push(known);
  const bucket = hooks.find((hook) => hook.record?.input.override)?.record?.input.override?.bucket;
  const listed = view.hookStages.length > 0 ? hooks : hooks.filter((hook) => hook.record);
  const withStatus: JudgedHook[] = [];
  for (const hook of listed) withStatus.push({ ...hook, ecsNative: { ...hook.ecsNative!, ...(await readHookStatus(clients, bucket, hook.ecsNative!.evaluationId)) } });
  return withStatus;
}

/** The hook status recorded for an ECS native evaluation; a failed read is said, never taken for "none". */
async function readHookStatus(clients: AwsClients, bucket: string | undefined, evaluationId: string): Promise<Pick<EcsNativeHook, 'hookStatus' | 'hookStatusUnread'>> {
  if (!bucket) return {};
  try {
    const status = await readCall('s3:GetObject', () => new S3HookStatusStore(clients.s3, bucket).read(evaluationId));
    return status ? { hookStatus: status } : {};
  } catch (error) {
    if (!(error instanceof AwsReadError)) throw error;
    return { hookStatusUnread: `s3://${bucket}/${ECS_HOOK_STATUS_STORE.prefix}${evaluationId}.json not read: ${error.message}` };
  }
}

/**
 * A hook's override record (`OVERRIDES.prefix` of the report bucket, as `canary-eval override` wrote it).
 * No record (NoSuchKey) is nothing to show. A record that cannot be read is said on the hook's line, not
 * fatal: the rest of the status still holds.
 */
async function readOverride(clients: AwsClients, bucket: string, key: string): Promise<Pick<HookEvaluationStatus, 'override' | 'overrideUnread'>> {
  const where = `s3://${bucket}/${key}`;
  let value: unknown;
  try {
    value = await readCall('s3:GetObject', () => new S3OverrideStore(clients.s3).read(bucket, key));
  } catch (error) {
    if (!(error instanceof AwsReadError)) throw error;
    if (error.kind === 'access-denied') {
      // Without s3:ListBucket of the prefix, S3 answers a missing key with 403 too (Amazon S3 API Reference, GetObject).
      const denied = (error.cause as { name?: string } | undefined)?.name ?? 'AccessDenied';
      return {
        overrideUnread: `${where} not read: s3:GetObject was denied (${denied}); the CLI's read-only policy (README, "CLI permissions") grants s3:GetObject on ${bucket}/${OVERRIDES.prefix}* and s3:ListBucket of that prefix, without which S3 denies a hook that has no override too`,
      };
    }
    return { overrideUnread: `${where} not read: ${error.message}` };
  }
  if (value === undefined) return {};
  try {
    const record = parseOverrideRecord(value, where);
    return { override: { by: record.callerArn, action: record.action, reason: record.reason, requestedAt: record.requestedAt, record: where } };
  } catch (error) {
    return { overrideUnread: `${where} is malformed (the evaluation refuses it): ${(error as Error).message}` };
  }
}

/** The status as a person reads it on a terminal: every string from CodeDeploy, a policy or a response escaped (`terminalSafe`). */
export function renderStatus(unsafe: DeploymentStatus, now: Date, columns?: number, verbose = false): string {
  const status = terminalSafe(unsafe);
  const d = status.deployment;
  const lines = [
    `Deployment ${d.deploymentId}  ${d.applicationName} / ${d.deploymentGroupName}  ${d.status}${d.computePlatform ? `  (${d.computePlatform}${d.deploymentConfigName ? `, ${d.deploymentConfigName}` : ''})` : ''}`,
    `  created ${d.createTime ? formatClock(d.createTime, true) : '?'}${d.completeTime ? `, ended ${formatClock(d.completeTime)}` : ''}${d.creator ? `, by ${d.creator}` : ''}; read ${formatClock(now)}`,
  ];
  if (d.traffic) lines.push(`  traffic: ${formatPercent(d.traffic.canaryPercent / 100)} on the new version${d.traffic.targetVersion ? ` (version ${d.traffic.targetVersion}, current ${d.traffic.currentVersion ?? '?'})` : ''}`);
  if (d.lifecycleEvents.length > 0) {
    lines.push(`  lifecycle: ${d.lifecycleEvents.map((e) => `${e.name} ${e.status}${e.startTime ? ` ${formatClock(e.startTime).slice(0, 5)}${e.endTime ? `–${formatClock(e.endTime).slice(0, 5)}` : '–'}` : ''}`).join(' · ')}`);
  }
  if (d.ecsNative) lines.push(`  Amazon ECS: ${d.ecsNative.status}${d.ecsNative.lifecycleStage ? ` at ${d.ecsNative.lifecycleStage}` : ''}`);
  if (d.error?.message) lines.push(`  ${d.ecsNative ? 'Amazon ECS' : 'CodeDeploy'}: ${d.error.code ?? 'error'}: ${d.error.message}`);
  lines.push('', 'Evaluations:');
  for (const evaluation of status.evaluations) {
    const left = evaluation.secondsLeftBeforeHookDeadline !== undefined ? `, ${formatDuration(evaluation.secondsLeftBeforeHookDeadline)} left before the hook deadline (${formatClock(evaluation.hookDeadline!)})` : '';
    const report = evaluation.report ? `, hook reported ${evaluation.report.status} ${formatClock(evaluation.report.at)}` : '';
    const native = evaluation.ecsNative;
    const recorded = native?.hookStatus ? `, hook status ${native.hookStatus} recorded` : '';
    lines.push(`  ${hookLabel(evaluation)}  ${evaluation.state}${evaluation.phase ? `  ${evaluation.phase}` : ''}${report}${recorded}${left}${native ? `  (${native.evaluationId})` : ''}`);
    if (native?.hookStatusUnread) lines.push(`    hook status: ${native.hookStatusUnread}`);
    if (evaluation.override) {
      const o = evaluation.override;
      lines.push(`    override: ${o.action} by ${o.by} at ${formatClock(o.requestedAt)} — ${o.reason} (${o.record})`);
    }
    if (evaluation.overrideUnread) lines.push(`    override: ${evaluation.overrideUnread}`);
    if (evaluation.state === 'NOT_STARTED') {
      lines.push(`    no evaluation ${evaluation.executionName}`);
      continue;
    }
    for (const smoke of evaluation.smokeTests) lines.push(`    smoke tests ${smoke.phase}: ${smoke.passed ? '✓' : '✗'} ${smoke.reason}`);
    if (evaluation.progress) {
      const { look, looksAbout, secondsLeft, window } = evaluation.progress;
      lines.push(`    look ${look} of about ${looksAbout}, ${formatDuration(secondsLeft)} left in the ${window}`);
    }
    if (evaluation.latest) lines.push(`    latest look ${formatClock(evaluation.latest.at)} (${evaluation.latest.step}, ${evaluation.latest.periodsJudged} period(s)): ${evaluation.latest.decision} — ${evaluation.latest.reason}`);
    if (evaluation.error) lines.push(`    error: ${evaluation.error}`);
    if (evaluation.metrics.length > 0) {
      // The words of every other view (`explainMetric`): what happened first; the statistics with --verbose.
      const failingFirst = [...evaluation.metrics].sort((a, b) => Number(b.decision === 'fail') - Number(a.decision === 'fail'));
      for (const result of failingFirst) {
        const [headline, ...rest] = explainMetric(result);
        lines.push(`  ${headline}`, ...(verbose ? rest : rest.filter((line) => !line.trimStart().startsWith('details:'))).map((line) => `  ${line}`));
      }
    }
  }
  const mark = { promoted: '✓', 'rolled-back': '✗', running: '…', inconclusive: '?' }[status.result];
  lines.push('', `Result: ${mark} ${status.result} — ${status.summary}${status.timeToVerdictSeconds !== undefined ? `; verdict ${formatDuration(status.timeToVerdictSeconds)} after the hook` : ''}`);
  return columns ? wrapToWidth(lines.join('\n'), columns) : lines.join('\n');
}

/** The line `--watch` prints per change when stdout is not a terminal. */
function changeLine(unsafe: DeploymentStatus, now: Date): string {
  const status = terminalSafe(unsafe);
  const looks = status.evaluations.filter((e) => e.latest).map((e) => `${hookLabel(e)} ${e.state} ${e.latest!.decision} (${e.latest!.periodsJudged} periods)`);
  const traffic = status.deployment.traffic ? ` ${Math.round(status.deployment.traffic.canaryPercent)}%` : '';
  return `${formatClock(now)} ${status.deployment.deploymentId} ${status.deployment.status}${traffic} ${looks.join('; ') || 'no evaluation yet'} → ${status.result}`;
}

/** `canary-eval status`. */
export async function statusCommand(argv: readonly string[], io: CommandIO, deps: StatusDependencies = {}): Promise<number> {
  if (wantsHelp(argv)) {
    io.stdout(STATUS_USAGE);
    return EXIT.ok;
  }
  let values;
  let deploymentId: string;
  let interval: number;
  try {
    const parsed = parseFlags(argv, { ...AWS_FLAGS, watch: { type: 'boolean' }, json: { type: 'boolean' }, verbose: { type: 'boolean' }, interval: { type: 'string' }, 'state-machine': { type: 'string' } }, true);
    values = parsed.values;
    if (parsed.positionals.length !== 1) throw new UsageError(parsed.positionals.length === 0 ? 'a deployment id is required' : `one deployment id expected, got ${parsed.positionals.join(' ')}`);
    deploymentId = parsed.positionals[0];
    parseDeploymentRef(deploymentId);
    interval = values.interval === undefined ? 60 : Number(values.interval);
    if (!Number.isFinite(interval) || interval <= 0) throw new UsageError(`--interval: expected seconds > 0, got "${values.interval}"`);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    io.stderr(`canary-eval status: ${error.message}\n\n${STATUS_USAGE}`);
    return EXIT.usage;
  }
  const now = deps.now ?? (() => new Date());
  const sleep = deps.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const tty = deps.tty ?? (io === processIO && process.stdout.isTTY === true);
  // Wrapped between words at the terminal's width; a pipe gets whole lines.
  const columns = deps.columns ?? (tty ? process.stdout.columns : undefined);
  try {
    const clients = (deps.clients ?? awsClients)({ region: values.region, profile: values.profile });
    const stateMachine = values['state-machine'] ?? process.env.CANARY_EVAL_STATE_MACHINE;
    let previous: string | undefined;
    for (;;) {
      const at = now();
      const { status } = await readDeploymentStatus(clients, deploymentId, stateMachine, at);
      if (values.json) {
        const text = JSON.stringify(status, null, values.watch ? undefined : 2);
        const key = JSON.stringify({ ...status, evaluations: status.evaluations.map((e) => ({ ...e, secondsLeftBeforeHookDeadline: undefined })) });
        if (key !== previous) io.stdout(text);
        previous = key;
      } else if (!values.watch) {
        io.stdout(renderStatus(status, at, columns, values.verbose === true));
      } else if (tty) {
        // Redraw in place: home the cursor and clear the screen, then the whole view.
        io.stdout(`\x1b[H\x1b[2J${renderStatus(status, at, columns, values.verbose === true)}\n\n${status.result === 'running' ? `watching: next read in ${formatDuration(interval)} (Ctrl-C to stop)` : 'deployment ended'}`);
      } else {
        const line = changeLine(status, at);
        const key = line.slice(line.indexOf(' ') + 1);
        if (key !== previous) io.stdout(line);
        previous = key;
      }
      if (!values.watch || status.result !== 'running') return EXIT_FOR_RESULT[status.result];
      await sleep(interval * 1000);
    }
  } catch (error) {
    const code = awsFailure('status', error, io);
    if (code !== undefined) return code;
    if (error instanceof NoEvaluation) {
      io.stderr(`canary-eval status: ${terminalSafe(error.message)}`);
      return EXIT.invalid;
    }
    throw error;
  }
}
