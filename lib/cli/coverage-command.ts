import { ECSClient } from '@aws-sdk/client-ecs';
import { LambdaClient } from '@aws-sdk/client-lambda';
import { AccountInventoryReader, type InventoryGroup } from '../adapters/aws/account-inventory';
import { DeploymentStatusReader } from '../adapters/aws/deployment-status';
import { AwsReadError } from '../adapters/aws/read-call';
import { EvaluationHistoryReader } from '../adapters/aws/evaluation-history';
import { LIFECYCLE_EVENTS } from '../evaluation/state';
import {
  CRITERION_TITLES,
  MATURITY_CRITERIA,
  NATIVE_ECS_STRATEGIES,
  coverageReport,
  protectionByTag,
  type CoverageReport,
  type CriterionStatus,
  type DescribedDeploymentGroup,
  type DescribedEcsService,
  type EcsServiceCoverage,
  type GroupCoverage,
} from '../report/coverage';
import { formatClock } from '../report/format';
import { terminalSafe } from '../report/terminal-text';
import { awsClients, awsFailure, type AwsClients } from './aws-context';
import { readHistory } from './history-command';
import { AWS_FLAGS, AWS_FLAGS_HELP, EXIT, parseFlags, progressReporter, UsageError, wantsHelp, type CommandIO } from './io';
import { parseSince } from './replay-command';

export const COVERAGE_USAGE = `usage: canary-eval coverage [--since 30d] [--tag <registration-tag>] [--skip-ecs] [--json] [--state-machine <arn>] [--region R] [--profile P]

The deployment groups of the account and Region (and its native ECS services: BLUE_GREEN, LINEAR or CANARY
strategy): protected by an evaluator or not, the last deployment and its evaluated outcome, and the maturity
of their post-deploy monitoring, each criterion with its evidence: structured JSON logs (Lambda
LoggingConfig), tracing on, a post-deploy check on each deployment of the period, smoke tests in the policy,
trace context carried into the service.
Protected: the group carries the registration tag canary-evaluator=<tag>; a native ECS service carries it,
or one of its lifecycle hooks invokes a function that carries it.
  --since <d>          the period whose deployments are checked: 30d, 36h (default 30d)
  --tag <t>            count only this evaluator's registration tag (CanaryEvaluator.registrationTag);
                       default: any canary-evaluator tag
  --skip-ecs           do not read ECS services (no ECS permissions needed)
  --json               print the coverage as JSON (only JSON on stdout; progress on stderr)
  --state-machine <a>  the evaluator's state machine ARN (default: CANARY_EVAL_STATE_MACHINE, else discovered;
                       without one, the verdicts are not read)
${AWS_FLAGS_HELP}
Exit codes: 0 every group and service listed is protected, 2 usage, 3 at least one is unprotected,
6 AWS error (names the action).`;

/** The clients `coverage` reads with: the CLI's, and Lambda and ECS. */
export interface CoverageClients extends AwsClients {
  readonly lambda: LambdaClient;
  readonly ecs: ECSClient;
}

export function coverageClients(options: { readonly region?: string; readonly profile?: string }): CoverageClients {
  const base = awsClients(options);
  const config = { region: base.region, ...(options.profile ? { profile: options.profile } : {}), maxAttempts: 4 };
  return { ...base, lambda: new LambdaClient(config), ecs: new ECSClient(config) };
}

export interface CoverageOptions {
  readonly sinceSeconds: number;
  readonly evaluatorTag?: string;
  readonly stateMachine?: string;
  readonly skipEcs?: boolean;
  readonly now: Date;
  readonly progress: (text: string) => void;
}

/** The evaluator's state machine, or none when the account has none (every group is then unprotected or unread). */
async function stateMachineOf(reader: EvaluationHistoryReader, explicit: string | undefined): Promise<string | undefined> {
  try {
    return await reader.resolveStateMachine(explicit);
  } catch (error) {
    if (/^no CanaryEvaluator state machine/.test((error as Error).message)) return undefined;
    throw error;
  }
}

