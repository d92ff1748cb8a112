import type { QueryRow } from './insights-queries';

/** One Logs Insights query to run: StartQuery's arguments, and the limits within which it must end. */
export interface LogsQueryRequest {
  readonly logGroups: readonly string[];
  /** Epoch seconds, inclusive. */
  readonly start: number;
  /** Epoch seconds, inclusive (StartQuery's `endTime`). */
  readonly end: number;
  readonly query: string;
  /** Stop the query (StopQuery) once it has scanned more than this many bytes. */
  readonly maxBytesScanned: number;
  /** Stop the query once it has run this long (ms): it must end within the evaluation's tick. */
  readonly timeoutMs: number;
}

/**
 * How a query ended. `Complete`, `Failed`, `Cancelled`, `Timeout` and `Unknown` are GetQueryResults'
 * statuses (CloudWatch Logs API Reference, GetQueryResults: status); `Stopped` is the evaluator's own
 * StopQuery, on its time limit or byte budget.
 */
export type LogsQueryStatus = 'Complete' | 'Failed' | 'Cancelled' | 'Timeout' | 'Unknown' | 'Stopped';

export interface LogsQueryOutcome {
  readonly status: LogsQueryStatus;
  /** Rows as returned (complete only when `status` is `Complete`). */
  readonly rows: readonly QueryRow[];
  /** GetQueryResults `statistics.bytesScanned` at the last poll: what the query is billed for. */
  readonly bytesScanned: number;
  /** Why it was stopped, when `status` is `Stopped`. */
  readonly stoppedBecause?: 'budget' | 'time';
}

/** Runs Logs Insights queries: StartQuery, GetQueryResults polled, StopQuery on a limit. */
export interface LogsQueryRunner {
  run(request: LogsQueryRequest): Promise<LogsQueryOutcome>;
}
