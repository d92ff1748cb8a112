import { writeFileSync } from 'node:fs';
import { GetObjectCommand } from '@aws-sdk/client-s3';
import { CloudWatchMetricSource } from '../adapters/aws/cloudwatch-metric-source';
import { readCall } from '../adapters/aws/read-call';
import { S3PolicyStore } from '../adapters/aws/s3-policy-store';
import type { EvaluationRecord } from '../adapters/aws/evaluation-history';
import type { MetricQuery, MetricSource, TimeWindow } from '../evaluation/ports';
import { loadPolicy } from '../evaluation/steps';
import { reportKey } from '../evaluation/stored-report';
import { renderHtmlReport } from '../report/html-report';
import type { EvaluationReport } from '../report/model';
import { awsClients, awsFailure, type AwsClients } from './aws-context';
import { chartsFromSource, evaluationReport, parseDeploymentRef, type JudgedHook } from './deployment-report';
import { AWS_FLAGS, AWS_FLAGS_HELP, EXIT, parseFlags, progressReporter, UsageError, wantsHelp, type CommandIO } from './io';
import { NoEvaluation, readDeploymentStatus } from './status-command';

export const REPORT_USAGE = `usage: canary-eval report <deployment> [--out <report.html>] [--json] [--stored <bucket>] [--state-machine <arn>] [--region R] [--profile P]

The HTML report of a real deployment, built from the data the evaluator judged: the verdicts from the
Step Functions executions of its hooks, the metrics re-read from CloudWatch for the evaluated windows, the
policy from the evaluator's S3 asset. One report per hook evaluation, with links to the console.
<deployment> is a CodeDeploy deployment id (d-XXXXXXXXX), an Amazon ECS service deployment ARN (one report per
evaluated stage and production step) or an ECS native evaluation id (that evaluation only).
  --out <file>         where to write the HTML (default: report-<deployment-id>.html)
  --json               print the report data (the renderer's model) as JSON on stdout instead of writing HTML
  --stored <bucket>    fetch the report the evaluator stored for each evaluation (CanaryEvaluator.reportBucket)
                       instead of rebuilding it; one file per evaluation: <out without .html>-<lifecycle event>.html
                       (ECS native: <out without .html>-<evaluation id>.html)
  --state-machine <a>  the evaluator's state machine ARN (default: CANARY_EVAL_STATE_MACHINE, else discovered)
${AWS_FLAGS_HELP}
Exit codes: 0 written, 1 no evaluation to report, 2 usage, 6 AWS error (names the action).`;

/** GetMetricData through the existing adapter (throttling retried), failures named by their IAM action. */
function namedSource(clients: AwsClients): MetricSource {
  const source = new CloudWatchMetricSource(clients.cloudwatch);
  return { getMetricData: (queries: readonly MetricQuery[], window: TimeWindow) => readCall('cloudwatch:GetMetricData', () => source.getMetricData(queries, window), { maxAttempts: 1 }) };
}

/** The report model of every evaluation of a deployment (shared with tests). */
export async function deploymentReports(clients: AwsClients, deploymentId: string, stateMachine: string | undefined, now: Date, progress: (text: string) => void = () => undefined): Promise<EvaluationReport[]> {
  const { deployment, hooks, only } = await readDeploymentStatus(clients, deploymentId, stateMachine, now);
  const store = new S3PolicyStore(clients.s3);
  const metrics = namedSource(clients);
  const reports: EvaluationReport[] = [];
  for (const record of evaluatedRecords(hooks, only)) {
    progress(`reading ${record.executionName}: policy and metrics…`);
    const policy = await readCall('s3:GetObject', () => loadPolicy(store, record.input), { maxAttempts: 1 });
    const last = record.looks.at(-1);
    const through = last && record.plan ? Math.floor(last.at.getTime() / 1000) - record.plan.lagSeconds : Math.floor(now.getTime() / 1000);
    const verdict = record.looks.filter((look) => look.verdict).at(-1)?.verdict;
    let charts;
    let chartError: string | undefined;
    try {
      charts = await chartsFromSource(metrics, policy, record, through, verdict);
    } catch (error) {
      chartError = (error as Error).message;
    }
    reports.push(evaluationReport(deployment, record, { policy, ...(charts ? { charts } : {}), ...(chartError ? { chartError } : {}), region: clients.region }));
  }
  if (reports.length === 0) throw new UsageError(`deployment ${deploymentId} has no evaluation: none of its hooks started one (is its group registered with the evaluator?)`);
  return reports;
}

