import { formatClock, formatPercent, formatValue } from './format';
import type { ChartGuides } from './guides';
import type { MetricChart } from './model';

export { formatValue as formatChartValue };

/** Eight heights of a unicode sparkline; a minute without traffic is a blank. */
const BLOCKS = ['▁', '▂', '▃', '▄', '▅', '▆', '▇', '█'];
/** Total width the minutes of a chart should roughly fill. */
const TARGET_WIDTH = 48;

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
  /** Minute CodeDeploy acted on the verdict (the hook report, or the canary watch's stop). */
  readonly decidedAtMinute?: number;
  /** Wall-clock time of minute 0, to say when CodeDeploy acted. */
  readonly startTime?: string;
  /** The verdict's interval and the tolerance, on the metric's scale. */
  readonly guides?: ChartGuides;
}

/**
 * Canary vs baseline of one metric, minute by minute, as two sparklines on one scale with a marker
 * at the minute CodeDeploy acted, and the verdict's interval against the tolerance:
 *
 *   ✗ lambda-error-rate  errors per request  [fail]                 scale 0 – 6.8%
 *     canary   ▄▄██▂▂▅▅▃▃
 *     baseline ▂▂▂▂▁▁▂▂▂▂
 *              ▔▔▔▔▔▔▔▔▲ CodeDeploy acted at minute 4 (14:04 UTC); verdict on minutes 0–2
 *     canary 99% interval 1.2%–6.3% vs tolerance 1.5% (×1.5 the baseline's 1%)
 */
export function renderTerminalChart(chart: MetricChart, options: TerminalChartOptions): string[] {
  const canary = chart.points.map((point) => point.canary);
  const baseline = chart.points.map((point) => point.baseline);
  const max = Math.max(0, ...[...canary, ...baseline].filter((value): value is number => value !== undefined));
  const width = Math.max(1, Math.min(4, Math.floor(TARGET_WIDTH / Math.max(1, chart.points.length))));
  const failing = chart.decision === 'fail';
  const title = `${failing ? '✗ ' : ''}${chart.metric}  ${chart.unit}${chart.critical ? '' : ' (not critical)'}${chart.decision ? `  [${chart.decision}]` : ''}`;

  const judged = Math.min(options.judgedThroughMinute, chart.points.length);
  const judgedText = judged > 0 ? `verdict on minutes 0–${judged - 1}` : 'no complete period judged';
  let marker: string;
  if (options.decidedAtMinute !== undefined) {
    const column = Math.max(0, Math.min(options.decidedAtMinute, chart.points.length) * width - 1);
    const clock = options.startTime ? ` (${formatClock(new Date(Date.parse(options.startTime) + options.decidedAtMinute * 60_000))})` : '';
    marker = `${'▔'.repeat(column)}▲ CodeDeploy acted at minute ${options.decidedAtMinute}${clock}; ${judgedText}`;
  } else {
    marker = `${'▔'.repeat(judged > 0 ? judged * width - 1 : 0)}▲ ${judgedText}`;
  }

  const lines = [`${title}   scale 0 – ${formatValue(chart, max)}`, `  canary   ${sparkline(canary, max, width)}`, `  baseline ${sparkline(baseline, max, width)}`, `           ${marker}`];
  const guides = options.guides;
  if (guides?.band || guides?.tolerance !== undefined) {
    const level = guides.alpha !== undefined ? `${formatPercent(1 - guides.alpha)} ` : '';
    const band = guides.band ? `canary ${level}interval ${formatValue(chart, guides.band[0])}–${guides.band[1] === null ? '∞' : formatValue(chart, guides.band[1])}` : 'no interval';
    const tolerance =
      guides.tolerance !== undefined && guides.baselineLevel !== undefined
        ? ` vs tolerance ${formatValue(chart, guides.tolerance)} (×${guides.toleranceRatio} the baseline's ${formatValue(chart, guides.baselineLevel)})`
        : '';
    lines.push(`  ${band}${tolerance}`);
  }
  return lines;
}
