import { judgeWindow, planEvaluation, type EvaluationInput, type MetricQuery, type MetricSeriesResult, type MetricSource, type TimeWindow } from '../evaluation';
import { parsePolicy, type Policy } from '../policy';
import { mulberry32, Random, streamSeed } from '../simulate/random';

/**
 * Issue 22 item 1, "missing is not zero", as a seeded Monte Carlo: identical versions (same error
 * rate, same time, same traffic split as a canary watch) judged look by look through the real data
 * read (queries → metric source → observations → judge). At a share of the looks, the newest visible
 * `Errors` datapoint of one arm (chosen at random) has not arrived yet, while its `Invocations` has; it
 * arrives by the next look. Every fail is a false fail.
 *
 * `missing: 'read-as-zero'` is the reading before the fix: the source then answers 0 for the late
 * datapoint, which is what reading an absent count as 0 amounted to.
 */
export interface LateDataOptions {
  readonly runs: number;
  readonly seed: number;
  /** Requests per minute over both versions. */
  readonly requestsPerMinute: number;
  /** Share of requests on the new version. @default 0.5 */
  readonly canaryShare?: number;
  /** Error rate of the current version. @default 0.01 */
  readonly errorRate?: number;
  /** The new version's error rate over the current one's: 1 for identical versions (every fail is false), > 1 for power. @default 1 */
  readonly canaryErrorFactor?: number;
  /** Share of looks at which one arm's newest Errors datapoint is late. */
  readonly lateShare: number;
  /** Minutes of the watched window. @default 30 */
  readonly minutes?: number;
  /** @default 'as-absent' (what CloudWatch returns) */
  readonly missing?: 'as-absent' | 'read-as-zero';
  /**
   * The count test's `dispersion`: `poisson` is the judge before issue 22 item 3, whose Poisson
   * likelihood a count read as 0 misleads; the default weighs periods by their estimated dispersion,
   * which also blunts that error. @default 'estimate'
   */
  readonly dispersion?: 'estimate' | 'poisson';
}

export interface LateDataRow {
  readonly runs: number;
  /** Runs failed at some look (false fails when `canaryErrorFactor` is 1). */
  readonly fails: number;
  readonly rate: number;
  /** Binomial standard error of the rate. */
  readonly se: number;
  readonly looks: number;
  readonly lateLooks: number;
  /** Median minutes from the window's start to the failing look, over the runs that failed. */
  readonly medianMinutesToFail?: number;
}

const START = Date.parse('2026-11-26T10:00:00Z') / 1000;
const LAG_SECONDS = 120;
const TARGET = { type: 'lambda' as const, functionName: 'orders', alias: 'live', currentVersion: '1', targetVersion: '2' };

/** The policy of every run: the lambda-error-rate preset with its default (sequential) method and the default α. */
export function lateDataPolicy(minutes: number, dispersion: 'estimate' | 'poisson' = 'estimate'): Policy {
  const method = dispersion === 'estimate' ? {} : { method: { type: 'sequential' as const, dispersion } };
  return parsePolicy({ metrics: [{ preset: 'lambda-error-rate', ...method }], canaryWatch: { period: '60s', maxDuration: `${minutes}m` }, metricLag: `${LAG_SECONDS / 60}m` });
}

/** One run's per-minute counts, visible `LAG_SECONDS` after each minute ends, with one arm's newest Errors late at some looks. */
class LateErrorsSource implements MetricSource {
  /** The arm whose newest visible Errors datapoint is late at the current look, if any. */
  lateArm: '1' | '2' | undefined;
  now = START;

  constructor(private readonly minutes: ReadonlyMap<string, ReadonlyArray<{ requests: number; errors: number }>>, private readonly missing: 'as-absent' | 'read-as-zero') {}

  async getMetricData(queries: readonly MetricQuery[], window: TimeWindow): Promise<MetricSeriesResult[]> {
    const start = window.start.getTime() / 1000;
    const end = window.end.getTime() / 1000;
    const newest = Math.floor((this.now - LAG_SECONDS) / 60) * 60 - 60;
    return queries.map((query) => {
      if (!('metricName' in query)) throw new Error(`query ${query.id}: expressions are not simulated here`);
      const version = query.dimensions.ExecutedVersion;
      const series = this.minutes.get(version) ?? [];
      const timestamps: number[] = [];
      const values: number[] = [];
      series.forEach((minute, index) => {
        const t = START + index * 60;
        if (t < start || t >= end || t + 60 + LAG_SECONDS > this.now || minute.requests === 0) return;
        const late = query.metricName === 'Errors' && version === this.lateArm && t === newest;
        if (late && this.missing === 'as-absent') return;
        timestamps.push(t);
        values.push(late ? 0 : query.metricName === 'Errors' ? minute.errors : minute.requests);
      });
      return { id: query.id, timestamps, values };
    });
  }
}

/** Fails (false fails of identical deployments by default) when one arm's newest count is late at `lateShare` of the looks. */
export async function lateDataFalseFails(options: LateDataOptions): Promise<LateDataRow> {
  const minutes = options.minutes ?? 30;
  const share = options.canaryShare ?? 0.5;
  const errorRate = options.errorRate ?? 0.01;
  const policy = lateDataPolicy(minutes, options.dispersion);
  const input: EvaluationInput = {
    deploymentId: 'd-LATEDATA1',
    lifecycleEventHookExecutionId: 'hook',
    lifecycleEvent: 'BeforeAllowTraffic',
    applicationName: 'app',
    deploymentGroupName: 'group',
    target: TARGET,
    policyRef: { bucket: 'b', key: 'k' },
    hookInvokedAt: new Date(START * 1000).toISOString(),
  };
  const plan = planEvaluation(input, policy);
  let fails = 0;
  let looks = 0;
  let lateLooks = 0;
  const minutesToFail: number[] = [];
  for (let run = 0; run < options.runs; run++) {
    const random = new Random(mulberry32(streamSeed(options.seed, `late-data/${run}`)));
    const arm = (requests: number, rate: number) => Array.from({ length: minutes }, () => ({ requests, errors: random.binomial(requests, rate) }));
    const source = new LateErrorsSource(
      new Map([
        ['2', arm(Math.round(options.requestsPerMinute * share), errorRate * (options.canaryErrorFactor ?? 1))],
        ['1', arm(Math.round(options.requestsPerMinute * (1 - share)), errorRate)],
      ]),
      options.missing ?? 'as-absent',
    );
    // One look a minute, as the watch takes them, from the first visible period to the window's end.
    for (let now = plan.windowStart + 60 + LAG_SECONDS; now - LAG_SECONDS <= plan.windowEnd; now += 60) {
      source.now = now;
      source.lateArm = random.uniform() < options.lateShare ? (random.uniform() < 0.5 ? '1' : '2') : undefined;
      looks += 1;
      if (source.lateArm) lateLooks += 1;
      const { verdict } = await judgeWindow({ input, plan }, policy, source, now, { end: plan.windowEnd, deadlineReached: false });
      if (verdict.decision === 'fail') {
        fails += 1;
        minutesToFail.push((now - plan.windowStart) / 60);
        break;
      }
    }
  }
  const rate = fails / options.runs;
  minutesToFail.sort((a, b) => a - b);
  const median = minutesToFail.length > 0 ? minutesToFail[Math.floor((minutesToFail.length - 1) / 2)] : undefined;
  return { runs: options.runs, fails, rate, se: Math.sqrt((rate * (1 - rate)) / options.runs), looks, lateLooks, ...(median !== undefined && { medianMinutesToFail: median }) };
}