/** The function a Lambda deployment shifted; none when CodeDeploy no longer has the deployment (its criteria are then unknown). */
async function lambdaFunctionOf(clients: CoverageClients, deploymentId: string): Promise<string | undefined> {
  try {
    return (await new DeploymentStatusReader(clients.codedeploy).read(deploymentId)).lambdaFunction;
  } catch (error) {
    if (error instanceof AwsReadError && error.kind === 'not-found') return undefined;
    throw error;
  }
}

async function describeGroup(clients: CoverageClients, inventory: AccountInventoryReader, group: InventoryGroup, stateMachine: string | undefined, options: CoverageOptions): Promise<DescribedDeploymentGroup> {
  const tags = await inventory.groupTags(group);
  let lambdaFunction: DescribedDeploymentGroup['lambdaFunction'];
  if (group.computePlatform === 'Lambda' && group.lastAttempted) {
    // DeploymentGroupInfo does not name a Lambda group's function; its last deployment's target does.
    const name = await lambdaFunctionOf(clients, group.lastAttempted.deploymentId);
    if (name) lambdaFunction = await inventory.functionConfiguration(name);
  }
  const described = { application: group.application, group: group.group, ...(group.computePlatform ? { computePlatform: group.computePlatform } : {}), tags, ...(group.lastAttempted ? { lastAttempted: group.lastAttempted } : {}), ...(lambdaFunction ? { lambdaFunction } : {}) };
  // Verdicts are read for protected groups only: an unprotected group has no evaluation to read.
  if (!stateMachine || !protectionByTag(tags, options.evaluatorTag, 'group')) return described;
  const history = await readHistory(clients, { application: group.application, group: group.group, sinceSeconds: options.sinceSeconds, stateMachine, now: options.now, progress: options.progress });
  const deployments = history.deployments.map((entry) => ({
    deploymentId: entry.deploymentId,
    ...(entry.createTime ? { createTime: entry.createTime } : {}),
    ...(entry.creator ? { creator: entry.creator } : {}),
    result: entry.result,
    summary: entry.summary,
    evaluated: entry.evaluated,
  }));
  const latestEvaluated = deployments.find((deployment) => deployment.evaluated);
  if (!latestEvaluated) return { ...described, deployments };
  const reader = new EvaluationHistoryReader(clients.sfn);
  const phases: string[] = [];
  for (const event of LIFECYCLE_EVENTS) {
    const record = await reader.read(stateMachine, latestEvaluated.deploymentId, event);
    for (const smoke of record?.smoke ?? []) if (!phases.includes(smoke.phase)) phases.push(smoke.phase);
  }
  return { ...described, deployments, latestEvaluationSmoke: { deploymentId: latestEvaluated.deploymentId, phases } };
}

/** The account's ECS services; a refusal says how to go without them. */
async function ecsServicesOrAdvice(inventory: AccountInventoryReader, progress: (text: string) => void) {
  try {
    return await inventory.ecsServices(progress);
  } catch (error) {
    if (error instanceof AwsReadError && error.kind === 'access-denied') throw new AwsReadError(error.action, error.kind, `${error.message}; or pass --skip-ecs to leave native ECS services out`, error.cause);
    throw error;
  }
}

