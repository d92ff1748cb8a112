/**
 * `npm run bench:data`: issue 22 item 1 at full size. Identical versions (and a ×2 error regression, for
 * power) judged look by look through the real data read while one arm's newest Errors count is late at
 * a share of the looks: the late count read as 0 (the reading before the fix) against the period left
 * to wait (now). Prints one JSON row per case: runs, fails, rate ± se.
 */
import { lateDataFalseFails, type LateDataOptions } from '../lib/bench/late-data';

const RUNS = Number(process.env.RUNS ?? 2000);

async function main(): Promise<void> {
  const cases: Array<Omit<LateDataOptions, 'runs' | 'seed'>> = [];
  for (const requestsPerMinute of [30000, 3000]) {
    for (const lateShare of [0, 0.05, 0.3]) {
      for (const missing of ['read-as-zero', 'as-absent'] as const) if (lateShare > 0 || missing === 'as-absent') cases.push({ requestsPerMinute, lateShare, missing });
    }
    // Power, and what waiting costs in time to detect: ×2 with no late counts and with 30 % of looks late.
    cases.push({ requestsPerMinute, lateShare: 0, missing: 'as-absent', canaryErrorFactor: 2 }, { requestsPerMinute, lateShare: 0.3, missing: 'as-absent', canaryErrorFactor: 2 });
  }
  for (const [index, options] of cases.entries()) {
    const started = performance.now();
    const row = await lateDataFalseFails({ ...options, runs: RUNS, seed: 2200 + index });
    console.log(
      JSON.stringify({
        requestsPerMinute: options.requestsPerMinute,
        lateShare: options.lateShare,
        missing: options.missing,
        canaryErrorFactor: options.canaryErrorFactor ?? 1,
        runs: row.runs,
        fails: row.fails,
        rate: Number(row.rate.toFixed(4)),
        se: Number(row.se.toFixed(4)),
        lateLooks: row.lateLooks,
        medianMinutesToFail: row.medianMinutesToFail,
        seconds: Number(((performance.now() - started) / 1000).toFixed(1)),
      }),
    );
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
