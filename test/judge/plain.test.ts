import { falseAlarmWords, metricDetails, metricHeadline, plainReason, verdictSummary } from '../../lib/judge/plain';
import { formatEffect, formatLevel, formatPlain } from '../../lib/judge/format';
import type { MetricResult } from '../../lib/judge/verdict';

const base = { metric: 'errors', method: 'sequential', critical: true, alpha: 0.01 } as const;
// The errors metric tolerates ×1.5 (its sequential `tolerance`, as the report's policy summary states it).
const errors = 1.5;

describe('plain words: what happened first, in units, then the outcome', () => {
  test.each<[string, MetricResult, string, string]>([
    [
      'a regression',
      { ...base, decision: 'fail', baseline: { periods: 9, count: 75, total: 8160 }, canary: { periods: 9, count: 24, total: 895 }, effect: 2.89, interval: [1.004, 6.31], evidence: { eValue: 1251 }, reason: 'errors ×2.89 [1, 6.31] — harm shown after 6 periods (E≥100)' },
      'errors 2.7 % on the new version vs 0.92 % on the current one (×2.9): regression shown',
      '24 of 895 requests on the new version vs 75 of 8,160 on the current one; 99 % interval 1.0–6.3; evidence 1,251 against "no regression", 100 needed; sequential, α 0.01',
    ],
    [
      'harm ruled out',
      { ...base, decision: 'pass', baseline: { periods: 15, count: 700, total: 67000 }, canary: { periods: 15, count: 70, total: 7500 }, effect: 0.89, interval: [0.62, 1.24], evidence: { eValue: 0.01 }, reason: 'x' },
      'errors 0.93 % on the new version vs 1.0 % on the current one (×0.89): a regression of ×1.5 or more ruled out',
      '70 of 7,500 requests on the new version vs 700 of 67,000 on the current one; 99 % interval 0.62–1.2; evidence 0.01 against "no regression", 100 needed; sequential, α 0.01',
    ],
    [
      'undecided',
      { ...base, decision: 'continue', baseline: { periods: 5, count: 30, total: 3000 }, canary: { periods: 5, count: 4, total: 300 }, effect: 1.3, interval: [0.2, null], evidence: { eValue: 0.5, eValuePass: 25 }, reason: 'x' },
      'errors 1.3 % on the new version vs 1.0 % on the current one (×1.3): not decided yet',
      '4 of 300 requests on the new version vs 30 of 3,000 on the current one; 99 % interval: at least ×0.2; evidence 0.5 against "no regression", 25 against "a regression of ×1.5 or more", 100 needed; sequential, α 0.01',
    ],
    [
      '0 events against 0: no ratio',
      { ...base, decision: 'continue', baseline: { periods: 5, count: 0, total: 3000 }, canary: { periods: 5, count: 0, total: 300 }, effect: 10.3, interval: [0, null], evidence: { eValue: 1, eValuePass: 1 }, reason: 'errors ×10.3 [0, ∞)' },
      'errors 0 % on the new version vs 0 % on the current one (no estimate: no events on either version): not decided yet',
      '0 of 300 requests on the new version vs 0 of 3,000 on the current one; evidence 1.0 against "no regression", 1.0 against "a regression of ×1.5 or more", 100 needed; sequential, α 0.01',
    ],
    [
      '0 events on the new version: no ratio that reads as "worse"',
      { ...base, decision: 'continue', baseline: { periods: 15, count: 1, total: 268 }, canary: { periods: 15, count: 0, total: 28 }, effect: 3.2, interval: [null, null], evidence: { eValue: 0.86, eValuePass: 1.1 }, reason: 'errors ×3.2' },
      'errors 0 % on the new version vs 0.37 % on the current one (no estimate: 0 events on the new version): not decided yet',
      '0 of 28 requests on the new version vs 1 of 268 on the current one; evidence 0.86 against "no regression", 1.1 against "a regression of ×1.5 or more", 100 needed; sequential, α 0.01',
    ],
    [
      '0 events on the current version',
      { ...base, decision: 'continue', baseline: { periods: 15, count: 0, total: 2680 }, canary: { periods: 15, count: 2, total: 280 }, effect: 40, interval: [0.5, null], evidence: { eValue: 3 }, reason: 'x' },
      'errors 0.71 % on the new version vs 0 % on the current one (no estimate: 0 events on the current version): not decided yet',
      '2 of 280 requests on the new version vs 0 of 2,680 on the current one; evidence 3.0 against "no regression", 100 needed; sequential, α 0.01',
    ],
  ])('%s', (_name, result, headline, details) => {
    expect(metricHeadline(result, errors)).toBe(headline);
    expect(metricDetails(result, errors)).toBe(details);
    for (const words of [headline, details]) expect(words).not.toMatch(/E≥|pass-E|t=\d|\[0, ∞\)/);
    // A ratio (or its interval) appears only where both versions had events.
    if ((result.canary.count ?? 0) === 0 || (result.baseline.count ?? 0) === 0) expect(`${headline} ${details}`).not.toMatch(/\(×\d|interval/);
  });

  test('cost per request, gauges, and the method\'s own words where it has no statistics', () => {
    const cost: MetricResult = { metric: 'tokens', method: 'cost', critical: true, alpha: 0.01, decision: 'fail', baseline: { periods: 9, requests: 9000, costPerRequest: 0.002 }, canary: { periods: 9, requests: 900, costPerRequest: 0.003 }, effect: 1.5, interval: [1.3, 1.7], evidence: { eValue: 400 }, pricing: 'catalog 1.0, 2026-09-23', reason: 'x' };
    expect(metricHeadline(cost, 1.2)).toBe('tokens $3.0 per 1,000 requests on the new version vs $2.0 on the current one (×1.5): regression shown');
    expect(metricDetails(cost, 1.2)).toBe('99 % interval 1.3–1.7; evidence 400 against "no regression", 100 needed; cost, α 0.01; priced by catalog 1.0, 2026-09-23');
    // Provenance is for the report and JSON: the one-line words (chat) leave it out.
    expect(plainReason(cost, 1.2)).not.toContain('priced by');
    const gauge: MetricResult = { metric: 'p99', method: 'threshold', critical: false, decision: 'pass', baseline: { periods: 15, median: 910 }, canary: { periods: 15, median: 814 }, reason: 'p99: within bounds so far (15 period(s) judged, 0 over a bound)' };
    expect(metricHeadline(gauge)).toBe('p99 median 814 on the new version vs 910 on the current one: within bounds');
    expect(metricDetails(gauge)).toBe('within bounds so far (15 period(s) judged, 0 over a bound); threshold');
  });

  test('an undecided metric at the deadline says what would have decided it; the verdict says each reason once', () => {
    const undecided: MetricResult = { ...base, decision: 'inconclusive', baseline: { periods: 15, count: 3, total: 268 }, canary: { periods: 15, count: 1, total: 28 }, effect: 1.2, interval: [null, null], evidence: { eValue: 1.09, eValuePass: 1.05 }, reason: 'x' };
    expect(plainReason(undecided, errors)).toBe(
      'errors 3.6 % on the new version vs 1.1 % on the current one (×1.2): no verdict by the deadline (28 requests on the new version; evidence 1.09 of the 100 needed; roughly 1,497 requests on the new version (×53.4) would have decided)',
    );
    const other = { ...undecided, metric: 'slow' };
    const summary = verdictSummary({ decision: 'inconclusive', reason: 'r', metrics: [undecided, other] });
    expect(summary).toBe('no verdict by the deadline (traffic too low: 28 requests on the new version, roughly 1,497 would have decided): errors, slow undecided');
    expect(summary.match(/28 requests/g)).toHaveLength(1);
    expect(verdictSummary({ decision: 'fail', reason: 'r', metrics: [{ ...undecided, decision: 'fail' }, { ...other, decision: 'pass' }] })).toBe('errors regressed');
    expect(verdictSummary({ decision: 'pass', reason: 'r', metrics: [{ ...undecided, decision: 'pass' }] })).toBe('all 1 metric passed');
  });

  test('the false-alarm bound is explained once: why "≤ 0.5 %" under a policy α of 0.01', () => {
    expect(falseAlarmWords({ falseAlarmBound: 0.005, alphaShare: 0.5 }, 0.01)).toBe(
      "chance of failing a good release ≤ 0.5%: this phase's 50% share of the policy's α 0.01",
    );
    expect(falseAlarmWords({ falseAlarmBound: 0.01 }, 0.01)).toBe('chance of failing a good release ≤ 1%');
    expect(falseAlarmWords({}, 0.01)).toBeUndefined();
  });

  test('the evidence needed is what the comparison tested against: with an absolute guard on, its share of α is not the comparison\'s', () => {
    const guarded: MetricResult = { ...base, alpha: 0.01 / 6, decision: 'fail', baseline: { periods: 9, count: 75, total: 8160 }, canary: { periods: 9, count: 24, total: 895 }, effect: 2.89, interval: [1.05, null], evidence: { eValue: 2442, guardEValue: 1e-80 }, reason: 'x' };
    expect(metricDetails(guarded, errors)).toContain('evidence 2,442 against "no regression", 1,200 needed');
    expect(metricDetails({ ...guarded, evidence: { eValue: 2442 } }, errors)).toContain('600 needed');
  });

  test('numbers people read', () => {
    expect([formatPlain(2.94), formatPlain(1.004), formatPlain(0.0123), formatPlain(8160), formatPlain(29.3)]).toEqual(['2.9', '1.0', '0.012', '8,160', '29.3']);
    expect([formatLevel(0.01), formatLevel(0.01 / 3), formatLevel(0.0001)]).toEqual(['99 %', '99.7 %', '99.99 %']);
    expect(formatEffect({ effect: 2, interval: [null, null], alpha: 0.05, canary: { count: 1, total: 10 }, baseline: { count: 1, total: 10 } })).toBe('×2.0 (95 % interval: any ratio)');
  });
});
