import { CloudWatchClient, DescribeAlarmsCommand, GetMetricDataCommand, type GetMetricDataCommandOutput, type MetricDataQuery } from '@aws-sdk/client-cloudwatch';
import { isExpressionQuery, type AlarmStateSource, type MetricQuery, type MetricSeriesResult, type MetricSource, type TimeWindow } from '../../evaluation/ports';

/** GetMetricData accepts at most 500 queries per call (CloudWatch API Reference, GetMetricData). */
export const MAX_QUERIES_PER_CALL = 500;

/** Error names CloudWatch and the SDK use for "slow down" (the Query API's `Throttling`, and friends). */
const THROTTLING_ERRORS = ['Throttling', 'ThrottlingException', 'TooManyRequestsException', 'RequestLimitExceeded'];

export interface RetryOptions {
  /** Attempts per call, the first included. @default 5 */
  readonly maxAttempts?: number;
  /** First backoff, milliseconds; doubled per attempt. @default 200 */
  readonly baseDelayMs?: number;
  /** Longest backoff, milliseconds. @default 5000 */
  readonly maxDelayMs?: number;
  /** Injected so tests do not wait. @default setTimeout */
  readonly sleep?: (ms: number) => Promise<void>;
  /** Uniform in [0, 1); injected so tests are deterministic. @default Math.random */
  readonly random?: () => number;
}

/** What the adapter tells the evaluator's own telemetry (GetMetricData calls and metrics requested, the billed unit). */
export interface MetricSourceTelemetry {
  recordCall(metricsRequested: number): void;
}

function toMetricDataQuery(query: MetricQuery): MetricDataQuery {
  // Metric math (CloudWatch User Guide, "Use metric math"): the expression replaces MetricStat.
  if (isExpressionQuery(query)) return { Id: query.id, ReturnData: true, Expression: query.expression, Period: query.period };
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

/**
 * A Metrics Insights query (`SELECT …`). A GetMetricData call may include only one (CloudWatch API
 * Reference, GetMetricData; CloudWatch User Guide, "Metrics Insights quotas").
 */
export function isMetricsInsightsQuery(query: MetricQuery): boolean {
  return isExpressionQuery(query) && /^\s*SELECT\b/i.test(query.expression);
}

/** Batches of ≤ 500 queries with at most one Metrics Insights query each, in the given order. */
export function batchQueries(queries: readonly MetricQuery[]): MetricQuery[][] {
  const batches: MetricQuery[][] = [];
  let current: MetricQuery[] = [];
  let hasInsights = false;
  for (const query of queries) {
    const insights = isMetricsInsightsQuery(query);
    if (current.length >= MAX_QUERIES_PER_CALL || (insights && hasInsights)) {
      batches.push(current);
      current = [];
      hasInsights = false;
    }
    current.push(query);
    hasInsights ||= insights;
  }
  if (current.length > 0) batches.push(current);
  return batches;
}

export function isThrottling(error: unknown): boolean {
  const candidate = error as { name?: string; $retryable?: { throttling?: boolean } } | undefined;
  return THROTTLING_ERRORS.includes(candidate?.name ?? '') || candidate?.$retryable?.throttling === true;
}

/**
 * CloudWatch `GetMetricData`: batches of ≤ 500 queries, every `NextToken` page merged per query id,
 * throttling retried with bounded exponential backoff and full jitter. A query with no datapoints gives an
 * empty series (no traffic is not zero errors: the evaluation steps decide what an absent period means).
 */
export class CloudWatchMetricSource implements MetricSource {
  private readonly retry: Required<RetryOptions>;

  constructor(
    private readonly client: CloudWatchClient,
    retry: RetryOptions = {},
    private readonly telemetry?: MetricSourceTelemetry,
  ) {
    this.retry = {
      maxAttempts: retry.maxAttempts ?? 5,
      baseDelayMs: retry.baseDelayMs ?? 200,
      maxDelayMs: retry.maxDelayMs ?? 5000,
      sleep: retry.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms))),
      random: retry.random ?? Math.random,
    };
  }

  async getMetricData(queries: readonly MetricQuery[], window: TimeWindow): Promise<MetricSeriesResult[]> {
    const points = new Map<string, Map<number, number>>(queries.map((query) => [query.id, new Map()]));
    const byId = new Map(queries.map((query) => [query.id, query]));
    for (const queryBatch of batchQueries(queries)) {
      const batch = queryBatch.map(toMetricDataQuery);
      let nextToken: string | undefined;
      do {
        const page = await this.send(
          new GetMetricDataCommand({ MetricDataQueries: batch, StartTime: window.start, EndTime: window.end, ScanBy: 'TimestampAscending', NextToken: nextToken }),
          batch.length,
        );
        const seen = new Map<string, string | undefined>();
        for (const result of page.MetricDataResults ?? []) {
          const series = points.get(result.Id ?? '');
          if (!series) continue;
          // A SEARCH (or a GROUP BY query) can return several series under one query id; merged, one
          // would silently overwrite the other. Each arm must be one series: wrap it in SUM(…) or narrow it.
          if (seen.has(result.Id!)) {
            const query = byId.get(result.Id!);
            const expression = query && isExpressionQuery(query) ? ` "${query.expression}"` : '';
            throw new Error(
              `query ${result.Id}${expression} returned more than one time series (${seen.get(result.Id!) ?? '?'}, ${result.Label ?? '?'}); an arm must be one series: aggregate it, e.g. SUM(SEARCH(…)), or narrow the search`,
            );
          }
          seen.set(result.Id!, result.Label);
          (result.Timestamps ?? []).forEach((timestamp, i) => {
            const value = result.Values?.[i];
            if (value !== undefined && Number.isFinite(value)) series.set(Math.floor(timestamp.getTime() / 1000), value);
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

  private async send(command: GetMetricDataCommand, metricsRequested: number): Promise<GetMetricDataCommandOutput> {
    for (let attempt = 1; ; attempt++) {
      try {
        this.telemetry?.recordCall(metricsRequested);
        return await this.client.send(command);
      } catch (error) {
        if (!isThrottling(error) || attempt >= this.retry.maxAttempts) throw error;
        // Full jitter (AWS Architecture Blog, "Exponential Backoff And Jitter"): spreads the retries of
        // evaluations that were throttled together.
        const ceiling = Math.min(this.retry.maxDelayMs, this.retry.baseDelayMs * 2 ** (attempt - 1));
        await this.retry.sleep(Math.floor(this.retry.random() * ceiling));
      }
    }
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
