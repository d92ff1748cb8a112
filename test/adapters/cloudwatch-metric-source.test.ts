import { CloudWatchClient, GetMetricDataCommand } from '@aws-sdk/client-cloudwatch';
import { mockClient } from 'aws-sdk-client-mock';
import { CloudWatchMetricSource, MAX_QUERIES_PER_CALL } from '../../lib/adapters/aws/cloudwatch-metric-source';
import { MetricsThrottledError, type MetricQuery } from '../../lib/evaluation';

/** Responses shaped as the CloudWatch API Reference documents GetMetricData (MetricDataResults, NextToken, StatusCode). */
const cloudwatch = mockClient(CloudWatchClient);
const T0 = new Date('2026-11-26T10:00:00Z');
const at = (minutes: number) => new Date(T0.getTime() + minutes * 60000);
const window = { start: at(0), end: at(5) };
const query = (id: string): MetricQuery => ({ id, namespace: 'AWS/Lambda', metricName: 'Errors', dimensions: { FunctionName: 'orders' }, stat: 'Sum', period: 60 });
const throttled = () => Object.assign(new Error('Rate exceeded'), { name: 'Throttling', $metadata: { httpStatusCode: 400 } });
/** Every query of the call answered `Complete` without datapoints (a series with no traffic). */
const emptyAnswers = (input: { MetricDataQueries?: Array<{ Id?: string }> }) => ({ MetricDataResults: (input.MetricDataQueries ?? []).map((q) => ({ Id: q.Id, Timestamps: [], Values: [], StatusCode: 'Complete' as const })) });
const noWait = { sleep: async () => undefined };

beforeEach(() => cloudwatch.reset());

describe('CloudWatchMetricSource', () => {
  test('sends a metric-math query as an Expression (CloudWatch API Reference, MetricDataQuery)', async () => {
    cloudwatch.on(GetMetricDataCommand).resolves({
      MetricDataResults: [
        { Id: 'e', Timestamps: [at(0)], Values: [7], StatusCode: 'Complete' },
        { Id: 'a', Timestamps: [], Values: [], StatusCode: 'Complete' },
      ],
    });
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
    cloudwatch.on(GetMetricDataCommand).callsFake(emptyAnswers);
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
    cloudwatch.on(GetMetricDataCommand).callsFake(emptyAnswers);
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
    await expect(new CloudWatchMetricSource(new CloudWatchClient({}), { sleep, maxAttempts: 3 }).getMetricData([query('a')], window)).rejects.toThrow(MetricsThrottledError);
    expect(cloudwatch.commandCalls(GetMetricDataCommand)).toHaveLength(3);
    cloudwatch.reset();
    cloudwatch.on(GetMetricDataCommand).rejects(Object.assign(new Error('denied'), { name: 'AccessDenied' }));
    await expect(new CloudWatchMetricSource(new CloudWatchClient({}), { sleep }).getMetricData([query('a')], window)).rejects.toThrow('denied');
    expect(cloudwatch.commandCalls(GetMetricDataCommand)).toHaveLength(1);
  });

  test('a Complete series without datapoints is empty (no traffic is not zero)', async () => {
    cloudwatch.on(GetMetricDataCommand).resolves({ MetricDataResults: [{ Id: 'a', Timestamps: [], Values: [], StatusCode: 'Complete' }] });
    const results = await new CloudWatchMetricSource(new CloudWatchClient({})).getMetricData([query('a')], window);
    expect(results).toEqual([{ id: 'a', timestamps: [], values: [] }]);
  });
});

/**
 * Issue 22 item 1: each MetricDataResult's StatusCode (`Complete | InternalError | PartialData | Forbidden`)
 * and Messages are honoured (CloudWatch API Reference, MetricDataResult): `PartialData` and `InternalError`
 * go on with the NextToken when there is one; without one (metric math returns none) the query is read
 * again; what stays incomplete is returned `incomplete`, with the status and messages, never as a
 * shorter series.
 */
