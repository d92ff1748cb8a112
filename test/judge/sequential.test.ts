import fc from 'fast-check';
import { judge, sequentialRateTest, type CountPeriod, type RatePeriod } from '../../lib/judge';
import { harmPriorDensity, THETA_GRID } from '../../lib/judge/sequential';
import { parsePolicy } from '../../lib/policy';
import { pnorm } from '../../lib/judge/normal';
import { createRandom, simulateStream, type StreamSpec } from './simulate';

const policyFor = (method: object = {}, extra: object = {}) =>
  parsePolicy({ alpha: 0.05, metrics: [{ preset: 'lambda-error-rate', method: { type: 'sequential', ...method }, ...extra }] });
const observationsOf = (stream: { baseline: CountPeriod[]; canary: CountPeriod[] }) => ({ 'lambda-error-rate': { kind: 'count' as const, ...stream } });
const paired = (rows: Array<[number, number, number, number]>): RatePeriod[] =>
  rows.map(([canaryCount, canaryTotal, baselineCount, baselineTotal], t) => ({ t, canaryCount, canaryTotal, baselineCount, baselineTotal }));

/** The harm e-value computed the slow, direct way (log1p per period and grid point), to check the fast path. */
function directHarmEValue(periods: readonly RatePeriod[], tolerance = 1.5): number {
  const grid = THETA_GRID;
  const zero = (grid.length - 1) / 2;
  let numerator = 0;
  let weightSum = 0;
  const logLikelihood = (theta: number) =>
    periods.reduce((sum, p) => sum + p.canaryCount * theta - (p.canaryCount + p.baselineCount) * Math.log1p(Math.exp(theta) * (p.canaryTotal / p.baselineTotal)), 0);
  const atZero = logLikelihood(0);
  for (let g = zero + 1; g < grid.length; g++) {
    const theta = grid[g];
    const width = (grid[Math.min(grid.length - 1, g + 1)] - grid[g - 1]) / 2;
    const weight = harmPriorDensity(theta, tolerance) * width;
    weightSum += weight;
    numerator += weight * Math.exp(logLikelihood(theta) - atZero);
  }
  return numerator / weightSum;
}

