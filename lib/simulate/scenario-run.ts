import type { CostPerRequestFigure } from '../evaluation/verdict-metric';
import { existsSync } from 'node:fs';
import { basename, join } from 'node:path';
import { buildQueries, toObservations, type LambdaTarget, type MetricSource } from '../evaluation';
import { failedWords, type Verdict } from '../judge';
import { isMetricExpression, type Policy } from '../policy';
import { STATE } from '../constructs/evaluation-definition';
import { simulateDeployment } from './deployment';
import { generateSeries, type SimulatedSeries } from './generate';
import { BASELINE_VERSION, CANARY_VERSION, SCENARIOS_DIR, canaryShareAt, listScenarioFiles, loadScenarioFile, type Scenario } from './scenario';
import { BakeLogs } from './logs/bake-logs';
import { comparableMinutes, scenarioPolicy } from './scenario-policy';
import { SimulatedMetricSource } from './sim-metric-source';
import { chartValuesOf, summarisePolicy, type DeploymentOutcome, type EvaluationReport, type MetricChart, type PolicySummary, type SmokeRun, type TimelineEntry, type TrafficStep } from '../report/model';

// The report's data model is shared with real deployments (lib/report/model.ts); re-exported for callers.
export type { TimelineEntry, DeploymentOutcome, ChartPoint, MetricChart } from '../report/model';

/** A simulated evaluation: the report's fields (lib/report/model.ts), with what a simulation always has. */
export interface ScenarioRun
  extends Pick<EvaluationReport, 'startTime' | 'reports' | 'timeline' | 'finalVerdict' | 'outcome' | 'decision' | 'charts' | 'chartError'> {
  readonly scenario: { readonly name: string; readonly description: string; readonly seed: number; readonly source: string };
  readonly execution: { readonly status: 'SUCCEEDED' | 'FAILED' | 'TIMED_OUT'; readonly error?: string };
  readonly policy: PolicySummary;
  /** The canary's share of traffic, each time it changed. */
  readonly traffic: readonly TrafficStep[];
  readonly smokeTests: readonly SmokeRun[];
  /** The `CostPerRequest` figures the evaluator published (the simulated CloudWatch), in order. */
  readonly costPerRequest: readonly CostPerRequestFigure[];
}

export interface RunScenarioOptions {
  /** The evaluation state machine definition (`synthesizeEvaluationDefinition()`). */
  readonly definition: Record<string, unknown>;
  /** @default - `scenarioPolicy(scenario)` */
  readonly policy?: Policy;
  /** Where the scenario came from, for reports. @default the scenario's name */
  readonly source?: string;
  /** Called at each look of the evaluation loop with the virtual minute. */
  readonly onProgress?: (minute: number) => void;
}

const APP_SPEC = { functionName: '', alias: '', currentVersion: BASELINE_VERSION, targetVersion: CANARY_VERSION };

/** A scenario argument that names no scenario of the library and no file. */
export class ScenarioNotFoundError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ScenarioNotFoundError';
  }
}

/**
 * Resolves a command-line scenario argument: a name from `scenarios/` (`healthy`) or a path to a
 * YAML file. An unknown name's error lists the library.
 */
export function resolveScenarioPath(argument: string, folder = SCENARIOS_DIR): string {
  const looksLikePath = argument.includes('/') || argument.includes('\\') || /\.ya?ml$/.test(argument);
  if (looksLikePath) {
    if (!existsSync(argument)) throw new ScenarioNotFoundError(`scenario file "${argument}" does not exist`);
    return argument;
  }
  const candidate = join(folder, `${argument}.yaml`);
  if (existsSync(candidate)) return candidate;
  const known = listScenarioFiles(folder).map((file) => basename(file).replace(/\.ya?ml$/, ''));
  throw new ScenarioNotFoundError(`unknown scenario "${argument}"; the library (${folder}) has: ${known.join(', ')}; or give a path to a .yaml file`);
}

/**
 * Loads a scenario by name or path. `source` says where it came from without naming this machine's
 * folders (`scenarios/healthy.yaml`, or the path as given), so results compare across machines.
 */
