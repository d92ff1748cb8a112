import { simulateCommand } from '../../lib/cli/simulate-command';
import { synthesizeEvaluationDefinition } from '../../lib/simulate/definition';
import { parseScenario } from '../../lib/simulate/scenario';
import { loadScenario, runScenario, scenarioReport, type ScenarioRun } from '../../lib/simulate/scenario-run';
import { escapeHtml, renderHtmlReport } from '../../lib/report/html-report';

/**
 * Issue 26 in `npm start`: a scenario with `logs` runs the bake hook (AfterAllowTraffic) after the
 * canary watch, through the real state machine, on the simulated log group; the new version's new
 * exception is a new error signature that rolls the deployment back.
 */
const definition = synthesizeEvaluationDefinition();

async function printed(...argv: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await simulateCommand(argv, { stdout: (text) => out.push(text), stderr: (text) => err.push(text) });
  return { code, stdout: out.join('\n'), stderr: err.join('\n') };
}

describe('new-exception: the bake reads the logs', () => {
  let run: ScenarioRun;
  let report: Awaited<ReturnType<typeof printed>>;
  beforeAll(async () => {
    const { scenario, source } = loadScenario('new-exception');
    run = await runScenario(scenario, { definition, source });
    report = await printed('new-exception');
  }, 600_000);

  test('the canary watch lets it through, the bake hook reports Failed on the new signature, and CodeDeploy rolls back', () => {
    // Two hooks: BeforeAllowTraffic (the watch), then AfterAllowTraffic (the bake).
    expect(run.reports.map((hook) => hook.status)).toEqual(['Succeeded', 'Failed']);
    expect(run.outcome).toMatchObject({ action: 'rolled-back', status: 'Failed', regressedMetrics: [] });
    expect(run.outcome.summary).toMatch(/^the bake hook reported Failed at minute \d+ and CodeDeploy rolled back: a new error signature in the logs$/);
    expect(run.finalVerdict!.decision).toBe('fail');
    // The metrics did not fail it: the log signal did.
    expect(run.finalVerdict!.metrics.filter((metric) => metric.decision === 'fail')).toEqual([]);
    const logs = run.finalVerdict!.logs!;
    expect(logs.decision).toBe('fail');
    expect(logs.signature).toMatch(/^TypeError: Cannot read properties of undefined \(reading <STR>\) at applyPromotion/);
    expect(logs.samples!.length).toBeGreaterThanOrEqual(1);
    expect(logs.samples!.length).toBeLessThanOrEqual(3);
  });

  test('the printed report shows the signature, up to 3 sample lines and the MB scanned', () => {
    expect(report.code).toBe(0);
    const logs = run.finalVerdict!.logs!;
    expect(report.stdout).toContain(`new error signature: ${logs.signature}`);
    const samples = report.stdout.split('\n').filter((line) => line.trimStart().startsWith('sample: '));
    expect(samples.length).toBe(logs.samples!.length);
    for (const sample of samples) expect(sample).toContain('applyPromotion');
    expect(report.stdout).toMatch(/Logs Insights: [\d,.]+ MB scanned \(\$\d+\.\d{4}\), \d+ queries \(at most [1-4] per look\)/);
    expect(report.stdout).toContain('new-exception  the bake hook reported Failed');
  });

  test('the HTML report has the Logs section: the signature and each sample escaped in a <pre>', () => {
    const html = renderHtmlReport([scenarioReport(run)]);
    const logs = run.finalVerdict!.logs!;
    expect(html).toContain('<h3>Logs</h3>');
    expect(html).toContain(escapeHtml(`new error signature: ${logs.signature}`));
    for (const sample of logs.samples!) expect(html).toContain(`<pre class="log-sample">${escapeHtml(sample)}</pre>`);
  });
});

describe('a scenario with logs and no new exception', () => {
  test('the same bake with 20 new benign lines instead is promoted, the log signal passing', async () => {
    const { scenario } = loadScenario('new-exception');
    const healthy = await runScenario({ ...scenario, name: 'new-lines', logs: { newExceptionRate: 0, newBenignLines: 20 } }, { definition });
    expect(healthy.reports.map((hook) => hook.status)).toEqual(['Succeeded', 'Succeeded']);
    expect(healthy.outcome.action).toBe('promoted');
    expect(healthy.finalVerdict!.logs!.decision).toBe('pass');
    expect(healthy.finalVerdict!.logs!.bytesScanned).toBeGreaterThan(0);
  }, 600_000);

  test('a scenario too short for the bake is refused, naming the field and the length it needs', () => {
    const { scenario } = loadScenario('new-exception');
    expect(() => parseScenario({ ...scenario, durationMinutes: 20 }, 'short.yaml')).toThrow(
      'short.yaml: durationMinutes: logs needs durationMinutes ≥ 28 (the canary phase\'s 15 min, the 10-minute bake and 3 min for its last minute to be visible); it is 20',
    );
  });
});
