import { parsePolicy, type Policy, type PolicyInput } from '../policy';
import { LOG_BAKE_MINUTES, comparableMinutes, type Scenario } from './scenario';

// Where they were defined before the scenario's own checks needed them; importers use either module.
export { LOG_BAKE_MINUTES, comparableMinutes };

/**
 * The policy the simulation judges a scenario with, written in one place so that switching
 * methods (e.g. to the sequential count test once it is the judge's default) is one edit here.
 *
 * Metrics: the demo service's error rate and p99, plus latency as counts — requests slower than
 * the scenario's `slowThresholdMs` (CloudWatch `TC(t:)` of Lambda `Duration`) per invocation —
 * which catches a tail regression that a per-minute p99 of ~100 canary requests is too noisy for.
 */

/**
 * How count metrics (errors, slow requests) are judged: the anytime-valid sequential rate test. The
 * simulated counts are Poisson given the shared level by construction, so the scenarios say so
 * (`dispersion: poisson`); the judge's default (`estimate`) would first wait for the data to show how
 * much the rates wander, deciding later at this traffic (docs/judge.md, "dispersion: estimate").
 */
export const COUNT_METHOD = { type: 'sequential', tolerance: 1.5, dispersion: 'poisson' } as const;

/** How token spend per request is judged: canary may cost up to 10 % more per request. */
export const COST_METHOD = { type: 'cost', tolerance: 0.1 } as const;

/** How the p99 gauge is judged; non-critical: a noisy per-minute p99 only informs. */
export const P99_METHOD = { type: 'threshold', maxRatioToBaseline: 1.5, failureLimit: 3 } as const;

/** Name of the latency-as-counts metric. */
export const SLOW_REQUESTS_METRIC = 'lambda-slow-requests';

/**
 * Token spend per request, from the application's own metrics with a Version dimension; for a Claude-based
 * pipeline run as a service (`target.tokenMetrics: claude-code`), spend per session from Claude Code's own
 * OpenTelemetry metrics (the `claude-code-cost-per-session` preset).
 */
function costMetric(scenario: Scenario): NonNullable<PolicyInput['metrics']>[number] {
  const namespace = scenario.target.applicationNamespace;
  if (scenario.target.tokenMetrics === 'claude-code') return { preset: 'claude-code-cost-per-session', namespace, modelId: scenario.baseline.modelId, method: COST_METHOD };
  return {
    name: 'cost-per-request',
    kind: 'cost',
    model: scenario.baseline.modelId,
    requests: { namespace, metricName: 'Invocations' },
    tokens: {
      input: { namespace, metricName: 'InputTokenCount' },
      output: { namespace, metricName: 'OutputTokenCount' },
      cacheRead: { namespace, metricName: 'CacheReadInputTokenCount' },
      cacheWrite: { namespace, metricName: 'CacheWriteInputTokenCount' },
    },
    versioning: { type: 'dimension', dimension: 'Version' },
    method: COST_METHOD,
  };
}

/**
 * The bounds of the agent presets: half the baseline's median per turn (rounded down), what an operator
 * would read off the dashboard before the deployment. A halved median then puts half the canary's turns
 * at or below the bound, where the baseline has a few (Φ(−log 2 / σ) = 8 % of turns at σ = 0.5).
 */
export function agentBounds(scenario: Scenario): { readonly reasoningTokens?: number; readonly filesRead?: number } {
  const agent = scenario.baseline.agent;
  if (!agent) return {};
  return {
    ...(agent.reasoningTokensPerTurn !== undefined && { reasoningTokens: Math.max(1, Math.floor(agent.reasoningTokensPerTurn / 2)) }),
    ...(agent.filesReadBeforeEdit !== undefined && { filesRead: Math.floor(agent.filesReadBeforeEdit / 2) }),
  };
}

/** The agent presets a scenario's published agent metrics are judged with (count method as the other counts). */
export function agentMetrics(scenario: Scenario) {
  const bounds = agentBounds(scenario);
  const namespace = scenario.target.applicationNamespace;
  return [
    ...(bounds.reasoningTokens !== undefined ? [{ preset: 'agent-reasoning-length' as const, namespace, atMost: bounds.reasoningTokens, method: COUNT_METHOD }] : []),
    ...(bounds.filesRead !== undefined ? [{ preset: 'agent-files-read-before-edit' as const, namespace, atMost: bounds.filesRead, method: COUNT_METHOD }] : []),
  ];
}

/** The policy as written (YAML-equivalent), for display and for `parsePolicy`. */
export function scenarioPolicyInput(scenario: Scenario): PolicyInput {
  return {
    metrics: [
      { preset: 'lambda-error-rate', method: COUNT_METHOD },
      {
        name: SLOW_REQUESTS_METRIC,
        kind: 'count',
        count: { namespace: 'AWS/Lambda', metricName: 'Duration', stat: `TC(${scenario.slowThresholdMs}:)` },
        total: { namespace: 'AWS/Lambda', metricName: 'Invocations', stat: 'Sum' },
        versioning: { type: 'lambda-alias' },
        method: COUNT_METHOD,
      },
      { preset: 'lambda-p99-duration', critical: false, method: P99_METHOD },
      costMetric(scenario),
      // Agent pipelines: the share of short turns and of under-informed edits, judged per turn like a count.
      ...agentMetrics(scenario),
    ],
    // Watch the window in which both versions have traffic (after 100 % there is no baseline left),
    // and stop the deployment with rollback on a failing verdict.
    canaryWatch: { period: '60s', maxDuration: `${comparableMinutes(scenario)}m`, stopDeploymentOnFail: true },
    metricLag: '2m',
    ...(scenario.budget && { budget: scenario.budget }),
    // The log signal runs in the bake only (docs/logs.md): JSON lines carrying the version, as lib/simulate/logs writes them.
    ...(scenario.logs && {
      bake: { duration: `${LOG_BAKE_MINUTES}m`, period: '60s' },
      logs: {
        logGroups: [`/aws/lambda/${scenario.target.functionName}`],
        errorFilter: { type: 'json-level' },
        versioning: { type: 'json-field', field: 'service.version' },
        requestsFrom: 'lambda-error-rate',
      },
    }),
  };
}

/** The validated policy for a scenario. */
export function scenarioPolicy(scenario: Scenario): Policy {
  return parsePolicy(scenarioPolicyInput(scenario), `simulation policy for scenario "${scenario.name}"`);
}