export function loadScenario(argument: string): { scenario: Scenario; source: string } {
  const path = resolveScenarioPath(argument);
  const source = path === argument ? argument : `scenarios/${basename(path)}`;
  return { scenario: loadScenarioFile(path), source };
}

const minutesBetween = (start: Date, at: Date) => Math.round((at.getTime() - start.getTime()) / 60_000);

/** Runs one scenario through the real state machine and handlers; returns everything a report shows. */
export async function runScenario(scenario: Scenario, options: RunScenarioOptions): Promise<ScenarioRun> {
  const policy = options.policy ?? scenarioPolicy(scenario);
  const series = generateSeries(scenario);
  const start = new Date(scenario.startTime);
  const appSpec = { ...APP_SPEC, functionName: scenario.target.functionName, alias: scenario.target.alias };
  // Simulated CloudWatch on the evaluation's virtual clock; each look also reports progress.
  const metrics = (now: () => Date): MetricSource => {
    const source = new SimulatedMetricSource(series, now);
    return {
      getMetricData: (queries, window) => {
        options.onProgress?.(minutesBetween(start, now()));
        return source.getMetricData(queries, window);
      },
    };
  };

  let watchError: string | undefined;
  const smokeTests: SmokeRun[] = [];
  // A canary deployment: the pre-traffic hook runs the smoke tests and reports; CodeDeploy then shifts
  // 10 % of the traffic and the canary watch compares the versions every minute, stopping the
  // deployment (with rollback) on a failing verdict.
  const result = await simulateDeployment(options.definition, {
    deploymentId: `d-SIM${scenario.name.replace(/[^a-z0-9]/g, '').toUpperCase().slice(0, 16)}`,
    policy,
    metrics,
    start,
    appSpec,
    lifecycleEvent: 'BeforeAllowTraffic',
    // An error of the canary watch ends the watch (the hook is already reported); keep it for the report.
    wrapTask: (state, handler) =>
      state === STATE.preSmoke || state === STATE.postSmoke
        ? async (input) => {
            // The smoke step's summary (what state keeps), for the report.
            const summary = (await handler(input)) as SmokeRun['summary'];
            smokeTests.push({ phase: state === STATE.preSmoke ? 'pre-traffic' : 'post-deploy', summary });
            return summary;
          }
        : state !== STATE.watch
        ? handler
        : async (input) => {
            try {
              return await handler(input);
            } catch (error) {
              watchError = (error as Error).message;
              throw error;
            }
          },
  });

  const watchTimeline: TimelineEntry[] = result.watchTicks
    .filter(({ tick }) => tick.verdict !== undefined || tick.decision !== 'continue' || tick.periodsJudged > 0 || !tick.done)
    .map(({ at, tick }) => ({
      minute: minutesBetween(start, at),
      at: at.toISOString(),
      decision: tick.decision,
      periodsJudged: tick.periodsJudged,
      reason: tick.reason,
    }));
  const lastLook = result.watchTicks.filter(({ tick }) => tick.verdict !== undefined).at(-1);
  const watchVerdict = lastLook?.tick.verdict as Verdict | undefined;
  const watchReports = result.reports.map(({ status, at }) => ({ status, at: at.toISOString(), minute: minutesBetween(start, at) }));
  const watchOutcome = describeOutcome(watchReports[0], lastLook && { minute: minutesBetween(start, lastLook.at), decision: lastLook.tick.decision }, watchVerdict, result.execution.error, watchError);
  // A policy with `logs` (a scenario with `logs`): the traffic shift went on, so the bake hook runs next.
  const bake = policy.logs && (watchOutcome.action === 'promoted' || watchOutcome.action === 'inconclusive') ? await runLogBake(scenario, options.definition, policy, appSpec, start, metrics) : undefined;
  // The watch's last looks (metric lag) and the bake's first overlap: in the order they happened.
  const timeline = [...watchTimeline, ...(bake?.timeline ?? [])].sort((a, b) => a.at.localeCompare(b.at));
  const finalVerdict = bake?.verdict ?? watchVerdict;
  const reports = [...watchReports, ...(bake?.reports ?? [])];
  const outcome = bake?.outcome ?? watchOutcome;
  const judgedThroughMinute = bake?.judgedThroughMinute ?? lastLook?.tick.periodsJudged ?? 0;
  const lastMinute = Math.min(scenario.durationMinutes, Math.max(judgedThroughMinute, outcome.minute ?? judgedThroughMinute));
  const target: LambdaTarget = { type: 'lambda', ...appSpec };
  // A policy query the simulator cannot answer already failed the evaluation (the evaluator-error
  // path); the report should show that run, not crash on drawing it.
  let charts: MetricChart[] = [];
  let chartError: string | undefined;
  try {
    charts = await chartSeries(series, policy, target, start, lastMinute, finalVerdict);
  } catch (error) {
    chartError = (error as Error).message;
  }

  return {
    scenario: { name: scenario.name, description: scenario.description, seed: scenario.seed, source: options.source ?? scenario.name },
    startTime: start.toISOString(),
    execution: bake?.execution ?? { status: result.execution.status, ...(result.execution.error ? { error: result.execution.error } : {}) },
    reports,
    timeline,
    costPerRequest: result.costPerRequest,
    ...(finalVerdict ? { finalVerdict } : {}),
    outcome,
    decision: { judgedThroughMinute, ...(outcome.minute !== undefined ? { decidedAtMinute: outcome.minute } : {}) },
    charts,
    ...(chartError ? { chartError } : {}),
    policy: summarisePolicy(policy),
    traffic: trafficSteps(scenario, start, lastMinute),
    smokeTests,
  };
}

