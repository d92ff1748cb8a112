/**
 * Host-like per-minute gauges (CPU %, p99 ms) for the gauge tests: a level per host (hosts differ by a
 * few per cent), drift on two timescales (minutes and hours, Ornstein–Uhlenbeck on the log level),
 * noise whose size follows the level (heteroskedastic), and now and then a regime change (the level
 * steps to a new value and stays), and busy minutes (spikes). Two hosts running the same code are two independent draws.
 */
import type { GaugePeriod } from '../../lib/judge';
import type { Random } from '../../lib/judge/random';

export interface HostSpec {
  readonly level?: number;
  /** Log-sd of a host's own level around `level`. @default 0.03 */
  readonly hostLogSd?: number;
  /** Drifts of the log level: stationary sd, correlation time in minutes. */
  readonly drifts?: ReadonlyArray<{ readonly logSd: number; readonly minutes: number }>;
  /** Per-minute noise, relative to the current level. @default 0.05 */
  readonly noise?: number;
  /** Regime changes: on average every `everyMinutes`, the log level steps by N(0, logSd²). */
  readonly regimes?: { readonly logSd: number; readonly everyMinutes: number };
  /** Busy minutes: with this probability a minute's value is 1–4× (uniform) its level. @default 0 */
  readonly spikes?: number;
  /** A factor on the canary host's level (harm when > 1). @default 1 */
  readonly canaryFactor?: number;
}

export const HOST_LIKE: HostSpec = {
  level: 40,
  drifts: [
    { logSd: 0.08, minutes: 5 },
    { logSd: 0.1, minutes: 180 },
  ],
  noise: 0.05,
};

/**
 * The log level's drift and regime changes over `minutes`, without a host's own level or noise: the
 * load two arms share when one request stream is split between them (an alias's or a load balancer's
 * weights), so it moves both at once.
 */
export function sharedLoad(random: Random, minutes: number, spec: HostSpec): number[] {
  const drifts = (spec.drifts ?? []).map(({ logSd, minutes: tau }) => ({ logSd, keep: Math.exp(-1 / tau), x: logSd * random.normal() }));
  let regime = 0;
  return Array.from({ length: minutes }, () => {
    if (spec.regimes && random.uniform() < 1 / spec.regimes.everyMinutes) regime += spec.regimes.logSd * random.normal();
    let log = regime;
    for (const drift of drifts) {
      log += drift.x;
      drift.x = drift.x * drift.keep + drift.logSd * Math.sqrt(1 - drift.keep * drift.keep) * random.normal();
    }
    return log;
  });
}

/**
 * `minutes` values of one host (the last ones are the window), `t` on a shared one-minute grid. With
 * `load` (sharedLoad), the host's level follows it instead of drifting on its own.
 */
export function hostSeries(random: Random, minutes: number, spec: HostSpec, factor = 1, load?: readonly number[]): GaugePeriod[] {
  const drifts = load ? [] : (spec.drifts ?? []).map(({ logSd, minutes: tau }) => ({ logSd, keep: Math.exp(-1 / tau), x: logSd * random.normal() }));
  let regime = 0;
  const hostLevel = (spec.level ?? 40) * Math.exp((spec.hostLogSd ?? 0.03) * random.normal()) * factor;
  return Array.from({ length: minutes }, (_, i) => {
    if (!load && spec.regimes && random.uniform() < 1 / spec.regimes.everyMinutes) regime += spec.regimes.logSd * random.normal();
    let log = load ? load[i] : regime;
    for (const drift of drifts) {
      log += drift.x;
      drift.x = drift.x * drift.keep + drift.logSd * Math.sqrt(1 - drift.keep * drift.keep) * random.normal();
    }
    const level = hostLevel * Math.exp(log);
    const spike = spec.spikes && random.uniform() < spec.spikes ? 1 + 3 * random.uniform() : 1;
    return { t: 1_767_225_600 + 60 * i, value: spike * level * (1 + (spec.noise ?? 0.05) * random.normal()) };
  });
}

/**
 * Two hosts, same code: the baseline host's `history` minutes before the window, then `window` minutes
 * of each. `windowSpec` (e.g. stronger correlation once the deployment starts) draws both windows
 * from another law than the history. `canaryHistory`: the canary host's own minutes before the window
 * too (before its new version: without `canaryFactor`), on the baseline history's times. `sharedLoad`:
 * both hosts' levels follow one drift (one request stream split between them; not with `windowSpec`),
 * each keeping its own level (`hostLogSd`), busy minutes and noise.
 */
export function twoHosts(
  random: Random,
  history: number,
  window: number,
  spec: HostSpec,
  windowSpec?: HostSpec,
  options: { readonly canaryHistory?: boolean; readonly sharedLoad?: boolean } = {},
): { baseline: GaugePeriod[]; canary: GaugePeriod[]; baselineHistory: GaugePeriod[]; canaryHistory?: GaugePeriod[] } {
  const factor = (windowSpec ?? spec).canaryFactor ?? 1;
  if (windowSpec) {
    const baselineHistory = hostSeries(random, history, spec);
    const baseline = hostSeries(random, window, windowSpec).map((period, i) => ({ ...period, t: baselineHistory[0].t + 60 * (history + i) }));
    const canary = hostSeries(random, window, windowSpec, factor).map((period, i) => ({ ...period, t: baseline[i].t }));
    const canaryHistory = options.canaryHistory ? hostSeries(random, history, { ...spec, canaryFactor: 1 }) : undefined;
    return { baselineHistory, baseline, canary, ...(canaryHistory && { canaryHistory }) };
  }
  const load = options.sharedLoad ? sharedLoad(random, history + window, spec) : undefined;
  const baselineHost = hostSeries(random, history + window, spec, 1, load);
  const canaryHost = hostSeries(random, history + window, spec, factor, load);
  // The factor scales the canary host's level throughout; its history is from before the new version.
  const canaryHistory = options.canaryHistory ? canaryHost.slice(0, history).map((period) => ({ ...period, value: period.value / factor })) : undefined;
  return { baselineHistory: baselineHost.slice(0, history), baseline: baselineHost.slice(history), canary: canaryHost.slice(history), ...(canaryHistory && { canaryHistory }) };
}
