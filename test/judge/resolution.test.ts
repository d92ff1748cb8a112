import fc from 'fast-check';
import { judge, sequentialRateTest, type CountPeriod } from '../../lib/judge';
import { parsePolicy } from '../../lib/policy';
import { createRandom, simulateStream } from './simulate';

const policyOf = (tolerance: number, alpha = 0.01) =>
  parsePolicy({ alpha, metrics: [{ preset: 'lambda-error-rate', method: { type: 'sequential', tolerance, dispersion: 'poisson' } }] });
const observationsOf = (stream: { baseline: CountPeriod[]; canary: CountPeriod[] }) => ({ 'lambda-error-rate': { kind: 'count' as const, ...stream } });
const lowerBound = (target: number, runs: number) => target - 3 * Math.sqrt((target * (1 - target)) / runs);

describe('item 4: every period is checked, so one call on a window equals the look-by-look run', () => {
  test('property: the first look that decides, and its decision, equal one call on the whole window', () => {
    const spec = fc.record({
      seed: fc.nat(1_000_000),
      periods: fc.integer({ min: 1, max: 60 }),
      requests: fc.constantFrom(20, 300, 3000),
      errorRate: fc.constantFrom(0.005, 0.02, 0.1),
      ratio: fc.constantFrom(0.7, 1, 1.3, 2, 4),
      tolerance: fc.constantFrom(1.1, 1.5),
    });
    fc.assert(
      fc.property(spec, ({ seed, periods, requests, errorRate, ratio, tolerance }) => {
        const stream = simulateStream(createRandom(seed), { periods, requestsPerPeriod: requests, canaryShare: () => 0.2, errorRate, rateRatio: ratio });
        const policy = policyOf(tolerance, 0.05);
        let lookByLook: { decision: string; after?: string } = { decision: 'continue' };
        for (let look = 1; look <= periods; look++) {
          const metric = judge(policy, observationsOf({ baseline: stream.baseline.slice(0, look), canary: stream.canary.slice(0, look) })).metrics[0];
          // Undecided is `continue`, or `nodata` while no period had events in both arms.
          if (metric.decision === 'pass' || metric.decision === 'fail') {
            lookByLook = { decision: metric.decision, after: /after \d+ periods/.exec(metric.reason)![0] };
            break;
          }
        }
        const whole = judge(policy, observationsOf(stream)).metrics[0];
        expect(whole.decision === 'nodata' ? 'continue' : whole.decision).toBe(lookByLook.decision);
        // The same period decides: "after N periods" counts the periods with traffic in both arms up to it.
        if (lookByLook.after) expect(/after \d+ periods/.exec(whole.reason)![0]).toBe(lookByLook.after);
      }),
      // A fixed seed: CI runs the same 150 streams every time.
      { numRuns: 150, seed: 20261202 },
    );
  });
});

describe('item 2: resolution', () => {
  test('×1.06 at 10⁶ requests/min, 10 % canary, 1 % errors, tolerance 1.03: failed within 30 minutes in ≥ 90 % of runs', () => {
    const runs = 60;
    const random = createRandom(106);
    const policy = policyOf(1.03);
    let failed = 0;
    for (let run = 0; run < runs; run++) {
      const stream = simulateStream(random, { periods: 30, requestsPerPeriod: 1e6, canaryShare: () => 0.1, errorRate: 0.01, rateRatio: 1.06 });
      if (judge(policy, observationsOf(stream)).decision === 'fail') failed++;
    }
    expect(failed / runs).toBeGreaterThanOrEqual(lowerBound(0.9, runs));
  });

  test('×1.01 with tolerance 1.05 at high traffic passes (harm of ×1.05 ruled out)', () => {
    const stream = simulateStream(createRandom(3), { periods: 30, requestsPerPeriod: 1e6, canaryShare: () => 0.1, errorRate: 0.01, rateRatio: 1.01 });
    expect(judge(policyOf(1.05), observationsOf(stream)).decision).toBe('pass');
  });

  test('the interval shrinks with the data, well below the old ×1.36 floor', () => {
    const stream = simulateStream(createRandom(8), { periods: 40, requestsPerPeriod: 1e6, canaryShare: () => 0.1, errorRate: 0.01 });
    const rows = stream.canary.map((c, i) => ({ t: c.t, canaryCount: c.count, canaryTotal: c.total, baselineCount: stream.baseline[i].count, baselineTotal: stream.baseline[i].total }));
    const width = (periods: number) => {
      const [low, high] = sequentialRateTest(rows.slice(0, periods), { alpha: 0.01, tolerance: 1.5 }).interval;
      return high! / low!;
    };
    expect(width(40)).toBeLessThan(width(10));
    expect(width(10)).toBeLessThan(width(2));
    expect(width(40)).toBeLessThan(1.1);
    const [low, high] = sequentialRateTest(rows, { alpha: 0.01, tolerance: 1.5 }).interval;
    expect(low!).toBeLessThan(1);
    expect(high!).toBeGreaterThan(1);
  });
});
