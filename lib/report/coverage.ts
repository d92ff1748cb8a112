import type { DoraOutcome } from './dora';

/**
 * Coverage of an account and Region (`canary-eval coverage`): which deployment groups and native ECS
 * services an evaluator protects, and how mature their post-deploy monitoring is, each criterion with
 * the evidence it was read from. Pure: it classifies what the CLI's adapters described (CodeDeploy,
 * Lambda, ECS, the evaluator's executions) and knows nothing of AWS calls.
 *
 * Protection rule (one for both kinds, so a person can check it by hand):
 * - a CodeDeploy deployment group is protected when it carries the registration tag
 *   `canary-evaluator=<registrationTag>` (every registration puts it there: lib/constructs/registration-tags.ts);
 * - a native ECS service (deployment controller ECS, strategy BLUE_GREEN, LINEAR or CANARY) is protected when
 *   it carries that tag, or when one of its lifecycle hooks invokes a Lambda function that carries it
 *   (an evaluator's hook function is tagged by its registration);
 * - with an evaluator tag given (`--tag`), only that value counts; without, any `canary-evaluator` tag does.
 */

/** The key every registration tags its resources with (lib/constructs/grants.ts, `REGISTRATION_TAG_KEY`). */
export const COVERAGE_TAG_KEY = 'canary-evaluator';

/** ECS deployment strategies that shift traffic and run lifecycle hooks (Amazon ECS API Reference, DeploymentConfiguration.strategy). */
export const NATIVE_ECS_STRATEGIES: readonly string[] = ['BLUE_GREEN', 'LINEAR', 'CANARY'];

export const MATURITY_CRITERIA = ['structured-logs', 'tracing', 'check-on-each-deployment', 'smoke-tests', 'trace-context'] as const;
export type MaturityCriterion = (typeof MATURITY_CRITERIA)[number];

/** What each criterion asks, in the words the table's legend prints. */
export const CRITERION_TITLES: Readonly<Record<MaturityCriterion, string>> = {
  'structured-logs': 'structured JSON logs (Lambda LoggingConfig.LogFormat JSON)',
  tracing: 'tracing on (Lambda TracingConfig.Mode Active)',
  'check-on-each-deployment': 'a post-deploy check on each deployment of the period',
  'smoke-tests': 'smoke tests in the policy (they ran in the latest evaluation)',
  'trace-context': "trace context carried into the service (smoke tests sent it, the service's tracing continues it)",
};

export type CriterionStatus = 'met' | 'not-met' | 'unknown';

export interface CriterionResult {
  readonly criterion: MaturityCriterion;
  readonly status: CriterionStatus;
  /** What was read, and from where: a person can check it in the console. */
  readonly evidence: string;
}

export interface Protection {
  readonly protected: boolean;
  /** The tag value (registration tag) that protects it, when one does. */
  readonly evaluatorTag?: string;
  readonly evidence: string;
}

/** One deployment of a group as the CLI's history reads it (CodeDeploy's record joined with the verdicts). */
export interface DescribedDeployment {
  readonly deploymentId: string;
  readonly createTime?: string;
  readonly creator?: string;
  readonly result: DoraOutcome;
  readonly summary: string;
  /** Whether any hook of it started an evaluation. */
  readonly evaluated: boolean;
}

/** What the adapters read of one CodeDeploy deployment group. */
export interface DescribedDeploymentGroup {
  readonly application: string;
  readonly group: string;
  /** `Lambda`, `ECS` or `Server` (DeploymentGroupInfo.computePlatform). */
  readonly computePlatform?: string;
  /** ListTagsForResource on the group. */
  readonly tags: Readonly<Record<string, string>>;
  /** DeploymentGroupInfo.lastAttemptedDeployment. */
  readonly lastAttempted?: { readonly deploymentId: string; readonly status?: string; readonly createTime?: string };
  /** Lambda groups: the function the last deployment shifted and its configuration (GetFunctionConfiguration). */
  readonly lambdaFunction?: { readonly name: string; readonly logFormat?: string; readonly tracingMode?: string };
  /** The group's deployments over the period with the evaluator's verdicts, newest first; absent when not read. */
  readonly deployments?: readonly DescribedDeployment[];
  /** The smoke-test phases the latest evaluation ran, and which deployment it was; absent when none was read. */
  readonly latestEvaluationSmoke?: { readonly deploymentId: string; readonly phases: readonly string[] };
}

