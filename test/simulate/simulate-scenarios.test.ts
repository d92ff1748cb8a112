import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_ECS_NATIVE_SCENARIOS, DEFAULT_SCENARIOS, parseSimulateArgs, scenarioJson, simulateCommand } from '../../lib/cli/simulate-command';
import { synthesizeEvaluationDefinition } from '../../lib/simulate/definition';
import { ScenarioError } from '../../lib/simulate/scenario';
import { SLOW_REQUESTS_METRIC, scenarioPolicy } from '../../lib/simulate/scenario-policy';
import { ScenarioNotFoundError, loadScenario, resolveScenarioPath, runScenario, scenarioReport, type ScenarioRun } from '../../lib/simulate/scenario-run';
import { renderEvaluationText } from '../../lib/report/text-report';
import { renderHtmlReport } from '../../lib/report/html-report';

const definition = synthesizeEvaluationDefinition();

async function simulate(name: string): Promise<ScenarioRun> {
  const { scenario, source } = loadScenario(name);
  return runScenario(scenario, { definition, source });
}

async function runCommand(...argv: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await simulateCommand(argv, { stdout: (text) => out.push(text), stderr: (text) => err.push(text) });
  return { code, stdout: out.join('\n'), stderr: err.join('\n') };
}

describe('the default simulations', () => {
  const runs = new Map<string, ScenarioRun>();
  beforeAll(async () => {
    for (const name of DEFAULT_SCENARIOS) runs.set(name, await simulate(name));
  });

  test('are healthy, low-traffic (inconclusive), error-regression, latency-regression, the two leading-indicator scenarios and the budget gate', () => {
    expect([...DEFAULT_SCENARIOS]).toEqual(['healthy', 'low-traffic', 'error-regression', 'latency-regression', 'cache-miss-regression', 'reasoning-drop', 'budget-breach', 'new-exception']);
  });

  test('budget-breach is rolled back on its projection alone: the cost per request stays within tolerance, the spend at full traffic does not', () => {
    const run = runs.get('budget-breach')!;
    expect(run.outcome).toMatchObject({ action: 'rolled-back', status: 'Succeeded', regressedMetrics: ['budget'] });
    expect(run.outcome.summary).toMatch(/^stopped at minute \d+ and rolled back: projected over budget$/);
    const budget = run.finalVerdict!.metrics.find((metric) => metric.metric === 'budget')!;
    expect(budget).toMatchObject({ decision: 'fail', critical: true, budget: { period: 'daily', limitUsd: 7200, action: 'fail' } });
    expect(budget.budget!.interval[0]).toBeGreaterThan(7200);
    expect(run.finalVerdict!.metrics.find((metric) => metric.metric === 'cost-per-request')!.decision).not.toBe('fail');
    const text = renderEvaluationText(scenarioReport(run));
    expect(text).toMatch(/✗ budget \$[\d,]+ per day projected for the new version at full traffic \(interval \$[\d,]+–\$[\d,]+, 95% over every look\) vs the daily budget of \$7,200: over budget/);
    expect(text).toContain('budget $7200 a day at full traffic (fails when shown over it)');
  });

  test('claude-code-cache-miss: judged from Claude Code\'s own metrics (claude-code-cost-per-session), rolled back naming input tokens and the cache miss', async () => {
    const run = await simulate('claude-code-cache-miss');
    expect(run.outcome).toMatchObject({ action: 'rolled-back', regressedMetrics: ['claude-code-cost-per-session'] });
    const cost = run.finalVerdict!.metrics.find((metric) => metric.metric === 'claude-code-cost-per-session')!;
    expect(cost.spendDriver).toMatchObject({ type: 'input', cacheMiss: true });
    // Every type was read from claude_code.token.usage: the cache writes are there on both versions.
    const cacheWrite = cost.spendByTokenType!.find((row) => row.type === 'cacheWrite')!;
    expect(cacheWrite.baselineTokensPerRequest).toBeGreaterThan(3500);
    expect(cacheWrite.canaryTokensPerRequest).toBeGreaterThan(3500);
  });

  test('cache-miss-regression: the verdict names the token type that moved (input) and the prompt-cache miss', () => {
    const cost = runs.get('cache-miss-regression')!.finalVerdict!.metrics.find((metric) => metric.metric === 'cost-per-request')!;
    expect(cost.spendDriver).toMatchObject({ type: 'input', cacheMiss: true });
    const text = renderEvaluationText(scenarioReport(runs.get('cache-miss-regression')!));
    expect(text).toMatch(/✗ cost-per-request .*, mostly input tokens \(\+\$[\d.]+ per 1,000 requests: cache reads fell, a prompt-cache miss\): regression shown/);
    expect(text).toMatch(/spend by token type per 1,000 requests, new vs current: input .* · cache-read \$0 vs \$[\d.]+/);
  });

  test('healthy is promoted: the pre-traffic hook reports Succeeded and the canary watch ends without harm', () => {
    const run = runs.get('healthy')!;
    expect(run.outcome).toMatchObject({ action: 'promoted', status: 'Succeeded', regressedMetrics: [] });
    expect(run.outcome.summary).toMatch(/^promoted after \d+ min/);
    // The watch's last look, as at a deadline, rules harm out on every critical metric.
    expect(run.finalVerdict?.decision).toBe('pass');
    expect(run.finalVerdict?.metrics.every((metric) => metric.decision !== 'fail')).toBe(true);
    expect(run.execution.status).toBe('SUCCEEDED');
  });

  test('low-traffic is promoted without a verdict, and says so in text, JSON and HTML', async () => {
    const run = await simulate('low-traffic');
    expect(run.outcome).toMatchObject({ action: 'inconclusive', status: 'Succeeded', regressedMetrics: [] });
    expect(run.finalVerdict?.decision).toBe('inconclusive');
    expect(run.finalVerdict?.inconclusive).toEqual({ lowTraffic: true, metrics: ['lambda-error-rate', 'lambda-slow-requests', 'cost-per-request'] });
    // Why: how little traffic the new version had, and roughly what would have decided it.
    // Each reason once: the run's reason names the metrics and the traffic; each metric's result says the rest.
    expect(run.finalVerdict?.reason).toMatch(/^no verdict by the deadline \(traffic too low: \d+ requests on the new version, roughly [\d,]+ would have decided\): lambda-error-rate, lambda-slow-requests, cost-per-request undecided$/);

    const text = await runCommand('low-traffic');
    expect(text.code).toBe(0);
    expect(text.stdout).toContain('Final verdict: inconclusive — no verdict by the deadline (traffic too low: ');
    // Brief: the verdict line is one short line, the pricing source is said once per cost metric (its details line).
    const verdictLine = text.stdout.split('\n').find((line) => line.startsWith('Final verdict:'))!;
    expect(verdictLine.length).toBeLessThanOrEqual(320);
    expect(text.stdout.match(/genai-prices/g)).toHaveLength(1);
    expect(text.stdout).toMatch(/What CodeDeploy would have done: \? promoted without a verdict after \d+ min \(traffic too low: lambda-error-rate, lambda-slow-requests, cost-per-request undecided; onInconclusive: pass\)/);
    expect(text.stdout).not.toMatch(/✓ promoted/);

    const json = JSON.parse((await runCommand('low-traffic', '--json')).stdout);
    expect(json.scenarios[0]).toMatchObject({ decision: 'inconclusive', codeDeploy: { action: 'inconclusive', status: 'Succeeded' } });
    expect(json.scenarios[0].codeDeploy.summary).toMatch(/^promoted without a verdict/);

    const path = join(mkdtempSync(join(tmpdir(), 'simulate-')), 'low-traffic.html');
    expect((await runCommand('low-traffic', '--report', path)).code).toBe(0);
    const html = readFileSync(path, 'utf8');
    expect(html).toContain('class="outcome inconclusive"');
    expect(html).toContain('promoted without a verdict');
    expect(html).not.toContain('class="outcome promoted"');
  });

  test.each([
    ['error-regression', 'lambda-error-rate'],
    ['latency-regression', SLOW_REQUESTS_METRIC],
    ['cache-miss-regression', 'cost-per-request'],
    ['reasoning-drop', 'agent-reasoning-length'],
  ])('%s is stopped and rolled back, naming %s', (name, metric) => {
    const run = runs.get(name)!;
    // The hook reported Succeeded before traffic; the canary watch stopped the deployment later.
    expect(run.outcome).toMatchObject({ action: 'rolled-back', status: 'Succeeded', regressedMetrics: [metric] });
    expect(run.outcome.summary).toMatch(new RegExp(`^stopped at minute \\d+ and rolled back: ${metric} regressed`));
    expect(run.finalVerdict?.decision).toBe('fail');
    // Caught on part of the 15-minute canary window, before the shift to 100 %.
    expect(run.decision.judgedThroughMinute).toBeLessThan(15);
  });

  test.each(['reasoning-drop', 'files-read-drop'])('%s: the share of short turns (under-informed edits) decides before the error rise it precedes could be seen', async (name) => {
    const run = runs.get(name) ?? (await simulate(name));
    const { scenario } = loadScenario(name);
    const behaviourMetric = name === 'reasoning-drop' ? 'agent-reasoning-length' : 'agent-files-read-before-edit';
    expect(run.outcome).toMatchObject({ action: 'rolled-back', regressedMetrics: [behaviourMetric] });
    const errorsFrom = scenario.regressions.find((regression) => regression.metric === 'errors')!.fromMinute;
    // Judged on minutes before the errors start: the error-rate metric had nothing to see yet.
    expect(run.decision.judgedThroughMinute).toBeLessThan(errorsFrom);
    expect(run.finalVerdict?.metrics.find((metric) => metric.metric === 'lambda-error-rate')?.decision).toBe('continue');
  });

  test('cache-miss-regression: tokens per request are unchanged, cost per request about x3', () => {
    const run = runs.get('cache-miss-regression')!;
    const cost = run.finalVerdict!.metrics.find((metric) => metric.metric === 'cost-per-request')!;
    expect(cost.effect!).toBeGreaterThan(2.5);
    expect(cost.effect!).toBeLessThan(4);
    expect(cost.pricing).toMatch(/@pydantic\/genai-prices/);
  });

  test('cache-miss-regression: the evaluator publishes CostPerRequest per arm at each look, the last canary about x3 baseline', () => {
    const run = runs.get('cache-miss-regression')!;
    const published = run.costPerRequest.filter((figure) => figure.metric === 'cost-per-request');
    const last = (arm: string) => published.filter((figure) => figure.arm === arm).at(-1)!.usd;
    expect(published.length).toBeGreaterThanOrEqual(2);
    expect(last('canary') / last('baseline')).toBeGreaterThan(2.5);
    expect(last('canary') / last('baseline')).toBeLessThan(4);
    // Only cost metrics publish it.
    expect(run.costPerRequest.every((figure) => figure.metric === 'cost-per-request')).toBe(true);
  });

  test('the text, HTML and --json results show the published spend per request: the canary about x3 baseline, a healthy run about x1', () => {
    const spendLine = (run: ScenarioRun) => renderEvaluationText(scenarioReport(run)).split('\n').find((line) => line.startsWith('  cost-per-request: canary'));
    const ratioOf = (line: string | undefined) => Number(/\(×([0-9.]+)\)/.exec(line ?? '')?.[1]);
    expect(ratioOf(spendLine(runs.get('cache-miss-regression')!))).toBeGreaterThan(2.5);
    expect(ratioOf(spendLine(runs.get('healthy')!))).toBeGreaterThan(0.8);
    expect(ratioOf(spendLine(runs.get('healthy')!))).toBeLessThan(1.25);
    expect(renderHtmlReport([scenarioReport(runs.get('cache-miss-regression')!)])).toContain('Spend per request published');
    const json = scenarioJson(runs.get('cache-miss-regression')!);
    expect(json.published.costPerRequest).toEqual(runs.get('cache-miss-regression')!.costPerRequest);
    // A policy without a cost metric says nothing about spend.
    expect(renderEvaluationText(scenarioReport({ ...runs.get('healthy')!, costPerRequest: [] }))).not.toContain('Spend per request published');
  });

  test('the timeline starts with "continue" and ends with the decision; the hook was reported once, before traffic (and the bake hook after it with logs)', () => {
    for (const [name, run] of runs) {
      expect(run.timeline[0]).toMatchObject({ minute: 0, decision: 'continue', periodsJudged: 0 });
      expect(run.timeline.at(-1)!.decision).toBe(run.finalVerdict!.decision);
      expect(run.timeline.at(-1)!.minute).toBe(run.outcome.minute);
      expect(run.reports.slice(0, 1)).toEqual([expect.objectContaining({ status: 'Succeeded', minute: 0 })]);
      expect(run.reports).toHaveLength(name === 'new-exception' ? 2 : 1);
    }
  });

  test('the printed timeline keeps its columns: the periods start at the same column in every row, an "inconclusive" row too', () => {
    let inconclusiveRows = 0;
    for (const run of runs.values()) {
      const lines = renderEvaluationText(scenarioReport(run)).split('\n');
      const header = lines.findIndex((line) => line.startsWith('  minute  time (UTC)'));
      const rows = lines.slice(header + 1, lines.indexOf('', header));
      // The periods column ends where the heading's "periods" ends.
      const periodsEnd = lines[header].indexOf('periods') + 'periods'.length;
      for (const row of rows) expect(row.slice(0, periodsEnd)).toMatch(/\d$/);
      inconclusiveRows += rows.filter((row) => / inconclusive /.test(row)).length;
    }
    expect(inconclusiveRows).toBeGreaterThan(0);
  });

  test('the simulated CloudWatch reads the evaluation clock: each look judges the periods older than the 2-minute lag', () => {
    // The simulated CloudWatch shows minute m at m + 1 + lag on the evaluation's virtual clock.
    for (const run of runs.values()) {
      for (const entry of run.timeline.filter((look) => look.periodsJudged > 0)) expect(entry.minute).toBe(entry.periodsJudged + 2);
    }
  });

  test('charts hold canary and baseline per minute for every policy metric, up to the decision', () => {
    const run = runs.get('error-regression')!;
    expect(run.charts.map((chart) => chart.metric)).toEqual(['lambda-error-rate', SLOW_REQUESTS_METRIC, 'lambda-p99-duration', 'cost-per-request']);
    const errors = run.charts[0];
    expect(errors.points).toHaveLength(run.outcome.minute!);
    expect(errors.decision).toBe('fail');
    // The canary's error rate is about 3x the baseline's over the charted minutes.
    const mean = (arm: 'canary' | 'baseline') => errors.points.reduce((sum, point) => sum + (point[arm] ?? 0), 0) / errors.points.length;
    expect(mean('canary')).toBeGreaterThan(2 * mean('baseline'));
  });
});

