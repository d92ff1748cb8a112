import type { MetricResult } from '../judge';
import type { LogSignalVerdict } from '../judge/verdict';
import { axisUnit, formatClock, formatNumber, formatPercent, formatValue } from './format';
import { chartGuides, orderCharts, type ChartGuides } from './guides';
import type { EvaluationReport, MetricChart } from './model';
import { contextLines, explainMetric, logSignalLines, plainRunReason, verdictLines, PUBLISHED_SPEND_HEADING, publishedSpendSentences, toleranceRatioFor } from './text-report';

/**
 * A single self-contained HTML file (inline CSS and SVG, no scripts, no external resources) with, per
 * evaluation (simulated or real): what CodeDeploy did, an SVG chart per metric of canary vs baseline
 * per minute (failing metrics first) with the verdict's interval as a band, the tolerance line and a
 * marker at the minute CodeDeploy acted, the policy, traffic split and smoke tests, the verdict
 * timeline in clock times and the explained verdict.
 */

const CHART = { width: 640, height: 240, right: 16, top: 30, bottom: 38 } as const;
/** Width of one character of the 11 px axis font, generous (digits and `%` are ~6.1 px in system-ui). */
const CHAR_WIDTH = 7;
const COLOURS = { canary: '#d9480f', baseline: '#1c7ed6', decision: '#495057', band: '#d9480f', tolerance: '#862e9c' } as const;

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

export interface SvgChartContext {
  readonly decision: EvaluationReport['decision'];
  readonly startTime?: string;
  readonly outcome?: EvaluationReport['outcome'];
  readonly guides?: ChartGuides;
}

