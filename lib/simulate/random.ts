/**
 * Seeded random numbers for the simulator. Everything here is deterministic: the same seed gives
 * the same draws on every machine (only 32-bit integer arithmetic and IEEE doubles).
 *
 * The samplers are exact (no normal approximations) so that simulated counts have the variance
 * the statistical tests assume; a sampler that is "about right" would itself look like
 * overdispersion to a sensitive test.
 */

// Local bindings: inside Jest's vm context every `Math.x` is a slow global lookup, and these
// functions run millions of times per scenario.
const { abs, exp, floor, imul, log, min, pow, sqrt } = Math;

/** A uniform draw in [0, 1). */
export type UniformSource = () => number;

/** mulberry32: a tiny 32-bit generator, good enough for simulation and fully reproducible. */
export function mulberry32(seed: number): UniformSource {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = imul(t ^ (t >>> 15), t | 1);
    t ^= t + imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * A 32-bit seed for a named stream of a seeded run (FNV-1a over the label, mixed with the seed).
 * Separate streams per purpose keep draws aligned across scenario variants: adding a canary
 * regression does not change a single baseline draw (common random numbers).
 */
export function streamSeed(seed: number, label: string): number {
  let hash = (0x811c9dc5 ^ (seed >>> 0)) >>> 0;
  for (let index = 0; index < label.length; index += 1) {
    hash ^= label.charCodeAt(index);
    hash = imul(hash, 0x01000193) >>> 0;
  }
  // Final avalanche so nearby seeds/labels give unrelated streams.
  hash ^= hash >>> 16;
  hash = imul(hash, 0x85ebca6b) >>> 0;
  hash ^= hash >>> 13;
  return hash >>> 0;
}

/** The samplers, all drawing from one uniform source. */
export class Random {
  private spareNormal: number | undefined;

  constructor(readonly uniform: UniformSource) {}

  static seeded(seed: number, label = ''): Random {
    return new Random(mulberry32(label ? streamSeed(seed, label) : seed));
  }

  /** Uniform in (0, 1): never exactly 0, so logarithms are safe. */
  openUniform(): number {
    let value = this.uniform();
    while (value === 0) value = this.uniform();
    return value;
  }

  /** Standard normal (Marsaglia polar method; the second value of each pair is kept). */
  normal(): number {
    if (this.spareNormal !== undefined) {
      const spare = this.spareNormal;
      this.spareNormal = undefined;
      return spare;
    }
    let u: number;
    let v: number;
    let s: number;
    do {
      u = 2 * this.uniform() - 1;
      v = 2 * this.uniform() - 1;
      s = u * u + v * v;
    } while (s >= 1 || s === 0);
    const scale = sqrt((-2 * log(s)) / s);
    this.spareNormal = v * scale;
    return u * scale;
  }

  /** Lognormal: exp(mu + sigma·Z). */
  lognormal(mu: number, sigma: number): number {
    return exp(mu + sigma * this.normal());
  }

  /** Gamma(shape, scale), mean shape·scale (Marsaglia–Tsang; shape < 1 through the u^(1/shape) boost). */
  gamma(shape: number, scale = 1): number {
    if (!(shape > 0) || !(scale > 0)) throw new RangeError(`gamma needs shape > 0 and scale > 0 (got ${shape}, ${scale})`);
    if (shape < 1) return this.gamma(shape + 1, scale) * pow(this.openUniform(), 1 / shape);
    const d = shape - 1 / 3;
    const c = 1 / sqrt(9 * d);
    for (;;) {
      let x: number;
      let v: number;
      do {
        x = this.normal();
        v = 1 + c * x;
      } while (v <= 0);
      v = v * v * v;
      const u = this.openUniform();
      if (u < 1 - 0.0331 * x * x * x * x) return d * v * scale;
      if (log(u) < 0.5 * x * x + d * (1 - v + log(v))) return d * v * scale;
    }
  }

  /** Beta(a, b) from two gammas. */
  beta(a: number, b: number): number {
    const x = this.gamma(a);
    const y = this.gamma(b);
    return x / (x + y);
  }

  /**
   * Poisson(mean). Small means by Knuth's product of uniforms; large means by Knuth's gamma
   * split (exact, O(log mean) steps): the m-th arrival time of a unit-rate process is Gamma(m).
   */
  poisson(mean: number): number {
    if (!(mean >= 0) || !Number.isFinite(mean)) throw new RangeError(`poisson needs a finite mean >= 0 (got ${mean})`);
    let result = 0;
    let remaining = mean;
    while (remaining > 30) {
      const m = floor(remaining * 0.875);
      const arrival = this.gamma(m);
      if (arrival >= remaining) return result + this.binomial(m - 1, remaining / arrival);
      result += m;
      remaining -= arrival;
    }
    const limit = exp(-remaining);
    let product = this.uniform();
    while (product > limit) {
      result += 1;
      product *= this.uniform();
    }
    return result;
  }

  /**
   * Binomial(trials, p). Few expected successes: sequential inversion of the CDF (cost ~ mean).
   * Otherwise Knuth's beta split (exact): the a-th order statistic of the uniforms is Beta(a, b),
   * which tells how many successes fall below it.
   */
  binomial(trials: number, p: number): number {
    if (!Number.isInteger(trials) || trials < 0) throw new RangeError(`binomial needs whole trials >= 0 (got ${trials})`);
    if (!(p >= 0 && p <= 1)) throw new RangeError(`binomial needs 0 <= p <= 1 (got ${p})`);
    let result = 0;
    let n = trials;
    let probability = p;
    for (;;) {
      if (n === 0 || probability === 0) return result;
      if (probability === 1) return result + n;
      // Count failures instead when that is the smaller number: fewer steps.
      if (probability > 0.5) return result + n - this.binomial(n, 1 - probability);
      if (n * probability < 20) return result + this.binomialInversion(n, probability);
      const a = 1 + floor(n / 2);
      const b = n + 1 - a;
      const x = this.beta(a, b);
      if (x >= probability) {
        n = a - 1;
        probability = probability / x;
      } else {
        result += a;
        n = b - 1;
        probability = (probability - x) / (1 - x);
      }
    }
  }

  /** Inversion by sequential search; only used when n·p is small (< 20) and p <= 0.5. */
  private binomialInversion(n: number, p: number): number {
    const ratio = p / (1 - p);
    let pmf = pow(1 - p, n);
    // For very large n with small n·p the (1-p)^n term can underflow to 0: fall back to Poisson
    // stepping, which has the same limit (never reached for the sizes the simulator uses).
    if (pmf === 0) return min(n, this.poisson(n * p));
    let u = this.uniform();
    let k = 0;
    while (u > pmf && k < n) {
      u -= pmf;
      pmf *= (ratio * (n - k)) / (k + 1);
      k += 1;
    }
    return k;
  }
}

/** Standard normal CDF, accurate in the tails (erfc, Numerical Recipes' Chebyshev fit, rel. error < 1.2e-7). */
export function normalCdf(z: number): number {
  return 0.5 * erfc(-z / Math.SQRT2);
}

function erfc(x: number): number {
  const z = abs(x);
  const t = 1 / (1 + 0.5 * z);
  const result =
    t *
    exp(
      -z * z -
        1.26551223 +
        t *
          (1.00002368 +
            t *
              (0.37409196 +
                t * (0.09678418 + t * (-0.18628806 + t * (0.27886807 + t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277)))))))),
    );
  return x >= 0 ? result : 2 - result;
}

/** z such that P(Z <= z) = 0.99. */
export const Z_99 = 2.3263478740408408;
