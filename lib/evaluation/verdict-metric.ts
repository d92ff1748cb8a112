/**
 * The verdict metric: the contract between the evaluator, which publishes it (`PutMetricData`), and the
 * construct, which puts an alarm on it per deployment group and adds that alarm to the group.
 *
 * - Namespace `CanaryEvaluator`, dimensions `ApplicationName` and `DeploymentGroupName`.
 * - `VerdictFailed`: 1 for a tick whose verdict is `fail`, 0 otherwise. Published only while an
 *   evaluation runs, so an alarm with "missing data = not breaching" returns to OK by itself once the
 *   evaluation ends and can never stop the group's next deployment the moment it starts.
 * - `Verdicts`, `Rollbacks`: 1 per final verdict / per failing final verdict (the quality signal).
 * - `Inconclusive`: 1 per final verdict that reached its deadline without deciding, whatever
 *   `onInconclusive` made CodeDeploy do (a rollback for lack of evidence counts in both).
 * - `TimeToVerdictSeconds`: from hook invocation to the final verdict.
 */
export const VERDICT_NAMESPACE = 'CanaryEvaluator';

export const VERDICT_METRIC = {
  failed: 'VerdictFailed',
  verdicts: 'Verdicts',
  rollbacks: 'Rollbacks',
  inconclusive: 'Inconclusive',
  timeToVerdict: 'TimeToVerdictSeconds',
} as const;

export interface VerdictDimensions {
  readonly ApplicationName: string;
  readonly DeploymentGroupName: string;
}