/** What the adapters read of one native ECS service (DescribeServices with tags, ListTags of its hook functions). */
export interface DescribedEcsService {
  readonly cluster: string;
  readonly service: string;
  /** DeploymentConfiguration.strategy. */
  readonly strategy: string;
  readonly tags: Readonly<Record<string, string>>;
  readonly lifecycleHooks: ReadonlyArray<{ readonly hookTargetArn: string; readonly stages: readonly string[]; readonly targetTags: Readonly<Record<string, string>> }>;
  /** The service's newest deployment (Service.deployments). */
  readonly lastDeployment?: { readonly id: string; readonly status?: string; readonly rolloutState?: string; readonly createdAt?: string };
}

export interface LastDeployment {
  readonly deploymentId: string;
  readonly createTime?: string;
  /** The evaluator's outcome (`history`'s words), or `not-evaluated` when no hook of it started an evaluation, or CodeDeploy/ECS's own status when no verdict was read. */
  readonly outcome: DoraOutcome | 'not-evaluated' | 'not-read';
  readonly summary: string;
}

export interface GroupCoverage {
  readonly kind: 'codedeploy';
  readonly application: string;
  readonly group: string;
  readonly computePlatform?: string;
  readonly protection: Protection;
  /** The newest deployment of the group. */
  readonly lastDeployment?: LastDeployment;
  /** The newest deployment an evaluation judged, when it is not the newest deployment. */
  readonly lastEvaluatedDeployment?: LastDeployment;
  readonly maturity: readonly CriterionResult[];
}

export interface EcsServiceCoverage {
  readonly kind: 'ecs-native';
  readonly cluster: string;
  readonly service: string;
  readonly strategy: string;
  readonly protection: Protection;
  readonly lastDeployment?: LastDeployment;
  readonly maturity: readonly CriterionResult[];
}

export interface CoverageReport {
  readonly region: string;
  /** The registration tag that counted as protection (`--tag`), or absent: any `canary-evaluator` tag. */
  readonly evaluatorTag?: string;
  /** Start of the period whose deployments the checks were read over (ISO 8601). */
  readonly since: string;
  readonly deploymentGroups: readonly GroupCoverage[];
  readonly ecsServices: readonly EcsServiceCoverage[];
  readonly summary: {
    readonly total: number;
    readonly protected: number;
    readonly unprotected: number;
    /** How many protected ones meet every criterion (`unknown` counts as not met). */
    readonly mature: number;
  };
}

const isRollback = (deployment: DescribedDeployment) => deployment.creator === 'codeDeployRollback' || deployment.creator === 'rollback';

/** The protection the tags give (see the rule above). */
export function protectionByTag(tags: Readonly<Record<string, string>>, evaluatorTag: string | undefined, what: string): Protection | undefined {
  const value = tags[COVERAGE_TAG_KEY];
  if (value === undefined) return undefined;
  if (evaluatorTag !== undefined && value !== evaluatorTag) return undefined;
  return { protected: true, evaluatorTag: value, evidence: `${what} tagged ${COVERAGE_TAG_KEY}=${value}` };
}

function unprotected(evaluatorTag: string | undefined, what: string): Protection {
  return { protected: false, evidence: `${what} has no ${COVERAGE_TAG_KEY}${evaluatorTag === undefined ? '' : `=${evaluatorTag}`} tag: no evaluator is registered for it` };
}

function lambdaCriteria(fn: DescribedDeploymentGroup['lambdaFunction']): { logs: CriterionResult; tracing: CriterionResult } {
  if (!fn) {
    const evidence = 'no deployment CodeDeploy still has names its Lambda function';
    return { logs: { criterion: 'structured-logs', status: 'unknown', evidence }, tracing: { criterion: 'tracing', status: 'unknown', evidence } };
  }
  const format = fn.logFormat ?? 'Text';
  const mode = fn.tracingMode ?? 'PassThrough';
  return {
    logs: { criterion: 'structured-logs', status: format === 'JSON' ? 'met' : 'not-met', evidence: `${fn.name}: LoggingConfig.LogFormat ${format}` },
    tracing: { criterion: 'tracing', status: mode === 'Active' ? 'met' : 'not-met', evidence: `${fn.name}: TracingConfig.Mode ${mode}` },
  };
}

