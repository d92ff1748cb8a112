import { formatNumber, formatPercent } from '../judge/format';
import type { ArmSummary, MetricResult } from '../judge';
import type { ScenarioRun, TimelineEntry } from './scenario-run';
import { renderTerminalChart } from './terminal-chart';

/** The terminal report of simulated deployments: timeline, charts, explained verdict, CodeDeploy's action. */

const DECISION_MARK: Record<string, string> = { pass: '✓', fail: '✗', continue: '…', nodata: '∅' };

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

const range = (from: number, to: number) => (from === to ? String(from) : `${from}–${to}`);

function timelineRows(timeline: readonly TimelineEntry[]): string[] {
  const rows = groupTimeline(timeline).map(({ first, last }) => {
    const minutes = range(first.minute, last.minute).padStart(6);
    const periods = range(first.periodsJudged, last.periodsJudged).padStart(7);
    return `  ${minutes}  ${first.decision.padEnd(8)} ${periods}  ${first.reason}`;
  });
  return ['  minute  decision periods  reason', ...rows];
}

/** An interval end; the judge writes `null` for an end beyond what its method resolves. */
function formatBound(value: number | null, unbounded: string): string {
  return value === null ? unbounded : formatNumber(value);
}

function describeArm(arm: ArmSummary, kind: 'count' | 'gauge'): string {
  // Cost metrics (judge `cost` method) summarise requests and spend instead of counts.
  const cost = arm as ArmSummary & { requests?: number; costPerRequest?: number };
  if (cost.costPerRequest !== undefined) return `$${formatNumber(cost.costPerRequest)} per request over ${formatNumber(cost.requests ?? 0)} requests`;
  if (kind === 'count' && arm.count !== undefined && arm.total !== undefined) {
    const rate = arm.total > 0 ? ` (${formatPercent(arm.count / arm.total)})` : '';
    return `${formatNumber(arm.count)} of ${formatNumber(arm.total)}${rate}`;
  }
  return arm.median !== undefined ? `median ${formatNumber(arm.median)}` : 'no data';
}

/** Two lines per metric: the decision and reason, then the evidence behind it. */
export function explainMetric(result: MetricResult): string[] {
  const kind = result.canary.count !== undefined ? 'count' : 'gauge';
  const evidence = [
    `canary ${describeArm(result.canary, kind)} vs baseline ${describeArm(result.baseline, kind)} over ${result.canary.periods}/${result.baseline.periods} period(s)`,
  ];
  if (result.effect !== undefined) {
    const interval = result.interval ? ` [${formatBound(result.interval[0], '0')}, ${formatBound(result.interval[1], '∞')}]` : '';
    evidence.push(`effect ×${formatNumber(result.effect)}${interval}`);
  }
  if (result.evidence?.eValue !== undefined) evidence.push(`e-value ${formatNumber(result.evidence.eValue)}`);
  if (result.evidence?.pValue !== undefined) evidence.push(`p ${formatNumber(result.evidence.pValue)}`);
  const critical = result.critical ? '' : ' (not critical)';
  return [
    `  ${DECISION_MARK[result.decision] ?? '?'} ${result.metric}${critical}: ${result.decision} by ${result.method}`,
    `      ${result.reason}`,
    `      ${evidence.join('; ')}`,
  ];
}

/** The full terminal section of one scenario. */
export function renderScenarioText(run: ScenarioRun): string {
  const { scenario } = run;
  const lines = [`━━ ${scenario.name} (seed ${scenario.seed}) ━━ ${scenario.description}`, '', 'Verdict timeline (virtual minutes since the deployment started):', ...timelineRows(run.timeline), ''];

  lines.push('Canary vs baseline per minute:');
  if (run.chartError) lines.push(`  (no charts: ${run.chartError})`);
  for (const chart of run.charts) {
    lines.push(...renderTerminalChart(chart, run.decision).map((line) => `  ${line}`));
  }
  lines.push('');

  if (run.finalVerdict) {
    // The judge states how often this policy can fail a good release, when its methods bound it.
    const { falseAlarmBound } = run.finalVerdict as { falseAlarmBound?: number };
    const bound = falseAlarmBound !== undefined ? ` (chance of failing a good release ≤ ${formatPercent(falseAlarmBound)})` : '';
    const label = run.execution.status === 'FAILED' ? 'Last verdict before the evaluation failed' : 'Final verdict';
    lines.push(`${label}: ${run.finalVerdict.decision} — ${run.finalVerdict.reason}${bound}`);
    for (const result of run.finalVerdict.metrics) lines.push(...explainMetric(result));
    lines.push('');
  }
  const mark = run.outcome.action === 'promoted' ? '✓' : run.outcome.action === 'rolled-back' ? '✗' : '!';
  lines.push(`What CodeDeploy would have done: ${mark} ${run.outcome.summary}`);
  if (run.execution.status === 'FAILED') lines.push(`  (the state machine execution failed: ${run.execution.error ?? 'unknown error'})`);
  return lines.join('\n');
}

/** One line per scenario, and why the results can be trusted. */
export function renderSummaryText(runs: readonly ScenarioRun[]): string {
  const width = Math.max(...runs.map((run) => run.scenario.name.length));
  return [
    '━━ Summary ━━',
    ...runs.map((run) => `  ${run.scenario.name.padEnd(width)}  ${run.outcome.summary}`),
    '',
    'These runs used the state machine `cdk deploy` would deploy (synthesized from the construct) and the real',
    'hook, prepare, smoke-test, report and canary-watch handlers; only CloudWatch, CodeDeploy and time were',
    'simulated. The judge keeps the chance of failing a good release under the policy alpha however often it',
    'looks (docs/judge.md, docs/benchmark.md). Each scenario is seeded: the same timeline on every machine.',
  ].join('\n');
}
