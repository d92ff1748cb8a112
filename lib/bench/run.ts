import { generateSeries } from '../simulate/generate';
import { parseScenario, type Scenario } from '../simulate/scenario';
import { agentObservationsUpTo, readAgentBench } from './agent-behaviour';
import { evaluationCostUsd } from './cost';
import type { BenchJudge } from './judges';
import { canaryWindowMinutes, observationsUpTo } from './observe';

/** GetMetricData metrics per look: errors and slow requests (count + total per arm), cost (requests + 4 token types per arm). */
const METRICS_PER_LOOK = 4 + 4 + 10;
/** And per agent-behaviour metric: `TC(:atMost)` and `SampleCount` per arm. */
const METRICS_PER_AGENT_METRIC = 4;

export interface JudgeRun {
  readonly decision: 'fail' | 'pass';
  /** Minutes from deployment start to the decision, metric lag included. */
  readonly minutesToDecision: number;
  readonly looks: number;
  /** GetMetricData metrics requested per look. */
  readonly metricsPerLook: number;
}

/** Runs one judge over one generated deployment, looking after every complete minute of the canary window. */
export function runJudge(judge: BenchJudge, scenario: Scenario): JudgeRun {
  // No judge here reads the baseline's history before the deployment (a gauge's autocorrelation estimate
  // would); it has a seed of its own, so leaving it out changes no draw of the deployment.
  const series = generateSeries(scenario, { historyMinutes: 0 });
  const horizon = canaryWindowMinutes(series);
  if (horizon === 0) throw new Error(`scenario "${scenario.name}" has no canary window (both versions serving at once) to judge`);
  const agent = readAgentBench(scenario, series, horizon);
  const metricsPerLook = METRICS_PER_LOOK + METRICS_PER_AGENT_METRIC * Object.keys(agent?.metrics ?? {}).length;
  const decide = judge.start(series, agent, scenario);
  let looks = 0;
  for (let minutes = 1; minutes <= horizon; minutes += 1) {
    if (judge.looksEveryMinute || minutes === horizon) looks += 1;
    const observations = { ...observationsUpTo(series, minutes), ...(agent && agentObservationsUpTo(agent, series, minutes)) };
    const decision = decide({ minutes, horizon, observations });
    if (decision !== 'continue' || minutes === horizon) {
      return { decision: decision === 'fail' ? 'fail' : 'pass', minutesToDecision: minutes + series.metricLagMinutes, looks, metricsPerLook };
    }
  }
  throw new Error('unreachable: the last look always decides');
}

export interface BenchRow {
  readonly scenario: string;
  readonly healthy: boolean;
  readonly judge: string;
  readonly runs: number;
  /** Share of runs that failed the deployment: false alarms when healthy, detections otherwise. */
  readonly failRate: number;
  readonly medianMinutesToDetect?: number;
  readonly p90MinutesToDetect?: number;
  readonly meanCostUsd: number;
}

function quantile(sorted: readonly number[], q: number): number | undefined {
  if (sorted.length === 0) return undefined;
  return sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)];
}

/** Every judge on `seeds` seeded variants of one scenario (seed i replaces the scenario's seed). */
export function benchScenario(scenario: Scenario, judges: readonly BenchJudge[], seeds: number): BenchRow[] {
  const variants = Array.from({ length: seeds }, (_, i) => parseScenario({ ...scenario, seed: (scenario.seed * 100_003 + i) % 2 ** 32 }));
  const healthy = scenario.regressions.length === 0;
  return judges.filter((judge) => judge.appliesTo(scenario)).map((judge) => {
    const runs = variants.map((variant) => runJudge(judge, variant));
    const detections = runs.filter((run) => run.decision === 'fail').map((run) => run.minutesToDecision).sort((a, b) => a - b);
    return {
      scenario: scenario.name,
      healthy,
      judge: judge.name,
      runs: runs.length,
      failRate: detections.length / runs.length,
      medianMinutesToDetect: quantile(detections, 0.5),
      p90MinutesToDetect: quantile(detections, 0.9),
      meanCostUsd: runs.reduce((sum, run) => sum + evaluationCostUsd(run.looks, run.metricsPerLook), 0) / runs.length,
    };
  });
}

/** Static-alarm multipliers tried by the calibration, smallest (most sensitive) first. */
export const CALIBRATION_MULTIPLIERS = [1.5, 2, 2.5, 3, 4, 5, 6, 8, 10, 12, 16];

/**
 * The most sensitive static-alarm bound whose false-alarm rate on every healthy scenario is at most
 * `maxFalseAlarmRate`, measured on seeds disjoint from the benchmark's: the threshold alarm compared
 * with the other judges at an equal false-alarm rate.
 */
export function calibrateThresholdAlarm(healthyScenarios: readonly Scenario[], seeds: number, maxFalseAlarmRate: number, thresholdAlarm: (multiplier: number) => BenchJudge): number | undefined {
  return CALIBRATION_MULTIPLIERS.find((multiplier) =>
    healthyScenarios.every((scenario) => {
      const calibrationScenario = { ...scenario, seed: (scenario.seed + 7_777_777) % 2 ** 32 };
      return benchScenario(calibrationScenario, [thresholdAlarm(multiplier)], seeds)[0].failRate <= maxFalseAlarmRate;
    }),
  );
}

/** The results as a markdown table. */
export function formatBenchTable(rows: readonly BenchRow[]): string {
  const lines = [
    '| scenario | judge | runs | false alarms | detected | median / p90 min to detect | AWS cost per evaluation |',
    '| --- | --- | ---: | ---: | ---: | ---: | ---: |',
  ];
  for (const row of rows) {
    const rate = `${(row.failRate * 100).toFixed(1)} %`;
    const time = row.medianMinutesToDetect === undefined ? '–' : `${row.medianMinutesToDetect} / ${row.p90MinutesToDetect}`;
    lines.push(
      `| ${row.scenario} | ${row.judge} | ${row.runs} | ${row.healthy ? rate : '–'} | ${row.healthy ? '–' : rate} | ${row.healthy ? '–' : time} | $${row.meanCostUsd.toFixed(5)} |`,
    );
  }
  return lines.join('\n');
}