describe('determinism', () => {
  test('the same scenario and seed give the same timeline and results, byte for byte', async () => {
    const first = JSON.stringify(scenarioJson(await simulate('latency-regression')));
    const second = JSON.stringify(scenarioJson(await simulate('latency-regression')));
    expect(second).toBe(first);
  });

  test('another seed gives other data', async () => {
    const { scenario } = loadScenario('healthy');
    const a = await runScenario(scenario, { definition });
    const b = await runScenario({ ...scenario, seed: scenario.seed + 1 }, { definition });
    expect(JSON.stringify(b.charts)).not.toBe(JSON.stringify(a.charts));
  });
});

describe('scenario arguments', () => {
  test('a library name resolves to scenarios/<name>.yaml', () => {
    expect(resolveScenarioPath('healthy')).toMatch(/scenarios[/\\]healthy\.yaml$/);
  });

  test('fails on an unknown name, listing the library', () => {
    expect(() => loadScenario('helthy')).toThrow(ScenarioNotFoundError);
    expect(() => loadScenario('helthy')).toThrow(/unknown scenario "helthy"; the library .* has: .*healthy.*error-regression/);
  });

  test('fails on a missing path, naming it', () => {
    expect(() => loadScenario('./no/such/scenario.yaml')).toThrow('scenario file "./no/such/scenario.yaml" does not exist');
  });

  test('fails on an invalid scenario file, naming the file and the bad field', () => {
    const path = join(mkdtempSync(join(tmpdir(), 'simulate-')), 'broken.yaml');
    writeFileSync(path, 'name: broken\nseed: 1\ndurationMinutes: 30\ntraffic: { requestsPerMinute: 100 }\nbaseline: { errorRate: 2, latency: { medianMs: 100, p99Ms: 500 } }\n');
    expect(() => loadScenario(path)).toThrow(ScenarioError);
    expect(() => loadScenario(path)).toThrow(/broken\.yaml: baseline\.errorRate/);
  });
});

