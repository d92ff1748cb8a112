import type { SmokeSummary } from '../evaluation/smoke';
import type { HookStatus } from '../evaluation/ports';
import type { CostPerRequestFigure } from '../evaluation/verdict-metric';
import type { MetricDecision, Verdict } from '../judge';
import { costOf } from '../judge/cost';
import type { MetricObservations } from '../judge/observations';
import type { MetricDefinition } from '../policy';

/**
 * The one data model every report view renders (terminal text, JSON, HTML), whichever side produced it:
 * the local simulation (`lib/simulate/scenario-report.ts`) or a real deployment read back from
 * CodeDeploy, Step Functions and CloudWatch (`lib/cli/deployment-report.ts`). The renderers know nothing
 * of where the data came from.
 */

/** One look of the evaluation loop, as the verdict timeline shows it. */
export interface TimelineEntry {
  /** Minutes since the evaluation started (`startTime`). */
  readonly minute: number;
  /** Wall-clock time of the look (ISO 8601). */
  readonly at: string;
  readonly decision: 'pass' | 'fail' | 'continue' | 'inconclusive';
  readonly periodsJudged: number;
  readonly reason: string;
}

/**
 * What CodeDeploy did (or, simulated, would have done) with the evaluation:
 * `promoted`: the traffic shift went on; `inconclusive`: promoted without a verdict (the deadline came
 * before the evidence decided and `onInconclusive` is `pass`); `rolled-back`: the hook reported Failed or the canary watch
 * stopped the deployment; `unwatched`: the canary watch itself failed; `running`: not over yet;
 * `no-report`: nothing reached CodeDeploy.
 */
export type OutcomeAction = 'promoted' | 'inconclusive' | 'rolled-back' | 'unwatched' | 'running' | 'no-report';

export interface DeploymentOutcome {
  readonly action: OutcomeAction;
  /** What the hook reported. */
  readonly status?: HookStatus;
  /** Minute (since `startTime`) CodeDeploy acted: the hook report, or the canary watch's stop. */
  readonly minute?: number;
  /** Critical metrics that failed (empty when promoted or when the evaluator itself failed). */
  readonly regressedMetrics: readonly string[];
  /** One line: "promoted after 17 min", "stopped at minute 5 and rolled back: lambda-error-rate regressed". */
  readonly summary: string;
}

/** One minute of one metric: the value each version showed (rate for counts), absent without traffic. */
export interface ChartPoint {
  readonly minute: number;
  readonly canary?: number;
  readonly baseline?: number;
}

export interface MetricChart {
  readonly metric: string;
  readonly kind: 'count' | 'gauge' | 'cost';
  /** What a value means, for axis labels: "errors per request", "ms". */
  readonly unit: string;
  readonly critical: boolean;
  /** Minutes 0 .. lastMinute of the evaluation (up to the decision). */
  readonly points: readonly ChartPoint[];
  /** The final decision of this metric. */
  readonly decision?: MetricDecision;
}

/** The policy as the report states it: the false-alarm budget and how each metric is judged. */
export interface PolicySummary {
  readonly alpha: number;
  readonly metrics: ReadonlyArray<{
    readonly name: string;
    readonly kind: string;
    readonly method: string;
    readonly critical: boolean;
    /**
     * The ratio canary/baseline above which the metric counts as harmed (sequential `tolerance`,
     * threshold `maxRatioToBaseline`, cost `1 + tolerance`); drawn as the tolerance line.
     */
    readonly toleranceRatio?: number;
  }>;
  /** The budget gate (`policy.budget`), when the policy sets one. */
  readonly budget?: { readonly daily?: number; readonly monthly?: number; readonly action: 'fail' | 'warn' };
}

/** Share of production traffic on the new version from `at` on (CodeDeploy's traffic routing). */
export interface TrafficStep {
  readonly at: string;
  readonly minute: number;
  readonly canaryPercent: number;
}

/** One smoke-test run of the evaluation (the step's summary; per-test results when they were kept). */
export interface SmokeRun {
  readonly phase: 'pre-traffic' | 'post-deploy';
  readonly summary: SmokeSummary;
  readonly results?: ReadonlyArray<{ readonly name: string; readonly passed: boolean; readonly latencyMs: number; readonly reason?: string }>;
}

export interface ReportLink {
  readonly label: string;
  readonly href: string;
}

