import { lateDataFalseFails, lateDataPolicy } from '../../lib/bench/late-data';
import { alphaShareOf } from '../../lib/evaluation';

/**
 * Issue 22 item 1: a newest count that arrives late in one arm, read as 0, false-failed identical
 * deployments. Seeded Monte Carlo through the real data read (queries → source → observations → judge),
 * 30,000 requests a minute split evenly, at CI size; `npm run bench:data` runs the full size.
 */
const RUNS = 400;
const alpha = lateDataPolicy(30).alpha * alphaShareOf(lateDataPolicy(30));
/** At most α, with three standard errors of a rate α over RUNS runs. */
const bound = alpha + 3 * Math.sqrt((alpha * (1 - alpha)) / RUNS);

describe('a late count is not read as zero (seeded Monte Carlo, CI size)', () => {
  test('the harness sees the failure: read as 0 (the reading before the fix), late at 30 % of looks, identical versions fail far above α', async () => {
    // With the Poisson count test the issue found it with (the default's dispersion weighting blunts it too).
    const row = await lateDataFalseFails({ runs: RUNS, seed: 22, requestsPerMinute: 30000, lateShare: 0.3, missing: 'read-as-zero', dispersion: 'poisson' });
    expect(row.rate - 3 * row.se).toBeGreaterThan(bound);
  }, 120_000);

  test.each([0.05, 0.3, 1])('late at %p of looks, the late period waits: false fails ≤ α + 3 se', async (lateShare) => {
    const row = await lateDataFalseFails({ runs: RUNS, seed: 23, requestsPerMinute: 30000, lateShare });
    expect(row.lateLooks).toBeGreaterThan(0);
    expect(row.rate).toBeLessThanOrEqual(bound);
  }, 120_000);

  test('a ×2 error regression is still found in ≥ 90 % of runs with counts late at 30 % of looks', async () => {
    const row = await lateDataFalseFails({ runs: 100, seed: 24, requestsPerMinute: 30000, lateShare: 0.3, canaryErrorFactor: 2 });
    expect(row.rate).toBeGreaterThanOrEqual(0.9);
  }, 120_000);
});
