import { CloudWatchMetricSource } from '../adapters/aws/cloudwatch-metric-source';
import { DeploymentStatusReader, type DeploymentView } from '../adapters/aws/deployment-status';
import { EvaluationHistoryReader, type EvaluationLook, type EvaluationRecord } from '../adapters/aws/evaluation-history';
import { readCall } from '../adapters/aws/read-call';
import { S3PolicyStore } from '../adapters/aws/s3-policy-store';
import type { AlarmStateSource, MetricQuery, MetricSeriesResult, MetricSource, TimeWindow } from '../evaluation/ports';
import type { EvaluateRequest } from '../evaluation/state';
import { judgeWindow, loadPolicy } from '../evaluation/steps';
import type { Policy } from '../policy';
import { loadValidatedPolicyFile } from '../evaluation/policy-check';
import { formatNumber, formatPercent } from '../report/format';
import { awsClients, awsFailure, type AwsClients } from './aws-context';
import { judgedEvents } from './deployment-report';
import { AWS_FLAGS, AWS_FLAGS_HELP, EXIT, parseFlags, progressReporter, UsageError, wantsHelp, type CommandIO } from './io';
import { terminalSafe } from '../report/terminal-text';

export const REPLAY_USAGE = `usage: canary-eval replay --application <A> --group <G> --policy <candidate.yaml> [--since 14d] [--json] [--state-machine <arn>] [--region R] [--profile P]

Re-judges the past deployments of a deployment group whose per-version metrics are still in CloudWatch
(one-minute data is kept 15 days) with a candidate policy, at every look the evaluator made, and shows
where its decisions differ from what happened (promoted ↔ rolled back, minutes to decide). The recorded
policy is replayed too: it must reproduce the recorded decisions. Replaying the healthy (promoted)
deployments is an A/A calibration on your own traffic: the candidate's false-alarm estimate.
  --policy <file>      the candidate policy (YAML or JSON)
  --since <d>          how far back: 14d, 36h (default 14d; beyond 15d one-minute data is gone)
  --json               print the comparison as JSON (only JSON on stdout; progress on stderr)
  --state-machine <a>  the evaluator's state machine ARN (default: CANARY_EVAL_STATE_MACHINE, else discovered)
${AWS_FLAGS_HELP}
Exit codes: 0 the candidate decides as the evaluator did, 1 a policy file is invalid, 2 usage,
3 the candidate decides differently somewhere, 6 AWS error (names the action).`;

/** CloudWatch keeps one-minute datapoints for 15 days (CloudWatch User Guide, "Metrics retention"). */
export const ONE_MINUTE_RETENTION_DAYS = 15;

export function parseSince(text: string): number {
  const match = /^(\d+(?:\.\d+)?)([dh])$/.exec(text);
  if (!match) throw new UsageError(`--since: expected a duration such as 14d or 36h, got "${text}"`);
  return Number(match[1]) * (match[2] === 'd' ? 86_400 : 3_600);
}

/**
 * Serves every look of one evaluation from one GetMetricData read of its whole window per query set:
 * the looks re-read growing windows, and CloudWatch bills each metric requested.
 */
export class WindowCachedSource implements MetricSource {
  private readonly cache = new Map<string, Promise<MetricSeriesResult[]>>();
  constructor(
    private readonly base: MetricSource,
    private readonly full: TimeWindow,
  ) {}

  async getMetricData(queries: readonly MetricQuery[], window: TimeWindow): Promise<MetricSeriesResult[]> {
    const key = JSON.stringify(queries);
    if (!this.cache.has(key)) this.cache.set(key, this.base.getMetricData(queries, { start: new Date(Math.min(this.full.start.getTime(), window.start.getTime())), end: new Date(Math.max(this.full.end.getTime(), window.end.getTime())) }));
    const from = window.start.getTime() / 1000;
    const to = window.end.getTime() / 1000;
    return (await this.cache.get(key)!).map((series) => {
      const keep = series.timestamps.map((t, i) => [t, series.values[i]] as const).filter(([t]) => t >= from && t < to);
      return { id: series.id, timestamps: keep.map(([t]) => t), values: keep.map(([, v]) => v) };
    });
  }
}

/** Alarm history is not replayed: gates read as OK (said in the output). */
const ALARMS_OK: AlarmStateSource = { getAlarmStates: async (names) => names.map((name) => ({ name, state: 'OK' as const })) };

type Decision = 'pass' | 'fail' | 'continue' | 'inconclusive';

