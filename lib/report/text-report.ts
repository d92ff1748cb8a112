import { describeInconclusive, falseAlarmWords, metricDetails, metricHeadline, plainReason, spendBreakdown, verdictSummary, type MetricResult, type Verdict } from '../judge';
import type { LogSignalVerdict } from '../judge/verdict';
import { formatClock, formatNumber, formatRatio, formatValue } from './format';
import { chartGuides, orderCharts } from './guides';
import { publishedSpend, type EvaluationReport, type TimelineEntry } from './model';
import { renderTerminalChart } from './terminal-chart';
import { terminalSafe } from './terminal-text';

/** The terminal report of evaluations (simulated or real): timeline, charts, explained verdict, CodeDeploy's action. */

const DECISION_MARK: Record<string, string> = { pass: '✓', fail: '✗', continue: '…', nodata: '∅', inconclusive: '?' };

/** Consecutive looks with the same decision and reason, shown as one row. */
interface TimelineRun {
  readonly first: TimelineEntry;
  readonly last: TimelineEntry;
}

function groupTimeline(timeline: readonly TimelineEntry[]): TimelineRun[] {
  const runs: TimelineRun[] = [];
  for (const entry of timeline) {
    const current = runs.at(-1);
    if (current && current.last.decision === entry.decision && current.last.reason === entry.reason) {
      runs[runs.length - 1] = { first: current.first, last: entry };
    } else {
      runs.push({ first: entry, last: entry });
    }
  }
  return runs;
}

const range = (from: string | number, to: string | number) => (from === to ? String(from) : `${from}–${to}`);

/** A run-level reason with each metric's own reason replaced by its plain words (the verdict keeps the originals for --json). */
export function plainRunReason(report: EvaluationReport, reason: string, verdict: { readonly metrics: readonly MetricResult[] } | undefined): string {
  let plain = reason;
  for (const result of verdict?.metrics ?? []) {
    if (result.reason && plain.includes(result.reason)) plain = plain.split(result.reason).join(plainReason(result, toleranceRatioFor(report, result.metric)));
  }
  return plain;
}

function timelineRows(report: EvaluationReport, timeline: readonly TimelineEntry[], verdict?: { readonly metrics: readonly MetricResult[] }): string[] {
  const groups = groupTimeline(timeline);
  // As wide as the longest decision shown ("inconclusive" is wider than the heading), so the columns line up.
  const decisionWidth = Math.max('decision'.length, ...groups.map(({ first }) => first.decision.length));
  const rows = groups.map(({ first, last }) => {
    const minutes = range(first.minute, last.minute).padStart(6);
    const clock = range(formatClock(first.at).slice(0, 5), formatClock(last.at).slice(0, 5)).padEnd(11);
    const periods = range(first.periodsJudged, last.periodsJudged).padStart(7);
    return `  ${minutes}  ${clock}  ${first.decision.padEnd(decisionWidth)} ${periods}  ${plainRunReason(report, first.reason, verdict)}`;
  });
  return [`  minute  time (UTC)   ${'decision'.padEnd(decisionWidth)} periods  reason`, ...rows];
}

/**
 * A metric in words, the same in every view: a mark and what happened in units with the outcome
 * (`metricHeadline`), then the statistics behind it (`metricDetails`), and for a metric the deadline left
 * undecided, what would have decided it. `toleranceRatio`: what the policy tolerates for this metric.
 */
export function explainMetric(result: MetricResult, toleranceRatio?: number): string[] {
  const critical = result.critical ? '' : ' (not critical)';
  const headline = `  ${DECISION_MARK[result.decision] ?? '?'} ${metricHeadline(result, toleranceRatio)}${critical}`;
  const why = result.decision === 'inconclusive' ? [`      what would have decided: ${describeInconclusive(result)}`] : [];
  const spend = spendBreakdown(result);
  return [headline, ...why, `      details: ${metricDetails(result, toleranceRatio)}`, ...(spend ? [`      ${spend}`] : [])];
}

