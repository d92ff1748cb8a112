import { plainReason } from '../../lib/judge/plain';
import { formatEffect, formatLevel, formatPlain } from '../../lib/judge/format';
import type { MetricResult } from '../../lib/judge/verdict';
import { parsePolicy } from '../../lib/policy';

const base = { metric: 'errors', method: 'sequential', critical: true, alpha: 0.01 } as const;
const errors = parsePolicy({ metrics: [{ name: 'errors', kind: 'count', count: { namespace: 'A', metricName: 'E' }, total: { namespace: 'A', metricName: 'R' }, versioning: { type: 'lambda-alias' }, method: { type: 'sequential', tolerance: 1.5 } }] }).metrics[0];

describe('plain words', () => {
  test.each<[string, MetricResult, string]>([
    [
      'a regression',
      { ...base, decision: 'fail', baseline: { periods: 9, count: 75, total: 8160 }, canary: { periods: 9, count: 24, total: 895 }, effect: 2.89, interval: [1.004, 6.31], evidence: { eValue: 1251 }, reason: 'errors ×2.89 [1, 6.31] — harm shown after 6 periods (E≥100)' },
      'errors ×2.9 (99 % interval 1.0–6.3): 24 of 895 requests on the new version vs 75 of 8,160 on the current one; regression shown: evidence 1,251 against "no regression", 100 needed',
    ],
    [
      'harm ruled out',
      { ...base, decision: 'pass', baseline: { periods: 15, count: 700, total: 67000 }, canary: { periods: 15, count: 70, total: 7500 }, effect: 0.89, interval: [0.62, 1.24], evidence: { eValue: 0.01 }, reason: 'x' },
      'errors ×0.89 (99 % interval 0.62–1.2): 70 of 7,500 requests on the new version vs 700 of 67,000 on the current one; a regression of ×1.5 or more ruled out at the 100-to-1 evidence needed',
    ],
    [
      'undecided',
      { ...base, decision: 'continue', baseline: { periods: 5, count: 30, total: 3000 }, canary: { periods: 5, count: 4, total: 300 }, effect: 1.3, interval: [0.2, null], evidence: { eValue: 0.5, eValuePass: 25 }, reason: 'x' },
      'errors ×1.3 (99 % interval: at least ×0.2): 4 of 300 requests on the new version vs 30 of 3,000 on the current one; not decided yet: evidence 0.5 against "no regression" and 25 against "a regression of ×1.5 or more", 100 needed',
    ],
    [
      '0 events against 0: no effect',
      { ...base, decision: 'continue', baseline: { periods: 5, count: 0, total: 3000 }, canary: { periods: 5, count: 0, total: 300 }, effect: 10.3, interval: [0, null], evidence: { eValue: 1, eValuePass: 1 }, reason: 'errors ×10.3 [0, ∞)' },
      'errors: no events on either version (0 of 300 requests on the new version vs 0 of 3,000 on the current one): nothing to compare yet',
    ],
  ])('%s', (_name, result, words) => {
    expect(plainReason(result, errors)).toBe(words);
    expect(plainReason(result, errors)).not.toMatch(/E≥|pass-E|t=\d|\[0, ∞\)/);
  });

  test('numbers people read', () => {
    expect([formatPlain(2.94), formatPlain(1.004), formatPlain(0.0123), formatPlain(8160), formatPlain(29.3)]).toEqual(['2.9', '1.0', '0.012', '8,160', '29.3']);
    expect([formatLevel(0.01), formatLevel(0.01 / 3), formatLevel(0.0001)]).toEqual(['99 %', '99.7 %', '99.99 %']);
    expect(formatEffect({ effect: 2, interval: [null, null], alpha: 0.05, canary: { count: 1, total: 10 }, baseline: { count: 1, total: 10 } })).toBe('×2.0 (95 % interval: any ratio)');
  });
});
