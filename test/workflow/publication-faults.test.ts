import { faultCaseDeployment, faultGrid, faultOutcomeProblems, runFaultCase } from '../../lib/simulate/fault-grid';
import { synthesizeEvaluationDefinition } from '../../lib/simulate/definition';
import { simulateDeployment } from '../../lib/simulate/deployment';

/**
 * Issue 23 items 3, 4 and 8 through the synthesized state machine with the real handlers: the ledger
 * down while the report and publish steps run, StartExecution erring after it created the execution,
 * and a report step returning a malformed event. Each case: one accepted report inside the hour, one
 * verdict event and one `Verdicts` count, matching what CodeDeploy holds.
 */
const definition = synthesizeEvaluationDefinition();
const cases = faultGrid().filter((c) => c.publicationFault);

describe('publication faults (issue 23 items 3, 4, 8)', () => {
  test('the grid holds every publication fault in both phases', () => {
    expect(cases).toHaveLength(20);
    expect(new Set(cases.map((c) => c.lifecycleEvent))).toEqual(new Set(['BeforeAllowTraffic', 'AfterAllowTraffic']));
  });

  test.each(cases.map((c) => [c.name, c] as const))('%s: one accepted report, one matching verdict event, Verdicts once', async (_name, testCase) => {
    const outcome = await runFaultCase(definition, testCase);
    expect(faultOutcomeProblems(outcome)).toEqual([]);
  });
});

describe('each fault, looked at closely', () => {
  const PHASES = ['BeforeAllowTraffic', 'AfterAllowTraffic'] as const;
  const run = (phase: string, label: string) => simulateDeployment(definition, faultCaseDeployment(cases.find((c) => c.lifecycleEvent === phase && c.name.endsWith(label))!));

  test.each(PHASES)('%s, ledger down over report and publish: the sweep finds the verdict in the execution, publishes it once', async (phase) => {
    const result = await run(phase, 'ledger down while the report and publish steps run');
    expect(result.reports).toHaveLength(1);
    expect(result.verdictEvents.map((e) => e.status)).toEqual([result.reports[0].status]);
    expect(result.verdictMetrics).toHaveLength(1);
    // Nothing was recorded pending: the execution's history is where the sweep found it.
    expect(result.sweep).toMatchObject({ pendingPublications: 0, publishedFromExecutions: 1 });
    expect(result.publicationSweep).toMatchObject({ publishedFromExecutions: 0 });
  });

  test.each(PHASES)('%s, StartExecution errs after creating the execution and the lookup finds it: the hook leaves the report to the execution', async (phase) => {
    const result = await run(phase, 'lookup finds it');
    expect(result.hookOutcomes).toEqual(['started']);
    expect(result.reports).toEqual([{ status: 'Succeeded', at: expect.any(Date) }]);
    expect(result.verdictEvents).toEqual([expect.objectContaining({ status: 'Succeeded', decision: 'pass' })]);
  });

  test.each(PHASES)('%s, StartExecution errs after creating the execution and the lookup fails: the hook reports Failed, the execution publishes Failed, not its pass', async (phase) => {
    const result = await run(phase, 'lookup fails');
    expect(result.hookOutcomes).toEqual(['reported']);
    expect(result.reports.map((r) => r.status)).toEqual(['Failed']);
    expect(result.verdictEvents).toEqual([expect.objectContaining({ status: 'Failed', decision: 'error', cause: 'evaluator-error', reason: expect.stringContaining('reported outside this evaluation') })]);
    expect(result.verdictEvents[0].reason).toContain('not reported: pass');
    expect(result.verdictMetrics.map((e) => e.status)).toEqual(['Failed']);
    // CodeDeploy holds Failed: no canary watch of a deployment that is rolling back.
    expect(result.watchTicks).toHaveLength(0);
  });

  test.each(PHASES)('%s, a report event without lifecycleEvent: the publish fails naming the field, the hook is reported once, the recorded verdict is published', async (phase) => {
    const result = await run(phase, 'report returns its event without lifecycleEvent');
    expect(result.reports).toHaveLength(1);
    expect(JSON.stringify((result.execution.output as { publishError?: unknown }).publishError)).toContain('event.lifecycleEvent: expected a non-empty string, got nothing');
    expect(result.execution.status).toBe('SUCCEEDED');
    expect(result.verdictEvents.map((e) => e.lifecycleEvent)).toEqual([phase]);
  });
});
