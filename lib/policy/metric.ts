import { z } from 'zod';
import { dimensionNameSchema, dimensionsSchema, statisticSchema } from './cloudwatch';

/**
 * One CloudWatch metric statistic, without the version dimension: the evaluator adds the
 * dimensions that select one version (canary or baseline) when it builds the query.
 */
export const metricStatSchema = z.strictObject({
  namespace: z.string().min(1),
  metricName: z.string().min(1),
  /** CloudWatch statistic: Sum, Average, p99, TC(800:), PR(:800)… */
  stat: statisticSchema.default('Sum'),
  /** Dimensions shared by both versions (e.g. `{ Service: chat }`). */
  dimensions: dimensionsSchema.default({}),
});
export type MetricStat = z.infer<typeof metricStatSchema>;
export { isMetricExpression, type MetricExpression, type MetricSourceSpec } from './metric-source';
import type { MetricSourceSpec } from './metric-source';

const VERSION_PLACEHOLDER = '${VERSION}';

/**
 * A metric statistic, or for everything presets and `MetricStat` cannot say, a CloudWatch metric-math
 * expression written once for both arms, e.g.
 * `SUM(SEARCH('{MyApp,Version} MetricName="Failures" Version="${VERSION}"', 'Sum', 60))`.
 * `${VERSION}` becomes each arm's version (Lambda version number, version-dimension value, or ALB target
 * group) so the two arms read different data.
 */
export const metricSourceSchema = z
  .strictObject({
    namespace: z.string().min(1).optional(),
    metricName: z.string().min(1).optional(),
    /** CloudWatch statistic: Sum, Average, p99, TC(800:), PR(:800)… @default Sum */
    stat: statisticSchema.optional(),
    /** Dimensions shared by both versions (e.g. `{ Service: chat }`). @default {} */
    dimensions: dimensionsSchema.optional(),
    /** Metric math instead of namespace/metricName; must contain `${VERSION}`. */
    expression: z.string().min(1).optional(),
  })
  .superRefine((source, ctx) => {
    if (source.expression !== undefined) {
      for (const key of ['namespace', 'metricName', 'stat', 'dimensions'] as const) {
        if (source[key] !== undefined) ctx.addIssue({ code: 'custom', path: [key], message: 'give either `expression` or namespace/metricName/stat/dimensions, not both' });
      }
      if (!source.expression.includes(VERSION_PLACEHOLDER)) {
        ctx.addIssue({ code: 'custom', path: ['expression'], message: 'an expression must contain ${VERSION}, or both arms would read the same data' });
      }
      return;
    }
    for (const key of ['namespace', 'metricName'] as const) {
      if (source[key] === undefined) ctx.addIssue({ code: 'custom', path: [key], message: 'expected a string (or give `expression` instead)' });
    }
  })
  .transform((source): MetricSourceSpec =>
    source.expression !== undefined
      ? { expression: source.expression }
      : { namespace: source.namespace!, metricName: source.metricName!, stat: source.stat ?? 'Sum', dimensions: source.dimensions ?? {} },
  );

/**
 * How a query is narrowed to one version.
 * - `lambda-alias`: Lambda's per-version metrics through the deployed alias
 *   (`FunctionName`, `Resource: <fn>:<alias>`, `ExecutedVersion: <n>`).
 * - `dimension`: an application metric carrying the version in a dimension of its own
 *   (e.g. `Version`, or OpenTelemetry's `service.version`). Lambda deployments only: an ECS AppSpec
 *   names the replacement task definition but not the original one, so the baseline's value is unknown.
 * - `alb-target-group`: ALB target-group metrics of an ECS blue/green deployment (`LoadBalancer`,
 *   `TargetGroup`); each arm is the target group serving its task set (Green: canary, Blue: baseline).
 *   The arms are different tasks and the Green set has no periods before the deployment: a gauge's
 *   verdict rests on the task sets differing, apart from the version, by no more than about its
 *   tolerance, and says so (docs/judge.md, "The evaluation gives no `canaryHistory`").
 */
