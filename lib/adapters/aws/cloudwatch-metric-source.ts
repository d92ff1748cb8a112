import { CloudWatchClient, GetMetricDataCommand, type MetricDataQuery } from '@aws-sdk/client-cloudwatch';
import type { MetricQuery, MetricSeriesResult, MetricSource, TimeWindow } from '../../evaluation/ports';

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
