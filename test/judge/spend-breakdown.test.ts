import { judge, metricHeadline, spendBreakdown, type TokensPeriod } from '../../lib/judge';
import { tokenPeriods, withCacheMisses, type TokenMix } from '../../lib/bench/token-streams';
import { parsePolicy } from '../../lib/policy';
import { Random } from '../../lib/simulate/random';

const stat = { namespace: 'App', metricName: 'm' };
const MODEL = 'anthropic.claude-sonnet-4-20250514-v1:0';
const CACHED_MIX: TokenMix = { input: 300, output: 130, cacheRead: 3000, cacheWrite: 0 };
const policy = parsePolicy({
  alpha: 0.01,
  metrics: [{ name: 'cost', kind: 'cost', model: MODEL, requests: stat, tokens: { input: stat, output: stat, cacheRead: stat, cacheWrite: stat, reasoning: stat }, versioning: { type: 'dimension', dimension: 'Version' } }],
});

function judged(canaryMix: TokenMix, seed: string) {
  const random = Random.seeded(41, seed);
  const baseline = tokenPeriods(random, { requestsPerPeriod: 900, tokens: CACHED_MIX }, 20).tokens;
  const canary = tokenPeriods(random, { requestsPerPeriod: 100, tokens: canaryMix }, 20).tokens;
  return judge(policy, { cost: { kind: 'tokens', baseline, canary } }).metrics[0];
}

describe('why spend moved: cost verdicts by token type', () => {
  test('a prompt-cache miss names input tokens and the cache miss, in the reason and the headline every view uses', () => {
    const result = judged(withCacheMisses(CACHED_MIX, 1), 'miss');
    expect(result.decision).toBe('fail');
    expect(result.spendDriver).toMatchObject({ type: 'input', cacheMiss: true });
    expect(result.reason).toMatch(/moved most: input tokens \+\$[\d.]+ per 1k requests \(\d+ → [\d,]+ per request; cache reads [\d,]+ → 0 per request: a prompt-cache miss\)$/);
    expect(metricHeadline(result)).toMatch(/, mostly input tokens \(\+\$[\d.]+ per 1,000 requests: cache reads fell, a prompt-cache miss\): regression shown$/);
    const byType = Object.fromEntries(result.spendByTokenType!.map((row) => [row.type, row]));
    expect(byType.cacheRead.canaryTokensPerRequest).toBe(0);
    expect(byType.cacheRead.baselineTokensPerRequest).toBeGreaterThan(2900);
    expect(byType.input.canaryTokensPerRequest).toBeGreaterThan(3200);
    // Without reasoning data there is no reasoning row (nothing is made up).
    expect(byType.reasoning).toBeUndefined();
    expect(spendBreakdown(result)).toMatch(/^spend by token type per 1,000 requests, new vs current: input \$[\d.]+ vs \$[\d.]+ \([\d,]+ vs \d+ tokens\) · output /);
  });

  test('more output names output tokens, and no cache miss', () => {
    const result = judged({ ...CACHED_MIX, output: CACHED_MIX.output * 3 }, 'output');
    expect(result.decision).toBe('fail');
    expect(result.spendDriver).toMatchObject({ type: 'output', cacheMiss: false });
    expect(metricHeadline(result)).toContain('mostly output tokens (+$');
    expect(metricHeadline(result)).not.toContain('cache');
  });

  test('a pass names no driver but keeps the breakdown', () => {
    const result = judged(CACHED_MIX, 'same');
    expect(result.decision).not.toBe('fail');
    expect(result.spendDriver).toBeUndefined();
    expect(result.spendByTokenType!.map((row) => row.type)).toEqual(['input', 'output', 'cacheRead', 'cacheWrite']);
  });

  test('reasoning is shown apart from the rest of the output and priced once, at the output price', () => {
    const period = (t: number, requests: number, output: number, reasoning: number): TokensPeriod => ({ t, requests, input: 100 * requests, output: output * requests, cacheRead: 0, cacheWrite: 0, reasoning: reasoning * requests });
    const baseline = Array.from({ length: 10 }, (_, t) => period(t * 60, 900, 500, 200));
    const canary = Array.from({ length: 10 }, (_, t) => period(t * 60, 100, 1100, 800));
    const result = judge(policy, { cost: { kind: 'tokens', baseline, canary } }).metrics[0];
    const byType = Object.fromEntries(result.spendByTokenType!.map((row) => [row.type, row]));
    expect(byType.reasoning).toMatchObject({ baselineTokensPerRequest: 200, canaryTokensPerRequest: 800 });
    expect(byType.output).toMatchObject({ baselineTokensPerRequest: 300, canaryTokensPerRequest: 300 });
    // The rows add up to the cost per request (nothing billed twice).
    const total = result.spendByTokenType!.reduce((sum, row) => sum + row.canaryUsdPerRequest, 0);
    expect(total).toBeCloseTo(result.canary.costPerRequest!, 6);
    expect(result.decision).toBe('fail');
    expect(result.spendDriver).toMatchObject({ type: 'reasoning', cacheMiss: false });
  });

  test('reasoning above output is refused, naming the period', () => {
    const bad: TokensPeriod[] = [{ t: 0, requests: 10, input: 1, output: 5, reasoning: 6 }];
    expect(() => judge(policy, { cost: { kind: 'tokens', baseline: bad, canary: [] } })).toThrow('observations["cost"].baseline[0]: reasoning 6 > output 5 (reasoning tokens are a part of output)');
  });
});
