import { judge, type Observations } from '../../lib/judge';
import { gaugePeriods, tokenPeriods, withCacheMisses, type TokenMix } from '../../lib/bench/token-streams';
import { parsePolicy, type PolicyInput } from '../../lib/policy';
import { Random } from '../../lib/simulate/random';

const stat = { namespace: 'App', metricName: 'm' };
const versioning = { type: 'dimension', dimension: 'Version' } as const;
const MODEL = 'anthropic.claude-sonnet-4-20250514-v1:0';
/** A chat service with a warm prompt cache: most of the prompt is read from the cache. */
const CACHED_MIX: TokenMix = { input: 300, output: 130, cacheRead: 3000, cacheWrite: 0 };

const costPolicy = (method: Record<string, unknown>, alpha = 0.05, extra: PolicyInput['metrics'] = []) =>
  parsePolicy({
    alpha,
    metrics: [{ name: 'cost', kind: 'cost', model: MODEL, requests: stat, tokens: { input: stat, output: stat, cacheRead: stat, cacheWrite: stat }, versioning, method: { type: 'cost', ...method } }, ...extra],
  });

function armsOf(random: Random, canary: TokenMix, periods: number, canaryErrorRate = 0) {
  const baseline = tokenPeriods(random, { requestsPerPeriod: 900, tokens: CACHED_MIX, errorRate: 0.01 }, periods);
  const canaryArm = tokenPeriods(random, { requestsPerPeriod: 100, tokens: canary, errorRate: canaryErrorRate }, periods);
  return { baseline, canary: canaryArm };
}

describe('cost: anytime-valid', () => {
  const RUNS = 300;
  const PERIODS = 30;

  // The hardest null: true ratio 1, tolerance ~0 (the boundary of "no rise beyond tolerance").
  test(`A/A: false fails at any of ${PERIODS} looks ≤ α (${RUNS} runs, α = 0.05, tolerance 0.001)`, () => {
    const policy = costPolicy({ tolerance: 0.001, minPeriods: 2 });
    const random = Random.seeded(15, 'cost-aa');
    let falseFails = 0;
    let missedCover = 0;
    for (let run = 0; run < RUNS; run += 1) {
      const { baseline, canary } = armsOf(random, CACHED_MIX, PERIODS);
      const result = judge(policy, { cost: { kind: 'tokens', baseline: baseline.tokens, canary: canary.tokens } }).metrics[0];
      // The e-value reported is the largest over every look, so it crossing 1/α means a fail at some look.
      if ((result.evidence?.eValue ?? 0) >= 1 / 0.05) falseFails += 1;
      const [low, high] = result.interval!;
      if ((low ?? 0) > 1 || (high ?? Infinity) < 1) missedCover += 1;
    }
    expect(falseFails / RUNS).toBeLessThanOrEqual(0.05);
    // The confidence sequence (intersected over looks, one-sided ends at α each) covers the true ratio 1.
    expect(missedCover / RUNS).toBeLessThanOrEqual(0.1);
  });

  test('a release that stops hitting the prompt cache fails at equal token counts (cost ×3.2), with evidence', () => {
    const policy = costPolicy({ tolerance: 0.1 }, 0.01 / 4);
    const random = Random.seeded(15, 'cache-miss');
    const { baseline, canary } = armsOf(random, withCacheMisses(CACHED_MIX, 1), 20);
    const result = judge(policy, { cost: { kind: 'tokens', baseline: baseline.tokens, canary: canary.tokens } }).metrics[0];
    expect(result.decision).toBe('fail');
    expect(result.effect!).toBeGreaterThan(2.8);
    expect(result.evidence!.eValue!).toBeGreaterThanOrEqual(400);
    expect(result.interval![0]!).toBeGreaterThan(1.1);
    // Provenance travels with the result (report and JSON), not inside every reason.
    expect(result.pricing).toMatch(/@pydantic\/genai-prices 0\.1\.8 .*2026-09-23/);
    expect(result.reason).not.toContain('priced by');
    // The same total tokens per request: only their cache split changed.
    const total = (mix: TokenMix) => mix.input + mix.cacheRead + mix.cacheWrite + mix.output;
    expect(total(withCacheMisses(CACHED_MIX, 1))).toBe(total(CACHED_MIX));
  });

  test('an unchanged release passes early: a rise of 10 % or more is ruled out', () => {
    const policy = costPolicy({ tolerance: 0.1 });
    const { baseline, canary } = armsOf(Random.seeded(16, 'same'), CACHED_MIX, 40);
    const result = judge(policy, { cost: { kind: 'tokens', baseline: baseline.tokens, canary: canary.tokens } }).metrics[0];
    expect(result.decision).toBe('pass');
    expect(result.interval![1]!).toBeLessThan(1.1);
    expect(result.reason).toMatch(/a rise of 10% or more ruled out at t=\d+/);
  });

  test('cost per successful request: a release that fails 30 % of requests at the same tokens per request', () => {
    const count = { name: 'errors', kind: 'count', count: stat, total: { ...stat, metricName: 'requests' }, versioning } as const;
    const perRequest = costPolicy({ tolerance: 0.1 }, 0.01, [count]);
    const perSuccess = costPolicy({ tolerance: 0.1, per: 'successful-request', errorsFrom: 'errors' }, 0.01, [count]);
    const { baseline, canary } = armsOf(Random.seeded(17, 'failures'), CACHED_MIX, 30, 0.3);
    const observations: Observations = {
      cost: { kind: 'tokens', baseline: baseline.tokens, canary: canary.tokens },
      errors: { kind: 'count', baseline: baseline.errors, canary: canary.errors },
    };
    expect(judge(perRequest, observations).metrics[0].decision).not.toBe('fail');
    const result = judge(perSuccess, observations).metrics[0];
    expect(result.decision).toBe('fail');
    expect(result.effect!).toBeGreaterThan(1.3);
    expect(result.reason).toContain('cost/successful request');
  });

  test('per successful request needs a count metric to read failures from, named in the error', () => {
    expect(() => costPolicy({ per: 'successful-request' })).toThrow(/metrics\[0\]\.method\.errorsFrom: per: successful-request needs `errorsFrom`/);
    expect(() => costPolicy({ per: 'successful-request', errorsFrom: 'nope' })).toThrow(/"nope" is not a metric of this policy/);
  });
});

