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
