import * as api from '../lib';
import reference from './fixtures/reference/mann-whitney-r.json';

describe('public API from the package root', () => {
  test('parsePolicy, judge and mannWhitney work together', () => {
    const policy = api.parsePolicy({ metrics: [{ preset: 'lambda-error-rate' }] });
    const verdict = api.judge(policy, { 'lambda-error-rate': { kind: 'count', baseline: [{ t: 0, count: 10, total: 1000 }], canary: [{ t: 0, count: 1, total: 100 }] } });
    expect(['pass', 'fail', 'continue']).toContain(verdict.decision);
    expect(verdict.metrics[0].method).toBe('sequential');
    const first = reference.cases[0];
    expect(api.mannWhitney(first.control, first.experiment, { alternative: 'two.sided', confidenceLevel: 0.98 }).w).toBe(first.two_sided.W);
  });
});
