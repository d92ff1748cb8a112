/**
 * Why spend moved and the budget gate (issue 29 items 3–4), on the token streams of bench-tokens:
 * - naming: of the runs in which the cost test failed, the share whose verdict names the token type that
 *   was changed (and a prompt-cache miss only where there was one), beside a naive namer run alongside
 *   on the same verdicts (the type whose tokens per request changed by the largest ratio);
 * - budget: the share of runs the gate fails at any of 30 looks, by how far the new version's true
 *   full-traffic spend is from the budget, beside the naive gate (fail when the point projection is over)
 *   on the same streams; and the 95 % interval's coverage at a fixed look.
 *   npx tsx scripts/bench-spend.ts [runs]
 */
import { judge, type SpendTokenType, type TokenTypeSpend, type TokensPeriod } from '../lib/judge';
import { costOf } from '../lib/judge/cost';
import { tokenPeriods, withCacheMisses, type TokenMix } from '../lib/bench/token-streams';
import { parsePolicy, type PolicyInput, type TokenPrices } from '../lib/policy';
import { Random } from '../lib/simulate/random';

const RUNS = Number(process.argv[2] ?? 500);
const PERIODS = 30;
const stat = { namespace: 'B', metricName: 'm' };
const versioning = { type: 'dimension', dimension: 'Version' } as const;
const model = 'anthropic.claude-sonnet-4-20250514-v1:0';
/** bench-tokens' chat service with a warm prompt cache, and reasoning: 100 of its 130 output tokens. */
const MIX: TokenMix = { input: 300, output: 130, cacheRead: 3000, cacheWrite: 0 };
const REASONING = 100;

const costMetric = { name: 'cost', kind: 'cost', model, requests: stat, tokens: { input: stat, output: stat, cacheRead: stat, cacheWrite: stat, reasoning: stat }, versioning, method: { type: 'cost', tolerance: 0.1, minPeriods: 5 } } as const;
const policyOf = (budget?: PolicyInput['budget']) => parsePolicy({ alpha: 0.0025, metrics: [costMetric], ...(budget && { budget }) });
const prices = (policyOf().metrics[0] as { prices: TokenPrices }).prices;

/** Adds reasoning tokens (a share of each period's output) to a stream. */
function withReasoning(periods: TokensPeriod[], reasoningPerOutput: number): TokensPeriod[] {
  return periods.map((period) => ({ ...period, reasoning: Math.round(period.output * reasoningPerOutput) }));
}

function streams(random: Random, canaryMix: TokenMix, canaryReasoning = REASONING) {
  const baseline = withReasoning(tokenPeriods(random, { requestsPerPeriod: 900, tokens: MIX }, PERIODS).tokens, REASONING / MIX.output);
  const canary = withReasoning(tokenPeriods(random, { requestsPerPeriod: 100, tokens: canaryMix }, PERIODS).tokens, canaryReasoning / canaryMix.output);
  return { baseline, canary };
}

/** The naive namer: the type whose tokens per request changed by the largest ratio (either way). */
function naiveDriver(rows: readonly TokenTypeSpend[]): SpendTokenType | undefined {
  const change = (row: TokenTypeSpend) => Math.abs(Math.log((row.canaryTokensPerRequest + 1) / (row.baselineTokensPerRequest + 1)));
  return [...rows].sort((a, b) => change(b) - change(a))[0]?.type;
}

const pct = (count: number, of = RUNS) => `${((100 * count) / of).toFixed(1)}%`;
const median = (values: number[]) => (values.length === 0 ? NaN : [...values].sort((a, b) => a - b)[values.length >> 1]);