/** Everything one evaluation's report shows. */
export interface EvaluationReport {
  /** Unique in a report (an HTML anchor): the scenario name, or the execution name. */
  readonly id: string;
  readonly title: string;
  /** "seed 7", "BeforeAllowTraffic of my-app / prod". */
  readonly subtitle?: string;
  readonly description?: string;
  /** `simulation`: minutes are virtual; `deployment`: a real one. */
  readonly source: 'simulation' | 'deployment';
  /** Minute 0 of the timeline and the charts (ISO 8601). */
  readonly startTime: string;
  readonly execution: { readonly status: string; readonly error?: string };
  readonly reports: ReadonlyArray<{ readonly status: HookStatus; readonly at: string; readonly minute: number }>;
  readonly timeline: readonly TimelineEntry[];
  readonly finalVerdict?: Verdict;
  readonly outcome: DeploymentOutcome;
  /** The last period the final verdict judged (exclusive, in minutes) and when CodeDeploy acted. */
  readonly decision: { readonly judgedThroughMinute: number; readonly decidedAtMinute?: number };
  readonly charts: readonly MetricChart[];
  /** Why there are no charts (e.g. CloudWatch could not answer the policy's queries). */
  readonly chartError?: string;
  readonly policy?: PolicySummary;
  readonly traffic?: readonly TrafficStep[];
  readonly smokeTests?: readonly SmokeRun[];
  readonly links?: readonly ReportLink[];
  /** The `CostPerRequest` figures the evaluator published, in order (a simulation records them). */
  readonly costPerRequest?: readonly CostPerRequestFigure[];
}

/** What a cost metric's published `CostPerRequest` said: the looks, and each arm's first and last figure. */
export interface PublishedSpend {
  readonly metric: string;
  readonly looks: number;
  readonly canary: { readonly first: number; readonly last: number };
  readonly baseline: { readonly first: number; readonly last: number };
}

/**
 * One line of spend per cost metric from the published figures: a look publishes one figure per arm,
 * so the looks of a metric are its canary figures. A metric with an arm never priced is left out.
 */
export function publishedSpend(figures: readonly CostPerRequestFigure[]): PublishedSpend[] {
  const byMetric = new Map<string, { canary: number[]; baseline: number[] }>();
  for (const figure of figures) {
    const arms = byMetric.get(figure.metric) ?? { canary: [], baseline: [] };
    arms[figure.arm].push(figure.usd);
    byMetric.set(figure.metric, arms);
  }
  return [...byMetric].flatMap(([metric, { canary, baseline }]) =>
    canary.length === 0 || baseline.length === 0
      ? []
      : [{ metric, looks: canary.length, canary: { first: canary[0], last: canary[canary.length - 1] }, baseline: { first: baseline[0], last: baseline[baseline.length - 1] } }],
  );
}

/** The tolerance ratios a policy's methods imply, by method spec (see `PolicySummary`). */
export function toleranceRatioOf(method: { readonly type: string } & Record<string, unknown>): number | undefined {
  if (method.type === 'sequential' && typeof method.tolerance === 'number') return method.tolerance;
  if (method.type === 'threshold' && typeof method.maxRatioToBaseline === 'number') return method.maxRatioToBaseline;
  if (method.type === 'cost' && typeof method.tolerance === 'number') return 1 + method.tolerance;
  if (method.type === 'mann-whitney' && typeof method.tolerance === 'number') return 1 + method.tolerance;
  return undefined;
}

/** The report's view of a policy. */
export function summarisePolicy(policy: {
  readonly alpha: number;
  readonly metrics: ReadonlyArray<{ readonly name: string; readonly kind: string; readonly critical: boolean; readonly method: { readonly type: string } }>;
  readonly budget?: PolicySummary['budget'];
}): PolicySummary {
  const budget = policy.budget;
  return {
    alpha: policy.alpha,
    ...(budget && { budget: { ...(budget.daily !== undefined && { daily: budget.daily }), ...(budget.monthly !== undefined && { monthly: budget.monthly }), action: budget.action } }),
    metrics: policy.metrics.map((metric) => {
      const toleranceRatio = toleranceRatioOf(metric.method as { type: string } & Record<string, unknown>);
      return { name: metric.name, kind: metric.kind, method: metric.method.type, critical: metric.critical, ...(toleranceRatio !== undefined ? { toleranceRatio } : {}) };
    }),
  };
}

/**
 * One arm's per-period values as a chart draws them: the rate of a count metric, the cost per request
 * of a token metric (at the metric's resolved prices), the value of a gauge.
 */
export function chartValuesOf(
  observed: Exclude<MetricObservations, { kind: 'alarm' }>,
  metric: MetricDefinition,
  arm: 'canary' | 'baseline',
): Array<{ readonly t: number; readonly value: number }> {
  if (observed.kind === 'count') return observed[arm].map((p) => ({ t: p.t, value: p.count / p.total }));
  if (observed.kind === 'tokens') return observed[arm].map((p) => ({ t: p.t, value: metric.kind === 'cost' && metric.prices ? costOf(p, metric.prices) / p.requests : NaN }));
  return observed[arm].map((p) => ({ t: p.t, value: p.value }));
}
