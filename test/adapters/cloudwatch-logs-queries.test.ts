import { CloudWatchLogsClient, GetQueryResultsCommand, StartQueryCommand, StopQueryCommand } from '@aws-sdk/client-cloudwatch-logs';
import { mockClient } from 'aws-sdk-client-mock';
import { InsightsQueryRunner } from '../../lib/adapters/aws/cloudwatch-logs-queries';

/** Responses shaped as the CloudWatch Logs API Reference documents StartQuery and GetQueryResults (status, results, statistics). */
const logs = mockClient(CloudWatchLogsClient);
const request = { logGroups: ['/aws/lambda/checkout'], start: 1000, end: 1599, query: 'stats count(*)', maxBytesScanned: 5_000, timeoutMs: 10_000 };

function clock() {
  let now = 0;
  return { now: () => now, sleep: async (ms: number) => void (now += ms) };
}

beforeEach(() => logs.reset());

describe('InsightsQueryRunner', () => {
  test('starts the query on the log groups and time range, polls until Complete, and reads rows and bytes scanned', async () => {
    logs.on(StartQueryCommand).resolves({ queryId: 'q-1' });
    logs
      .on(GetQueryResultsCommand)
      .resolvesOnce({ status: 'Scheduled', results: [] })
      .resolvesOnce({ status: 'Running', results: [], statistics: { bytesScanned: 100 } })
      .resolves({ status: 'Complete', results: [[{ field: 'minute', value: '2026-12-07 12:00:00.000' }, { field: 'errors', value: '3' }]], statistics: { bytesScanned: 1234, recordsMatched: 3, recordsScanned: 40 } });
    const runner = new InsightsQueryRunner(new CloudWatchLogsClient({}), { ...clock(), pollMs: 500 });
    const outcome = await runner.run(request);
    expect(outcome).toEqual({ status: 'Complete', rows: [{ minute: '2026-12-07 12:00:00.000', errors: '3' }], bytesScanned: 1234 });
    expect(logs.commandCalls(StartQueryCommand)[0].args[0].input).toEqual({ logGroupNames: ['/aws/lambda/checkout'], startTime: 1000, endTime: 1599, queryString: 'stats count(*)' });
    expect(logs.commandCalls(GetQueryResultsCommand)).toHaveLength(3);
    expect(logs.commandCalls(StopQueryCommand)).toHaveLength(0);
  });

  test.each(['Failed', 'Cancelled', 'Timeout', 'Unknown'])('a query that ends %s is reported so, not as data', async (status) => {
    logs.on(StartQueryCommand).resolves({ queryId: 'q-2' });
    logs.on(GetQueryResultsCommand).resolves({ status: status as 'Failed', results: [], statistics: { bytesScanned: 7 } });
    const outcome = await new InsightsQueryRunner(new CloudWatchLogsClient({}), clock()).run(request);
    expect(outcome).toEqual({ status, rows: [], bytesScanned: 7 });
  });

  test('stops a query that scans past the byte budget (StopQuery), and says why', async () => {
    logs.on(StartQueryCommand).resolves({ queryId: 'q-3' });
    logs.on(GetQueryResultsCommand).resolves({ status: 'Running', results: [], statistics: { bytesScanned: 6_000 } });
    logs.on(StopQueryCommand).resolves({ success: true });
    const outcome = await new InsightsQueryRunner(new CloudWatchLogsClient({}), clock()).run(request);
    expect(outcome).toEqual({ status: 'Stopped', rows: [], bytesScanned: 6_000, stoppedBecause: 'budget' });
    expect(logs.commandCalls(StopQueryCommand)[0].args[0].input).toEqual({ queryId: 'q-3' });
  });

  test('stops a query still running when the tick would run out, and a query that finished meanwhile is no error', async () => {
    logs.on(StartQueryCommand).resolves({ queryId: 'q-4' });
    logs.on(GetQueryResultsCommand).resolves({ status: 'Running', results: [], statistics: { bytesScanned: 10 } });
    logs.on(StopQueryCommand).rejects(Object.assign(new Error('query already complete'), { name: 'InvalidParameterException' }));
    const time = clock();
    const outcome = await new InsightsQueryRunner(new CloudWatchLogsClient({}), { ...time, pollMs: 1000 }).run({ ...request, timeoutMs: 4_000 });
    expect(outcome).toEqual({ status: 'Stopped', rows: [], bytesScanned: 10, stoppedBecause: 'time' });
    expect(time.now()).toBeLessThanOrEqual(4_000);
    expect(logs.commandCalls(StopQueryCommand)).toHaveLength(1);
  });

  test('any other StopQuery failure is raised', async () => {
    logs.on(StartQueryCommand).resolves({ queryId: 'q-5' });
    logs.on(GetQueryResultsCommand).resolves({ status: 'Running', results: [], statistics: { bytesScanned: 9_999 } });
    logs.on(StopQueryCommand).rejects(Object.assign(new Error('denied'), { name: 'AccessDeniedException' }));
    await expect(new InsightsQueryRunner(new CloudWatchLogsClient({}), clock()).run(request)).rejects.toThrow('denied');
  });
});
