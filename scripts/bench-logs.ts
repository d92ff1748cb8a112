/**
 * `npm run bench:logs [-- --seeds N]`: the log signal (issue 26) on simulated bakes, 10 minutes, one
 * look per minute, 1500 requests per minute, 10 % canary, log level 0.05 (lib/simulate/logs):
 * - a new exception on 0.5 % of the new version's requests: share of runs failed within 10 minutes,
 *   by the log signal and by its error-lines-per-request test alone (the count-only baseline, what a
 *   metric of error lines would see);
 * - a healthy release adding 20 new info/warning lines and rewording its handled errors' values: share
 *   of runs failed (false fails); and the same with 20 new error-level lines, each a stray (about once
 *   or twice a bake): what "one stray line does not roll back" costs;
 * - queries per look (at most), bytes scanned and their cost per evaluation.
 * Rates with 3 standard errors. Default 500 seeds per row.
 */
import { runLogScenario, type LogRunOptions } from '../lib/simulate/logs/log-run';
import { USD_PER_GB_SCANNED } from '../lib/evaluation/logs';
import { BYTES_PER_GB } from '../lib/policy/logs';

const seedsArg = process.argv.indexOf('--seeds');
const SEEDS = seedsArg >= 0 ? Number(process.argv[seedsArg + 1]) : 500;
const TARGETS = { detection: 0.95, falseFail: 0.01, queriesPerLook: 4 };

interface Row {
  readonly label: string;
  readonly failed: number;
  readonly minutes: number[];
  readonly bytes: number[];
  readonly mostQueriesPerLook: number;
  readonly samples?: readonly string[];
  readonly reason?: string;
}

async function row(label: string, options: Omit<LogRunOptions, 'seed'>): Promise<Row> {
  let failed = 0;
  const minutes: number[] = [];
  const bytes: number[] = [];
  let mostQueriesPerLook = 0;
  let example: { samples?: readonly string[]; reason?: string } = {};
  for (let seed = 1; seed <= SEEDS; seed++) {
    const outcome = await runLogScenario({ ...options, seed });
    bytes.push(outcome.bytesScanned);
    mostQueriesPerLook = Math.max(mostQueriesPerLook, outcome.mostQueriesPerLook);
    if (outcome.failedAtMinute !== undefined) {
      failed++;
      minutes.push(outcome.failedAtMinute);
      if (example.reason === undefined) example = { reason: outcome.result.reason, samples: outcome.result.newSignatures.find((s) => s.decision === 'fail')?.samples };
    }
  }
  return { label, failed, minutes, bytes, mostQueriesPerLook, ...example };
}

const rate = (k: number, n: number) => {
  const p = k / n;
  return `${(100 * p).toFixed(1)} % ± ${(300 * Math.sqrt(Math.max(p * (1 - p), 1 / n) / n)).toFixed(1)}`;
};
const median = (values: number[]) => (values.length === 0 ? NaN : [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]);

async function main() {
  console.log(`Log signal, ${SEEDS} seeds per row; 10-minute bake, 1500 requests/min, 10 % canary, α = 0.05 (lib/simulate/logs)`);
  const faulty = await row('new exception on 0.5 % of the new version\'s requests: log signal', { profile: { newExceptionRate: 0.005 } });
  const countOnly = await row('  same runs, error lines per request alone (count-only baseline)', { profile: { newExceptionRate: 0.005 }, failOn: 'error-rate' });
  const healthy = await row('healthy release, 20 new benign lines: log signal', { profile: { newBenignLines: 20 } });
  const healthyBaseline = await row('  same runs, error lines per request alone', { profile: { newBenignLines: 20 }, failOn: 'error-rate' });
  const strayProfile = { newBenignLines: 20, strayErrorLines: 20, strayOccurrences: 1 };
  const strays = await row('20 new error-level kinds, each ~once a bake: log signal', { profile: strayProfile });
  const straysRate = await row('  same runs, error lines per request alone', { profile: strayProfile, failOn: 'error-rate' });
  const straysSignature = await row('  same runs, new signatures alone', { profile: strayProfile, failOn: 'new-signature' });
  console.log('\n  row                                                                  failed           median min   ≤ queries/look');
  for (const r of [faulty, countOnly, healthy, healthyBaseline, strays, straysRate, straysSignature]) {
    console.log(`  ${r.label.padEnd(68)} ${rate(r.failed, SEEDS).padEnd(16)} ${String(median(r.minutes)).padStart(10)}   ${r.mostQueriesPerLook}`);
  }
  console.log(`\n  detection ${rate(faulty.failed, SEEDS)} (target ≥ ${100 * TARGETS.detection} %); ×${(faulty.failed / Math.max(countOnly.failed, 1)).toFixed(1)} the count-only baseline's ${countOnly.failed}/${SEEDS}`);
  console.log(`  false fails ${rate(healthy.failed, SEEDS)} (target ≤ ${100 * TARGETS.falseFail} %)`);
  console.log(`  queries per look ≤ ${Math.max(faulty.mostQueriesPerLook, healthy.mostQueriesPerLook)} (target ≤ ${TARGETS.queriesPerLook}): the first look 3 (24 h lookback of the current version's patterns, error counts, error lines), later looks 2`);
  const scanned = median(healthy.bytes);
  console.log(`  bytes scanned per evaluation (median, healthy): ${(scanned / 1e6).toFixed(0)} MB → $${((scanned / BYTES_PER_GB) * USD_PER_GB_SCANNED).toFixed(4)} at $${USD_PER_GB_SCANNED}/GB (us-east-1); the 24 h lookback is ${((100 * (1500 * 1440 * 0.9 * 620)) / scanned).toFixed(0)} % of it`);
  if (faulty.reason) {
    console.log(`\n  example verdict: ${faulty.reason}`);
    for (const sample of faulty.samples ?? []) console.log(`    sample: ${sample}`);
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
