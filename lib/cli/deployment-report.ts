import { buildQueries, toObservations, type MetricSource } from '../evaluation';
import { HOOK_DEADLINE_SECONDS } from '../evaluation/contracts';
import { LIFECYCLE_EVENTS, type EvaluationInput, type EvaluationPlan, type LifecycleEvent } from '../evaluation/state';
import { failedWords, type MetricResult, type Verdict } from '../judge';
import { isMetricExpression, type Policy } from '../policy';
import { chartValuesOf, summarisePolicy, type DeploymentOutcome, type EvaluationReport, type MetricChart, type ReportLink, type TrafficStep } from '../report/model';
import { FINISHED_STATUSES, type DeploymentView } from '../adapters/aws/deployment-status';
import type { EvaluationLook, EvaluationRecord } from '../adapters/aws/evaluation-history';
import { isCodeDeployDeploymentId, parseEcsNativeEvaluationId, parseServiceDeploymentArn, type EcsNativeEvaluationRef } from '../evaluation/ecs-native/contract';
import { UsageError } from './io';

/**
 * A real deployment, as the CLI shows it: the deployment (CodeDeploy), the evaluation of each of its
 * hooks (Step Functions), and what it all came to. Shared by `status`, `report` and `history`.
 */

/** What the deployment came to, for people and for exit codes (README, "Exit codes"). */
export type DeploymentResult = 'promoted' | 'rolled-back' | 'running' | 'inconclusive';

export interface HookEvaluationStatus {
  readonly lifecycleEvent: LifecycleEvent;
  readonly executionName: string;
  readonly executionArn?: string;
  /** The execution's status, or `NOT_STARTED` when the hook started no evaluation (yet). */
  readonly state: string;
  /** The plan's phase; `step` for an ECS native production traffic-shift step (planned as a bake, judged at its weight). */
  readonly phase?: 'pre-traffic' | 'bake' | 'step';
  /** Seconds until CodeDeploy's hour for this hook runs out (running evaluations before their report). */
  readonly secondsLeftBeforeHookDeadline?: number;
  readonly hookDeadline?: string;
  readonly report?: { readonly status: string; readonly at: string };
  readonly latest?: { readonly at: string; readonly step: string; readonly decision: string; readonly periodsJudged: number; readonly reason: string };
  /** The latest verdict per metric: decision, effect, interval, counts, reason. */
  readonly metrics: readonly MetricResult[];
  readonly smokeTests: ReadonlyArray<{ readonly phase: string; readonly passed: boolean; readonly ran: number; readonly failed: number; readonly reason: string }>;
  readonly error?: string;
  /** A running evaluation: its look count against about how many the window holds, and the time left in it. */
  readonly progress?: { readonly look: number; readonly looksAbout: number; readonly secondsLeft: number; readonly window: 'canary window' | 'bake' | 'step' };
  /** The hook's break-glass override record (`canary-eval override`), when there is one: who asked what, why, when, and where it is kept. */
  readonly override?: { readonly by: string; readonly action: string; readonly reason: string; readonly requestedAt: string; readonly record: string };
  /** Why the hook's override record could not be read (a missing permission, a malformed record): said, never taken for "no override". */
  readonly overrideUnread?: string;
  /** An ECS native evaluation: its stage and step, and the hook status recorded for it (`ecs-native/hook-status/`). */
  readonly ecsNative?: EcsNativeHook;
}

/** Which ECS native stage or production step an evaluation answers, and the hook status recorded for it. */
export interface EcsNativeHook {
  readonly evaluationId: string;
  readonly stage: string;
  /** The green revision's production weight at a PRODUCTION_TRAFFIC_SHIFT step (percent). */
  readonly productionWeight?: number;
  /** What the hook function answers ECS (`Succeeded`/`Failed`), once the evaluation (or the hook, at its deadline) recorded it. */
  readonly hookStatus?: string;
  /** Why the recorded status could not be read: said, never taken for "none recorded". */
  readonly hookStatusUnread?: string;
}

