import { executionsToSweep, parseSweepEvent, sweepEvent, sweepSince, SWEEP_INTERVAL_MINUTES, SWEEP_LOOKBACK_SECONDS } from '../../lib/evaluation';
import { DEFAULT_EVALUATION_TIMEOUT_SECONDS, HOOK_DEADLINE_SECONDS } from '../../lib/policy/limits';
import { EXECUTION_PUBLICATION_LOOKBACK_SECONDS } from '../../lib/evaluation/contracts';
import type { EndedExecution, ExecutionRecord, VerdictEvent, VerdictSink } from '../../lib/evaluation/ports';
import { acceptedInRecord, publicationKeyOfExecution, publishFromExecutions } from '../../lib/evaluation/sweep';
import { InMemoryPublicationLedger } from '../../lib/simulate/publication-ledger';
import { failedVerdictEvent } from '../fixtures/evaluation/verdict-event';

const NOW = new Date('2026-11-26T11:00:00Z');
const since = sweepSince(NOW);
const at = (secondsAgo: number) => new Date(NOW.getTime() - secondsAgo * 1000);
const arn = (name: string) => `arn:aws:states:us-east-1:123456789012:execution:Evaluation:${name}`;

describe('sweep of executions whose status event was lost', () => {
  test('looks back three intervals, so two failed sweeps in a row lose nothing', () => {
    expect(since).toEqual(at(3 * SWEEP_INTERVAL_MINUTES * 60));
    expect(SWEEP_LOOKBACK_SECONDS).toBe(3 * SWEEP_INTERVAL_MINUTES * 60);
  });

  test('a lost TIMED_OUT at the default evaluation timeout is swept before the hook deadline', () => {
    expect(DEFAULT_EVALUATION_TIMEOUT_SECONDS + SWEEP_INTERVAL_MINUTES * 60).toBeLessThan(HOOK_DEADLINE_SECONDS);
  });

  test('selects the reaped statuses that ended within the lookback, each once', () => {
    const swept = executionsToSweep(
      [
        { executionArn: arn('failed'), status: 'FAILED', stopDate: at(30) },
        { executionArn: arn('timed-out'), status: 'TIMED_OUT', stopDate: since },
        { executionArn: arn('failed'), status: 'FAILED', stopDate: at(30) },
        { executionArn: arn('too-old'), status: 'ABORTED', stopDate: at(SWEEP_LOOKBACK_SECONDS + 1) },
        { executionArn: arn('succeeded'), status: 'SUCCEEDED', stopDate: at(10) },
        { executionArn: arn('running'), status: 'RUNNING' },
        { executionArn: arn('no-stop-date'), status: 'ABORTED' },
        { executionArn: arn('inherited'), status: 'toString', stopDate: at(10) },
      ],
      since,
    );
    expect(swept).toEqual([
      { status: 'FAILED', executionArn: arn('failed') },
      { status: 'TIMED_OUT', executionArn: arn('timed-out') },
    ]);
  });

  test('parses the rule input it is given, and nothing else', () => {
    const stateMachineArn = 'arn:aws:states:us-east-1:123456789012:stateMachine:Evaluation';
    expect(parseSweepEvent(sweepEvent(stateMachineArn))).toEqual({ stateMachineArn });
    expect(parseSweepEvent({ 'detail-type': 'Step Functions Execution Status Change' })).toBeUndefined();
    expect(parseSweepEvent(null)).toBeUndefined();
    expect(() => parseSweepEvent({ sweep: {} })).toThrow('sweep event: sweep.stateMachineArn must be a state machine ARN, got undefined');
  });
});

