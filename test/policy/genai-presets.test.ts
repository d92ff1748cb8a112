import { buildQueries } from '../../lib/evaluation';
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

describe('agent presets: gauges whose harm is a drop', () => {
  test.each([
    ['agent-reasoning-length', 'ReasoningTokensPerTurn'],
    ['agent-files-read-before-edit', 'FilesReadBeforeEdit'],
    ['agent-tool-calls-per-task', 'ToolCallsPerTask'],
  ])('%s reads the median of %s per version, direction decrease, Mann–Whitney by default', (preset, metricName) => {
    const metric = parsePolicy({ metrics: [{ preset, namespace: 'Agent' }] }).metrics[0];
    expect(metric).toMatchObject({
      kind: 'gauge',
      direction: 'decrease',
      method: { type: 'mann-whitney', tolerance: 0.1, minSamples: 10 },
      value: { namespace: 'Agent', metricName, stat: 'p50' },
      versioning: { type: 'dimension', dimension: 'Version' },
    });
  });

  test('a method given in the policy wins over the preset default', () => {
    const metric = parsePolicy({ metrics: [{ preset: 'agent-tool-calls-per-task', namespace: 'Agent', method: { type: 'mann-whitney', tolerance: 0.2 } }] }).metrics[0];
    expect(metric.method).toMatchObject({ type: 'mann-whitney', tolerance: 0.2 });
  });
});
