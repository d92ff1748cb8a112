import fc from 'fast-check';
import { judge, type Verdict } from '../../lib/judge';
import { parsePolicy } from '../../lib/policy';
import { shareBettingTest } from '../../lib/judge/sequential/share-betting';
import { createRandom, simulateStream, type StreamSpec } from './simulate';

const policyOf = (robust: boolean, dispersion: 'estimate' | 'poisson' = 'estimate') =>
  parsePolicy({
    alpha: 0.01,
    metrics: [{ name: 'errors', kind: 'count', count: { namespace: 'A', metricName: 'E' }, total: { namespace: 'A', metricName: 'R' }, versioning: { type: 'lambda-alias' }, method: { type: 'sequential', robust, dispersion } }],
  });
const se3 = (p: number, runs: number) => 3 * Math.sqrt((p * (1 - p)) / runs);
/** 10 % canary, 1 % errors, 30 one-minute periods; `canaryLogSd` 0.5: the canary's rate wanders ±50 % per minute. */
const spec = (requestsPerPeriod: number, extra: Partial<StreamSpec> = {}): StreamSpec => ({ periods: 30, requestsPerPeriod, canaryShare: () => 0.1, errorRate: 0.01, ...extra });

/** Looks every minute as the canary watch does; returns the first failing minute, or undefined. */
function firstFail(robust: boolean, stream: ReturnType<typeof simulateStream>, dispersion: 'estimate' | 'poisson' = 'estimate'): { failedAt?: number; last: Verdict } {
  const policy = policyOf(robust, dispersion);
  let last: Verdict | undefined;
  for (let minute = 1; minute <= stream.canary.length; minute++) {
    last = judge(policy, { errors: { kind: 'count', canary: stream.canary.slice(0, minute), baseline: stream.baseline.slice(0, minute) } });
    if (last.decision === 'fail') return { failedAt: minute, last };
    if (last.decision === 'pass') break;
  }
  return { last: last! };
}

function rates(robust: boolean, runs: number, seed: number, streamSpec: StreamSpec, dispersion: 'estimate' | 'poisson' = 'estimate') {
  const random = createRandom(seed);
  let failed = 0;
  let warned = 0;
  for (let run = 0; run < runs; run++) {
    const { failedAt, last } = firstFail(robust, simulateStream(random, streamSpec), dispersion);
    if (failedAt !== undefined) failed++;
    if (last.metrics[0].warnings?.some((warning) => /overdispersed/.test(warning))) warned++;
  }
  return { failed: failed / runs, warned: warned / runs };
}

describe('item 5: overdispersion on the canary only (α = 1 %)', () => {
  const runs = 300;

  test('the Poisson test (`dispersion: poisson`) is not valid there: false fails well above α at 30,000 req/min', () => {
    expect(rates(false, runs, 3, spec(30_000, { canaryLogSd: 0.5 }), 'poisson').failed).toBeGreaterThan(0.05);
  });

  test.each([3_000, 30_000])('robust: A/A at %d req/min with the canary overdispersed, false fails ≤ α (3 SE)', (requests) => {
    expect(rates(true, runs, 4, spec(requests, { canaryLogSd: 0.5 })).failed).toBeLessThanOrEqual(0.01 + se3(0.01, runs));
  });

  test('robust: a ×3 canary is failed within 30 minutes in ≥ 95 % of runs, overdispersed or not', () => {
    expect(rates(true, runs, 5, spec(3_000, { rateRatio: 3, canaryLogSd: 0.5 })).failed).toBeGreaterThanOrEqual(0.95 - se3(0.95, runs));
    expect(rates(true, runs, 6, spec(3_000, { rateRatio: 3 })).failed).toBeGreaterThanOrEqual(0.95 - se3(0.95, runs));
  });

  test('the verdict says when the data look overdispersed, and rarely says so of Poisson data', () => {
    // The robust method runs to the last minute (it never passes early), so the check sees all 30 periods.
    const overdispersed = rates(true, 100, 7, spec(30_000, { canaryLogSd: 0.5 }));
    const poisson = rates(true, runs, 8, spec(30_000));
    expect(overdispersed.warned).toBeGreaterThan(0.5);
    expect(poisson.warned).toBeLessThanOrEqual(0.05);
  });

  test('robust reports no interval, never passes before the deadline, and names its test and the overdispersion', () => {
    const stream = simulateStream(createRandom(9), spec(30_000, { canaryLogSd: 0.5 }));
    const observations = { errors: { kind: 'count' as const, ...stream } };
    const metric = judge(policyOf(true), observations).metrics[0];
    expect(metric.decision).toBe('continue');
    expect(metric.interval).toBeUndefined();
    expect(metric.reason).toMatch(/share-betting E=.* \(the robust test passes only at the deadline/);
    expect(metric.warnings).toEqual([expect.stringMatching(/^counts look overdispersed \(dispersion [\d.]+ over 30 periods, 1 if Poisson\): the robust/)]);
    expect(judge(policyOf(true), observations, { deadlineReached: true }).metrics[0].decision).toBe(policyOf(true).onTimeout);
    const failing = judge(policyOf(true), { errors: { kind: 'count', ...simulateStream(createRandom(10), spec(3_000, { rateRatio: 3 })) } }).metrics[0];
    expect(failing.decision).toBe('fail');
    expect(failing.reason).toMatch(/harm shown after \d+ periods \(share-betting E≥100\)/);
  });

  test('the betting capital is the product of its bets: periods without events leave it unchanged', () => {
    const periods = [
      { t: 0, canaryCount: 0, canaryTotal: 10, baselineCount: 0, baselineTotal: 90 },
      { t: 60, canaryCount: 5, canaryTotal: 10, baselineCount: 5, baselineTotal: 90 },
      { t: 120, canaryCount: 5, canaryTotal: 10, baselineCount: 5, baselineTotal: 90 },
    ];
    const result = shareBettingTest(periods, 0.01);
    expect(result.informativePeriods).toBe(2);
    // First bet is 0 (nothing seen yet); the second is aGRAPA's from z = 4: min(0.8, 2 / (0.25 + 4 − 4 + 4)).
    const z = (0.5 - 0.1) / 0.1;
    const mean = z / 2;
    const bet = Math.min(0.8, mean / ((0.25 + z * z - 2 * mean * mean) / 2 + mean * mean));
    expect(result.logEValue).toBeCloseTo(Math.log1p(bet * z), 12);
  });

  test('property: robust verdicts are finite and JSON round-trip equal, and one call on a window is the look-by-look run', () => {
    const period = fc.tuple(fc.nat(300), fc.nat(3000), fc.nat(300), fc.nat(3000));
    fc.assert(
      fc.property(fc.array(period, { maxLength: 30 }), (rows) => {
        const canary = rows.map(([c, ct], i) => ({ t: 60 * i, count: Math.min(c, ct), total: ct }));
        const baseline = rows.map(([, , b, bt], i) => ({ t: 60 * i, count: Math.min(b, bt), total: bt }));
        const whole = judge(policyOf(true), { errors: { kind: 'count', canary, baseline } });
        const finite = (value: unknown): boolean =>
          typeof value === 'number' ? Number.isFinite(value) : value && typeof value === 'object' ? Object.values(value).every(finite) : true;
        expect(finite(whole)).toBe(true);
        expect(JSON.parse(JSON.stringify(whole))).toEqual(whole);
        const { failedAt } = firstFail(true, { canary, baseline });
        expect(whole.decision === 'fail').toBe(failedAt !== undefined);
      }),
      { numRuns: 200, seed: 20261202 },
    );
  });
});
