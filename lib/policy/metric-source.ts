/**
 * Where a metric's numbers come from, without zod: the Lambdas read validated policies and must not
 * bundle the schema library (lib/policy/metric.ts holds the schema).
 */
export interface MetricStatSource {
  readonly namespace: string;
  readonly metricName: string;
  readonly stat: string;
  readonly dimensions: Record<string, string>;
}

/** A metric-math expression per arm; `${VERSION}` (and `${FUNCTION}`, `${ALIAS}`, `${LOAD_BALANCER}`) are filled in per arm. */
export interface MetricExpression {
  readonly expression: string;
}

/** A `MetricStat`, or a metric-math expression. */
export type MetricSourceSpec = MetricStatSource | MetricExpression;

export function isMetricExpression(source: MetricSourceSpec): source is MetricExpression {
  return 'expression' in source;
}