/** One judged hook of a deployment: a CodeDeploy lifecycle event, or an ECS native stage or production step. */
export interface JudgedHook {
  readonly lifecycleEvent: LifecycleEvent;
  readonly executionName: string;
  readonly record: EvaluationRecord | undefined;
  readonly ecsNative?: EcsNativeHook;
}

/** What a deployment argument of `status`, `report`, `override` names. */
export type DeploymentRef =
  | { readonly kind: 'codedeploy'; readonly deploymentId: string }
  | { readonly kind: 'ecs-native'; readonly serviceDeploymentArn: string }
  | { readonly kind: 'ecs-native-evaluation'; readonly evaluation: EcsNativeEvaluationRef };

/** The forms a deployment argument takes, as every error about one names them. */
export const DEPLOYMENT_REF_FORMS =
  'a CodeDeploy deployment id (d-XXXXXXXXX), an Amazon ECS service deployment ARN (arn:aws:ecs:<region>:<account>:service-deployment/<cluster>/<service>/<id>) or an ECS native evaluation id (<id>_<STAGE>, <id>_PRODUCTION_TRAFFIC_SHIFT_w<weight>)';

/** Reads a deployment argument; the error names what was given and the three forms expected. */
export function parseDeploymentRef(text: string): DeploymentRef {
  if (isCodeDeployDeploymentId(text)) return { kind: 'codedeploy', deploymentId: text };
  if (text.startsWith('arn:')) {
    try {
      parseServiceDeploymentArn(text, 'deployment');
    } catch (error) {
      throw new UsageError(`${(error as Error).message}; expected ${DEPLOYMENT_REF_FORMS}`);
    }
    return { kind: 'ecs-native', serviceDeploymentArn: text };
  }
  const evaluation = parseEcsNativeEvaluationId(text);
  if (evaluation) return { kind: 'ecs-native-evaluation', evaluation };
  throw new UsageError(`"${text.slice(0, 120)}" is not ${DEPLOYMENT_REF_FORMS}`);
}

/** How every view names the hook an evaluation answers: the CodeDeploy event, or the ECS stage (and step weight). */
export function hookLabel(hook: { readonly lifecycleEvent: LifecycleEvent; readonly ecsNative?: Pick<EcsNativeHook, 'stage' | 'productionWeight'> }): string {
  if (!hook.ecsNative) return hook.lifecycleEvent;
  return hook.ecsNative.productionWeight !== undefined ? `${hook.ecsNative.stage} ${hook.ecsNative.productionWeight}%` : hook.ecsNative.stage;
}

/** `hookLabel` of an execution's input. */
export function inputLabel(input: EvaluationInput): string {
  const native = input.ecsNative;
  return hookLabel({ lifecycleEvent: input.lifecycleEvent, ...(native ? { ecsNative: { stage: native.stage, ...(native.role === 'step' ? { productionWeight: native.productionWeight } : {}) } } : {}) });
}

export interface DeploymentStatus {
  readonly deployment: DeploymentView;
  readonly evaluations: readonly HookEvaluationStatus[];
  readonly result: DeploymentResult;
  /** One line a person reads. */
  readonly summary: string;
  /** The metrics that failed, when the evaluator rolled the deployment back. */
  readonly decidedBy: readonly string[];
  /** Seconds from the first hook invocation to the first final verdict, when there was one. */
  readonly timeToVerdictSeconds?: number;
}

const ROLLBACK_CREATORS = ['codeDeployRollback', 'rollback'];

/** The hooks CodeDeploy ran for this deployment that the evaluator judges, in lifecycle order. */
export function judgedEvents(deployment: DeploymentView): LifecycleEvent[] {
  const named = deployment.lifecycleEvents.map((event) => event.name);
  const present = LIFECYCLE_EVENTS.filter((event) => named.includes(event));
  // Without target lifecycle events (an old deployment, or no permission to see them), try every hook.
  return present.length > 0 ? present : [...LIFECYCLE_EVENTS];
}

function latestVerdict(looks: readonly EvaluationLook[]): Verdict | undefined {
  return looks.filter((look) => look.verdict !== undefined).at(-1)?.verdict;
}

