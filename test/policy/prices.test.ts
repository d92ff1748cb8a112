import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CATALOG_VERSION, catalogPrices, parsePolicy, policyAsInput, resolvePrices, type PolicyInput } from '../../lib/policy';

const costMetric = (extra: Record<string, unknown>) => ({
  name: 'chat-cost',
  kind: 'cost',
  requests: { namespace: 'App', metricName: 'Invocations' },
  tokens: { input: { namespace: 'App', metricName: 'InputTokenCount' }, output: { namespace: 'App', metricName: 'OutputTokenCount' } },
  versioning: { type: 'dimension', dimension: 'Version' },
  ...extra,
});
const pricesOf = (input: PolicyInput) => (parsePolicy(input).metrics[0] as { prices?: Record<string, unknown> }).prices;

describe('the price catalog', () => {
  test('the installed catalog is the pinned version (bump the version, date and lock file together)', () => {
    const installed = JSON.parse(readFileSync(join(__dirname, '../../node_modules/@pydantic/genai-prices/package.json'), 'utf8')) as { version: string };
    const declared = JSON.parse(readFileSync(join(__dirname, '../../package.json'), 'utf8')) as { dependencies: Record<string, string> };
    expect(installed.version).toBe(CATALOG_VERSION);
    expect(declared.dependencies['@pydantic/genai-prices']).toBe(CATALOG_VERSION);
  });

  // Every model id the presets, scenarios and docs use, plus the cross-region inference profiles.
  test.each([
    ['anthropic.claude-3-5-haiku-20241022-v1:0', 0.8, 4, 0.08, 1],
    ['anthropic.claude-sonnet-4-20250514-v1:0', 3, 15, 0.3, 3.75],
    ['us.anthropic.claude-sonnet-4-20250514-v1:0', 3, 15, 0.3, 3.75],
    ['eu.anthropic.claude-3-7-sonnet-20250219-v1:0', 3, 15, 0.3, 3.75],
    ['global.anthropic.claude-sonnet-4-5-20250929-v1:0', 3, 15, 0.3, 3.75],
    ['amazon.nova-pro-v1:0', 0.8, 3.2, 0.2, 0.8],
    ['us.amazon.nova-pro-v1:0', 0.8, 3.2, 0.2, 0.8],
    // No prompt caching: cache tokens are billed as input (the catalog's own rule).
    ['meta.llama3-3-70b-instruct-v1:0', 0.72, 0.72, 0.72, 0.72],
    // Anthropic and OpenAI API names (base tier: a per-period sum cannot tell long prompts apart).
    ['claude-sonnet-4-5', 3, 15, 0.3, 3.75],
    ['gpt-4o', 2.5, 10, 1.25, 2.5],
  ])('%s resolves to %p in / %p out / %p cache read / %p cache write per million tokens', (model, input, output, cacheRead, cacheWrite) => {
    expect(catalogPrices(model)?.prices).toEqual({ input, output, cacheRead, cacheWrite });
    expect(pricesOf({ metrics: [costMetric({ model })] })).toMatchObject({ input, output, cacheRead, cacheWrite, date: '2026-09-23', source: expect.stringContaining(`@pydantic/genai-prices ${CATALOG_VERSION}`) });
  });

  test('a regional inference profile is priced as AWS prices it, apart from the global one', () => {
    const regional = catalogPrices('us.anthropic.claude-sonnet-4-5-20250929-v1:0')!;
    const global = catalogPrices('global.anthropic.claude-sonnet-4-5-20250929-v1:0')!;
    expect(regional.matched).toMatch(/^aws: regional\./);
    expect(regional.prices.input).toBeGreaterThan(global.prices.input);
  });
});

describe('price overrides', () => {
  test('an override wins over the catalog and names its source and date', () => {
    const prices = pricesOf({
      metrics: [costMetric({ model: 'anthropic.claude-sonnet-4-20250514-v1:0', prices: { input: 2.4, output: 12, date: '2026-11-01', source: 'EDP contract 2026' } })],
    });
    // Cache prices not given: the catalog's.
    expect(prices).toEqual({ input: 2.4, output: 12, cacheRead: 0.3, cacheWrite: 3.75, source: 'EDP contract 2026', date: '2026-11-01' });
  });

  test('an override prices a model the catalog does not know; its cache prices default to input', () => {
    expect(resolvePrices('acme.private-model-v1', { input: 1, output: 2, date: '2026-11-01' })).toEqual({
      input: 1,
      output: 2,
      cacheRead: 1,
      cacheWrite: 1,
      source: 'policy override',
      date: '2026-11-01',
    });
    expect(pricesOf({ metrics: [costMetric({ model: 'acme.private-model-v1', prices: { input: 1, output: 2, date: '2026-11-01' } })] })).toMatchObject({ input: 1 });
  });

  test('a preset takes an override too', () => {
    const prices = pricesOf({ metrics: [{ preset: 'bedrock-cost-per-request', namespace: 'Chat', modelId: 'amazon.nova-pro-v1:0', prices: { input: 0.5, output: 2, date: '2026-10-01' } }] });
    expect(prices).toMatchObject({ input: 0.5, output: 2, cacheRead: 0.2, source: 'policy override' });
  });

  test('an unknown model fails validation, naming the field and where the override goes', () => {
    expect(() => parsePolicy({ metrics: [{ preset: 'lambda-error-rate' }, costMetric({ model: 'anthropic.claude-nonexistent-v9:0' })] })).toThrow(
      /metrics\[1\]\.model: model "anthropic\.claude-nonexistent-v9:0" is not in the price catalog \(@pydantic\/genai-prices 0\.1\.8\).*give its prices in this metric's `prices`/,
    );
  });

  test('an override without a date, or with a negative price, is refused with its path', () => {
    expect(() => parsePolicy({ metrics: [costMetric({ model: 'x', prices: { input: 1, output: 2 } })] })).toThrow(/metrics\[0\]\.prices\.date/);
    expect(() => parsePolicy({ metrics: [costMetric({ model: 'x', prices: { input: -1, output: 2, date: '2026-01-01' } })] })).toThrow(/metrics\[0\]\.prices\.input/);
  });

  test('a validated policy re-parses to itself (resolved prices travel in the policy the Lambdas read)', () => {
    const policy = parsePolicy({ metrics: [costMetric({ model: 'us.anthropic.claude-sonnet-4-20250514-v1:0' })] });
    // Stored durations are seconds; as input a duration needs its unit (issue 25 item 4).
    expect(parsePolicy(policyAsInput(JSON.parse(JSON.stringify(policy))))).toEqual(policy);
  });
});
