import { formatNumber, formatPercent } from '../judge/format';
import type { MetricChart } from './scenario-run';

/** Eight heights of a unicode sparkline; a minute without traffic is a blank. */
const BLOCKS = ['▁', '▂', '▃', '▄', '▅', '▆', '▇', '█'];
/** Total width the minutes of a chart should roughly fill. */
const TARGET_WIDTH = 48;

/** How a metric's values read: rates as percentages, gauges as numbers with their unit. */
export function formatChartValue(chart: Pick<MetricChart, 'kind' | 'unit'>, value: number): string {
  if (chart.kind === 'count') return formatPercent(value);
  if (chart.kind === 'cost') return `$${formatNumber(value * 1000)}/1k req`;
  return chart.unit.startsWith('ms') ? `${formatNumber(value)} ms` : formatNumber(value);
}

/** One sparkline row: each minute drawn `width` characters wide on the shared scale [0, max]. */
function sparkline(values: ReadonlyArray<number | undefined>, max: number, width: number): string {
  return values
    .map((value) => {
      if (value === undefined) return ' '.repeat(width);
      const level = max > 0 ? Math.min(BLOCKS.length - 1, Math.round((value / max) * (BLOCKS.length - 1))) : 0;
      return BLOCKS[level].repeat(width);
    })
    .join('');
}

export interface TerminalChartOptions {
  /** Complete periods the final verdict judged: minutes [0, judgedThroughMinute). */
  readonly judgedThroughMinute: number;
  /** Minute the verdict was reported (it trails the data by the metric lag). */
  readonly decidedAtMinute?: number;
}

/**
 * Canary vs baseline of one metric, minute by minute, as two sparklines on one scale with a
 * marker under the last period the verdict judged:
 *
 *   lambda-error-rate  errors per request  [fail]                   scale 0 – 6.8%
 *     canary   ▄▄██▂▂▅▅▃▃
 *     baseline ▂▂▂▂▁▁▂▂▂▂
 *              ▔▔▔▔▔▔▲ verdict on minutes 0–2, reported at minute 5
 */
export function renderTerminalChart(chart: MetricChart, options: TerminalChartOptions): string[] {
  const canary = chart.points.map((point) => point.canary);
  const baseline = chart.points.map((point) => point.baseline);
  const max = Math.max(0, ...[...canary, ...baseline].filter((value): value is number => value !== undefined));
  const width = Math.max(1, Math.min(4, Math.floor(TARGET_WIDTH / Math.max(1, chart.points.length))));
  const title = `${chart.metric}  ${chart.unit}${chart.critical ? '' : ' (not critical)'}${chart.decision ? `  [${chart.decision}]` : ''}`;

  const judged = Math.min(options.judgedThroughMinute, chart.points.length);
  const markerColumn = judged > 0 ? judged * width - 1 : 0;
  const decided = options.decidedAtMinute !== undefined ? `, reported at minute ${options.decidedAtMinute}` : '';
  const judgedText = judged > 0 ? `verdict on minutes 0–${judged - 1}${decided}` : `no complete period judged${decided}`;
  const marker = `${'▔'.repeat(markerColumn)}▲ ${judgedText}`;

  return [
    `${title}   scale 0 – ${formatChartValue(chart, max)}`,
    `  canary   ${sparkline(canary, max, width)}`,
    `  baseline ${sparkline(baseline, max, width)}`,
    `           ${marker}`,
  ];
}
