import { DeploymentStatusReader, type DeploymentView } from '../adapters/aws/deployment-status';
import { EvaluationHistoryReader, type EvaluationRecord } from '../adapters/aws/evaluation-history';
import { executionName, type LifecycleEvent } from '../evaluation/state';
import { doraMetrics, type DoraDeployment, type DoraMetrics } from '../report/dora';
import { formatClock, formatDuration, formatNumber, formatPercent } from '../report/format';
import { awsClients, awsFailure, type AwsClients } from './aws-context';
import { deploymentStatus, deploymentStatusOf, judgedEvents, type DeploymentResult, type DeploymentStatus } from './deployment-report';
import { readEcsNativeHooks } from './status-command';
import { deploymentViewOf, EcsServiceDeploymentReader } from '../adapters/aws/ecs-service-deployments';
import { productionStepWeights } from '../evaluation/ecs-native/contract';
import { AWS_FLAGS, AWS_FLAGS_HELP, EXIT, parseFlags, progressReporter, UsageError, wantsHelp, type CommandIO } from './io';
import { parseSince } from './replay-command';
import { terminalSafe } from '../report/terminal-text';

export const HISTORY_USAGE = `usage: canary-eval history (--application <A> --group <G> | --ecs-service <cluster>/<service>) [--since 30d] [--dora] [--json] [--state-machine <arn>] [--region R] [--profile P]

Past deployments of a deployment group and their evaluations: outcome, time to verdict, the metric that
decided, rollbacks; over the period, the change failure rate and the median time to verdict.
  --application <A>    the CodeDeploy application, with --group: its deployments (CodeDeploy ListDeployments)
  --group <G>          the CodeDeploy deployment group
  --ecs-service <c/s>  an ECS service deployed by Amazon ECS itself (BLUE_GREEN, LINEAR, CANARY): its service
                       deployments (ECS ListServiceDeployments; ECS keeps 90 days) and the evaluations of each
                       stage and production step. With --application and --group too, both are listed, newest
                       first, the PLATFORM column telling them apart
  --since <d>          how far back: 30d, 36h (default 30d)
  --dora               also DORA's delivery metrics over the period: deployment frequency, change fail rate
                       (caught by the evaluator, escaped, unjudged), failed-deployment recovery time, rework rate
  --json               print the history as JSON (only JSON on stdout; progress on stderr)
  --state-machine <a>  the evaluator's state machine ARN (default: CANARY_EVAL_STATE_MACHINE, else discovered)
${AWS_FLAGS_HELP}
Exit codes: 0 printed, 2 usage, 6 AWS error (names the action).`;

export interface HistoryEntry extends DoraDeployment {
  /** The CodeDeploy deployment id, or the ECS service deployment ARN. */
  readonly deploymentId: string;
  /** Who deployed it: CodeDeploy, or Amazon ECS itself (a native strategy). */
  readonly platform: 'CodeDeploy' | 'ECS native';
  readonly createTime?: string;
  readonly status: string;
  readonly creator?: string;
  readonly result: DeploymentResult;
  readonly summary: string;
  readonly timeToVerdictSeconds?: number;
  readonly decidedBy: readonly string[];
}

