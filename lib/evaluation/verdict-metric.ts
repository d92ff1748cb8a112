import type { MetricResult } from '../judge';
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
 * - `Overrides`: 1 per verdict an override touched, with a third dimension `Action`: `skip`, `promote` or
 *   `rollback` when honoured, `refused` when not (published with the verdict metrics, same call).
 */
export const VERDICT_NAMESPACE = 'CanaryEvaluator';

export const VERDICT_METRIC = {
  failed: 'VerdictFailed',
  verdicts: 'Verdicts',
  rollbacks: 'Rollbacks',
  inconclusive: 'Inconclusive',
  timeToVerdict: 'TimeToVerdictSeconds',
  overrides: 'Overrides',
} as const;

/** The `Action` dimension of `Overrides`: what was done, or `refused`. */
export const OVERRIDE_METRIC_ACTIONS = ['skip', 'promote', 'rollback', 'refused'] as const;
export function overrideMetricAction(override: { readonly action: (typeof OVERRIDE_METRIC_ACTIONS)[number]; readonly honoured: boolean }): (typeof OVERRIDE_METRIC_ACTIONS)[number] {
  return override.honoured ? override.action : 'refused';
}

export interface VerdictDimensions {
  readonly ApplicationName: string;
  readonly DeploymentGroupName: string;
}

/**
 * `CostPerRequest`: at each look of a cost metric (bake and watch), each arm's mean USD per request,
 * priced with the catalog and overrides the verdict used. Same namespace and group dimensions as the
 * verdict metrics, plus `Metric` (the policy metric's name) and `Arm` (`canary` | `baseline`), so the
 * dashboard reads it by exact dimensions. Sent in the tick's own `PutMetricData` call (no extra call).
 */
export const COST_PER_REQUEST_METRIC = 'CostPerRequest';
export const COST_ARMS = ['canary', 'baseline'] as const;

export interface CostPerRequestFigure {
  readonly metric: string;
  readonly arm: (typeof COST_ARMS)[number];
  readonly usd: number;
}

/** The cost-per-request figures of a verdict: one per arm of each cost metric that priced requests. */
export function costPerRequestFigures(verdict: { readonly metrics: readonly Pick<MetricResult, 'metric' | 'method' | 'baseline' | 'canary'>[] }): CostPerRequestFigure[] {
  return verdict.metrics.flatMap((result) =>
    result.method !== 'cost'
      ? []
      : COST_ARMS.flatMap((arm) => {
          const usd = result[arm].costPerRequest;
          return usd === undefined || !Number.isFinite(usd) ? [] : [{ metric: result.metric, arm, usd }];
        }),
  );
}
