import { synthesizeEvaluationDefinition } from '../../lib/simulate/definition';
import { loadScenario, runScenario, scenarioReport } from '../../lib/simulate/scenario-run';
import { renderEvaluationText } from '../../lib/report/text-report';
import { wrapToWidth } from '../../lib/report/wrap';

const width = (line: string) => [...line].length;
const words = (text: string) => text.split(/\s+/).filter(Boolean);

describe('terminal text wrapped to the terminal\'s width, between words', () => {
  let texts: string[];
  beforeAll(async () => {
    const definition = synthesizeEvaluationDefinition();
    texts = [];
    for (const name of ['low-traffic', 'error-regression']) {
      const { scenario, source } = loadScenario(name);
      texts.push(renderEvaluationText(scenarioReport(await runScenario(scenario, { definition, source }))));
    }
  }, 120_000);

  test.each([80, 100])('at %i columns: no line wider than the terminal but an unbreakable chart row, every word whole and in order', (columns) => {
    for (const text of texts) {
      // Unwrapped, the report has lines a terminal of this width would break mid-word.
      expect(text.split('\n').some((line) => width(line) > columns)).toBe(true);
      const wrapped = wrapToWidth(text, columns);
      for (const line of wrapped.split('\n')) {
        if (width(line) > columns) expect(line).toMatch(/^\s*(canary|baseline)?\s*[▁▂▃▄▅▆▇█ ▔▲]+$/);
      }
      expect(words(wrapped)).toEqual(words(text));
    }
  });

  test('a continuation line keeps the indentation of its line, plus a hanging indent', () => {
    expect(wrapToWidth('  ✗ lambda-error-rate 2.7 % on the new version vs 0.92 % on the current one (×2.9): regression shown', 40).split('\n')).toEqual([
      '  ✗ lambda-error-rate 2.7 % on the new',
      '      version vs 0.92 % on the current',
      '      one (×2.9): regression shown',
    ]);
    expect(wrapToWidth('short', 40)).toBe('short');
  });
});