function namingRow(label: string, canaryMix: TokenMix, expected: SpendTokenType, cacheMiss: boolean, seed: number, canaryReasoning = REASONING) {
  const policy = policyOf();
  const random = Random.seeded(seed, label);
  let failed = 0;
  let named = 0;
  let naiveNamed = 0;
  const at: number[] = [];
  for (let run = 0; run < RUNS; run += 1) {
    const { baseline, canary } = streams(random, canaryMix, canaryReasoning);
    for (let n = 5; n <= PERIODS; n += 1) {
      const result = judge(policy, { cost: { kind: 'tokens', baseline: baseline.slice(0, n), canary: canary.slice(0, n) } }).metrics[0];
      if (result.decision === 'pass') break;
      if (result.decision !== 'fail') continue;
      failed += 1;
      at.push(n);
      if (result.spendDriver?.type === expected && result.spendDriver.cacheMiss === cacheMiss) named += 1;
      if (naiveDriver(result.spendByTokenType ?? []) === expected) naiveNamed += 1;
      break;
    }
  }
  console.log(
    `${label.padEnd(40)} failed ${pct(failed).padStart(6)} (median ${median(at)} periods); names ${expected}${cacheMiss ? ' + cache miss' : ''}: ${pct(named, Math.max(1, failed)).padStart(6)} | naive (largest token ratio): ${pct(naiveNamed, Math.max(1, failed)).padStart(6)}`,
  );
}

/** The new version's true spend at full traffic (1,000 requests a minute), USD per day. */
const trueDaily = costOf({ t: 0, requests: 1, ...MIX }, prices) * 1000 * 1440;

function budgetRow(label: string, budgetOverTruth: number, seed: number) {
  const daily = trueDaily / budgetOverTruth;
  const policy = policyOf({ daily });
  const random = Random.seeded(seed, label);
  let gateFails = 0;
  let naiveFails = 0;
  const at: number[] = [];
  let covered15 = 0;
  let covered30 = 0;
  for (let run = 0; run < RUNS; run += 1) {
    const { baseline, canary } = streams(random, MIX);
    let gateAt: number | undefined;
    let naiveAt: number | undefined;
    for (let n = 5; n <= PERIODS; n += 1) {
      const budget = judge(policy, { cost: { kind: 'tokens', baseline: baseline.slice(0, n), canary: canary.slice(0, n) } }).metrics.find((result) => result.metric === 'budget')!;
      const projection = budget.budget!;
      if (gateAt === undefined && budget.decision === 'fail') gateAt = n;
      if (naiveAt === undefined && projection.projectedUsd > daily) naiveAt = n;
      if (n === 15 && projection.interval[0] <= trueDaily && trueDaily <= projection.interval[1]) covered15 += 1;
      if (n === 30 && projection.interval[0] <= trueDaily && trueDaily <= projection.interval[1]) covered30 += 1;
    }
    if (gateAt !== undefined) {
      gateFails += 1;
      at.push(gateAt);
    }
    if (naiveAt !== undefined) naiveFails += 1;
  }
  console.log(
    `${label.padEnd(40)} gate (95 % interval's low end over): ${pct(gateFails).padStart(6)} fail, median ${String(median(at)).padStart(3)} periods | naive (point over): ${pct(naiveFails).padStart(6)} fail | coverage at 15: ${pct(covered15)}, at 30: ${pct(covered30)}`,
  );
}

console.log(`${RUNS} runs, ${PERIODS} one-minute periods, canary 100 / baseline 900 requests per period, looks every period, α 0.0025 (the simulation's share)\n`);
console.log('why spend moved — runs the cost test failed, named by the verdict (spendDriver):');
namingRow('cache miss, same tokens (cost x3.2)', withCacheMisses(MIX, 1), 'input', true, 11);
namingRow('half the cache missed (cost x2.1)', withCacheMisses(MIX, 0.5), 'input', true, 12);
namingRow('output tokens x2, reasoning kept (x1.3)', { ...MIX, output: MIX.output * 2 }, 'output', false, 13);
namingRow('reasoning x3 (output 130 → 330, x1.4)', { ...MIX, output: MIX.output + 2 * REASONING }, 'reasoning', false, 14, 3 * REASONING);
namingRow('new uncached prompt, input x4 (x1.3)', { ...MIX, input: MIX.input * 4 }, 'input', false, 15);
console.log(`\nbudget gate — new version's true spend at full traffic $${trueDaily.toFixed(0)}/day, against budgets around it (false fails at any look where ≤ budget):`);
budgetRow('true spend 0.9 x budget', 0.9, 21);
budgetRow('true spend = budget (boundary)', 1, 22);
budgetRow('true spend 1.05 x budget', 1.05, 23);
budgetRow('true spend 1.1 x budget', 1.1, 24);
budgetRow('true spend 1.25 x budget', 1.25, 25);
