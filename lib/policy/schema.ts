import { z } from 'zod';
import { logsSignalSchema } from './logs';
import { POLICY_DEFAULTS } from './defaults';
import { durationSchema } from './duration';
import { mannWhitneyMethodSchema, methodSchema, metricSourceSchema, versioningSchema, type MethodSpec, type MetricSourceSpec } from './metric';
import { expandPreset, presetMetricSchema as presetMetricSchemaOf } from './presets';
import { priceOverrideSchema, resolvePrices, unknownModelMessage } from './prices';
import { deploymentFitIssues, metricsInsightsHistoryIssues, type DeploymentLimits } from './fit';
import { deniedHostReason, headersSchema, patternSchema } from './smoke-rules';

const directionSchema = z.enum(['increase', 'decrease']);
const metricNameSchema = z
  .string()
  .regex(/^[A-Za-z0-9_.-]{1,64}$/, 'expected 1-64 letters, digits, "_", "." or "-"');

/** Fields every metric accepts, whatever its source. */
const commonMetricFields = {
  /** Unique name of the metric within the policy; used in verdicts and query ids. */
  name: metricNameSchema.optional(),
  /** A critical metric that fails fails the whole evaluation. @default true */
  critical: z.boolean().default(true),
  /** How the metric is judged. @default count: sequential; gauge: mann-whitney (10 % tolerance); alarm: alarm-gate; cost: cost */
  method: methodSchema.optional(),
};

/** A preset, with its parameters (`lib/policy/presets.ts`). */
const presetMetricSchema = presetMetricSchemaOf(commonMetricFields);

const countMetricSchema = z.strictObject({
  ...commonMetricFields,
  kind: z.literal('count'),
  /** Events per period (errors, slow requests…). */
  count: metricSourceSchema,
  /** Requests per period (the denominator). */
  total: metricSourceSchema,
  /**
   * Whether `total` already counts the events of `count`. False for Lambda `Throttles`: throttled requests
   * are not counted in `Invocations` (Lambda Developer Guide, "Types of metrics for Lambda functions"), so
   * the denominator becomes `total + count`. @default true
   */
  countInTotal: z.boolean().default(true),
  versioning: versioningSchema,
  /** Which way is harm. @default increase */
  direction: directionSchema.default('increase'),
});

const gaugeMetricSchema = z.strictObject({
  ...commonMetricFields,
  kind: z.literal('gauge'),
  /** One value per period (p99 latency, cost per request…). */
  value: metricSourceSchema,
  versioning: versioningSchema,
  direction: directionSchema.default('increase'),
});

const alarmMetricSchema = z.strictObject({
  ...commonMetricFields,
  kind: z.literal('alarm'),
  /** CloudWatch alarms that must not be in ALARM during the evaluation. */
  alarmNames: z.array(z.string().min(1)).min(1),
});

const costMetricSchema = z.strictObject({
  ...commonMetricFields,
  kind: z.literal('cost'),
  /** Model id: a Bedrock model id or inference profile, or an Anthropic/OpenAI API model name, priced by the catalog (`lib/policy/prices`). */
  model: z.string().min(1),
  /** Prices that replace the catalog's for this model (negotiated discount, a model the catalog lacks). @default - the catalog's */
  prices: priceOverrideSchema.optional(),
  /** Requests per period (the denominator of cost per request). */
  requests: metricSourceSchema,
  /**
   * Tokens per period by type; absent types count as zero. `reasoning` is a part of `output` (billed at
   * the output price, as providers bill thinking tokens): it is read only to say why spend moved.
   */
  tokens: z.strictObject({
    input: metricSourceSchema,
    output: metricSourceSchema,
    cacheRead: metricSourceSchema.optional(),
    cacheWrite: metricSourceSchema.optional(),
    reasoning: metricSourceSchema.optional().describe('Reasoning tokens: a part of `output` (priced with it), read to say why spend moved.'),
  }),
  /**
   * Whether `input` already counts the cache-read and cache-write tokens (the OpenTelemetry GenAI
   * convention: `gen_ai.usage.input_tokens` SHOULD include them); they are then taken out of it
   * before pricing, so no token is billed twice. @default false (Bedrock and Anthropic report them apart)
   */
  inputIncludesCache: z
    .boolean()
    .default(false)
    .describe('Whether `input` already counts the cache-read and cache-write tokens (OpenTelemetry GenAI); they are then taken out of it before pricing.'),
  versioning: versioningSchema,
  /** Which way is harm. @default increase */
  direction: directionSchema.default('increase'),
});

