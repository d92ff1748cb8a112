import type { GetMetricDataCommand, GetMetricDataCommandOutput, MetricDataResult, StatusCode } from '@aws-sdk/client-cloudwatch';
import type { GetMetricDataClient } from '../adapters/aws/cloudwatch-metric-source';
import type { MetricQuery, MetricSource } from '../evaluation/ports';

/** What one query's result comes back with instead of `Complete` (CloudWatch API Reference, MetricDataResult). */
export interface ResultFault {
  readonly statusCode: Exclude<StatusCode, 'Complete'>;
  /** `none`: no datapoints; `all-but-newest`: the newest datapoint is left out. @default 'none' */
  readonly datapoints?: 'none' | 'all-but-newest';
  /** The `Messages` entry returned with it. @default - a message naming the status */
  readonly message?: string;
}

export interface CloudWatchFaults {
  /** Whether a GetMetricData call made at `now` (the `call`-th, from 1) is refused with `Throttling`. @default never */
  readonly throttled?: (now: Date, call: number) => boolean;
  /** The fault of query `id`'s result in the `call`-th call, or undefined for a `Complete` result. @default none */
  readonly result?: (id: string, now: Date, call: number) => ResultFault | undefined;
}

function toMetricQuery(query: NonNullable<GetMetricDataCommand['input']['MetricDataQueries']>[number]): MetricQuery {
  if (query.Expression !== undefined) return { id: query.Id!, expression: query.Expression, period: query.Period ?? 60 };
  const stat = query.MetricStat!;
  return {
    id: query.Id!,
    namespace: stat.Metric!.Namespace!,
    metricName: stat.Metric!.MetricName!,
    dimensions: Object.fromEntries((stat.Metric!.Dimensions ?? []).map((dimension) => [dimension.Name!, dimension.Value!])),
    stat: stat.Stat!,
    period: stat.Period!,
  };
}

/**
 * A CloudWatch client for the real `CloudWatchMetricSource`: answers `GetMetricData` from a simulated
 * source in the documented response shape (`MetricDataResults` with `Id`, `StatusCode`, `Messages`,
 * `Timestamps`, `Values`), and injects the faults CloudWatch has: throttling (the Query API's
 * `Throttling` error) and results that are `PartialData`, `InternalError` or `Forbidden` without a
 * `NextToken` (as for metric math: CloudWatch API Reference, MetricDataResult).
 */
export class SimulatedCloudWatch implements GetMetricDataClient {
  /** GetMetricData calls made, throttled ones included. */
  calls = 0;
  /** Calls refused with `Throttling`. */
  throttledCalls = 0;

  constructor(
    private readonly truth: MetricSource,
    private readonly now: () => Date,
    private readonly faults: CloudWatchFaults = {},
  ) {}

  async send(command: GetMetricDataCommand): Promise<GetMetricDataCommandOutput> {
    const call = ++this.calls;
    const now = this.now();
    if (this.faults.throttled?.(now, call)) {
      this.throttledCalls += 1;
      throw Object.assign(new Error('Rate exceeded'), { name: 'Throttling', $metadata: { httpStatusCode: 400 }, $retryable: { throttling: true } });
    }
    const input = command.input;
    const queries = (input.MetricDataQueries ?? []).map(toMetricQuery);
    const answers = await this.truth.getMetricData(queries, { start: input.StartTime as Date, end: input.EndTime as Date });
    const results: MetricDataResult[] = answers.map((answer) => {
      const fault = this.faults.result?.(answer.id, now, call);
      const kept = !fault || fault.datapoints === 'all-but-newest' ? (fault ? answer.timestamps.length - 1 : answer.timestamps.length) : 0;
      return {
        Id: answer.id,
        Label: answer.id,
        StatusCode: fault?.statusCode ?? 'Complete',
        Messages: fault ? [{ Code: fault.statusCode, Value: fault.message ?? `simulated ${fault.statusCode}` }] : [],
        Timestamps: answer.timestamps.slice(0, Math.max(0, kept)).map((t) => new Date(t * 1000)),
        Values: answer.values.slice(0, Math.max(0, kept)),
      };
    });
    return { MetricDataResults: results, Messages: [], $metadata: { httpStatusCode: 200 } };
  }
}