/** A look that decided: a pass or fail of the bake, or a failing look of the canary watch. */
function decidingLook(record: EvaluationRecord): EvaluationLook | undefined {
  return record.looks.find((look) => look.decision === 'fail' || (look.step === 'evaluate' && look.decision === 'pass' && look.done));
}

/**
 * Where a running evaluation is: its looks so far against about one per period of its window, and the
 * time left in the window (a period is judged once it is `lagSeconds` old, so the last look comes that
 * long after the window ends).
 */
export function watchProgress(plan: EvaluationPlan, looks: number, now: Date, ecsStep = false): NonNullable<HookEvaluationStatus['progress']> {
  const looksAbout = Math.max(looks, Math.ceil((plan.windowEnd - plan.windowStart) / plan.periodSeconds));
  const secondsLeft = Math.max(0, Math.round(Math.min(plan.windowEnd + plan.lagSeconds, plan.reportBy) - now.getTime() / 1000));
  // An ECS native production step is planned as a bake (lib/evaluation/steps.ts) but judged at its weight, green against blue.
  return { look: looks, looksAbout, secondsLeft, window: ecsStep ? 'step' : plan.phase === 'bake' ? 'bake' : 'canary window' };
}

export function hookStatus(lifecycleEvent: LifecycleEvent, name: string, record: EvaluationRecord | undefined, now: Date, ecsNative?: EcsNativeHook): HookEvaluationStatus {
  const native = ecsNative ? { ecsNative } : {};
  if (!record) return { lifecycleEvent, executionName: name, state: 'NOT_STARTED', metrics: [], smokeTests: [], ...native };
  const invokedAt = Date.parse(record.input.hookInvokedAt);
  // CodeDeploy's hour, or the ECS hook's own timeout from its first invocation.
  const deadline = invokedAt + (record.input.ecsNative?.hookTimeoutSeconds ?? HOOK_DEADLINE_SECONDS) * 1000;
  const last = record.looks.at(-1);
  const running = record.status === 'RUNNING';
  return {
    lifecycleEvent,
    executionName: name,
    executionArn: record.executionArn,
    state: record.status,
    ...(record.plan ? { phase: record.input.ecsNative?.role === 'step' ? 'step' : record.plan.phase } : {}),
    ...(running && !record.report ? { secondsLeftBeforeHookDeadline: Math.max(0, Math.round((deadline - now.getTime()) / 1000)), hookDeadline: new Date(deadline).toISOString() } : {}),
    ...(record.report ? { report: { status: record.report.status, at: record.report.at.toISOString() } } : {}),
    ...(last ? { latest: { at: last.at.toISOString(), step: last.step, decision: last.decision, periodsJudged: last.periodsJudged, reason: last.reason } } : {}),
    ...(running && record.plan ? { progress: watchProgress(record.plan, record.looks.length, now, record.input.ecsNative?.role === 'step') } : {}),
    metrics: latestVerdict(record.looks)?.metrics ?? [],
    smokeTests: record.smoke.map(({ phase, summary }) => ({ phase, passed: summary.passed, ran: summary.ran, failed: summary.failed, reason: summary.reason })),
    ...(record.error ? { error: record.error } : {}),
    ...native,
  };
}

/** What a CodeDeploy deployment and the evaluations of its hooks came to. */
export function deploymentStatus(deployment: DeploymentView, records: ReadonlyMap<LifecycleEvent, EvaluationRecord | undefined>, now: Date, executionNameOf: (event: LifecycleEvent) => string): DeploymentStatus {
  const hooks = judgedEvents(deployment)
    .filter((event) => records.has(event))
    .map((event): JudgedHook => ({ lifecycleEvent: event, executionName: executionNameOf(event), record: records.get(event) }));
  return deploymentStatusOf(deployment, hooks, now);
}