/**
 * A verdict's block: its one-line summary with the false-alarm bound explained, then each metric, failing
 * first. Used by the simulation's report, `canary-eval judge` and the HTML report's text.
 */
export function verdictLines(verdict: Verdict, options: { readonly label?: string; readonly toleranceOf?: (metric: string) => number | undefined; readonly policyAlpha?: number } = {}): string[] {
  const bound = falseAlarmWords(verdict, options.policyAlpha);
  const lines = [`${options.label ?? 'Final verdict'}: ${verdict.decision} — ${verdictSummary(verdict)}${bound ? ` (${bound})` : ''}`];
  const failingFirst = [...verdict.metrics].sort((a, b) => Number(b.decision === 'fail') - Number(a.decision === 'fail'));
  for (const result of failingFirst) lines.push(...explainMetric(result, options.toleranceOf?.(result.metric)));
  if (verdict.logs) lines.push(...logSignalLines(verdict.logs).map((line, index) => `${index === 0 ? '  ' : '      '}${line}`));
  return lines;
}

/**
 * The log signal's block (issue 26): its decision and reason, the failing new signature and up to 3 of
 * its lines (secrets already masked; each view escapes them for its medium), what Logs Insights scanned.
 */
export function logSignalLines(logs: LogSignalVerdict): string[] {
  const mark = logs.decision === 'fail' ? '✗' : logs.decision === 'pass' ? '✓' : '?';
  return [
    `${mark} logs${logs.critical ? '' : ' (not critical)'}: ${logs.decision} — ${logs.reason}`,
    ...(logs.signature !== undefined ? [`new error signature: ${logs.signature}`] : []),
    ...(logs.samples ?? []).slice(0, 3).map((sample) => `sample: ${sample}`),
    `Logs Insights: ${formatNumber(logs.bytesScanned / 1e6)} MB scanned ($${logs.costUsd.toFixed(4)}), ${logs.queries} queries (at most ${logs.mostQueriesPerLook} per look)`,
  ];
}

/** What the report's policy tolerates for a metric (drawn as the tolerance line, named in the words). */
export function toleranceRatioFor(report: EvaluationReport, metric: string): number | undefined {
  return report.policy?.metrics.find((entry) => entry.name === metric)?.toleranceRatio;
}

/** The policy, the traffic split and the smoke tests: what the verdict was made under. */
export function contextLines(report: EvaluationReport): string[] {
  const lines: string[] = [];
  if (report.policy) {
    const methods = report.policy.metrics.map((m) => `${m.name} ${m.method}${m.toleranceRatio !== undefined ? ` (tolerance ×${m.toleranceRatio})` : ''}${m.critical ? '' : ', not critical'}`);
    const budget = report.policy.budget;
    const budgetWords = budget
      ? `; budget ${budget.daily !== undefined ? `$${formatNumber(budget.daily)} a day` : `$${formatNumber(budget.monthly ?? 0)} a month`} at full traffic (${budget.action === 'fail' ? 'fails when shown over it' : 'warns only'})`
      : '';
    lines.push(`Policy: α ${formatNumber(report.policy.alpha)} (chance of failing a good release); ${methods.join('; ') || 'no metrics'}${budgetWords}`);
  }
  if (report.traffic && report.traffic.length > 0) {
    lines.push(`Traffic on the new version: ${report.traffic.map((step) => `${formatNumber(step.canaryPercent)}% from ${formatClock(step.at)} (minute ${step.minute})`).join(', ')}`);
  }
  for (const run of report.smokeTests ?? []) {
    lines.push(`Smoke tests ${run.phase}: ${run.summary.passed ? '✓' : '✗'} ${run.summary.reason}`);
    for (const result of run.results ?? []) {
      lines.push(`  ${result.passed ? '✓' : '✗'} ${result.name}  ${formatNumber(result.latencyMs)} ms${result.reason ? `  ${result.reason}` : ''}`);
    }
  }
  return lines;
}

