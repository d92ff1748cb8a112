import { parsePolicy, PRESET_NAMES } from '../../lib/policy';

const only = (metric: Record<string, unknown>) => parsePolicy({ metrics: [metric] }).metrics[0] as unknown as Record<string, Record<string, unknown>>;

describe('presets', () => {
  test.each([
    ['lambda-error-rate', {}, 'Errors', 'Sum', 'Invocations', { type: 'lambda-alias' }],
    ['lambda-throttle-rate', {}, 'Throttles', 'Sum', 'Invocations', { type: 'lambda-alias' }],
    ['lambda-slow-requests', { thresholdMs: 800 }, 'Duration', 'TC(800:)', 'Invocations', { type: 'lambda-alias' }],
    ['alb-5xx-rate', {}, 'HTTPCode_Target_5XX_Count', 'Sum', 'RequestCount', { type: 'alb-target-group' }],
    ['alb-slow-requests', { thresholdSeconds: 0.5 }, 'TargetResponseTime', 'TC(0.5:)', 'RequestCount', { type: 'alb-target-group' }],
  ])('%s expands to a count of %s', (preset, params, countMetric, countStat, totalMetric, versioning) => {
    const metric = only({ preset, ...params });
    expect(metric).toMatchObject({ name: preset, kind: 'count', direction: 'increase', versioning });
    expect(metric.count).toMatchObject({ metricName: countMetric, stat: countStat });
    expect(metric.total).toMatchObject({ metricName: totalMetric, stat: 'Sum' });
  });

  test('only lambda-throttle-rate adds its count to the total (Throttles are not counted in Invocations)', () => {
    expect(only({ preset: 'lambda-throttle-rate' })).toMatchObject({ countInTotal: false });
    expect(only({ preset: 'lambda-error-rate' })).toMatchObject({ countInTotal: true });
    expect(only({ preset: 'alb-5xx-rate' })).toMatchObject({ countInTotal: true });
  });

  test('lambda-p99-duration is a gauge of p99 Duration', () => {
    expect(only({ preset: 'lambda-p99-duration' })).toMatchObject({ kind: 'gauge', value: { namespace: 'AWS/Lambda', metricName: 'Duration', stat: 'p99' } });
  });

  test('bedrock-cost-per-request prices the application token metrics by model and version dimension', () => {
    const model = 'anthropic.claude-3-5-haiku-20241022-v1:0';
    const metric = only({ preset: 'bedrock-cost-per-request', namespace: 'Chat', modelId: model, versionDimension: 'service.version' });
    expect(metric).toMatchObject({
      kind: 'cost',
      model,
      method: { type: 'cost' },
      requests: { namespace: 'Chat', metricName: 'Invocations', dimensions: { ModelId: model } },
      tokens: { input: { metricName: 'InputTokenCount' }, output: { metricName: 'OutputTokenCount' }, cacheRead: { metricName: 'CacheReadInputTokenCount' } },
      versioning: { type: 'dimension', dimension: 'service.version' },
    });
    expect(only({ preset: 'bedrock-cost-per-request', namespace: 'Chat', modelId: model }).versioning).toEqual({ type: 'dimension', dimension: 'Version' });
  });

  test('fails on a Bedrock model the price catalog does not know, naming the override', () => {
    expect(() => only({ preset: 'bedrock-cost-per-request', namespace: 'Chat', modelId: 'acme.unknown-v1' })).toThrow(
      /metrics\[0\]\.modelId: model "acme.unknown-v1" is not in the price catalog .*give its prices in this metric's `prices`/,
    );
  });

  test('preset expansion keeps the metric\'s own name, criticality and method', () => {
    const metric = only({ preset: 'lambda-error-rate', name: 'errors', critical: false, method: { type: 'threshold', max: 0.05 } });
    expect(metric).toMatchObject({ name: 'errors', critical: false, method: { type: 'threshold', max: 0.05 } });
  });

  test.each([
    ['fails without a threshold', { preset: 'lambda-slow-requests' }, 'metrics[0].thresholdMs'],
    ['fails on a negative threshold', { preset: 'alb-slow-requests', thresholdSeconds: -1 }, 'metrics[0].thresholdSeconds'],
    ['fails on a parameter of another preset', { preset: 'lambda-error-rate', thresholdMs: 800 }, 'Unrecognized key: "thresholdMs"'],
    ['fails on a Bedrock preset without a namespace', { preset: 'bedrock-cost-per-request', modelId: 'amazon.nova-lite-v1:0' }, 'metrics[0].namespace'],
    ['fails on an unknown preset', { preset: 'lambda-nope' }, 'metrics[0].preset: Invalid option'],
  ])('%s', (_case, metric, expected) => {
    expect(() => parsePolicy({ metrics: [metric] })).toThrow(expected);
  });

  test('every preset is listed', () => {
    expect(PRESET_NAMES).toEqual(expect.arrayContaining(['lambda-error-rate', 'lambda-slow-requests', 'lambda-throttle-rate', 'alb-5xx-rate', 'alb-slow-requests', 'bedrock-cost-per-request']));
  });
});