/**
 * The bake hook (`AfterAllowTraffic`) of a scenario with `logs`, through the real state machine: it
 * starts when the canary phase ends (100 % of traffic on the new version), judges the scenario's metrics
 * against the current version's minutes before it (the bake's time-shifted baseline), and reads a
 * simulated log group (lib/simulate/logs/bake-logs.ts) with the scenario's new exception or new lines.
 * Simplification: the log lines before the bake are all the current version's (the canary phase's 10 %
 * writes none), at the traffic the current version served then.
 */
async function runLogBake(scenario: Scenario, definition: Record<string, unknown>, policy: Policy, appSpec: typeof APP_SPEC, start: Date, metrics: (now: () => Date) => MetricSource) {
  const bakeMinute = comparableMinutes(scenario);
  const bakeStart = new Date(start.getTime() + bakeMinute * 60_000);
  const logProfile = { newExceptionRate: scenario.logs!.newExceptionRate, newBenignLines: scenario.logs!.newBenignLines };
  const result = await simulateDeployment(definition, {
    deploymentId: `d-BAKE${scenario.name.replace(/[^a-z0-9]/g, '').toUpperCase().slice(0, 16)}`,
    policy,
    metrics,
    start: bakeStart,
    appSpec,
    lifecycleEvent: 'AfterAllowTraffic',
    logs: (now) =>
      new BakeLogs(
        {
          seed: scenario.seed,
          profile: logProfile,
          versions: { canary: CANARY_VERSION, baseline: BASELINE_VERSION },
          start: bakeStart,
          canaryRequestsPerMinute: scenario.traffic.requestsPerMinute,
          baselineRequestsPerMinute: scenario.traffic.requestsPerMinute * (1 - canaryShareAt(scenario.schedule, bakeMinute - 1)),
        },
        now,
      ),
  });
  // Periods judged count from minute 0, as the watch's do: the bake judges the minutes from `bakeMinute`.
  const timeline: TimelineEntry[] = result.ticks.map(({ at, tick }) => ({ minute: minutesBetween(start, at), at: at.toISOString(), decision: tick.decision, periodsJudged: tick.periodsJudged > 0 ? bakeMinute + tick.periodsJudged : 0, reason: tick.reason }));
  const last = result.ticks.at(-1);
  const verdict = last?.tick.verdict as Verdict | undefined;
  const reports = result.reports.map(({ status, at }) => ({ status, at: at.toISOString(), minute: minutesBetween(start, at) }));
  const report = reports.at(-1);
  let outcome: DeploymentOutcome;
  if (!report) {
    outcome = { action: 'no-report', regressedMetrics: [], summary: `the bake hook reached no report (${result.execution.error ?? 'execution ended without reporting'}); a real deployment would hang until the hook times out` };
  } else if (report.status === 'Failed') {
    const regressedMetrics = (verdict?.metrics ?? []).filter((metric) => metric.critical && metric.decision === 'fail').map((metric) => metric.metric);
    const logsFailed = verdict?.logs?.decision === 'fail';
    const words = [...(regressedMetrics.length > 0 ? [failedWords(regressedMetrics)] : []), ...(logsFailed ? [verdict.logs!.signature !== undefined ? 'a new error signature in the logs' : 'error lines in the logs rose'] : [])];
    const why = words.length > 0 ? words.join('; ') : (last?.tick.reason ?? 'the bake failed');
    outcome = { action: 'rolled-back', status: report.status, minute: report.minute, regressedMetrics, summary: `the bake hook reported Failed at minute ${report.minute} and CodeDeploy rolled back: ${why}` };
  } else {
    outcome = { action: 'promoted', status: report.status, minute: report.minute, regressedMetrics: [], summary: `promoted after the bake at minute ${report.minute}: the deployment succeeds` };
  }
  return {
    timeline,
    ...(verdict ? { verdict } : {}),
    reports,
    outcome,
    judgedThroughMinute: bakeMinute + (last?.tick.periodsJudged ?? 0),
    execution: { status: result.execution.status, ...(result.execution.error ? { error: result.execution.error } : {}) },
  };
}