describe('the simulation policy', () => {
  test('judges the canary window with errors, slow requests (TC of Duration) and p99', () => {
    const policy = scenarioPolicy(loadScenario('latency-regression').scenario);
    expect(policy.canaryWatch).toMatchObject({ enabled: true, maxDuration: 15 * 60, period: 60, stopDeploymentOnFail: true });
    const slow = policy.metrics.find((metric) => metric.name === SLOW_REQUESTS_METRIC);
    expect(slow).toMatchObject({ kind: 'count', count: { metricName: 'Duration', stat: 'TC(1000:)' }, total: { metricName: 'Invocations', stat: 'Sum' } });
  });
});

describe('canary-eval simulate', () => {
  test('parses scenarios and options; no scenario means the defaults, the ECS native ones last', () => {
    expect([...DEFAULT_ECS_NATIVE_SCENARIOS]).toEqual(['ecs-native-canary']);
    expect(parseSimulateArgs([])).toEqual({ scenarios: [...DEFAULT_SCENARIOS, ...DEFAULT_ECS_NATIVE_SCENARIOS], json: false, policyFile: undefined, reportFile: undefined, failOnRollback: false });
    expect(parseSimulateArgs(['low-traffic', '--json', '--report', 'r.html', '--policy', 'p.yaml', '--fail-on-rollback'])).toEqual({
      scenarios: ['low-traffic'],
      json: true,
      failOnRollback: true,
      reportFile: 'r.html',
      policyFile: 'p.yaml',
    });
    expect(parseSimulateArgs(['--report'])).toEqual({ error: '--report needs a file name' });
    expect(parseSimulateArgs(['--fast'])).toEqual({ error: 'unknown option "--fast"' });
  });

  test('fails with exit 2 on a malformed command line', async () => {
    const { code, stderr } = await runCommand('healthy', '--policy');
    expect(code).toBe(2);
    expect(stderr).toContain('--policy needs a file name');
  });

  test('throws a clear error for an unknown scenario before running anything', async () => {
    await expect(runCommand('healthy', 'nope')).rejects.toThrow(/unknown scenario "nope"; .*; ECS native scenarios \(scenarios\/ecs-native\/\): ecs-native-canary/);
  });

  test('--json prints decisions, reports, timeline, final verdict and what CodeDeploy did', async () => {
    const { code, stdout } = await runCommand('error-regression', '--json');
    expect(code).toBe(0);
    const [result] = JSON.parse(stdout).scenarios;
    expect(result).toMatchObject({
      scenario: { name: 'error-regression', seed: 2, source: 'scenarios/error-regression.yaml' },
      decision: 'fail',
      codeDeploy: { action: 'rolled-back', regressedMetrics: ['lambda-error-rate'] },
      reports: [{ status: 'Succeeded', minute: 0 }],
      finalVerdict: { decision: 'fail' },
    });
    expect(result.timeline.length).toBeGreaterThan(1);
  });

  test('the text report shows timeline, charts, explained verdict and the CodeDeploy action', async () => {
    const { code, stdout } = await runCommand('error-regression');
    expect(code).toBe(0);
    expect(stdout).toContain('Verdict timeline');
    expect(stdout).toMatch(/canary {3}[▁▂▃▄▅▆▇█ ]+\n/);
    expect(stdout).toMatch(/▲ CodeDeploy acted at minute \d+ \(\d\d:\d\d UTC\); verdict on minutes 0–\d+/);
    // The verdict's headline names what regressed, and explains the false-alarm bound once: no E≥, no raw interval, no epoch time.
    const headline = stdout.split('\n').find((line) => line.startsWith('Final verdict: fail'));
    expect(headline).toMatch(/^Final verdict: fail — lambda-error-rate regressed \(chance of failing a good release ≤ [\d.]+%: this phase's [\d.]+% share of the policy's α/);
    expect(stdout).not.toMatch(/E≥|t=\d|\[[\d.]+, [\d.]+\]/);
    // Each metric opens with its rates on both versions in units, then the statistics on a details line
    // (a fail's interval is its harm test's, one-sided: issue 22 item 6).
    expect(stdout).toMatch(
      /✗ lambda-error-rate [\d.]+ % on the new version vs [\d.]+ % on the current one \(×[\d.]+\): regression shown\n\s+details: \d+ of [\d,]+ requests on the new version vs \d+ of [\d,]+ on the current one; [\d.]+ % interval: at least ×[\d.]+; evidence [\d,]+ against "no regression", [\d,]+ needed; sequential, α [\d.]+\n/,
    );
    expect(stdout).toMatch(/What CodeDeploy would have done: ✗ stopped at minute \d+ and rolled back: lambda-error-rate regressed/);
  });

  test('--policy judges with the given policy file', async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'simulate-')), 'errors-only.yaml');
    writeFileSync(path, 'metrics:\n  - preset: lambda-error-rate\n    method: { type: threshold, maxRatioToBaseline: 2, failureLimit: 3 }\nbake: { duration: 10m }\n');
    const { code, stdout } = await runCommand('healthy', '--policy', path, '--json');
    expect(code).toBe(0);
    const [result] = JSON.parse(stdout).scenarios;
    expect(result.charts.map((chart: { metric: string }) => chart.metric)).toEqual(['lambda-error-rate']);
    expect(result.codeDeploy.action).toBe('promoted');
  });

  test('exits 1 and names the error when the canary watch breaks (the traffic shift would go on unwatched)', async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'simulate-')), 'unanswerable.yaml');
    // The simulated CloudWatch has no "Average" of Errors: every evaluate call throws.
    writeFileSync(
      path,
      [
        'metrics:',
        '  - name: errors',
        '    kind: count',
        '    count: { namespace: AWS/Lambda, metricName: Errors, stat: Average }',
        '    total: { namespace: AWS/Lambda, metricName: Invocations, stat: Sum }',
        '    versioning: { type: lambda-alias }',
        '    method: { type: threshold, maxRatioToBaseline: 2 }',
      ].join('\n'),
    );
    const { code, stdout, stderr } = await runCommand('healthy', '--policy', path);
    expect(code).toBe(1);
    expect(stderr).toContain('scenario "healthy": the evaluation did not run to a verdict');
    expect(stderr).toContain('statistic "Average" is not supported for errors');
    expect(stdout).toMatch(/the canary watch failed \(.*statistic "Average" is not supported for errors.*\); the traffic shift went on without a verdict/);
    expect(stdout).toContain('(no charts: query m0_canary_count');
  });

  test('--report writes a self-contained HTML file', async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'simulate-')), 'report.html');
    const { code, stderr } = await runCommand('healthy', '--report', path);
    expect(code).toBe(0);
    expect(stderr).toContain(`HTML report written to ${path}`);
    const html = readFileSync(path, 'utf8');
    expect(html.match(/<svg /g)).toHaveLength(4); // one chart per metric of the simulation policy
    expect(html).not.toMatch(/<script|<link|<img|src=|url\(|https?:\/\/(?!www\.w3\.org\/2000\/svg)/);
  });
});