/** One metric's chart: canary and baseline lines, the interval band, the tolerance line, the decision marker. */
export function renderSvgChart(chart: MetricChart, context: SvgChartContext): string {
  const { decision, guides = {} } = context;
  const minutes = Math.max(1, chart.points.length);
  const values = chart.points.flatMap((point) => [point.canary, point.baseline]).filter((value): value is number => value !== undefined);
  const dataMax = Math.max(...values, 0);
  // The band's upper end can be far above the data (few events): cap it so the lines stay readable.
  const cap = dataMax > 0 ? dataMax * 3 : Number.POSITIVE_INFINITY;
  const guideValues = [guides.tolerance, guides.band?.[0], guides.band?.[1] ?? undefined].filter((v): v is number => v !== undefined && Number.isFinite(v)).map((v) => Math.min(v, cap));
  const top = Math.max(dataMax, ...guideValues);
  const max = top * 1.1 || 1;
  const tickValues = [0, 0.5, 1].map((fraction) => (max / 1.1) * fraction);
  const tickLabels = tickValues.map((value) => formatValue(chart, value));
  // The left margin fits the longest tick label: no label is clipped by the SVG's edge.
  const left = 14 + CHAR_WIDTH * Math.max(...tickLabels.map((label) => label.length));
  const plotWidth = CHART.width - left - CHART.right;
  const plotHeight = CHART.height - CHART.top - CHART.bottom;
  // Minute m is drawn at the middle of its slot [m, m + 1).
  const xAt = (position: number) => left + (position / minutes) * plotWidth;
  const x = (minute: number) => xAt(minute + 0.5);
  const y = (value: number) => CHART.top + plotHeight - (Math.min(value, max) / max) * plotHeight;
  const bottom = CHART.top + plotHeight;

  const yTicks = tickValues.map(
    (value, index) =>
      `<line x1="${left}" x2="${left + plotWidth}" y1="${round(y(value))}" y2="${round(y(value))}" class="grid"/><text x="${left - 6}" y="${round(y(value)) + 4}" text-anchor="end" class="tick">${escapeHtml(tickLabels[index])}</text>`,
  );
  const step = minutes > 40 ? 10 : minutes > 20 ? 5 : minutes > 10 ? 2 : 1;
  const xTicks = Array.from({ length: Math.floor((minutes - 1) / step) + 1 }, (_, index) => index * step).map(
    (minute) => `<text x="${round(x(minute))}" y="${bottom + 15}" text-anchor="middle" class="tick">${minute}</text>`,
  );
  const judged = Math.min(decision.judgedThroughMinute, minutes);
  const band =
    guides.band && judged > 0
      ? `<rect x="${left}" width="${round(xAt(judged) - left)}" y="${round(y(guides.band[1] === null ? max : guides.band[1]))}" height="${round(Math.max(1, y(guides.band[0]) - y(guides.band[1] === null ? max : guides.band[1])))}" class="band"><title>${escapeHtml(`canary's ${guides.alpha !== undefined ? `${formatPercent(1 - guides.alpha)} ` : ''}interval over the judged window: ${formatValue(chart, guides.band[0])} to ${guides.band[1] === null ? 'unbounded' : formatValue(chart, guides.band[1])}`)}</title></rect>`
      : '';
  // The marker stands where CodeDeploy acted (the report or the watch's stop), not at the last judged period.
  const markAt = decision.decidedAtMinute !== undefined ? Math.min(decision.decidedAtMinute, minutes) : judged;
  const markerX = round(xAt(markAt));
  // The tolerance label sits at the end of its line away from the marker's label, so the two never overlap.
  const toleranceLabelLeft = markerX > left + plotWidth / 2;
  const tolerance =
    guides.tolerance !== undefined
      ? `<line x1="${left}" x2="${left + plotWidth}" y1="${round(y(guides.tolerance))}" y2="${round(y(guides.tolerance))}" class="tolerance"><title>${escapeHtml(`tolerance: ×${guides.toleranceRatio} the baseline's ${formatValue(chart, guides.baselineLevel ?? 0)} = ${formatValue(chart, guides.tolerance)}`)}</title></line><text x="${toleranceLabelLeft ? left + 4 : left + plotWidth - 4}" y="${round(y(guides.tolerance)) - 4}" text-anchor="${toleranceLabelLeft ? 'start' : 'end'}" class="tolerance-label">tolerance ×${formatNumber(guides.toleranceRatio ?? 0)}</text>`
      : '';

  const action = context.outcome?.action === 'rolled-back' ? 'rolled back' : context.outcome?.action === 'promoted' ? 'promoted' : context.outcome?.action === 'inconclusive' ? 'promoted without a verdict' : 'verdict';
  const clock = context.startTime && decision.decidedAtMinute !== undefined ? ` ${formatClock(new Date(Date.parse(context.startTime) + decision.decidedAtMinute * 60_000)).replace(' UTC', '')}` : '';
  const markerText = `${action}${clock}`;
  const markerTitle = decision.decidedAtMinute !== undefined ? `CodeDeploy acted at minute ${decision.decidedAtMinute}; the verdict judged minutes 0–${Math.max(0, judged - 1)}` : `verdict on minutes 0–${Math.max(0, judged - 1)}`;
  // Label on the side with room: right of the marker in the first half, left of it in the second.
  const labelOnRight = markerX < left + plotWidth / 2;
  const showMarker = markAt > 0 || decision.decidedAtMinute !== undefined;

  const canaryPath = linePath(chart.points.map((point) => point.canary), x, y);
  const baselinePath = linePath(chart.points.map((point) => point.baseline), x, y);
  const title = `${chart.metric}: ${chart.unit}, canary vs baseline per minute`;
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" class="chart" width="${CHART.width}" height="${CHART.height}" viewBox="0 0 ${CHART.width} ${CHART.height}" role="img" aria-label="${escapeHtml(title)}" data-metric="${escapeHtml(chart.metric)}">`,
    `<title>${escapeHtml(title)}</title>`,
    `<text x="4" y="14" text-anchor="start" class="axis-unit">${escapeHtml(axisUnit(chart))}</text>`,
    band,
    ...yTicks,
    `<line x1="${left}" x2="${left + plotWidth}" y1="${bottom}" y2="${bottom}" class="axis"/>`,
    ...xTicks,
    `<text x="${left + plotWidth / 2}" y="${CHART.height - 4}" text-anchor="middle" class="axis-title">minute of the evaluation</text>`,
    tolerance,
    showMarker ? `<line x1="${markerX}" x2="${markerX}" y1="${CHART.top - 4}" y2="${bottom}" class="decision"><title>${escapeHtml(markerTitle)}</title></line>` : '',
    showMarker ? `<text x="${labelOnRight ? markerX + 4 : markerX - 4}" y="${CHART.top + 8}" text-anchor="${labelOnRight ? 'start' : 'end'}" class="decision-label">${escapeHtml(markerText)}</text>` : '',
    baselinePath ? `<path d="${baselinePath}" class="line baseline"/>` : '',
    canaryPath ? `<path d="${canaryPath}" class="line canary"/>` : '',
    '</svg>',
  ]
    .filter(Boolean)
    .join('\n');
}

