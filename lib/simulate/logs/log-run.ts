/**
 * One simulated bake judged by the log signal alone: minute by minute, each version's requests
 * (Poisson), its generated lines in a simulated Logs Insights, one look per minute (the queries of
 * lib/evaluation/logs), and the verdict of `judgeLogs` after each look. Used by the benchmark
 * (`npm run bench:logs`) and its Monte Carlo test.
 */
import type { CountPeriod } from '../../judge';
import { EMPTY_LOG_STATE, judgeLogs, lookAtLogs, type LogSignalResult } from '../../evaluation/logs';
import { logsSignalSchema, type LogsSignal } from '../../policy/logs';
import { Random } from '../random';
import { linesOfMinute, type LogProfile } from './log-lines';
import { SimulatedInsights } from './simulated-insights';

export interface LogRunOptions {
  readonly seed: number;
  readonly profile: LogProfile;
  /** Requests per minute of both versions together. @default 1500 */
  readonly requestsPerMinute?: number;
  /** The new version's share of requests. @default 0.1 */
  readonly canaryShare?: number;
  /** Minutes judged (one look at the end of each). @default 10 */
  readonly minutes?: number;
  /** Level of the log signal. @default 0.05 */
  readonly alpha?: number;
  readonly signal?: LogsSignal;
  /**
   * What fails the run: `any` (the log signal's verdict), `error-rate` (only its error-lines-per-request
   * test, new signatures ignored: the count-only baseline of the benchmark), or `new-signature` (only a
   * failing new signature). @default any
   */
  readonly failOn?: 'any' | 'error-rate' | 'new-signature';
}

export interface LogRunOutcome {
  readonly result: LogSignalResult;
  /** Minute (1-based) at whose look the signal failed. */
  readonly failedAtMinute?: number;
  readonly queries: number;
  readonly mostQueriesPerLook: number;
  readonly bytesScanned: number;
}

export const DEFAULT_LOG_SIGNAL: LogsSignal = logsSignalSchema.parse({
  logGroups: ['/aws/lambda/checkout'],
  errorFilter: { type: 'json-level' },
  versioning: { type: 'json-field', field: 'service.version' },
  requestsFrom: 'errors',
});

const START = Date.UTC(2026, 11, 7, 12, 0) / 1000;
const VERSIONS = { canary: '42', baseline: '41' };

export async function runLogScenario(options: LogRunOptions): Promise<LogRunOutcome> {
  const random = Random.seeded(options.seed, 'logs');
  const perMinute = options.requestsPerMinute ?? 1500;
  const share = options.canaryShare ?? 0.1;
  const minutes = options.minutes ?? 10;
  const signal = options.signal ?? DEFAULT_LOG_SIGNAL;
  const insights = new SimulatedInsights(VERSIONS, perMinute, Random.seeded(options.seed, 'lookback'));
  const canary: CountPeriod[] = [];
  const baseline: CountPeriod[] = [];
  let state = EMPTY_LOG_STATE;
  let result: LogSignalResult | undefined;
  for (let m = 0; m < minutes; m++) {
    const t = START + m * 60;
    const canaryRequests = random.poisson(perMinute * share);
    const baselineRequests = random.poisson(perMinute * (1 - share));
    const c = linesOfMinute(random, t, 'canary', VERSIONS.canary, canaryRequests, options.profile);
    const b = linesOfMinute(random, t, 'baseline', VERSIONS.baseline, baselineRequests, {});
    insights.addMinute(t, { lines: [...c.lines, ...b.lines], bytes: c.bytes + b.bytes });
    canary.push({ t, count: 0, total: canaryRequests });
    baseline.push({ t, count: 0, total: baselineRequests });
    state = await lookAtLogs(state, { signal, runner: insights, versions: VERSIONS, evaluationStart: START, from: START, until: t + 60, queryTimeoutMs: 20_000 });
    result = judgeLogs(signal, state, { canary, baseline }, { alpha: options.alpha ?? 0.05, deadlineReached: m === minutes - 1 });
    const failOn = options.failOn ?? 'any';
    const failed =
      failOn === 'any' ? result.decision === 'fail' : failOn === 'error-rate' ? result.errorRate?.decision === 'fail' : result.newSignatures.some((signature) => signature.decision === 'fail');
    if (failed) return { result, failedAtMinute: m + 1, queries: state.queries, mostQueriesPerLook: state.mostQueriesPerLook, bytesScanned: state.bytesScanned };
  }
  return { result: result!, queries: state.queries, mostQueriesPerLook: state.mostQueriesPerLook, bytesScanned: state.bytesScanned };
}