export interface ReplayedEvaluation {
  readonly deploymentId: string;
  readonly lifecycleEvent: string;
  readonly looks: number;
  /** What the evaluator decided at each look, and what the recorded and the candidate policy decide on the same data. */
  readonly recorded: readonly Decision[];
  readonly samePolicy: readonly Decision[];
  readonly candidate: readonly Decision[];
  readonly reproduced: boolean;
  /** The first deciding look: `fail` (any step), or `pass` of the bake; minutes after the hook. */
  readonly recordedOutcome: Outcome;
  readonly candidateOutcome: Outcome;
  readonly differs: boolean;
  readonly difference?: string;
  readonly failingMetrics: readonly string[];
}

interface Outcome {
  readonly result: 'rolled-back' | 'promoted' | 'undecided';
  readonly minute?: number;
}

function outcomeOf(decisions: readonly Decision[], looks: readonly EvaluationLook[], invokedAt: number): Outcome {
  const index = decisions.findIndex((decision, i) => decision === 'fail' || (decision === 'pass' && looks[i].step === 'evaluate'));
  if (index < 0) return { result: looks[0]?.step === 'watch' ? 'promoted' : 'undecided' };
  return { result: decisions[index] === 'fail' ? 'rolled-back' : 'promoted', minute: Math.round((looks[index].at.getTime() - invokedAt) / 60_000) };
}

const describe = (outcome: Outcome) => (outcome.result === 'undecided' ? 'no decision' : `${outcome.result}${outcome.minute !== undefined ? ` at minute ${outcome.minute}` : ' (the watch never failed)'}`);

/** Every look of one recorded evaluation, judged with a policy on the data CloudWatch still has. */
async function judgeLooks(record: EvaluationRecord, policy: Policy, source: MetricSource): Promise<{ decisions: Decision[]; failing: string[] }> {
  const plan = record.plan!;
  const request: EvaluateRequest = { input: record.input, plan };
  const decisions: Decision[] = [];
  const failing = new Set<string>();
  for (const look of record.looks) {
    const nowSeconds = Math.floor(look.at.getTime() / 1000);
    const visibleUntil = Math.floor((nowSeconds - plan.lagSeconds) / plan.periodSeconds) * plan.periodSeconds;
    // As the bake's evaluate step does; the canary watch never judges "at the deadline".
    const deadlineReached = look.step === 'evaluate' && (visibleUntil >= plan.windowEnd || nowSeconds >= plan.reportBy);
    const { verdict } = await judgeWindow(request, policy, source, nowSeconds, { end: plan.windowEnd, deadlineReached, alarms: ALARMS_OK });
    decisions.push(verdict.decision);
    for (const metric of verdict.metrics) if (metric.decision === 'fail' && metric.critical) failing.add(metric.metric);
  }
  return { decisions, failing: [...failing] };
}

export async function replayEvaluation(record: EvaluationRecord, recordedPolicy: Policy, candidate: Policy, metrics: MetricSource): Promise<ReplayedEvaluation> {
  const plan = record.plan!;
  const lastLook = record.looks.at(-1)!;
  const full = { start: new Date((plan.windowStart - plan.baselineOffsetSeconds) * 1000), end: new Date(Math.min(plan.windowEnd, Math.floor(lastLook.at.getTime() / 1000)) * 1000) };
  const source = new WindowCachedSource(metrics, full);
  const same = await judgeLooks(record, recordedPolicy, source);
  const next = await judgeLooks(record, candidate, source);
  const invokedAt = Date.parse(record.input.hookInvokedAt);
  const recorded = record.looks.map((look) => look.decision);
  const recordedOutcome = outcomeOf(recorded, record.looks, invokedAt);
  const candidateOutcome = outcomeOf(next.decisions, record.looks, invokedAt);
  const differs = recordedOutcome.result !== candidateOutcome.result || recordedOutcome.minute !== candidateOutcome.minute;
  let difference: string | undefined;
  if (differs) {
    difference =
      recordedOutcome.result !== candidateOutcome.result
        ? `${describe(recordedOutcome)} → ${describe(candidateOutcome)}`
        : `${recordedOutcome.result} ${Math.abs((candidateOutcome.minute ?? 0) - (recordedOutcome.minute ?? 0))} min ${(candidateOutcome.minute ?? 0) < (recordedOutcome.minute ?? 0) ? 'earlier' : 'later'} (minute ${recordedOutcome.minute} → ${candidateOutcome.minute})`;
  }
  return {
    deploymentId: record.input.deploymentId,
    lifecycleEvent: record.input.lifecycleEvent,
    looks: record.looks.length,
    recorded,
    samePolicy: same.decisions,
    candidate: next.decisions,
    reproduced: same.decisions.every((decision, i) => decision === recorded[i]),
    recordedOutcome,
    candidateOutcome,
    differs,
    ...(difference ? { difference } : {}),
    failingMetrics: next.failing,
  };
}

