import { faultOutcomeProblems } from '../../lib/simulate/fault-grid';
import { metricFaultGrid, runMetricFaultCase } from '../../lib/simulate/metric-fault-grid';
import { synthesizeEvaluationDefinition } from '../../lib/simulate/definition';

/**
 * The fault grid's CloudWatch rows (issues 22.1 and 23.5), all of them (they are few): throttling and
 * results that are not Complete, through the real adapter and the synthesized state machine. Throttling
 * used to end the bake as an evaluator error (rolled back); now a throttled look is skipped.
 */
const definition = synthesizeEvaluationDefinition();
const grid = metricFaultGrid();

/** What the last bake verdict (AfterAllowTraffic) or watch look (BeforeAllowTraffic) must be. */
const EXPECTED: Record<string, string> = {
  'GetMetricData throttled once': 'pass',
  'GetMetricData throttled for 3 minutes': 'pass',
  'GetMetricData throttled for 10 minutes': 'pass',
  'GetMetricData throttled until the deadline': 'inconclusive',
  'canary Errors InternalError once': 'pass',
  'canary Errors PartialData every time': 'inconclusive',
  'canary Errors Forbidden every time': 'inconclusive',
};

describe('fault grid: CloudWatch throttling and incomplete results', () => {
  test('covers every fault in both phases', () => {
    expect(grid).toHaveLength(2 * Object.keys(EXPECTED).length);
  });

  test.each(grid.map((c) => [c.name, c] as const))('%s: one accepted report, one matching verdict event, no evaluator error', async (_name, testCase) => {
    const outcome = await runMetricFaultCase(definition, testCase);
    expect(faultOutcomeProblems(outcome)).toEqual([]);
    expect(outcome.evaluatorError).toBe(false);
    // Each look re-reads the whole window, so the first look after the throttling ends reads what was missed.
    expect(outcome.decision).toBe(EXPECTED[testCase.name.replace(/^\w+: /, '')]);
  }, 60_000);
});
