/**
 * A small seeded random source for simulations (tests and the benchmark), so every run of a
 * validity or power check sees the same streams. Not for anything security related.
 */
export interface Random {
  /** Uniform on [0, 1). */
  uniform(): number;
  /** Standard normal. */
  normal(): number;
  /** Poisson with mean `mean` (exact: multiplication for small means, PTRS rejection above 10). */
  poisson(mean: number): number;
  /** Binomial(n, p), exact (geometric jumps between successes). */
  binomial(n: number, p: number): number;
}

/** mulberry32: 32-bit state, fast, good enough for Monte-Carlo checks. */
function mulberry32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let z = state;
    z = Math.imul(z ^ (z >>> 15), z | 1);
    z ^= z + Math.imul(z ^ (z >>> 7), z | 61);
    return ((z ^ (z >>> 14)) >>> 0) / 4294967296;
  };
}

/** log(k!) — exact sum below 30, Stirling's series above (error < 1e-12). */
function logFactorial(k: number): number {
  if (k < 30) {
    let sum = 0;
    for (let i = 2; i <= k; i++) sum += Math.log(i);
    return sum;
  }
  const x = k + 1;
  return (x - 0.5) * Math.log(x) - x + 0.5 * Math.log(2 * Math.PI) + 1 / (12 * x) - 1 / (360 * x ** 3) + 1 / (1260 * x ** 5);
}

export function createRandom(seed: number): Random {
  const uniform = mulberry32(seed);
  const nonZeroUniform = () => {
    let u = uniform();
    while (u === 0) u = uniform();
    return u;
  };
  const normal = () => Math.sqrt(-2 * Math.log(nonZeroUniform())) * Math.cos(2 * Math.PI * uniform());

  const poisson = (mean: number): number => {
    if (!(mean > 0)) return 0;
    if (mean < 10) {
      const limit = Math.exp(-mean);
      let k = 0;
      let product = uniform();
      while (product > limit) {
        k++;
        product *= uniform();
      }
      return k;
    }
    // Hörmann's PTRS (transformed rejection with squeeze), exact for mean ≥ 10.
    const root = Math.sqrt(mean);
    const logMean = Math.log(mean);
    const b = 0.931 + 2.53 * root;
    const a = -0.059 + 0.02483 * b;
    const inverseAlpha = 1.1239 + 1.1328 / (b - 3.4);
    const vr = 0.9277 - 3.6224 / (b - 2);
    for (;;) {
      const u = uniform() - 0.5;
      const v = uniform();
      const us = 0.5 - Math.abs(u);
      const k = Math.floor(((2 * a) / us + b) * u + mean + 0.43);
      if (us >= 0.07 && v <= vr) return k;
      if (k < 0 || (us < 0.013 && v > us)) continue;
      if (Math.log(v) + Math.log(inverseAlpha) - Math.log(a / (us * us) + b) <= -mean + k * logMean - logFactorial(k)) return k;
    }
  };

  const binomial = (n: number, p: number): number => {
    if (n <= 0 || p <= 0) return 0;
    if (p >= 1) return n;
    if (p > 0.5) return n - binomial(n, 1 - p);
    // Jump from success to success by geometric gaps: O(n·p) uniforms.
    const logFail = Math.log1p(-p);
    let successes = 0;
    let position = Math.floor(Math.log(nonZeroUniform()) / logFail);
    while (position < n) {
      successes++;
      position += 1 + Math.floor(Math.log(nonZeroUniform()) / logFail);
    }
    return successes;
  };

  return { uniform, normal, poisson, binomial };
}