function outcomeClass(report: EvaluationReport): string {
  const classes: Record<EvaluationReport['outcome']['action'], string> = { promoted: 'promoted', inconclusive: 'inconclusive', 'rolled-back': 'rolled-back', running: 'running', unwatched: 'broken', 'no-report': 'broken' };
  return classes[report.outcome.action];
}

function renderVerdict(report: EvaluationReport, results: readonly MetricResult[]): string {
  const failingFirst = [...results].sort((a, b) => Number(b.decision === 'fail') - Number(a.decision === 'fail'));
  const items = failingFirst.map((result) => {
    const [headline, ...details] = explainMetric(result, toleranceRatioFor(report, result.metric)).map((line) => line.trim());
    return `<li class="metric ${escapeHtml(result.decision)}"><strong>${escapeHtml(headline)}</strong>${details.map((line) => `<br>${escapeHtml(line)}`).join('')}</li>`;
  });
  return `<ul class="verdict">${items.join('\n')}</ul>`;
}

/** The log signal (issue 26): the signature and its sample lines are the service's own text, escaped like every other string. */
function renderLogSignal(logs: LogSignalVerdict | undefined): string {
  if (!logs) return '';
  const [headline, ...details] = logSignalLines(logs);
  const samples = details.filter((line) => line.startsWith('sample: ')).map((line) => `<pre class="log-sample">${escapeHtml(line.slice('sample: '.length))}</pre>`);
  const other = details.filter((line) => !line.startsWith('sample: ')).map((line) => `<br>${escapeHtml(line)}`);
  return `<h3>Logs</h3>\n<ul class="verdict"><li class="metric ${escapeHtml(logs.decision)}"><strong>${escapeHtml(headline)}</strong>${other.join('')}${samples.join('')}</li></ul>`;
}

function renderSmokeTests(report: EvaluationReport): string {
  if (!report.smokeTests || report.smokeTests.length === 0) return '';
  const rows = report.smokeTests.flatMap((run) =>
    run.results && run.results.length > 0
      ? run.results.map(
          (result) =>
            `<tr class="${result.passed ? 'pass' : 'fail'}"><td>${escapeHtml(run.phase)}</td><td>${escapeHtml(result.name)}</td><td>${result.passed ? 'passed' : 'failed'}</td><td>${formatNumber(result.latencyMs)} ms</td><td>${escapeHtml(result.reason ?? '')}</td></tr>`,
        )
      : [`<tr class="${run.summary.passed ? 'pass' : 'fail'}"><td>${escapeHtml(run.phase)}</td><td>${run.summary.ran} test(s)</td><td>${run.summary.passed ? 'passed' : `${run.summary.failed} failed`}</td><td></td><td>${escapeHtml(run.summary.reason)}</td></tr>`],
  );
  return `<h3>Smoke tests</h3>
<div class="table-scroll"><table class="smoke"><thead><tr><th>phase</th><th>test</th><th>status</th><th>latency</th><th>failed assertion</th></tr></thead><tbody>
${rows.join('\n')}
</tbody></table></div>`;
}

