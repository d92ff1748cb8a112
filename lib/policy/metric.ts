import { z } from 'zod';

/**
 * One CloudWatch metric statistic, without the version dimension: the evaluator adds the
 * dimensions that select one version (canary or baseline) when it builds the query.
 */
export const metricStatSchema = z.strictObject({
  namespace: z.string().min(1),
  metricName: z.string().min(1),
  /** CloudWatch statistic: Sum, Average, p99, TC(800:), PR(:800)… */
  stat: z.string().min(1).default('Sum'),
  /** Dimensions shared by both versions (e.g. `{ Service: chat }`). */
  dimensions: z.record(z.string(), z.string()).default({}),
});
export type MetricStat = z.infer<typeof metricStatSchema>;

/**
 * How a query is narrowed to one version.
 * - `lambda-alias`: Lambda's per-version metrics through the deployed alias
 *   (`FunctionName`, `Resource: <fn>:<alias>`, `ExecutedVersion: <n>`).
 * - `dimension`: an application metric carrying the version in a dimension of its own
 *   (e.g. `Version`, or OpenTelemetry's `service.version`).
 * - `alb-target-group`: ALB target-group metrics of an ECS blue/green deployment (`LoadBalancer`,
 *   `TargetGroup`); each arm is the target group serving its task set.
 */
export const versioningSchema = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('lambda-alias') }),
  z.strictObject({ type: z.literal('alb-target-group') }),
  z.strictObject({ type: z.literal('dimension'), dimension: z.string().min(1) }),
]);
export type Versioning = z.infer<typeof versioningSchema>;

/** Threshold (Argo/Flagger/alarm style): a bound per period, with a failure limit. */
export const thresholdMethodSchema = z
  .strictObject({
    type: z.literal('threshold'),
    /** Absolute upper bound on the per-period value (a rate for count metrics). */
    max: z.number().nonnegative().optional(),
    /** Upper bound relative to the baseline's value in the same period (1.5 = 50 % worse). */
    maxRatioToBaseline: z.number().positive().optional(),
    /** Periods over a bound before the metric fails. */
    failureLimit: z.number().int().positive().default(1),
    /** `consecutive`: the limit must be reached in a row; `cumulative`: in total. */
    failureCounting: z.enum(['consecutive', 'cumulative']).default('consecutive'),
    /** Periods with fewer requests than this (count metrics) are ignored. */
    minTotalPerPeriod: z.number().nonnegative().default(0),
    /** Periods the canary must have before the metric can pass. */
    minPeriods: z.number().int().positive().default(1),
  })
  .refine((method) => method.max !== undefined || method.maxRatioToBaseline !== undefined, {
    message: 'a threshold needs `max`, `maxRatioToBaseline` or both',
  });

/** The methods a metric may be judged by. Each method is a member of this union. */
export const methodSchema = z.discriminatedUnion('type', [thresholdMethodSchema]);
export type MethodSpec = z.infer<typeof methodSchema>;
