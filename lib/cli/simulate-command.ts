import { writeFileSync } from 'node:fs';
import type { Policy } from '../policy';
import { loadValidatedPolicyFile } from '../evaluation/policy-check';
import { synthesizeEvaluationDefinition } from '../simulate/definition';
import { renderHtmlReport } from '../report/html-report';
import { renderEvaluationText, renderSummaryText } from '../report/text-report';
import { wrapToWidth } from '../report/wrap';
import { loadScenario, runScenario, scenarioReport, type ScenarioRun } from '../simulate/scenario-run';
import { EXIT, processIO, type CommandIO } from './io';

/**
 * What `npm start` runs: one release that should pass and five that should be stopped, two of them
 * by a leading indicator (token spend at equal tokens; reasoning per turn before errors rise) and one
 * by the budget gate (spend at full traffic projected over the daily budget).
 */
export const DEFAULT_SCENARIOS = ['healthy', 'low-traffic', 'error-regression', 'latency-regression', 'cache-miss-regression', 'reasoning-drop', 'budget-breach'] as const;

export const SIMULATE_USAGE = `usage: canary-eval simulate [scenario…] [--policy <file>] [--report <out.html>] [--json] [--fail-on-rollback]

  scenario         a name from scenarios/ (healthy, error-regression, …) or a path to a scenario YAML
                   (default: ${DEFAULT_SCENARIOS.join(' ')})
  --policy <file>  judge every scenario with this policy instead of the simulation's (lib/simulate/scenario-policy.ts)
  --report <file>  also write a self-contained HTML report with charts
  --json           print machine-readable results instead of the text report (only JSON on stdout)
  --fail-on-rollback  exit 3 when any scenario was rolled back (a CI gate on a candidate policy)
Exit codes: 0 every scenario ran to a verdict, 1 a simulation broke or a file is invalid, 2 usage error,
3 a scenario was rolled back (--fail-on-rollback only).`;

export interface SimulateOptions {
  readonly scenarios: readonly string[];
  readonly policyFile?: string;
  readonly reportFile?: string;
  readonly json: boolean;
  readonly failOnRollback: boolean;
}

/** Parses the command line; returns an error message for a malformed one. */
export function parseSimulateArgs(argv: readonly string[]): SimulateOptions | { error: string } {
  const scenarios: string[] = [];
  let policyFile: string | undefined;
  let reportFile: string | undefined;
  let json = false;
  let failOnRollback = false;
  for (let index = 0; index < argv.length; index += 1) {
    const argument = argv[index];
    if (argument === '--json') json = true;
    else if (argument === '--fail-on-rollback') failOnRollback = true;
    else if (argument === '--policy' || argument === '--report') {
      const value = argv[index + 1];
      if (value === undefined || value.startsWith('--')) return { error: `${argument} needs a file name` };
      if (argument === '--policy') policyFile = value;
      else reportFile = value;
      index += 1;
    } else if (argument.startsWith('-')) return { error: `unknown option "${argument}"` };
    else scenarios.push(argument);
  }
  return { scenarios: scenarios.length > 0 ? scenarios : [...DEFAULT_SCENARIOS], policyFile, reportFile, json, failOnRollback };
}

/** The machine-readable result of one scenario (`--json`). */
export function scenarioJson(run: ScenarioRun) {
  return {
    scenario: run.scenario,
    startTime: run.startTime,
    decision: run.finalVerdict?.decision ?? null,
    codeDeploy: run.outcome,
    reports: run.reports,
    timeline: run.timeline,
    finalVerdict: run.finalVerdict ?? null,
    decisionPoint: run.decision,
    execution: run.execution,
    charts: run.charts,
    policy: run.policy,
    traffic: run.traffic,
    smokeTests: run.smokeTests,
    // What the evaluator published besides the verdict: each look's spend per request by arm.
    published: { costPerRequest: run.costPerRequest },
  };
}

/** A progress line on an interactive terminal; silent otherwise (pipes, tests, CI logs). */
function progressLine(io: CommandIO): { update: (text: string) => void; clear: () => void } {
  if (io !== processIO || !process.stderr.isTTY) return { update: () => undefined, clear: () => undefined };
  return {
    update: (text) => process.stderr.write(`\r\x1b[K${text}`),
    clear: () => process.stderr.write('\r\x1b[K'),
  };
}

/**
 * `canary-eval simulate`: runs seeded scenarios through the synthesized state machine with the real
 * handlers on a virtual clock, and shows what the evaluator decided, why, and what CodeDeploy did.
 * Exits 0 whatever the verdicts; 1 when a simulation itself broke: the state machine execution
 * failed (e.g. a policy query the simulated CloudWatch cannot answer) or no report reached CodeDeploy.
 */
export async function simulateCommand(argv: readonly string[], io: CommandIO): Promise<number> {
  if (argv.includes('-h') || argv.includes('--help')) {
    io.stdout(SIMULATE_USAGE);
    return EXIT.ok;
  }
  const options = parseSimulateArgs(argv);
  if ('error' in options) {
    io.stderr(`canary-eval simulate: ${options.error}\n\n${SIMULATE_USAGE}`);
    return EXIT.usage;
  }
  // Load everything first: a typo in the third scenario should not cost the first two runs.
  const scenarios = options.scenarios.map(loadScenario);
  const policy: Policy | undefined = options.policyFile ? loadValidatedPolicyFile(options.policyFile) : undefined;

  // On a terminal, wrap at its width between words (as `status --watch` fits its table); pipes get whole lines.
  const columns = io === processIO && process.stdout.isTTY ? process.stdout.columns : undefined;
  const fit = (text: string) => (columns ? wrapToWidth(text, columns) : text);
  const progress = progressLine(io);
  progress.update('synthesizing the evaluation state machine…');
  const definition = synthesizeEvaluationDefinition();
  const runs: ScenarioRun[] = [];
  for (const { scenario, source } of scenarios) {
    const run = await runScenario(scenario, {
      definition,
      source,
      ...(policy ? { policy } : {}),
      onProgress: (minute) => progress.update(`simulating ${scenario.name}: minute ${minute}…`),
    });
    progress.clear();
    runs.push(run);
    if (!options.json) io.stdout(`${fit(renderEvaluationText(scenarioReport(run)))}\n\n`);
  }

  if (options.json) io.stdout(JSON.stringify({ scenarios: runs.map(scenarioJson) }, null, 2));
  else io.stdout(fit(renderSummaryText(runs.map(scenarioReport))));
  if (options.reportFile) {
    writeFileSync(options.reportFile, renderHtmlReport(runs.map(scenarioReport)));
    io.stderr(`HTML report written to ${options.reportFile}`);
  }
  const broken = runs.filter((run) => run.outcome.action === 'no-report' || run.outcome.action === 'unwatched' || run.execution.status !== 'SUCCEEDED');
  for (const run of broken) {
    const why = run.execution.error ?? run.outcome.summary;
    io.stderr(`canary-eval simulate: scenario "${run.scenario.name}": the evaluation did not run to a verdict: ${why}`);
  }
  if (broken.length > 0) return EXIT.invalid;
  const rolledBack = runs.filter((run) => run.outcome.action === 'rolled-back');
  if (options.failOnRollback && rolledBack.length > 0) {
    io.stderr(`canary-eval simulate: --fail-on-rollback: ${rolledBack.map((run) => run.scenario.name).join(', ')} rolled back`);
    return EXIT.rolledBack;
  }
  return EXIT.ok;
}
