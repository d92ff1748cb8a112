import { formatChartValue, renderTerminalChart } from '../../lib/report/terminal-chart';
import { chartGuides, orderCharts } from '../../lib/report/guides';
import type { MetricChart } from '../../lib/report/model';

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
  const lines = renderTerminalChart(chart, { judgedThroughMinute: 2, decidedAtMinute: 3, startTime: '2026-01-06T10:00:00Z' });

  test('titles a failing metric with a mark, its unit, decision and shared scale', () => {
    expect(lines[0]).toBe('✗ lambda-error-rate  errors per request  [fail]   scale 0 – 4%');
  });

  test('draws both arms on one scale, a blank where a minute had no traffic', () => {
    // 4 minutes fill the 48-column target at the widest 4 columns per minute.
    expect(lines[1]).toBe(`  canary   ${'▁'.repeat(4)}${'█'.repeat(4)}${' '.repeat(4)}${'▅'.repeat(4)}`);
    expect(lines[2]).toBe(`  baseline ${'▃'.repeat(4)}${'▃'.repeat(4)}${'▅'.repeat(4)}${' '.repeat(4)}`);
  });

  test('marks the minute CodeDeploy acted, in clock time, and the judged window', () => {
    expect(lines[3]).toBe(`           ${'▔'.repeat(11)}▲ CodeDeploy acted at minute 3 (10:03 UTC); verdict on minutes 0–1`);
  });

  test('says so when no period was judged and CodeDeploy has not acted', () => {
    expect(renderTerminalChart(chart, { judgedThroughMinute: 0 })[3].trim()).toBe('▲ no complete period judged');
  });

  test('states the canary interval against the tolerance on the metric scale', () => {
    const guides = chartGuides(
      {
        policy: { alpha: 0.01, metrics: [{ name: 'lambda-error-rate', kind: 'count', method: 'sequential', critical: true, toleranceRatio: 1.5 }] },
        finalVerdict: {
          decision: 'fail',
          final: true,
          reason: 'r',
          metrics: [
            { metric: 'lambda-error-rate', method: 'sequential', decision: 'fail', critical: true, alpha: 0.01, baseline: { periods: 2, count: 10, total: 1000 }, canary: { periods: 2, count: 30, total: 1000 }, effect: 3, interval: [1.5, null], reason: 'r' },
          ],
        },
      },
      chart,
    );
    expect(guides).toEqual({ baselineLevel: 0.01, band: [0.015, null], tolerance: 0.015, toleranceRatio: 1.5, alpha: 0.01 });
    expect(renderTerminalChart(chart, { judgedThroughMinute: 2, guides })[4]).toBe("  canary 99% interval 1.5%–∞ vs tolerance 1.5% (×1.5 the baseline's 1%)");
  });
});

describe('orderCharts', () => {
  test('puts failing critical metrics first, then failing others, then undecided, then passing', () => {
    const charts = [
      { metric: 'a', critical: true, decision: 'pass' as const },
      { metric: 'b', critical: false, decision: 'fail' as const },
      { metric: 'c', critical: true, decision: 'continue' as const },
      { metric: 'd', critical: true, decision: 'fail' as const },
    ];
    expect(orderCharts(charts).map((c) => c.metric)).toEqual(['d', 'b', 'c', 'a']);
  });
});

describe('formatChartValue', () => {
  test('shows rates as percentages, durations in ms and cost per 1,000 requests', () => {
    expect(formatChartValue({ kind: 'count', unit: 'errors per request' }, 0.0123)).toBe('1.23%');
    expect(formatChartValue({ kind: 'gauge', unit: 'ms (p99)' }, 1234.5)).toBe('1235 ms');
    expect(formatChartValue({ kind: 'cost', unit: 'USD per request' }, 0.0007)).toBe('$0.7/1k');
  });
});