/** Reads the account and Region and classifies what it found (lib/report/coverage.ts). */
export async function readCoverage(clients: CoverageClients, options: CoverageOptions): Promise<CoverageReport> {
  const inventory = new AccountInventoryReader(clients, clients.region);
  const groups = await inventory.deploymentGroups(options.progress);
  const stateMachine = await stateMachineOf(new EvaluationHistoryReader(clients.sfn), options.stateMachine);
  const described: DescribedDeploymentGroup[] = [];
  for (const [index, group] of groups.entries()) {
    options.progress(`reading ${group.application}/${group.group} (${index + 1} of ${groups.length})…`);
    described.push(await describeGroup(clients, inventory, group, stateMachine, options));
  }
  const services: DescribedEcsService[] = [];
  if (!options.skipEcs) {
    // Services deployed by CodeDeploy (controller CODE_DEPLOY) are covered by their deployment group; a rolling
    // deployment shifts no traffic between a blue and a green revision, so there is no canary to judge: neither is
    // listed as a native service. A PAUSE hook has no target function (DeploymentLifecycleHook.hookTargetArn).
    const native = (await ecsServicesOrAdvice(inventory, options.progress)).filter((service) => service.controller === 'ECS' && NATIVE_ECS_STRATEGIES.includes(service.strategy));
    for (const service of native) {
      const lifecycleHooks = [];
      for (const hook of service.lifecycleHooks) lifecycleHooks.push({ ...hook, targetTags: await inventory.functionTags(hook.hookTargetArn) });
      services.push({ cluster: service.cluster, service: service.service, strategy: service.strategy, tags: service.tags, lifecycleHooks, ...(service.lastDeployment ? { lastDeployment: service.lastDeployment } : {}) });
    }
  }
  return coverageReport({
    region: clients.region,
    ...(options.evaluatorTag !== undefined ? { evaluatorTag: options.evaluatorTag } : {}),
    since: new Date(options.now.getTime() - options.sinceSeconds * 1000).toISOString(),
    groups: described,
    ecsServices: services,
  });
}

const MARK: Readonly<Record<CriterionStatus, string>> = { met: '✓', 'not-met': '✗', unknown: '?' };
const COLUMN: Readonly<Record<(typeof MATURITY_CRITERIA)[number], string>> = { 'structured-logs': 'LOGS', tracing: 'TRACING', 'check-on-each-deployment': 'EACH', 'smoke-tests': 'SMOKE', 'trace-context': 'CONTEXT' };

function table(header: string[], rows: string[][]): string[] {
  const widths = header.map((title, column) => Math.max(title.length, ...rows.map((row) => row[column].length)));
  const line = (cells: string[]) => cells.map((cell, column) => (column === cells.length - 1 ? cell : cell.padEnd(widths[column]))).join('  ').trimEnd();
  return [line(header), ...rows.map(line)];
}

function lastCell(entry: GroupCoverage | EcsServiceCoverage): string[] {
  const last = entry.lastDeployment;
  if (!last) return ['–', 'no deployment'];
  return [`${last.deploymentId}${last.createTime ? ` ${formatClock(last.createTime, true)}` : ''}`, last.outcome === 'not-read' ? last.summary : last.outcome];
}

const marks = (entry: GroupCoverage | EcsServiceCoverage) => MATURITY_CRITERIA.map((criterion) => MARK[entry.maturity.find((result) => result.criterion === criterion)?.status ?? 'unknown']);

