import { faultGrid, faultOutcomeProblems, runFaultCase, seededSubset } from '../../lib/simulate/fault-grid';
import { synthesizeEvaluationDefinition } from '../../lib/simulate/definition';

/**
 * A seeded subset of the fault grid (every Task × every Lambda and Step Functions error, malformed
 * output and hang × {permanent, once}, both phases, the report failing after reporting, both report
 * paths down). The whole grid runs in `npm run bench:faults`, which prints the counts.
 */
const definition = synthesizeEvaluationDefinition();
const grid = faultGrid();
const SUBSET = seededSubset(grid, 40, 11);

describe('fault grid (seeded subset)', () => {
  test('covers every Task, fault and mode in both phases', () => {
    // 9 Tasks × 8 faults × 2 modes × 2 phases, plus 3 report cases per phase.
    expect(grid).toHaveLength(9 * 8 * 2 * 2 + 3 * 2);
    expect(new Set(grid.map((c) => c.name)).size).toBe(grid.length);
  });

  test.each(SUBSET.map((c) => [c.name, c] as const))('%s: one accepted report, one matching verdict event, no hang', async (_name, testCase) => {
    expect(faultOutcomeProblems(await runFaultCase(definition, testCase))).toEqual([]);
  });

  test('the checks fail on a broken outcome (negative control)', () => {
    expect(faultOutcomeProblems({ name: 'x', acceptedReports: 2, verdictEvents: 2, eventMatchesReport: false, hung: true, publishFaulted: false })).toHaveLength(4);
    expect(faultOutcomeProblems({ name: 'x', acceptedReports: 1, verdictEvents: 0, eventMatchesReport: true, hung: false, publishFaulted: false })).toEqual(['0 verdict events, expected 1']);
  });
});
