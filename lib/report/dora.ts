/**
 * DORA's software delivery metrics for one deployment group, from CodeDeploy's records joined with the
 * evaluator's verdicts. Definitions follow DORA's guide "DORA's software delivery metrics: the four keys"
 * (dora.dev/guides/dora-metrics-four-keys): throughput — deployment frequency, change lead time, failed
 * deployment recovery time; instability — change fail rate ("the ratio of deployments that require
 * immediate intervention following a deployment", a rollback or a hotfix) and deployment rework rate
 * ("the ratio of deployments that are unplanned but happen as a result of an incident in production").
 *
 * What the records can tell, and how it is read here:
 * - a release is a deployment a person or pipeline started (not `codeDeployRollback`);
 * - a change failure is *caught* when the evaluator rolled it back (its hook reported Failed or its verdict
 *   alarm stopped the shift: CodeDeploy error codes HOOK_EXECUTION_FAILURE / ALARM_ACTIVE), *escaped* when a
 *   release the evaluator passed was followed (next deployment that took) by a deployment of the version it
 *   replaced (a manual rollback),
 *   *unjudged* when such a release had no verdict (inconclusive or no evaluation);
 * - a release that failed for another reason (permissions, health constraints) never reached production:
 *   counted apart as `failedToDeploy`, in no rate;
 * - rework: CodeDeploy's automatic rollback deployments and redeployments of an older version;
 * - lead time needs the commit time, which CodeDeploy's records do not carry: reported as not available.
 */

export type DoraOutcome = 'promoted' | 'rolled-back' | 'running' | 'inconclusive';

/** One deployment as the history reads it (CodeDeploy's record and the evaluator's result). */
export interface DoraDeployment {
  readonly deploymentId: string;
  readonly createTime?: string;
  readonly completeTime?: string;
  readonly creator?: string;
  /** What the deployment and its evaluations came to (`status`/`history`). */
  readonly result: DoraOutcome;
  /** Whether any hook of it started an evaluation. */
  readonly evaluated: boolean;
  readonly timeToVerdictSeconds?: number;
  /** CodeDeploy's `errorInformation.code` of a failed or stopped deployment. */
  readonly errorCode?: string;
  /** Lambda: the version deployed and the one it replaced. */
  readonly targetVersion?: string;
  readonly currentVersion?: string;
  /** Share of traffic on the new version when the deployment was last read (percent). */
  readonly canaryPercent?: number;
  /** An automatic rollback: the deployment whose failure triggered it. */
  readonly rollbackTriggeringDeploymentId?: string;
}

export type FailureKind = 'caught' | 'escaped' | 'unjudged';

export interface DoraFailure {
  readonly deploymentId: string;
  readonly kind: FailureKind;
  /** The deployment that undid it (a rollback or a redeployment of the older version), when one is recorded. */
  readonly remediatedBy?: string;
  /** From the release's start (caught) or promotion (escaped, unjudged) to the end of what undid it. */
  readonly recoverySeconds?: number;
  /** Caught only: the canary's share of traffic × minutes before the verdict — the exposure the evaluator allowed. */
  readonly exposureTrafficMinutes?: number;
}

export interface DoraMetrics {
  readonly periodDays: number;
  readonly deployments: number;
  /** Releases that finished (not running), excluding those that failed to deploy. */
  readonly releases: number;
  readonly failedToDeploy: number;
  /** Successful releases (promoted, with or without a verdict) per day. */
  readonly deploymentFrequencyPerDay: number;
  readonly changeFailRate: number | null;
  readonly failures: readonly DoraFailure[];
  readonly failuresByKind: Readonly<Record<FailureKind, number>>;
  /** Median failed-deployment recovery time (seconds), over the failures with a recorded end. */
  readonly medianRecoverySeconds: number | null;
  readonly reworkRate: number | null;
  readonly rework: readonly string[];
  /** Sum of the caught failures' exposure (traffic share × minutes). */
  readonly caughtExposureTrafficMinutes: number;
  readonly leadTime: { readonly available: false; readonly reason: string };
}

/** CodeDeploy error codes with which the evaluator stops a deployment (CodeDeploy API Reference, ErrorInformation). */
const EVALUATOR_STOPS = new Set(['HOOK_EXECUTION_FAILURE', 'ALARM_ACTIVE']);

