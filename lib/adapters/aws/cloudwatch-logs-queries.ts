import {
  GetQueryResultsCommand,
  StartQueryCommand,
  StopQueryCommand,
  type GetQueryResultsCommandOutput,
  type StartQueryCommandOutput,
  type StopQueryCommandOutput,
} from '@aws-sdk/client-cloudwatch-logs';
import type { LogsQueryOutcome, LogsQueryRequest, LogsQueryRunner, LogsQueryStatus } from '../../evaluation/logs/ports';
import type { QueryRow } from '../../evaluation/logs/insights-queries';

/**
 * Logs Insights queries for the log signal. Queries are asynchronous (CloudWatch Logs API Reference,
 * StartQuery: "After you run a query using StartQuery, the query results are stored by CloudWatch Logs.
 * You can use GetQueryResults to retrieve the results"): StartQuery, then GetQueryResults polled until
 * its `status` is one of Complete, Failed, Cancelled, Timeout or Unknown (GetQueryResults: status;
 * Scheduled and Running mean not yet). Its `statistics.bytesScanned` is what the query is billed for
 * (GetQueryResults: QueryStatistics). A query still running when the tick's time or the byte budget
 * runs out is ended with StopQuery, so nothing keeps scanning (and billing) after the look.
 */

/** The three calls the runner makes: a `CloudWatchLogsClient`, or a fake in tests. */
export interface LogsInsightsClient {
  send(command: StartQueryCommand): Promise<StartQueryCommandOutput>;
  send(command: GetQueryResultsCommand): Promise<GetQueryResultsCommandOutput>;
  send(command: StopQueryCommand): Promise<StopQueryCommandOutput>;
}

export interface InsightsRunnerOptions {
  /** Time between GetQueryResults polls (ms). @default 1000 */
  readonly pollMs?: number;
  /** Injected so tests do not wait. @default setTimeout */
  readonly sleep?: (ms: number) => Promise<void>;
  /** Injected so tests control time. @default Date.now */
  readonly now?: () => number;
}

const FINISHED: ReadonlySet<string> = new Set(['Complete', 'Failed', 'Cancelled', 'Timeout', 'Unknown']);

function rowsOf(results: GetQueryResultsCommandOutput['results']): QueryRow[] {
  return (results ?? []).map((fields) => Object.fromEntries((fields ?? []).filter((f) => f.field !== undefined && f.value !== undefined).map((f) => [f.field!, f.value!])));
}

export class InsightsQueryRunner implements LogsQueryRunner {
  private readonly pollMs: number;
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly now: () => number;

  constructor(
    private readonly client: LogsInsightsClient,
    options: InsightsRunnerOptions = {},
  ) {
    this.pollMs = options.pollMs ?? 1000;
    this.sleep = options.sleep ?? ((ms) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
    this.now = options.now ?? Date.now;
  }

  async run(request: LogsQueryRequest): Promise<LogsQueryOutcome> {
    const started = this.now();
    const { queryId } = await this.client.send(
      new StartQueryCommand({ logGroupNames: [...request.logGroups], startTime: request.start, endTime: request.end, queryString: request.query }),
    );
    if (queryId === undefined) throw new Error('logs:StartQuery returned no queryId');
    for (;;) {
      const result = await this.client.send(new GetQueryResultsCommand({ queryId }));
      const status = result.status ?? 'Unknown';
      const bytesScanned = result.statistics?.bytesScanned ?? 0;
      if (FINISHED.has(status)) return { status: status as LogsQueryStatus, rows: rowsOf(result.results), bytesScanned };
      const overBudget = bytesScanned > request.maxBytesScanned;
      const outOfTime = this.now() - started + this.pollMs > request.timeoutMs;
      if (overBudget || outOfTime) {
        await this.stop(queryId);
        return { status: 'Stopped', rows: [], bytesScanned, stoppedBecause: overBudget ? 'budget' : 'time' };
      }
      await this.sleep(this.pollMs);
    }
  }

  /** StopQuery; a query that finished meanwhile is not an error (StopQuery then returns success: false or InvalidParameterException). */
  private async stop(queryId: string): Promise<void> {
    try {
      await this.client.send(new StopQueryCommand({ queryId }));
    } catch (error) {
      if ((error as { name?: string }).name !== 'InvalidParameterException') throw error;
    }
  }
}
