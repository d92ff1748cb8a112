import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { documentLoaders } from '../policy/documents';
import { formatIssues } from '../policy/parse';
import { budgetSchema } from '../policy/schema';

/**
 * A simulation scenario: the traffic, the behaviour of the current version (baseline, version
 * "1") and the regressions injected into the new version (canary, version "2") during one
 * CodeDeploy traffic shift. Field-by-field documentation: docs/scenarios.md.
 *
 * Minutes are counted from the start of the deployment (minute 0 = `startTime`).
 */

/** The default start: a fixed Monday morning, so runs without a `startTime` are reproducible. */
export const DEFAULT_START_TIME = '2025-01-06T10:00:00Z';
export const BASELINE_VERSION = '1';
export const CANARY_VERSION = '2';
/** Where the scenario library lives (top-level `scenarios/`). */
export const SCENARIOS_DIR = join(__dirname, '..', '..', 'scenarios');

const minuteSchema = z.number().int().nonnegative();
const rateSchema = z.number().min(0).max(1);
const percentSchema = z.number().gt(0).lt(100);

const startTimeSchema = z
  .string()
  .refine((text) => !Number.isNaN(Date.parse(text)), 'expected an ISO 8601 date-time such as "2025-01-06T10:00:00Z"')
  .refine((text) => Date.parse(text) % 60_000 === 0, 'expected a whole minute (seconds and milliseconds 0): CloudWatch periods start on the minute');

const targetSchema = z.strictObject({
  /** Lambda function name used in `FunctionName` and `Resource` dimensions. @default simulated-function */
  functionName: z.string().min(1).default('simulated-function'),
  /** The alias CodeDeploy shifts (`Resource: <fn>:<alias>`). @default live */
  alias: z.string().min(1).default('live'),
  /** Namespace of the application's token metrics (EMF), which carry a `Version` dimension. @default SimulatedApp */
  applicationNamespace: z.string().min(1).default('SimulatedApp'),
  /**
   * Which token metrics the service publishes: `application` (EMF `InputTokenCount`… with `Version` and
   * `ModelId`, judged as `cost-per-request`), or `claude-code` (Claude Code's own OpenTelemetry metrics as
   * the awsemf exporter writes them, `claude_code.token.usage` by `type` and `claude_code.session.count`
   * by `pipeline.version`, judged by the `claude-code-cost-per-session` preset). @default application
   */
  tokenMetrics: z.enum(['application', 'claude-code']).default('application'),
});

const trafficSchema = z.strictObject({
  /** Mean requests per minute over both versions (Poisson arrivals). */
  requestsPerMinute: z.number().nonnegative(),
  /**
   * Daily shape: the rate is multiplied by 1 + amplitude·cos(2π(hour − peakHourUtc)/24).
   * @default - flat traffic
   */
  daily: z
    .strictObject({
      amplitude: z.number().min(0).lt(1),
      peakHourUtc: z.number().min(0).lt(24),
    })
    .optional(),
});

/** The CodeDeploy deployment configuration: which share of traffic the new version gets, minute by minute. */
const scheduleSchema = z.discriminatedUnion('type', [
  /** `Canary10Percent15Minutes`: `percent` for `minutes`, then 100 %. */
  z.strictObject({ type: z.literal('canary'), percent: percentSchema, minutes: z.number().int().positive() }),
  /** `Linear10PercentEvery3Minutes`: `percent` more every `everyMinutes`, starting at `percent`. */
  z.strictObject({ type: z.literal('linear'), percent: percentSchema, everyMinutes: z.number().int().positive() }),
  /** `AllAtOnce`: 100 % from minute 0. */
  z.strictObject({ type: z.literal('all-at-once') }),
]);

const tokensSchema = z.strictObject({
  /** Mean tokens per request, by type. */
  input: z.number().nonnegative(),
  output: z.number().nonnegative(),
  cacheRead: z.number().nonnegative().default(0),
  cacheWrite: z.number().nonnegative().default(0),
  /** Coefficient of variation of one request's token count (gamma distributed). @default 1 */
  cv: z.number().positive().default(1),
});