describe('CloudWatchMetricSource: results that are not Complete', () => {
  const partial = (id: string, statusCode: 'PartialData' | 'InternalError' | 'Forbidden', values: number[] = [], message = `${statusCode} for ${id}`) => ({
    Id: id,
    StatusCode: statusCode,
    Messages: [{ Code: statusCode, Value: message }],
    Timestamps: values.map((_, i) => at(i)),
    Values: values,
  });

  test.each(['PartialData', 'InternalError'] as const)('%s without a NextToken is read again, and the complete re-read stands', async (statusCode) => {
    cloudwatch
      .on(GetMetricDataCommand)
      .resolvesOnce({ MetricDataResults: [partial('a', statusCode, [1]), { Id: 'b', Timestamps: [at(0)], Values: [5], StatusCode: 'Complete' }] })
      .resolves({ MetricDataResults: [{ Id: 'a', Timestamps: [at(0), at(1)], Values: [1, 4], StatusCode: 'Complete' }] });
    const sleeps: number[] = [];
    const results = await new CloudWatchMetricSource(new CloudWatchClient({}), { sleep: async (ms) => void sleeps.push(ms), random: () => 0.5 }).getMetricData([query('a'), query('b')], window);
    expect(results).toEqual([
      { id: 'a', timestamps: [at(0).getTime() / 1000, at(1).getTime() / 1000], values: [1, 4] },
      { id: 'b', timestamps: [at(0).getTime() / 1000], values: [5] },
    ]);
    // Only the incomplete query is read again, after a jittered backoff.
    expect(cloudwatch.commandCalls(GetMetricDataCommand).map((call) => call.args[0].input.MetricDataQueries!.map((q) => q.Id))).toEqual([['a', 'b'], ['a']]);
    expect(sleeps).toEqual([100]);
  });

  test.each(['PartialData', 'InternalError'] as const)('%s that stays so is returned incomplete with its status and messages, after the re-reads', async (statusCode) => {
    cloudwatch.on(GetMetricDataCommand).resolves({ MetricDataResults: [partial('a', statusCode, [2], 'Internal service error in one partition')] });
    const [result] = await new CloudWatchMetricSource(new CloudWatchClient({}), { ...noWait, rereads: 2 }).getMetricData([query('a')], window);
    expect(result).toEqual({ id: 'a', timestamps: [at(0).getTime() / 1000], values: [2], incomplete: { status: statusCode, messages: [`${statusCode}: Internal service error in one partition`] } });
    expect(cloudwatch.commandCalls(GetMetricDataCommand)).toHaveLength(3);
  });

  test('Forbidden is not read again (a permission or cross-Region read will not change by retrying) and is returned incomplete', async () => {
    const message = 'Authentication too complex to retrieve cross region data';
    cloudwatch.on(GetMetricDataCommand).resolves({ MetricDataResults: [partial('a', 'Forbidden', [], message)] });
    const [result] = await new CloudWatchMetricSource(new CloudWatchClient({}), noWait).getMetricData([query('a')], window);
    expect(result.incomplete).toEqual({ status: 'Forbidden', messages: [`Forbidden: ${message}`] });
    expect(cloudwatch.commandCalls(GetMetricDataCommand)).toHaveLength(1);
  });

  test('PartialData with a NextToken goes on with the token: the next page completes it', async () => {
    cloudwatch
      .on(GetMetricDataCommand, { NextToken: undefined })
      .resolves({ MetricDataResults: [partial('a', 'PartialData', [1])], NextToken: 'more' })
      .on(GetMetricDataCommand, { NextToken: 'more' })
      .resolves({ MetricDataResults: [{ Id: 'a', Timestamps: [at(1)], Values: [6], StatusCode: 'Complete' }] });
    const [result] = await new CloudWatchMetricSource(new CloudWatchClient({}), noWait).getMetricData([query('a')], window);
    expect(result).toEqual({ id: 'a', timestamps: [at(0).getTime() / 1000, at(1).getTime() / 1000], values: [1, 6] });
    expect(cloudwatch.commandCalls(GetMetricDataCommand).map((call) => call.args[0].input.NextToken)).toEqual([undefined, 'more']);
  });

  test('InternalError on the last page (no NextToken) after a complete first page is read again', async () => {
    cloudwatch
      .on(GetMetricDataCommand, { NextToken: undefined })
      .resolvesOnce({ MetricDataResults: [partial('a', 'PartialData', [1])], NextToken: 'more' })
      .resolves({ MetricDataResults: [{ Id: 'a', Timestamps: [at(0), at(1)], Values: [1, 6], StatusCode: 'Complete' }] })
      .on(GetMetricDataCommand, { NextToken: 'more' })
      .resolves({ MetricDataResults: [partial('a', 'InternalError')] });
    const [result] = await new CloudWatchMetricSource(new CloudWatchClient({}), noWait).getMetricData([query('a')], window);
    expect(result).toEqual({ id: 'a', timestamps: [at(0).getTime() / 1000, at(1).getTime() / 1000], values: [1, 6] });
    expect(cloudwatch.commandCalls(GetMetricDataCommand)).toHaveLength(3);
  });

  test('a query CloudWatch returns no result for is incomplete (NoResult), with the operation messages', async () => {
    cloudwatch.on(GetMetricDataCommand).resolves({ MetricDataResults: [{ Id: 'a', Timestamps: [], Values: [], StatusCode: 'Complete' }], Messages: [{ Code: 'MaxMetricsExceeded', Value: 'Maximum number of allowed metrics exceeded' }] });
    const results = await new CloudWatchMetricSource(new CloudWatchClient({}), noWait).getMetricData([query('a'), query('b')], window);
    expect(results).toEqual([
      { id: 'a', timestamps: [], values: [] },
      { id: 'b', timestamps: [], values: [], incomplete: { status: 'NoResult', messages: ['MaxMetricsExceeded: Maximum number of allowed metrics exceeded'] } },
    ]);
  });

  test('a late datapoint is simply absent from the series: no zero is filled in for it', async () => {
    // Minute 2 is not there yet (CloudWatch returns the datapoints it has; the result is still Complete).
    cloudwatch.on(GetMetricDataCommand).resolves({ MetricDataResults: [{ Id: 'a', Timestamps: [at(0), at(1), at(3)], Values: [4, 5, 7], StatusCode: 'Complete' }] });
    const [result] = await new CloudWatchMetricSource(new CloudWatchClient({}), noWait).getMetricData([query('a')], window);
    expect(result).toEqual({ id: 'a', timestamps: [0, 1, 3].map((m) => at(m).getTime() / 1000), values: [4, 5, 7] });
  });
});

