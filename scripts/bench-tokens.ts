/**
 * Cost and drop-gauge methods: false fails of A/A runs at any look, and detection (share detected,
 * median periods to detect), for the cost e-process beside the asymptotic confidence sequence it
 * replaced (run alongside on the same streams as the baseline), and for Mann–Whitney drop-gauges.
 *   npx tsx scripts/bench-tokens.ts [runs]
 */
import { judge } from '../lib/judge';
import { costOf } from '../lib/judge/cost';
import { gaugePeriods, tokenPeriods, withCacheMisses, type TokenMix } from '../lib/bench/token-streams';
import { parsePolicy, type TokenPrices } from '../lib/policy';
import type { TokensPeriod } from '../lib/judge';
import { Random } from '../lib/simulate/random';

const RUNS = Number(process.argv[2] ?? 500);
const PERIODS = 30;
const MIX: TokenMix = { input: 300, output: 130, cacheRead: 3000, cacheWrite: 0 };
const stat = { namespace: 'B', metricName: 'm' };
const versioning = { type: 'dimension', dimension: 'Version' } as const;
const model = 'anthropic.claude-sonnet-4-20250514-v1:0';

function costPolicy(alpha: number, tolerance: number) {
  return parsePolicy({ alpha, metrics: [{ name: 'cost', kind: 'cost', model, requests: stat, tokens: { input: stat, output: stat, cacheRead: stat, cacheWrite: stat }, versioning, method: { type: 'cost', tolerance, minPeriods: 5 } }] });
}

/** The method this one replaced (normal-mixture asymptotic CS on the mean log ratio, Waudby-Smith et al. 2021), first fail look. */
function asymptoticFailAt(baseline: readonly TokensPeriod[], canary: readonly TokensPeriod[], prices: TokenPrices, alpha: number, tolerance: number): number | undefined {
  const bound = Math.log(1 + tolerance);
  const logTerm = -2 * Math.log(alpha);
  const rho2 = (logTerm + Math.log(logTerm + 1)) / 30;
  let sum = 0;
  let squares = 0;
  let low = -Infinity;
  let high = Infinity;
  for (let i = 0; i < canary.length; i += 1) {
    const d = Math.log(costOf(canary[i], prices) / canary[i].requests / (costOf(baseline[i], prices) / baseline[i].requests));
    sum += d;
    squares += d * d;
    const n = i + 1;
    if (n < 5) continue;
    const mean = sum / n;
    const sd = Math.max(0.01, Math.sqrt(Math.max(0, (squares - n * mean * mean) / (n - 1))));
    const r = sd * Math.sqrt(((2 * (n * rho2 + 1)) / (n * n * rho2)) * Math.log(Math.sqrt(n * rho2 + 1) / alpha));
    if (Math.max(low, mean - r) <= Math.min(high, mean + r)) {
      low = Math.max(low, mean - r);
      high = Math.min(high, mean + r);
    }
    if (low > bound) return n;
  }
  return undefined;
}

/** First look (periods) at which the e-process fails: judge every prefix, as the evaluator does each minute. */
function eProcessFailAt(policy: ReturnType<typeof costPolicy>, baseline: TokensPeriod[], canary: TokensPeriod[]): number | undefined {
  for (let n = 5; n <= canary.length; n += 1) {
    const result = judge(policy, { cost: { kind: 'tokens', baseline: baseline.slice(0, n), canary: canary.slice(0, n) } }).metrics[0];
    if (result.decision === 'fail') return n;
    if (result.decision === 'pass') return undefined;
  }
  return undefined;
}

const median = (values: number[]) => (values.length === 0 ? NaN : [...values].sort((a, b) => a - b)[values.length >> 1]);
const pct = (count: number) => `${((100 * count) / RUNS).toFixed(1)}%`;