const baselineSchema = z
  .strictObject({
    /** Probability that a request fails. */
    errorRate: rateSchema,
    /** Lognormal latency, given by its median and its 99th percentile. */
    latency: z.strictObject({ medianMs: z.number().positive(), p99Ms: z.number().positive() }),
    /** @default - 1,000 input and 300 output tokens per request */
    tokens: tokensSchema.default({ input: 1000, output: 300, cacheRead: 0, cacheWrite: 0, cv: 1 }),
    /** Bedrock model id, the `ModelId` dimension of token metrics. */
    modelId: z.string().min(1).default('anthropic.claude-3-5-haiku-20241022-v1:0'),
    /**
     * An agent pipeline's behaviour, one value per unit of work, published raw (EMF) with a `Version`
     * dimension so CloudWatch can answer percentiles, `TC` and `PR` on it: reasoning tokens per turn
     * (`ReasoningTokensPerTurn`, lognormal around `reasoningTokensPerTurn` with sd `sigma` in log) and
     * files read before each edit (`FilesReadBeforeEdit`, Poisson with mean `filesReadBeforeEdit`), one
     * turn and one edit per request.
     * @default - not published
     */
    agent: z
      .strictObject({
        reasoningTokensPerTurn: z.number().positive().optional(),
        sigma: z.number().positive().default(0.5),
        filesReadBeforeEdit: z.number().positive().optional(),
      })
      .refine((agent) => agent.reasoningTokensPerTurn !== undefined || agent.filesReadBeforeEdit !== undefined, {
        message: 'an agent publishes `reasoningTokensPerTurn`, `filesReadBeforeEdit` or both',
      })
      .optional(),
  })
  .refine((baseline) => baseline.latency.p99Ms > baseline.latency.medianMs, {
    message: 'latency.p99Ms must be greater than latency.medianMs',
    path: ['latency', 'p99Ms'],
  });

/** When a regression is active: [fromMinute, untilMinute). */
const windowFields = {
  fromMinute: minuteSchema,
  /** @default - until the end of the scenario */
  untilMinute: minuteSchema.optional(),
};

const TOKEN_TYPES = ['input', 'output', 'cacheRead', 'cacheWrite'] as const;
export type TokenType = (typeof TOKEN_TYPES)[number];

/** A change of the canary's behaviour. Regressions never touch the baseline. */
const regressionSchema = z.discriminatedUnion('metric', [
  z.strictObject({
    metric: z.literal('errors'),
    /** Multiplies the canary's error rate (capped at 1). */
    factor: z.number().nonnegative(),
    ...windowFields,
  }),
  z
    .strictObject({
      metric: z.literal('latency'),
      /** Multiplies every canary request's latency. */
      factor: z.number().positive().optional(),
      /** Adds to every canary request's latency. */
      addedMs: z.number().positive().optional(),
      /** Widens the tail: p99 grows by this much, the median stays (the lognormal's sigma grows). */
      p99AddedMs: z.number().positive().optional(),
      ...windowFields,
    })
    .refine((regression) => regression.factor !== undefined || regression.addedMs !== undefined || regression.p99AddedMs !== undefined, {
      message: 'a latency regression needs `factor`, `addedMs` or `p99AddedMs`',
    }),
  z.strictObject({
    metric: z.literal('tokens'),
    /** Multiplies the canary's mean tokens per request. */
    factor: z.number().nonnegative(),
    /** Which token types. @default all four */
    tokenTypes: z.array(z.enum(TOKEN_TYPES)).min(1).default([...TOKEN_TYPES]),
    ...windowFields,
  }),
  z.strictObject({
    metric: z.literal('cache-miss'),
    /** Share of the cache-read tokens sent uncached (billed as input) instead: total tokens are unchanged. */
    missFraction: z.number().gt(0).max(1),
    ...windowFields,
  }),
  z.strictObject({
    metric: z.literal('reasoning'),
    /** Multiplies the canary's reasoning tokens per turn (needs `baseline.agent`). */
    factor: z.number().positive(),
    ...windowFields,
  }),
  z.strictObject({
    metric: z.literal('files-read'),
    /** Multiplies the canary's mean files read before each edit (needs `baseline.agent.filesReadBeforeEdit`). */
    factor: z.number().positive(),
    ...windowFields,
  }),
]);

/** A common-mode incident (a dependency failing): it hits both versions alike. */
const incidentSchema = z.strictObject({
  fromMinute: minuteSchema,
  minutes: z.number().int().positive(),
  /** Multiplies both versions' error rate. @default 1 */
  errorRateFactor: z.number().nonnegative().default(1),
  /** Multiplies both versions' latency. @default 1 */
  latencyFactor: z.number().positive().default(1),
});

