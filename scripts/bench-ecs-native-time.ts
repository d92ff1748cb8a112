/**
 * `npx tsx scripts/bench-ecs-native-time.ts [--runs N] [--seed S]`: where the time to detect goes in the ECS
 * native detection benchmark's world (scripts/bench-ecs-native.ts: 3,000 req/min, green 10 %, blue 1 % 5xx,
 * green ×2), at the judge alone (lib/judge, unchanged): the minutes of data the step's judge needs before it
 * fails, one look per period as the step's evaluation looks, for
 * - the α share a CANARY step spends before the budget split (α/2) and after it (α/4: two steps share the watch's half);
 * - `dispersion: estimate` (the default: the prior on overdispersion, lib/judge/sequential/dispersion.ts) and
 *   `dispersion: poisson` (the policy setting that drops it; valid only when the counts are Poisson given a shared level);
 * - Wald's SPRT of ×2 against ×1 at the same α (an oracle that knows the effect: a floor, not a method).
 * The end-to-end time adds what the judge does not see: the metric lag (2 min in this world), the period
 * that must close, the hook's 30 s call-back and the report path (compare scripts/bench-ecs-native.ts).
 */
import { judge } from '../lib/judge';
import { weightByDispersion } from '../lib/judge/sequential/dispersion';
import type { Observations } from '../lib/judge/observations';
import { Random } from '../lib/simulate/random';
import { albFiveXxPolicy } from '../lib/simulate/ecs-native/alb-5xx-policy';

const args = process.argv.slice(2);
const option = (name: string, fallback: number) => {
  const at = args.indexOf(name);
  return at >= 0 ? Number(args[at + 1]) : fallback;
};
const RUNS = option('--runs', 200);
const SEED = option('--seed', 1);
const PERIODS = 30; // the canary watch's maxDuration (30 min) at one-minute periods
const WORLD = { requestsPerMinute: 3000, greenWeight: 0.1, blueErrorRate: 0.01, factor: 2 };
const ALPHA = 0.01;

const policyWith = (dispersion: 'estimate' | 'poisson') => albFiveXxPolicy({ alpha: ALPHA, dispersion });

interface Period {
  readonly t: number;
  readonly green: { requests: number; errors: number };
  readonly blue: { requests: number; errors: number };
}

function world(seed: number): Period[] {
  const random = Random.seeded(seed, 'ecs-native-time');
  return Array.from({ length: PERIODS }, (_, minute) => {
    const total = random.poisson(WORLD.requestsPerMinute);
    const greenRequests = random.binomial(total, WORLD.greenWeight);
    const blueRequests = total - greenRequests;
    return {
      t: 1_800_000_000 + 60 * minute,
      green: { requests: greenRequests, errors: random.binomial(greenRequests, WORLD.blueErrorRate * WORLD.factor) },
      blue: { requests: blueRequests, errors: random.binomial(blueRequests, WORLD.blueErrorRate) },
    };
  });
}

/** Periods of data the judge needs to fail (undefined: not within PERIODS). */
function judgeMinutes(periods: readonly Period[], dispersion: 'estimate' | 'poisson', alphaShare: number): number | undefined {
  const policy = policyWith(dispersion);
  for (let k = 1; k <= periods.length; k++) {
    const seen = periods.slice(0, k);
    const observations: Observations = {
      'alb-5xx': {
        kind: 'count',
        canary: seen.map((p) => ({ t: p.t, count: p.green.errors, total: p.green.requests })),
        baseline: seen.map((p) => ({ t: p.t, count: p.blue.errors, total: p.blue.requests })),
      },
    };
    const verdict = judge(policy, observations, { alphaShare, deadlineReached: k === periods.length, periodSeconds: 60 });
    if (verdict.decision === 'fail') return k;
    if (verdict.decision === 'pass') return undefined;
  }
  return undefined;
}

/** Wald's SPRT of ρ = factor against ρ = 1 on the green share of each period's events, at α·share. */
function oracleMinutes(periods: readonly Period[], alphaShare: number): number | undefined {
  let logLr = 0;
  for (let k = 0; k < periods.length; k++) {
    const { green, blue } = periods[k];
    const n = green.errors + blue.errors;
    if (n === 0 || blue.requests === 0) continue;
    const r = green.requests / blue.requests;
    const q0 = r / (1 + r);
    const q1 = (WORLD.factor * r) / (1 + WORLD.factor * r);
    logLr += green.errors * Math.log(q1 / q0) + blue.errors * Math.log((1 - q1) / (1 - q0));
    if (logLr >= Math.log(1 / (ALPHA * alphaShare))) return k + 1;
  }
  return undefined;
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length === 0 ? NaN : sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

const variants: Array<{ label: string; minutes: (periods: readonly Period[]) => number | undefined }> = [
  { label: 'estimate, α/2 (a CANARY step before the split)', minutes: (p) => judgeMinutes(p, 'estimate', 0.5) },
  { label: 'estimate, α/4 (a CANARY step after the split) ', minutes: (p) => judgeMinutes(p, 'estimate', 0.25) },
  { label: 'poisson,  α/2                                 ', minutes: (p) => judgeMinutes(p, 'poisson', 0.5) },
  { label: 'poisson,  α/4                                 ', minutes: (p) => judgeMinutes(p, 'poisson', 0.25) },
  { label: 'oracle SPRT ×2 vs ×1, α/2                     ', minutes: (p) => oracleMinutes(p, 0.5) },
  { label: 'oracle SPRT ×2 vs ×1, α/4                     ', minutes: (p) => oracleMinutes(p, 0.25) },
];

const started = performance.now();
const results = variants.map(() => [] as number[]);
for (let run = 0; run < RUNS; run++) {
  const periods = world(SEED + run);
  variants.forEach((variant, index) => {
    const found = variant.minutes(periods);
    if (found !== undefined) results[index].push(found);
  });
}
console.log(`Judge minutes to fail ×2 at 3,000 req/min, green 10 %, blue 1 % 5xx, α = ${ALPHA}: ${RUNS} runs, seeds ${SEED}–${SEED + RUNS - 1}, ≤ ${PERIODS} one-minute periods`);
const reference = median(results[1]);
variants.forEach((variant, index) => {
  const m = median(results[index]);
  console.log(`  ${variant.label}  found ${results[index].length}/${RUNS}, median ${m.toFixed(1)} periods (×${(m / reference).toFixed(2)} of estimate α/4)`);
});
// The weight `dispersion: estimate` gives each period's events in the harm test (events counted ÷ events seen), by period, mean over the runs.
const weights = new Array<number>(PERIODS).fill(0);
for (let run = 0; run < RUNS; run++) {
  const periods = world(SEED + run);
  const weighted = weightByDispersion(periods.map((p) => ({ t: p.t, canaryCount: p.green.errors, canaryTotal: p.green.requests, baselineCount: p.blue.errors, baselineTotal: p.blue.requests }))).harmPeriods;
  weighted.forEach((period, index) => {
    const events = periods[index].green.errors + periods[index].blue.errors;
    weights[index] += events > 0 ? (period.canaryCount + period.baselineCount) / events : 1;
  });
}
console.log(`  dispersion: estimate weights the events of period 1, 5, 10, 20, 30 by ${[1, 5, 10, 20, 30].map((k) => (weights[k - 1] / RUNS).toFixed(2)).join(', ')} (mean of ${RUNS} runs; poisson: 1)`);
console.log(`  (${((performance.now() - started) / 1000).toFixed(0)} s)`);
