/**
 * Error levels that move over time, for the bake's comparison across time: per-minute bursts, drift on
 * one or two timescales (Ornstein–Uhlenbeck on the log level) and regime changes (the level jumps at
 * random times). `bakeStream` lays out a deployment: the current version's history, its window before
 * the deployment, the canary window (not judged by the bake), then the bake at 100 % on the new version.
 */
import type { CountPeriod, TimeShift } from '../../lib/judge';
import type { Random } from '../../lib/judge/random';

export interface LevelSpec {
  /** Log-sd of an independent factor per minute. @default 0 */
  readonly burstLogSd?: number;
  /** Ornstein–Uhlenbeck drifts of the log level: stationary sd and correlation time in minutes. */
  readonly drifts?: ReadonlyArray<{ readonly logSd: number; readonly minutes: number }>;
  /** Regime changes: on average every `everyMinutes` the level jumps to a new N(0, logSd²) offset. */
  readonly jumps?: { readonly logSd: number; readonly everyMinutes: number };
}

/** The log level of `minutes` consecutive minutes (stationary from the first). */
export function logLevels(random: Random, minutes: number, spec: LevelSpec): Float64Array {
  const levels = new Float64Array(minutes);
  const drifts = (spec.drifts ?? []).map(({ logSd, minutes: tau }) => ({ logSd, keep: Math.exp(-1 / tau), x: logSd * random.normal() }));
  let regime = spec.jumps ? spec.jumps.logSd * random.normal() : 0;
  for (let i = 0; i < minutes; i++) {
    if (spec.jumps && random.uniform() < 1 / spec.jumps.everyMinutes) regime = spec.jumps.logSd * random.normal();
    let level = regime + (spec.burstLogSd ? spec.burstLogSd * random.normal() : 0);
    for (const drift of drifts) {
      level += drift.x;
      drift.x = drift.x * drift.keep + drift.logSd * Math.sqrt(1 - drift.keep * drift.keep) * random.normal();
    }
    levels[i] = level;
  }
  return levels;
}

export interface BakeLayout {
  readonly historyMinutes: number;
  /** Length of the bake, and of the baseline window before the deployment. @default 10 */
  readonly bakeMinutes?: number;
  /** Minutes between the deployment's creation and the bake (the canary window). @default 15 */
  readonly gapMinutes?: number;
  readonly requestsPerMinute: number;
  readonly errorRate: number;
  /** New version's error rate ÷ the current version's at the same time. @default 1 */
  readonly ratio?: number;
}

export interface BakeObservations {
  readonly canary: CountPeriod[];
  /** The current version's window before the deployment, `t` moved onto the bake's minutes. */
  readonly baseline: CountPeriod[];
  readonly baselineHistory: CountPeriod[];
  readonly timeShift: TimeShift;
  /** The same bake judged side by side: the current version at the bake's own minutes. */
  readonly concurrentBaseline: CountPeriod[];
}

const T0 = 1_767_225_600;

/** One deployment's bake on a moving level; the mean log level is 0 (rate = errorRate × e^level). */
export function bakeStream(random: Random, layout: BakeLayout, level: LevelSpec): BakeObservations {
  const bake = layout.bakeMinutes ?? 10;
  const gap = layout.gapMinutes ?? 15;
  const shift = bake + gap;
  const minutes = layout.historyMinutes + bake + gap + bake;
  const levels = logLevels(random, minutes, level);
  const period = (i: number, ratio: number): CountPeriod => {
    const total = random.poisson(layout.requestsPerMinute);
    return { t: T0 + 60 * (i + shift), total, count: Math.min(total, random.poisson(total * layout.errorRate * Math.exp(levels[i]) * ratio)) };
  };
  const old = Array.from({ length: layout.historyMinutes + bake }, (_, i) => period(i, 1));
  const bakeStart = layout.historyMinutes + bake + gap;
  const canary: CountPeriod[] = [];
  const concurrentBaseline: CountPeriod[] = [];
  for (let i = bakeStart; i < minutes; i++) {
    const c = period(i, layout.ratio ?? 1);
    canary.push({ ...c, t: c.t - 60 * shift });
    const b = period(i, 1);
    concurrentBaseline.push({ ...b, t: b.t - 60 * shift });
  }
  return {
    canary,
    baseline: old.slice(layout.historyMinutes).filter((p) => p.total > 0),
    baselineHistory: old.slice(0, layout.historyMinutes).filter((p) => p.total > 0),
    timeShift: { seconds: 60 * shift, periodSeconds: 60 },
    concurrentBaseline,
  };
}
