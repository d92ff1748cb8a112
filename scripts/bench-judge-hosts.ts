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
export function hostFailRate(runs: number, seed: number, policy: Policy, spec: HostSpec, window?: HostSpec, canaryFactor = 1, canaryHistory = false, sharedLoad = false): number {
  const random = createRandom(seed);
  let failed = 0;
  for (let run = 0; run < runs; run++) {
    const observed = twoHosts(random, 240, 10, { ...spec, canaryFactor }, window && { ...window, canaryFactor }, { canaryHistory, sharedLoad });
    if (judge(policy, { cpu: { kind: 'gauge', ...observed } }, { deadlineReached: true }).decision === 'fail') failed++;
  }
  return failed / runs;
}

/** `--canary-history-only`: only the rows given the canary host's history (the others are unchanged by it). */
const ONLY_CANARY_HISTORY = process.argv.includes('--canary-history-only');

export function hostRows(runs: number): void {
  const percent = (rate: number) => `${(rate * 100).toFixed(2)} % ± ${(Math.sqrt((rate * (1 - rate)) / runs) * 100).toFixed(2)}`;
  console.log(`item 5 (issue 22): gauges on host-like series, 10 vs 10 minutes, 240 periods of history, α = 5 %; ${runs} runs a row`);
  for (const [index, { name, spec, window }] of HOST_SCENARIOS.entries()) {
    // The default again, given the canary host's own history (hosts whose metric existed before the deployment).
    for (const { label, method, canaryHistory } of [...GAUGE_METHODS.map((entry) => ({ ...entry, canaryHistory: false })), { ...GAUGE_METHODS[0], canaryHistory: true }]) {
      if (ONLY_CANARY_HISTORY && !canaryHistory) continue;
      const policy = gaugePolicy(method);
      const cells = [1, 1.2, 1.5].map((factor) => `${factor === 1 ? 'A/A' : `×${factor}`} ${percent(hostFailRate(runs, 900 + index + 10 * factor, policy, spec, window, factor, canaryHistory))}`);
      console.log(`  ${name}, ${label}${canaryHistory ? ", with the canary host's own history" : ''}: failed ${cells.join('; ')}`);
    }
  }
}

/**
 * `--host-offsets`: how large a lasting difference between the two arms the default gauge method
 * (no canary history: what the evaluation gives on every target it has, docs/judge.md) stands. The
 * two-timescale class with the hosts' own levels drawn at log-sd 0.03 (its default) up to 0.4; an ECS
 * deployment's two task sets, or two hosts, differ by such an offset for the whole window and history.
 * Each offset twice: hosts whose load drifts on its own (two machines, NAB-like), and arms that share
 * their load's drift (one request stream split between them by weight, as an alias or a load balancer
 * does: the product's arms), each with its own level, busy minutes and noise.
 */
export const HOST_OFFSETS = [0.03, 0.1, 0.2, 0.4] as const;

export function hostOffsetRows(runs: number): void {
  const percent = (rate: number) => `${(rate * 100).toFixed(2)} % ± ${(Math.sqrt((rate * (1 - rate)) / runs) * 100).toFixed(2)}`;
  console.log(`item 5 (issue 22): a lasting offset between the arms, default gauge method, no canary history, 10 vs 10 minutes, 240 periods of history, α = 5 %; ${runs} runs a row`);
  for (const sharedLoad of [false, true]) {
    for (const [index, hostLogSd] of HOST_OFFSETS.entries()) {
      const spec = { ...HOST_LIKE, hostLogSd };
      const seed = 1700 + index + (sharedLoad ? 100 : 0);
      const cells = [1, 1.2, 1.5].map((factor) => `${factor === 1 ? 'A/A' : `×${factor}`} ${percent(hostFailRate(runs, seed + 10 * factor, gaugePolicy(), spec, undefined, factor, false, sharedLoad))}`);
      console.log(`  ${sharedLoad ? 'one load split between the arms' : 'each host its own load'}, hosts' own levels log-sd ${hostLogSd} (the arms differ by a log-sd of ${(hostLogSd * Math.SQRT2).toFixed(2)}): failed ${cells.join('; ')}`);
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
  // Last, the default given the canary host's own history too (the arms are hosts whose metric existed
  // before the deployment): the difference between the hosts is calibrated on it (lib/judge/paired-history.ts).
  const variants = [
    ...GAUGE_METHODS.flatMap((entry) => [
      { ...entry, scaled: false, canaryHistory: false, allPairs: false },
      { ...entry, scaled: true, canaryHistory: false, allPairs: false },
    ]),
    { ...GAUGE_METHODS[0], scaled: false, canaryHistory: true, allPairs: false },
    { ...GAUGE_METHODS[0], scaled: true, canaryHistory: true, allPairs: false },
    // Every ordered pair, however far apart their levels: the offset cancels against the history.
    { ...GAUGE_METHODS[0], scaled: false, canaryHistory: true, allPairs: true },
  ];
  for (const { label, method, scaled, canaryHistory: withCanaryHistory, allPairs } of variants) {
    const policy = gaugePolicy(method);
    const pairs = new Map<string, { runs: number; failed: number; inconclusive: number }>();
    let inconclusive = 0;
    let runs = 0;
    let failed = 0;
    for (const a of series) {
      for (const b of series) {
        const ratio = median(a.values) / median(b.values);
        if (a === b || (!allPairs && !(ratio < 1.5 && ratio > 1 / 1.5))) continue;
        for (let start = 240; start + 10 <= Math.min(a.values.length, b.values.length); start += 10) {
          const period = (value: number, i: number) => ({ t: 300 * i, value });
          const baselineHistory = a.values.slice(start - 240, start).map((value, i) => period(value, start - 240 + i));
          const baseline = a.values.slice(start, start + 10).map((value, i) => period(value, start + i));
          const canary = b.values.slice(start, start + 10).map((value, i) => period(scaled ? value * ratio : value, start + i));
          const canaryHistory = withCanaryHistory ? b.values.slice(start - 240, start).map((value, i) => period(scaled ? value * ratio : value, start - 240 + i)) : undefined;
          runs++;
          const pair = pairs.get(`${a.file} ← ${b.file}`) ?? { runs: 0, failed: 0, inconclusive: 0 };
          pairs.set(`${a.file} ← ${b.file}`, pair);
          pair.runs++;
          const decision = judge(policy, { cpu: { kind: 'gauge', baseline, canary, baselineHistory, ...(canaryHistory && { canaryHistory }) } }, { deadlineReached: true }).decision;
          if (decision === 'fail') {
            failed++;
            pair.failed++;
          }
          if (decision === 'inconclusive') {
            inconclusive++;
            pair.inconclusive++;
          }
        }
      }
    }
    const worst = [...pairs.entries()].map(([name, pair]) => `${name.replaceAll('_cpu_utilization', '').replaceAll('.csv', '')} ${((pair.failed / pair.runs) * 100).toFixed(1)} %`).sort((x, y) => parseFloat(y.split(' ').at(-2)!) - parseFloat(x.split(' ').at(-2)!));
    const rate = failed / runs;
    console.log(
      `  ${label}${scaled ? ", canary scaled to the baseline host's median" : ''}${withCanaryHistory ? ", with the canary host's own history" : ''}${allPairs ? ', every ordered pair' : ''}: failed ${(rate * 100).toFixed(2)} % ± ${(Math.sqrt((rate * (1 - rate)) / runs) * 100).toFixed(2)} of ${runs} windows (${pairs.size} pairs; worst pairs ${worst.slice(0, 3).join(', ')}), inconclusive ${((inconclusive / runs) * 100).toFixed(1)} %`,
    );
  }
}