function renderEvaluation(report: EvaluationReport): string {
  const rows = report.timeline.map(
    (entry) =>
      `<tr class="${escapeHtml(entry.decision)}"><td>${entry.minute}</td><td class="nowrap">${escapeHtml(formatClock(entry.at))}</td><td>${escapeHtml(entry.decision)}</td><td>${entry.periodsJudged}</td><td>${escapeHtml(plainRunReason(report, entry.reason, report.finalVerdict))}</td></tr>`,
  );
  const charts = orderCharts(report.charts).map((chart) => {
    const failing = chart.decision === 'fail';
    const svg = renderSvgChart(chart, { decision: report.decision, startTime: report.startTime, outcome: report.outcome, guides: chartGuides(report, chart) });
    return `<figure class="${failing ? 'failing' : 'metric-chart'}">${svg}<figcaption>${failing ? '<b>✗ failing:</b> ' : ''}${escapeHtml(chart.metric)} — ${escapeHtml(chart.unit)}${chart.critical ? '' : ' (not critical)'}${chart.decision ? `: <b>${escapeHtml(chart.decision)}</b>` : ''}</figcaption></figure>`;
  });
  const acted = report.outcome.minute !== undefined ? formatClock(new Date(Date.parse(report.startTime) + report.outcome.minute * 60_000), true) : undefined;
  const context = [
    `<li>Started ${escapeHtml(formatClock(report.startTime, true))}${acted ? `; CodeDeploy acted ${escapeHtml(acted)} (minute ${report.outcome.minute})` : ''}${report.source === 'simulation' ? ' (virtual time)' : ''}</li>`,
    ...contextLines(report)
      .filter((line) => !line.startsWith('Smoke tests') && !line.startsWith('  '))
      .map((line) => `<li>${escapeHtml(line)}</li>`),
    ...(report.links ?? []).map((link) => `<li><a href="${escapeHtml(link.href)}">${escapeHtml(link.label)}</a></li>`),
  ];
  const what = report.source === 'simulation' ? 'What CodeDeploy would have done' : 'What CodeDeploy did';
  return `<section class="evaluation" id="${escapeHtml(report.id)}">
<h2>${escapeHtml(report.title)}${report.subtitle ? ` <small>${escapeHtml(report.subtitle)}</small>` : ''}</h2>
${report.description ? `<p>${escapeHtml(report.description)}</p>` : ''}
<p class="outcome ${outcomeClass(report)}">${what}: ${escapeHtml(report.outcome.summary)}</p>
<ul class="context">${context.join('\n')}</ul>
${renderSmokeTests(report)}
<h3>Canary vs baseline per minute</h3>
<p class="legend"><span class="swatch canary"></span> canary (new version) <span class="swatch baseline"></span> baseline (current version) <span class="swatch band"></span> canary's interval (verdict) <span class="swatch tolerance"></span> tolerance <span class="swatch decision"></span> when CodeDeploy acted</p>
${report.chartError ? `<p>No charts: ${escapeHtml(report.chartError)}</p>` : ''}<div class="charts">${charts.join('\n')}</div>
<h3>Verdict timeline</h3>
<div class="table-scroll"><table><thead><tr><th>minute</th><th>time</th><th>decision</th><th>periods judged</th><th>reason</th></tr></thead><tbody>
${rows.join('\n')}
</tbody></table></div>
<h3>Final verdict${report.finalVerdict ? `: ${escapeHtml(report.finalVerdict.decision)}` : ''}</h3>
${report.finalVerdict ? `<p>${escapeHtml(verdictLines(report.finalVerdict, { policyAlpha: report.policy?.alpha })[0].replace(/^Final verdict: [a-z]+ — /, ''))}</p>${renderVerdict(report, report.finalVerdict.metrics)}${renderLogSignal(report.finalVerdict.logs)}` : '<p>No verdict: the evaluation never judged.</p>'}
${renderPublishedSpend(report)}
</section>`;
}

function renderPublishedSpend(report: EvaluationReport): string {
  const sentences = publishedSpendSentences(report);
  if (sentences.length === 0) return '';
  return `<h3>${escapeHtml(PUBLISHED_SPEND_HEADING)}</h3>\n<ul>${sentences.map((sentence) => `<li>${escapeHtml(sentence)}</li>`).join('')}</ul>`;
}

