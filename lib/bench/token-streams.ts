import { Random } from '../simulate/random';
import type { CountPeriod, GaugePeriod, TokensPeriod } from '../judge';

/**
 * Streams of per-period token use and agent gauges for the cost and drop-gauge checks (tests and
 * `scripts/bench-tokens.ts`): each request's tokens are gamma distributed (coefficient of variation
 * `cv`), so a period's sum over n requests is Gamma(n/cv², cv²·mean), the variance a real sum has.
 */
export interface TokenMix {
  readonly input: number;
  readonly output: number;
  readonly cacheRead: number;
  readonly cacheWrite: number;
}

export interface TokenArmSpec {
  readonly requestsPerPeriod: number;
  readonly tokens: TokenMix;
  /** Probability that a request fails (its tokens are spent all the same). @default 0 */
  readonly errorRate?: number;
}

export function tokenPeriods(random: Random, arm: TokenArmSpec, periods: number, cv = 1): { tokens: TokensPeriod[]; errors: CountPeriod[] } {
  const shape = 1 / (cv * cv);
  const tokens: TokensPeriod[] = [];
  const errors: CountPeriod[] = [];
  for (let index = 0; index < periods; index += 1) {
    const t = 60 * index;
    const requests = random.poisson(arm.requestsPerPeriod);
    const draw = (mean: number) => (requests > 0 && mean > 0 ? Math.round(random.gamma(requests * shape, mean / shape)) : 0);
    tokens.push({ t, requests, input: draw(arm.tokens.input), output: draw(arm.tokens.output), cacheRead: draw(arm.tokens.cacheRead), cacheWrite: draw(arm.tokens.cacheWrite) });
    errors.push({ t, count: random.binomial(requests, arm.errorRate ?? 0), total: requests });
  }
  return { tokens, errors };
}

/**
 * A gauge per period: the median of `perPeriod` units of work whose value is lognormal around
 * `median` (sd `sigma` in log), e.g. reasoning tokens per turn.
 */
export function gaugePeriods(random: Random, median: number, periods: number, perPeriod = 50, sigma = 0.5): GaugePeriod[] {
  const result: GaugePeriod[] = [];
  for (let index = 0; index < periods; index += 1) {
    const values = Array.from({ length: perPeriod }, () => median * Math.exp(sigma * random.normal())).sort((a, b) => a - b);
    result.push({ t: 60 * index, value: values[perPeriod >> 1] });
  }
  return result;
}

/** Moves a fraction of cache-read tokens to uncached input: a release that stops hitting the prompt cache. */
export function withCacheMisses(mix: TokenMix, missFraction: number): TokenMix {
  return { ...mix, input: mix.input + missFraction * mix.cacheRead, cacheRead: (1 - missFraction) * mix.cacheRead };
}
