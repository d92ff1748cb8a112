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

  test('lambda-p99-duration is a gauge of p99 Duration', () => {
    expect(only({ preset: 'lambda-p99-duration' })).toMatchObject({ kind: 'gauge', value: { namespace: 'AWS/Lambda', metricName: 'Duration', stat: 'p99' } });
  });

  test('bedrock-tokens-per-request reads the application metrics by model and version dimension', () => {
    const metric = only({ preset: 'bedrock-tokens-per-request', namespace: 'Chat', modelId: 'anthropic.claude-x', versionDimension: 'service.version', tokens: 'input' });
    expect(metric).toMatchObject({
      kind: 'count',
      count: { namespace: 'Chat', metricName: 'InputTokenCount', dimensions: { ModelId: 'anthropic.claude-x' } },
      total: { namespace: 'Chat', metricName: 'Invocations', dimensions: { ModelId: 'anthropic.claude-x' } },
      versioning: { type: 'dimension', dimension: 'service.version' },
    });
    expect(only({ preset: 'bedrock-tokens-per-request', namespace: 'Chat', modelId: 'm' }).versioning).toEqual({ type: 'dimension', dimension: 'Version' });
  });

  test('preset expansion keeps the metric\'s own name, criticality and method', () => {
    const metric = only({ preset: 'lambda-error-rate', name: 'errors', critical: false, method: { type: 'threshold', max: 0.05 } });
    expect(metric).toMatchObject({ name: 'errors', critical: false, method: { type: 'threshold', max: 0.05 } });
  });

  test.each([
    ['fails without a threshold', { preset: 'lambda-slow-requests' }, 'metrics[0].thresholdMs'],
    ['fails on a negative threshold', { preset: 'alb-slow-requests', thresholdSeconds: -1 }, 'metrics[0].thresholdSeconds'],
    ['fails on a parameter of another preset', { preset: 'lambda-error-rate', thresholdMs: 800 }, 'Unrecognized key: "thresholdMs"'],
    ['fails on a Bedrock preset without a namespace', { preset: 'bedrock-tokens-per-request', modelId: 'm' }, 'metrics[0].namespace'],
    ['fails on an unknown preset', { preset: 'lambda-nope' }, 'metrics[0].preset: Invalid option'],
  ])('%s', (_case, metric, expected) => {
    expect(() => parsePolicy({ metrics: [metric] })).toThrow(expected);
  });

  test('every preset is listed', () => {
    expect(PRESET_NAMES).toEqual(expect.arrayContaining(['lambda-error-rate', 'lambda-slow-requests', 'lambda-throttle-rate', 'alb-5xx-rate', 'alb-slow-requests', 'bedrock-tokens-per-request']));
  });
});
