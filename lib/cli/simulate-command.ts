import { writeFileSync } from 'node:fs';
import type { Policy } from '../policy';
import { loadValidatedPolicyFile } from '../evaluation/policy-check';
import { synthesizeEvaluationDefinition } from '../simulate/definition';
import { renderHtmlReport } from '../report/html-report';
import { renderEvaluationText, renderSummaryText } from '../report/text-report';
import { wrapToWidth } from '../report/wrap';
import { loadScenario, runScenario, scenarioReport, ScenarioNotFoundError, type ScenarioRun } from '../simulate/scenario-run';
import type { Scenario } from '../simulate/scenario';
import { readTextFile } from '../policy/documents';
import {
  ecsNativeOutcomeSummary,
  ecsNativeScenarioNames,
  ecsNativeScenarioPath,
  isEcsNativeScenarioDocument,
  loadEcsNativeScenarioFile,
  parseEcsNativeScenarioText,
  renderEcsNativeScenarioText,
  runEcsNativeScenario,
  type EcsNativeScenario,
  type EcsNativeScenarioRun,
} from '../simulate/ecs-native/scenario';
import { parse as parseYaml } from 'yaml';
import { EXIT, processIO, type CommandIO } from './io';

/**
 * What `npm start` runs: one release that should pass, one too thin to judge, and six that should be
 * stopped: two of them by a leading indicator (token spend at equal tokens; reasoning per turn before
 * errors rise), one by the budget gate (spend at full traffic projected over the daily budget) and one
 * by a new error signature in its logs, in the bake, after the canary watch let it through.
 */
export const DEFAULT_SCENARIOS = ['healthy', 'low-traffic', 'error-regression', 'latency-regression', 'cache-miss-regression', 'reasoning-drop', 'budget-breach', 'new-exception'] as const;

/**
 * And, after them, the ECS native deployments (`scenarios/ecs-native/`, issue 27): ECS shifts traffic step
 * by step and calls the evaluator's hook at each stage; a 5xx regression on green is rolled back at a step.
 * About 2 s of virtual-clock simulation each, so they run by default.
 */
export const DEFAULT_ECS_NATIVE_SCENARIOS = ['ecs-native-canary'] as const;

