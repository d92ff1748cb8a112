import type { HookStatus } from './ports';

/** What a verdict made CodeDeploy do, in the words every view uses. */
export interface ActionFacts {
  readonly lifecycleEvent: string;
  readonly status: HookStatus | 'NotReported';
  readonly decision: 'pass' | 'fail' | 'error' | 'inconclusive';
  readonly dryRun: boolean;
  /** The canary watch called StopDeployment. */
  readonly stopped?: boolean;
  /** `inconclusive` because a critical metric's data could not be read: reported as `onEvaluatorError` says. */
  readonly dataUnread?: boolean;
}

/**
 * One phrase for the on-call engineer: "promoted", "promoted without a verdict", "rolled back"...
 * CodeDeploy semantics (CodeDeploy User Guide, "AppSpec 'hooks' section"): `Succeeded` on a pre-traffic
 * hook lets the traffic shift start, on `AfterAllowTraffic` completes the deployment; `Failed` fails the
 * deployment, which the group's automatic rollback (on by default in CDK) rolls back.
 */
export function codeDeployAction(facts: ActionFacts): string {
  const prefix = facts.dryRun ? 'dry run: ' : '';
  const bake = facts.lifecycleEvent === 'AfterAllowTraffic';
  if (facts.status === 'NotReported') {
    if (facts.decision !== 'fail') return `${prefix}nothing yet: the canary watch goes on`;
    if (facts.dryRun) return 'dry run: nothing (the verdict alarm stays silent)';
    return facts.stopped ? 'deployment stopped and rolled back' : 'verdict alarm raised: CodeDeploy stops the deployment and rolls back';
  }
  const unread = facts.decision === 'inconclusive' && facts.dataUnread === true;
  if (facts.status === 'Succeeded') {
    if (unread && !facts.dryRun) return `${bake ? 'promoted' : 'traffic shift allowed'} without a verdict: the metric data could not be read (onEvaluatorError: pass)`;
    const noVerdict = facts.decision === 'inconclusive' ? ' without a verdict' : facts.decision === 'error' ? ' despite an evaluator error (onEvaluatorError: pass)' : '';
    if (facts.dryRun && facts.decision !== 'pass') return `dry run: ${bake ? 'promoted' : 'traffic shift allowed'} whatever the verdict (${facts.decision})`;
    return `${prefix}${bake ? 'promoted' : 'traffic shift allowed'}${noVerdict}`;
  }
  if (unread) return 'rolled back without a verdict: the metric data could not be read (onEvaluatorError: fail)';
  if (facts.decision === 'inconclusive') return 'rolled back without a verdict (onInconclusive: fail)';
  if (facts.decision === 'error') return 'rolled back: the evaluator failed (onEvaluatorError: fail)';
  return bake ? 'rolled back' : 'stopped before any traffic shifted and rolled back';
}