/** What a deployment (CodeDeploy or ECS native) and the evaluations of its hooks, in order, came to. */
export function deploymentStatusOf(deployment: DeploymentView, hooks: readonly JudgedHook[], now: Date): DeploymentStatus {
  const evaluations = hooks.map((hook) => hookStatus(hook.lifecycleEvent, hook.executionName, hook.record, now, hook.ecsNative));
  const all = hooks.flatMap((hook) => (hook.record ? [hook.record] : []));
  const failing = all.flatMap((record) => {
    const decided = decidingLook(record);
    return decided?.decision === 'fail' ? (decided.verdict?.metrics ?? []).filter((m) => m.critical && m.decision === 'fail').map((m) => m.metric) : [];
  });
  const firstVerdict = all
    .map((record) => ({ record, look: decidingLook(record) }))
    .filter((entry): entry is { record: EvaluationRecord; look: EvaluationLook } => entry.look !== undefined)
    .sort((a, b) => a.look.at.getTime() - b.look.at.getTime())[0];
  const timeToVerdictSeconds = firstVerdict ? Math.round((firstVerdict.look.at.getTime() - Date.parse(firstVerdict.record.input.hookInvokedAt)) / 1000) : undefined;
  const base = { deployment, evaluations, decidedBy: [...new Set(failing)], ...(timeToVerdictSeconds !== undefined ? { timeToVerdictSeconds } : {}) };

  if (deployment.creator && ROLLBACK_CREATORS.includes(deployment.creator)) {
    const of = deployment.rollback?.rollbackTriggeringDeploymentId;
    return { ...base, result: 'rolled-back', summary: `automatic rollback${of ? ` of ${of}` : ''} (${deployment.status}): restores the previous version, not judged` };
  }
  if (!FINISHED_STATUSES.includes(deployment.status)) {
    const native = deployment.ecsNative;
    const where = native ? `${native.status}${native.lifecycleStage ? ` at ${native.lifecycleStage}` : ''}` : deployment.status;
    return { ...base, result: 'running', summary: `${where}${deployment.traffic ? `, ${Math.round(deployment.traffic.canaryPercent)}% of traffic on the new version` : ''}` };
  }
  if (deployment.status !== 'Succeeded') {
    const failedHook = evaluations.find((evaluation) => evaluation.report?.status === 'Failed' || evaluation.ecsNative?.hookStatus === 'Failed');
    const why =
      base.decidedBy.length > 0
        ? failedWords(base.decidedBy)
        : failedHook
          ? `the ${hookLabel(failedHook)} hook reported Failed${failedHook.smokeTests.some((s) => !s.passed) ? ' (smoke tests failed)' : failedHook.error ? ` (evaluator error: ${failedHook.error})` : ''}`
          : (deployment.error?.message ?? deployment.rollback?.message ?? (deployment.ecsNative ? 'Amazon ECS stopped or rolled it back' : 'CodeDeploy stopped it'));
    const ended = deployment.ecsNative ? deployment.ecsNative.status : deployment.status.toLowerCase();
    return { ...base, result: 'rolled-back', summary: `${ended} and rolled back: ${why}` };
  }
  if (firstVerdict) return { ...base, result: 'promoted', summary: `promoted after a verdict (${inputLabel(firstVerdict.record.input)}, ${firstVerdict.look.decision})` };
  return { ...base, result: 'inconclusive', summary: 'promoted without a verdict: no evaluation decided before the deployment ended' };
}

/** Console links (AWS Management Console URL formats for CodeDeploy, Amazon ECS, Step Functions, CloudWatch). */
export function consoleLinks(region: string, deploymentId: string, executionArn?: string, functionName?: string): ReportLink[] {
  const host = `https://${region}.console.aws.amazon.com`;
  const native = deploymentId.startsWith('arn:') ? parseServiceDeploymentArn(deploymentId, 'deploymentId') : undefined;
  return [
    native
      ? { label: `ECS service ${native.cluster}/${native.service} (deployments)`, href: `${host}/ecs/v2/clusters/${encodeURIComponent(native.cluster)}/services/${encodeURIComponent(native.service)}/deployments?region=${region}` }
      : { label: `CodeDeploy deployment ${deploymentId}`, href: `${host}/codesuite/codedeploy/deployments/${encodeURIComponent(deploymentId)}?region=${region}` },
    ...(executionArn ? [{ label: 'Step Functions execution', href: `${host}/states/home?region=${region}#/v2/executions/details/${encodeURIComponent(executionArn)}` }] : []),
    ...(functionName ? [{ label: `CloudWatch metrics of ${functionName}`, href: `${host}/cloudwatch/home?region=${region}#metricsV2?search=${encodeURIComponent(functionName)}` }] : []),
  ];
}