/** The full terminal section of one evaluation; every string in the report escaped for the terminal (`terminalSafe`). */
export function renderEvaluationText(unsafe: EvaluationReport): string {
  const report = terminalSafe(unsafe);
  const header = `━━ ${report.title}${report.subtitle ? ` (${report.subtitle})` : ''} ━━${report.description ? ` ${report.description}` : ''}`;
  const timeLabel = report.source === 'simulation' ? 'virtual minutes since the deployment started' : `minutes since ${formatClock(report.startTime, true)}`;
  const lines = [header, ''];
  const context = contextLines(report);
  if (context.length > 0) lines.push(...context, '');
  lines.push(`Verdict timeline (${timeLabel}):`, ...timelineRows(report, report.timeline, report.finalVerdict), '');

  lines.push('Canary vs baseline per minute (failing metrics first):');
  if (report.chartError) lines.push(`  (no charts: ${report.chartError})`);
  for (const chart of orderCharts(report.charts)) {
    lines.push(
      ...renderTerminalChart(chart, { ...report.decision, startTime: report.startTime, guides: chartGuides(report, chart) }).map((line) => `  ${line}`),
    );
  }
  lines.push('');

  if (report.finalVerdict) {
    const label = report.execution.status === 'FAILED' ? 'Last verdict before the evaluation failed' : 'Final verdict';
    lines.push(...verdictLines(report.finalVerdict, { label, toleranceOf: (metric) => toleranceRatioFor(report, metric), policyAlpha: report.policy?.alpha }), '');
  }
  lines.push(...spendLines(report));
  const mark = { promoted: '✓', inconclusive: '?', 'rolled-back': '✗', running: '…', unwatched: '!', 'no-report': '!' }[report.outcome.action];
  lines.push(`${report.source === 'simulation' ? 'What CodeDeploy would have done' : 'What CodeDeploy did'}: ${mark} ${report.outcome.summary}`);
  if (report.execution.status === 'FAILED') lines.push(`  (the state machine execution failed: ${report.execution.error ?? 'unknown error'})`);
  for (const link of report.links ?? []) lines.push(`  ${link.label}: ${link.href}`);
  return lines.join('\n');
}

export const PUBLISHED_SPEND_HEADING = 'Spend per request published (CloudWatch CanaryEvaluator CostPerRequest, by Arm; the dashboard draws it)';

/** What the evaluator published of each cost metric (`CostPerRequest`), one sentence per metric. */
export function publishedSpendSentences(report: Pick<EvaluationReport, 'costPerRequest'>): string[] {
  const usd = (value: number) => formatValue({ kind: 'cost', unit: 'USD per request' }, value);
  return publishedSpend(report.costPerRequest ?? []).map(
    (line) =>
      `${line.metric}: canary ${usd(line.canary.last)} vs baseline ${usd(line.baseline.last)} (${formatRatio(line.canary.last / line.baseline.last)}) at the last of ${line.looks} look(s); the first: ${usd(line.canary.first)} vs ${usd(line.baseline.first)}`,
  );
}

function spendLines(report: EvaluationReport): string[] {
  const sentences = publishedSpendSentences(report);
  return sentences.length === 0 ? [] : [`${PUBLISHED_SPEND_HEADING}:`, ...sentences.map((sentence) => `  ${sentence}`), ''];
}

/** One line per simulated evaluation, and why the results can be trusted. */
export function renderSummaryText(unsafe: readonly EvaluationReport[]): string {
  const reports = terminalSafe(unsafe);
  const width = Math.max(...reports.map((report) => report.title.length));
  return [
    '━━ Summary ━━',
    ...reports.map((report) => `  ${report.title.padEnd(width)}  ${report.outcome.summary}`),
    '',
    // Lines under 80 columns: the paragraph reads whole on a standard terminal, wrapped or not.
    'These runs used the state machine `cdk deploy` would deploy (synthesized from',
    'the construct) and the real hook, prepare, smoke-test, report and canary-watch',
    'handlers; only CloudWatch, CodeDeploy and time were simulated. The judge keeps',
    'the chance of failing a good release under the policy alpha however often it',
    'looks (docs/judge.md, docs/benchmark.md). Each scenario is seeded: the same',
    'timeline on every machine.',
  ].join('\n');
}
