import { plainReason } from '../../lib/judge/plain';
import { formatEffect, formatLevel, formatPlain } from '../../lib/judge/format';
import type { MetricResult } from '../../lib/judge/verdict';

const base = { metric: 'errors', method: 'sequential', critical: true, alpha: 0.01 } as const;
// The errors metric tolerates ×1.5 (its sequential `tolerance`, as the report's policy summary states it).
const errors = 1.5;

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

  test('cost per request, and a tolerance the policy did not state', () => {
    const cost: MetricResult = { metric: 'tokens', method: 'cost', critical: true, alpha: 0.01, decision: 'fail', baseline: { periods: 9, requests: 9000, costPerRequest: 0.002 }, canary: { periods: 9, requests: 900, costPerRequest: 0.003 }, effect: 1.5, interval: [1.3, 1.7], reason: 'x' };
    expect(plainReason(cost, 1.2)).toBe('tokens cost per request ×1.5 (99 % interval 1.3–1.7): $3.0 per 1,000 requests on the new version vs $2.0 on the current one; raised by more than 20%');
    expect(plainReason({ ...cost, decision: 'pass' })).toMatch(/; the tolerated rise or more ruled out$/);
    const undecided: MetricResult = { ...base, decision: 'continue', baseline: { periods: 2, count: 3, total: 300 }, canary: { periods: 2, count: 1, total: 30 }, effect: 3.3, interval: [0.1, null], evidence: { eValue: 2 }, reason: 'x' };
    expect(plainReason(undecided)).toBe('errors ×3.3 (99 % interval: at least ×0.1): 1 of 30 requests on the new version vs 3 of 300 on the current one; not decided yet: evidence 2.0 against "no regression", 100 needed');
  });

  test('numbers people read', () => {
    expect([formatPlain(2.94), formatPlain(1.004), formatPlain(0.0123), formatPlain(8160), formatPlain(29.3)]).toEqual(['2.9', '1.0', '0.012', '8,160', '29.3']);
    expect([formatLevel(0.01), formatLevel(0.01 / 3), formatLevel(0.0001)]).toEqual(['99 %', '99.7 %', '99.99 %']);
    expect(formatEffect({ effect: 2, interval: [null, null], alpha: 0.05, canary: { count: 1, total: 10 }, baseline: { count: 1, total: 10 } })).toBe('×2.0 (95 % interval: any ratio)');
  });
});
