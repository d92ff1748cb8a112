import { judge, type CountPeriod } from '../../lib/judge';
import { harmPriorDensity, THETA_GRID } from '../../lib/judge/sequential';
import { parsePolicy } from '../../lib/policy';
import { createRandom, oracleSprtFailPeriod, simulateStream } from './simulate';

// A custom count metric, as in the benchmark: the error presets' absolute guard would take part of α.
const policy = parsePolicy({
  alpha: 0.01,
  metrics: [{ name: 'errors', kind: 'count', count: { namespace: 'App', metricName: 'Errors' }, total: { namespace: 'App', metricName: 'Requests' }, versioning: { type: 'dimension', dimension: 'Version' }, method: { type: 'sequential', tolerance: 1.5, dispersion: 'poisson' } }],
});
const observationsOf = (stream: { baseline: CountPeriod[]; canary: CountPeriod[] }) => ({ errors: { kind: 'count' as const, ...stream } });
const mean = (values: readonly number[]) => values.reduce((sum, value) => sum + value, 0) / values.length;

/** The period (1-based) at which one call on the whole window says the canary failed: every period is checked, so it is the look-by-look minute. */
function failPeriod(stream: { baseline: CountPeriod[]; canary: CountPeriod[] }): number | undefined {
  const metric = judge(policy, observationsOf(stream)).metrics[0];
  return metric.decision === 'fail' ? Number(/after (\d+) periods/.exec(metric.reason)![1]) : undefined;
}

describe('item 3: speed towards the oracle SPRT (1,000 requests/min, 10 % canary, 1 % errors, tolerance 1.5, α = 1 %)', () => {
  // Means, not medians: at ×3 the oracle needs about 4 minutes, and whole-minute medians move by 25 % a minute.
  test.each([
    [2, 1.1],
    [3, 1.1],
  ])('×%d: mean time to fail within ×%d the oracle’s on the same 200 seeded streams, detecting as often', (ratio, bound) => {
    const random = createRandom(300 + ratio);
    const ours: number[] = [];
    const oracle: number[] = [];
    for (let run = 0; run < 200; run++) {
      const stream = simulateStream(random, { periods: 30, requestsPerPeriod: 1000, canaryShare: () => 0.1, errorRate: 0.01, rateRatio: ratio });
      const period = failPeriod(stream);
      const best = oracleSprtFailPeriod(stream, ratio, 0.01);
      if (period !== undefined) ours.push(period);
      if (best !== undefined) oracle.push(best);
    }
    expect(mean(ours) / mean(oracle)).toBeLessThanOrEqual(bound);
    // Detection within 30 minutes: at most 3 standard errors below the oracle's.
    const oracleRate = oracle.length / 200;
    expect(ours.length / 200).toBeGreaterThanOrEqual(oracleRate - 3 * Math.sqrt((oracleRate * (1 - oracleRate)) / 200) - 0.05);
  });
});

describe('the harm prior', () => {
  const width = (g: number) => (THETA_GRID[Math.min(THETA_GRID.length - 1, g + 1)] - THETA_GRID[Math.max(0, g - 1)]) / 2;
  const massOver = (tolerance: number, inside: (theta: number) => boolean) =>
    Array.from(THETA_GRID).reduce((sum, theta, g) => sum + (inside(theta) ? harmPriorDensity(theta, tolerance) * width(g) : 0), 0);

  test.each([1.03, 1.5, 3])('tolerance %d: a density on θ > 0 only, about 90 %% of it within 2 sd of 2·log τ', (tolerance) => {
    const centre = 2 * Math.log(tolerance);
    const sd = 0.8 * Math.log(tolerance);
    expect(harmPriorDensity(0, tolerance)).toBe(0);
    expect(harmPriorDensity(-0.5, tolerance)).toBe(0);
    // A density (the grid ends at ×100, where the sd-2 tail leaves about 1 %; the weights are normalised on the grid).
    expect(massOver(tolerance, () => true)).toBeGreaterThan(0.98);
    expect(massOver(tolerance, () => true)).toBeLessThan(1.005);
    const nearCentre = massOver(tolerance, (theta) => Math.abs(theta - centre) <= 2 * sd);
    expect(nearCentre).toBeGreaterThan(0.85);
    expect(nearCentre).toBeLessThan(0.95);
  });
});
