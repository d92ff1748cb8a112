/**
 * The log group of a simulated bake, for `simulateDeployment` (its `logs` option): the current
 * version's lines before the hook (the bake's time-shifted baseline and the lookback), the new
 * version's after it (at 100 % of traffic), generated minute by minute as the virtual clock reaches
 * them, answered by the simulated Logs Insights.
 */
import type { LogsQueryOutcome, LogsQueryRequest, LogsQueryRunner } from '../../evaluation/logs/ports';
import { Random } from '../random';
import { linesOfMinute, type LogProfile } from './log-lines';
import { SimulatedInsights } from './simulated-insights';

export interface BakeLogsOptions {
  readonly seed: number;
  /** The new version's lines: a new exception, new benign lines… */
  readonly profile: LogProfile;
  readonly versions: { readonly canary: string; readonly baseline: string };
  /** When the new version took all traffic (the hook's invocation). */
  readonly start: Date;
  readonly canaryRequestsPerMinute: number;
  readonly baselineRequestsPerMinute: number;
  /** Minutes of the current version's lines generated before `start` (the time-shifted baseline). @default 60 */
  readonly minutesBefore?: number;
}

export class BakeLogs implements LogsQueryRunner {
  readonly insights: SimulatedInsights;
  private readonly random: Random;
  private generatedUntil: number;
  private readonly start: number;

  constructor(
    private readonly options: BakeLogsOptions,
    private readonly now: () => Date,
  ) {
    this.insights = new SimulatedInsights(options.versions, options.baselineRequestsPerMinute, Random.seeded(options.seed, 'lookback'));
    this.random = Random.seeded(options.seed, 'bake-logs');
    this.start = Math.floor(options.start.getTime() / 60_000) * 60;
    this.generatedUntil = this.start - 60 * (options.minutesBefore ?? 60);
  }

  /** Every query run, in order. */
  get requests(): readonly LogsQueryRequest[] {
    return this.insights.requests;
  }

  async run(request: LogsQueryRequest): Promise<LogsQueryOutcome> {
    // Lines of each minute that has ended by now (what Logs Insights could hold).
    const until = Math.floor(this.now().getTime() / 60_000) * 60;
    for (; this.generatedUntil < until; this.generatedUntil += 60) {
      const t = this.generatedUntil;
      const newVersion = t >= this.start;
      const requests = this.random.poisson(newVersion ? this.options.canaryRequestsPerMinute : this.options.baselineRequestsPerMinute);
      const minute = newVersion
        ? linesOfMinute(this.random, t, 'canary', this.options.versions.canary, requests, this.options.profile)
        : linesOfMinute(this.random, t, 'baseline', this.options.versions.baseline, requests, {});
      this.insights.addMinute(t, minute);
    }
    return this.insights.run(request);
  }
}
