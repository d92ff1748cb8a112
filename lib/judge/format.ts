/** Compact human numbers: 1234 → "1.2k", 0.01234 → "0.0123". */
export function formatNumber(value: number): string {
  if (!Number.isFinite(value)) return value > 0 ? '∞' : value < 0 ? '-∞' : 'n/a';
  const abs = Math.abs(value);
  if (abs >= 1e6) return `${trim(value / 1e6)}M`;
  if (abs >= 1e4) return `${trim(value / 1e3)}k`;
  if (abs >= 100 || Number.isInteger(value)) return String(Math.round(value));
  return String(Number(value.toPrecision(3)));
}

function trim(value: number): string {
  return String(Number(value.toFixed(1)));
}

/** "2.4%" for a rate given as a fraction. */
export function formatPercent(fraction: number): string {
  return `${formatNumber(fraction * 100)}%`;
}

/** A count in full with thousands separators: 8160 → "8,160" (counts are read, not estimated). */
export function formatCount(value: number): string {
  return Math.round(value).toLocaleString('en-US');
}

/** A number for people: 2.94 → "2.9", 0.0123 → "0.012", 1234.5 → "1,235"; two significant digits below 100. */
export function formatPlain(value: number): string {
  if (!Number.isFinite(value)) return value > 0 ? '∞' : '-∞';
  const abs = Math.abs(value);
  if (abs >= 100) return formatCount(value);
  if (abs >= 10) return String(Number(value.toFixed(1)));
  if (abs >= 1) return value.toFixed(1);
  return String(Number(value.toPrecision(2)));
}

/** The level of an interval at α, as people write it: 0.01 → "99 %", 0.00333 → "99.7 %". */
export function formatLevel(alpha: number): string {
  const level = (1 - alpha) * 100;
  return `${Number(level.toFixed(level >= 99.95 ? 2 : 1))} %`;
}

interface EffectLike {
  readonly effect?: number;
  readonly interval?: readonly [number | null, number | null];
  readonly alpha?: number;
  readonly baseline: { readonly count?: number; readonly total?: number };
  readonly canary: { readonly count?: number; readonly total?: number };
}

/**
 * A metric's effect with its interval in words: "×2.9 (99 % interval 1.0–6.3)"; none for 0 events
 * against 0 (a ratio of nothing says nothing); an unbounded end reads "at least"/"at most".
 */
export function formatEffect(result: EffectLike): string | undefined {
  if (result.effect === undefined) return undefined;
  if (result.canary.count !== undefined && (result.canary.count ?? 0) + (result.baseline.count ?? 0) === 0) return undefined;
  const effect = `×${formatPlain(result.effect)}`;
  if (!result.interval) return effect;
  const [low, high] = result.interval;
  const level = result.alpha !== undefined ? `${formatLevel(result.alpha)} interval` : 'interval';
  if (low === null && high === null) return `${effect} (${level}: any ratio)`;
  if (high === null) return `${effect} (${level}: at least ×${formatPlain(low!)})`;
  if (low === null || low === 0) return `${effect} (${level}: at most ×${formatPlain(high)})`;
  return `${effect} (${level} ${formatPlain(low)}–${formatPlain(high)})`;
}

/** Counts of both versions in words: "24 of 895 requests on the new version vs 75 of 8,160 on the current one". */
export function formatArms(result: EffectLike, unit = 'requests'): string | undefined {
  const { canary, baseline } = result;
  if (canary.count === undefined || canary.total === undefined || baseline.count === undefined || baseline.total === undefined) return undefined;
  return `${formatCount(canary.count)} of ${formatCount(canary.total)} ${unit} on the new version vs ${formatCount(baseline.count)} of ${formatCount(baseline.total)} on the current one`;
}