describe('sequentialRateTest', () => {
  test('its fast likelihood matches the direct computation', () => {
    const random = createRandom(7);
    const stream = simulateStream(random, { periods: 40, requestsPerPeriod: 2000, canaryShare: (i) => 0.05 + i * 0.02, errorRate: 0.01, rateRatio: 1.3 });
    const periods = stream.canary.map((c, i) => ({ t: c.t, canaryCount: c.count, canaryTotal: c.total, baselineCount: stream.baseline[i].count, baselineTotal: stream.baseline[i].total }));
    const fast = sequentialRateTest(periods, { alpha: 0.01, tolerance: 1.5 }).eValue;
    expect(Math.abs(Math.log(fast) - Math.log(directHarmEValue(periods)))).toBeLessThan(1e-6);
  });

  test('estimates the rate ratio by maximum likelihood and brackets it', () => {
    // 40/1000 vs 20/1000 in every period: ρ̂ = 2 exactly.
    const result = sequentialRateTest(paired(Array.from({ length: 20 }, () => [40, 1000, 20, 1000])), { alpha: 0.01, tolerance: 1.5 });
    expect(result.rateRatio).toBeCloseTo(2, 9);
    expect(result.interval[0]!).toBeLessThan(2);
    expect(result.interval[1]!).toBeGreaterThan(2);
    expect(result.interval[0]!).toBeGreaterThan(1);
    expect(result.harmShownAt).toBeDefined();
  });

  test('0 vs 307 errors gives a finite estimate and a lower bound, never NaN', () => {
    const harm = sequentialRateTest(paired([[307, 1300, 0, 11800]]), { alpha: 0.01, tolerance: 1.5 });
    expect(Number.isFinite(harm.rateRatio)).toBe(true);
    expect(harm.rateRatio).toBeGreaterThan(100);
    expect(harm.interval[0]).toBeGreaterThan(10);
    expect(harm.interval[1]).toBeNull();
    expect(harm.harmShownAt).toBe(0);
    const none = sequentialRateTest(paired([[0, 1300, 307, 11800]]), { alpha: 0.01, tolerance: 1.5 });
    expect(none.rateRatio).toBeGreaterThan(0);
    expect(none.rateRatio).toBeLessThan(0.1);
    expect(none.harmShownAt).toBeUndefined();
  });

  test('more canary errors never lower the evidence of harm', () => {
    const period = fc.tuple(fc.nat(50), fc.integer({ min: 1, max: 2000 }), fc.nat(50), fc.integer({ min: 1, max: 2000 }));
    fc.assert(
      fc.property(fc.array(period, { minLength: 1, maxLength: 20 }), fc.nat(19), fc.integer({ min: 1, max: 20 }), (rows, at, extra) => {
        const before = paired(rows.map(([c, ct, b, bt]) => [Math.min(c, ct), ct, Math.min(b, bt), bt]));
        const index = at % before.length;
        const after = before.map((p, i) => (i === index ? { ...p, canaryCount: p.canaryCount + extra, canaryTotal: p.canaryTotal + extra } : p));
        // Adding events without changing exposure: keep totals equal to isolate the count change.
        const afterSameExposure = after.map((p, i) => (i === index ? { ...p, canaryTotal: before[i].canaryTotal } : p));
        const options = { alpha: 0.01, tolerance: 1.5 };
        expect(sequentialRateTest(afterSameExposure, options).eValue).toBeGreaterThanOrEqual(sequentialRateTest(before, options).eValue * (1 - 1e-9));
      }),
      { numRuns: 200, seed: 20261202 },
    );
  });

  test('swapping the arms mirrors the effect (ρ → 1/ρ)', () => {
    const period = fc.tuple(fc.integer({ min: 1, max: 60 }), fc.integer({ min: 100, max: 5000 }), fc.integer({ min: 1, max: 60 }), fc.integer({ min: 100, max: 5000 }));
    fc.assert(
      fc.property(fc.array(period, { minLength: 1, maxLength: 15 }), (rows) => {
        const forward = sequentialRateTest(paired(rows), { alpha: 0.01, tolerance: 1.5 });
        const mirrored = sequentialRateTest(paired(rows.map(([c, ct, b, bt]) => [b, bt, c, ct])), { alpha: 0.01, tolerance: 1.5 });
        expect(forward.rateRatio! * mirrored.rateRatio!).toBeCloseTo(1, 8);
        const invert = (x: number | null) => (x === null ? null : 1 / x);
        const mirroredBack = [invert(mirrored.interval[1]), invert(mirrored.interval[0])];
        mirroredBack.forEach((end, i) => {
          if (end === null) expect(forward.interval[i]).toBeNull();
          else expect(end).toBeCloseTo(forward.interval[i]!, 8);
        });
      }),
      { numRuns: 150, seed: 20261202 },
    );
  });

  test('scaling both arms’ traffic equally leaves the decision unchanged', () => {
    const period = fc.tuple(fc.nat(40), fc.integer({ min: 50, max: 500 }), fc.nat(40), fc.integer({ min: 50, max: 500 }));
    fc.assert(
      fc.property(fc.array(period, { minLength: 1, maxLength: 15 }), fc.integer({ min: 2, max: 1000 }), (rows, scale) => {
        const base = paired(rows);
        const scaled = base.map((p) => ({ ...p, canaryTotal: p.canaryTotal * scale, baselineTotal: p.baselineTotal * scale }));
        const a = sequentialRateTest(base, { alpha: 0.01, tolerance: 1.5 });
        const b = sequentialRateTest(scaled, { alpha: 0.01, tolerance: 1.5 });
        expect([b.harmShownAt, b.harmRuledOutAt]).toEqual([a.harmShownAt, a.harmRuledOutAt]);
        expect(b.eValue).toBeCloseTo(a.eValue, 6);
      }),
      { numRuns: 150, seed: 20261202 },
    );
  });
});

