import { CloudWatchClient, GetMetricDataCommand } from '@aws-sdk/client-cloudwatch';
import { mockClient } from 'aws-sdk-client-mock';
import { CloudWatchMetricSource, MAX_QUERIES_PER_CALL } from '../../lib/adapters/aws/cloudwatch-metric-source';
import type { MetricQuery } from '../../lib/evaluation';

/** Responses shaped as the CloudWatch API Reference documents GetMetricData (MetricDataResults, NextToken, StatusCode). */
const cloudwatch = mockClient(CloudWatchClient);
const T0 = new Date('2026-11-26T10:00:00Z');
const at = (minutes: number) => new Date(T0.getTime() + minutes * 60000);
const window = { start: at(0), end: at(5) };
const query = (id: string): MetricQuery => ({ id, namespace: 'AWS/Lambda', metricName: 'Errors', dimensions: { FunctionName: 'orders' }, stat: 'Sum', period: 60 });
const throttled = () => Object.assign(new Error('Rate exceeded'), { name: 'Throttling', $metadata: { httpStatusCode: 400 } });

beforeEach(() => cloudwatch.reset());

describe('CloudWatchMetricSource', () => {
  test('sends a metric-math query as an Expression (CloudWatch API Reference, MetricDataQuery)', async () => {
    cloudwatch.on(GetMetricDataCommand).resolves({ MetricDataResults: [{ Id: 'e', Timestamps: [at(0)], Values: [7], StatusCode: 'Complete' }] });
    const source = new CloudWatchMetricSource(new CloudWatchClient({}));
    const expression = `SUM(SEARCH('{Shop,Version} MetricName="CheckoutFailed" Version="2"', 'Sum', 60))`;
    await expect(source.getMetricData([{ id: 'e', expression, period: 60 }, query('a')], window)).resolves.toEqual([
      { id: 'e', timestamps: [at(0).getTime() / 1000], values: [7] },
      { id: 'a', timestamps: [], values: [] },
    ]);
    const sent = cloudwatch.commandCalls(GetMetricDataCommand)[0].args[0].input.MetricDataQueries!;
    expect(sent[0]).toEqual({ Id: 'e', ReturnData: true, Expression: expression, Period: 60 });
    expect(sent[1].MetricStat?.Metric?.MetricName).toBe('Errors');
  });

  test('a SEARCH returning several series for one arm is an error naming the query, not a silent overwrite', async () => {
    // GetMetricData returns each series a SEARCH finds under the expression's Id, told apart by Label.
    cloudwatch.on(GetMetricDataCommand).resolves({
      MetricDataResults: [
        { Id: 'e', Label: 'orders-a', Timestamps: [at(0)], Values: [1], StatusCode: 'Complete' },
        { Id: 'e', Label: 'orders-b', Timestamps: [at(0)], Values: [9], StatusCode: 'Complete' },
      ],
    });
    const expression = `SEARCH('{Shop,Version} MetricName="CheckoutFailed" Version="2"', 'Sum', 60)`;
    await expect(new CloudWatchMetricSource(new CloudWatchClient({})).getMetricData([{ id: 'e', expression, period: 60 }], window)).rejects.toThrow(
      /query e "SEARCH\(.*\)" returned more than one time series \(orders-a, orders-b\).*SUM\(SEARCH/,
    );
  });

  test('sends at most one Metrics Insights query per GetMetricData call (CloudWatch API Reference, GetMetricData)', async () => {
    cloudwatch.on(GetMetricDataCommand).resolves({ MetricDataResults: [] });
    const insights = (id: string): MetricQuery => ({ id, expression: `SELECT SUM(Errors) FROM SCHEMA("AWS/Lambda", FunctionName) WHERE FunctionName = '${id}'`, period: 60 });
    const results = await new CloudWatchMetricSource(new CloudWatchClient({})).getMetricData([insights('i1'), query('a'), insights('i2'), query('b'), insights('i3')], window);
    expect(results.map((r) => r.id)).toEqual(['i1', 'a', 'i2', 'b', 'i3']);
    const calls = cloudwatch.commandCalls(GetMetricDataCommand).map((call) => call.args[0].input.MetricDataQueries!.map((q) => q.Id));
    expect(calls).toEqual([['i1', 'a'], ['i2', 'b'], ['i3']]);
  });

  test('merges NextToken pages per query id, oldest first', async () => {
    cloudwatch
      .on(GetMetricDataCommand, { NextToken: undefined })
      .resolves({ MetricDataResults: [{ Id: 'a', Timestamps: [at(1)], Values: [3], StatusCode: 'PartialData' }], NextToken: 'page-2' })
      .on(GetMetricDataCommand, { NextToken: 'page-2' })
      .resolves({ MetricDataResults: [{ Id: 'a', Timestamps: [at(0)], Values: [2], StatusCode: 'Complete' }] });
    const source = new CloudWatchMetricSource(new CloudWatchClient({}));
    await expect(source.getMetricData([query('a')], window)).resolves.toEqual([{ id: 'a', timestamps: [at(0).getTime() / 1000, at(1).getTime() / 1000], values: [2, 3] }]);
    expect(cloudwatch.commandCalls(GetMetricDataCommand)).toHaveLength(2);
  });

  test(`splits more than ${MAX_QUERIES_PER_CALL} queries into calls of at most ${MAX_QUERIES_PER_CALL}`, async () => {
    cloudwatch.on(GetMetricDataCommand).resolves({ MetricDataResults: [] });
    const recorded: number[] = [];
    const source = new CloudWatchMetricSource(new CloudWatchClient({}), {}, { recordCall: (n) => recorded.push(n) });
    await source.getMetricData(Array.from({ length: 1001 }, (_, i) => query(`q${i}`)), window);
    expect(cloudwatch.commandCalls(GetMetricDataCommand).map((call) => call.args[0].input.MetricDataQueries!.length)).toEqual([500, 500, 1]);
    expect(recorded).toEqual([500, 500, 1]);
  });

  test('retries throttling with bounded, jittered exponential backoff, without waiting in tests', async () => {
    cloudwatch.on(GetMetricDataCommand).rejectsOnce(throttled()).rejectsOnce(throttled()).resolves({ MetricDataResults: [{ Id: 'a', Timestamps: [at(0)], Values: [1] }] });
    const sleeps: number[] = [];
    const source = new CloudWatchMetricSource(new CloudWatchClient({}), { sleep: async (ms) => void sleeps.push(ms), random: () => 0.5, baseDelayMs: 100, maxDelayMs: 150 });
    await expect(source.getMetricData([query('a')], window)).resolves.toHaveLength(1);
    expect(sleeps).toEqual([50, 75]); // half of min(150, 100·2^n): full jitter under a cap
  });

  test('gives up after maxAttempts, and never retries other errors', async () => {
    cloudwatch.on(GetMetricDataCommand).rejects(throttled());
    const sleep = jest.fn(async () => undefined);
    await expect(new CloudWatchMetricSource(new CloudWatchClient({}), { sleep, maxAttempts: 3 }).getMetricData([query('a')], window)).rejects.toThrow('Rate exceeded');
    expect(cloudwatch.commandCalls(GetMetricDataCommand)).toHaveLength(3);
    cloudwatch.reset();
    cloudwatch.on(GetMetricDataCommand).rejects(Object.assign(new Error('denied'), { name: 'AccessDenied' }));
    await expect(new CloudWatchMetricSource(new CloudWatchClient({}), { sleep }).getMetricData([query('a')], window)).rejects.toThrow('denied');
    expect(cloudwatch.commandCalls(GetMetricDataCommand)).toHaveLength(1);
  });

  test('a series CloudWatch does not return, or returns without datapoints, is empty (no traffic is not zero)', async () => {
    cloudwatch.on(GetMetricDataCommand).resolves({ MetricDataResults: [{ Id: 'a', Timestamps: [], Values: [], StatusCode: 'Complete' }] });
    const results = await new CloudWatchMetricSource(new CloudWatchClient({})).getMetricData([query('a'), query('b')], window);
    expect(results).toEqual([
      { id: 'a', timestamps: [], values: [] },
      { id: 'b', timestamps: [], values: [] },
    ]);
  });
});
