import { metricHeadline } from '../judge';
import { explainMetric, renderEvaluationText, toleranceRatioFor } from '../report/text-report';
import { synthesizeEvaluationDefinition } from './definition';
import { loadScenario, runScenario, scenarioReport } from './scenario-run';
import { ecsNativeScenarioPath, loadEcsNativeScenarioFile, renderEcsNativeScenarioText, runEcsNativeScenario } from './ecs-native/scenario';

/**
 * The examples the README and the docs show, generated from real seeded runs so that they are what the
 * tool prints: `npm run docs:examples` writes them between the markers
 * `<!-- example:NAME -->` and `<!-- /example -->`, and a test checks that they are current.
 */
export const DOC_FILES = ['README.md', 'docs/simulation.md', 'docs/cost.md'] as const;

export async function docExamples(): Promise<Record<string, string>> {
  const definition = synthesizeEvaluationDefinition();
  const { scenario, source } = loadScenario('error-regression');
  const report = scenarioReport(await runScenario(scenario, { definition, source }));
  const failing = report.finalVerdict!.metrics.find((result) => result.decision === 'fail')!;
  // docs/cost.md: the verdict's words for why spend moved, and for the budget gate.
  const failedIn = async (name: string, metric: string) => {
    const loaded = loadScenario(name);
    const run = scenarioReport(await runScenario(loaded.scenario, { definition, source: loaded.source }));
    const result = run.finalVerdict!.metrics.find((entry) => entry.metric === metric)!;
    return { run, result };
  };
  const cacheMiss = await failedIn('cache-miss-regression', 'cost-per-request');
  const budget = await failedIn('budget-breach', 'budget');
  // docs/simulation.md: the ECS native scenario's report (the stage and step that failed).
  const ecsNative = await runEcsNativeScenario(loadEcsNativeScenarioFile(ecsNativeScenarioPath('ecs-native-canary')!), {
    definition,
    source: 'scenarios/ecs-native/ecs-native-canary.yaml',
  });
  return {
    'error-regression-headline': `"${metricHeadline(failing, toleranceRatioFor(report, failing.metric))}"`,
    'error-regression-text': ['```', renderEvaluationText(report), '```'].join('\n'),
    'cache-miss-verdict': ['```', ...explainMetric(cacheMiss.result, toleranceRatioFor(cacheMiss.run, 'cost-per-request')).filter((line) => !line.includes('details:')), '```'].join('\n'),
    'budget-breach-headline': `"${metricHeadline(budget.result)}"`,
    'ecs-native-canary-text': ['```', renderEcsNativeScenarioText(ecsNative), '```'].join('\n'),
  };
}

const MARKED = /(<!-- example:([a-z-]+) -->)([\s\S]*?)(<!-- \/example -->)/g;

/** The markdown with each marked example replaced by its current text; an unknown name is an error. */
export function applyExamples(markdown: string, examples: Readonly<Record<string, string>>, file: string): string {
  return markdown.replace(MARKED, (_whole, open: string, name: string, old: string, close: string) => {
    const text = examples[name];
    if (text === undefined) throw new Error(`${file}: unknown example "${name}" (known: ${Object.keys(examples).join(', ')})`);
    // Inline markers stay inline; block markers keep the example on lines of its own.
    const block = old.startsWith('\n');
    return block ? `${open}\n${text}\n${close}` : `${open}${text}${close}`;
  });
}

/** The names of the examples a markdown file marks. */
export function markedExamples(markdown: string): string[] {
  return [...markdown.matchAll(MARKED)].map((match) => match[2]);
}
