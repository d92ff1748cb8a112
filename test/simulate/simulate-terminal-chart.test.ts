import { formatChartValue, renderTerminalChart } from '../../lib/simulate/terminal-chart';
import type { MetricChart } from '../../lib/simulate/scenario-run';

const chart: MetricChart = {
  metric: 'lambda-error-rate',
  kind: 'count',
  unit: 'errors per request',
  critical: true,
  decision: 'fail',
  points: [
    { minute: 0, canary: 0, baseline: 0.01 },
    { minute: 1, canary: 0.04, baseline: 0.01 },
    { minute: 2, baseline: 0.02 },
    { minute: 3, canary: 0.02 },
  ],
};

describe('renderTerminalChart', () => {
  const lines = renderTerminalChart(chart, { judgedThroughMinute: 2, decidedAtMinute: 4 });

  test('titles the metric with its unit, decision and shared scale', () => {
    expect(lines[0]).toBe('lambda-error-rate  errors per request  [fail]   scale 0 – 4%');
  });

  test('draws both arms on one scale, a blank where a minute had no traffic', () => {
    // 4 minutes fill the 48-column target at the widest 4 columns per minute.
    expect(lines[1]).toBe(`  canary   ${'▁'.repeat(4)}${'█'.repeat(4)}${' '.repeat(4)}${'▅'.repeat(4)}`);
    expect(lines[2]).toBe(`  baseline ${'▃'.repeat(4)}${'▃'.repeat(4)}${'▅'.repeat(4)}${' '.repeat(4)}`);
  });

  test('marks the last judged minute and says when the verdict was reported', () => {
    expect(lines[3]).toBe(`           ${'▔'.repeat(7)}▲ verdict on minutes 0–1, reported at minute 4`);
  });

  test('says so when no period was judged', () => {
    expect(renderTerminalChart(chart, { judgedThroughMinute: 0 })[3].trim()).toBe('▲ no complete period judged');
  });
});

describe('formatChartValue', () => {
  test('shows rates as percentages and durations in ms', () => {
    expect(formatChartValue({ kind: 'count', unit: 'errors per request' }, 0.0123)).toBe('1.23%');
    expect(formatChartValue({ kind: 'gauge', unit: 'ms (p99)' }, 1234.5)).toBe('1235 ms');
  });
});
