import { CloudWatchClient, DescribeAlarmsCommand, GetMetricDataCommand, type GetMetricDataCommandOutput, type MetricDataQuery } from '@aws-sdk/client-cloudwatch';
import { isExpressionQuery, MetricsThrottledError, type AlarmStateSource, type MetricQuery, type MetricSeriesResult, type MetricSource, type TimeWindow } from '../../evaluation/ports';

/** GetMetricData accepts at most 500 queries per call (CloudWatch API Reference, GetMetricData). */
export const MAX_QUERIES_PER_CALL = 500;

/** Error names CloudWatch and the SDK use for "slow down" (the Query API's `Throttling`, and friends). */
const THROTTLING_ERRORS = ['Throttling', 'ThrottlingException', 'TooManyRequestsException', 'RequestLimitExceeded'];

export interface RetryOptions {
  /** GetMetricData calls per `getMetricData`, the first included (throttled calls and re-reads). @default 8 */
  readonly maxAttempts?: number;
  /** First backoff, milliseconds; doubled per attempt. @default 200 */
  readonly baseDelayMs?: number;
  /** Longest backoff, milliseconds. @default 4000 */
  readonly maxDelayMs?: number;
  /**
   * Longest total backoff of one `getMetricData`, milliseconds: a look reads at most twice (window and
   * gauge history), so two of these stay well inside the evaluate and watch functions' 60 s timeout.
   * @default 12000
   */
  readonly budgetMs?: number;
  /** Times a result that is not `Complete` is read again. @default 2 */
  readonly rereads?: number;
  /** Injected so tests do not wait. @default setTimeout */
  readonly sleep?: (ms: number) => Promise<void>;
  /** Uniform in [0, 1); injected so tests are deterministic. @default Math.random */
  readonly random?: () => number;
}

/** The one call the metric source makes: a `CloudWatchClient`, or a simulated CloudWatch (`lib/simulate`). */
export interface GetMetricDataClient {
  send(command: GetMetricDataCommand): Promise<GetMetricDataCommandOutput>;
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
 * Bounded exponential backoff with full jitter (AWS Architecture Blog, "Exponential Backoff And Jitter"):
 * spreads the retries of evaluations that were throttled together. One per `getMetricData`, shared by
 * its throttled calls and its re-reads, so the look's time stays bounded whatever CloudWatch does.
 */
class Backoff {
  private waits = 0;
  private sleptMs = 0;

  constructor(private readonly retry: Required<RetryOptions>) {}

  /** Sleeps before the next attempt; false, without sleeping, when attempts or budget are spent. */
  async wait(): Promise<boolean> {
    if (this.waits + 1 >= this.retry.maxAttempts) return false;
    const ceiling = Math.min(this.retry.maxDelayMs, this.retry.baseDelayMs * 2 ** this.waits);
    const delay = Math.floor(this.retry.random() * ceiling);
    if (this.sleptMs + delay > this.retry.budgetMs) return false;
    this.waits += 1;
    this.sleptMs += delay;
    await this.retry.sleep(delay);
    return true;
  }

  describe(): string {
    return `${this.waits + 1} attempts, ${(this.sleptMs / 1000).toFixed(1)} s of backoff`;
  }
}

/** What CloudWatch said of a query's result, when not `Complete`. */
type Incomplete = NonNullable<MetricSeriesResult['incomplete']>;

/** Not `Complete` and worth reading again: `Forbidden` (a permission, or cross-Region data) will not change by retrying. */
const isRereadable = (incomplete: Incomplete) => incomplete.status !== 'Forbidden';

/**
 * CloudWatch `GetMetricData`: batches of ≤ 500 queries, every `NextToken` page merged per query id.
 * Each result's `StatusCode` is honoured (CloudWatch API Reference, GetMetricData and MetricDataResult):
 * `PartialData` and `InternalError` continue on the `NextToken` when there is one; a result still not
 * `Complete` after the last page (metric math returns no `NextToken`), or missing from the answer, is
 * read again (`rereads`), and one that stays so is returned `incomplete` with its status and `Messages`,
 * never as a shorter series that would read as fewer events. Throttling is retried with backoff inside
 * a time budget; past it `MetricsThrottledError` says the look could not read. A query with no
 * datapoints gives an empty series (no traffic is not zero errors: the evaluation steps decide what an
 * absent period means).
 */
export class CloudWatchMetricSource implements MetricSource {
  private readonly retry: Required<RetryOptions>;

