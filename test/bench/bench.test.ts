import { main } from '../../bin/canary-eval';
import { benchJudges, kayentaFixedHorizon, oracleSprt, sequentialJudge, thresholdAlarm } from '../../lib/bench/judges';
import { benchScenario, runJudge } from '../../lib/bench/run';
import { loadScenarioFile, parseScenario, SCENARIOS_DIR } from '../../lib/simulate/scenario';
import { join } from 'node:path';

const scenario = (name: string) => loadScenarioFile(join(SCENARIOS_DIR, `${name}.yaml`));

describe('detection benchmark', () => {
  test('each judge decides once per run, with the metric lag in the time to decide', () => {
    const errorRegression = scenario('error-regression');
    for (const judge of benchJudges(4)) {
      const run = runJudge(judge, errorRegression);
      expect(['fail', 'pass']).toContain(run.decision);
      expect(run.minutesToDecision).toBeGreaterThan(errorRegression.metricLagMinutes);
      expect(run.minutesToDecision).toBeLessThanOrEqual(15 + errorRegression.metricLagMinutes);
    }
    expect(runJudge(kayentaFixedHorizon, errorRegression).looks).toBe(1);
  });

  test('a small run shows the expected ordering: the sequential judge detects a ×3 error regression sooner than the fixed horizon, close to the oracle', () => {
    const rows = benchScenario(scenario('error-regression'), [kayentaFixedHorizon, sequentialJudge, oracleSprt], 12);
    const [fixed, ours, oracle] = rows;
    // Dispersion-weighted default (issue 22): 85 % of 40 runs, median 10 min (oracle 7, fixed horizon 17).
    expect(ours.failRate).toBeGreaterThanOrEqual(0.7);
    expect(ours.medianMinutesToDetect!).toBeLessThan(fixed.medianMinutesToDetect!);
    expect(ours.medianMinutesToDetect!).toBeLessThanOrEqual(1.5 * oracle.medianMinutesToDetect! + 1);
  });

  test('a static alarm false-alarms on a common-mode incident; the sequential judge does not', () => {
    const rows = benchScenario(scenario('bursty-healthy'), [thresholdAlarm(2), sequentialJudge], 12);
    expect(rows[0].failRate).toBeGreaterThan(0.3);
    expect(rows[1].failRate).toBe(0);
  });

  test('the oracle is not run where it cannot see the regression (token cost)', () => {
    const rows = benchScenario(scenario('cost-regression'), [sequentialJudge, oracleSprt], 2);
    expect(rows.map((row) => row.judge)).toEqual([sequentialJudge.name]);
  });

  test('fails on a scenario without a canary window', () => {
    const allAtOnce = parseScenario({ ...scenario('healthy'), schedule: { type: 'all-at-once' } });
    expect(() => runJudge(sequentialJudge, allAtOnce)).toThrow('has no canary window');
  });

  test('the CLI prints the markdown table at a small size, and rejects bad options', async () => {
    const out: string[] = [];
    const code = await main(['bench', '--seeds', '3', '--scenario', 'healthy', '--scenario', 'error-regression'], { stdout: (s) => out.push(s), stderr: () => undefined });
    expect(code).toBe(0);
    const table = out.join('\n');
    expect(table).toContain('| scenario | judge | runs |');
    expect(table).toMatch(/\| error-regression \| canary-evaluator \(sequential\) \| 3 \|/);
    const err: string[] = [];
    expect(await main(['bench', '--seeds', 'many'], { stdout: () => undefined, stderr: (s) => err.push(s) })).toBe(2);
    expect(err.join('')).toContain('--seeds: expected a whole number');
    expect(await main(['bench', '--scenario', 'nope'], { stdout: () => undefined, stderr: () => undefined })).toBe(1);
  });
});