export const SIMULATE_USAGE = `usage: canary-eval simulate [scenario…] [--policy <file>] [--report <out.html>] [--json] [--fail-on-rollback]

  scenario         a name from scenarios/ (healthy, error-regression, …) or a path to a scenario YAML
                   or from scenarios/ecs-native/ (an ECS native deployment: kind: ecs-native)
                   (default: ${[...DEFAULT_SCENARIOS, ...DEFAULT_ECS_NATIVE_SCENARIOS].join(' ')})
  --policy <file>  judge every scenario with this policy instead of the simulation's (lib/simulate/scenario-policy.ts)
  --report <file>  also write a self-contained HTML report with charts (CodeDeploy scenarios only)
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
  return { scenarios: scenarios.length > 0 ? scenarios : [...DEFAULT_SCENARIOS, ...DEFAULT_ECS_NATIVE_SCENARIOS], policyFile, reportFile, json, failOnRollback };
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

/** The machine-readable result of one ECS native scenario (`--json`). */
export function ecsNativeScenarioJson(run: EcsNativeScenarioRun) {
  return {
    scenario: run.scenario,
    startTime: run.startTime,
    strategy: run.strategy,
    hookTimeoutMinutes: run.hookTimeoutMinutes,
    outcome: run.result.outcome,
    summary: ecsNativeOutcomeSummary(run),
    failedAt: run.failedAt ?? null,
    answers: run.result.answers.map((answer) => ({ stage: answer.stage, weight: answer.weight, at: answer.at.toISOString(), hookStatus: answer.response.hookStatus, rollback: answer.rollback ?? false })),
    inProgressAnswers: run.result.inProgress,
    verdictEvents: run.result.verdictEvents.map((event) => ({ evaluation: event.deploymentId, status: event.status, decision: event.decision, reason: event.reason })),
  };
}

type LoadedScenario = { kind: 'codedeploy'; scenario: Scenario; source: string } | { kind: 'ecs-native'; scenario: EcsNativeScenario; source: string };

/**
 * A command-line scenario: a name from `scenarios/` (CodeDeploy) or `scenarios/ecs-native/`, or a path to a
 * YAML file, which is an ECS native scenario when it says `kind: ecs-native`.
 */
export function loadSimulation(argument: string): LoadedScenario {
  const looksLikePath = argument.includes('/') || argument.includes('\\') || /\.ya?ml$/.test(argument);
  if (!looksLikePath) {
    const ecsPath = ecsNativeScenarioPath(argument);
    if (ecsPath) return { kind: 'ecs-native', scenario: loadEcsNativeScenarioFile(ecsPath), source: `scenarios/ecs-native/${argument}.yaml` };
  } else {
    let document: unknown;
    try {
      document = parseYaml(readTextFile(argument));
    } catch {
      document = undefined; // loadScenario below says what is wrong with the file
    }
    if (isEcsNativeScenarioDocument(document)) return { kind: 'ecs-native', scenario: parseEcsNativeScenarioText(readTextFile(argument), argument), source: argument };
  }
  try {
    return { kind: 'codedeploy', ...loadScenario(argument) };
  } catch (error) {
    if (error instanceof ScenarioNotFoundError && !looksLikePath) {
      throw new ScenarioNotFoundError(`${error.message}; ECS native scenarios (scenarios/ecs-native/): ${ecsNativeScenarioNames().join(', ')}`);
    }
    throw error;
  }
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
  const loaded = options.scenarios.map(loadSimulation);
  const policy: Policy | undefined = options.policyFile ? loadValidatedPolicyFile(options.policyFile) : undefined;

  // On a terminal, wrap at its width between words (as `status --watch` fits its table); pipes get whole lines.
  const columns = io === processIO && process.stdout.isTTY ? process.stdout.columns : undefined;
  const fit = (text: string) => (columns ? wrapToWidth(text, columns) : text);
  const progress = progressLine(io);
  progress.update('synthesizing the evaluation state machine…');
  const definition = synthesizeEvaluationDefinition();
  const runs: ScenarioRun[] = [];
  const ecsRuns: EcsNativeScenarioRun[] = [];
  for (const entry of loaded) {
    if (entry.kind === 'ecs-native') {
      progress.update(`simulating ${entry.scenario.name} (ECS native)…`);
      const run = await runEcsNativeScenario(entry.scenario, { definition, source: entry.source, ...(policy ? { policy } : {}) });
      progress.clear();
      ecsRuns.push(run);
      if (!options.json) io.stdout(`${fit(renderEcsNativeScenarioText(run))}\n\n`);
      continue;
    }
    const { scenario, source } = entry;
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

  if (options.json) {
    io.stdout(JSON.stringify({ scenarios: runs.map(scenarioJson), ...(ecsRuns.length > 0 ? { ecsNative: ecsRuns.map(ecsNativeScenarioJson) } : {}) }, null, 2));
  } else {
    if (runs.length > 0) io.stdout(fit(renderSummaryText(runs.map(scenarioReport))));
    if (ecsRuns.length > 0) {
      const width = Math.max(...ecsRuns.map((run) => run.scenario.name.length));
      const lines = [
        ...(runs.length > 0 ? [''] : ['━━ Summary ━━']),
        // Under 80 columns, as the paragraph above.
        'ECS native deployments: ECS called the hook at each stage and step; the same',
        'state machine and handlers judged them; only the ALB target-group metrics, ECS',
        'and time were simulated.',
        ...ecsRuns.map((run) => `  ${run.scenario.name.padEnd(width)}  ${ecsNativeOutcomeSummary(run)}`),
      ];
      io.stdout(fit(lines.join('\n')));
    }
  }
  if (options.reportFile) {
    writeFileSync(options.reportFile, renderHtmlReport(runs.map(scenarioReport)));
    io.stderr(`HTML report written to ${options.reportFile}`);
    if (ecsRuns.length > 0) io.stderr(`(the HTML report has the CodeDeploy scenarios only; ${ecsRuns.map((run) => run.scenario.name).join(', ')}: see the text or --json output)`);
  }
  const broken = runs.filter((run) => run.outcome.action === 'no-report' || run.outcome.action === 'unwatched' || run.execution.status !== 'SUCCEEDED');
  for (const run of broken) {
    const why = run.execution.error ?? run.outcome.summary;
    io.stderr(`canary-eval simulate: scenario "${run.scenario.name}": the evaluation did not run to a verdict: ${why}`);
  }
  const brokenEcs = ecsRuns.filter((run) => run.brokenExecutions.length > 0);
  for (const run of brokenEcs) {
    io.stderr(`canary-eval simulate: scenario "${run.scenario.name}": an evaluation did not run to a verdict: ${run.brokenExecutions.join('; ')}`);
  }
  if (broken.length > 0 || brokenEcs.length > 0) return EXIT.invalid;
  const rolledBack = [...runs.filter((run) => run.outcome.action === 'rolled-back'), ...ecsRuns.filter((run) => run.result.outcome === 'rolled-back')];
  if (options.failOnRollback && rolledBack.length > 0) {
    io.stderr(`canary-eval simulate: --fail-on-rollback: ${rolledBack.map((run) => run.scenario.name).join(', ')} rolled back`);
    return EXIT.rolledBack;
  }
  return EXIT.ok;
}