/** Methods each metric kind may use (Mann–Whitney on counts is refused: its estimate is 0 for sparse errors). */
const METHODS_BY_KIND: Record<string, readonly MethodSpec['type'][]> = {
  count: ['sequential', 'threshold'],
  gauge: ['mann-whitney', 'threshold'],
  alarm: ['alarm-gate'],
  cost: ['cost'],
};

const DEFAULT_METHOD_BY_KIND: Record<string, MethodSpec> = {
  count: { type: 'sequential', tolerance: 1.5, harmAbove: 1, robust: false, dispersion: 'estimate' },
  alarm: { type: 'alarm-gate', failOnInsufficientData: false },
  cost: { type: 'cost', tolerance: 0.1, minPeriods: 5, minRequestsPerPeriod: 10, per: 'request' },
};

/**
 * Gauges default to Mann–Whitney (10 % worse tolerated, autocorrelation adjusted from the baseline's
 * history), which holds α on host-like series; the former default, a threshold at 2× the baseline's
 * value in the same minute, failed 31 % of identical deployments on series with busy minutes
 * (docs/benchmark.md, issue 22 item 5). Parsed, so its other defaults come from its schema.
 */
const DEFAULT_GAUGE_METHOD: MethodSpec = mannWhitneyMethodSchema.parse({ type: 'mann-whitney' });

const customMetricSchema = z.discriminatedUnion('kind', [countMetricSchema, gaugeMetricSchema, alarmMetricSchema, costMetricSchema]);

/** A metric as written: a preset, or a custom `count` or `gauge` metric. Used for JSON Schema export. */
export const metricInputSchema = z.union([presetMetricSchema, customMetricSchema]);

/** Presets counting failed requests: their sequential test gets the absolute guard unless told otherwise. */
const GUARDED_PRESETS: ReadonlySet<string> = new Set(['lambda-error-rate', 'alb-5xx-rate']);
const DEFAULT_GUARD_RATE = 0.5;

function withPresetGuard(preset: string | undefined, method: MethodSpec): MethodSpec {
  if (method.type !== 'sequential' || method.guardRate !== undefined || preset === undefined || !GUARDED_PRESETS.has(preset)) return method;
  return { ...method, guardRate: DEFAULT_GUARD_RATE };
}

type PresetMetric = z.output<typeof presetMetricSchema>;
type CustomMetric = z.output<typeof customMetricSchema>;

function normaliseMetric(metric: PresetMetric | CustomMetric) {
  const common = {
    name: metric.name ?? ('preset' in metric ? metric.preset : ''),
    critical: metric.critical,
  };
  if (!('preset' in metric) && metric.kind === 'alarm') {
    return { ...common, method: metric.method ?? DEFAULT_METHOD_BY_KIND.alarm, kind: 'alarm' as const, alarmNames: metric.alarmNames };
  }
  if (!('preset' in metric) && metric.kind === 'cost') {
    const { model, requests, tokens, inputIncludesCache, versioning, direction } = metric;
    const prices = resolvePrices(model, metric.prices);
    return { ...common, method: metric.method ?? DEFAULT_METHOD_BY_KIND.cost, direction, versioning, kind: 'cost' as const, model, prices, requests, tokens, inputIncludesCache };
  }
  const source = 'preset' in metric ? expandPreset(metric) : metric;
  const base = {
    ...common,
    method: withPresetGuard('preset' in metric ? metric.preset : undefined, metric.method ?? ('method' in source ? source.method : undefined) ?? DEFAULT_METHOD_BY_KIND[source.kind] ?? DEFAULT_GAUGE_METHOD),
    direction: source.direction,
    versioning: source.versioning,
  };
  switch (source.kind) {
    case 'count':
      return { ...base, kind: 'count' as const, count: source.count, total: source.total, countInTotal: source.countInTotal ?? true };
    case 'gauge':
      return { ...base, kind: 'gauge' as const, value: source.value };
    case 'cost':
      return {
        ...base,
        kind: 'cost' as const,
        model: source.model,
        prices: resolvePrices(source.model, source.prices),
        requests: source.requests,
        tokens: source.tokens,
        inputIncludesCache: source.inputIncludesCache ?? false,
      };
  }
}

