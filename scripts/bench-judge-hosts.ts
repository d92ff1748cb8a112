/**
 * Issue 22 item 5: gauges on host-like series. Two hosts running the same code (or the canary ×1.2,
 * ×1.5), per-minute values with drift on two timescales, host offsets, heteroskedastic noise, regime
 * changes, busy minutes, or a window more correlated than its history (test/judge/host-series.ts);
 * judged at the deadline of a 10-minute window with 240 baseline periods of history, α = 5 %.
 * Run through bench-judge.ts: npm run bench:judge -- --hosts [--runs 2000] [--real-hosts <directory of CSV files>]
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { judge } from '../lib/judge';
import { createRandom } from '../lib/judge/random';
import { parsePolicy, type Policy } from '../lib/policy';
import { HOST_LIKE, twoHosts, type HostSpec } from '../test/judge/host-series';

export const HOST_SCENARIOS: ReadonlyArray<{ readonly name: string; readonly spec: HostSpec; readonly window?: HostSpec }> = [
  { name: 'two timescales (0.08 over 5 min + 0.1 over 3 h), host offsets 3 %', spec: HOST_LIKE },
  { name: 'strong slow drift (0.2 over 4 h)', spec: { level: 40, drifts: [{ logSd: 0.05, minutes: 5 }, { logSd: 0.2, minutes: 240 }], noise: 0.05 } },
  { name: 'regime changes (log-sd 0.15 every 6 h)', spec: { ...HOST_LIKE, regimes: { logSd: 0.15, everyMinutes: 360 } } },
  { name: 'busy minutes (5 % of minutes 1–4×)', spec: { ...HOST_LIKE, spikes: 0.05 } },
  { name: 'window more correlated than its history (independent minutes before)', spec: { level: 40, drifts: [], noise: 0.05 }, window: { level: 40, drifts: [{ logSd: 0.08, minutes: 5 }], noise: 0.01 } },
];

/** A gauge policy at α = 5 % with `method` (undefined: the default gauge method). */
export function gaugePolicy(method?: object): Policy {
  return parsePolicy({
    alpha: 0.05,
    metrics: [{ name: 'cpu', kind: 'gauge', value: { namespace: 'App', metricName: 'CPUUtilization', stat: 'Average' }, versioning: { type: 'dimension', dimension: 'Version' }, ...(method && { method }) }],
  });
}

export const GAUGE_METHODS: ReadonlyArray<{ readonly label: string; readonly method?: object }> = [
  { label: 'mann-whitney (autocorrelation: adjust; the default gauge method now)', method: { type: 'mann-whitney' } },
  { label: 'threshold ×2 (the default gauge method before)', method: { type: 'threshold', maxRatioToBaseline: 2 } },
];

/** Share of deployments failed, judged once at the deadline of a 10-minute window (fixed horizon). */
export function hostFailRate(runs: number, seed: number, policy: Policy, spec: HostSpec, window?: HostSpec, canaryFactor = 1): number {
  const random = createRandom(seed);
  let failed = 0;
  for (let run = 0; run < runs; run++) {
    const observed = twoHosts(random, 240, 10, { ...spec, canaryFactor }, window && { ...window, canaryFactor });
    if (judge(policy, { cpu: { kind: 'gauge', ...observed } }, { deadlineReached: true }).decision === 'fail') failed++;
  }
  return failed / runs;
}

export function hostRows(runs: number): void {
  const percent = (rate: number) => `${(rate * 100).toFixed(2)} % ± ${(Math.sqrt((rate * (1 - rate)) / runs) * 100).toFixed(2)}`;
  console.log(`item 5 (issue 22): gauges on host-like series, 10 vs 10 minutes, 240 periods of history, α = 5 %; ${runs} runs a row`);
  for (const [index, { name, spec, window }] of HOST_SCENARIOS.entries()) {
    for (const { label, method } of GAUGE_METHODS) {
      const policy = gaugePolicy(method);
      const cells = [1, 1.2, 1.5].map((factor) => `${factor === 1 ? 'A/A' : `×${factor}`} ${percent(hostFailRate(runs, 900 + index + 10 * factor, policy, spec, window, factor))}`);
      console.log(`  ${name}, ${label}: failed ${cells.join('; ')}`);
    }
  }
}

/**
 * Real host series, read from a local directory of `timestamp,value` CSV files (e.g. NAB's
 * realAWSCloudwatch EC2 CPU series, five-minute values; not part of this repository). Every ordered
 * pair of files whose medians are within ×1.5 (comparable hosts: beyond that any test should fail
 * them) is judged at every 10th position: the first file's 240 values before and 10 values from
 * there (baseline and its history), the second file's 10 values at the same index (canary).
 */
export function realHostRows(directory: string): void {
  const series = readdirSync(directory)
    .filter((file) => file.endsWith('.csv'))
    .map((file) => ({
      file,
      values: readFileSync(join(directory, file), 'utf8').trim().split('\n').slice(1).map((line) => Number(line.split(',')[1])).filter(Number.isFinite),
    }));
  const median = (values: readonly number[]) => [...values].sort((a, b) => a - b)[values.length >> 1];
  console.log(`item 5 (issue 22): real host series from ${directory}, 10 vs 10 values, 240 before, α = 5 %`);
  // As they are, and with the canary's series scaled to the baseline's median: a persistent offset
  // between two hosts is indistinguishable from a regression in 10 vs 10 values; scaled, what remains
  // is their drift, noise and busy minutes.
  for (const [{ label, method }, scaled] of GAUGE_METHODS.flatMap((entry) => [[entry, false], [entry, true]] as const)) {
    const policy = gaugePolicy(method);
    let runs = 0;
    let failed = 0;
    for (const a of series) {
      for (const b of series) {
        const ratio = median(a.values) / median(b.values);
        if (a === b || !(ratio < 1.5 && ratio > 1 / 1.5)) continue;
        for (let start = 240; start + 10 <= Math.min(a.values.length, b.values.length); start += 10) {
          const period = (value: number, i: number) => ({ t: 300 * i, value });
          const baselineHistory = a.values.slice(start - 240, start).map((value, i) => period(value, start - 240 + i));
          const baseline = a.values.slice(start, start + 10).map((value, i) => period(value, start + i));
          const canary = b.values.slice(start, start + 10).map((value, i) => period(scaled ? value * ratio : value, start + i));
          runs++;
          if (judge(policy, { cpu: { kind: 'gauge', baseline, canary, baselineHistory } }, { deadlineReached: true }).decision === 'fail') failed++;
        }
      }
    }
    console.log(`  ${label}${scaled ? ', canary scaled to the baseline host\'s median' : ''}: failed ${((failed / runs) * 100).toFixed(2)} % of ${runs} windows`);
  }
}
