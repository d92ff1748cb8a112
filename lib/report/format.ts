import { formatNumber, formatPercent } from '../judge/format';
import type { MetricChart } from './model';

/**
 * The one number format of every report view (terminal, HTML, the CLI's tables): three significant
 * digits, `k`/`M` above 10,000 (the judge's `formatNumber`), rates as percentages, ratios as `×`,
 * times as UTC clock times. `--json` keeps the full numbers.
 */
export { formatNumber, formatPercent };

/** A metric's value as its axis reads: rates as percentages, costs per 1,000 requests, gauges with their unit. */
export function formatValue(chart: Pick<MetricChart, 'kind' | 'unit'>, value: number): string {
  if (chart.kind === 'count') return formatPercent(value);
  if (chart.kind === 'cost') return `$${formatNumber(value * 1000)}/1k`;
  return chart.unit.startsWith('ms') ? `${formatNumber(value)} ms` : formatNumber(value);
}

/** What the numbers of a chart's axis are in, said once beside the axis rather than on every tick. */
export function axisUnit(chart: Pick<MetricChart, 'kind' | 'unit'>): string {
  if (chart.kind === 'count') return chart.unit;
  if (chart.kind === 'cost') return 'USD per 1,000 requests';
  return chart.unit;
}

/** `×2.9`; an absent ratio is "n/a". */
export function formatRatio(value: number | undefined | null): string {
  return value === undefined || value === null || !Number.isFinite(value) ? 'n/a' : `×${formatNumber(value)}`;
}

/** An effect interval `[0.9, 6.3]`; an unbounded end (`null`) reads `0` below and `∞` above. */
export function formatInterval(interval: readonly [number | null, number | null] | undefined): string {
  if (!interval) return '';
  return `[${interval[0] === null ? '0' : formatNumber(interval[0])}, ${interval[1] === null ? '∞' : formatNumber(interval[1])}]`;
}

/** `14:03 UTC` (with the date when `withDate`): wall-clock times, the same on every machine. */
export function formatClock(iso: string | Date, withDate = false): string {
  const date = typeof iso === 'string' ? new Date(iso) : iso;
  if (Number.isNaN(date.getTime())) return String(iso);
  const text = date.toISOString();
  return `${withDate ? `${text.slice(0, 10)} ` : ''}${text.slice(11, 16)} UTC`;
}

/** `4 min 10 s`, `2 h 5 min`, `38 s`. */
export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds)) return 'n/a';
  const s = Math.max(0, Math.round(seconds));
  if (s < 60) return `${s} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min${s % 60 ? ` ${s % 60} s` : ''}`;
  if (s < 86400) return `${Math.floor(s / 3600)} h${Math.floor((s % 3600) / 60) ? ` ${Math.floor((s % 3600) / 60)} min` : ''}`;
  return `${Math.floor(s / 86400)} d${Math.floor((s % 86400) / 3600) ? ` ${Math.floor((s % 86400) / 3600)} h` : ''}`;
}