const minutesBetween = (start: number, at: number) => Math.round((at - start) / 60_000);

/** Canary and baseline per period of every charted metric of the policy, over the judged window. */
export async function chartsFromSource(source: MetricSource, policy: Policy, record: EvaluationRecord, throughSeconds: number, verdict: Verdict | undefined): Promise<MetricChart[]> {
  const plan = record.plan;
  if (!plan) return [];
  const queryPlan = buildQueries(policy, record.input.target, plan.periodSeconds);
  const window = { start: plan.windowStart, end: Math.max(plan.windowStart + plan.periodSeconds, Math.min(throughSeconds, plan.windowEnd)) };
  const offset = plan.baselineOffsetSeconds;
  const results = queryPlan.queries.length > 0 ? await source.getMetricData(queryPlan.queries, { start: new Date((window.start - offset) * 1000), end: new Date(window.end * 1000) }) : [];
  const observations = toObservations(policy, queryPlan, results, window, { baselineOffset: offset });
  const slots = Math.ceil((window.end - window.start) / 60);
  const minuteOf = (t: number) => Math.floor((t - window.start) / 60);
  return policy.metrics.flatMap((metric): MetricChart[] => {
    const observed = observations[metric.name];
    if (metric.kind === 'alarm' || !observed || observed.kind === 'alarm') return [];
    const byMinute = new Map<number, { canary?: number; baseline?: number }>(Array.from({ length: slots }, (_, minute) => [minute, {}]));
    for (const arm of ['canary', 'baseline'] as const) {
      const periods = chartValuesOf(observed, metric, arm);
      for (const { t, value } of periods) {
        const slot = byMinute.get(minuteOf(t));
        if (slot) slot[arm] = value;
      }
    }
    const decision = verdict?.metrics.find((result) => result.metric === metric.name)?.decision;
    const unit = metric.kind === 'cost' ? 'USD per request' : metric.kind === 'count' ? (isMetricExpression(metric.count) ? 'per request' : `${metric.count.metricName.toLowerCase()} per request`) : isMetricExpression(metric.value) ? 'value' : metric.value.metricName === 'Duration' ? `ms (${metric.value.stat})` : metric.value.stat;
    return [{ metric: metric.name, kind: metric.kind, unit, critical: metric.critical, points: [...byMinute].map(([minute, values]) => ({ minute, ...values })), ...(decision ? { decision } : {}) }];
  });
}

