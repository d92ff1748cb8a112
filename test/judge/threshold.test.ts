import { judge } from '../../lib/judge';
import { parsePolicy, policyAsInput } from '../../lib/policy';

const errorRate = (method: object) => parsePolicy({ metrics: [{ preset: 'lambda-error-rate', method: { type: 'threshold', ...method } }] });
const periods = (rows: Array<[number, number]>) => rows.map(([count, total], i) => ({ t: 60 * i, count, total }));

describe('judge with thresholds', () => {
  test('fails when the canary rate exceeds the ratio to the baseline in consecutive periods', () => {
    const policy = errorRate({ maxRatioToBaseline: 2, failureLimit: 2 });
    const verdict = judge(policy, {
      'lambda-error-rate': { kind: 'count', baseline: periods([[10, 1000], [10, 1000], [10, 1000]]), canary: periods([[1, 100], [5, 100], [5, 100]]) },
    });
    expect(verdict.decision).toBe('fail');
    expect(verdict.final).toBe(true);
    expect(verdict.metrics[0]).toMatchObject({ decision: 'fail', method: 'threshold', canary: { count: 11, total: 300 } });
    expect(verdict.reason).toContain('0.05 vs baseline 0.01');
  });

  test('continues while within bounds, then passes at the deadline by onTimeout', () => {
    const policy = errorRate({ max: 0.05 });
    const observations = { 'lambda-error-rate': { kind: 'count' as const, baseline: periods([[1, 100]]), canary: periods([[1, 100]]) } };
    expect(judge(policy, observations).decision).toBe('continue');
    expect(judge(policy, observations, { deadlineReached: true })).toMatchObject({ decision: 'pass', final: true });
  });

  test('ignores periods below the traffic floor and reports nodata', () => {
    const policy = errorRate({ max: 0.01, minTotalPerPeriod: 50 });
    const verdict = judge(policy, { 'lambda-error-rate': { kind: 'count', baseline: [], canary: periods([[5, 10]]) } });
    expect(verdict.metrics[0].decision).toBe('nodata');
    expect(judge(parsePolicy({ ...policyAsInput(policy), onNoData: 'fail' }), { 'lambda-error-rate': { kind: 'count', baseline: [], canary: [] } }, { deadlineReached: true }).decision).toBe('fail');
  });

  test('fails with a clear error when a metric has no observations', () => {
    expect(() => judge(errorRate({ max: 0.5 }), {})).toThrow('observations["lambda-error-rate"]: missing');
  });
});