/**
 * A metric normalised to one shape with defaults applied. The branch is chosen by the
 * presence of `preset`, so errors name the real field instead of "no union member matched".
 */
const metricSchema = z.unknown().transform((value, ctx) => {
  const isPreset = typeof value === 'object' && value !== null && 'preset' in value;
  const result = (isPreset ? presetMetricSchema : customMetricSchema).safeParse(value);
  if (!result.success) {
    for (const issue of result.error.issues) ctx.addIssue({ ...issue, code: 'custom', path: issue.path });
    return z.NEVER;
  }
  const metric = normaliseMetric(result.data);
  if (metric.kind === 'cost' && !metric.prices) {
    ctx.addIssue({ code: 'custom', path: [isPreset ? 'modelId' : 'model'], message: unknownModelMessage(metric.model, "this metric's `prices`") });
    return z.NEVER;
  }
  return metric;
});

/** A JSON-path assertion on a smoke test's response: `$.body.status` equals a value or matches a pattern. */
const jsonAssertionSchema = z
  .strictObject({
    /** `$`, `$.a.b`, `$.items[0].id`: dots and numeric indexes only. */
    path: z.string().regex(/^\$(\.[A-Za-z_$][\w$-]*|\[\d+\])*$/, 'expected a path such as "$.body.status" or "$.items[0].id"'),
    equals: z.unknown().optional(),
    /** A regular expression (RE2 syntax, matched in linear time) the value (as text) must match. */
    matches: patternSchema.optional(),
  })
  .refine((assertion) => assertion.equals !== undefined || assertion.matches !== undefined, { message: 'an assertion needs `equals`, `matches` or both' });

/** When a smoke test runs: before traffic shifts, after the bake, or both. @default both */
const smokeTestPhaseSchema = z.enum(['pre-traffic', 'post-deploy', 'both']).default('both');

const smokeTestCommon = {
  name: metricNameSchema,
  /** Attempts after the first failing one. @default 0 */
  retries: z.number().int().min(0).max(5).default(0),
  phase: smokeTestPhaseSchema,
};

/** Invokes the new Lambda version directly (`Qualifier` = target version). */
const lambdaSmokeTestSchema = z.strictObject({
  ...smokeTestCommon,
  type: z.literal('lambda'),
  /** JSON payload sent to the new Lambda version. */
  payload: z.unknown().default({}),
  expect: z
    .strictObject({
      /** The invocation must not end in a function error. @default true */
      noFunctionError: z.boolean().default(true),
      /** Expected `statusCode` field of the response payload. */
      statusCode: z.number().int().optional(),
      /** Slowest acceptable round trip, in milliseconds. */
      maxLatencyMs: z.number().positive().optional(),
      /** Assertions on the response payload (parsed as JSON). */
      json: z.array(jsonAssertionSchema).default([]),
    })
    .default({ noFunctionError: true, json: [] }),
});

