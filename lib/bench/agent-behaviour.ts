import { buildQueries, toObservations, type LambdaTarget } from '../evaluation';
import type { CountPeriod, MetricObservations } from '../judge';
import { parsePolicy } from '../policy';
import { normalCdf } from '../simulate/random';
import type { SimulatedSeries } from '../simulate/generate';
import type { Scenario } from '../simulate/scenario';
import { agentBounds, agentMetrics } from '../simulate/scenario-policy';
import { SimulatedMetricSource } from '../simulate/sim-metric-source';

/**
 * The agent-behaviour metrics of a scenario with `baseline.agent`, read as the evaluator reads them: the
 * presets' queries (`TC(:atMost)` and `SampleCount` of the per-turn metric, by `Version`) built by
 * `buildQueries`, answered by the simulated CloudWatch from every turn's value, and turned into count
 * periods by `toObservations`. Read once per run for the whole canary window; each look sees its prefix.
 */
export interface AgentBench {
  /** The policy metrics as written (the presets with their bounds), by metric name. */
  readonly metrics: Readonly<Record<string, ReturnType<typeof agentMetrics>[number]>>;
  /** Each metric's count periods over the whole canary window. */
  readonly observations: Readonly<Record<string, Extract<MetricObservations, { kind: 'count' }>>>;
  /** The baseline's expected share of units at or below the bound: the "normal level" a static alarm is set from. */
  readonly normalShare: Readonly<Record<string, number>>;
}

const TARGET = (scenario: Scenario): LambdaTarget => ({ type: 'lambda', functionName: scenario.target.functionName, alias: scenario.target.alias, currentVersion: '1', targetVersion: '2' });

/** The agent metrics of the canary window's `horizon` minutes, or undefined when the scenario publishes none. */
export function readAgentBench(scenario: Scenario, series: SimulatedSeries, horizon: number): AgentBench | undefined {
  const written = agentMetrics(scenario);
  if (written.length === 0) return undefined;
  const policy = parsePolicy({ metrics: written }, `agent metrics of scenario "${scenario.name}"`);
  const plan = buildQueries(policy, TARGET(scenario), 60);
  const start = series.startEpochSeconds;
  const end = start + horizon * 60;
  // Read after the window's last minute is visible: each look then takes the minutes it would have seen.
  const source = new SimulatedMetricSource(series, () => new Date((end + (series.metricLagMinutes + 1) * 60) * 1000));
  const results = source.answerNow(plan.queries, { start: new Date(start * 1000), end: new Date(end * 1000) });
  if (source.unmatchedQueries.length > 0) throw new Error(`bench: agent queries matched no simulated series: ${source.unmatchedQueries.join(', ')}`);
  const observed = toObservations(policy, plan, results, { start, end });
  const observations: Record<string, Extract<MetricObservations, { kind: 'count' }>> = {};
  for (const metric of policy.metrics) {
    const one = observed[metric.name];
    if (one.kind !== 'count') throw new Error(`bench: agent metric ${metric.name} read as ${one.kind}, expected count`);
    observations[metric.name] = one;
  }
  const bounds = agentBounds(scenario);
  const agent = scenario.baseline.agent!;
  const normalShare: Record<string, number> = {};
  if (bounds.reasoningTokens !== undefined) normalShare['agent-reasoning-length'] = normalCdf(Math.log(bounds.reasoningTokens / agent.reasoningTokensPerTurn!) / agent.sigma);
  if (bounds.filesRead !== undefined) normalShare['agent-files-read-before-edit'] = poissonCdf(bounds.filesRead, agent.filesReadBeforeEdit!);
  return { metrics: Object.fromEntries(written.map((metric) => [metric.preset, metric])), observations, normalShare };
}

function poissonCdf(atMost: number, mean: number): number {
  let pmf = Math.exp(-mean);
  let cdf = 0;
  for (let k = 0; k <= atMost; k += 1) {
    cdf += pmf;
    pmf *= mean / (k + 1);
  }
  return cdf;
}

/** The agent observations a look after `minutes` complete minutes sees. */
export function agentObservationsUpTo(agent: AgentBench, series: SimulatedSeries, minutes: number): Record<string, MetricObservations> {
  const before = series.startEpochSeconds + minutes * 60;
  const upTo = (periods: readonly CountPeriod[]) => periods.filter((period) => period.t < before);
  return Object.fromEntries(Object.entries(agent.observations).map(([name, observed]) => [name, { ...observed, baseline: upTo(observed.baseline), canary: upTo(observed.canary) }]));
}