/** Exact (Clopper–Pearson) one-sided 95 % upper bound of a binomial proportion, by bisection. */
export function upperBound95(failures: number, trials: number): number {
  if (trials === 0) return 1;
  if (failures >= trials) return 1;
  // P(X ≤ failures | p) = 0.05 solved for p.
  const cdf = (p: number) => {
    let term = (1 - p) ** trials;
    let sum = term;
    for (let k = 1; k <= failures; k++) {
      term *= ((trials - k + 1) / k) * (p / (1 - p));
      sum += term;
    }
    return sum;
  };
  let low = failures / trials;
  let high = 1;
  for (let i = 0; i < 60; i++) {
    const mid = (low + high) / 2;
    if (cdf(mid) > 0.05) low = mid;
    else high = mid;
  }
  return high;
}

export interface ReplaySummary {
  readonly application: string;
  readonly group: string;
  readonly since: string;
  readonly deployments: number;
  readonly evaluations: readonly ReplayedEvaluation[];
  readonly skipped: ReadonlyArray<{ readonly deploymentId: string; readonly reason: string }>;
  readonly reproduced: number;
  readonly differences: number;
  /** A/A: the evaluations that ended promoted, and how many the candidate would have failed. */
  readonly calibration: { readonly healthy: number; readonly candidateFailures: number; readonly falseAlarmEstimate: number | null; readonly upperBound95: number | null };
}

export async function replay(clients: AwsClients, options: { application: string; group: string; sinceSeconds: number; candidate: Policy; stateMachine?: string; now: Date; progress: (text: string) => void }): Promise<ReplaySummary> {
  const since = new Date(options.now.getTime() - options.sinceSeconds * 1000);
  const deployments: DeploymentView[] = await new DeploymentStatusReader(clients.codedeploy).list(options.application, options.group, since, options.now, options.progress);
  const history = new EvaluationHistoryReader(clients.sfn);
  const stateMachine = await history.resolveStateMachine(options.stateMachine);
  const store = new S3PolicyStore(clients.s3);
  const cloudwatch = new CloudWatchMetricSource(clients.cloudwatch);
  const metrics: MetricSource = { getMetricData: (queries, window) => readCall('cloudwatch:GetMetricData', () => cloudwatch.getMetricData(queries, window), { maxAttempts: 1 }) };
  const evaluations: ReplayedEvaluation[] = [];
  const skipped: Array<{ deploymentId: string; reason: string }> = [];
  const oldest = options.now.getTime() - ONE_MINUTE_RETENTION_DAYS * 86_400_000;
  for (const [index, deployment] of deployments.entries()) {
    options.progress(`replaying ${deployment.deploymentId} (${index + 1} of ${deployments.length})…`);
    if (deployment.creator === 'codeDeployRollback' || deployment.creator === 'rollback') {
      skipped.push({ deploymentId: deployment.deploymentId, reason: 'a rollback deployment: not judged' });
      continue;
    }
    if ((deployment.createTime?.getTime() ?? 0) < oldest) {
      skipped.push({ deploymentId: deployment.deploymentId, reason: `older than ${ONE_MINUTE_RETENTION_DAYS} days: one-minute data is gone` });
      continue;
    }
    let any = false;
    for (const event of judgedEvents(deployment)) {
      const record = await history.read(stateMachine, deployment.deploymentId, event);
      if (!record || !record.plan || record.looks.length === 0) continue;
      any = true;
      const recordedPolicy = await readCall('s3:GetObject', () => loadPolicy(store, record.input), { maxAttempts: 1 });
      evaluations.push(await replayEvaluation(record, recordedPolicy, options.candidate, metrics));
    }
    if (!any) skipped.push({ deploymentId: deployment.deploymentId, reason: 'no evaluation with looks' });
  }
  // A/A: evaluations that did not fail; a candidate failure there is a false alarm on healthy traffic.
  const healthy = evaluations.filter((e) => e.recordedOutcome.result !== 'rolled-back');
  const candidateFailures = healthy.filter((e) => e.candidateOutcome.result === 'rolled-back').length;
  return {
    application: options.application,
    group: options.group,
    since: since.toISOString(),
    deployments: deployments.length,
    evaluations,
    skipped,
    reproduced: evaluations.filter((e) => e.reproduced).length,
    differences: evaluations.filter((e) => e.differs).length,
    calibration: {
      healthy: healthy.length,
      candidateFailures,
      falseAlarmEstimate: healthy.length > 0 ? candidateFailures / healthy.length : null,
      upperBound95: healthy.length > 0 ? upperBound95(candidateFailures, healthy.length) : null,
    },
  };
}