const burstinessSchema = z.strictObject({
  /**
   * Variance of a per-minute Gamma(mean 1) multiplier on the error rate: error counts become
   * gamma-Poisson (negative binomial) instead of binomial. 0 = none. @default 0
   */
  overdispersion: z.number().nonnegative().default(0),
  /**
   * `shared`: one multiplier per minute for both versions (bursts from a common cause, which a
   * test conditioning on the total cancels); `per-version`: independent multipliers.
   * @default shared
   */
  overdispersionScope: z.enum(['shared', 'per-version']).default('shared'),
  incidents: z.array(incidentSchema).default([]),
});

export const scenarioSchema = z
  .strictObject({
    /** Short identifier, used in reports. */
    name: z.string().regex(/^[a-z0-9][a-z0-9-]{0,63}$/, 'expected lowercase letters, digits and "-" (at most 64)'),
    description: z.string().default(''),
    /** Seed of every random draw: the same seed gives the same series. */
    seed: z.number().int().min(0).max(0xffffffff),
    durationMinutes: z.number().int().positive().max(24 * 60),
    /** Deployment start, ISO 8601, on a whole minute. @default 2025-01-06T10:00:00Z */
    startTime: startTimeSchema.default(DEFAULT_START_TIME),
    target: targetSchema.default({ functionName: 'simulated-function', alias: 'live', applicationNamespace: 'SimulatedApp', tokenMetrics: 'application' }),
    traffic: trafficSchema,
    /** @default canary 10 % for 15 minutes */
    schedule: scheduleSchema.default({ type: 'canary', percent: 10, minutes: 15 }),
    baseline: baselineSchema,
    regressions: z.array(regressionSchema).default([]),
    burstiness: burstinessSchema.default({ overdispersion: 0, overdispersionScope: 'shared', incidents: [] }),
    /** Datapoints of minute m become visible at minute m + 1 + metricLagMinutes. @default 2 */
    metricLagMinutes: z.number().int().nonnegative().default(2),
    /** Latency above which a request counts as slow (latency as counts). @default 1000 */
    slowThresholdMs: z.number().positive().default(1000),
    /** A spend budget for the policy (`budget` of the policy, docs/policy-reference.md). @default - none */
    budget: budgetSchema.optional(),
    /**
     * The new version's log lines (issue 26): with it the simulation's policy has a `logs` signal and a
     * 10-minute bake, and after the canary watch the bake hook (`AfterAllowTraffic`) runs on a simulated
     * Logs Insights (lib/simulate/logs). @default - no log signal, no bake
     */
    logs: z
      .strictObject({
        /** Share of the new version's requests that log a new exception. @default 0 */
        newExceptionRate: rateSchema.default(0),
        /** New info/warning lines the new version adds (a healthy change). @default 0 */
        newBenignLines: z.number().int().nonnegative().default(0),
      })
      .optional(),
  })
  .superRefine((scenario, ctx) => {
    const end = scenario.durationMinutes;
    const checkWindow = (path: PropertyKey[], from: number, until: number | undefined) => {
      if (from >= end) {
        ctx.addIssue({ code: 'custom', path: [...path, 'fromMinute'], message: `fromMinute ${from} is not before the end of the scenario (durationMinutes ${end})` });
      }
      if (until !== undefined && until <= from) {
        ctx.addIssue({ code: 'custom', path: [...path, 'untilMinute'], message: `untilMinute ${until} must be after fromMinute ${from}` });
      }
    };
    scenario.regressions.forEach((regression, index) => {
      checkWindow(['regressions', index], regression.fromMinute, regression.untilMinute);
      if (regression.metric === 'reasoning' && scenario.baseline.agent?.reasoningTokensPerTurn === undefined) {
        ctx.addIssue({ code: 'custom', path: ['regressions', index, 'metric'], message: 'a reasoning regression needs `baseline.agent.reasoningTokensPerTurn`' });
      }
      if (regression.metric === 'files-read' && scenario.baseline.agent?.filesReadBeforeEdit === undefined) {
        ctx.addIssue({ code: 'custom', path: ['regressions', index, 'metric'], message: 'a files-read regression needs `baseline.agent.filesReadBeforeEdit`' });
      }
    });
    scenario.burstiness.incidents.forEach((incident, index) => checkWindow(['burstiness', 'incidents', index], incident.fromMinute, undefined));
    if (scenario.logs) {
      // The bake starts when the canary phase ends; its last minute must be visible before the scenario ends.
      const canaryPhase = comparableMinutes(scenario);
      const needed = canaryPhase + LOG_BAKE_MINUTES + scenario.metricLagMinutes + 1;
      if (end < needed) {
        ctx.addIssue({
          code: 'custom',
          path: ['durationMinutes'],
          message: `logs needs durationMinutes ≥ ${needed} (the canary phase's ${canaryPhase} min, the ${LOG_BAKE_MINUTES}-minute bake and ${scenario.metricLagMinutes + 1} min for its last minute to be visible); it is ${end}`,
        });
      }
    }
  });