const STYLE = `
body { font: 15px/1.45 system-ui, sans-serif; margin: 2rem auto; max-width: 1360px; padding: 0 1rem; color: #212529; overflow-wrap: break-word; }
h1 { margin-bottom: .2rem; } h2 small { color: #868e96; font-weight: normal; font-size: .6em; }
section.evaluation { border-top: 2px solid #dee2e6; margin-top: 2rem; }
.outcome { padding: .5rem .8rem; border-radius: 4px; font-weight: 600; }
.outcome.promoted { background: #ebfbee; color: #2b8a3e; } .outcome.rolled-back { background: #fff5f5; color: #c92a2a; } .outcome.broken { background: #fff9db; color: #e67700; } .outcome.running { background: #e7f5ff; color: #1864ab; } .outcome.inconclusive { background: #fff9db; color: #a35f00; }
ul.context { padding-left: 1.2rem; color: #495057; }
.charts { display: flex; flex-wrap: wrap; gap: 1rem; } figure { margin: 0; padding: 4px; border: 2px solid transparent; border-radius: 4px; max-width: 100%; }
figure.failing { border-color: #c92a2a; background: #fff5f5; } figcaption { font-size: .85em; color: #495057; max-width: 640px; }
svg.chart { max-width: 100%; height: auto; } svg.chart text { font-size: 11px; fill: #495057; } .grid { stroke: #e9ecef; } .axis { stroke: #adb5bd; }
.line { fill: none; stroke-width: 2; } .line.canary { stroke: ${COLOURS.canary}; } .line.baseline { stroke: ${COLOURS.baseline}; }
.band { fill: ${COLOURS.band}; fill-opacity: .12; } .tolerance { stroke: ${COLOURS.tolerance}; stroke-dasharray: 6 3; stroke-width: 1.2; } svg.chart text.tolerance-label { fill: ${COLOURS.tolerance}; }
.decision { stroke: ${COLOURS.decision}; stroke-dasharray: 4 3; stroke-width: 1.5; } svg.chart text.decision-label { fill: ${COLOURS.decision}; font-weight: 600; }
.swatch { display: inline-block; width: 1.2em; height: .3em; vertical-align: middle; margin-left: .8em; }
.swatch.canary { background: ${COLOURS.canary}; } .swatch.baseline { background: ${COLOURS.baseline}; } .swatch.decision { background: ${COLOURS.decision}; }
.swatch.band { background: ${COLOURS.band}; opacity: .25; height: .8em; } .swatch.tolerance { background: ${COLOURS.tolerance}; }
.table-scroll { max-width: 100%; overflow-x: auto; } table { border-collapse: collapse; font-size: .9em; } td.nowrap { white-space: nowrap; } .log-sample { white-space: pre-wrap; overflow-wrap: anywhere; } td, th { padding: .15rem .6rem; border-bottom: 1px solid #e9ecef; text-align: left; vertical-align: top; }
tr.fail td { color: #c92a2a; font-weight: 600; } tr.pass td { color: #2b8a3e; font-weight: 600; }
ul.verdict { list-style: none; padding: 0; } li.metric { margin: .4rem 0; padding-left: .6rem; border-left: 4px solid #adb5bd; }
li.metric.fail { border-color: #c92a2a; } li.metric.pass { border-color: #2b8a3e; }
`;

export interface HtmlReportOptions {
  /** @default "canary-evaluator: simulated deployments" */
  readonly title?: string;
  /** A paragraph under the title. */
  readonly intro?: string;
}

const SIMULATION_INTRO = `Each scenario ran through the evaluation state machine <code>cdk deploy</code> would deploy, with the real
hook, prepare, evaluate and report handlers; only CloudWatch, CodeDeploy and time were simulated. Scenarios are seeded:
the same scenario gives the same result on every machine.`;

/** The whole report. Deterministic: the same evaluations give the same bytes. */
export function renderHtmlReport(reports: readonly EvaluationReport[], options: HtmlReportOptions = {}): string {
  const title = options.title ?? 'canary-evaluator: simulated deployments';
  const intro = options.intro !== undefined ? escapeHtml(options.intro) : SIMULATION_INTRO;
  const summary = reports.map((report) => `<li><a href="#${escapeHtml(report.id)}">${escapeHtml(report.title)}</a>: <span class="${outcomeClass(report)}">${escapeHtml(report.outcome.summary)}</span></li>`);
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>
<style>${STYLE}</style>
</head>
<body>
<h1>${escapeHtml(title)}</h1>
<p>${intro}</p>
<ul>${summary.join('\n')}</ul>
${reports.map(renderEvaluation).join('\n')}
</body>
</html>
`;
}
