import { judge, type Observations, type TokensPeriod } from '../../lib/judge';
import { fullTrafficSpend, qt } from '../../lib/judge/budget';
import { tokenPeriods, type TokenMix } from '../../lib/bench/token-streams';
import { costOf } from '../../lib/judge/cost';
import { parsePolicy, PolicyError, type PolicyInput } from '../../lib/policy';
import { Random } from '../../lib/simulate/random';

const stat = { namespace: 'App', metricName: 'm' };
const versioning = { type: 'dimension', dimension: 'Version' } as const;
const MODEL = 'anthropic.claude-3-5-haiku-20241022-v1:0';
const MIX: TokenMix = { input: 1200, output: 350, cacheRead: 400, cacheWrite: 50 };
const costMetric = { name: 'cost', kind: 'cost', model: MODEL, requests: stat, tokens: { input: stat, output: stat, cacheRead: stat, cacheWrite: stat }, versioning } as const;
const policyWith = (budget: PolicyInput['budget']) => parsePolicy({ alpha: 0.05, metrics: [costMetric], budget });

/** Canary 100 and baseline 900 requests per minute: the new version at full traffic serves 1,000. */
function arms(random: Random, periods: number, canaryMix = MIX) {
  const baseline = tokenPeriods(random, { requestsPerPeriod: 900, tokens: MIX }, periods).tokens;
  const canary = tokenPeriods(random, { requestsPerPeriod: 100, tokens: canaryMix }, periods).tokens;
  return { baseline, canary };
}

/** The new version's true spend at full traffic, USD per day: its mean cost per request × 1,000 requests a minute. */
function trueDailySpend(mix = MIX): number {
  const policy = policyWith({ daily: 1 });
  const prices = (policy.metrics[0] as { prices: Parameters<typeof costOf>[1] }).prices;
  return (costOf({ t: 0, requests: 1, ...mix }, prices) * 1000 * 1440);
}

const budgetOf = (policy: ReturnType<typeof policyWith>, observations: Observations, deadlineReached = false) => judge(policy, observations, { deadlineReached }).metrics.find((result) => result.metric === 'budget')!;

