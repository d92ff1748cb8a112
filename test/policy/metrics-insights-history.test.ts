import { parsePolicy } from '../../lib/policy';

/**
 * Issue 24 finding 5: a Metrics Insights query (`SELECT …`) reads only the last three hours (CloudWatch API
 * Reference, GetMetricData), so a gauge read by one cannot take 240 one-minute periods of history.
 */
const insightsGauge = (historyPeriods?: number) => ({
  name: 'p99',
  kind: 'gauge' as const,
  value: { expression: `SELECT MAX(Duration) FROM SCHEMA("AWS/Lambda", FunctionName, ExecutedVersion) WHERE ExecutedVersion = '\${VERSION}'` },
  versioning: { type: 'dimension' as const, dimension: 'ExecutedVersion' },
  method: { type: 'mann-whitney' as const, ...(historyPeriods === undefined ? {} : { historyPeriods }) },
});

describe('gauge history of a Metrics Insights query', () => {
  test('the default 240 one-minute periods do not fit: synth names the field, the reach and what fits', () => {
    expect(() => parsePolicy({ metrics: [insightsGauge()] })).toThrow(
      /metrics\[0\]\.method\.historyPeriods: 240 periods of history reach .* back in the canary watch .*, but a Metrics Insights query reads only the last 180 min .*; at most \d+ here/,
    );
  });

  test('the largest count it names is accepted, one more is not', () => {
    const message = (() => {
      try {
        parsePolicy({ metrics: [insightsGauge()] });
        return '';
      } catch (error) {
        return (error as Error).message;
      }
    })();
    const fits = Number(/at most (\d+) here/.exec(message)![1]);
    expect(fits).toBeGreaterThan(0);
    expect(fits).toBeLessThan(180);
    expect(() => parsePolicy({ metrics: [insightsGauge(fits)] })).not.toThrow();
    expect(() => parsePolicy({ metrics: [insightsGauge(fits + 1)] })).toThrow(/historyPeriods/);
  });

  test('metric math (SEARCH) and plain metrics keep their history; no history, or ignoring autocorrelation, needs none', () => {
    const search = { ...insightsGauge(), value: { expression: `MAX(SEARCH('{AWS/Lambda,FunctionName,ExecutedVersion} ExecutedVersion="\${VERSION}"', 'Maximum', 60))` } };
    expect(() => parsePolicy({ metrics: [search] })).not.toThrow();
    expect(() => parsePolicy({ metrics: [insightsGauge(0)] })).not.toThrow();
    expect(() => parsePolicy({ metrics: [{ ...insightsGauge(), method: { type: 'mann-whitney' as const, autocorrelation: 'ignore' as const } }] })).not.toThrow();
  });
});
