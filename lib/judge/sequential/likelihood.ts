/**
 * The conditional binomial log-likelihood of θ = log ρ, ℓ(θ) = Σ yᵢ·θ − Σ nᵢ·log(1 + e^θ·rᵢ), on the
 * grid and at single points.
 *
 * Speed: log(1 + e^θ·r) is a 4th-order Taylor expansion around buckets of log r 0.2 wide
 * (|error| ≤ 0.125·0.1⁵/120 ≈ 1.1e-8 nats per event), so ℓ on the whole grid is a function of five
 * moments per bucket (Σn, Σn·d … Σn·d⁴): a period costs O(1), and ℓ is evaluated on the grid once per
 * block of periods.
 */
import { GRID, GRID_POINTS } from './grid';

const BUCKET_WIDTH = 0.2;

function softplus(u: number): number {
  return u > 0 ? u + Math.log1p(Math.exp(-u)) : Math.log1p(Math.exp(u));
}

/** Taylor coefficients [k0..k4] of log(1 + e^(θ+c)) in δ at θ, around bucket centre c. */
function taylorCoefficients(theta: number, centre: number): [number, number, number, number, number] {
  const u = theta + centre;
  const s = 1 / (1 + Math.exp(-u));
  const d1 = s * (1 - s);
  const d2 = d1 * (1 - 2 * s);
  const d3 = d2 * (1 - 2 * s) - 2 * d1 * d1;
  return [softplus(u), s, d1 / 2, d2 / 6, d3 / 24];
}

/** Coefficients for every grid point, laid out [k0, k1, k2, k3, k4] per point; cached by bucket. */
const bucketCache = new Map<number, Float64Array>();
function gridCoefficients(bucket: number): Float64Array {
  let coefficients = bucketCache.get(bucket);
  if (!coefficients) {
    coefficients = new Float64Array(5 * GRID_POINTS);
    for (let g = 0; g < GRID_POINTS; g++) coefficients.set(taylorCoefficients(GRID[g], bucket * BUCKET_WIDTH), 5 * g);
    if (bucketCache.size > 10_000) bucketCache.clear();
    bucketCache.set(bucket, coefficients);
  }
  return coefficients;
}

/** Taylor coefficients of log(1 + e^(θ+c)) at one θ for a bucket, kept in `cache` (θ's own). */
function coefficientsAt(theta: number, bucket: number, cache: Map<number, readonly number[]>): readonly number[] {
  let coefficients = cache.get(bucket);
  if (!coefficients) {
    coefficients = taylorCoefficients(theta, bucket * BUCKET_WIDTH);
    if (cache.size > 10_000) cache.clear();
    cache.set(bucket, coefficients);
  }
  return coefficients;
}

/**
 * Sufficient statistics of the Taylor-expanded likelihood: Σy, and per bucket of log r the moments
 * Σn·dʲ (j = 0…4) of the offsets d from the bucket centre.
 */
export class Moments {
  events = 0;
  canaryEvents = 0;
  readonly buckets: number[] = [];
  /** Each bucket's grid coefficients (gridCoefficients), looked up once per bucket. */
  private readonly coefficients: Float64Array[] = [];
  private lastSlot = 0;
  moments = new Float64Array(5 * 4);

  /** Empty again, keeping the buffers (one instance serves every call). */
  reset(): void {
    this.events = 0;
    this.canaryEvents = 0;
    this.moments.fill(0, 0, 5 * this.buckets.length);
    this.buckets.length = 0;
    this.coefficients.length = 0;
    this.lastSlot = 0;
  }

  add(y: number, n: number, s: number): void {
    const bucket = Math.round(s / BUCKET_WIDTH);
    const d = s - bucket * BUCKET_WIDTH;
    // Periods fall in a few buckets, mostly the last one used: a scan beats a Map here.
    let slot = this.buckets[this.lastSlot] === bucket ? this.lastSlot : this.buckets.indexOf(bucket);
    if (slot < 0) {
      slot = this.buckets.length;
      this.buckets.push(bucket);
      this.coefficients.push(gridCoefficients(bucket));
      if (5 * this.buckets.length > this.moments.length) {
        const grown = new Float64Array(2 * this.moments.length);
        grown.set(this.moments);
        this.moments = grown;
      }
    }
    this.lastSlot = slot;
    const m = this.moments;
    const o = 5 * slot;
    m[o] += n;
    m[o + 1] += n * d;
    m[o + 2] += n * d * d;
    m[o + 3] += n * d * d * d;
    m[o + 4] += n * d * d * d * d;
    this.events += n;
    this.canaryEvents += y;
  }

  /** ℓ(θ) on the whole grid into `out`. */
  evaluate(out: Float64Array): void {
    const y = this.canaryEvents;
    for (let g = 0; g < GRID_POINTS; g++) out[g] = y * GRID[g];
    const m = this.moments;
    for (let b = 0; b < this.buckets.length; b++) {
      const k = this.coefficients[b];
      const o = 5 * b;
      const m0 = m[o], m1 = m[o + 1], m2 = m[o + 2], m3 = m[o + 3], m4 = m[o + 4];
      for (let g = 0; g < GRID_POINTS; g++) {
        const c = 5 * g;
        out[g] -= k[c] * m0 + k[c + 1] * m1 + k[c + 2] * m2 + k[c + 3] * m3 + k[c + 4] * m4;
      }
    }
  }

