import type { CountPeriod, GaugePeriod } from '../../lib/judge';
import { createRandom, type Random } from '../../lib/judge/random';

export interface StreamSpec {
  readonly periods: number;
  /** Requests per period over both arms. */
  readonly requestsPerPeriod: number;
  /** Canary share of traffic in period i. */
  readonly canaryShare: (period: number) => number;
  readonly errorRate: number;
  /** Canary error rate ÷ baseline error rate. @default 1 */
  readonly rateRatio?: number;
  /** Log-sd of a common-mode burst factor per period hitting both arms. @default 0 */
  readonly burstLogSd?: number;
  /** Log-sd of a factor (mean 1) on the canary's error rate alone, drawn per period: canary-only overdispersion. @default 0 */
  readonly canaryLogSd?: number;
  /** Log-sd of a factor (mean 1) on the baseline's error rate alone, drawn per period: with `canaryLogSd`, both arms wander independently. @default 0 */
  readonly baselineLogSd?: number;
  /** Chance that a period's canary datapoints are missing (the period is absent from the canary arm). @default 0 */
  readonly canaryMissing?: number;
}

/** One seeded A/B stream of count periods (requests Poisson, errors Poisson given requests). */
export function simulateStream(random: Random, spec: StreamSpec): { baseline: CountPeriod[]; canary: CountPeriod[] } {
  const baseline: CountPeriod[] = [];
  const canary: CountPeriod[] = [];
  for (let i = 0; i < spec.periods; i++) {
    const share = spec.canaryShare(i);
    const burst = spec.burstLogSd ? Math.exp(spec.burstLogSd * random.normal()) : 1;
    const canaryTotal = random.poisson(spec.requestsPerPeriod * share);
    const baselineTotal = random.poisson(spec.requestsPerPeriod * (1 - share));
    const rate = spec.errorRate * burst;
    const canaryNoise = meanOneFactor(random, spec.canaryLogSd ?? 0);
    const baselineNoise = meanOneFactor(random, spec.baselineLogSd ?? 0);
    const canaryPeriod = { t: 60 * i, total: canaryTotal, count: Math.min(canaryTotal, random.poisson(canaryTotal * rate * canaryNoise * (spec.rateRatio ?? 1))) };
    if (!(spec.canaryMissing && random.uniform() < spec.canaryMissing)) canary.push(canaryPeriod);
    baseline.push({ t: 60 * i, total: baselineTotal, count: Math.min(baselineTotal, random.poisson(baselineTotal * rate * baselineNoise)) });
  }
  return { baseline, canary };
}

/** A lognormal factor of mean 1 and log-sd `sd` (1 when sd is 0, drawing nothing: streams without it stay as they were). */
function meanOneFactor(random: Random, sd: number): number {
  return sd > 0 ? Math.exp(sd * random.normal() - (sd * sd) / 2) : 1;
}

/** n per-minute gauge values (e.g. p99 ms): level + 10 × a stationary AR(1) series with lag-1 correlation φ. */
export function ar1Gauge(random: Random, n: number, phi: number, level = 100): GaugePeriod[] {
  let x = random.normal() / Math.sqrt(1 - phi * phi);
  return Array.from({ length: n }, (_, i) => {
    const value = level + 10 * x;
    x = phi * x + random.normal();
    return { t: 60 * i, value };
  });
}

/**
 * Wald's SPRT on the per-period conditional binomial, knowing the true rate ratio: the first period
 * (1-based) at which it fails the canary at level α, or undefined. The physical limit for count metrics.
 */
export function oracleSprtFailPeriod(stream: { baseline: readonly CountPeriod[]; canary: readonly CountPeriod[] }, ratio: number, alpha: number, periods = stream.canary.length): number | undefined {
  let llr = 0;
  for (let i = 0; i < periods; i++) {
    const c = stream.canary[i];
    const b = stream.baseline[i];
    if (!c || !b || c.total === 0 || b.total === 0) continue;
    const p0 = c.total / (c.total + b.total);
    const p1 = (ratio * c.total) / (ratio * c.total + b.total);
    llr += c.count * Math.log(p1 / p0) + b.count * Math.log((1 - p1) / (1 - p0));
    if (llr >= Math.log(1 / alpha)) return i + 1;
  }
  return undefined;
}

export { createRandom };
