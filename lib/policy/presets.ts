import { z } from 'zod';
import { priceOverrideSchema, type PriceOverride } from './prices';
import { mannWhitneyMethodSchema, type MethodSpec, type MetricStat, type Versioning } from './metric';

/** What a preset expands to: the queries, the kind and the harmful direction. */
export type PresetExpansion =
  | { kind: 'count'; count: MetricStat; total: MetricStat; countInTotal?: boolean; versioning: Versioning; direction: 'increase' | 'decrease' }
  | { kind: 'gauge'; value: MetricStat; versioning: Versioning; direction: 'increase' | 'decrease'; method?: MethodSpec }
  | {
      kind: 'cost';
      model: string;
      prices?: PriceOverride;
      requests: MetricStat;
      tokens: { input: MetricStat; output: MetricStat; cacheRead?: MetricStat; cacheWrite?: MetricStat; reasoning?: MetricStat };
      inputIncludesCache?: boolean;
      versioning: Versioning;
      direction: 'increase' | 'decrease';
    };

const LAMBDA_ALIAS: Versioning = { type: 'lambda-alias' };
const ALB_TARGET_GROUP: Versioning = { type: 'alb-target-group' };
const stat = (namespace: string, metricName: string, statistic = 'Sum', dimensions: Record<string, string> = {}): MetricStat => ({
  namespace,
  metricName,
  stat: statistic,
  dimensions,
});

/**
 * `TC(t:)`: CloudWatch's trimmed count, the number of samples above `t` in the period: a range's lower
 * bound is exclusive, its upper bound inclusive (CloudWatch User Guide, "Statistics definitions"). A latency
 * threshold turns "the tail got slower" into a count of slow requests, judged like an error count.
 */
const slowerThan = (threshold: number) => `TC(${threshold}:)`;

const thresholdMs = z
  .number()
  .positive()
  .describe('Requests slower than this duration (milliseconds; strictly above it, as CloudWatch TC(t:) counts) count as slow. Fix it before looking at canary data: an SLO bound or the pre-deployment p99.');
const thresholdSeconds = z
  .number()
  .positive()
  .describe('Requests whose target response time is above this many seconds (strictly, as CloudWatch TC(t:) counts) count as slow. Fix it before looking at canary data.');
const appNamespace = z.string().min(1).describe('CloudWatch namespace of the application metrics (e.g. the EMF namespace).');
const modelId = z
  .string()
  .min(1)
  .describe('Bedrock model id or inference profile (e.g. `us.anthropic.claude-sonnet-4-20250514-v1:0`), published by the application as the `ModelId` dimension; priced by the catalog (lib/policy/prices).');
const prices = priceOverrideSchema.optional().describe('Prices replacing the catalog\'s for this model (USD per million tokens, with the date they hold from).');
const versionDimension = z
  .string()
  .min(1)
  .default('Version')
  .describe('Dimension carrying the application version (`service.version` for OpenTelemetry-exported metrics).');

/** OpenTelemetry GenAI semantic conventions (metrics): https://opentelemetry.io/docs/specs/semconv/gen-ai/gen-ai-metrics/ */
export const OTEL_GENAI = {
  tokenUsage: 'gen_ai.client.token.usage',
  operationDuration: 'gen_ai.client.operation.duration',
  tokenType: 'gen_ai.token.type',
  requestModel: 'gen_ai.request.model',
  serviceVersion: 'service.version',
} as const;

/**
 * The values of `gen_ai.token.type` each token type may be written with, first the default. The
 * semantic-conventions registry (model/gen-ai/registry.yaml) lists `input` and `output`, with
 * `completion` deprecated and renamed to `output`. Cache and reasoning tokens are not token types there:
 * the registry counts them in the usage attributes `gen_ai.usage.cache_read.input_tokens` and
 * `gen_ai.usage.cache_creation.input_tokens` ("SHOULD be included in `gen_ai.usage.input_tokens`"), and
 * instrumentations that split the token histogram by them name the type after those attributes
 * (`cache_read`, `cache_creation`) or after other drafts' names (`cache_write`, from
 * `gen_ai.usage.cache_write.input_tokens`; `reasoning`, from `gen_ai.usage.reasoning.output_tokens`).
 * A name outside these lists is refused: a misspelt type would read no data and price nothing.
 */
export const OTEL_TOKEN_TYPE_VALUES = {
  input: ['input'],
  output: ['output', 'completion'],
  cacheRead: ['cache_read'],
  cacheWrite: ['cache_creation', 'cache_write'],
  reasoning: ['reasoning'],
} as const;