describe('verdicts accepted in the executions, found when the ledger has no record of them (issue 23 item 3)', () => {
  const NOW = new Date('2026-11-26T11:00:00Z');
  const ARN = 'arn:aws:states:us-east-1:123456789012:execution:Evaluation:d-SWEEP01-AfterAllowTraffic';
  const accepted: VerdictEvent = failedVerdictEvent('d-SWEEP01');
  const input = { deploymentId: 'd-SWEEP01', switches: { dryRun: false, onEvaluatorError: 'fail', notify: 'every-verdict' } };
  const record: ExecutionRecord = { input: JSON.stringify(input), reportResults: [{ status: 'Failed', result: 'reported', event: accepted }] };
  const ended = (minutesAgo: number, arn = ARN): EndedExecution => ({ executionArn: arn, status: 'SUCCEEDED', stopDate: new Date(NOW.getTime() - minutesAgo * 60_000) });

  function harness(records: Record<string, ExecutionRecord> = { [ARN]: record }) {
    const out = { verdicts: 0, events: 0, notifications: 0, historyReads: 0 };
    const sink: VerdictSink = { publishTick: async () => undefined, publishVerdictMetrics: async () => void (out.verdicts += 1), publishVerdictEvent: async () => void (out.events += 1) };
    const ledger = new InMemoryPublicationLedger();
    const deps = {
      sink,
      ledger,
      records: { readRecord: async (arn: string) => ((out.historyReads += 1), records[arn] ?? { reportResults: [] }) },
      notifications: { notifier: { publish: async () => void (out.notifications += 1) }, topicArn: 'arn:aws:sns:us-east-1:123456789012:oncall' },
      log: { info: () => undefined, error: () => undefined },
      now: () => NOW,
      pendingKeys: new Set<string>(),
    };
    return { deps, ledger, out };
  }
  const since = sweepSince(NOW, EXECUTION_PUBLICATION_LOOKBACK_SECONDS);

  test('publishes an accepted verdict nothing recorded, each step once, and a second sweep finds it done without reading the history', async () => {
    const { deps, out } = harness();
    await expect(publishFromExecutions([ended(3)], since, deps)).resolves.toEqual({ checked: 1, published: 1, failures: [] });
    expect(out).toEqual({ verdicts: 1, events: 1, notifications: 1, historyReads: 1 });
    await expect(publishFromExecutions([ended(5)], since, deps)).resolves.toEqual({ checked: 0, published: 0, failures: [] });
    expect(out).toEqual({ verdicts: 1, events: 1, notifications: 1, historyReads: 1 });
  });

  test('leaves alone what the ledger lists pending, what ended outside the lookback, and what ended too recently for its publish Task to be done', async () => {
    const { deps, out } = harness();
    const pending = { ...deps, pendingKeys: new Set(['d-SWEEP01-AfterAllowTraffic']) };
    await expect(publishFromExecutions([ended(3)], since, pending)).resolves.toEqual({ checked: 0, published: 0, failures: [] });
    await expect(publishFromExecutions([ended(EXECUTION_PUBLICATION_LOOKBACK_SECONDS / 60 + 1), ended(0.25)], since, deps)).resolves.toEqual({ checked: 0, published: 0, failures: [] });
    expect(out).toEqual({ verdicts: 0, events: 0, notifications: 0, historyReads: 0 });
  });

  test('publishes only the steps not marked done (metrics made before the ledger went down)', async () => {
    const { deps, ledger, out } = harness();
    await ledger.markDone('d-SWEEP01-AfterAllowTraffic', 'metrics');
    await expect(publishFromExecutions([ended(3)], since, deps)).resolves.toEqual({ checked: 1, published: 1, failures: [] });
    expect(out).toMatchObject({ verdicts: 0, events: 1 });
  });

  test('an execution whose state machine accepted nothing (the hook or the reaper reported) publishes nothing', async () => {
    const { deps, out } = harness({ [ARN]: { input: JSON.stringify(input), reportResults: [{ unexpected: 'shape' }, { result: 'reported' }] } });
    await expect(publishFromExecutions([ended(3)], since, deps)).resolves.toEqual({ checked: 1, published: 0, failures: [] });
    expect(out).toMatchObject({ verdicts: 0, events: 0 });
  });

  test('a ledger that cannot be read fails that execution by name (no blind publishing); the others go on', async () => {
    const other = ARN.replace('d-SWEEP01', 'd-SWEEP02');
    const { deps, ledger, out } = harness({ [ARN]: record, [other]: { ...record, reportResults: [{ result: 'reported', event: { ...accepted, deploymentId: 'd-SWEEP02' } }] } });
    const flaky = { ...deps, ledger: { ...ledger, listPending: ledger.listPending.bind(ledger), markDone: ledger.markDone.bind(ledger), recordPending: ledger.recordPending.bind(ledger), complete: ledger.complete.bind(ledger), doneSteps: async (key: string) => (key.startsWith('d-SWEEP01') ? Promise.reject(new Error('S3: SlowDown')) : ledger.doneSteps(key)) } };
    await expect(publishFromExecutions([ended(3), ended(4, other)], since, flaky)).resolves.toEqual({ checked: 1, published: 1, failures: [`${ARN}: S3: SlowDown`] });
    expect(out).toMatchObject({ verdicts: 1, events: 1 });
  });

  test('a malformed accepted event is named (execution and field), never a TypeError', async () => {
    const withoutLifecycleEvent: Record<string, unknown> = { ...accepted };
    delete withoutLifecycleEvent.lifecycleEvent;
    const { deps } = harness({ [ARN.replace('d-SWEEP01-AfterAllowTraffic', 'hashed-name')]: { reportResults: [{ result: 'reported', event: withoutLifecycleEvent }] } });
    const result = await publishFromExecutions([ended(3, ARN.replace('d-SWEEP01-AfterAllowTraffic', 'hashed-name'))], since, deps);
    expect(result.failures).toEqual([expect.stringContaining('report.event.lifecycleEvent: expected a non-empty string, got nothing')]);
  });

  test('a failed execution with no accepted report: the reaper’s verdict is rebuilt past the grace, only when CodeDeploy holds its status', async () => {
    const failed = (minutesAgo: number): EndedExecution => ({ ...ended(minutesAgo), status: 'FAILED' });
    const reaped: ExecutionRecord = { input: JSON.stringify({ ...input, lifecycleEventHookExecutionId: 'hook-1', lifecycleEvent: 'AfterAllowTraffic' }), reportResults: [] };
    for (const [held, minutesAgo, published] of [['Failed', 3, 0], ['Succeeded', 12, 0], ['Failed', 12, 1]] as const) {
      const { deps, out } = harness({ [ARN]: reaped });
      const withStatus = { ...deps, hookStatus: { readStatus: async () => held } };
      await expect(publishFromExecutions([failed(minutesAgo)], since, withStatus)).resolves.toEqual({ checked: 1, published, failures: [] });
      expect(out).toMatchObject({ verdicts: published, events: published });
    }
    const { deps, out } = harness({ [ARN]: reaped });
    await expect(publishFromExecutions([failed(12)], since, deps)).resolves.toEqual({ checked: 1, published: 0, failures: [] });
    expect(out).toMatchObject({ events: 0 });
  });

  test('the ledger key comes from the execution name the hook gives, and from nothing else', () => {
    expect(publicationKeyOfExecution(ARN)).toBe('d-SWEEP01-AfterAllowTraffic');
    expect(publicationKeyOfExecution(ARN.replace('AfterAllowTraffic', 'AfterAllowTestTraffic'))).toBe('d-SWEEP01-AfterAllowTestTraffic');
    expect(publicationKeyOfExecution('arn:aws:states:us-east-1:123456789012:execution:Evaluation:manual-run')).toBeUndefined();
    expect(acceptedInRecord(record, ARN)?.event).toEqual(accepted);
    expect(acceptedInRecord({ reportResults: [{ result: 'already-completed', event: { ...accepted, status: 'NotReported' } }] }, ARN)).toBeUndefined();
  });
});