export const versioningSchema = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('lambda-alias') }),
  z.strictObject({ type: z.literal('alb-target-group') }),
  z.strictObject({ type: z.literal('dimension'), dimension: dimensionNameSchema }),
]);
export type Versioning = z.infer<typeof versioningSchema>;

/** Threshold (Argo/Flagger/alarm style): a bound per period, with a failure limit. */
export const thresholdMethodSchema = z
  .strictObject({
    type: z.literal('threshold'),
    /** Absolute upper bound on the per-period value (a rate for count metrics). */
    max: z.number().nonnegative().optional(),
    /** Upper bound relative to the baseline's value in the same period (1.5 = 50 % worse); below 1 every canary equal to its baseline fails. */
    maxRatioToBaseline: z.number().gte(1, 'expected at least 1: below 1 a canary no worse than its baseline fails').optional(),
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

/** Significance level of one metric's test; without it the metric gets its Bonferroni share of the policy's `alpha`. */
const alphaSchema = z.number().gt(0).lt(1).optional();

/**
 * Sequential count test (default for count metrics): an anytime-valid test of the rate ratio
 * ρ = canary rate / baseline rate, checked every period without inflating false alarms.
 * `fail` when harm (ρ > 1 in the harmful direction) is shown at level α; `pass` when ρ ≥ `tolerance`
 * is ruled out at level α. Counts must be events (errors, slow requests), not sums of values.
 */
export const sequentialMethodSchema = z.strictObject({
  type: z.literal('sequential'),
  /** @default - the metric's Bonferroni share of the policy's `alpha` */
  alpha: alphaSchema,
  /** Rate ratio below which a change is acceptable; `pass` needs ρ ≥ tolerance ruled out. @default 1.5 */
  tolerance: z.number().gt(1).default(1.5),
  /**
   * Harm boundary: `fail` needs ρ > harmAbove shown at level α. 1 fails any regression the data prove
   * (however small, at high traffic); a value between 1 and `tolerance` (e.g. 1.2) lets regressions
   * inside it go undecided (then `onTimeout` applies) instead of failing, at some loss of speed on
   * larger ones. Must be below `tolerance`.
   * @default 1
   */
  harmAbove: z.number().gte(1).default(1),
  /**
   * Absolute guard: also fail when the canary's own event rate is shown to exceed this share of its
   * requests, whatever the baseline does (catches a canary failing nearly every request at traffic too
   * low for the comparison); `false` turns it off.
   * @default - 0.5 for the error presets (lambda-error-rate, alb-5xx-rate), off otherwise
   */
  guardRate: z.union([z.number().gt(0).lt(1), z.literal(false)]).optional(),
  /**
   * Robust comparison: bet on the canary's share of each period's events instead of the Poisson
   * likelihood, so that harm stays anytime-valid when only the canary's counts are overdispersed (one
   * bad instance, a noisy new dependency). It only fails early: it never passes before the deadline
   * (then `onTimeout` applies), and reports no interval.
   * @default false
   */
  robust: z.boolean().default(false),
  /**
   * How the counts' spread is modelled. `estimate`: each period's likelihood is weighted by the
   * overdispersion estimated from the earlier periods (a canary or baseline whose rate wanders from
   * minute to minute), exact when counts are Poisson; `poisson`: counts are taken as Poisson given a
   * shared level (faster to decide, but false fails far above α when rates wander).
   * @default 'estimate'
   */
  dispersion: z.enum(['estimate', 'poisson']).default('estimate'),
}).refine((method) => method.harmAbove < method.tolerance, {
  message: 'harmAbove must be below tolerance (fail needs ρ > harmAbove shown, pass needs ρ ≥ tolerance ruled out)',
  path: ['harmAbove'],
});

/**
 * Mann–Whitney U / Hodges–Lehmann on per-period values of a gauge (fixed horizon, Kayenta-like).
 * The test runs once, on the first `minSamples` periods of each arm (or at the deadline on what there
 * is), so looking every period does not inflate false alarms. Not for sparse counts: use `sequential`.
 */
export const mannWhitneyMethodSchema = z.strictObject({
  type: z.literal('mann-whitney'),
  /** @default - the metric's Bonferroni share of the policy's `alpha` */
  alpha: alphaSchema,
  /** Acceptable worsening relative to the baseline median (0.1 = 10 % worse is fine). @default 0.1 */
  tolerance: z.number().nonnegative().default(0.1),
  /** Periods per arm before the test runs (and the fixed horizon). @default 10 */
  minSamples: z.number().int().min(3).default(10),
  /**
   * Serial correlation of per-period values (a slow minute is followed by slow minutes): `adjust`
   * inflates the rank statistic's variance by the AR(1) factor for the ranks' lag-1 autocorrelation,
   * estimated at its 95 % upper bound from the baseline's history before the window
   * (`historyPeriods`) and the window, which keeps α for AR(1)-like gauges (the plain test
   * false-fails ~24 % at α = 5 % for φ = 0.7); `ignore` is the plain R-compatible `wilcox.test`,
   * valid for independent values only.
   * @default 'adjust'
   */
  autocorrelation: z.enum(['adjust', 'ignore']).default('adjust'),
  /**
   * Periods of the baseline's own history, before the window, read to estimate the autocorrelation
   * (`adjust` only): more history, a tighter bound and less lost power (240 one-minute periods: a
   * complete separation of 10 vs 10 still fails at α = 0.00125 in 98 % of runs). 0 reads none: the
   * estimate then comes from the window alone (33 % there).
   * @default 240
   */
  historyPeriods: z.number().int().min(0).max(1440).default(240),
});

/** Alarm gate: the named CloudWatch alarms must not be in ALARM. Fails on any ALARM; never passes early. */
export const alarmGateMethodSchema = z.strictObject({
  type: z.literal('alarm-gate'),
  /** Treat INSUFFICIENT_DATA like ALARM. @default false */
  failOnInsufficientData: z.boolean().default(false),
});

/**
 * Cost per request: token spend priced by the catalog (or the metric's `prices`), canary vs
 * baseline, by an anytime-valid betting e-process and confidence sequence on the per-period log ratio
 * of cost per request (docs/cost.md).
 */
export const costMethodSchema = z.strictObject({
  type: z.literal('cost'),
  /** @default - the metric's Bonferroni share of the policy's `alpha` */
  alpha: alphaSchema,
  /** Acceptable relative increase of cost per request (0.1 = +10 %). @default 0.1 */
  tolerance: z.number().positive().default(0.1),
  /** Paired periods before a decision (the CLT needs a few). @default 5 */
  minPeriods: z.number().int().min(2).default(5),
  /** Periods where either arm served fewer requests are skipped. @default 10 */
  minRequestsPerPeriod: z.number().nonnegative().default(10),
  /**
   * `request`: USD per request; `successful-request`: USD per request that did not fail, with the
   * failures read from the count metric named by `errorsFrom` (a release that fails more often and
   * retries spends more per useful answer). @default request
   */
  per: z.enum(['request', 'successful-request']).default('request'),
  /** Name of a count metric of this policy whose `count` is the failed requests (needed by `per: successful-request`). */
  errorsFrom: z.string().min(1).optional(),
});

/** The methods a metric may be judged by. Each method is a member of this union. */
export const methodSchema = z.discriminatedUnion('type', [
  thresholdMethodSchema,
  sequentialMethodSchema,
  mannWhitneyMethodSchema,
  alarmGateMethodSchema,
  costMethodSchema,
]);
export type MethodSpec = z.infer<typeof methodSchema>;