/** A scenario as written in YAML (defaults optional). */
export type ScenarioInput = z.input<typeof scenarioSchema>;
/** A validated scenario with defaults applied. */
export type Scenario = z.output<typeof scenarioSchema>;
export type Schedule = Scenario['schedule'];
export type Regression = Scenario['regressions'][number];
export type Incident = Scenario['burstiness']['incidents'][number];

/** Thrown for a scenario that does not validate; `issues` are `path: message` lines. */
export class ScenarioError extends Error {
  constructor(
    readonly issues: readonly string[],
    readonly source = 'scenario',
  ) {
    super(`${source} is invalid:\n${issues.map((issue) => `  ${source}: ${issue}`).join('\n')}`);
    this.name = 'ScenarioError';
  }
}

/** Validates a scenario object and applies defaults; throws `ScenarioError` naming every bad path. */
export function parseScenario(input: unknown, source?: string): Scenario {
  const result = scenarioSchema.safeParse(input);
  if (!result.success) throw new ScenarioError(formatIssues(result.error), source);
  return result.data;
}

const scenarioLoaders = documentLoaders(parseScenario, (issues, source) => new ScenarioError(issues, source));

/** Parses YAML (or JSON) text into a scenario. */
export function parseScenarioText(text: string, source = 'scenario'): Scenario {
  return scenarioLoaders.parseText(text, source);
}

/** Reads and parses a scenario file. */
export function loadScenarioFile(path: string): Scenario {
  return scenarioLoaders.loadFile(path);
}

/** The `.yaml` files of a scenario folder, sorted by name. @default folder - the repository's `scenarios/` */
export function listScenarioFiles(folder = SCENARIOS_DIR): string[] {
  return readdirSync(folder)
    .filter((file) => file.endsWith('.yaml') || file.endsWith('.yml'))
    .sort()
    .map((file) => join(folder, file));
}

/** The canary's share of traffic (0..1) during minute `minute` of the deployment. */
export function canaryShareAt(schedule: Schedule, minute: number): number {
  switch (schedule.type) {
    case 'canary':
      return minute < schedule.minutes ? schedule.percent / 100 : 1;
    case 'linear':
      // CodeDeploy starts at `percent` and adds `percent` after each interval until 100 %.
      return Math.min(1, (schedule.percent / 100) * (Math.floor(minute / schedule.everyMinutes) + 1));
    case 'all-at-once':
      return 1;
  }
}

/** Whether minute `minute` falls in [fromMinute, untilMinute). */
export function isActive(window: { fromMinute: number; untilMinute?: number }, minute: number): boolean {
  return minute >= window.fromMinute && (window.untilMinute === undefined || minute < window.untilMinute);
}

/** The judged window when the scenario's schedule has no canary phase to judge. */
const DEFAULT_JUDGED_MINUTES = 10;

/** The bake of a scenario with `logs`, in minutes. */
export const LOG_BAKE_MINUTES = 10;

/**
 * Minutes during which both versions serve traffic, so canary and baseline can be compared at the
 * same time: the canary phase, or the linear steps before 100 %. Capped by the scenario's length.
 */
export function comparableMinutes(scenario: Scenario): number {
  const { schedule } = scenario;
  let minutes: number;
  switch (schedule.type) {
    case 'canary':
      minutes = schedule.minutes;
      break;
    case 'linear':
      minutes = (Math.ceil(100 / schedule.percent) - 1) * schedule.everyMinutes;
      break;
    case 'all-at-once':
      minutes = 0;
      break;
  }
  if (minutes <= 0) minutes = DEFAULT_JUDGED_MINUTES;
  return Math.min(minutes, scenario.durationMinutes);
}
