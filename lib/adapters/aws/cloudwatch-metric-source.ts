import { CloudWatchClient, DescribeAlarmsCommand, GetMetricDataCommand, type MetricDataQuery } from '@aws-sdk/client-cloudwatch';
import type { AlarmStateSource, MetricQuery, MetricSeriesResult, MetricSource, TimeWindow } from '../../evaluation/ports';

/** GetMetricData accepts at most 500 queries per call (CloudWatch API Reference, GetMetricData). */
export const MAX_QUERIES_PER_CALL = 500;

function toMetricDataQuery(query: MetricQuery): MetricDataQuery {
  return {
    Id: query.id,
    ReturnData: true,
    MetricStat: {
      Metric: {
        Namespace: query.namespace,
        MetricName: query.metricName,
        Dimensions: Object.entries(query.dimensions).map(([Name, Value]) => ({ Name, Value })),
      },
      Period: query.period,
      Stat: query.stat,
    },
  };
}

/** CloudWatch `GetMetricData`: batches of ≤ 500 queries, every `NextToken` page merged per query id. */
export class CloudWatchMetricSource implements MetricSource {
  constructor(private readonly client: CloudWatchClient) {}

  async getMetricData(queries: readonly MetricQuery[], window: TimeWindow): Promise<MetricSeriesResult[]> {
    const points = new Map<string, Map<number, number>>(queries.map((query) => [query.id, new Map()]));
    for (let offset = 0; offset < queries.length; offset += MAX_QUERIES_PER_CALL) {
      const batch = queries.slice(offset, offset + MAX_QUERIES_PER_CALL).map(toMetricDataQuery);
      let nextToken: string | undefined;
      do {
        const page = await this.client.send(
          new GetMetricDataCommand({
            MetricDataQueries: batch,
            StartTime: window.start,
            EndTime: window.end,
            ScanBy: 'TimestampAscending',
            NextToken: nextToken,
          }),
        );
        for (const result of page.MetricDataResults ?? []) {
          const series = points.get(result.Id ?? '');
          if (!series) continue;
          (result.Timestamps ?? []).forEach((timestamp, i) => {
            const value = result.Values?.[i];
            if (value !== undefined) series.set(Math.floor(timestamp.getTime() / 1000), value);
          });
        }
        nextToken = page.NextToken;
      } while (nextToken);
    }
    return [...points].map(([id, series]) => {
      const sorted = [...series].sort(([a], [b]) => a - b);
      return { id, timestamps: sorted.map(([t]) => t), values: sorted.map(([, v]) => v) };
    });
  }
}

/** `DescribeAlarms` for alarm gates: the current state of each named alarm (a missing alarm is reported as such). */
export class CloudWatchAlarmStateSource implements AlarmStateSource {
  constructor(private readonly client: CloudWatchClient) {}

  async getAlarmStates(alarmNames: readonly string[]) {
    const found: Array<{ name: string; state: 'OK' | 'ALARM' | 'INSUFFICIENT_DATA' }> = [];
    // DescribeAlarms accepts at most 100 names per call (CloudWatch API Reference, DescribeAlarms).
    for (let offset = 0; offset < alarmNames.length; offset += 100) {
      let nextToken: string | undefined;
      do {
        const page = await this.client.send(
          new DescribeAlarmsCommand({ AlarmNames: alarmNames.slice(offset, offset + 100), AlarmTypes: ['MetricAlarm', 'CompositeAlarm'], NextToken: nextToken }),
        );
        for (const alarm of [...(page.MetricAlarms ?? []), ...(page.CompositeAlarms ?? [])]) {
          if (alarm.AlarmName && alarm.StateValue) found.push({ name: alarm.AlarmName, state: alarm.StateValue });
        }
        nextToken = page.NextToken;
      } while (nextToken);
    }
    const missing = alarmNames.filter((name) => !found.some((alarm) => alarm.name === name));
    if (missing.length > 0) throw new Error(`alarm(s) not found: ${missing.join(', ')}; check the alarm names in the policy`);
    return found;
  }
}
