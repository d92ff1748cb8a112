/**
 * Issue 22 item 2: the bake compares across time. Identical code and a ×2 regression on error levels
 * that burst, drift on one or two timescales, or change regime; each deployment judged three ways:
 * as the bake did before (the sequential test on the time-shifted baseline), as it does now (the
 * comparison calibrated on the current version's history, 3 days as the bake reads, lib/judge/time-shift) and
 * side by side (a concurrent baseline, which the bake does not have). Run through bench-judge.ts:
 * npm run bench:judge -- --bake [--runs 2000]
 */
import { judge, type CountPeriod, type Observations } from '../lib/judge';
import { createRandom } from '../lib/judge/random';
import { parsePolicy, type Policy } from '../lib/policy';
import { bakeStream, type BakeObservations, type LevelSpec } from '../test/judge/level-processes';
import { BAKE_HISTORY_PERIODS } from '../lib/evaluation/observations';

export const BAKE_LEVELS: ReadonlyArray<{ readonly name: string; readonly level: LevelSpec }> = [
  { name: 'steady level (Poisson)', level: {} },
  { name: 'bursty, per-minute log-sd 0.5', level: { burstLogSd: 0.5 } },
  { name: 'bursty, per-minute log-sd 1', level: { burstLogSd: 1 } },
  { name: 'drifting, log-sd 0.5 over 60 min', level: { drifts: [{ logSd: 0.5, minutes: 60 }] } },
  { name: 'two timescales, 0.3 over 30 min + 0.5 over 6 h', level: { drifts: [{ logSd: 0.3, minutes: 30 }, { logSd: 0.5, minutes: 360 }] } },
  { name: 'regime changes, log-sd 0.5 every 4 h on average', level: { jumps: { logSd: 0.5, everyMinutes: 240 } } },
];

/** The policies the bake is measured with: a custom count metric and the lambda-error-rate preset (with its guard). */
export function bakePolicies(): Array<{ readonly label: string; readonly policy: Policy }> {
  const custom = parsePolicy({
    alpha: 0.01,
    metrics: [{ name: 'm0', kind: 'count', count: { namespace: 'App', metricName: 'Errors' }, total: { namespace: 'App', metricName: 'Requests' }, versioning: { type: 'dimension', dimension: 'Version' } }],
  });
  const preset = parsePolicy({ alpha: 0.01, metrics: [{ preset: 'lambda-error-rate', name: 'm0' }] });
  return [
    { label: 'custom count', policy: custom },
    { label: 'lambda-error-rate preset', policy: preset },
  ];
}

export type BakeJudging = 'before (sequential on the time-shifted baseline)' | 'now (calibrated on history)' | 'side by side (concurrent baseline)';

/** The observations each way of judging sees. */
export function bakeObservations(stream: BakeObservations, judging: BakeJudging): Observations {
  const arms = (baseline: CountPeriod[]) => ({ kind: 'count' as const, canary: stream.canary, baseline });
  if (judging === 'now (calibrated on history)') return { m0: { ...arms(stream.baseline), timeShift: stream.timeShift, baselineHistory: stream.baselineHistory } };
  return { m0: arms(judging === 'side by side (concurrent baseline)' ? stream.concurrentBaseline : stream.baseline) };
}

/** Share of deployments failed: one call at the deadline on the whole bake decides as the look-by-look run (each method checks every look). */
/**
 * "Before" is the test the bake ran before issue 22: the sequential test on the time-shifted baseline,
 * as it was then — Poisson counts (`dispersion: poisson`; the overdispersion-aware default came with item 3).
 */
function asBefore(policy: Policy): Policy {
  return { ...policy, metrics: policy.metrics.map((metric) => (metric.method.type === 'sequential' ? { ...metric, method: { ...metric.method, dispersion: 'poisson' } } : metric)) } as Policy;
}

export function bakeFailRate(runs: number, seed: number, policy: Policy, level: LevelSpec, judging: BakeJudging, ratio = 1, historyMinutes = BAKE_HISTORY_PERIODS): number {
  if (judging.startsWith('before')) policy = asBefore(policy);
  const random = createRandom(seed);
  let failed = 0;
  for (let run = 0; run < runs; run++) {
    const stream = bakeStream(random, { historyMinutes, requestsPerMinute: 1000, errorRate: 0.01, ratio }, level);
    if (judge(policy, bakeObservations(stream, judging), { deadlineReached: true, alphaShare: 0.5 }).decision === 'fail') failed++;
  }
  return failed / runs;
}

const JUDGINGS: readonly BakeJudging[] = ['before (sequential on the time-shifted baseline)', 'now (calibrated on history)', 'side by side (concurrent baseline)'];

export function bakeRows(runs: number): void {
  const percent = (rate: number) => `${(rate * 100).toFixed(2)} % ± ${(Math.sqrt((rate * (1 - rate)) / runs) * 100).toFixed(2)}`;
  console.log(`item 2 (issue 22): the bake, 10 min at 1,000 req/min and 1 % errors against the 10 min before the deployment (25 min earlier), α = 1 % × the bake's share ½; ${runs} runs a row`);
  for (const { label, policy } of bakePolicies()) {
    // The custom count metric judged all three ways; the preset (with its guard) as the bake judges it now.
    const judgings = label === 'custom count' ? JUDGINGS : JUDGINGS.slice(1, 2);
    for (const [index, { name, level }] of BAKE_LEVELS.entries()) {
      const seed = 700 + index;
      const cells = judgings.map((judging) => `${judging.split(' (')[0]} ${percent(bakeFailRate(runs, seed, policy, level, judging))}`);
      const power = judgings.slice(0, 2).map((judging) => `${judging.split(' (')[0]} ${percent(bakeFailRate(runs, seed + 50, policy, level, judging, 2))}`);
      console.log(`  ${label}, ${name}: A/A false fails ${cells.join('; ')} | ×2 found ${power.join('; ')}`);
    }
  }
  console.log('  history length, regime changes, custom count (A/A; ×2):');
  const { level } = BAKE_LEVELS[BAKE_LEVELS.length - 1];
  for (const minutes of [1440, BAKE_HISTORY_PERIODS]) {
    const now = 'now (calibrated on history)';
    console.log(`    ${minutes} periods: ${percent(bakeFailRate(runs, 790, bakePolicies()[0].policy, level, now, 1, minutes))}; ${percent(bakeFailRate(runs, 791, bakePolicies()[0].policy, level, now, 2, minutes))}`);
  }
}