/** The canary's share of traffic, minute by minute, kept where it changes. */
function trafficSteps(scenario: Scenario, start: Date, lastMinute: number): TrafficStep[] {
  const steps: TrafficStep[] = [];
  for (let minute = 0; minute <= lastMinute; minute += 1) {
    const canaryPercent = Math.round(canaryShareAt(scenario.schedule, minute) * 1000) / 10;
    if (steps.at(-1)?.canaryPercent !== canaryPercent) steps.push({ at: new Date(start.getTime() + minute * 60_000).toISOString(), minute, canaryPercent });
  }
  return steps;
}

/** A simulated run as the shared report model renders it (terminal, JSON, HTML). */
export function scenarioReport(run: ScenarioRun): EvaluationReport {
  return {
    id: run.scenario.name,
    title: run.scenario.name,
    subtitle: `seed ${run.scenario.seed}`,
    description: run.scenario.description,
    source: 'simulation',
    startTime: run.startTime,
    execution: run.execution,
    reports: run.reports,
    timeline: run.timeline,
    ...(run.finalVerdict ? { finalVerdict: run.finalVerdict } : {}),
    outcome: run.outcome,
    decision: run.decision,
    charts: run.charts,
    ...(run.chartError ? { chartError: run.chartError } : {}),
    policy: run.policy,
    traffic: run.traffic,
    smokeTests: run.smokeTests,
    costPerRequest: run.costPerRequest,
  };
}