function lastOf(deployment: DescribedDeployment): LastDeployment {
  return {
    deploymentId: deployment.deploymentId,
    ...(deployment.createTime ? { createTime: deployment.createTime } : {}),
    outcome: deployment.evaluated ? deployment.result : 'not-evaluated',
    summary: deployment.summary,
  };
}

/** Classifies one CodeDeploy deployment group from what was read of it. */
export function groupCoverage(group: DescribedDeploymentGroup, options: { readonly evaluatorTag?: string; readonly period: string }): GroupCoverage {
  const protection = protectionByTag(group.tags, options.evaluatorTag, 'deployment group') ?? unprotected(options.evaluatorTag, 'deployment group');
  const deployments = group.deployments ?? [];
  const newest = deployments[0];
  const newestEvaluated = deployments.find((deployment) => deployment.evaluated);
  const lastDeployment: LastDeployment | undefined = newest
    ? lastOf(newest)
    : group.lastAttempted
      ? { deploymentId: group.lastAttempted.deploymentId, ...(group.lastAttempted.createTime ? { createTime: group.lastAttempted.createTime } : {}), outcome: 'not-read', summary: `CodeDeploy: ${group.lastAttempted.status ?? 'unknown status'}` }
      : undefined;

  const lambda = group.computePlatform === 'Lambda';
  const platformUnknown = (criterion: MaturityCriterion): CriterionResult => ({
    criterion,
    status: 'unknown',
    evidence: `${group.computePlatform ?? 'this'} platform: not visible through its API (the application's own log format and tracing)`,
  });
  const { logs, tracing } = lambda ? lambdaCriteria(group.lambdaFunction) : { logs: platformUnknown('structured-logs'), tracing: platformUnknown('tracing') };

  const releases = deployments.filter((deployment) => !isRollback(deployment));
  const unchecked = releases.filter((deployment) => !deployment.evaluated);
  const eachDeployment: CriterionResult = !protection.protected
    ? { criterion: 'check-on-each-deployment', status: 'not-met', evidence: 'no evaluator is registered for the group' }
    : group.deployments === undefined
      ? { criterion: 'check-on-each-deployment', status: 'unknown', evidence: "the group's deployments were not read" }
      : releases.length === 0
        ? { criterion: 'check-on-each-deployment', status: 'unknown', evidence: `no release since ${options.period}` }
        : unchecked.length === 0
          ? { criterion: 'check-on-each-deployment', status: 'met', evidence: `${releases.length} of ${releases.length} release(s) since ${options.period} evaluated` }
          : {
              criterion: 'check-on-each-deployment',
              status: 'not-met',
              evidence: `${releases.length - unchecked.length} of ${releases.length} release(s) since ${options.period} evaluated; not: ${unchecked
                .slice(0, 3)
                .map((deployment) => deployment.deploymentId)
                .join(', ')}${unchecked.length > 3 ? ', …' : ''}`,
            };

  const smoke = group.latestEvaluationSmoke;
  const smokeTests: CriterionResult = !protection.protected
    ? { criterion: 'smoke-tests', status: 'not-met', evidence: 'no evaluator is registered for the group' }
    : !smoke
      ? { criterion: 'smoke-tests', status: 'unknown', evidence: `no evaluation since ${options.period} to read` }
      : smoke.phases.length > 0
        ? { criterion: 'smoke-tests', status: 'met', evidence: `the latest evaluation (${smoke.deploymentId}) ran ${smoke.phases.join(' and ')} smoke tests` }
        : { criterion: 'smoke-tests', status: 'not-met', evidence: `the latest evaluation (${smoke.deploymentId}) ran no smoke test: the policy has none or turns them off` };

  // The evaluator's smoke requests and Lambda invocations carry the evaluation's trace context (W3C traceparent and
  // X-Amzn-Trace-Id); Lambda continues the X-Ray header when the function traces (Lambda Developer Guide,
  // "Visualize Lambda function invocations using AWS X-Ray"). An ECS task's code decides whether it reads the header.
  const traceContext: CriterionResult = !lambda
    ? platformUnknown('trace-context')
    : smokeTests.status !== 'met'
      ? { criterion: 'trace-context', status: smokeTests.status, evidence: `no smoke test to carry it (${smokeTests.evidence})` }
      : tracing.status !== 'met'
        ? { criterion: 'trace-context', status: tracing.status, evidence: `smoke tests send it, but ${tracing.evidence}` }
        : { criterion: 'trace-context', status: 'met', evidence: `smoke tests send it and ${tracing.evidence}` };

  return {
    kind: 'codedeploy',
    application: group.application,
    group: group.group,
    ...(group.computePlatform ? { computePlatform: group.computePlatform } : {}),
    protection,
    ...(lastDeployment ? { lastDeployment } : {}),
    ...(newestEvaluated && newestEvaluated !== newest ? { lastEvaluatedDeployment: lastOf(newestEvaluated) } : {}),
    maturity: [logs, tracing, eachDeployment, smokeTests, traceContext],
  };
}