export function renderReplay(unsafe: ReplaySummary): string {
  const summary = terminalSafe(unsafe);
  const lines = [`Replay of ${summary.application} / ${summary.group} since ${summary.since.slice(0, 10)}: ${summary.deployments} deployment(s), ${summary.evaluations.length} evaluation(s) re-judged`, ''];
  for (const e of summary.evaluations) {
    lines.push(`  ${e.differs ? '≠' : '='} ${e.deploymentId} ${e.lifecycleEvent}: happened ${describe(e.recordedOutcome)}; candidate ${describe(e.candidateOutcome)}${e.difference ? `  [${e.difference}]` : ''}`);
    lines.push(`      recorded policy reproduced ${e.samePolicy.filter((d, i) => d === e.recorded[i]).length}/${e.looks} looks${e.failingMetrics.length > 0 ? `; candidate fails on ${e.failingMetrics.join(', ')}` : ''}`);
  }
  for (const s of summary.skipped) lines.push(`  - ${s.deploymentId}: skipped, ${s.reason}`);
  const c = summary.calibration;
  lines.push(
    '',
    `Differences: ${summary.differences} of ${summary.evaluations.length}; the recorded policy reproduced ${summary.reproduced} of ${summary.evaluations.length} evaluation(s) look by look.`,
    c.healthy > 0
      ? `A/A calibration on your traffic: the candidate fails ${c.candidateFailures} of ${c.healthy} healthy evaluation(s): false-alarm estimate ${formatPercent(c.falseAlarmEstimate!)} (95% upper bound ${formatPercent(c.upperBound95!)}, n=${formatNumber(c.healthy)})`
      : 'A/A calibration: no healthy evaluation in the period.',
    'Alarm gates are replayed as OK (CloudWatch alarm history is not re-read).',
  );
  return lines.join('\n');
}

/** `canary-eval replay`. */
export async function replayCommand(argv: readonly string[], io: CommandIO, deps: { readonly clients?: (options: { region?: string; profile?: string }) => AwsClients; readonly now?: () => Date } = {}): Promise<number> {
  if (wantsHelp(argv)) {
    io.stdout(REPLAY_USAGE);
    return EXIT.ok;
  }
  let values;
  let sinceSeconds: number;
  try {
    ({ values } = parseFlags(argv, { ...AWS_FLAGS, application: { type: 'string' }, group: { type: 'string' }, policy: { type: 'string' }, since: { type: 'string' }, json: { type: 'boolean' }, 'state-machine': { type: 'string' } }));
    for (const required of ['application', 'group', 'policy'] as const) if (!values[required]) throw new UsageError(`--${required} is required`);
    sinceSeconds = parseSince(values.since ?? '14d');
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    io.stderr(`canary-eval replay: ${error.message}\n\n${REPLAY_USAGE}`);
    return EXIT.usage;
  }
  let candidate: Policy;
  try {
    candidate = loadValidatedPolicyFile(values.policy!);
  } catch (error) {
    io.stderr(`canary-eval replay: ${(error as Error).message}`);
    return EXIT.invalid;
  }
  if (sinceSeconds > ONE_MINUTE_RETENTION_DAYS * 86_400) io.stderr(`canary-eval replay: --since ${values.since}: CloudWatch keeps one-minute data ${ONE_MINUTE_RETENTION_DAYS} days; older deployments are skipped`);
  try {
    const clients = (deps.clients ?? awsClients)({ region: values.region, profile: values.profile });
    const progress = progressReporter(io);
    const summary = await replay(clients, { application: values.application!, group: values.group!, sinceSeconds, candidate, stateMachine: values['state-machine'] ?? process.env.CANARY_EVAL_STATE_MACHINE, now: (deps.now ?? (() => new Date()))(), progress: progress.update });
    progress.clear();
    io.stdout(values.json ? JSON.stringify(summary, null, 2) : renderReplay(summary));
    return summary.differences > 0 ? EXIT.rolledBack : EXIT.ok;
  } catch (error) {
    const code = awsFailure('replay', error, io);
    if (code !== undefined) return code;
    throw error;
  }
}
