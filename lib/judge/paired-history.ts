/**
 * Two different hosts (or host groups) are not two draws of one process: one runs hotter, is spikier,
 * drifts on its own. On NAB's real EC2/RDS CPU series, Mann–Whitney with the autocorrelation
 * adjustment false-failed 9.6 % of windows at α = 5 % even with each canary series scaled to its
 * baseline's median (31 % as they are): the baseline's history tells how much one host moves, never
 * how two differ. When the canary arm's own periods before the deployment are known (the arms are
 * hosts or host groups whose metric existed before, not a version dimension born with the
 * deployment), the difference between the arms is calibrated on them, a difference in differences:
 * the window's rank-sum z (canary, less the tolerance, against the baseline) is ranked among the same
 * z over the K most recent disjoint blocks of n values of the two histories at the same times (the arms
 * as they differed before the new version): p = (1 + blocks at least as extreme) / (K + 1), a conformal
 * p-value. Assumption: the window's z is exchangeable with the blocks' (the arms' relation is
 * stationary over the history; no law is assumed); a persistent offset, a different shape or a different
 * drift between the hosts then cancels. A normal (t) prediction bound from the blocks' mean and sd was
 * tried first: on real hosts with bursts (one idles at 0.1 % CPU and runs at 95 % for hours) the z's are
 * far from normal, and it false-failed 8–11 % of that host's pairs at α = 5 %; the rank ≤ 3.4 % on every
 * ordered pair of NAB's 10 EC2/RDS CPU series (docs/benchmark.md).
 * Price: a fail needs α ≥ 1/(K + 1), K = history periods / n (240 periods, 10 per arm: α ≥ 4 %); below
 * that the test ends inconclusive and says why; and where the history shows the arms so far apart that
 * the ranks of n values saturate, no window decides.
 */
import { averageRanks } from './mann-whitney';
import type { GaugePeriod } from './observations';

/** Fewest history blocks of n paired values (the smallest p-value is then 1/7). */
export const MIN_PAIRED_BLOCKS = 6;

/** Standardized rank-sum z of `experiment` against `control` (positive: experiment larger); no ties correction. */
export function rankSumZ(control: readonly number[], experiment: readonly number[]): number {
  const m = control.length;
  const n = experiment.length;
  const { ranks } = averageRanks([...control, ...experiment]);
  let rankSum = 0;
  for (let k = m; k < m + n; k++) rankSum += ranks[k];
  const u = rankSum - (n * (n + 1)) / 2;
  return (u - (m * n) / 2) / Math.sqrt((m * n * (m + n + 1)) / 12);
}

/** The largest |z| two samples of these sizes can show (complete separation). */
export function largestRankSumZ(m: number, n: number): number {
  return (m * n) / 2 / Math.sqrt((m * n * (m + n + 1)) / 12);
}

export interface PairedHistory {
  /** Blocks of n values at the same times in both histories. */
  readonly blocks: number;
  /** Mean and sd of the blocks' z (canary against baseline). */
  readonly mean: number;
  readonly sd: number;
  /** The blocks' z, oldest first. */
  readonly zs: readonly number[];
}

/**
 * The rank-sum z of the canary's history against the baseline's, over the most recent disjoint blocks
 * of `n` periods present in both (matched on `t`), `sign`-oriented so that positive is harm.
 * Undefined below MIN_PAIRED_BLOCKS blocks.
 */
export function pairedHistory(baselineHistory: readonly GaugePeriod[], canaryHistory: readonly GaugePeriod[], n: number, sign: number, limit: number): PairedHistory | undefined {
  const canaryAt = new Map(canaryHistory.map((period) => [period.t, period.value]));
  const paired = baselineHistory.filter((period) => canaryAt.has(period.t)).slice(-limit);
  const blocks = n >= 2 ? Math.floor(paired.length / n) : 0;
  if (blocks < MIN_PAIRED_BLOCKS) return undefined;
  const from = paired.length - blocks * n;
  const zs: number[] = [];
  for (let k = 0; k < blocks; k++) {
    const block = paired.slice(from + k * n, from + (k + 1) * n);
    zs.push(rankSumZ(block.map((period) => sign * period.value), block.map((period) => sign * canaryAt.get(period.t)!)));
  }
  const mean = zs.reduce((sum, z) => sum + z, 0) / blocks;
  const sd = Math.sqrt(zs.reduce((sum, z) => sum + (z - mean) ** 2, 0) / (blocks - 1));
  return { blocks, mean, sd, zs };
}

/**
 * One-sided p-values of the window's z by its rank among the history blocks': `harm` that it is above
 * them (1 + blocks with z ≥ the window's) / (K + 1), `noHarm` that it is below.
 */
export function pairedPValues(windowZ: number, history: PairedHistory): { harm: number; noHarm: number } {
  const rank = (asExtreme: (z: number) => boolean) => (1 + history.zs.filter(asExtreme).length) / (history.blocks + 1);
  return { harm: rank((z) => z >= windowZ), noHarm: rank((z) => z <= windowZ) };
}