/**
 * Runs `runs` seeded streams and returns the share the judge failed at any period. Every period is
 * checked in one call, so one call on the whole stream is the look-by-look run (resolution.test.ts).
 */
function falseFailRate(spec: StreamSpec, runs: number, seed: number): number {
  const random = createRandom(seed);
  const policy = policyFor();
  let failures = 0;
  for (let run = 0; run < runs; run++) {
    if (judge(policy, observationsOf(simulateStream(random, spec))).decision === 'fail') failures++;
  }
  return failures / runs;
}

describe('validity: A/A streams judged after every period fail at most α (+3 Monte-Carlo SE)', () => {
  const runs = 2000;
  const alpha = 0.05;
  const limit = alpha + 3 * Math.sqrt((alpha * (1 - alpha)) / runs);
  test.each<[string, StreamSpec]>([
    ['Poisson, 10 % canary', { periods: 30, requestsPerPeriod: 1000, canaryShare: () => 0.1, errorRate: 0.01 }],
    ['overdispersed, common-mode bursts', { periods: 30, requestsPerPeriod: 1000, canaryShare: () => 0.2, errorRate: 0.01, burstLogSd: 1 }],
    ['canary share 10 % → 100 %', { periods: 30, requestsPerPeriod: 1000, canaryShare: (i) => Math.min(1, 0.1 + i * 0.04), errorRate: 0.02 }],
  ])('%s', (_name, spec) => {
    const rate = falseFailRate(spec, runs, 12345);
    expect(rate).toBeLessThanOrEqual(limit);
  });
});

describe('power', () => {
  test.each([
    ['the default (dispersion weighted)', 3000, undefined, 0.9],
    ['Poisson counts', 1000, 'poisson', 0.8],
  ] as const)('%s: detects a ×2 error rate at 10 %% canary share, %d req/min, 1 %% errors, within 30 periods', (_, requests, dispersion, power) => {
    const random = createRandom(99);
    const policy = parsePolicy({ alpha: 0.01, metrics: [{ preset: 'lambda-error-rate', ...(dispersion && { method: { type: 'sequential', dispersion } }) }] });
    let detected = 0;
    const runs = 200;
    for (let run = 0; run < runs; run++) {
      const stream = simulateStream(random, { periods: 30, requestsPerPeriod: requests, canaryShare: () => 0.1, errorRate: 0.01, rateRatio: 2 });
      if (judge(policy, observationsOf(stream)).decision === 'fail') detected++;
    }
    expect(detected / runs).toBeGreaterThan(power);
  });

  test('a tail-latency regression expressed as slow-request counts is detected', () => {
    // Latency is lognormal; the canary's tail gets heavier (σ 0.5 → 0.7). Counting requests slower
    // than a threshold fixed in advance (800 ms, about the baseline p99) turns it into a rate.
    const random = createRandom(5);
    const slowShare = (sigma: number) => pnorm((Math.log(800) - Math.log(300)) / sigma, false);
    const stream = simulateStream(random, { periods: 20, requestsPerPeriod: 2000, canaryShare: () => 0.1, errorRate: slowShare(0.5) });
    const slowCanary = stream.canary.map((p) => ({ ...p, count: Math.min(p.total, random.poisson(p.total * slowShare(0.7))) }));
    const policy = parsePolicy({
      metrics: [
        {
          name: 'slow-requests',
          kind: 'count',
          count: { namespace: 'AWS/Lambda', metricName: 'Duration', stat: 'TC(800:)' },
          total: { namespace: 'AWS/Lambda', metricName: 'Invocations' },
          versioning: { type: 'lambda-alias' },
        },
      ],
    });
    const verdict = judge(policy, { 'slow-requests': { kind: 'count', baseline: stream.baseline, canary: slowCanary } });
    expect(verdict.metrics[0].method).toBe('sequential');
    expect(verdict.decision).toBe('fail');
    expect(verdict.metrics[0].effect!).toBeGreaterThan(2);
  });
});