export interface History {
  /** The CodeDeploy application and group read (absent with --ecs-service only). */
  readonly application?: string;
  readonly group?: string;
  /** The ECS service read (`<cluster>/<service>`), with --ecs-service. */
  readonly ecsService?: string;
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

export async function readHistory(
  clients: AwsClients,
  options: { application?: string; group?: string; ecsService?: { cluster: string; service: string }; sinceSeconds: number; stateMachine?: string; now: Date; progress: (text: string) => void; dora?: boolean },
): Promise<History> {
  const since = new Date(options.now.getTime() - options.sinceSeconds * 1000);
  const reader = new EvaluationHistoryReader(clients.sfn);
  const stateMachine = await reader.resolveStateMachine(options.stateMachine);
  const entries: HistoryEntry[] = [];
  if (options.application !== undefined && options.group !== undefined) {
    const deployments = await new DeploymentStatusReader(clients.codedeploy).list(options.application, options.group, since, options.now, options.progress);
    for (const [index, deployment] of deployments.entries()) {
      options.progress(`reading evaluations of ${deployment.deploymentId} (${index + 1} of ${deployments.length})…`);
      const records = new Map<LifecycleEvent, EvaluationRecord | undefined>();
      const rollback = deployment.creator === 'codeDeployRollback' || deployment.creator === 'rollback';
      if (!rollback) for (const event of judgedEvents(deployment)) records.set(event, await reader.read(stateMachine, deployment.deploymentId, event));
      const status = deploymentStatus(deployment, records, options.now, (event) => executionName(deployment.deploymentId, event));
      entries.push(historyEntry(deployment, status, [...records.values()].some((record) => record !== undefined), canaryShareOf(deployment)));
    }
  }
  if (options.ecsService) {
    const { cluster, service } = options.ecsService;
    const views = await new EcsServiceDeploymentReader(clients.ecs).list(cluster, service, since, options.now, options.progress);
    for (const [index, view] of views.entries()) {
      options.progress(`reading evaluations of ${view.serviceDeploymentArn} (${index + 1} of ${views.length})…`);
      const deployment = deploymentViewOf(view);
      const hooks = await readEcsNativeHooks(clients, reader, stateMachine, view);
      const status = deploymentStatusOf(deployment, hooks, options.now);
      // The green revision's share while the first step was judged: the strategy's first step (BLUE_GREEN: all of it).
      const firstStep = productionStepWeights(view.strategy ?? 'BLUE_GREEN', view.stepPercent)[0];
      entries.push(historyEntry(deployment, status, hooks.some((hook) => hook.record), { canaryPercent: firstStep }, view.targetServiceRevisionArn));
    }
  }
  entries.sort((a, b) => Date.parse(b.createTime ?? '1970-01-01T00:00:00Z') - Date.parse(a.createTime ?? '1970-01-01T00:00:00Z'));
  const releases = entries.filter((e) => e.creator !== 'codeDeployRollback' && e.creator !== 'rollback' && e.result !== 'running');
  const counts = { promoted: 0, 'rolled-back': 0, running: 0, inconclusive: 0 };
  for (const entry of entries) counts[entry.result] += 1;
  return {
    ...(options.application !== undefined ? { application: options.application } : {}),
    ...(options.group !== undefined ? { group: options.group } : {}),
    ...(options.ecsService ? { ecsService: `${options.ecsService.cluster}/${options.ecsService.service}` } : {}),
    since: since.toISOString(),
    deployments: entries,
    changeFailureRate: releases.length > 0 ? releases.filter((e) => e.result === 'rolled-back').length / releases.length : null,
    medianTimeToVerdictSeconds: median(entries.flatMap((e) => (e.timeToVerdictSeconds !== undefined ? [e.timeToVerdictSeconds] : []))),
    counts,
    ...(options.dora ? { dora: doraMetrics(entries, { since: since.toISOString(), until: options.now.toISOString() }) } : {}),
  };
}

/** One deployment's line of the history, for either platform. */
function historyEntry(deployment: DeploymentView, status: DeploymentStatus, evaluated: boolean, share: { canaryPercent?: number }, targetRevision?: string): HistoryEntry {
  return {
    deploymentId: deployment.deploymentId,
    platform: deployment.ecsNative ? 'ECS native' : 'CodeDeploy',
    ...(deployment.createTime ? { createTime: deployment.createTime.toISOString() } : {}),
    status: deployment.ecsNative?.status ?? deployment.status,
    ...(deployment.creator ? { creator: deployment.creator } : {}),
    result: status.result,
    summary: status.summary,
    ...(status.timeToVerdictSeconds !== undefined ? { timeToVerdictSeconds: status.timeToVerdictSeconds } : {}),
    decidedBy: status.decidedBy,
    evaluated,
    ...(deployment.completeTime ? { completeTime: deployment.completeTime.toISOString() } : {}),
    ...(deployment.error?.code ? { errorCode: deployment.error.code } : {}),
    ...(deployment.traffic?.targetVersion ? { targetVersion: deployment.traffic.targetVersion } : targetRevision ? { targetVersion: targetRevision } : {}),
    ...(deployment.traffic?.currentVersion ? { currentVersion: deployment.traffic.currentVersion } : {}),
    ...share,
    ...(deployment.rollback?.rollbackTriggeringDeploymentId ? { rollbackTriggeringDeploymentId: deployment.rollback.rollbackTriggeringDeploymentId } : {}),
  };
}

/** The table's name of a deployment: a CodeDeploy id as it is, an ECS service deployment as `<cluster>/<service>/<id>`. */
function shortName(deploymentId: string): string {
  return deploymentId.startsWith('arn:') ? deploymentId.slice(deploymentId.indexOf('service-deployment/') + 'service-deployment/'.length) : deploymentId;
}

export function renderHistory(unsafe: History): string {
  const history = terminalSafe(unsafe);
  const rows = history.deployments.map((e) => [
    shortName(e.deploymentId),
    e.platform,
    e.createTime ? formatClock(e.createTime, true) : '?',
    e.result,
    e.timeToVerdictSeconds !== undefined ? formatDuration(e.timeToVerdictSeconds) : '–',
    e.decidedBy.join(', ') || '–',
    e.summary,
  ]);
  const header = ['DEPLOYMENT', 'PLATFORM', 'CREATED', 'OUTCOME', 'TO VERDICT', 'DECIDED BY', 'SUMMARY'];
  const widths = header.map((title, column) => Math.max(title.length, ...rows.map((row) => row[column].length)));
  const line = (cells: string[]) => cells.map((cell, column) => (column === cells.length - 1 ? cell : cell.padEnd(widths[column]))).join('  ');
  const c = history.counts;
  return [
    `${[history.application !== undefined ? `${history.application} / ${history.group}` : undefined, history.ecsService !== undefined ? `ECS service ${history.ecsService}` : undefined].filter(Boolean).join(' and ')} since ${formatClock(history.since, true)}: ${history.deployments.length} deployment(s)`,
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

/** `--ecs-service <cluster>/<service>`: names, as ListServiceDeployments takes them (a cluster or service ARN is not split here). */
function parseEcsService(text: string): { cluster: string; service: string } {
  const match = /^([A-Za-z0-9_-]{1,255})\/([A-Za-z0-9_-]{1,255})$/.exec(text);
  if (!match) throw new UsageError(`--ecs-service: expected <cluster>/<service> (names: letters, digits, - and _), got "${text.slice(0, 120)}"`);
  return { cluster: match[1], service: match[2] };
}

/** `canary-eval history`. */
export async function historyCommand(argv: readonly string[], io: CommandIO, deps: { readonly clients?: (options: { region?: string; profile?: string }) => AwsClients; readonly now?: () => Date } = {}): Promise<number> {
  if (wantsHelp(argv)) {
    io.stdout(HISTORY_USAGE);
    return EXIT.ok;
  }
  let values;
  let sinceSeconds: number;
  let ecsService: { cluster: string; service: string } | undefined;
  try {
    ({ values } = parseFlags(argv, { ...AWS_FLAGS, application: { type: 'string' }, group: { type: 'string' }, 'ecs-service': { type: 'string' }, since: { type: 'string' }, json: { type: 'boolean' }, dora: { type: 'boolean' }, 'state-machine': { type: 'string' } }));
    const codeDeploy = values.application !== undefined || values.group !== undefined || values['ecs-service'] === undefined;
    if (codeDeploy) for (const required of ['application', 'group'] as const) if (!values[required]) throw new UsageError(`--${required} is required${values['ecs-service'] === undefined ? ' (or --ecs-service <cluster>/<service> for an ECS native service)' : ' with --application or --group'}`);
    if (values['ecs-service'] !== undefined) ecsService = parseEcsService(values['ecs-service']);
    sinceSeconds = parseSince(values.since ?? '30d');
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    io.stderr(`canary-eval history: ${error.message}\n\n${HISTORY_USAGE}`);
    return EXIT.usage;
  }
  try {
    const clients = (deps.clients ?? awsClients)({ region: values.region, profile: values.profile });
    const progress = progressReporter(io);
    const history = await readHistory(clients, { ...(values.application !== undefined ? { application: values.application, group: values.group } : {}), ...(ecsService ? { ecsService } : {}), sinceSeconds, stateMachine: values['state-machine'] ?? process.env.CANARY_EVAL_STATE_MACHINE, now: (deps.now ?? (() => new Date()))(), progress: progress.update, dora: values.dora === true });
    progress.clear();
    io.stdout(values.json ? JSON.stringify(history, null, 2) : renderHistory(history));
    return EXIT.ok;
  } catch (error) {
    const code = awsFailure('history', error, io);
    if (code !== undefined) return code;
    throw error;
  }
}
