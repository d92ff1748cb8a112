import { judge, mannWhitney } from '../../lib/judge';
import { parsePolicy } from '../../lib/policy';
import { inflateConfidenceLevel, inflatePValue, rankAutocorrelation, varianceInflation } from '../../lib/judge/autocorrelation';
import { ar1Gauge, createRandom } from './simulate';

const policyOf = (autocorrelation?: 'adjust' | 'ignore') =>
  parsePolicy({
    alpha: 0.05,
    metrics: [
      { name: 'p99', kind: 'gauge', value: { namespace: 'A', metricName: 'L', stat: 'p99' }, versioning: { type: 'lambda-alias' }, method: { type: 'mann-whitney', tolerance: 0, ...(autocorrelation && { autocorrelation }) } },
    ],
  });
const se3 = (p: number, runs: number) => 3 * Math.sqrt((p * (1 - p)) / runs);

function failRate(autocorrelation: 'adjust' | 'ignore' | undefined, runs: number, seed: number, phi: number, canaryLevel = 100): number {
  const policy = policyOf(autocorrelation);
  const random = createRandom(seed);
  let failed = 0;
  for (let run = 0; run < runs; run++) {
    const observations = { p99: { kind: 'gauge' as const, baseline: ar1Gauge(random, 10, phi), canary: ar1Gauge(random, 10, phi, canaryLevel) } };
    if (judge(policy, observations).decision === 'fail') failed++;
  }
  return failed / runs;
}

describe('item 6: gauges with autocorrelation (Mann–Whitney at the default 10 samples, α = 5 %)', () => {
  const runs = 1000;

  test('the plain test (the default, autocorrelation: ignore) false-fails well above α at φ = 0.7', () => {
    expect(failRate(undefined, runs, 1, 0.7)).toBeGreaterThan(0.15);
    expect(failRate('ignore', runs, 1, 0.7)).toBe(failRate(undefined, runs, 1, 0.7));
  });

  test.each([0, 0.3, 0.7])('autocorrelation: adjust: A/A false fails ≤ α (3 SE) at AR(1) φ = %p', (phi) => {
    expect(failRate('adjust', runs, 2, phi)).toBeLessThanOrEqual(0.05 + se3(0.05, runs));
  });

  test('adjust still detects a canary 30 ms (3 innovation sd) slower at φ = 0.3 in most runs', () => {
    // The benchmark measures 75.9 % ± 1.4 (1,000 runs); the plain test detects 100 %.
    expect(failRate('adjust', 300, 3, 0.3, 130)).toBeGreaterThan(0.6);
  });

  test("ignore is R's wilcox.test: the verdict's p-value is mannWhitney's, unchanged", () => {
    const random = createRandom(4);
    const baseline = ar1Gauge(random, 10, 0.5);
    const canary = ar1Gauge(random, 10, 0.5, 110);
    const metric = judge(policyOf('ignore'), { p99: { kind: 'gauge', baseline, canary } }).metrics[0];
    const plain = mannWhitney(baseline.map((p) => p.value), canary.map((p) => p.value), { alternative: 'greater' });
    expect(metric.evidence!.pValue).toBe(Number(plain.pValue.toPrecision(4)));
    expect(metric.reason).not.toMatch(/autocorrelation/);
    const adjusted = judge(policyOf('adjust'), { p99: { kind: 'gauge', baseline, canary } }).metrics[0];
    expect(adjusted.reason).toMatch(/lag-1 rank autocorrelation ≤ [\d.]+, variance ×[\d.]+/);
    expect(adjusted.evidence!.pValue!).toBeGreaterThanOrEqual(metric.evidence!.pValue!);
  });

  test('the pieces: AR(1) variance factor, p-value and level inflation, φ estimate bounds', () => {
    expect(varianceInflation(0, 10)).toBe(1);
    expect(varianceInflation(0.5, 2)).toBeCloseTo(1.5, 12); // 1 + 2 · ½ · 0.5
    expect(varianceInflation(0.5, 100_000)).toBeCloseTo(3, 3); // (1 + φ)/(1 − φ)
    expect(inflatePValue(0.05, 1)).toBeCloseTo(0.05, 12);
    expect(inflatePValue(0.025, 4)).toBeCloseTo(0.1635, 3); // z 1.96 → 0.98
    expect(inflateConfidenceLevel(0.95, 1)).toBeCloseTo(0.95, 12);
    expect(inflateConfidenceLevel(0.95, 100)).toBeLessThan(1);
    const trend = Array.from({ length: 10 }, (_, i) => i);
    expect(rankAutocorrelation(trend, trend.map((v) => v + 0.5))).toBe(0.95);
    expect(rankAutocorrelation([1, 1, 1], [1, 1, 1])).toBe(0);
  });
});
