import { DeploymentStatusReader, type DeploymentView } from '../adapters/aws/deployment-status';
import { EvaluationHistoryReader, type EvaluationRecord } from '../adapters/aws/evaluation-history';
import { executionName, type LifecycleEvent } from '../evaluation/state';
import { doraMetrics, type DoraDeployment, type DoraMetrics } from '../report/dora';
import { formatClock, formatDuration, formatNumber, formatPercent } from '../report/format';
import { awsClients, awsFailure, type AwsClients } from './aws-context';
import { deploymentStatus, judgedEvents, type DeploymentResult } from './deployment-report';
import { AWS_FLAGS, AWS_FLAGS_HELP, EXIT, parseFlags, progressReporter, UsageError, wantsHelp, type CommandIO } from './io';
import { parseSince } from './replay-command';
import { terminalSafe } from '../report/terminal-text';

export const HISTORY_USAGE = `usage: canary-eval history --application <A> --group <G> [--since 30d] [--dora] [--json] [--state-machine <arn>] [--region R] [--profile P]

Past deployments of a deployment group and their evaluations: outcome, time to verdict, the metric that
decided, rollbacks; over the period, the change failure rate and the median time to verdict.
  --since <d>          how far back: 30d, 36h (default 30d)
  --dora               also DORA's delivery metrics over the period: deployment frequency, change fail rate
                       (caught by the evaluator, escaped, unjudged), failed-deployment recovery time, rework rate
  --json               print the history as JSON (only JSON on stdout; progress on stderr)
  --state-machine <a>  the evaluator's state machine ARN (default: CANARY_EVAL_STATE_MACHINE, else discovered)
${AWS_FLAGS_HELP}
Exit codes: 0 printed, 2 usage, 6 AWS error (names the action).`;

export interface HistoryEntry extends DoraDeployment {
  readonly deploymentId: string;
  readonly createTime?: string;
  readonly status: string;
  readonly creator?: string;
  readonly result: DeploymentResult;
  readonly summary: string;
  readonly timeToVerdictSeconds?: number;
  readonly decidedBy: readonly string[];
}

export interface History {
  readonly application: string;
  readonly group: string;
  readonly since: string;
  readonly deployments: readonly HistoryEntry[];
  /** Releases (rollback deployments excluded) that ended rolled back, over all finished releases. */
  readonly changeFailureRate: number | null;
  readonly medianTimeToVerdictSeconds: number | null;
  readonly counts: Readonly<Record<DeploymentResult, number>>;
  /** With `--dora`: DORA's metrics over the period (lib/report/dora.ts says how each is read). */
  readonly dora?: DoraMetrics;
}

function median(values: readonly number[]): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

/**
 * The canary's share of traffic while the evaluator watched: a rolled-back deployment reads 0 % afterwards,
 * so the share is the first step of a predefined canary or linear configuration (CodeDeploy User Guide,
 * "Deployment configurations on an AWS Lambda compute platform" / "… Amazon ECS compute platform", e.g.
 * `CodeDeployDefault.LambdaCanary10Percent5Minutes`), or the share read, whichever is larger.
 */
function canaryShareOf(deployment: DeploymentView): { canaryPercent?: number } {
  const step = /(?:Canary|Linear)(\d+)Percent/.exec(deployment.deploymentConfigName ?? '')?.[1];
  const shares = [deployment.traffic?.canaryPercent, step === undefined ? undefined : Number(step)].filter((value): value is number => value !== undefined && value > 0);
  return shares.length > 0 ? { canaryPercent: Math.max(...shares) } : {};
}