const isRollbackDeployment = (deployment: DoraDeployment) => deployment.creator === 'codeDeployRollback' || deployment.creator === 'rollback';
const time = (iso: string | undefined) => (iso === undefined ? undefined : Date.parse(iso));

function median(values: readonly number[]): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

export function doraMetrics(input: readonly DoraDeployment[], period: { readonly since: string; readonly until: string }): DoraMetrics {
  const deployments = [...input].sort((a, b) => (time(a.createTime) ?? 0) - (time(b.createTime) ?? 0));
  const periodDays = Math.max(1 / 24, ((time(period.until) ?? 0) - (time(period.since) ?? 0)) / 86_400_000);
  const finishedReleases = deployments.filter((d) => !isRollbackDeployment(d) && d.result !== 'running');
  const failedToDeploy = finishedReleases.filter((d) => d.result === 'rolled-back' && !EVALUATOR_STOPS.has(d.errorCode ?? ''));
  const releases = finishedReleases.filter((d) => !failedToDeploy.includes(d));
  const promoted = releases.filter((d) => d.result === 'promoted' || d.result === 'inconclusive');

  const failures: DoraFailure[] = [];
  const rework = new Set<string>();
  for (const deployment of deployments) if (isRollbackDeployment(deployment)) rework.add(deployment.deploymentId);

  for (const release of releases) {
    if (release.result === 'rolled-back') {
      const rollback = deployments.find((d) => d.rollbackTriggeringDeploymentId === release.deploymentId);
      const end = time(rollback?.completeTime) ?? time(release.completeTime);
      const start = time(release.createTime);
      const exposure = release.canaryPercent !== undefined && release.timeToVerdictSeconds !== undefined ? (release.canaryPercent / 100) * (release.timeToVerdictSeconds / 60) : undefined;
      failures.push({
        deploymentId: release.deploymentId,
        kind: 'caught',
        ...(rollback ? { remediatedBy: rollback.deploymentId } : {}),
        ...(end !== undefined && start !== undefined ? { recoverySeconds: Math.round((end - start) / 1000) } : {}),
        ...(exposure !== undefined ? { exposureTrafficMinutes: Number(exposure.toFixed(2)) } : {}),
      });
      continue;
    }
    // Promoted: did the next deployment that took put back the version this one replaced?
    if (release.currentVersion === undefined) continue;
    const next = deployments.find((d) => (time(d.createTime) ?? 0) > (time(release.createTime) ?? 0) && d.result !== 'rolled-back' && d.result !== 'running');
    const undo = next?.targetVersion === release.currentVersion ? next : undefined;
    if (!undo) continue;
    rework.add(undo.deploymentId);
    const start = time(release.completeTime);
    const end = time(undo.completeTime);
    const judged = release.evaluated && release.result === 'promoted';
    failures.push({
      deploymentId: release.deploymentId,
      kind: judged ? 'escaped' : 'unjudged',
      remediatedBy: undo.deploymentId,
      ...(start !== undefined && end !== undefined ? { recoverySeconds: Math.round((end - start) / 1000) } : {}),
    });
  }

  const failuresByKind = { caught: 0, escaped: 0, unjudged: 0 };
  for (const failure of failures) failuresByKind[failure.kind] += 1;
  return {
    periodDays: Number(periodDays.toFixed(3)),
    deployments: deployments.length,
    releases: releases.length,
    failedToDeploy: failedToDeploy.length,
    deploymentFrequencyPerDay: Number((promoted.length / periodDays).toFixed(3)),
    changeFailRate: releases.length > 0 ? failures.length / releases.length : null,
    failures,
    failuresByKind,
    medianRecoverySeconds: median(failures.flatMap((failure) => (failure.recoverySeconds !== undefined ? [failure.recoverySeconds] : []))),
    reworkRate: deployments.length > 0 ? rework.size / deployments.length : null,
    rework: [...rework],
    caughtExposureTrafficMinutes: Number(failures.reduce((sum, failure) => sum + (failure.exposureTrafficMinutes ?? 0), 0).toFixed(2)),
    leadTime: { available: false, reason: "CodeDeploy's deployment records carry no commit time" },
  };
}
