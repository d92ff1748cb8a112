import { judge, mannWhitney } from '../../lib/judge';
import { parsePolicy } from '../../lib/policy';
import { inflateConfidenceLevel, inflatePValue, rankAutocorrelation, varianceInflation } from '../../lib/judge/autocorrelation';
import { ar1Gauge, createRandom } from './simulate';

const policyOf = (autocorrelation?: 'adjust' | 'ignore', historyPeriods?: number, alpha = 0.05) =>
  parsePolicy({
    alpha,
    metrics: [
      {
        name: 'p99',
        kind: 'gauge',
        value: { namespace: 'A', metricName: 'L', stat: 'p99' },
        versioning: { type: 'lambda-alias' },
        method: { type: 'mann-whitney', tolerance: 0, ...(autocorrelation && { autocorrelation }), ...(historyPeriods !== undefined && { historyPeriods }) },
      },
    ],
  });
const se3 = (p: number, runs: number) => 3 * Math.sqrt((p * (1 - p)) / runs);

/** A baseline AR(1) series of `history` + 10 periods (the first `history` before the window) and an independent canary of 10. */
function observe(random: ReturnType<typeof createRandom>, phi: number, canaryLevel: number, history: number) {
  const baseline = ar1Gauge(random, history + 10, phi);
  const canary = ar1Gauge(random, 10, phi, canaryLevel).map((period, i) => ({ ...period, t: baseline[history + i].t }));
  return { p99: { kind: 'gauge' as const, baseline: baseline.slice(history), canary, baselineHistory: baseline.slice(0, history) } };
}

function failRate(autocorrelation: 'adjust' | 'ignore' | undefined, runs: number, seed: number, phi: number, canaryLevel = 100, history = 0, alpha = 0.05): number {
  const policy = policyOf(autocorrelation, undefined, alpha);
  const random = createRandom(seed);
  let failed = 0;
  for (let run = 0; run < runs; run++) {
    if (judge(policy, observe(random, phi, canaryLevel, history)).decision === 'fail') failed++;
  }
  return failed / runs;
}

describe('item 6: gauges with autocorrelation (Mann–Whitney at the default 10 samples, α = 5 %)', () => {
  const runs = 1000;

  test('the plain R-compatible test (autocorrelation: ignore) false-fails well above α at φ = 0.7', () => {
    expect(failRate('ignore', runs, 1, 0.7)).toBeGreaterThan(0.15);
  });

  test('adjust is the default, reading 240 periods of baseline history', () => {
    const method = policyOf().metrics[0].method;
    expect(method).toMatchObject({ autocorrelation: 'adjust', historyPeriods: 240 });
    const observations = observe(createRandom(9), 0.5, 105, 240);
    expect(judge(policyOf(), observations)).toEqual(judge(policyOf('adjust', 240), observations));
  });

  test.each([0, 0.3, 0.7])('adjust, from the window alone: A/A false fails ≤ α (3 SE) at AR(1) φ = %p', (phi) => {
    expect(failRate('adjust', runs, 2, phi)).toBeLessThanOrEqual(0.05 + se3(0.05, runs));
  });

  test.each([0, 0.3, 0.7])('adjust, with 240 baseline periods before the window: A/A false fails ≤ α (3 SE) at AR(1) φ = %p', (phi) => {
    expect(failRate('adjust', runs, 5, phi, 100, 240)).toBeLessThanOrEqual(0.05 + se3(0.05, runs));
  });

  test('adjust detects a canary 30 ms (3 innovation sd) slower at φ = 0.3, nearly always with history', () => {
    // The benchmark measures 79.0 % from the window alone and 99.8 % with 240 periods of history (1,000 runs each); the plain test 100 %.
    const alone = failRate('adjust', 300, 3, 0.3, 130);
    const withHistory = failRate('adjust', 300, 3, 0.3, 130, 240);
    expect(alone).toBeGreaterThan(0.6);
    expect(withHistory).toBeGreaterThan(0.95);
    expect(withHistory).toBeGreaterThan(alone);
  });

  test('at a small Bonferroni α (0.00125) the history is what lets 10 vs 10 decide: complete separation fails in ≥ 90 % of runs', () => {
    // From the window alone the bound on φ (≈ 0.35 at φ = 0) inflates the variance ×2 and p stays above α in most runs.
    expect(failRate('adjust', 300, 4, 0, 1000, 240, 0.00125)).toBeGreaterThan(0.9);
    expect(failRate('adjust', 300, 4, 0, 1000, 0, 0.00125)).toBeLessThan(0.5);
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
    expect(adjusted.reason).toMatch(/lag-1 rank autocorrelation ≤ [\d.]+ \(from the window alone\), variance ×[\d.]+/);
    expect(adjusted.evidence!.pValue!).toBeGreaterThanOrEqual(metric.evidence!.pValue!);
    const history = ar1Gauge(random, 30, 0.5).map((period) => ({ ...period, t: period.t - 3600 }));
    const withHistory = judge(policyOf('adjust'), { p99: { kind: 'gauge', baseline, canary, baselineHistory: history } }).metrics[0];
    expect(withHistory.reason).toMatch(/lag-1 rank autocorrelation ≤ [\d.]+ \(with 30 baseline periods before the window\)/);
    // historyPeriods caps what is read: the newest 10 of the 30.
    const capped = judge(policyOf('adjust', 10), { p99: { kind: 'gauge', baseline, canary, baselineHistory: history } }).metrics[0];
    expect(capped.reason).toMatch(/with 10 baseline periods before the window/);
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
    // A series too short for a lag-1 pair worth counting is left out, not pooled.
    const history = Array.from({ length: 60 }, (_, i) => Math.sin(i * 2.1));
    expect(rankAutocorrelation([5, 1], history)).toBe(rankAutocorrelation(history));
    // More values tighten the bound: independent noise with a long history bounds φ lower than the window alone.
    const noise = (n: number, seed: number) => ar1Gauge(createRandom(seed), n, 0).map((period) => period.value);
    expect(rankAutocorrelation(noise(240, 7), noise(10, 8), noise(10, 9))).toBeLessThan(rankAutocorrelation(noise(10, 8), noise(10, 9)));
  });
});