export async function readHistory(clients: AwsClients, options: { application: string; group: string; sinceSeconds: number; stateMachine?: string; now: Date; progress: (text: string) => void; dora?: boolean }): Promise<History> {
  const since = new Date(options.now.getTime() - options.sinceSeconds * 1000);
  const deployments = await new DeploymentStatusReader(clients.codedeploy).list(options.application, options.group, since, options.now, options.progress);
  const reader = new EvaluationHistoryReader(clients.sfn);
  const stateMachine = await reader.resolveStateMachine(options.stateMachine);
  const entries: HistoryEntry[] = [];
  for (const [index, deployment] of deployments.entries()) {
    options.progress(`reading evaluations of ${deployment.deploymentId} (${index + 1} of ${deployments.length})…`);
    const records = new Map<LifecycleEvent, EvaluationRecord | undefined>();
    const rollback = deployment.creator === 'codeDeployRollback' || deployment.creator === 'rollback';
    if (!rollback) for (const event of judgedEvents(deployment)) records.set(event, await reader.read(stateMachine, deployment.deploymentId, event));
    const status = deploymentStatus(deployment, records, options.now, (event) => executionName(deployment.deploymentId, event));
    entries.push({
      deploymentId: deployment.deploymentId,
      ...(deployment.createTime ? { createTime: deployment.createTime.toISOString() } : {}),
      status: deployment.status,
      ...(deployment.creator ? { creator: deployment.creator } : {}),
      result: status.result,
      summary: status.summary,
      ...(status.timeToVerdictSeconds !== undefined ? { timeToVerdictSeconds: status.timeToVerdictSeconds } : {}),
      decidedBy: status.decidedBy,
      evaluated: [...records.values()].some((record) => record !== undefined),
      ...(deployment.completeTime ? { completeTime: deployment.completeTime.toISOString() } : {}),
      ...(deployment.error?.code ? { errorCode: deployment.error.code } : {}),
      ...(deployment.traffic?.targetVersion ? { targetVersion: deployment.traffic.targetVersion } : {}),
      ...(deployment.traffic?.currentVersion ? { currentVersion: deployment.traffic.currentVersion } : {}),
      ...canaryShareOf(deployment),
      ...(deployment.rollback?.rollbackTriggeringDeploymentId ? { rollbackTriggeringDeploymentId: deployment.rollback.rollbackTriggeringDeploymentId } : {}),
    });
  }
  const releases = entries.filter((e) => e.creator !== 'codeDeployRollback' && e.creator !== 'rollback' && e.result !== 'running');
  const counts = { promoted: 0, 'rolled-back': 0, running: 0, inconclusive: 0 };
  for (const entry of entries) counts[entry.result] += 1;
  return {
    application: options.application,
    group: options.group,
    since: since.toISOString(),
    deployments: entries,
    changeFailureRate: releases.length > 0 ? releases.filter((e) => e.result === 'rolled-back').length / releases.length : null,
    medianTimeToVerdictSeconds: median(entries.flatMap((e) => (e.timeToVerdictSeconds !== undefined ? [e.timeToVerdictSeconds] : []))),
    counts,
    ...(options.dora ? { dora: doraMetrics(entries, { since: since.toISOString(), until: options.now.toISOString() }) } : {}),
  };
}

export function renderHistory(unsafe: History): string {
  const history = terminalSafe(unsafe);
  const rows = history.deployments.map((e) => [
    e.deploymentId,
    e.createTime ? formatClock(e.createTime, true) : '?',
    e.result,
    e.timeToVerdictSeconds !== undefined ? formatDuration(e.timeToVerdictSeconds) : '–',
    e.decidedBy.join(', ') || '–',
    e.summary,
  ]);
  const header = ['DEPLOYMENT', 'CREATED', 'OUTCOME', 'TO VERDICT', 'DECIDED BY', 'SUMMARY'];
  const widths = header.map((title, column) => Math.max(title.length, ...rows.map((row) => row[column].length)));
  const line = (cells: string[]) => cells.map((cell, column) => (column === cells.length - 1 ? cell : cell.padEnd(widths[column]))).join('  ');
  const c = history.counts;
  return [
    `${history.application} / ${history.group} since ${formatClock(history.since, true)}: ${history.deployments.length} deployment(s)`,
    '',
    line(header),
    ...rows.map(line),
    '',
    `promoted ${c.promoted}, rolled back ${c['rolled-back']}, promoted without a verdict ${c.inconclusive}, running ${c.running}`,
    `change failure rate ${history.changeFailureRate === null ? 'n/a' : formatPercent(history.changeFailureRate)} (rolled-back releases over finished releases; rollback deployments not counted)`,
    `median time to verdict ${history.medianTimeToVerdictSeconds === null ? 'n/a' : formatDuration(history.medianTimeToVerdictSeconds)} (hook invocation to the first deciding look)`,
    ...(history.dora ? ['', ...renderDora(history.dora)] : []),
  ].join('\n');
}

