import { pnorm, qnorm } from './normal';
import { zeroin } from './zeroin';

export type Alternative = 'two.sided' | 'greater' | 'less';
const ALTERNATIVES: readonly string[] = ['two.sided', 'greater', 'less'];

/**
 * The smallest one-sided p-value `mannWhitney` can return with `n` values per sample: complete
 * separation without ties, W = n², under the normal approximation with continuity correction.
 */
export function smallestOneSidedPValue(n: number): number {
  const sigma = Math.sqrt((n * n * (2 * n + 1)) / 12);
  return pnorm(((n * n) / 2 - 0.5) / sigma, false);
}

/** The fewest values per sample with which a one-sided `mannWhitney` p-value can reach `alpha`. */
export function minimumSamplesFor(alpha: number): number {
  let n = 2;
  while (smallestOneSidedPValue(n) > alpha) n++;
  return n;
}

export interface MannWhitneyOptions {
  /** Which shift of experiment relative to control the test looks for. @default 'two.sided' */
  readonly alternative?: Alternative;
  /** Confidence level of the interval. @default 0.95 */
  readonly confidenceLevel?: number;
}

export interface MannWhitneyResult {
  /** Pairs (experiment, control) with experiment > control; ties count ½. */
  readonly w: number;
  readonly pValue: number;
  /** Hodges–Lehmann location shift, experiment minus control. */
  readonly estimate: number;
  /** Interval for the shift; one-sided alternatives have an infinite end (±Infinity). */
  readonly confidenceInterval: readonly [number, number];
}

/** Average ranks (1-based) of `values`, and the sizes of the groups of tied values. */
export function averageRanks(values: readonly number[]): { ranks: Float64Array; tieSizes: number[] } {
  const order = values.map((_, index) => index).sort((i, j) => values[i] - values[j]);
  const ranks = new Float64Array(values.length);
  const tieSizes: number[] = [];
  for (let start = 0; start < order.length; ) {
    let end = start + 1;
    while (end < order.length && values[order[end]] === values[order[start]]) end++;
    const rank = (start + 1 + end) / 2;
    for (let k = start; k < end; k++) ranks[order[k]] = rank;
    tieSizes.push(end - start);
    start = end;
  }
  return { ranks, tieSizes };
}

/** W − E[W] and the standard deviation of W (with the tie correction), for experiment − shift vs control. */
function centredStatistic(experiment: readonly number[], control: readonly number[], shift: number): { dz: number; sigma: number } {
  const nx = experiment.length;
  const ny = control.length;
  const { ranks, tieSizes } = averageRanks([...experiment.map((x) => x - shift), ...control]);
  let rankSum = 0;
  for (let i = 0; i < nx; i++) rankSum += ranks[i];
  let tieTerm = 0;
  for (const size of tieSizes) tieTerm += size * size * size - size;
  const dz = rankSum - (nx * (nx + 1)) / 2 - (nx * ny) / 2;
  const sigma = Math.sqrt(((nx * ny) / 12) * (nx + ny + 1 - tieTerm / ((nx + ny) * (nx + ny - 1))));
  return { dz, sigma };
}

function continuity(alternative: Alternative, dz: number): number {
  if (alternative === 'greater') return 0.5;
  if (alternative === 'less') return -0.5;
  return Math.sign(dz) * 0.5;
}

/**
 * Mann–Whitney U test (Wilcoxon rank-sum) with the Hodges–Lehmann shift and its interval, computed
 * as R's `wilcox.test(experiment, control, alternative, conf.int = TRUE, conf.level, exact = FALSE,
 * correct = TRUE)`: normal approximation with tie and continuity corrections, the interval and the
 * estimate found by R's root search (`uniroot`, tol = 1e-4) on the shifted statistic.
 *
 * One case differs from R on purpose: when every experiment − control difference is the same number d
 * (both samples constant), R stops with an error; here the estimate is d and the interval is [d, d]
 * (with the open end infinite for one-sided alternatives) — every pairwise difference equals d.
 */
export function mannWhitney(control: readonly number[], experiment: readonly number[], options: MannWhitneyOptions = {}): MannWhitneyResult {
  const alternative = options.alternative ?? 'two.sided';
  if (!ALTERNATIVES.includes(alternative)) {
    throw new Error(`mannWhitney: alternative must be one of ${ALTERNATIVES.map((a) => `"${a}"`).join(', ')}, got ${JSON.stringify(alternative)}`);
  }
  const confidenceLevel = options.confidenceLevel ?? 0.95;
  if (control.length === 0 || experiment.length === 0) {
    throw new Error(`mannWhitney needs at least one value per sample (control: ${control.length}, experiment: ${experiment.length})`);
  }
  if (!(confidenceLevel > 0 && confidenceLevel < 1)) throw new Error(`confidenceLevel must be in (0, 1), got ${confidenceLevel}`);
  for (const [name, sample] of [['control', control], ['experiment', experiment]] as const) {
    const bad = sample.findIndex((value) => !Number.isFinite(value));
    if (bad >= 0) throw new Error(`mannWhitney: ${name}[${bad}] is ${sample[bad]}, expected a finite number`);
  }
  const nx = experiment.length;
  const ny = control.length;

  const { dz, sigma } = centredStatistic(experiment, control, 0);
  const w = dz + (nx * ny) / 2;
  const z = (dz - continuity(alternative, dz)) / sigma;
  const pValue =
    alternative === 'less' ? pnorm(z) : alternative === 'greater' ? pnorm(z, false) : 2 * Math.min(pnorm(z), pnorm(z, false));

  const alpha = 1 - confidenceLevel;
  const shiftMin = Math.min(...experiment) - Math.max(...control);
  const shiftMax = Math.max(...experiment) - Math.min(...control);
  if (!(shiftMin < shiftMax)) {
    // Both samples constant: every pairwise difference is shiftMin (R errors here; see above).
    const d = shiftMin;
    const interval: [number, number] = alternative === 'greater' ? [d, Infinity] : alternative === 'less' ? [-Infinity, d] : [d, d];
    return { w, pValue: Math.min(1, pValue), estimate: d, confidenceInterval: interval };
  }

  const shiftedZ = (shift: number, zq: number, correct: boolean) => {
    const at = centredStatistic(experiment, control, shift);
    return (at.dz - (correct ? continuity(alternative, at.dz) : 0)) / at.sigma - zq;
  };
  const root = (zq: number) => {
    const fLower = shiftedZ(shiftMin, zq, true);
    const fUpper = shiftedZ(shiftMax, zq, true);
    if (fLower <= 0) return shiftMin;
    if (fUpper >= 0) return shiftMax;
    return zeroin((d) => shiftedZ(d, zq, true), shiftMin, shiftMax, fLower, fUpper, 1e-4);
  };
  let confidenceInterval: [number, number];
  if (alternative === 'two.sided') {
    confidenceInterval = [root(qnorm(alpha / 2, false)), root(qnorm(alpha / 2))];
  } else if (alternative === 'greater') {
    confidenceInterval = [root(qnorm(alpha, false)), Infinity];
  } else {
    confidenceInterval = [-Infinity, root(qnorm(alpha))];
  }
  // R computes the estimate without the continuity correction (it sets correct <- FALSE first).
  const estimate = zeroin((d) => shiftedZ(d, 0, false), shiftMin, shiftMax, shiftedZ(shiftMin, 0, false), shiftedZ(shiftMax, 0, false), 1e-4);
  return { w, pValue: Math.min(1, pValue), estimate, confidenceInterval };
}