  constructor(
    private readonly client: GetMetricDataClient,
    retry: RetryOptions = {},
    private readonly telemetry?: MetricSourceTelemetry,
  ) {
    this.retry = {
      maxAttempts: retry.maxAttempts ?? 8,
      baseDelayMs: retry.baseDelayMs ?? 200,
      maxDelayMs: retry.maxDelayMs ?? 4000,
      budgetMs: retry.budgetMs ?? 12000,
      rereads: retry.rereads ?? 2,
      sleep: retry.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms))),
      random: retry.random ?? Math.random,
    };
  }

  async getMetricData(queries: readonly MetricQuery[], window: TimeWindow): Promise<MetricSeriesResult[]> {
    const points = new Map<string, Map<number, number>>(queries.map((query) => [query.id, new Map()]));
    const backoff = new Backoff(this.retry);
    const incomplete = await this.read(queries, window, points, backoff);
    for (let reread = 0; reread < this.retry.rereads; reread++) {
      const again = queries.filter((query) => {
        const status = incomplete.get(query.id);
        return status !== undefined && isRereadable(status);
      });
      if (again.length === 0 || !(await backoff.wait())) break;
      const still = await this.read(again, window, points, backoff);
      for (const query of again) {
        if (still.has(query.id)) incomplete.set(query.id, still.get(query.id)!);
        else incomplete.delete(query.id);
      }
    }
    return [...points].map(([id, series]) => {
      const sorted = [...series].sort(([a], [b]) => a - b);
      const status = incomplete.get(id);
      return { id, timestamps: sorted.map(([t]) => t), values: sorted.map(([, v]) => v), ...(status && { incomplete: status }) };
    });
  }

  /** One read of `queries` (every batch, every page) into `points`; the queries whose result is not complete. */
  private async read(queries: readonly MetricQuery[], window: TimeWindow, points: Map<string, Map<number, number>>, backoff: Backoff): Promise<Map<string, Incomplete>> {
    const byId = new Map(queries.map((query) => [query.id, query]));
    const incomplete = new Map<string, Incomplete>();
    const seenAtAll = new Set<string>();
    const operationMessages: string[] = [];
    for (const queryBatch of batchQueries(queries)) {
      const batch = queryBatch.map(toMetricDataQuery);
      let nextToken: string | undefined;
      do {
        const page = await this.send(
          new GetMetricDataCommand({ MetricDataQueries: batch, StartTime: window.start, EndTime: window.end, ScanBy: 'TimestampAscending', NextToken: nextToken }),
          batch.length,
          backoff,
        );
        operationMessages.push(...(page.Messages ?? []).map((message) => [message.Code, message.Value].filter(Boolean).join(': ')));
        const seen = new Map<string, string | undefined>();
        for (const result of page.MetricDataResults ?? []) {
          const series = points.get(result.Id ?? '');
          if (!series || !byId.has(result.Id!)) continue;
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
          seenAtAll.add(result.Id!);
          (result.Timestamps ?? []).forEach((timestamp, i) => {
            const value = result.Values?.[i];
            if (value !== undefined && Number.isFinite(value)) series.set(Math.floor(timestamp.getTime() / 1000), value);
          });
          // No StatusCode (it is optional in the API) is read as Complete.
          const status = result.StatusCode ?? 'Complete';
          if (status === 'Complete') incomplete.delete(result.Id!);
          else incomplete.set(result.Id!, { status, messages: (result.Messages ?? []).map((message) => [message.Code, message.Value].filter(Boolean).join(': ')) });
        }
        nextToken = page.NextToken;
        // The next page continues what this one left partial; only Forbidden stands whatever follows.
        if (nextToken) {
          for (const id of seen.keys()) if (isRereadable(incomplete.get(id) ?? { status: 'Complete', messages: [] })) incomplete.delete(id);
        }
      } while (nextToken);
    }
    for (const query of queries) {
      if (!seenAtAll.has(query.id)) incomplete.set(query.id, { status: 'NoResult', messages: operationMessages.length > 0 ? operationMessages : ['no MetricDataResult for this query'] });
    }
    return incomplete;
  }

  private async send(command: GetMetricDataCommand, metricsRequested: number, backoff: Backoff): Promise<GetMetricDataCommandOutput> {
    for (;;) {
      try {
        this.telemetry?.recordCall(metricsRequested);
        return await this.client.send(command);
      } catch (error) {
        if (!isThrottling(error)) throw error;
        if (!(await backoff.wait())) {
          const { name, message } = error as Error;
          throw new MetricsThrottledError(`CloudWatch GetMetricData throttled (${name}: ${message}) after ${backoff.describe()}`);
        }
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
