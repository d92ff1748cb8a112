import { buildQueries, toObservations } from '../../lib/evaluation';
import { parsePolicy } from '../../lib/policy';

const lambdaTarget = { type: 'lambda' as const, functionName: 'chat', alias: 'live', currentVersion: '1', targetVersion: '2' };
const model = 'us.anthropic.claude-sonnet-4-20250514-v1:0';

describe('otel-genai-cost-per-request', () => {
  const policy = parsePolicy({ metrics: [{ preset: 'otel-genai-cost-per-request', namespace: 'ChatOtel', modelId: model, dimensions: { 'gen_ai.operation.name': 'chat' } }] });

  test('builds, per arm, the queries the documented attribute → dimension mapping implies', () => {
    const { queries } = buildQueries(policy, lambdaTarget, 60);
    const byId = Object.fromEntries(queries.map((query) => [query.id, query]));
    const shared = { 'gen_ai.operation.name': 'chat', 'gen_ai.request.model': model };
    for (const [arm, version] of [
      ['canary', '2'],
      ['baseline', '1'],
    ] as const) {
      expect(byId[`m0_${arm}_input`]).toMatchObject({
        namespace: 'ChatOtel',
        metricName: 'gen_ai.client.token.usage',
        stat: 'Sum',
        dimensions: { ...shared, 'gen_ai.token.type': 'input', 'service.version': version },
      });
      expect(byId[`m0_${arm}_output`]).toMatchObject({ metricName: 'gen_ai.client.token.usage', dimensions: { ...shared, 'gen_ai.token.type': 'output', 'service.version': version } });
      // One data point of the duration histogram per operation: its SampleCount counts requests.
      expect(byId[`m0_${arm}_requests`]).toMatchObject({ metricName: 'gen_ai.client.operation.duration', stat: 'SampleCount', dimensions: { ...shared, 'service.version': version } });
      expect(Object.keys((byId[`m0_${arm}_requests`] as { dimensions: object }).dimensions)).not.toContain('gen_ai.token.type');
    }
    expect(queries).toHaveLength(6);
  });

  test('is a cost metric priced by the catalog for the inference profile, judged by the cost method', () => {
    expect(policy.metrics[0]).toMatchObject({ kind: 'cost', model, method: { type: 'cost', per: 'request' }, prices: { input: 3, output: 15 }, versioning: { type: 'dimension', dimension: 'service.version' } });
  });

  test('the version and model dimensions can be renamed', () => {
    const renamed = parsePolicy({ metrics: [{ preset: 'otel-genai-cost-per-request', namespace: 'N', modelId: model, versionDimension: 'deployment.version', modelDimension: 'gen_ai.response.model' }] });
    const { queries } = buildQueries(renamed, lambdaTarget, 60);
    expect(queries[0]).toMatchObject({ dimensions: { 'gen_ai.response.model': model, 'deployment.version': '2' } });
  });
});

