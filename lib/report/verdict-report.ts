import type { VerdictEvent } from '../evaluation/ports';
import type { Verdict } from '../judge';
import { overrideWords } from '../evaluation/override/record';
import { renderHtmlReport } from './html-report';
import type { DeploymentOutcome, EvaluationReport } from './model';

/**
 * The HTML report the report Lambda stores for one evaluation, from the verdict CodeDeploy accepted: the
 * verdict explained metric by metric and what CodeDeploy did. The per-minute charts need the metric
 * series, which the verdict does not carry: `canary-eval report <deployment>` draws them from CloudWatch.
 */
export function renderVerdictReport(event: VerdictEvent, now: Date = new Date()): string {
  const verdict = event.verdict as Verdict | undefined;
  const finalVerdict = verdict && Array.isArray(verdict.metrics) ? verdict : undefined;
  const minute = Math.round(event.timeToVerdictSeconds / 60);
  const startTime = new Date(now.getTime() - event.timeToVerdictSeconds * 1000).toISOString();
  const at = now.toISOString();
  const report: EvaluationReport = {
    id: `${event.deploymentId}-${event.lifecycleEvent}`,
    title: `${event.deploymentId} ${event.lifecycleEvent}`,
    subtitle: `${event.applicationName} / ${event.deploymentGroupName}`,
    source: 'deployment',
    startTime,
    execution: { status: event.decision === 'error' ? 'FAILED' : 'SUCCEEDED', ...(event.decision === 'error' ? { error: event.reason } : {}) },
    reports: event.status === 'NotReported' ? [] : [{ status: event.status, at, minute }],
    timeline: [{ minute, at, decision: event.decision === 'error' ? 'fail' : event.decision, periodsJudged: 0, reason: event.reason }],
    ...(finalVerdict ? { finalVerdict } : {}),
    outcome: outcomeOf(event, minute),
    decision: { judgedThroughMinute: 0, decidedAtMinute: minute },
    charts: [],
    chartError: 'the stored report has no per-minute charts: `canary-eval report` draws them from CloudWatch',
  };
  return renderHtmlReport([report], { title: `canary-evaluator: ${event.deploymentId} (${event.lifecycleEvent})`, intro: `CodeDeploy: ${event.codeDeploy ?? event.status}${event.dryRun ? ' (dry run)' : ''}.${event.override ? ` ${overrideWords(event.override)}.` : ''}` });
}

function outcomeOf(event: VerdictEvent, minute: number): DeploymentOutcome {
  const summary = `${event.codeDeploy ?? event.status}: ${event.reason}`;
  const base = { minute, regressedMetrics: [], summary, ...(event.status !== 'NotReported' ? { status: event.status } : {}) };
  if (event.status === 'Failed' || (event.status === 'NotReported' && event.decision === 'fail' && !event.dryRun)) return { ...base, action: 'rolled-back' };
  if (event.decision === 'inconclusive') return { ...base, action: 'inconclusive' };
  if (event.decision === 'error') return { ...base, action: 'no-report' };
  return { ...base, action: 'promoted' };
}