/** The evaluations that ran, in hook order; only the one an ECS native evaluation id named, when it named one. */
function evaluatedRecords(hooks: readonly JudgedHook[], only: string | undefined): EvaluationRecord[] {
  return hooks.flatMap((hook) => (hook.record && (only === undefined || hook.ecsNative?.evaluationId === only) ? [hook.record] : []));
}

/** A file name for the default output: an ECS ARN's `:` and `/` become `_` (the deployment id for CodeDeploy is unchanged). */
function fileSafe(deploymentId: string): string {
  return deploymentId.startsWith('arn:') ? deploymentId.split(':').at(-1)!.replace(/[^A-Za-z0-9_-]/g, '_') : deploymentId;
}

/** `canary-eval report`. */
export async function reportCommand(argv: readonly string[], io: CommandIO, deps: { readonly clients?: (options: { region?: string; profile?: string }) => AwsClients; readonly now?: () => Date } = {}): Promise<number> {
  if (wantsHelp(argv)) {
    io.stdout(REPORT_USAGE);
    return EXIT.ok;
  }
  let values;
  let deploymentId: string;
  try {
    const parsed = parseFlags(argv, { ...AWS_FLAGS, out: { type: 'string' }, json: { type: 'boolean' }, stored: { type: 'string' }, 'state-machine': { type: 'string' } }, true);
    values = parsed.values;
    if (parsed.positionals.length !== 1) throw new UsageError('one deployment is required');
    deploymentId = parsed.positionals[0];
    parseDeploymentRef(deploymentId);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    io.stderr(`canary-eval report: ${error.message}\n\n${REPORT_USAGE}`);
    return EXIT.usage;
  }
  try {
    const clients = (deps.clients ?? awsClients)({ region: values.region, profile: values.profile });
    const progress = progressReporter(io, { quiet: false });
    if (values.stored) return await fetchStoredReports(clients, deploymentId, values.stored, values['state-machine'] ?? process.env.CANARY_EVAL_STATE_MACHINE, values.out, io, (deps.now ?? (() => new Date()))());
    const reports = await deploymentReports(clients, deploymentId, values['state-machine'] ?? process.env.CANARY_EVAL_STATE_MACHINE, (deps.now ?? (() => new Date()))(), progress.update);
    progress.clear();
    for (const report of reports) if (report.chartError) io.stderr(`canary-eval report: ${report.id}: no charts: ${report.chartError}`);
    if (values.json) {
      io.stdout(JSON.stringify({ deploymentId, evaluations: reports }, null, 2));
      return EXIT.ok;
    }
    const out = values.out ?? `report-${fileSafe(deploymentId)}.html`;
    writeFileSync(out, renderHtmlReport(reports, { title: `canary-evaluator: deployment ${deploymentId}`, intro: `What the evaluator judged for ${reports[0].subtitle}: verdicts from the Step Functions executions, metrics re-read from CloudWatch for the evaluated windows.` }));
    io.stderr(`HTML report written to ${out}`);
    return EXIT.ok;
  } catch (error) {
    const code = awsFailure('report', error, io);
    if (code !== undefined) return code;
    if (error instanceof UsageError || error instanceof NoEvaluation) {
      io.stderr(`canary-eval report: ${error.message}`);
      return EXIT.invalid;
    }
    throw error;
  }
}

/** `--stored`: the reports the evaluator wrote (`lib/evaluation/stored-report.ts` names their keys), one file per evaluation. */
async function fetchStoredReports(clients: AwsClients, deploymentId: string, bucket: string, stateMachine: string | undefined, out: string | undefined, io: CommandIO, now: Date): Promise<number> {
  const { hooks, only } = await readDeploymentStatus(clients, deploymentId, stateMachine, now);
  const evaluated = evaluatedRecords(hooks, only);
  if (evaluated.length === 0) throw new UsageError(`deployment ${deploymentId} has no evaluation: none of its hooks started one (is its group registered with the evaluator?)`);
  const base = (out ?? `report-${fileSafe(deploymentId)}.html`).replace(/\.html$/, '');
  for (const record of evaluated) {
    const key = reportKey(record.input);
    const object = await readCall('s3:GetObject', () => clients.s3.send(new GetObjectCommand({ Bucket: bucket, Key: key })), { maxAttempts: 1 });
    // ECS native: several evaluations share a lifecycle event, so each file is named by its evaluation id.
    const file = `${base}-${record.input.ecsNative ? record.input.deploymentId : record.input.lifecycleEvent}.html`;
    writeFileSync(file, (await object.Body?.transformToString()) ?? '');
    io.stderr(`stored report s3://${bucket}/${key} written to ${file}`);
  }
  return EXIT.ok;
}