describe('agent behaviour presets: the share of turns (edits) at or below a bound, judged per unit of work', () => {
  test.each([
    ['agent-reasoning-length', 'ReasoningTokensPerTurn', 400],
    ['agent-files-read-before-edit', 'FilesReadBeforeEdit', 1],
  ])('%s counts %s values ≤ atMost (TC(:atMost)) over SampleCount per version, harm an increase, the count test by default', (preset, metricName, atMost) => {
    const metric = parsePolicy({ metrics: [{ preset, namespace: 'Agent', atMost }] }).metrics[0];
    expect(metric).toMatchObject({
      kind: 'count',
      direction: 'increase',
      method: { type: 'sequential' },
      count: { namespace: 'Agent', metricName, stat: `TC(:${atMost})` },
      total: { namespace: 'Agent', metricName, stat: 'SampleCount' },
      countInTotal: true,
      versioning: { type: 'dimension', dimension: 'Version' },
    });
    const { queries } = buildQueries(parsePolicy({ metrics: [{ preset, namespace: 'Agent', atMost, dimensions: { Agent: 'coder' } }] }), lambdaTarget, 60);
    expect(queries).toEqual([
      { id: 'm0_canary_count', namespace: 'Agent', metricName, dimensions: { Agent: 'coder', Version: '2' }, stat: `TC(:${atMost})`, period: 60 },
      { id: 'm0_canary_total', namespace: 'Agent', metricName, dimensions: { Agent: 'coder', Version: '2' }, stat: 'SampleCount', period: 60 },
      { id: 'm0_baseline_count', namespace: 'Agent', metricName, dimensions: { Agent: 'coder', Version: '1' }, stat: `TC(:${atMost})`, period: 60 },
      { id: 'm0_baseline_total', namespace: 'Agent', metricName, dimensions: { Agent: 'coder', Version: '1' }, stat: 'SampleCount', period: 60 },
    ]);
  });

  test('0 files is a bound (edits made without reading a file)', () => {
    const metric = parsePolicy({ metrics: [{ preset: 'agent-files-read-before-edit', namespace: 'Agent', atMost: 0 }] }).metrics[0];
    expect(metric).toMatchObject({ count: { stat: 'TC(:0)' } });
  });

  test.each([
    ['agent-reasoning-length', undefined, /metrics\[0\]\.atMost: .*expected number/i],
    ['agent-reasoning-length', 0, /metrics\[0\]\.atMost: expected a number of reasoning tokens > 0/],
    ['agent-reasoning-length', 1e-11, /metrics\[0\]\.atMost: expected a plain decimal number with at most 10 decimal places/],
    ['agent-reasoning-length', 1e21, /metrics\[0\]\.atMost: expected a plain decimal number/],
    ['agent-files-read-before-edit', 1.5, /metrics\[0\]\.atMost: expected a whole number of files/],
    ['agent-files-read-before-edit', -1, /metrics\[0\]\.atMost: expected a number of files ≥ 0/],
  ])('%s refuses atMost %p, naming the field', (preset, atMost, message) => {
    expect(() => parsePolicy({ metrics: [{ preset, namespace: 'Agent', ...(atMost !== undefined && { atMost }) }] })).toThrow(message);
  });

  test('the per-minute median is no longer a parameter: `statistic` is refused, naming the field', () => {
    expect(() => parsePolicy({ metrics: [{ preset: 'agent-reasoning-length', namespace: 'Agent', atMost: 400, statistic: 'p50' }] })).toThrow(/statistic/);
  });
});

describe('agent-tool-calls-per-task: a gauge whose harm is a drop', () => {
  test('reads the median of ToolCallsPerTask per version, direction decrease, Mann–Whitney by default', () => {
    const metric = parsePolicy({ metrics: [{ preset: 'agent-tool-calls-per-task', namespace: 'Agent' }] }).metrics[0];
    expect(metric).toMatchObject({
      kind: 'gauge',
      direction: 'decrease',
      method: { type: 'mann-whitney', tolerance: 0.1, minSamples: 10 },
      value: { namespace: 'Agent', metricName: 'ToolCallsPerTask', stat: 'p50' },
      versioning: { type: 'dimension', dimension: 'Version' },
    });
  });

  test('a method given in the policy wins over the preset default', () => {
    const metric = parsePolicy({ metrics: [{ preset: 'agent-tool-calls-per-task', namespace: 'Agent', method: { type: 'mann-whitney', tolerance: 0.2 } }] }).metrics[0];
    expect(metric.method).toMatchObject({ type: 'mann-whitney', tolerance: 0.2 });
  });
});

