/**
 * `npm run bench:faults`: the whole fault grid (lib/simulate/fault-grid.ts) through the synthesized state
 * machine with the real handlers. Prints the cases, accepted reports, verdict events, Verdicts counts and hung executions,
 * and each case that breaks a guarantee; exits 1 if any does.
 */
import { faultGrid, faultOutcomeProblems, runFaultCase, type FaultOutcome } from '../lib/simulate/fault-grid';
import { metricFaultGrid, runMetricFaultCase } from '../lib/simulate/metric-fault-grid';
import { synthesizeEvaluationDefinition } from '../lib/simulate/definition';

async function main(): Promise<number> {
  const definition = synthesizeEvaluationDefinition();
  // The Task faults, then the CloudWatch rows (throttling, results not Complete: issues 22.1, 23.5),
  // which must also never end as an evaluator error.
  const runs: Array<() => Promise<FaultOutcome & { evaluatorError?: boolean }>> = [
    ...faultGrid().map((testCase) => () => runFaultCase(definition, testCase)),
    ...metricFaultGrid().map((testCase) => () => runMetricFaultCase(definition, testCase)),
  ];
  const started = performance.now();
  const counts = { cases: 0, exactlyOneReport: 0, oneMatchingEvent: 0, verdictsCountedOnce: 0, noEvent: 0, duplicateEvents: 0, publishFaultedCases: 0, contradictingEvents: 0, hung: 0, metricFaultCases: 0, metricEvaluatorErrors: 0, broken: 0 };
  // Issue 23 items 3, 4, 8 (the ledger down, StartExecution erring after it created the execution, a malformed event), counted apart too.
  const publicationCases = new Set(faultGrid().filter((testCase) => testCase.publicationFault).map((testCase) => testCase.name));
  const publicationFaults = { cases: 0, exactlyOneReport: 0, oneMatchingEvent: 0, contradicting: 0, lost: 0 };
  for (const run of runs) {
    const outcome = await run();
    if (outcome.evaluatorError !== undefined) counts.metricFaultCases += 1;
    if (outcome.evaluatorError) counts.metricEvaluatorErrors += 1;
    counts.cases += 1;
    if (outcome.acceptedReports === 1) counts.exactlyOneReport += 1;
    if (outcome.verdictEvents === 1 && outcome.eventMatchesReport) counts.oneMatchingEvent += 1;
    if (outcome.verdictsCounted === 1) counts.verdictsCountedOnce += 1;
    if (outcome.verdictEvents === 0) counts.noEvent += 1;
    if (outcome.verdictEvents > 1 || outcome.verdictsCounted > 1) counts.duplicateEvents += 1;
    if (outcome.publishFaulted) counts.publishFaultedCases += 1;
    if (!outcome.eventMatchesReport) counts.contradictingEvents += 1;
    if (outcome.hung) counts.hung += 1;
    if (publicationCases.has(outcome.name)) {
      publicationFaults.cases += 1;
      if (outcome.acceptedReports === 1) publicationFaults.exactlyOneReport += 1;
      if (outcome.verdictEvents === 1 && outcome.eventMatchesReport) publicationFaults.oneMatchingEvent += 1;
      if (!outcome.eventMatchesReport) publicationFaults.contradicting += 1;
      if (outcome.verdictEvents === 0) publicationFaults.lost += 1;
    }
    const problems = [...faultOutcomeProblems(outcome), ...(outcome.evaluatorError ? ['missing CloudWatch data ended as an evaluator error'] : [])];
    if (problems.length > 0) {
      counts.broken += 1;
      console.log(`BROKEN ${outcome.name}: ${problems.join('; ')}`);
    }
  }
  const seconds = (performance.now() - started) / 1000;
  console.log(JSON.stringify({ ...counts, publicationFaults, seconds: Number(seconds.toFixed(1)), msPerCase: Math.round((seconds * 1000) / counts.cases) }, null, 2));
  return counts.broken === 0 ? 0 : 1;
}

main().then((code) => process.exit(code));
