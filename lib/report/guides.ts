import type { MetricResult } from '../judge';
import type { EvaluationReport, MetricChart } from './model';

/** What a chart draws besides the two lines, on the metric's own scale. */
export interface ChartGuides {
  /** The baseline's level over the judged window (rate, median or cost per request). */
  readonly baselineLevel?: number;
  /** Where the verdict's interval puts the canary: baseline level × the effect interval; `null`: unbounded above. */
  readonly band?: readonly [number, number | null];
  /** The tolerance line: baseline level × the policy's tolerance ratio. */
  readonly tolerance?: number;
  readonly toleranceRatio?: number;
  /** The level of the test the interval is for (`1 − alpha` coverage). */
  readonly alpha?: number;
}

function baselineLevelOf(result: MetricResult): number | undefined {
  const arm = result.baseline;
  if (arm.costPerRequest !== undefined) return arm.costPerRequest;
  if (arm.count !== undefined && arm.total !== undefined) return arm.total > 0 ? arm.count / arm.total : undefined;
  return arm.median;
}

/** The band and tolerance line of one chart, from the final verdict and the policy summary. */
export function chartGuides(report: Pick<EvaluationReport, 'finalVerdict' | 'policy'>, chart: Pick<MetricChart, 'metric'>): ChartGuides {
  const result = report.finalVerdict?.metrics.find((metric) => metric.metric === chart.metric);
  const toleranceRatio = report.policy?.metrics.find((metric) => metric.name === chart.metric)?.toleranceRatio;
  const level = result ? baselineLevelOf(result) : undefined;
  if (level === undefined || !Number.isFinite(level)) return {};
  const interval = result?.interval;
  // The judge gives no effect (and no interval) when neither version saw an event: nothing to draw then.
  const band = interval && result?.effect !== undefined ? ([(interval[0] ?? 0) * level, interval[1] === null ? null : interval[1] * level] as const) : undefined;
  return {
    baselineLevel: level,
    ...(band ? { band } : {}),
    ...(toleranceRatio !== undefined && level > 0 ? { tolerance: toleranceRatio * level, toleranceRatio } : {}),
    ...(result?.alpha !== undefined ? { alpha: result.alpha } : {}),
  };
}

const RANK: Record<string, number> = { fail: 0, nodata: 2, continue: 2, pass: 3 };

/** Failing metrics first (critical before not critical), then undecided, then passing; stable otherwise. */
export function orderCharts<T extends Pick<MetricChart, 'decision' | 'critical'>>(charts: readonly T[]): T[] {
  const rank = (chart: T) => (RANK[chart.decision ?? 'continue'] ?? 2) + (chart.decision === 'fail' && !chart.critical ? 1 : 0);
  return charts.map((chart, index) => ({ chart, index })).sort((a, b) => rank(a.chart) - rank(b.chart) || a.index - b.index).map(({ chart }) => chart);
}

/** The minute CodeDeploy acted on the evaluation (the marker), else the end of the judged window. */
export function markerMinute(report: Pick<EvaluationReport, 'decision'>): number {
  return report.decision.decidedAtMinute ?? report.decision.judgedThroughMinute;
}