/** One evaluation of a real deployment in the report model (charts read separately). */
export function evaluationReport(
  deployment: DeploymentView,
  record: EvaluationRecord,
  options: { readonly policy?: Policy; readonly charts?: readonly MetricChart[]; readonly chartError?: string; readonly region: string },
): EvaluationReport {
  const start = record.plan ? record.plan.windowStart * 1000 : Date.parse(record.input.hookInvokedAt);
  const verdict = latestVerdict(record.looks);
  const reportMinute = record.report ? minutesBetween(start, record.report.at.getTime()) : undefined;
  const stop = record.looks.find((look) => look.step === 'watch' && look.decision === 'fail');
  const lastLook = record.looks.at(-1);
  const regressed = (stop?.verdict ?? verdict)?.metrics.filter((m) => m.critical && m.decision === 'fail').map((m) => m.metric) ?? [];
  let outcome: DeploymentOutcome;
  if (record.report?.status === 'Failed') {
    const why = regressed.length > 0 ? failedWords(regressed) : record.smoke.some((s) => !s.summary.passed) ? record.smoke.find((s) => !s.summary.passed)!.summary.reason : (record.error ?? record.outcome?.reason ?? 'the evaluator failed');
    outcome = { action: 'rolled-back', status: 'Failed', minute: reportMinute!, regressedMetrics: regressed, summary: `the ${inputLabel(record.input)} hook reported Failed at minute ${reportMinute}: ${why}` };
  } else if (stop) {
    const minute = minutesBetween(start, stop.at.getTime());
    outcome = { action: 'rolled-back', ...(record.report ? { status: record.report.status } : {}), minute, regressedMetrics: regressed, summary: `the canary watch ${stop.stopped === 'stopped' ? 'stopped the deployment' : 'failed'} at minute ${minute}: ${regressed.length > 0 ? failedWords(regressed) : 'a metric regressed'}` };
  } else if (record.status === 'RUNNING' || !FINISHED_STATUSES.includes(deployment.status)) {
    outcome = { action: 'running', regressedMetrics: [], ...(reportMinute !== undefined ? { minute: reportMinute } : {}), summary: `still running: ${lastLook ? lastLook.reason : 'no look yet'}` };
  } else if (!record.report) {
    outcome = { action: 'no-report', regressedMetrics: [], summary: `the evaluation ended ${record.status} without reporting${record.error ? `: ${record.error}` : ''}` };
  } else {
    const minute = lastLook && lastLook.step === 'watch' ? minutesBetween(start, lastLook.at.getTime()) : reportMinute!;
    const decided = record.looks.some((look) => look.decision === 'pass');
    outcome = { action: decided ? 'promoted' : 'inconclusive', status: record.report.status, minute, regressedMetrics: [], summary: `${decided ? 'promoted' : 'promoted without a verdict'} (hook reported Succeeded at minute ${reportMinute}; deployment ${deployment.status})` };
  }
  const judgedThroughMinute = lastLook && record.plan ? Math.round((lastLook.periodsJudged * record.plan.periodSeconds) / 60) : 0;
  const allowTraffic = deployment.lifecycleEvents.find((event) => event.name === 'AllowTraffic' || event.name === 'AllowTestTraffic');
  const traffic: TrafficStep[] = [];
  if (allowTraffic?.startTime && deployment.traffic) {
    traffic.push({ at: allowTraffic.startTime.toISOString(), minute: minutesBetween(start, allowTraffic.startTime.getTime()), canaryPercent: deployment.traffic.canaryPercent });
  }
  const functionName = record.input.target.type === 'lambda' ? record.input.target.functionName : undefined;
  return {
    id: record.executionName,
    title: record.input.ecsNative ? `${record.input.deploymentId} (${inputLabel(record.input)})` : `${deployment.deploymentId} ${record.input.lifecycleEvent}`,
    subtitle: `${deployment.applicationName} / ${deployment.deploymentGroupName}`,
    description: `${record.input.ecsNative?.role === 'step' ? `Production traffic-shift step at ${record.input.ecsNative.productionWeight} %, green against blue` : record.plan?.phase === 'bake' ? 'Bake after all traffic shifted' : record.input.ecsNative ? 'Smoke tests on the test traffic' : 'Smoke tests before traffic, then the canary watch'}; evaluation ${record.status.toLowerCase()}${deployment.deploymentConfigName ? `; ${deployment.deploymentConfigName}` : ''}.`,
    source: 'deployment',
    startTime: new Date(start).toISOString(),
    execution: { status: record.status, ...(record.error ? { error: record.error } : {}) },
    reports: record.report ? [{ status: record.report.status, at: record.report.at.toISOString(), minute: reportMinute! }] : [],
    timeline: record.looks.map((look) => ({ minute: minutesBetween(start, look.at.getTime()), at: look.at.toISOString(), decision: look.decision, periodsJudged: look.periodsJudged, reason: look.reason })),
    ...(verdict ? { finalVerdict: verdict } : {}),
    outcome,
    decision: { judgedThroughMinute, ...(outcome.minute !== undefined ? { decidedAtMinute: outcome.minute } : {}) },
    charts: options.charts ?? [],
    ...(options.chartError ? { chartError: options.chartError } : {}),
    ...(options.policy ? { policy: summarisePolicy(options.policy) } : {}),
    traffic,
    smokeTests: record.smoke.map(({ phase, summary }) => ({ phase, summary })),
    links: consoleLinks(options.region, deployment.deploymentId, record.executionArn, functionName),
  };
}
