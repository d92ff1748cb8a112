import type { MetricResult } from '../judge';
import type { MetricChart, ScenarioRun } from './scenario-run';
import { formatChartValue } from './terminal-chart';
import { explainMetric } from './text-report';

/**
 * A single self-contained HTML file (inline CSS and SVG, no scripts, no external resources) with,
 * per scenario: what CodeDeploy would have done, an SVG line chart per metric of canary vs
 * baseline per minute with the decision point marked, the verdict timeline and the explained verdict.
 */

const CHART = { width: 640, height: 220, left: 64, right: 16, top: 16, bottom: 36 } as const;
const COLOURS = { canary: '#d9480f', baseline: '#1c7ed6', decision: '#495057' } as const;

export function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

const round = (value: number) => Math.round(value * 10) / 10;

/** An SVG path through the minutes that have a value; a minute without traffic breaks the line. */
function linePath(values: ReadonlyArray<number | undefined>, x: (minute: number) => number, y: (value: number) => number): string {
  let path = '';
  let drawing = false;
  values.forEach((value, minute) => {
    if (value === undefined) {
      drawing = false;
      return;
    }
    path += `${drawing ? 'L' : 'M'}${round(x(minute))},${round(y(value))} `;
    drawing = true;
  });
  return path.trim();
}

/** One metric's chart: canary and baseline lines, axes, and the decision marked. */
export function renderSvgChart(chart: MetricChart, decision: ScenarioRun['decision']): string {
  const minutes = Math.max(1, chart.points.length);
  const values = chart.points.flatMap((point) => [point.canary, point.baseline]).filter((value): value is number => value !== undefined);
  const max = Math.max(...values, 0) * 1.1 || 1;
  const plotWidth = CHART.width - CHART.left - CHART.right;
  const plotHeight = CHART.height - CHART.top - CHART.bottom;
  // Minute m is drawn at the middle of its slot [m, m + 1).
  const xAt = (position: number) => CHART.left + (position / minutes) * plotWidth;
  const x = (minute: number) => xAt(minute + 0.5);
  const y = (value: number) => CHART.top + plotHeight - (value / max) * plotHeight;
  const bottom = CHART.top + plotHeight;

  const yTicks = [0, 0.5, 1].map((fraction) => {
    const value = (max / 1.1) * fraction;
    return `<line x1="${CHART.left}" x2="${CHART.left + plotWidth}" y1="${round(y(value))}" y2="${round(y(value))}" class="grid"/><text x="${CHART.left - 6}" y="${round(y(value)) + 4}" text-anchor="end">${escapeHtml(formatChartValue(chart, value))}</text>`;
  });
  const step = minutes > 20 ? 5 : minutes > 10 ? 2 : 1;
  const xTicks = Array.from({ length: Math.floor((minutes - 1) / step) + 1 }, (_, index) => index * step).map(
    (minute) => `<text x="${round(x(minute))}" y="${bottom + 16}" text-anchor="middle">${minute}</text>`,
  );
  const judged = Math.min(decision.judgedThroughMinute, minutes);
  const decisionX = round(xAt(judged));
  const decisionLabel = decision.decidedAtMinute !== undefined ? `verdict on minutes 0–${judged - 1}, reported at minute ${decision.decidedAtMinute}` : `verdict on minutes 0–${judged - 1}`;

  const canaryPath = linePath(chart.points.map((point) => point.canary), x, y);
  const baselinePath = linePath(chart.points.map((point) => point.baseline), x, y);
  const title = `${chart.metric}: ${chart.unit}, canary vs baseline per minute`;
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" class="chart" width="${CHART.width}" height="${CHART.height}" viewBox="0 0 ${CHART.width} ${CHART.height}" role="img" aria-label="${escapeHtml(title)}" data-metric="${escapeHtml(chart.metric)}">`,
    `<title>${escapeHtml(title)}</title>`,
    ...yTicks,
    `<line x1="${CHART.left}" x2="${CHART.left + plotWidth}" y1="${bottom}" y2="${bottom}" class="axis"/>`,
    ...xTicks,
    `<text x="${CHART.left + plotWidth / 2}" y="${CHART.height - 4}" text-anchor="middle">minute of the deployment</text>`,
    judged > 0 ? `<line x1="${decisionX}" x2="${decisionX}" y1="${CHART.top}" y2="${bottom}" class="decision"><title>${escapeHtml(decisionLabel)}</title></line>` : '',
    judged > 0 ? `<text x="${decisionX - 4}" y="${CHART.top + 10}" text-anchor="end" class="decision-label">verdict ▸</text>` : '',
    baselinePath ? `<path d="${baselinePath}" class="line baseline"/>` : '',
    canaryPath ? `<path d="${canaryPath}" class="line canary"/>` : '',
    '</svg>',
  ]
    .filter(Boolean)
    .join('\n');
}

function outcomeClass(run: ScenarioRun): string {
  return run.outcome.action === 'promoted' ? 'promoted' : run.outcome.action === 'rolled-back' ? 'rolled-back' : 'broken';
}

function renderVerdict(results: readonly MetricResult[]): string {
  const items = results.map((result) => {
    const [headline, ...details] = explainMetric(result).map((line) => line.trim());
    return `<li class="metric ${escapeHtml(result.decision)}"><strong>${escapeHtml(headline)}</strong>${details.map((line) => `<br>${escapeHtml(line)}`).join('')}</li>`;
  });
  return `<ul class="verdict">${items.join('\n')}</ul>`;
}