/**
 * Claude Code's own OpenTelemetry metrics (Claude Code docs, "Monitoring",
 * https://code.claude.com/docs/en/monitoring-usage): `claude_code.token.usage` (tokens, a counter)
 * with attribute `type` = `input` | `output` | `cacheRead` | `cacheCreation` and `model`;
 * `claude_code.cost.usage` (USD, Claude Code's own estimate, by `model`); `claude_code.session.count`
 * (sessions started: one per `claude -p` run of a pipeline). Claude Code's `input` excludes cached
 * tokens (the Anthropic API's `input_tokens`), so nothing is subtracted. The docs say nothing of
 * CloudWatch: the names and dimensions here assume the ADOT / OpenTelemetry Collector `awsemf`
 * exporter, which keeps the metric name and makes each kept attribute a dimension (docs/cost.md).
 */
export const CLAUDE_CODE_OTEL = {
  tokenUsage: 'claude_code.token.usage',
  costUsage: 'claude_code.cost.usage',
  sessionCount: 'claude_code.session.count',
  tokenType: 'type',
  model: 'model',
  tokenTypeValues: { input: 'input', output: 'output', cacheRead: 'cacheRead', cacheWrite: 'cacheCreation' },
} as const;

const tokenTypeValue = <T extends readonly [string, ...string[]]>(values: T, what: string) =>
  z.enum(values).describe(`\`gen_ai.token.type\` value of ${what}: ${values.map((value) => `\`${value}\``).join(' or ')}.`);
const otelTokenTypes = z
  .strictObject({
    input: tokenTypeValue(OTEL_TOKEN_TYPE_VALUES.input, 'input tokens').default('input'),
    output: tokenTypeValue(OTEL_TOKEN_TYPE_VALUES.output, 'output tokens (`completion` is the deprecated spelling)').default('output'),
    cacheRead: tokenTypeValue(OTEL_TOKEN_TYPE_VALUES.cacheRead, 'tokens read from the prompt cache').optional(),
    cacheWrite: tokenTypeValue(OTEL_TOKEN_TYPE_VALUES.cacheWrite, 'tokens written to the prompt cache (drafts differ)').optional(),
    reasoning: tokenTypeValue(OTEL_TOKEN_TYPE_VALUES.reasoning, 'reasoning tokens (a part of output, shown, not priced twice)').optional(),
  })
  .default({ input: 'input', output: 'output' })
  .describe('The `gen_ai.token.type` values the exporter writes. Cache types are priced at their own prices once given; without them all input is priced as input.');

const otelNamespace = z.string().min(1).describe('CloudWatch namespace the OpenTelemetry exporter writes to (awsemfexporter `namespace`).');
const sharedDimensions = z
  .record(z.string(), z.string())
  .default({})
  .describe('Further dimensions of the exported dimension set, shared by both versions (e.g. `gen_ai.operation.name: chat`).');

/**
 * Agent-quality gauges: a drop is the harm (a release that reasons less, reads fewer files before an
 * edit, or calls fewer tools per task often fails users later). Judged canary vs baseline by
 * Mann–Whitney with `direction: decrease`, 10 % tolerated.
 */
// Parsed, so the method's other defaults (autocorrelation, history) come from its schema.
const AGENT_DROP_METHOD: MethodSpec = mannWhitneyMethodSchema.parse({ type: 'mann-whitney', tolerance: 0.1, minSamples: 10 });
const agentGauge = (defaultMetricName: string, what: string) => ({
  namespace: appNamespace,
  metricName: z.string().min(1).default(defaultMetricName).describe(`Name of the application metric: ${what}, one value per unit of work.`),
  statistic: z.string().min(1).default('p50').describe('Statistic per period: `p50` (the median unit of work) by default.'),
  versionDimension,
  dimensions: sharedDimensions,
});

/**
 * Agent behaviour judged per unit of work, not per minute: the agent publishes every turn's (or edit's)
 * value raw (EMF), and the preset counts the units at or below a bound, `TC(:atMost)` over `SampleCount`
 * of the same metric — CloudWatch's trimmed count includes a range's upper end (CloudWatch User Guide,
 * "CloudWatch statistics definitions"; percentiles and range statistics of a custom metric need the raw
 * values, not statistic sets). A drop shows as a larger share of low units, judged canary vs baseline by
 * the count tests (a binomial per unit), which stay valid and have the power of every unit rather than of
 * one median per minute (docs/benchmark.md, "Agent behaviour").
 */
/** How a bound is written inside a CloudWatch statistic such as `TC(:400)`: digits, no exponent. */
const PLAIN_DECIMAL = /^\d+(?:\.\d{1,10})?$/;
const agentLowShare = (defaultMetricName: string, what: string, atMost: z.ZodType<number>) => ({
  namespace: appNamespace,
  metricName: z.string().min(1).default(defaultMetricName).describe(`Name of the application metric: ${what}, one raw value per unit of work (EMF), with the version dimension.`),
  atMost,
  versionDimension,
  dimensions: sharedDimensions,
});

/**
 * The parameters of each preset (beyond `name`, `critical`, `method`). A preset without
 * parameters has an empty shape.
 */
export const PRESET_PARAMETERS = {
  'lambda-error-rate': {},
  'lambda-throttle-rate': {},
  'lambda-p99-duration': {},
  'lambda-slow-requests': { thresholdMs },
  'alb-5xx-rate': {},
  'alb-slow-requests': { thresholdSeconds },
  'bedrock-cost-per-request': {
    namespace: appNamespace,
    modelId,
    prices,
    versionDimension,
    tokenMetricNames: z
      .strictObject({
        input: z.string().min(1).default('InputTokenCount'),
        output: z.string().min(1).default('OutputTokenCount'),
        cacheRead: z.string().min(1).default('CacheReadInputTokenCount'),
        cacheWrite: z.string().min(1).default('CacheWriteInputTokenCount'),
      })
      .default({ input: 'InputTokenCount', output: 'OutputTokenCount', cacheRead: 'CacheReadInputTokenCount', cacheWrite: 'CacheWriteInputTokenCount' })
      .describe('Names of the application token metrics (defaults mirror AWS/Bedrock).'),
    requestMetricName: z.string().min(1).default('Invocations').describe('Name of the application request-count metric.'),
  },
  'otel-genai-cost-per-request': {
    namespace: otelNamespace,
    modelId,
    prices,
    versionDimension: z
      .string()
      .min(1)
      .default(OTEL_GENAI.serviceVersion)
      .describe('Dimension carrying the version: the `service.version` resource attribute (awsemfexporter `resource_to_telemetry_conversion: enabled`).'),
    modelDimension: z.string().min(1).default(OTEL_GENAI.requestModel).describe('Attribute naming the model (`gen_ai.request.model`).'),
    tokenTypes: otelTokenTypes,
    inputIncludesCache: z
      .boolean()
      .default(true)
      .describe('Whether the `input` type already counts cache reads and writes (the convention: `gen_ai.usage.input_tokens` SHOULD include them); they are taken out of it before pricing.'),
    dimensions: sharedDimensions,
  },
  'claude-code-cost-per-session': {
    namespace: otelNamespace,
    modelId: z
      .string()
      .min(1)
      .describe('The `model` attribute of Claude Code\'s metrics (e.g. `claude-sonnet-4-5-20250929`, or a Bedrock id with `CLAUDE_CODE_USE_BEDROCK`); priced by the catalog (lib/policy/prices).'),
    prices,
    versionDimension: z
      .string()
      .min(1)
      .default('pipeline.version')
      .describe('Dimension carrying the version of the pipeline, set by the pipeline as `OTEL_RESOURCE_ATTRIBUTES=pipeline.version=…` (Claude Code copies resource attributes onto its metrics; `app.version` is Claude Code\'s own version, not the pipeline\'s).'),
    dimensions: sharedDimensions,
  },
  'agent-reasoning-length': agentLowShare(
    'ReasoningTokensPerTurn',
    'reasoning tokens per turn',
    z
      .number()
      .positive('expected a number of reasoning tokens > 0')
      .finite()
      .refine((bound) => PLAIN_DECIMAL.test(String(bound)), 'expected a plain decimal number with at most 10 decimal places, as a CloudWatch statistic bound is written (e.g. 400 or 0.5)')
      .describe('A turn with at most this many reasoning tokens counts as short (CloudWatch `TC(:atMost)` includes the bound). Fix it before looking at canary data, e.g. half the median turn before the deployment.'),
  ),
  'agent-files-read-before-edit': agentLowShare(
    'FilesReadBeforeEdit',
    'files read before each edit',
    z
      .number()
      .int('expected a whole number of files (e.g. 1)')
      .nonnegative('expected a number of files ≥ 0 (0 counts edits made without reading a file)')
      .describe('An edit made after reading at most this many files counts as under-informed (CloudWatch `TC(:atMost)` includes the bound; 0 counts edits made without reading a file). Fix it before looking at canary data, e.g. half the median before the deployment.'),
  ),
  'agent-tool-calls-per-task': agentGauge('ToolCallsPerTask', 'tool calls per task'),
} as const;

export type PresetName = keyof typeof PRESET_PARAMETERS;
export const PRESET_NAMES = Object.keys(PRESET_PARAMETERS) as [PresetName, ...PresetName[]];

type Params<N extends PresetName> = z.output<z.ZodObject<(typeof PRESET_PARAMETERS)[N]>>;

const EXPANSIONS: { [N in PresetName]: (params: Params<N>) => PresetExpansion } = {
  /** Errors per invocation of each Lambda version (through the alias, `ExecutedVersion`). */
  'lambda-error-rate': () => ({ kind: 'count', count: stat('AWS/Lambda', 'Errors'), total: stat('AWS/Lambda', 'Invocations'), versioning: LAMBDA_ALIAS, direction: 'increase' }),
  /**
   * Throttled share of the requests to each Lambda version: `Throttles / (Invocations + Throttles)`.
   * Throttled requests are not counted in `Invocations` (Lambda Developer Guide, "Types of metrics for
   * Lambda functions"), so `Throttles / Invocations` could exceed 1.
   */
  'lambda-throttle-rate': () => ({
    kind: 'count',
    count: stat('AWS/Lambda', 'Throttles'),
    total: stat('AWS/Lambda', 'Invocations'),
    countInTotal: false,
    versioning: LAMBDA_ALIAS,
    direction: 'increase',
  }),
  /** p99 of Lambda Duration per period, in milliseconds. */
  'lambda-p99-duration': () => ({ kind: 'gauge', value: stat('AWS/Lambda', 'Duration', 'p99'), versioning: LAMBDA_ALIAS, direction: 'increase' }),
  /** Invocations slower than `thresholdMs` (strictly above it, as `TC(t:)` counts) per invocation. */
  'lambda-slow-requests': ({ thresholdMs }) => ({
    kind: 'count',
    count: stat('AWS/Lambda', 'Duration', slowerThan(thresholdMs)),
    total: stat('AWS/Lambda', 'Invocations'),
    versioning: LAMBDA_ALIAS,
    direction: 'increase',
  }),
  /** Target 5xx responses per request of each target group (ECS blue/green). */
  'alb-5xx-rate': () => ({
    kind: 'count',
    count: stat('AWS/ApplicationELB', 'HTTPCode_Target_5XX_Count'),
    total: stat('AWS/ApplicationELB', 'RequestCount'),
    versioning: ALB_TARGET_GROUP,
    direction: 'increase',
  }),
  /** Requests with a target response time above (strictly) `thresholdSeconds`, per request. */
  'alb-slow-requests': ({ thresholdSeconds }) => ({
    kind: 'count',
    count: stat('AWS/ApplicationELB', 'TargetResponseTime', slowerThan(thresholdSeconds)),
    total: stat('AWS/ApplicationELB', 'RequestCount'),
    versioning: ALB_TARGET_GROUP,
    direction: 'increase',
  }),
  /**
   * Tokens per request of one model, from the application's own metrics: `AWS/Bedrock` publishes
   * tokens by `ModelId` only, with no version, so canary and baseline cannot be told apart there.
   */
  /**
   * Token spend per request, priced by the offline price table: the application's own token and request
   * metrics (AWS/Bedrock has no version dimension), judged by the `cost` method.
   */
  'bedrock-cost-per-request': (params) => {
    const dimensions = { ModelId: params.modelId };
    const names = params.tokenMetricNames;
    return {
      kind: 'cost',
      model: params.modelId,
      prices: params.prices,
      requests: stat(params.namespace, params.requestMetricName, 'Sum', dimensions),
      tokens: {
        input: stat(params.namespace, names.input, 'Sum', dimensions),
        output: stat(params.namespace, names.output, 'Sum', dimensions),
        cacheRead: stat(params.namespace, names.cacheRead, 'Sum', dimensions),
        cacheWrite: stat(params.namespace, names.cacheWrite, 'Sum', dimensions),
      },
      versioning: { type: 'dimension', dimension: params.versionDimension },
      direction: 'increase',
    };
  },
  /**
   * Token spend per request from OpenTelemetry GenAI metrics as the CloudWatch EMF exporter writes them:
   * `gen_ai.client.token.usage` (a histogram; its Sum is the tokens of the period) split by
   * `gen_ai.token.type` = `input` / `output`, and the request count as the SampleCount of
   * `gen_ai.client.operation.duration` (one data point per operation). Every attribute of a data point
   * becomes a dimension, so the queries name the whole dimension set the exporter is told to keep
   * (docs/cost.md gives the `metric_declarations`). The convention counts cached tokens inside `input`;
   * with `tokenTypes.cacheRead`/`cacheWrite` given they are taken out of it and priced at their own
   * prices, else all input is priced at the input price.
   */
  'otel-genai-cost-per-request': (params) => {
    const dimensions = { ...params.dimensions, [params.modelDimension]: params.modelId };
    const tokens = (type: string | undefined) => (type === undefined ? undefined : stat(params.namespace, OTEL_GENAI.tokenUsage, 'Sum', { ...dimensions, [OTEL_GENAI.tokenType]: type }));
    const types = params.tokenTypes;
    return {
      kind: 'cost',
      model: params.modelId,
      prices: params.prices,
      requests: stat(params.namespace, OTEL_GENAI.operationDuration, 'SampleCount', dimensions),
      tokens: { input: tokens(types.input)!, output: tokens(types.output)!, cacheRead: tokens(types.cacheRead), cacheWrite: tokens(types.cacheWrite), reasoning: tokens(types.reasoning) },
      // Only cache types that are read can be taken out of input.
      inputIncludesCache: params.inputIncludesCache && (types.cacheRead !== undefined || types.cacheWrite !== undefined),
      versioning: { type: 'dimension', dimension: params.versionDimension },
      direction: 'increase',
    };
  },
  /**
   * Token spend per Claude Code session (one pipeline run), canary pipeline version vs baseline, from
   * Claude Code's own OpenTelemetry metrics (CLAUDE_CODE_OTEL). Each token type is priced on its own,
   * so a pipeline release that loses the prompt cache shows as cacheRead → input.
   */
  'claude-code-cost-per-session': (params) => {
    const dimensions = { ...params.dimensions, [CLAUDE_CODE_OTEL.model]: params.modelId };
    const tokens = (type: string) => stat(params.namespace, CLAUDE_CODE_OTEL.tokenUsage, 'Sum', { ...dimensions, [CLAUDE_CODE_OTEL.tokenType]: type });
    const types = CLAUDE_CODE_OTEL.tokenTypeValues;
    return {
      kind: 'cost',
      model: params.modelId,
      prices: params.prices,
      // `claude_code.session.count` carries no `model` attribute: only the shared dimensions.
      requests: stat(params.namespace, CLAUDE_CODE_OTEL.sessionCount, 'Sum', params.dimensions),
      tokens: { input: tokens(types.input), output: tokens(types.output), cacheRead: tokens(types.cacheRead), cacheWrite: tokens(types.cacheWrite) },
      inputIncludesCache: false,
      versioning: { type: 'dimension', dimension: params.versionDimension },
      direction: 'increase',
    };
  },
  'agent-reasoning-length': (params) => agentLowShareExpansion(params),
  'agent-files-read-before-edit': (params) => agentLowShareExpansion(params),
  'agent-tool-calls-per-task': (params) => agentExpansion(params),
};

function agentExpansion(params: { namespace: string; metricName: string; statistic: string; versionDimension: string; dimensions: Record<string, string> }): PresetExpansion {
  return {
    kind: 'gauge',
    value: stat(params.namespace, params.metricName, params.statistic, params.dimensions),
    versioning: { type: 'dimension', dimension: params.versionDimension },
    direction: 'decrease',
    method: AGENT_DROP_METHOD,
  };
}

/** Units of work at or below `atMost` per unit of work: the harm is a larger share (a drop of the values). */
function agentLowShareExpansion(params: { namespace: string; metricName: string; atMost: number; versionDimension: string; dimensions: Record<string, string> }): PresetExpansion {
  return {
    kind: 'count',
    count: stat(params.namespace, params.metricName, `TC(:${params.atMost})`, params.dimensions),
    total: stat(params.namespace, params.metricName, 'SampleCount', params.dimensions),
    versioning: { type: 'dimension', dimension: params.versionDimension },
    direction: 'increase',
  };
}

/** The zod shape of each preset metric, given the fields every metric accepts. */
export function presetMetricSchema<Common extends z.ZodRawShape>(common: Common) {
  const members = PRESET_NAMES.map((name) => z.strictObject({ ...common, preset: z.literal(name), ...PRESET_PARAMETERS[name] }));
  return z.discriminatedUnion('preset', members as unknown as [(typeof members)[number], ...(typeof members)[number][]], {
    error: () => `Invalid option: expected one of ${PRESET_NAMES.map((name) => `"${name}"`).join('|')}`,
  });
}

/** Expands a validated preset metric into its queries. */
export function expandPreset(metric: { preset: PresetName } & Record<string, unknown>): PresetExpansion {
  return (EXPANSIONS[metric.preset] as (params: unknown) => PresetExpansion)(metric);
}
