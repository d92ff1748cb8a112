import { parseArgs } from 'node:util';
import { BENCH_ALPHA, benchJudges, thresholdAlarm } from '../bench/judges';
import { benchScenario, calibrateThresholdAlarm, formatBenchTable, type BenchRow } from '../bench/run';
import { listScenarioFiles, loadScenarioFile } from '../simulate/scenario';
import { EXIT, wantsHelp, type CommandIO } from './io';

const USAGE = `usage: canary-eval bench [--seeds N] [--scenario NAME]... [--json]

Detection benchmark: every judge on N seeded variants of each library scenario (progress on stderr).
Exit codes: 0 done, 1 unknown scenario, 2 usage error.`;

/**
 * `canary-eval bench`: every judge on many seeded variants of every library scenario; prints false
 * alarms (healthy scenarios), detections, time to detect and AWS cost per evaluation.
 */
export async function benchCommand(argv: readonly string[], io: CommandIO): Promise<number> {
  if (wantsHelp(argv)) {
    io.stdout(USAGE);
    return EXIT.ok;
  }
  let values;
  try {
    ({ values } = parseArgs({
      args: [...argv],
      options: { seeds: { type: 'string', default: '500' }, scenario: { type: 'string', multiple: true }, json: { type: 'boolean', default: false } },
      strict: true,
    }));
  } catch (error) {
    io.stderr(`${(error as Error).message}\n${USAGE}`);
    return EXIT.usage;
  }
  const seeds = Number(values.seeds);
  if (!Number.isInteger(seeds) || seeds < 1) {
    io.stderr(`--seeds: expected a whole number ≥ 1, got "${values.seeds}"\n${USAGE}`);
    return EXIT.usage;
  }
  const scenarios = listScenarioFiles()
    .map((file) => loadScenarioFile(file))
    .filter((scenario) => !values.scenario || values.scenario.includes(scenario.name));
  const unknown = (values.scenario ?? []).filter((name) => !scenarios.some((s) => s.name === name));
  if (unknown.length > 0) {
    io.stderr(`unknown scenario(s): ${unknown.join(', ')}; known: ${listScenarioFiles().map((f) => loadScenarioFile(f).name).join(', ')}`);
    return EXIT.invalid;
  }

  const started = Date.now();
  const elapsed = () => `${((Date.now() - started) / 1000).toFixed(1)} s`;
  const healthy = scenarios.filter((scenario) => scenario.regressions.length === 0);
  const multiplier = healthy.length > 0 ? calibrateThresholdAlarm(healthy, seeds, BENCH_ALPHA, (m) => thresholdAlarm(m)) : undefined;
  io.stderr(`  threshold alarm calibrated to ≤ ${BENCH_ALPHA * 100} % false alarms: ${multiplier === undefined ? 'no multiplier qualifies' : `×${multiplier}`} (${elapsed()})`);
  const judges = benchJudges(multiplier);
  const rows: BenchRow[] = [];
  for (const scenario of scenarios) {
    rows.push(...benchScenario(scenario, judges, seeds));
    io.stderr(`  ${scenario.name}: ${seeds} seeds × ${judges.length} judges done (${elapsed()})`);
  }
  io.stdout(values.json ? JSON.stringify({ seeds, calibratedThresholdMultiplier: multiplier ?? null, rows }, null, 2) : formatBenchTable(rows));
  return EXIT.ok;
}
