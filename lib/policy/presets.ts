import type { MetricStat, Versioning } from './metric';

/** What a preset expands to: the queries, the kind and the harmful direction. */
export type PresetExpansion =
  | { kind: 'count'; count: MetricStat; total: MetricStat; versioning: Versioning; direction: 'increase' | 'decrease' }
  | { kind: 'gauge'; value: MetricStat; versioning: Versioning; direction: 'increase' | 'decrease' };

const LAMBDA_ALIAS: Versioning = { type: 'lambda-alias' };
const lambdaSum = (metricName: string): MetricStat => ({
  namespace: 'AWS/Lambda',
  metricName,
  stat: 'Sum',
  dimensions: {},
});

/**
 * Named metric recipes. Lambda per-version metrics come through the alias with the
 * `ExecutedVersion` dimension (Lambda Developer Guide, "Types of metrics for Lambda functions").
 */
export const PRESETS = {
  /** Errors per invocation of each Lambda version. */
  'lambda-error-rate': (): PresetExpansion => ({
    kind: 'count',
    count: lambdaSum('Errors'),
    total: lambdaSum('Invocations'),
    versioning: LAMBDA_ALIAS,
    direction: 'increase',
  }),
  /** Throttles per invocation of each Lambda version. */
  'lambda-throttle-rate': (): PresetExpansion => ({
    kind: 'count',
    count: lambdaSum('Throttles'),
    total: lambdaSum('Invocations'),
    versioning: LAMBDA_ALIAS,
    direction: 'increase',
  }),
  /** p99 of Lambda Duration per period, in milliseconds. */
  'lambda-p99-duration': (): PresetExpansion => ({
    kind: 'gauge',
    value: { namespace: 'AWS/Lambda', metricName: 'Duration', stat: 'p99', dimensions: {} },
    versioning: LAMBDA_ALIAS,
    direction: 'increase',
  }),
} as const;

export type PresetName = keyof typeof PRESETS;
export const PRESET_NAMES = Object.keys(PRESETS) as [PresetName, ...PresetName[]];
