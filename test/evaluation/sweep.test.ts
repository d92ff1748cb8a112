import { executionsToSweep, parseSweepEvent, sweepEvent, sweepSince, SWEEP_INTERVAL_MINUTES, SWEEP_LOOKBACK_SECONDS } from '../../lib/evaluation';
import { DEFAULT_EVALUATION_TIMEOUT_SECONDS, HOOK_DEADLINE_SECONDS } from '../../lib/policy/limits';

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
