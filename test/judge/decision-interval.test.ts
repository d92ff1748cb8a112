/**
 * Issue 22 item 6: the interval a verdict reports is the interval of the test that decided, at its
 * level — a fail's lies above the harm boundary, a pass's below the tolerance — and the harm boundary
 * is explicit in the policy (`harmAbove`). Seeded Monte Carlo, rates bounded with 3 standard errors.
 */
import { intervalBasisOf, judge, type MetricResult } from '../../lib/judge';
import { parsePolicy, policyAsInput, PolicyError } from '../../lib/policy';
import { createRandom, simulateStream, type StreamSpec } from './simulate';

const ALPHA = 0.01;
const se3 = (p: number, runs: number) => 3 * Math.sqrt((p * (1 - p)) / runs);
const policyOf = (method: object = {}, direction: 'increase' | 'decrease' = 'increase') =>
  parsePolicy({
    alpha: ALPHA,
    metrics: [{ name: 'm', kind: 'count', direction, count: { namespace: 'A', metricName: 'E' }, total: { namespace: 'A', metricName: 'R' }, versioning: { type: 'lambda-alias' }, method: { type: 'sequential', ...method } }],
  });
const spec = (requestsPerPeriod: number, rateRatio: number, extra: Partial<StreamSpec> = {}): StreamSpec => ({ periods: 30, requestsPerPeriod, canaryShare: () => 0.1, errorRate: 0.01, rateRatio, ...extra });

function results(policy: ReturnType<typeof policyOf>, streamSpec: StreamSpec, runs: number, seed: number): MetricResult[] {
  const random = createRandom(seed);
  return Array.from({ length: runs }, () => judge(policy, { m: { kind: 'count', ...simulateStream(random, streamSpec) } }).metrics[0]);
}

describe('issue 22 item 6: the interval agrees with the decision', () => {
  test.each([
    ['default', {}, 'increase'],
    ['Poisson counts', { dispersion: 'poisson' }, 'increase'],
    ['harmAbove 1.2', { harmAbove: 1.2 }, 'increase'],
    ['direction decrease', {}, 'decrease'],
  ] as const)('%s: every fail reports [low, ∞) with low above the harm boundary, every pass [0, high] with high below the tolerance', (_, method, direction) => {
    const policy = policyOf(method, direction);
    const boundary = 'harmAbove' in method ? method.harmAbove : 1;
    let fails = 0;
    let passes = 0;
    // Ratios from a clear pass to a clear fail, at low and high traffic (decrease: the canary's rate falls).
    for (const [i, ratio] of [0.5, 0.9, 1.2, 1.4, 2, 3].entries()) {
      for (const requests of [3000, 30_000]) {
        for (const result of results(policy, spec(requests, direction === 'decrease' ? 1 / ratio : ratio), 40, 10 * i + requests)) {
          const [low, high] = result.interval!;
          if (result.decision === 'fail') {
            fails++;
            expect(intervalBasisOf(result)).toBe('harm-test');
            if (direction === 'decrease') expect(low === null && high! <= 1 / boundary).toBe(true);
            else expect(high === null && low! >= boundary).toBe(true);
          }
          if (result.decision === 'pass') {
            passes++;
            expect(intervalBasisOf(result)).toBe('pass-test');
            if (direction === 'decrease') expect(high === null && low! >= 1 / 1.5).toBe(true);
            else expect(low === null && high! <= 1.5).toBe(true);
          }
        }
      }
    }
    expect(fails).toBeGreaterThan(50);
    expect(passes).toBeGreaterThan(50);
  });

  test('the reported interval covers the true ratio at the decision: a ×2 canary’s fail interval starts above ×2 in ≤ α of runs (3 SE)', () => {
    const runs = 300;
    const fails = results(policyOf({ dispersion: 'poisson' }), spec(3000, 2), runs, 7).filter((result) => result.decision === 'fail');
    expect(fails.length).toBeGreaterThan(0.9 * runs);
    expect(fails.filter((result) => result.interval![0]! > 2).length / runs).toBeLessThanOrEqual(ALPHA + se3(ALPHA, runs));
  });

  test('a pass’s interval ends below the true ratio in ≤ α of runs (3 SE): a ×0.8 canary at 30,000 req/min', () => {
    const runs = 300;
    const passes = results(policyOf(), spec(30_000, 0.8), runs, 8).filter((result) => result.decision === 'pass');
    expect(passes.length).toBeGreaterThan(0.5 * runs);
    expect(passes.filter((result) => result.interval![1]! < 0.8).length / runs).toBeLessThanOrEqual(ALPHA + se3(ALPHA, runs));
  });

  test('an undecided metric reports the two-sided confidence sequence; the deadline keeps it as such', () => {
    const stream = simulateStream(createRandom(9), spec(1000, 1.2, { periods: 5 }));
    const undecided = judge(policyOf(), { m: { kind: 'count', ...stream } }).metrics[0];
    expect(undecided.decision).toBe('continue');
    expect(intervalBasisOf(undecided)).toBe('confidence-sequence');
    const timedOut = judge(parsePolicy({ ...policyAsInput(policyOf()), onTimeout: 'fail' }), { m: { kind: 'count', ...stream } }, { deadlineReached: true }).metrics[0];
    expect(timedOut).toMatchObject({ decision: 'fail', intervalBasis: 'confidence-sequence', interval: undecided.interval });
  });
});

describe('issue 22 item 6: the harm boundary is explicit in the policy', () => {
  test('defaults to 1 (fail any regression the data prove) and must lie below the tolerance, naming the field', () => {
    expect(policyOf().metrics[0].method).toMatchObject({ harmAbove: 1, tolerance: 1.5 });
    expect(() => policyOf({ harmAbove: 1.5 })).toThrow(PolicyError);
    expect(() => policyOf({ harmAbove: 1.5 })).toThrow(/harmAbove.*harmAbove must be below tolerance/s);
    expect(() => policyOf({ harmAbove: 0.9 })).toThrow(/harmAbove/);
  });

  test('a ×1.36 shift inside a ×1.5 tolerance at high traffic (Poisson counts): failed by the default boundary, failed ≤ α (3 SE) with harmAbove 1.4', () => {
    const runs = 200;
    const shift = spec(300_000, 1.36);
    const byDefault = results(policyOf({ dispersion: 'poisson' }), shift, runs, 11).filter((result) => result.decision === 'fail').length / runs;
    const bounded = results(policyOf({ dispersion: 'poisson', harmAbove: 1.4 }), shift, runs, 11).filter((result) => result.decision === 'fail').length / runs;
    expect(byDefault).toBeGreaterThan(0.5);
    expect(bounded).toBeLessThanOrEqual(ALPHA + se3(ALPHA, runs));
  });
});