  /** ℓ(θ) at one θ; `cache` holds θ's Taylor coefficients by bucket. */
  at(theta: number, cache: Map<number, readonly number[]>): number {
    let value = this.canaryEvents * theta;
    const m = this.moments;
    for (let b = 0; b < this.buckets.length; b++) {
      const k = coefficientsAt(theta, this.buckets[b], cache);
      const o = 5 * b;
      value -= k[0] * m[o] + k[1] * m[o + 1] + k[2] * m[o + 2] + k[3] * m[o + 3] + k[4] * m[o + 4];
    }
    return value;
  }

  /** Score ℓ'(θ) and information −ℓ''(θ), from the same expansion differentiated in θ. */
  scoreAndInformation(theta: number): [number, number] {
    let score = this.canaryEvents;
    let information = 0;
    const m = this.moments;
    for (let b = 0; b < this.buckets.length; b++) {
      const s = 1 / (1 + Math.exp(-(theta + this.buckets[b] * BUCKET_WIDTH)));
      const d1 = s * (1 - s);
      const d2 = d1 * (1 - 2 * s);
      const d3 = d2 * (1 - 2 * s) - 2 * d1 * d1;
      const d4 = d3 * (1 - 2 * s) - 6 * d1 * d2;
      const d5 = d4 * (1 - 2 * s) - 8 * d1 * d3 - 6 * d2 * d2;
      const o = 5 * b;
      score -= s * m[o] + d1 * m[o + 1] + (d2 / 2) * m[o + 2] + (d3 / 6) * m[o + 3] + (d4 / 24) * m[o + 4];
      information += d1 * m[o] + d2 * m[o + 1] + (d3 / 2) * m[o + 2] + (d4 / 6) * m[o + 3] + (d5 / 24) * m[o + 4];
    }
    return [score, information];
  }
}

/** Maximum-likelihood θ by safeguarded Newton on the score. */
export function maximumLikelihoodTheta(moments: Moments, start: number): number {
  let theta = start;
  for (let iteration = 0; iteration < 50; iteration++) {
    const [score, information] = moments.scoreAndInformation(theta);
    if (!(information > 0)) break;
    const step = Math.max(-1, Math.min(1, score / information));
    theta += step;
    if (Math.abs(step) < 1e-9) break; // far below the 4 significant digits reported
  }
  return theta;
}

/**
 * ℓ kept on the grid period by period between evaluations from the moments (O(grid) a period, not
 * O(grid × buckets)), and ℓ(log tolerance) beside it.
 */
export class GridLikelihood {
  /** ℓ on the grid at the last evaluation or incremental update. */
  readonly values = new Float64Array(GRID_POINTS);
  /** ℓ(log tolerance) at the same point. */
  tolValue = 0;
  /** Number of periods `values` includes as evaluated from the moments; −1 after an incremental update. */
  private valuesAt = 0;
  private thetaTolerance = 0;
  private toleranceCoefficients = new Map<number, readonly number[]>();

  constructor(private readonly moments: Moments) {}

  reset(thetaTolerance: number, toleranceCoefficients: Map<number, readonly number[]>): void {
    this.values.fill(0);
    this.valuesAt = 0;
    this.tolValue = 0;
    this.thetaTolerance = thetaTolerance;
    this.toleranceCoefficients = toleranceCoefficients;
  }

  /** ℓ on the grid and at log tolerance from the moments, which hold the first `count` periods. */
  evaluate(count: number): void {
    if (this.valuesAt === count) return;
    this.moments.evaluate(this.values);
    this.tolValue = this.moments.at(this.thetaTolerance, this.toleranceCoefficients);
    this.valuesAt = count;
  }

  /** Adds one period to ℓ on the grid points [from, to), and to ℓ(log tolerance) when `tolerance`. */
  addPeriod(y: number, n: number, logRatio: number, from: number, to: number, tolerance: boolean): void {
    const bucket = Math.round(logRatio / BUCKET_WIDTH);
    const d = logRatio - bucket * BUCKET_WIDTH;
    const k = gridCoefficients(bucket);
    const values = this.values;
    for (let g = from; g < to; g++) {
      const o = 5 * g;
      values[g] += y * GRID[g] - n * (k[o] + d * (k[o + 1] + d * (k[o + 2] + d * (k[o + 3] + d * k[o + 4]))));
    }
    if (tolerance) {
      const theta = this.thetaTolerance;
      const kt = coefficientsAt(theta, bucket, this.toleranceCoefficients);
      this.tolValue += y * theta - n * (kt[0] + d * (kt[1] + d * (kt[2] + d * (kt[3] + d * kt[4]))));
    }
    this.valuesAt = -1; // incrementally updated: the next evaluate() recomputes from the moments
  }
}
