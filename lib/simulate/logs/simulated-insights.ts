/**
 * A simulated Logs Insights for the log signal: answers the three queries of lib/evaluation/logs
 * (error counts, error lines, the current version's patterns over the lookback) from generated lines,
 * and bills what a real query scans: every byte of the log group in the query's time range, whatever
 * the filter keeps (CloudWatch Logs User Guide, "Analyzing log data with CloudWatch Logs Insights": you
 * are charged for the data each query scans).
 */
import { normaliseText } from '../../evaluation/logs/signature';
import type { LogsQueryOutcome, LogsQueryRequest, LogsQueryRunner } from '../../evaluation/logs/ports';
import type { QueryRow } from '../../evaluation/logs/insights-queries';
import { Random } from '../random';
import { BYTES_PER_REQUEST, sharedErrorTemplates, type GeneratedLine } from './log-lines';

export interface SimulatedMinute {
  readonly lines: readonly GeneratedLine[];
  readonly bytes: number;
}

function isoMinute(epochSeconds: number): string {
  return new Date(Math.floor(epochSeconds / 60) * 60_000).toISOString().replace('T', ' ').replace('Z', '');
}

export class SimulatedInsights implements LogsQueryRunner {
  /** Every query run, in order (what the benchmark counts). */
  readonly requests: LogsQueryRequest[] = [];
  private readonly minutes = new Map<number, SimulatedMinute>();

  constructor(
    private readonly versions: { readonly canary: string; readonly baseline: string },
    /** The current version's requests per minute before the deployment (the lookback's traffic). */
    private readonly baselineRequestsPerMinute: number,
    private readonly random: Random,
  ) {}

  /** Adds one minute of lines (both versions) to the log group. */
  addMinute(minuteStart: number, minute: SimulatedMinute): void {
    const existing = this.minutes.get(minuteStart);
    this.minutes.set(minuteStart, existing ? { lines: [...existing.lines, ...minute.lines].sort((a, b) => a.timestamp - b.timestamp), bytes: existing.bytes + minute.bytes } : minute);
  }

  async run(request: LogsQueryRequest): Promise<LogsQueryOutcome> {
    this.requests.push(request);
    if (request.query.includes('| pattern @message')) return this.lookback(request);
    const inRange = [...this.minutes].filter(([t]) => t >= request.start && t <= request.end);
    const bytesScanned = inRange.reduce((sum, [, minute]) => sum + minute.bytes, 0);
    if (bytesScanned > request.maxBytesScanned) return { status: 'Stopped', rows: [], bytesScanned: request.maxBytesScanned, stoppedBecause: 'budget' };
    const levels = /level in \[([^\]]*)\]/.exec(request.query)?.[1].split(',').map((value) => value.trim().replace(/^"|"$/g, '')) ?? ['ERROR'];
    const versionOf = (arm: GeneratedLine['arm']) => this.versions[arm];
    const errors = inRange.flatMap(([, minute]) => minute.lines.filter((line) => levels.includes(line.level)));
    if (request.query.includes('stats count(*)')) {
      const counts = new Map<string, number>();
      for (const line of errors) {
        const key = `${Math.floor(line.timestamp / 60_000) * 60}|${versionOf(line.arm)}`;
        counts.set(key, (counts.get(key) ?? 0) + 1);
      }
      const rows: QueryRow[] = [...counts].map(([key, n]) => {
        const [minute, version] = key.split('|');
        return { minute: isoMinute(Number(minute)), logVersion: version, errors: String(n) };
      });
      return { status: 'Complete', rows, bytesScanned };
    }
    const rows: QueryRow[] = errors.slice(0, 10_000).map((line) => ({ '@timestamp': new Date(line.timestamp).toISOString().replace('T', ' ').replace('Z', ''), '@message': line.message, logVersion: versionOf(line.arm) }));
    return { status: 'Complete', rows, bytesScanned };
  }

  /**
   * The current version's error patterns over the lookback: each of its error kinds that occurred at
   * least once in that traffic (a rare one may not have), as a `pattern` row whose dynamic tokens are
   * `<*>`. Bytes: the lookback's requests × their bytes (not generated line by line).
   */
  private lookback(request: LogsQueryRequest): LogsQueryOutcome {
    const seconds = request.end - request.start + 1;
    const requests = (this.baselineRequestsPerMinute * seconds) / 60;
    const bytesScanned = Math.round(requests * (BYTES_PER_REQUEST + sharedErrorTemplates().reduce((sum, t) => sum + t.rate * 260, 0)));
    if (bytesScanned > request.maxBytesScanned) return { status: 'Stopped', rows: [], bytesScanned: request.maxBytesScanned, stoppedBecause: 'budget' };
    const rows: QueryRow[] = [];
    for (const template of sharedErrorTemplates()) {
      if (this.random.uniform() >= 1 - Math.exp(-requests * template.rate)) continue;
      const message = template.pattern ?? normaliseText(template.message(this.random, false)).replace(/<[A-Z]+>/g, '<*>');
      const record = { timestamp: '<*>', level: 'ERROR', requestId: '<*>', ...(template.errorType && { errorType: template.errorType }), message, service: { name: 'checkout', version: '<*>' } };
      rows.push({ '@pattern': JSON.stringify(record) });
    }
    return { status: 'Complete', rows, bytesScanned };
  }
}