/** Calls a URL, e.g. an ECS test listener. */
const httpSmokeTestSchema = z.strictObject({
  ...smokeTestCommon,
  type: z.literal('http'),
  /** Never loopback or link-local (the Lambda runtime API, instance metadata). */
  url: z.url({ protocol: /^https?$/ }).superRefine((url, ctx) => {
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch {
      return; // reported by z.url
    }
    const denied = deniedHostReason(parsed.hostname);
    if (denied) ctx.addIssue({ code: 'custom', message: `${parsed.hostname} is ${denied}: a smoke test never calls it` });
    if (parsed.username || parsed.password) ctx.addIssue({ code: 'custom', message: 'credentials in a URL end up in reasons, logs and events; send them in a header' });
  }),
  method: z.enum(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE']).default('GET'),
  headers: headersSchema.default({}),
  /** Request body: a string as is, anything else as JSON. */
  body: z.unknown().optional(),
  /** Abort the request after this many milliseconds (≤ 10 s: the smoke-test Lambda runs for at most 60 s). @default 5000 */
  timeoutMs: z.number().int().positive().max(10000).default(5000),
  expect: z
    .strictObject({
      /** Expected HTTP status. @default 200 */
      status: z.number().int().min(100).max(599).default(200),
      maxLatencyMs: z.number().positive().optional(),
      /** Assertions on the response body (parsed as JSON). */
      json: z.array(jsonAssertionSchema).default([]),
    })
    .default({ status: 200, json: [] }),
});

/** A smoke test; one without `type` is a Lambda test (the original form). */
const smokeTestSchema = z.unknown().transform((value, ctx) => {
  const withType = typeof value === 'object' && value !== null && !('type' in value) ? { ...value, type: 'lambda' } : value;
  const isHttp = typeof withType === 'object' && withType !== null && (withType as { type?: unknown }).type === 'http';
  const result = isHttp ? httpSmokeTestSchema.safeParse(withType) : lambdaSmokeTestSchema.safeParse(withType);
  if (!result.success) {
    for (const issue of result.error.issues) ctx.addIssue({ ...issue, code: 'custom', path: issue.path });
    return z.NEVER;
  }
  return result.data;
});

/** A smoke test as written. Used for JSON Schema export. */
export const smokeTestInputSchema = z.union([lambdaSmokeTestSchema, httpSmokeTestSchema]);

/**
 * A spend budget for the new version at full traffic (docs/cost.md, "Budget gate"): the canary's spend
 * rate, scaled from its share of the requests to all of them, projected over a day or a month, with a
 * 95 % interval. `fail`: the evaluation fails once the whole interval is above the budget (a projection
 * above it whose interval still reaches below only warns); `warn`: it never fails, it says so.
 */
export const budgetSchema = z
  .strictObject({
    daily: z.number().positive().finite().optional().describe('USD per day the new version may spend at full traffic (the counted cost metrics together). Give `daily` or `monthly`.'),
    monthly: z.number().positive().finite().optional().describe('USD per month (an average calendar month, 365.25 / 12 days). Give `daily` or `monthly`.'),
    action: z
      .enum(['fail', 'warn'])
      .default('fail')
      .describe('`fail`: the evaluation fails once the projection\'s whole interval is over the budget (over by the point only: a warning); `warn`: never fails, only reports.'),
    metrics: z.array(z.string().min(1)).min(1).optional().describe('Names of the cost metrics whose spend counts. Default: every cost metric of the policy.'),
  })
  .superRefine((budget, ctx) => {
    if ((budget.daily === undefined) === (budget.monthly === undefined)) {
      ctx.addIssue({ code: 'custom', path: [], message: 'give the budget as `daily` or `monthly` (USD), one of the two' });
    }
  });

const policyObjectSchema = z
  .strictObject({
    /**
     * False-alarm budget of the whole evaluation: split equally (Bonferroni) over the metrics whose
     * method uses an α and that do not set their own. @default 0.01
     */
    alpha: z.number().gt(0).lt(1).default(POLICY_DEFAULTS.alpha),
    /** The metrics to compare, canary (new version) against baseline (current version). */
    metrics: z.array(metricSchema).default([]),
    /** Checks of the new version: before it receives traffic, and after the bake. */
    smokeTests: z.array(smokeTestSchema).default([]),
    /** How smoke tests run. */
    smokeTestSettings: z
      .strictObject({
        /** @default true */
        enabled: z.boolean().default(true),
        /** Tests running at the same time. @default 4 */
        concurrency: z.number().int().min(1).max(20).default(POLICY_DEFAULTS.smokeTestSettings.concurrency),
      })
      .default({ ...POLICY_DEFAULTS.smokeTestSettings }),
    /**
     * The canary window (no CodeDeploy hook runs there): after the pre-traffic hook reports `Succeeded`,
     * keep comparing the new version with the current one while traffic shifts.
     */
    canaryWatch: z
      .strictObject({
        /** @default true */
        enabled: z.boolean().default(true),
        /** How often to re-judge. @default 60s */
        period: durationSchema.default(POLICY_DEFAULTS.canaryWatch.period),
        /** Longest watch; it also ends when the deployment is no longer in progress. @default 30m */
        maxDuration: durationSchema.default(POLICY_DEFAULTS.canaryWatch.maxDuration),
        /** Call `StopDeployment` (with rollback) on a failing verdict. @default false (the verdict alarm acts) */
        stopDeploymentOnFail: z.boolean().default(POLICY_DEFAULTS.canaryWatch.stopDeploymentOnFail),
      })
      .default({ ...POLICY_DEFAULTS.canaryWatch }),
    /** Evaluate and publish verdicts, but always report `Succeeded`. @default false */
    dryRun: z.boolean().default(POLICY_DEFAULTS.dryRun),
    /** The after-traffic watch: how long and how often. */
    bake: z
      .strictObject({
        /** How long to watch. @default 10m */
        duration: durationSchema.default(POLICY_DEFAULTS.bake.duration),
        /** How often to re-judge. @default 60s */
        period: durationSchema.default(POLICY_DEFAULTS.bake.period),
        /** Set false to skip the bake (post-deploy smoke tests still run). @default true */
        enabled: z.boolean().optional(),
      })
      .default({ duration: POLICY_DEFAULTS.bake.duration, period: POLICY_DEFAULTS.bake.period }),
    /** How late CloudWatch datapoints may arrive; the newest periods younger than this are not judged. @default 2m */
    metricLag: durationSchema.default(POLICY_DEFAULTS.metricLag),
    /**
     * What a metric without data decides at the deadline. `inconclusive`: the run says it could not tell
     * (traffic too low) and `onInconclusive` decides what CodeDeploy hears. @default inconclusive
     */
    onNoData: z.enum(['inconclusive', 'pass', 'fail']).default(POLICY_DEFAULTS.onNoData),
    /**
     * What undecided metrics (sequential, Mann–Whitney, cost) decide at the deadline. Threshold and
     * alarm-gate metrics pass when nothing breached, unless this is `fail`. @default inconclusive
     */
    onTimeout: z.enum(['inconclusive', 'pass', 'fail']).default(POLICY_DEFAULTS.onTimeout),
    /**
     * What the hook reports when the deadline comes without a verdict (a critical metric inconclusive):
     * `pass` lets CodeDeploy go on ("promoted without a verdict"), `fail` rolls back.
     * @default pass (a release is not rolled back for lack of traffic; every view says it was not judged)
     */
    onInconclusive: z.enum(['pass', 'fail']).default(POLICY_DEFAULTS.onInconclusive),
    /** What the hook reports when the evaluator itself fails. @default fail */
    onEvaluatorError: z.enum(['pass', 'fail']).default(POLICY_DEFAULTS.onEvaluatorError),
    /**
     * Logs as a signal in the bake (docs/logs.md): error lines per request and new error signatures of
     * the new version, read with Logs Insights within a bytes-scanned budget. @default - none
     */
    logs: logsSignalSchema.optional(),
    /** A spend budget the new version's projected full-traffic spend must stay under. @default - none */
    budget: budgetSchema.optional(),
  });

type PolicyObject = z.output<typeof policyObjectSchema>;

/**
 * The schema's rules across fields, with the time rules fitted to `limits`: the deadline the policy's
 * evaluations must report by (a CodeDeploy hook's hour by default; an ECS native hook's own timeout when
 * the evaluator runs long evaluations, `ecsNativeDeploymentLimits`).
 */
const policyRules = (limits: DeploymentLimits) => (policy: PolicyObject, ctx: z.RefinementCtx<PolicyObject>) => {
    const seen = new Map<string, number>();
    policy.metrics.forEach((metric, index) => {
      if (!metric.name) {
        ctx.addIssue({ code: 'custom', path: ['metrics', index, 'name'], message: 'a custom metric needs a name' });
        return;
      }
      const first = seen.get(metric.name);
      if (first !== undefined) {
        ctx.addIssue({
          code: 'custom',
          path: ['metrics', index, 'name'],
          message: `duplicate metric name "${metric.name}" (also metrics[${first}]); give each metric its own name`,
        });
      }
      seen.set(metric.name, index);
      if (metric.method.type === 'cost' && metric.method.per === 'successful-request') {
        const errorsFrom = metric.method.errorsFrom;
        const source = errorsFrom === undefined ? undefined : policy.metrics.find((other) => other.name === errorsFrom);
        if (!source || source.kind !== 'count') {
          ctx.addIssue({
            code: 'custom',
            path: ['metrics', index, 'method', 'errorsFrom'],
            message: `per: successful-request needs \`errorsFrom\`, the name of a count metric of this policy (its count = failed requests)${errorsFrom === undefined ? '' : `; "${errorsFrom}" is ${source ? `a ${source.kind} metric` : 'not a metric of this policy'}`}`,
          });
        }
      }
      if (metric.kind === 'count' && sameSource(metric.count, metric.total)) {
        ctx.addIssue({
          code: 'custom',
          path: ['metrics', index, 'total'],
          message: `reads the same data as \`count\`, so the rate is always ${metric.countInTotal ? '1' : '1/2 (countInTotal: false)'} and the metric can never fail; \`total\` is the requests, \`count\` the events among them`,
        });
      }
      const unreachable = unreachableBound(metric);
      if (unreachable) ctx.addIssue({ code: 'custom', path: ['metrics', index, 'method', 'max'], message: unreachable });
      const allowed = METHODS_BY_KIND[metric.kind];
      if (!allowed.includes(metric.method.type)) {
        ctx.addIssue({
          code: 'custom',
          path: ['metrics', index, 'method', 'type'],
          message: `method "${metric.method.type}" cannot judge a ${metric.kind} metric; use ${allowed.map((type) => `"${type}"`).join(' or ')}`,
        });
      }
    });
    if (policy.logs) for (const issue of logsSignalIssues(policy)) ctx.addIssue({ code: 'custom', path: ['logs', ...issue.path], message: issue.message });
    if (policy.budget) {
      const costMetrics = policy.metrics.filter((metric) => metric.kind === 'cost').map((metric) => metric.name);
      if (costMetrics.length === 0) {
        ctx.addIssue({
          code: 'custom',
          path: ['budget'],
          message: 'a budget projects the spend of the policy\'s cost metrics, and this policy has none: add a cost metric (`kind: cost`, or a preset such as `bedrock-cost-per-request`) or remove the budget',
        });
      }
      policy.budget.metrics?.forEach((name, index) => {
        if (!costMetrics.includes(name)) {
          const other = policy.metrics.find((metric) => metric.name === name);
          ctx.addIssue({
            code: 'custom',
            path: ['budget', 'metrics', index],
            message: `"${name}" is ${other ? `a ${other.kind} metric, not a cost metric` : 'not a metric of this policy'}; a budget counts the spend of cost metrics${costMetrics.length > 0 ? ` (${costMetrics.map((metric) => `"${metric}"`).join(', ')})` : ''}`,
          });
        }
      });
    }
    // A field that failed its own check may reach here unparsed (zod runs this refinement on the rest):
    // the time rules read seconds only, so they wait until every duration parsed.
    const durations = [policy.metricLag, policy.bake.duration, policy.bake.period, policy.canaryWatch.period, policy.canaryWatch.maxDuration];
    if (durations.every((seconds) => typeof seconds === 'number')) {
      for (const issue of [...deploymentFitIssues(policy, limits), ...metricsInsightsHistoryIssues(policy, policy.metrics)]) ctx.addIssue({ code: 'custom', path: [...issue.path], message: issue.message });
    }
  };

/** The policy schema, fitted to a CodeDeploy hook's hour and the construct's default evaluation timeout. */
export const policySchema = policyObjectSchema.superRefine(policyRules({}));

const fittedSchemas = new Map<string, typeof policySchema>();
/** The policy schema fitted to the limits of the evaluator and hook it runs on (`DeploymentLimits`). */
export function policySchemaFittedTo(limits: DeploymentLimits): typeof policySchema {
  const key = JSON.stringify([limits.evaluationTimeoutSeconds, limits.smokeTimeoutSeconds, limits.judgingBudgetSeconds]);
  let schema = fittedSchemas.get(key);
  if (!schema) fittedSchemas.set(key, (schema = policyObjectSchema.superRefine(policyRules(limits))));
  return schema;
}

/**
 * A `logs` signal judges minute by minute, per request of the `requestsFrom` count metric: it must name
 * one, on minute periods, in a bake that runs (the log signal is read by the bake's ticks only).
 */
function logsSignalIssues(policy: { logs?: { requestsFrom: string }; metrics: ReadonlyArray<{ name: string; kind: string }>; bake: { period: unknown; enabled?: boolean } }): Array<{ path: Array<string | number>; message: string }> {
  const issues: Array<{ path: Array<string | number>; message: string }> = [];
  const requestsFrom = policy.logs!.requestsFrom;
  const source = policy.metrics.find((metric) => metric.name === requestsFrom);
  if (!source || source.kind !== 'count') {
    issues.push({ path: ['requestsFrom'], message: `expected the name of a count metric of this policy (its total = requests of each version); "${requestsFrom}" is ${source ? `a ${source.kind} metric` : 'not a metric of this policy'}` });
  }
  if (policy.bake.enabled === false) issues.push({ path: [], message: 'the log signal is read by the bake, which this policy disables (bake.enabled: false); remove `logs` or enable the bake' });
  if (typeof policy.bake.period === 'number' && policy.bake.period !== 60) {
    issues.push({ path: [], message: `the log signal counts lines per minute against the requests of each bake period; set bake.period to 60s (it is ${policy.bake.period} s)` });
  }
  return issues;
}

/** Whether two metric sources read the same series (dimensions in any order). */
function sameSource(a: MetricSourceSpec, b: MetricSourceSpec): boolean {
  const key = (source: MetricSourceSpec) =>
    JSON.stringify('expression' in source ? source : { ...source, dimensions: Object.entries(source.dimensions).sort(([x], [y]) => x.localeCompare(y)) });
  return key(a) === key(b);
}

/**
 * A count metric's threshold compares a rate (count / total, between 0 and 1): `max ≥ 1` can never
 * be exceeded, and with `direction: decrease` a bound of 0 can never be undercut nor one above 1 met.
 */
function unreachableBound(metric: { kind: string; direction?: string; method: MethodSpec }): string | undefined {
  if (metric.kind !== 'count' || metric.method.type !== 'threshold' || metric.method.max === undefined) return undefined;
  const { max } = metric.method;
  if (metric.direction === 'decrease') {
    if (max <= 0) return `a count metric's rate is never below ${max}: this bound can never fail; give a rate between 0 and 1`;
    if (max > 1) return `a count metric's rate is never ${max} or more: every period would fail; give a rate between 0 and 1`;
    return undefined;
  }
  return max >= 1 ? `a count metric's rate is at most 1, never above ${max}: this bound can never fail; give a rate below 1 (0.05 = 5 %)` : undefined;
}

/** A policy as written in YAML/JSON or CDK props (defaults optional). */
export type PolicyInput = z.input<typeof policySchema>;
/** A validated policy: presets expanded, defaults applied. */
export type Policy = z.output<typeof policySchema>;
export type MetricDefinition = Policy['metrics'][number];
export type SmokeTest = Policy['smokeTests'][number];
export type HttpSmokeTest = Extract<SmokeTest, { type: 'http' }>;
export type LambdaSmokeTest = Extract<SmokeTest, { type: 'lambda' }>;