/** Issue 23 item 5: throttling is retried with backoff inside a time budget; past it the look is skipped (MetricsThrottledError), not failed. */
describe('CloudWatchMetricSource: throttling', () => {
  test('throttled past the budget: MetricsThrottledError naming the error, attempts and backoff, with every sleep inside the budget', async () => {
    cloudwatch.on(GetMetricDataCommand).rejects(throttled());
    const sleeps: number[] = [];
    const source = new CloudWatchMetricSource(new CloudWatchClient({}), { sleep: async (ms) => void sleeps.push(ms), random: () => 0.99, budgetMs: 5000, maxAttempts: 50 });
    const error = await source.getMetricData([query('a')], window).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MetricsThrottledError);
    expect((error as Error).message).toMatch(/throttled \(Throttling: Rate exceeded\) after \d+ attempts, [\d.]+ s of backoff/);
    expect(sleeps.reduce((a, b) => a + b, 0)).toBeLessThanOrEqual(5000);
    expect(sleeps.length).toBeGreaterThanOrEqual(4);
    // Exponential under the cap: each ceiling doubles until maxDelayMs.
    expect(sleeps.slice(0, 4)).toEqual([198, 396, 792, 1584]);
  });

  test('the default budget bounds one read to 12 s of backoff, so a look (two reads) ends inside the 60 s function timeout', async () => {
    cloudwatch.on(GetMetricDataCommand).rejects(throttled());
    const sleeps: number[] = [];
    await expect(new CloudWatchMetricSource(new CloudWatchClient({}), { sleep: async (ms) => void sleeps.push(ms), random: () => 0.999 }).getMetricData([query('a')], window)).rejects.toBeInstanceOf(MetricsThrottledError);
    expect(sleeps.reduce((a, b) => a + b, 0)).toBeLessThanOrEqual(12000);
  });

  test('throttled for a while, then answered: the read succeeds', async () => {
    cloudwatch.on(GetMetricDataCommand).rejectsOnce(throttled()).rejectsOnce(throttled()).rejectsOnce(throttled()).resolves({ MetricDataResults: [{ Id: 'a', Timestamps: [at(0)], Values: [3], StatusCode: 'Complete' }] });
    await expect(new CloudWatchMetricSource(new CloudWatchClient({}), noWait).getMetricData([query('a')], window)).resolves.toEqual([{ id: 'a', timestamps: [at(0).getTime() / 1000], values: [3] }]);
  });
});
