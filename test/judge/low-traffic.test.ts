import { judge, type CountPeriod } from '../../lib/judge';
import { parsePolicy } from '../../lib/policy';
import { createRandom, type Random } from '../../lib/judge/random';

const lambdaErrors = (method?: object) => parsePolicy({ alpha: 0.01, metrics: [{ preset: 'lambda-error-rate', ...(method && { method }) }] });
const se3 = (p: number, runs: number) => 3 * Math.sqrt((p * (1 - p)) / runs);

/** `minutes` of traffic at `perMinute` requests (Poisson), half to the canary; minutes without requests are absent. */
function lowTraffic(random: Random, minutes: number, perMinute: number, canaryRate: number, baselineRate: number) {
  const canary: CountPeriod[] = [];
  const baseline: CountPeriod[] = [];
  for (let i = 0; i < minutes; i++) {
    const c = random.poisson(perMinute / 2);
    const b = random.poisson(perMinute / 2);
    if (c > 0) canary.push({ t: 60 * i, total: c, count: random.binomial(c, canaryRate) });
    if (b > 0) baseline.push({ t: 60 * i, total: b, count: random.binomial(b, baselineRate) });
  }
  return { 'lambda-error-rate': { kind: 'count' as const, canary, baseline } };
}

function failRate(policy: ReturnType<typeof lambdaErrors>, runs: number, seed: number, canaryRate: number, baselineRate: number): number {
  const random = createRandom(seed);
  let failed = 0;
  for (let run = 0; run < runs; run++) if (judge(policy, lowTraffic(random, 30, 1, canaryRate, baselineRate)).decision === 'fail') failed++;
  return failed / runs;
}

describe('item 1: low traffic (1 request/min, half to the canary, 30 minutes, α = 1 %)', () => {
  const runs = 1000;
  test('the error presets carry the absolute guard by default; it can be turned off', () => {
    expect(lambdaErrors().metrics[0].method).toMatchObject({ type: 'sequential', guardRate: 0.5 });
    expect(lambdaErrors({ type: 'sequential', guardRate: false }).metrics[0].method).toMatchObject({ guardRate: false });
    const custom = parsePolicy({ metrics: [{ name: 'e', kind: 'count', count: { namespace: 'A', metricName: 'E' }, total: { namespace: 'A', metricName: 'R' }, versioning: { type: 'lambda-alias' } }] });
    expect(custom.metrics[0].method).not.toHaveProperty('guardRate');
  });

  test('a canary failing every request is failed in ≥ 95 % of runs', () => {
    expect(failRate(lambdaErrors(), runs, 1, 1, 0.01)).toBeGreaterThanOrEqual(0.95 - se3(0.95, runs));
  });

  test('pooling periods where an arm had no request already catches most of them without the guard', () => {
    // Dropping those periods (the old behaviour) failed 3.5–7 %.
    expect(failRate(lambdaErrors({ type: 'sequential', guardRate: false }), runs, 1, 1, 0.01)).toBeGreaterThan(0.5);
  });

  test.each([
    ['1 % errors', 0.01],
    ['20 % errors', 0.2],
    ['45 % errors (just under the guard)', 0.45],
  ])('A/A at the same traffic, %s: false fails ≤ α', (_name, rate) => {
    expect(failRate(lambdaErrors(), runs, 7, rate, rate)).toBeLessThanOrEqual(0.01 + se3(0.01, runs));
  });

  test('the guard fails through a verdict that names it, even with no baseline traffic at all', () => {
    const canary = Array.from({ length: 12 }, (_, i) => ({ t: 60 * i, count: 1, total: 1 }));
    const metric = judge(lambdaErrors(), { 'lambda-error-rate': { kind: 'count', canary, baseline: [] } }).metrics[0];
    expect(metric.decision).toBe('fail');
    expect(metric.reason).toMatch(/canary's own rate above 50% shown/);
    expect(metric.evidence!.guardEValue!).toBeGreaterThanOrEqual(200);
  });
});