/** Classifies one native ECS service from what was read of it. */
export function ecsServiceCoverage(service: DescribedEcsService, options: { readonly evaluatorTag?: string }): EcsServiceCoverage {
  const byHook = service.lifecycleHooks.map((hook) => ({ hook, protection: protectionByTag(hook.targetTags, options.evaluatorTag, `lifecycle hook ${hook.hookTargetArn} (${hook.stages.join(', ') || 'no stage'})`) })).find((entry) => entry.protection);
  const protection = protectionByTag(service.tags, options.evaluatorTag, 'service') ?? byHook?.protection ?? unprotected(options.evaluatorTag, 'service (and none of its lifecycle hooks’ functions)');
  const unknown = (criterion: MaturityCriterion, evidence: string): CriterionResult => ({ criterion, status: 'unknown', evidence });
  const notRead = "native ECS evaluations are not read by this version of coverage";
  return {
    kind: 'ecs-native',
    cluster: service.cluster,
    service: service.service,
    strategy: service.strategy,
    protection,
    ...(service.lastDeployment
      ? {
          lastDeployment: {
            deploymentId: service.lastDeployment.id,
            ...(service.lastDeployment.createdAt ? { createTime: service.lastDeployment.createdAt } : {}),
            outcome: 'not-read' as const,
            summary: `ECS: ${[service.lastDeployment.status, service.lastDeployment.rolloutState].filter(Boolean).join(', ') || 'unknown status'}`,
          },
        }
      : {}),
    maturity: [
      unknown('structured-logs', 'ECS: the application decides its log format; not visible through the API'),
      unknown('tracing', 'ECS: the application decides its tracing; not visible through the API'),
      // Lifecycle hooks run on every deployment of the service (Amazon ECS Developer Guide, "Lifecycle hooks for Amazon ECS service deployments").
      byHook
        ? { criterion: 'check-on-each-deployment', status: 'met', evidence: `ECS runs ${byHook.hook.hookTargetArn} at ${byHook.hook.stages.join(', ') || 'no stage'} of every deployment` }
        : { criterion: 'check-on-each-deployment', status: protection.protected ? 'unknown' : 'not-met', evidence: protection.protected ? `${protection.evidence}, but no lifecycle hook invokes a tagged function` : 'no lifecycle hook invokes an evaluator function' },
      unknown('smoke-tests', notRead),
      unknown('trace-context', notRead),
    ],
  };
}

export function coverageReport(input: {
  readonly region: string;
  readonly evaluatorTag?: string;
  readonly since: string;
  readonly groups: readonly DescribedDeploymentGroup[];
  readonly ecsServices: readonly DescribedEcsService[];
}): CoverageReport {
  const period = input.since.slice(0, 10);
  const deploymentGroups = input.groups.map((group) => groupCoverage(group, { evaluatorTag: input.evaluatorTag, period })).sort((a, b) => `${a.application}/${a.group}`.localeCompare(`${b.application}/${b.group}`));
  const ecsServices = input.ecsServices.map((service) => ecsServiceCoverage(service, { evaluatorTag: input.evaluatorTag })).sort((a, b) => `${a.cluster}/${a.service}`.localeCompare(`${b.cluster}/${b.service}`));
  const all = [...deploymentGroups, ...ecsServices];
  const protectedOnes = all.filter((entry) => entry.protection.protected);
  return {
    region: input.region,
    ...(input.evaluatorTag !== undefined ? { evaluatorTag: input.evaluatorTag } : {}),
    since: input.since,
    deploymentGroups,
    ecsServices,
    summary: {
      total: all.length,
      protected: protectedOnes.length,
      unprotected: all.length - protectedOnes.length,
      mature: protectedOnes.filter((entry) => entry.maturity.every((criterion) => criterion.status === 'met')).length,
    },
  };
}