function renderScenario(run: ScenarioRun): string {
  const rows = run.timeline.map(
    (entry) => `<tr class="${escapeHtml(entry.decision)}"><td>${entry.minute}</td><td>${escapeHtml(entry.decision)}</td><td>${entry.periodsJudged}</td><td>${escapeHtml(entry.reason)}</td></tr>`,
  );
  const charts = run.charts.map(
    (chart) => `<figure>${renderSvgChart(chart, run.decision)}<figcaption>${escapeHtml(chart.metric)} — ${escapeHtml(chart.unit)}${chart.critical ? '' : ' (not critical)'}${chart.decision ? `: <b>${escapeHtml(chart.decision)}</b>` : ''}</figcaption></figure>`,
  );
  return `<section class="scenario" id="${escapeHtml(run.scenario.name)}">
<h2>${escapeHtml(run.scenario.name)} <small>seed ${run.scenario.seed}</small></h2>
<p>${escapeHtml(run.scenario.description)}</p>
<p class="outcome ${outcomeClass(run)}">What CodeDeploy would have done: ${escapeHtml(run.outcome.summary)}</p>
<h3>Canary vs baseline per minute</h3>
<p class="legend"><span class="swatch canary"></span> canary (new version) <span class="swatch baseline"></span> baseline (current version) <span class="swatch decision"></span> decision point</p>
${run.chartError ? `<p>No charts: ${escapeHtml(run.chartError)}</p>` : ''}<div class="charts">${charts.join('\n')}</div>
<h3>Verdict timeline</h3>
<table><thead><tr><th>minute</th><th>decision</th><th>periods judged</th><th>reason</th></tr></thead><tbody>
${rows.join('\n')}
</tbody></table>
<h3>Final verdict${run.finalVerdict ? `: ${escapeHtml(run.finalVerdict.decision)}` : ''}</h3>
${run.finalVerdict ? `<p>${escapeHtml(run.finalVerdict.reason)}</p>${renderVerdict(run.finalVerdict.metrics)}` : '<p>No verdict: the evaluation never judged.</p>'}
</section>`;
}

const STYLE = `
body { font: 15px/1.45 system-ui, sans-serif; margin: 2rem auto; max-width: 1360px; padding: 0 1rem; color: #212529; }
h1 { margin-bottom: .2rem; } h2 small { color: #868e96; font-weight: normal; font-size: .6em; }
section.scenario { border-top: 2px solid #dee2e6; margin-top: 2rem; }
.outcome { padding: .5rem .8rem; border-radius: 4px; font-weight: 600; }
.outcome.promoted { background: #ebfbee; color: #2b8a3e; } .outcome.rolled-back { background: #fff5f5; color: #c92a2a; } .outcome.broken { background: #fff9db; color: #e67700; }
.charts { display: flex; flex-wrap: wrap; gap: 1rem; } figure { margin: 0; } figcaption { font-size: .85em; color: #495057; }
svg.chart text { font-size: 11px; fill: #495057; } .grid { stroke: #e9ecef; } .axis { stroke: #adb5bd; }
.line { fill: none; stroke-width: 2; } .line.canary { stroke: ${COLOURS.canary}; } .line.baseline { stroke: ${COLOURS.baseline}; }
.decision { stroke: ${COLOURS.decision}; stroke-dasharray: 4 3; stroke-width: 1.5; } svg.chart text.decision-label { fill: ${COLOURS.decision}; font-weight: 600; }
.swatch { display: inline-block; width: 1.2em; height: .3em; vertical-align: middle; margin-left: .8em; }
.swatch.canary { background: ${COLOURS.canary}; } .swatch.baseline { background: ${COLOURS.baseline}; } .swatch.decision { background: ${COLOURS.decision}; }
table { border-collapse: collapse; font-size: .9em; } td, th { padding: .15rem .6rem; border-bottom: 1px solid #e9ecef; text-align: left; }
tr.fail td { color: #c92a2a; font-weight: 600; } tr.pass td { color: #2b8a3e; font-weight: 600; }
ul.verdict { list-style: none; padding: 0; } li.metric { margin: .4rem 0; padding-left: .6rem; border-left: 4px solid #adb5bd; }
li.metric.fail { border-color: #c92a2a; } li.metric.pass { border-color: #2b8a3e; }
`;

/** The whole report. Deterministic: the same runs give the same bytes. */
export function renderHtmlReport(runs: readonly ScenarioRun[]): string {
  const summary = runs.map((run) => `<li><a href="#${escapeHtml(run.scenario.name)}">${escapeHtml(run.scenario.name)}</a>: <span class="${outcomeClass(run)}">${escapeHtml(run.outcome.summary)}</span></li>`);
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>canary-evaluator simulation</title>
<style>${STYLE}</style>
</head>
<body>
<h1>canary-evaluator: simulated deployments</h1>
<p>Each scenario ran through the evaluation state machine <code>cdk deploy</code> would deploy, with the real
hook, prepare, evaluate and report handlers; only CloudWatch, CodeDeploy and time were simulated. Scenarios are seeded:
the same scenario gives the same result on every machine.</p>
<ul>${summary.join('\n')}</ul>
${runs.map(renderScenario).join('\n')}
</body>
</html>
`;
}
