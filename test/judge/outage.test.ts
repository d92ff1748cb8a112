/**
 * Issue 22 item 4: deploying during an outage. A deployment started inside an outage that fails most
 * requests of both versions (the hotfix for that outage) must not be failed by the absolute guard,
 * which bounds the canary's own error rate: the current version fails just as much at the same time.
 * Seeded Monte Carlo, rates bounded with 3 standard errors.
 */
import { judge, type CountPeriod } from '../../lib/judge';
import { parsePolicy } from '../../lib/policy';
import { createRandom, type Random } from '../../lib/judge/random';

const ALPHA = 0.01;
const lambdaErrors = () => parsePolicy({ alpha: ALPHA, metrics: [{ preset: 'lambda-error-rate' }] });
const se3 = (p: number, runs: number) => 3 * Math.sqrt((p * (1 - p)) / runs);

interface Outage {
  /** Error rate of both versions during the outage. */
  readonly rate: number;
  /** Minutes of the deployment's 30 inside the outage (from the start). */
  readonly minutes: number;
}

/**
 * 30 minutes at `perMinute` requests (Poisson), `canaryShare` to the canary; both versions fail at the
 * outage's rate while it lasts, then at 1 % (the canary at `canaryAfter`). Minutes without requests are absent.
 */
function deployment(random: Random, perMinute: number, canaryShare: number, outage: Outage, canaryAfter = 0.01) {
  const canary: CountPeriod[] = [];
  const baseline: CountPeriod[] = [];
  for (let i = 0; i < 30; i++) {
    const inOutage = i < outage.minutes;
    const c = random.poisson(perMinute * canaryShare);
    const b = random.poisson(perMinute * (1 - canaryShare));
    if (c > 0) canary.push({ t: 60 * i, total: c, count: random.binomial(c, inOutage ? outage.rate : canaryAfter) });
    if (b > 0) baseline.push({ t: 60 * i, total: b, count: random.binomial(b, inOutage ? outage.rate : 0.01) });
  }
  return { 'lambda-error-rate': { kind: 'count' as const, canary, baseline } };
}

function failRate(runs: number, seed: number, perMinute: number, canaryShare: number, outage: Outage, canaryAfter?: number): number {
  const random = createRandom(seed);
  let failed = 0;
  for (let run = 0; run < runs; run++) if (judge(lambdaErrors(), deployment(random, perMinute, canaryShare, outage, canaryAfter)).decision === 'fail') failed++;
  return failed / runs;
}

describe('issue 22 item 4: deploying during a shared outage (lambda-error-rate preset, guard at 50 %, α = 1 %)', () => {
  const runs = 400;

  test.each([
    [0.9, 10, 1, 0.5],
    [0.9, 30, 1, 0.5],
    [0.6, 10, 1, 0.5],
    [0.6, 30, 1, 0.5],
    [0.9, 10, 100, 0.1],
    [0.6, 30, 100, 0.1],
    [0.9, 10, 1000, 0.1],
    [0.75, 30, 1000, 0.1],
  ])('identical versions, %d errors for the first %d minutes, %d req/min, canary share %d: false fails ≤ α (3 SE)', (rate, minutes, perMinute, share) => {
    expect(failRate(runs, 31, perMinute, share, { rate, minutes })).toBeLessThanOrEqual(ALPHA + se3(ALPHA, runs));
  });

  test('the guard still fails a canary that fails every request once the outage is over, at 1 request/min', () => {
    // ≈ 10 canary requests in the 20 minutes left, the first 5 of them still judged beside the
    // outage's baseline: 54.5 % on these seeds (≥ 95 % over a whole 30 minutes without an outage).
    expect(failRate(runs, 32, 1, 0.5, { rate: 0.9, minutes: 10 }, 1)).toBeGreaterThanOrEqual(0.45);
  });

  test('a canary failing every request while the baseline is healthy is still failed by the guard alone, named in the verdict', () => {
    const canary = Array.from({ length: 12 }, (_, i) => ({ t: 60 * i, count: 1, total: 1 }));
    const baseline = Array.from({ length: 12 }, (_, i) => ({ t: 60 * i, count: 0, total: 1 }));
    const metric = judge(lambdaErrors(), { 'lambda-error-rate': { kind: 'count', canary, baseline } }).metrics[0];
    expect(metric.decision).toBe('fail');
  });
});