describe('budget gate', () => {
  test("Student's t quantile (Cornish–Fisher) matches tabled values", () => {
    // Tabled 97.5 % points of t (any statistics table, e.g. NIST/SEMATECH e-Handbook, table 1.3.6.7.2).
    for (const [nu, tabled] of [
      [4, 2.776],
      [9, 2.262],
      [14, 2.145],
      [29, 2.045],
    ] as const) {
      expect(Math.abs(qt(0.975, nu) - tabled)).toBeLessThan(2e-3);
    }
  });

  test('the projection is the canary spend scaled by its share of the requests', () => {
    const canary: TokensPeriod[] = [{ t: 0, requests: 100, input: 100_000, output: 0 }];
    const baseline: TokensPeriod[] = [{ t: 0, requests: 900, input: 900_000, output: 0 }];
    const policy = policyWith({ daily: 1 });
    const [spend] = fullTrafficSpend(policy.metrics.filter((metric) => metric.kind === 'cost') as never, { cost: { kind: 'tokens', baseline, canary } });
    // 100,000 input tokens at $0.8/M = $0.08 from a tenth of the requests: $0.80 at full traffic.
    expect(spend.usd).toBeCloseTo(0.8, 10);
    // In the bake the baseline is from before the deployment and the canary has all the traffic.
    const [bake] = fullTrafficSpend(policy.metrics as never, { cost: { kind: 'tokens', baseline, canary, baselineFromBefore: true } });
    expect(bake.usd).toBeCloseTo(0.08, 10);
  });

  test('95 % interval: covers the true full-traffic spend at a look after 15 periods (400 runs, within 3 standard errors)', () => {
    const RUNS = 400;
    const truth = trueDailySpend();
    const policy = policyWith({ daily: truth });
    const random = Random.seeded(29, 'budget-coverage');
    let covered = 0;
    for (let run = 0; run < RUNS; run += 1) {
      const result = budgetOf(policy, { cost: { kind: 'tokens', ...arms(random, 15) } });
      const [low, high] = result.budget!.interval;
      if (low <= truth && truth <= high) covered += 1;
    }
    const se = Math.sqrt((0.95 * 0.05) / RUNS);
    expect(covered / RUNS).toBeGreaterThanOrEqual(0.95 - 3 * se);
  });

  test('fails once the whole interval is over budget, saying the projection, the interval and the budget', () => {
    const truth = trueDailySpend();
    const policy = policyWith({ daily: Math.round(truth / 1.25), action: 'fail' });
    const verdict = judge(policy, { cost: { kind: 'tokens', ...arms(Random.seeded(29, 'over'), 15) } });
    const result = verdict.metrics.find((entry) => entry.metric === 'budget')!;
    expect(result).toMatchObject({ decision: 'fail', critical: true, method: 'budget', budget: { period: 'daily', action: 'fail', level: 0.95, periods: 15 } });
    expect(result.budget!.interval[0]).toBeGreaterThan(result.budget!.limitUsd);
    expect(verdict.decision).toBe('fail');
    expect(verdict.reason).toMatch(/^budget: \$[\d,.]+\/day at full traffic \[[\d,.]+, [\d,.]+\] vs the daily budget \$[\d,.]+, 15 periods; over budget/);
  });

  test('a projection over budget whose interval reaches below it warns, holds the run, and passes at the deadline with the warning', () => {
    const truth = trueDailySpend();
    // Just over: the point is likely above, the interval wide enough after 6 periods to reach below.
    const policy = policyWith({ daily: truth * 0.99 });
    const observed = arms(Random.seeded(3, 'near'), 6);
    const result = budgetOf(policy, { cost: { kind: 'tokens', ...observed } });
    const { projectedUsd, interval, limitUsd } = result.budget!;
    expect(projectedUsd).toBeGreaterThan(limitUsd);
    expect(interval[0]).toBeLessThanOrEqual(limitUsd);
    expect(result.decision).toBe('continue');
    expect(result.warnings![0]).toMatch(/^projected over the daily budget \$[\d,.]+ \(\$[\d,.]+\/day\), not yet shown/);
    const atDeadline = budgetOf(policy, { cost: { kind: 'tokens', ...observed } }, true);
    expect(atDeadline.decision).toBe('pass');
    expect(atDeadline.warnings).toHaveLength(1);
  });

  test('within budget it passes; action warn reports a breach without failing the run', () => {
    const truth = trueDailySpend();
    const observed = { cost: { kind: 'tokens' as const, ...arms(Random.seeded(29, 'within'), 15) } };
    expect(budgetOf(policyWith({ monthly: truth * 33 }), observed)).toMatchObject({ decision: 'pass', budget: { period: 'monthly' } });
    const warned = judge(policyWith({ daily: truth / 2, action: 'warn' }), observed);
    const result = warned.metrics.find((entry) => entry.metric === 'budget')!;
    expect(result).toMatchObject({ decision: 'fail', critical: false });
    expect(result.reason).toContain('(action: warn, the run goes on)');
    expect(warned.decision).not.toBe('fail');
  });

  test('waits for 5 periods of canary spend; no spend is nodata', () => {
    const policy = policyWith({ daily: 100 });
    expect(budgetOf(policy, { cost: { kind: 'tokens', ...arms(Random.seeded(1, 'few'), 3) } })).toMatchObject({ decision: 'continue', reason: 'budget: 3/5 periods of canary spend (daily budget $100)' });
    expect(budgetOf(policy, { cost: { kind: 'tokens', baseline: [], canary: [] } }).decision).toBe('nodata');
  });

  test('a budget must mean something: refused without a cost metric, naming a metric that is not one, or with neither or both periods', () => {
    const errorRate = { preset: 'lambda-error-rate' } as const;
    const issues = (input: PolicyInput) => {
      try {
        parsePolicy(input);
      } catch (error) {
        return (error as PolicyError).issues;
      }
      throw new Error('expected a PolicyError');
    };
    expect(issues({ metrics: [errorRate], budget: { daily: 100 } })).toEqual([expect.stringMatching(/^budget: a budget projects the spend of the policy's cost metrics, and this policy has none/)]);
    expect(issues({ metrics: [errorRate, costMetric], budget: { daily: 100, metrics: ['lambda-error-rate', 'nope'] } })).toEqual([
      'budget.metrics[0]: "lambda-error-rate" is a count metric, not a cost metric; a budget counts the spend of cost metrics ("cost")',
      'budget.metrics[1]: "nope" is not a metric of this policy; a budget counts the spend of cost metrics ("cost")',
    ]);
    expect(issues({ metrics: [costMetric], budget: { daily: 100, monthly: 3000 } })).toEqual(['budget: give the budget as `daily` or `monthly` (USD), one of the two']);
    expect(issues({ metrics: [costMetric], budget: { action: 'warn' } as never })).toEqual(['budget: give the budget as `daily` or `monthly` (USD), one of the two']);
    expect(issues({ metrics: [costMetric], budget: { daily: 0 } })[0]).toMatch(/^budget\.daily: /);
  });
});