function describeOutcome(
  report: ScenarioRun['reports'][number] | undefined,
  watchEnd: { readonly minute: number; readonly decision: string } | undefined,
  verdict: Verdict | undefined,
  executionError: string | undefined,
  watchError: string | undefined,
): DeploymentOutcome {
  if (!report) {
    return { action: 'no-report', regressedMetrics: [], summary: `no report reached CodeDeploy (${executionError ?? 'execution ended without reporting'}); a real deployment would hang until the hook times out` };
  }
  if (verdict?.decision === 'inconclusive' && (report.status === 'Failed' || watchEnd?.decision === 'inconclusive' || !watchEnd)) {
    const undecided = verdict.inconclusive?.metrics ?? [];
    const why = `${verdict.inconclusive?.lowTraffic ? 'traffic too low' : 'not enough evidence'}${undecided.length > 0 ? `: ${undecided.join(', ')} undecided` : ''}`;
    const unread = verdict.inconclusive?.unread ?? [];
    const rule = unread.length > 0 ? `${unread.join(', ')} could not be read; onEvaluatorError` : 'onInconclusive';
    if (report.status === 'Failed') return { action: 'rolled-back', status: report.status, minute: report.minute, regressedMetrics: [], summary: `rolled back without a verdict at minute ${report.minute} (${why}; ${rule}: fail)` };
    const minute = watchEnd?.minute ?? report.minute;
    return { action: 'inconclusive', status: report.status, minute, regressedMetrics: [], summary: `promoted without a verdict after ${minute} min (${why}; ${rule}: pass): the traffic shift continues to 100 % unjudged` };
  }
  if (report.status === 'Failed') {
    return {
      action: 'rolled-back',
      status: report.status,
      minute: report.minute,
      regressedMetrics: [],
      summary: `stopped at minute ${report.minute} before any traffic shifted: the pre-traffic hook reported Failed (${executionError ?? 'smoke tests or evaluator error'})`,
    };
  }
  if (watchError) {
    return { action: 'unwatched', status: report.status, minute: watchEnd?.minute ?? report.minute, regressedMetrics: [], summary: `the canary watch failed (${watchError}); the traffic shift went on without a verdict` };
  }
  if (watchEnd?.decision === 'fail') {
    const regressedMetrics = (verdict?.metrics ?? []).filter((metric) => metric.critical && metric.decision === 'fail').map((metric) => metric.metric);
    const why = regressedMetrics.length > 0 ? failedWords(regressedMetrics) : 'the canary watch failed';
    return { action: 'rolled-back', status: report.status, minute: watchEnd.minute, regressedMetrics, summary: `stopped at minute ${watchEnd.minute} and rolled back: ${why}` };
  }
  const minute = watchEnd?.minute ?? report.minute;
  return { action: 'promoted', status: report.status, minute, regressedMetrics: [], summary: `promoted after ${minute} min: the traffic shift continues to 100 %` };
}

/** Canary and baseline per minute for every metric of the policy, as CloudWatch holds them after the fact. */
async function chartSeries(series: SimulatedSeries, policy: Policy, target: LambdaTarget, start: Date, lastMinute: number, verdict: Verdict | undefined): Promise<MetricChart[]> {
  const afterTheFact = new SimulatedMetricSource(series, () => new Date(8.64e15));
  const plan = buildQueries(policy, target, 60);
  const window = { start: start.getTime() / 1000, end: start.getTime() / 1000 + lastMinute * 60 };
  const results = await afterTheFact.getMetricData(plan.queries, { start: new Date(window.start * 1000), end: new Date(window.end * 1000) });
  const observations = toObservations(policy, plan, results, window);
  const minuteOf = (t: number) => Math.round((t - window.start) / 60);

  return policy.metrics.flatMap((metric) => {
    const observed = observations[metric.name];
    // Alarm gates have states, not values per minute: nothing to chart.
    if (metric.kind === 'alarm' || observed.kind === 'alarm') return [];
    const byMinute = new Map<number, { canary?: number; baseline?: number }>();
    for (const minute of Array.from({ length: lastMinute }, (_, index) => index)) byMinute.set(minute, {});
    for (const arm of ['canary', 'baseline'] as const) {
      const periods = chartValuesOf(observed, metric, arm);
      for (const { t, value } of periods) byMinute.get(minuteOf(t))![arm] = value;
    }
    const decision = verdict?.metrics.find((result) => result.metric === metric.name)?.decision;
    return {
      metric: metric.name,
      kind: metric.kind as MetricChart['kind'],
      unit: unitOf(metric),
      critical: metric.critical,
      points: [...byMinute].map(([minute, values]) => ({ minute, ...values })),
      ...(decision ? { decision } : {}),
    };
  });
}

function unitOf(metric: Policy['metrics'][number]): string {
  if (metric.kind === 'cost') return 'USD per request';
  if (metric.kind === 'alarm') return 'state';
  if (metric.kind === 'count') {
    if (isMetricExpression(metric.count)) return 'per request';
    return `${metric.count.metricName === 'Duration' ? 'slow requests' : metric.count.metricName.toLowerCase()} per request`;
  }
  if (isMetricExpression(metric.value)) return 'value';
  return metric.value.metricName === 'Duration' ? `ms (${metric.value.stat})` : metric.value.stat;
}