describe('token types as the conventions now name them', () => {
  const otel = (tokenTypes: Record<string, string>, extra: Record<string, unknown> = {}) =>
    parsePolicy({ metrics: [{ preset: 'otel-genai-cost-per-request', namespace: 'ChatOtel', modelId: model, tokenTypes, ...extra }] });
  const typeOf = (policy: ReturnType<typeof parsePolicy>, role: string) => {
    const query = buildQueries(policy, lambdaTarget, 60).queries.find((entry) => entry.id === `m0_canary_${role}`) as { dimensions: Record<string, string> } | undefined;
    return query?.dimensions['gen_ai.token.type'];
  };

  test.each([
    ['cache_creation', 'cache_read'],
    ['cache_write', 'cache_read'],
  ])('cache writes spelt %s are read (both drafts accepted), priced at their own prices, and taken out of input', (cacheWrite, cacheRead) => {
    const policy = otel({ cacheRead, cacheWrite, reasoning: 'reasoning' });
    expect(typeOf(policy, 'cacheWrite')).toBe(cacheWrite);
    expect(typeOf(policy, 'cacheRead')).toBe(cacheRead);
    expect(typeOf(policy, 'reasoning')).toBe('reasoning');
    expect(policy.metrics[0]).toMatchObject({ kind: 'cost', inputIncludesCache: true });
  });

  test('the deprecated `completion` spelling of output is accepted; without cache types nothing is taken out of input', () => {
    const policy = otel({ output: 'completion' });
    expect(typeOf(policy, 'output')).toBe('completion');
    expect(typeOf(policy, 'cacheRead')).toBeUndefined();
    expect(policy.metrics[0]).toMatchObject({ inputIncludesCache: false });
  });

  test('a spelling outside the drafts is refused, naming the field and the spellings accepted', () => {
    expect(() => otel({ cacheWrite: 'cacheWrite' })).toThrow(/metrics\[0\]\.tokenTypes\.cacheWrite: .*"cache_creation".*"cache_write"/);
  });

  test('input that counts cached tokens is priced without them (no token billed twice)', () => {
    const policy = otel({ cacheRead: 'cache_read' });
    const plan = buildQueries(policy, lambdaTarget, 60);
    const series = (role: string, arm: string, value: number) => ({ id: `m0_${arm}_${role}`, timestamps: [0], values: [value] });
    const results = ['canary', 'baseline'].flatMap((arm) => [series('requests', arm, 10), series('input', arm, 5000), series('output', arm, 1000), series('cacheRead', arm, 4000)]);
    const observed = toObservations(policy, plan, results, { start: 0, end: 60 });
    expect(observed[policy.metrics[0].name]).toMatchObject({ kind: 'tokens', canary: [{ t: 0, requests: 10, input: 1000, cacheRead: 4000, output: 1000 }] });
  });
});

describe('claude-code-cost-per-session: Claude Code\'s own OpenTelemetry metrics', () => {
  const policy = parsePolicy({ metrics: [{ preset: 'claude-code-cost-per-session', namespace: 'ClaudeCode', modelId: 'claude-sonnet-4-5-20250929' }] });

  test('reads claude_code.token.usage by `type` (input, output, cacheRead, cacheCreation) and sessions from claude_code.session.count', () => {
    const { queries } = buildQueries(policy, lambdaTarget, 60);
    const byId = Object.fromEntries(queries.map((query) => [query.id, query as { metricName: string; stat: string; dimensions: Record<string, string> }]));
    for (const [role, type] of [
      ['input', 'input'],
      ['output', 'output'],
      ['cacheRead', 'cacheRead'],
      ['cacheWrite', 'cacheCreation'],
    ]) {
      expect(byId[`m0_canary_${role}`]).toMatchObject({ metricName: 'claude_code.token.usage', stat: 'Sum', dimensions: { type, model: 'claude-sonnet-4-5-20250929', 'pipeline.version': '2' } });
    }
    // Sessions carry no `model` attribute.
    expect(byId.m0_baseline_requests).toMatchObject({ metricName: 'claude_code.session.count', stat: 'Sum', dimensions: { 'pipeline.version': '1' } });
    expect(Object.keys(byId.m0_baseline_requests.dimensions)).toEqual(['pipeline.version']);
    expect(policy.metrics[0]).toMatchObject({ kind: 'cost', inputIncludesCache: false, method: { type: 'cost' } });
  });

  test('a model the catalog does not price is refused at modelId', () => {
    expect(() => parsePolicy({ metrics: [{ preset: 'claude-code-cost-per-session', namespace: 'N', modelId: 'claude-imaginary-9' }] })).toThrow(/metrics\[0\]\.modelId: model "claude-imaginary-9" is not in the price catalog/);
  });
});
