import { STATE } from '../../lib/constructs/evaluation-definition';
import { faultGrid, faultOutcomeProblems, PUBLICATION_FAULTS, runFaultCase, seededSubset } from '../../lib/simulate/fault-grid';
import { synthesizeEvaluationDefinition } from '../../lib/simulate/definition';

/**
 * A seeded subset of the fault grid (every Task × every Lambda and Step Functions error, malformed
 * output and hang × {permanent, once}, both phases, the report failing after reporting, the publish
 * failing after publishing, both report paths down). The whole grid runs in `npm run bench:faults`, which prints the counts.
 */
const definition = synthesizeEvaluationDefinition();
const grid = faultGrid();
const SUBSET = seededSubset(grid, 40, 11);

describe('fault grid (seeded subset)', () => {
  test('covers every Task, fault and mode in both phases', () => {
    // 9 Tasks × 8 faults × 2 modes × 2 phases, plus 3 report cases and 2 publish cases per phase,
    // plus the publication faults of issue 23 per phase (test/workflow/publication-faults.test.ts runs them all).
    expect(grid).toHaveLength(9 * 8 * 2 * 2 + 5 * 2 + PUBLICATION_FAULTS.length * 2);
    expect(new Set(grid.map((c) => c.name)).size).toBe(grid.length);
  });

  test.each(SUBSET.map((c) => [c.name, c] as const))('%s: one accepted report, one matching verdict event, no hang', async (_name, testCase) => {
    expect(faultOutcomeProblems(await runFaultCase(definition, testCase))).toEqual([]);
  });

  // Issue 11: a publish Task that fails every attempt (or fails after it published) neither loses nor
  // doubles the verdict event or its Verdicts count; on main these lost the event (0 events).
  const publishFaults = grid.filter((c) => c.targets.some((t) => t === STATE.publish || t === STATE.publishError) && (c.mode === 'permanent' || c.afterRunning) && (c.kind === 'States.TaskFailed' || c.kind === 'malformed-output' || c.afterRunning));
  test('the publish-fault cases picked cover both publish Tasks, both phases and a publish that fails after publishing', () => {
    expect(new Set(publishFaults.map((c) => `${c.lifecycleEvent} ${c.targets.join()}`)).size).toBe(4);
    expect(publishFaults.some((c) => c.afterRunning)).toBe(true);
  });
  test.each(publishFaults.map((c) => [c.name, c] as const))('%s: exactly one verdict event and one Verdicts count', async (_name, testCase) => {
    const outcome = await runFaultCase(definition, testCase);
    expect(outcome).toMatchObject({ verdictEvents: 1, verdictsCounted: 1, acceptedReports: 1, eventMatchesReport: true, hung: false });
    expect(faultOutcomeProblems(outcome)).toEqual([]);
  });

  test('the checks fail on a broken outcome (negative control)', () => {
    expect(faultOutcomeProblems({ name: 'x', acceptedReports: 2, verdictEvents: 2, verdictsCounted: 2, eventMatchesReport: false, hung: true, publishFaulted: false })).toHaveLength(5);
    const healthy = { name: 'x', acceptedReports: 1, verdictEvents: 1, verdictsCounted: 1, eventMatchesReport: true, hung: false };
    expect(faultOutcomeProblems({ ...healthy, verdictEvents: 0, publishFaulted: false })).toEqual(['0 verdict events, expected exactly 1']);
    // A faulted publish Task is no excuse any more.
    expect(faultOutcomeProblems({ ...healthy, verdictEvents: 0, verdictsCounted: 0, publishFaulted: true })).toEqual(['0 verdict events, expected exactly 1', 'Verdicts counted 0 times, expected exactly 1']);
    expect(faultOutcomeProblems({ ...healthy, verdictsCounted: 2, publishFaulted: false })).toEqual(['Verdicts counted 2 times, expected exactly 1']);
  });
});