/** The coverage as a person reads it: a table per kind, then each entry's evidence; every string from AWS escaped (`terminalSafe`). */
export function renderCoverage(unsafe: CoverageReport): string {
  const report = terminalSafe(unsafe);
  const s = report.summary;
  const lines = [
    `Coverage of ${report.region} (${report.evaluatorTag === undefined ? 'any canary-evaluator tag' : `evaluator tag ${report.evaluatorTag}`}), deployments since ${formatClock(report.since, true)}: ${s.protected} of ${s.total} protected, ${s.mature} meeting every criterion`,
  ];
  if (report.deploymentGroups.length > 0) {
    lines.push(
      '',
      ...table(
        ['DEPLOYMENT GROUP', 'PLATFORM', 'PROTECTED', 'LAST DEPLOYMENT', 'OUTCOME', ...MATURITY_CRITERIA.map((criterion) => COLUMN[criterion])],
        report.deploymentGroups.map((entry) => [`${entry.application}/${entry.group}`, entry.computePlatform ?? '?', entry.protection.protected ? 'yes' : 'NO', ...lastCell(entry), ...marks(entry)]),
      ),
    );
  }
  if (report.ecsServices.length > 0) {
    lines.push(
      '',
      ...table(
        ['ECS SERVICE (native)', 'STRATEGY', 'PROTECTED', 'LAST DEPLOYMENT', 'STATUS', ...MATURITY_CRITERIA.map((criterion) => COLUMN[criterion])],
        report.ecsServices.map((entry) => [`${entry.cluster}/${entry.service}`, entry.strategy, entry.protection.protected ? 'yes' : 'NO', ...lastCell(entry), ...marks(entry)]),
      ),
    );
  }
  if (s.total === 0) lines.push('', 'No CodeDeploy deployment group and no native ECS service (BLUE_GREEN, LINEAR, CANARY) in this account and Region.');
  const entries: Array<GroupCoverage | EcsServiceCoverage> = [...report.deploymentGroups, ...report.ecsServices];
  if (entries.length > 0) lines.push('', 'Evidence:');
  for (const entry of entries) {
    lines.push(`  ${entry.kind === 'codedeploy' ? `${entry.application}/${entry.group}` : `${entry.cluster}/${entry.service} (ECS ${entry.strategy})`}`);
    lines.push(`    ${entry.protection.protected ? 'protected' : 'NOT protected'}: ${entry.protection.evidence}`);
    if (entry.kind === 'codedeploy' && entry.lastEvaluatedDeployment) {
      const last = entry.lastEvaluatedDeployment;
      lines.push(`    last evaluated: ${last.deploymentId}${last.createTime ? ` ${formatClock(last.createTime, true)}` : ''} ${last.outcome} — ${last.summary}`);
    }
    for (const result of entry.maturity) lines.push(`    ${MARK[result.status]} ${COLUMN[result.criterion].toLowerCase()}: ${result.evidence}`);
  }
  lines.push('', `Criteria (✓ met, ✗ not met, ? unknown): ${MATURITY_CRITERIA.map((criterion) => `${COLUMN[criterion]} ${CRITERION_TITLES[criterion]}`).join('; ')}.`);
  return lines.join('\n');
}

/** `canary-eval coverage`. */
export async function coverageCommand(argv: readonly string[], io: CommandIO, deps: { readonly clients?: (options: { region?: string; profile?: string }) => CoverageClients; readonly now?: () => Date } = {}): Promise<number> {
  if (wantsHelp(argv)) {
    io.stdout(COVERAGE_USAGE);
    return EXIT.ok;
  }
  let values;
  let sinceSeconds: number;
  try {
    ({ values } = parseFlags(argv, { ...AWS_FLAGS, since: { type: 'string' }, tag: { type: 'string' }, 'skip-ecs': { type: 'boolean' }, json: { type: 'boolean' }, 'state-machine': { type: 'string' } }));
    sinceSeconds = parseSince(values.since ?? '30d');
    if (values.tag !== undefined && !/^[\p{L}\p{Z}\p{N}_.:/=+\-@]{1,256}$/u.test(values.tag)) {
      // The characters a tag value may have across services ("Tagging AWS resources", tag naming limits: letters,
      // numbers, spaces and _ . : / = + - @, up to 256); a registration tag (a construct name) is non-empty.
      throw new UsageError(`--tag: "${values.tag}" is not a tag value (1 to 256 letters, digits, spaces and _ . : / = + - @)`);
    }
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    io.stderr(`canary-eval coverage: ${error.message}\n\n${COVERAGE_USAGE}`);
    return EXIT.usage;
  }
  try {
    const clients = (deps.clients ?? coverageClients)({ region: values.region, profile: values.profile });
    const progress = progressReporter(io);
    const report = await readCoverage(clients, {
      sinceSeconds,
      ...(values.tag !== undefined ? { evaluatorTag: values.tag } : {}),
      stateMachine: values['state-machine'] ?? process.env.CANARY_EVAL_STATE_MACHINE,
      skipEcs: values['skip-ecs'] === true,
      now: (deps.now ?? (() => new Date()))(),
      progress: progress.update,
    });
    progress.clear();
    io.stdout(values.json ? JSON.stringify(report, null, 2) : renderCoverage(report));
    return report.summary.unprotected > 0 ? EXIT.rolledBack : EXIT.ok;
  } catch (error) {
    const code = awsFailure('coverage', error, io);
    if (code !== undefined) return code;
    throw error;
  }
}
