import { Metrics } from '@aws-lambda-powertools/metrics';
import { tokenUsageMetrics } from '../../lib/demo/token-metrics';

describe('demo: per-version token metrics with Powertools Metrics (EMF)', () => {
  test('one EMF document per request with {Version, ModelId} and the token metrics the cost preset reads', () => {
    // test/setup.ts disables Powertools metrics for the other suites; this one needs them recorded.
    const disabled = process.env.POWERTOOLS_METRICS_DISABLED;
    process.env.POWERTOOLS_METRICS_DISABLED = 'false';
    let single: Metrics;
    try {
      // singleMetric() reads the environment too.
      single = tokenUsageMetrics(new Metrics({ namespace: 'Chat', serviceName: 'chat' }), { modelId: 'us.anthropic.claude-sonnet-4-20250514-v1:0', version: '7', usage: { inputTokens: 300, outputTokens: 130, cacheReadInputTokens: 3000 } });
    } finally {
      process.env.POWERTOOLS_METRICS_DISABLED = disabled;
    }
    // The EMF document publishStoredMetrics writes to stdout.
    const emf = single.serializeMetrics() as unknown as Record<string, unknown> & { _aws: { CloudWatchMetrics: { Namespace: string; Dimensions: string[][]; Metrics: { Name: string }[] }[] } };
    const directive = emf._aws.CloudWatchMetrics[0];
    expect(directive.Namespace).toBe('Chat');
    // Exactly the dimension set the preset queries (with the evaluator's version value).
    expect(directive.Dimensions).toEqual([['Version', 'ModelId']]);
    expect(directive.Metrics.map((metric) => metric.Name)).toEqual(expect.arrayContaining(['Invocations', 'InputTokenCount', 'OutputTokenCount', 'CacheReadInputTokenCount', 'CacheWriteInputTokenCount', 'Errors']));
    expect(emf).toMatchObject({ Version: '7', ModelId: 'us.anthropic.claude-sonnet-4-20250514-v1:0', InputTokenCount: 300, OutputTokenCount: 130, CacheReadInputTokenCount: 3000, CacheWriteInputTokenCount: 0, Invocations: 1 });
  });
});
