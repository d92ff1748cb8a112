import { judge, type Observations } from '../../lib/judge';
import { describeInconclusive } from '../../lib/judge/inconclusive';
import { parsePolicy } from '../../lib/policy';

/**
 * Issue 22 item 1: a metric whose data the source could not complete is not judged on what came. It
 * waits, and at the deadline it is inconclusive with the reason, whatever onTimeout/onNoData say.
 */
const reason = 'CloudWatch returned PartialData for the new version\'s count (query m0_canary_count) of errors';
const periods = (count: number) => Array.from({ length: 30 }, (_, i) => ({ t: i * 60, count, total: 1000 }));
const observations: Observations = { errors: { kind: 'count', canary: periods(0), baseline: periods(10), incomplete: reason } };

describe.each([
  ['sequential', { type: 'sequential' }],
  ['threshold', { type: 'threshold', maxRatioToBaseline: 2 }],
] as const)('an incomplete metric (%s)', (_name, method) => {
  const policy = (extra: object = {}) => parsePolicy({ metrics: [{ name: 'errors', kind: 'count', count: { namespace: 'A', metricName: 'E' }, total: { namespace: 'A', metricName: 'R' }, versioning: { type: 'dimension', dimension: 'V' }, method }], ...extra });

  test('is not judged before the deadline: the run waits, never passes on the counts that came', () => {
    const verdict = judge(policy(), observations);
    expect(verdict).toMatchObject({ decision: 'continue', final: false });
    expect(verdict.metrics[0]).toMatchObject({ decision: 'continue', dataIncomplete: reason });
  });

  test.each([{}, { onTimeout: 'pass', onNoData: 'pass' }, { onTimeout: 'fail', onNoData: 'fail' }])('is inconclusive with the reason at the deadline, under %j', (rules) => {
    const verdict = judge(policy(rules), observations, { deadlineReached: true });
    expect(verdict.decision).toBe('inconclusive');
    expect(verdict.reason).toContain(reason);
    expect(describeInconclusive(verdict.metrics[0])).toBe(`not judged: ${reason}`);
  });

  test('the same data, complete, is judged (control)', () => {
    const complete: Observations = { errors: { kind: 'count', canary: periods(0), baseline: periods(10) } };
    expect(judge(policy(), complete, { deadlineReached: true }).decision).toBe('pass');
  });
});
