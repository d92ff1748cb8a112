import { DeploymentStatusReader, type DeploymentView } from '../adapters/aws/deployment-status';
import { EvaluationHistoryReader, type EvaluationRecord } from '../adapters/aws/evaluation-history';
import { AwsReadError, readCall } from '../adapters/aws/read-call';
import { S3OverrideStore } from '../adapters/aws/s3-override-store';
import { OVERRIDES, overrideKey, parseOverrideRecord } from '../evaluation/override/record';
import { executionName, type LifecycleEvent } from '../evaluation/state';
import { formatClock, formatDuration, formatPercent } from '../report/format';
import { terminalSafe } from '../report/terminal-text';
import { explainMetric } from '../report/text-report';
import { wrapToWidth } from '../report/wrap';
import { awsClients, awsFailure, type AwsClients } from './aws-context';
import { deploymentStatus, judgedEvents, type DeploymentResult, type DeploymentStatus, type HookEvaluationStatus } from './deployment-report';
import { AWS_FLAGS, AWS_FLAGS_HELP, EXIT, parseFlags, processIO, UsageError, wantsHelp, type CommandIO } from './io';

export const STATUS_USAGE = `usage: canary-eval status <deployment-id> [--watch] [--interval <seconds>] [--json] [--state-machine <arn>] [--region R] [--profile P]

The deployment (CodeDeploy: status, lifecycle events, traffic split), the evaluation of each of its hooks
(the Step Functions executions named <deployment-id>-<event>: phase, state, time left before the hook
deadline), the latest verdict per metric, and a hook's break-glass override record (who, what, why, when)
when there is one.
  --watch              redraw in place every --interval seconds until the deployment ends (on a terminal);
                       without a terminal, print one line per change
  --interval <s>       seconds between reads with --watch (default 60, the evaluator's period)
  --verbose            also the statistics behind each metric's verdict (counts, interval, evidence, α)
  --json               print the status as JSON (only JSON on stdout; with --watch, one JSON object per line per change)
  --state-machine <a>  the evaluator's state machine ARN (default: CANARY_EVAL_STATE_MACHINE, else the single
                       CanaryEvaluator state machine of the account and region)
${AWS_FLAGS_HELP}
Exit codes: 0 promoted with a verdict, 2 usage, 3 rolled back / failed / stopped, 4 still running,
5 promoted without a verdict (inconclusive), 6 AWS error (names the action).`;

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

/** Reads one deployment and the evaluations of its hooks. */
export async function readDeploymentStatus(clients: AwsClients, deploymentId: string, stateMachine: string | undefined, now: Date): Promise<{ status: DeploymentStatus; deployment: DeploymentView; records: Map<LifecycleEvent, EvaluationRecord | undefined>; stateMachineArn: string }> {
  const deployment = await new DeploymentStatusReader(clients.codedeploy).read(deploymentId);
  const history = new EvaluationHistoryReader(clients.sfn);
  const stateMachineArn = await history.resolveStateMachine(stateMachine);
  const records = new Map<LifecycleEvent, EvaluationRecord | undefined>();
  for (const event of judgedEvents(deployment)) records.set(event, await history.read(stateMachineArn, deploymentId, event));
  const status = deploymentStatus(deployment, records, now, (event) => executionName(deploymentId, event));
  const overrides = new Map<LifecycleEvent, Pick<HookEvaluationStatus, 'override' | 'overrideUnread'>>();
  for (const [event, record] of records) {
    // Only evaluations that look for overrides know the bucket (an imported evaluator's registration does not).
    if (record?.input.override) overrides.set(event, await readOverride(clients, record.input.override.bucket, overrideKey(deploymentId, event)));
  }
  return { status: { ...status, evaluations: status.evaluations.map((evaluation) => ({ ...evaluation, ...overrides.get(evaluation.lifecycleEvent) })) }, deployment, records, stateMachineArn };
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
  if (d.error?.message) lines.push(`  CodeDeploy: ${d.error.code ?? 'error'}: ${d.error.message}`);
  lines.push('', 'Evaluations:');
  for (const evaluation of status.evaluations) {
    const left = evaluation.secondsLeftBeforeHookDeadline !== undefined ? `, ${formatDuration(evaluation.secondsLeftBeforeHookDeadline)} left before the hook deadline (${formatClock(evaluation.hookDeadline!)})` : '';
    const report = evaluation.report ? `, hook reported ${evaluation.report.status} ${formatClock(evaluation.report.at)}` : '';
    lines.push(`  ${evaluation.lifecycleEvent}  ${evaluation.state}${evaluation.phase ? `  ${evaluation.phase}` : ''}${report}${left}`);
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
  const looks = status.evaluations.filter((e) => e.latest).map((e) => `${e.lifecycleEvent} ${e.state} ${e.latest!.decision} (${e.latest!.periodsJudged} periods)`);
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
    if (!/^d-[A-Z0-9]+$/.test(deploymentId)) throw new UsageError(`"${deploymentId}" is not a CodeDeploy deployment id (d-XXXXXXXXX)`);
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
    throw error;
  }
}