function costRow(label: string, canaryMix: TokenMix, alpha: number, tolerance: number, seed: number) {
  const policy = costPolicy(alpha, tolerance);
  const prices = (policy.metrics[0] as { prices: TokenPrices }).prices;
  const random = Random.seeded(seed, label);
  const eAt: number[] = [];
  const aAt: number[] = [];
  for (let run = 0; run < RUNS; run += 1) {
    const baseline = tokenPeriods(random, { requestsPerPeriod: 900, tokens: MIX }, PERIODS).tokens;
    const canary = tokenPeriods(random, { requestsPerPeriod: 100, tokens: canaryMix }, PERIODS).tokens;
    const e = eProcessFailAt(policy, baseline, canary);
    const a = asymptoticFailAt(baseline, canary, prices, alpha, tolerance);
    if (e !== undefined) eAt.push(e);
    if (a !== undefined) aAt.push(a);
  }
  console.log(
    `${label.padEnd(34)} α=${String(alpha).padEnd(7)} tol=${String(tolerance).padEnd(6)} e-process: ${pct(eAt.length).padStart(6)} fail, median ${String(median(eAt)).padStart(3)} periods | asymptotic CS (previous): ${pct(aAt.length).padStart(6)} fail, median ${String(median(aAt)).padStart(3)} periods`,
  );
}

/** Periods of baseline history before the window, as the evaluation reads for the preset's default `historyPeriods`. */
const GAUGE_HISTORY = 240;

function gaugeRow(label: string, canaryMedian: number, alpha: number, seed: number, historyPeriods = GAUGE_HISTORY) {
  const policy = parsePolicy({ alpha, metrics: [{ preset: 'agent-tool-calls-per-task', namespace: 'B', method: { type: 'mann-whitney', tolerance: 0.1, historyPeriods } }] });
  const random = Random.seeded(seed, label);
  const at: number[] = [];
  for (let run = 0; run < RUNS; run += 1) {
    const baselineHistory = gaugePeriods(random, 800, historyPeriods, 50).map((period) => ({ ...period, t: period.t - 60 * historyPeriods }));
    const baseline = gaugePeriods(random, 800, 20, 50);
    const canary = gaugePeriods(random, canaryMedian, 20, 50);
    for (let n = 1; n <= 20; n += 1) {
      const observed = { kind: 'gauge' as const, baseline: baseline.slice(0, n), canary: canary.slice(0, n), baselineHistory };
      const decision = judge(policy, { 'agent-tool-calls-per-task': observed }, { deadlineReached: n === 20 }).metrics[0].decision;
      if (decision === 'fail') at.push(n);
      if (decision === 'fail' || decision === 'pass') break;
    }
  }
  const history = historyPeriods > 0 ? `${historyPeriods} periods of baseline history` : 'no history (historyPeriods: 0)';
  console.log(`${label.padEnd(34)} α=${String(alpha).padEnd(7)} Mann–Whitney (decrease), ${history}: ${pct(at.length).padStart(6)} fail, median ${median(at)} periods`);
}

console.log(`${RUNS} runs, ${PERIODS} one-minute periods, canary 100 / baseline 900 requests per period, looks every period\n`);
console.log('cost per request — A/A (false fails at any look):');
costRow('A/A, boundary null', MIX, 0.05, 0.001, 1);
costRow('A/A', MIX, 0.05, 0.1, 2);
costRow('A/A, simulation share', MIX, 0.0025, 0.1, 3);
console.log('\ncost per request — detection:');
costRow('output tokens x1.3 (cost x1.14)', { ...MIX, output: MIX.output * 1.3 }, 0.0025, 0.1, 4);
costRow('output tokens x2 (cost x1.5)', { ...MIX, output: MIX.output * 2 }, 0.0025, 0.1, 5);
costRow('cache miss, same tokens (x3.2)', withCacheMisses(MIX, 1), 0.0025, 0.1, 6);
console.log('\ndrop-gauge (Mann–Whitney on the per-period median of 50 lognormal units, e.g. reasoning tokens per turn):');
for (const historyPeriods of [GAUGE_HISTORY, 0]) {
  gaugeRow('A/A', 800, 0.05, 7, historyPeriods);
  gaugeRow('drop x0.8', 640, 0.0025, 8, historyPeriods);
  gaugeRow('drop x0.5', 400, 0.0025, 9, historyPeriods);
}