/** DORA's metrics in words (definitions: DORA, "DORA's software delivery metrics: the four keys"). */
export function renderDora(dora: DoraMetrics): string[] {
  const rate = (value: number | null) => (value === null ? 'n/a' : formatPercent(value));
  const k = dora.failuresByKind;
  return [
    `DORA over ${formatNumber(dora.periodDays)} days (${dora.deployments} deployments, ${dora.releases} releases${dora.failedToDeploy ? `, ${dora.failedToDeploy} failed to deploy and not counted` : ''}):`,
    `  deployment frequency      ${formatNumber(dora.deploymentFrequencyPerDay)} per day (successful releases)`,
    `  change fail rate          ${rate(dora.changeFailRate)}: ${k.caught} caught by the evaluator, ${k.escaped} escaped (passed, then rolled back), ${k.unjudged} unjudged (no verdict, then rolled back)`,
    `  failed-deployment recovery  median ${dora.medianRecoverySeconds === null ? 'n/a' : formatDuration(dora.medianRecoverySeconds)}`,
    `  rework rate               ${rate(dora.reworkRate)} (automatic rollbacks and redeployments of an older version)`,
    `  exposure of caught changes  ${formatNumber(dora.caughtExposureTrafficMinutes)} traffic-minutes (canary share × minutes before the verdict)`,
    `  change lead time          not available: ${dora.leadTime.reason}`,
  ];
}

/** `canary-eval history`. */
export async function historyCommand(argv: readonly string[], io: CommandIO, deps: { readonly clients?: (options: { region?: string; profile?: string }) => AwsClients; readonly now?: () => Date } = {}): Promise<number> {
  if (wantsHelp(argv)) {
    io.stdout(HISTORY_USAGE);
    return EXIT.ok;
  }
  let values;
  let sinceSeconds: number;
  try {
    ({ values } = parseFlags(argv, { ...AWS_FLAGS, application: { type: 'string' }, group: { type: 'string' }, since: { type: 'string' }, json: { type: 'boolean' }, dora: { type: 'boolean' }, 'state-machine': { type: 'string' } }));
    for (const required of ['application', 'group'] as const) if (!values[required]) throw new UsageError(`--${required} is required`);
    sinceSeconds = parseSince(values.since ?? '30d');
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    io.stderr(`canary-eval history: ${error.message}\n\n${HISTORY_USAGE}`);
    return EXIT.usage;
  }
  try {
    const clients = (deps.clients ?? awsClients)({ region: values.region, profile: values.profile });
    const progress = progressReporter(io);
    const history = await readHistory(clients, { application: values.application!, group: values.group!, sinceSeconds, stateMachine: values['state-machine'] ?? process.env.CANARY_EVAL_STATE_MACHINE, now: (deps.now ?? (() => new Date()))(), progress: progress.update, dora: values.dora === true });
    progress.clear();
    io.stdout(values.json ? JSON.stringify(history, null, 2) : renderHistory(history));
    return EXIT.ok;
  } catch (error) {
    const code = awsFailure('history', error, io);
    if (code !== undefined) return code;
    throw error;
  }
}