describe('drop-gauges: Mann–Whitney with direction decrease', () => {
  const agentPolicy = (alpha: number) => parsePolicy({ alpha, metrics: [{ preset: 'agent-tool-calls-per-task', namespace: 'Agent' }] });

  test('A/A: false fails ≤ α at every look (200 runs, α = 0.05, looks at 1..20 periods)', () => {
    const policy = agentPolicy(0.05);
    const random = Random.seeded(15, 'gauge-aa');
    let falseFails = 0;
    const RUNS = 200;
    for (let run = 0; run < RUNS; run += 1) {
      const baseline = gaugePeriods(random, 800, 20);
      const canary = gaugePeriods(random, 800, 20);
      let failed = false;
      for (let look = 1; look <= 20 && !failed; look += 1) {
        const observed = { kind: 'gauge' as const, baseline: baseline.slice(0, look), canary: canary.slice(0, look) };
        failed = judge(policy, { 'agent-tool-calls-per-task': observed }, { deadlineReached: look === 20 }).metrics[0].decision === 'fail';
      }
      if (failed) falseFails += 1;
    }
    expect(falseFails / RUNS).toBeLessThanOrEqual(0.05);
  });

  test('a gauge down 40 % fails; up 40 % does not (a rise is not the harm)', () => {
    const policy = agentPolicy(0.01);
    const random = Random.seeded(18, 'gauge-drop');
    const baseline = gaugePeriods(random, 800, 12);
    const judged = (median: number) => judge(policy, { 'agent-tool-calls-per-task': { kind: 'gauge', baseline, canary: gaugePeriods(random, median, 12) } }).metrics[0];
    expect(judged(480).decision).toBe('fail');
    expect(judged(1120).decision).toBe('pass');
  });
});
