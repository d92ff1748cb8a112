import { boolean, object, optionalString, string } from '../check';
import type { VerdictEvent } from '../ports';
import type { DeploymentTarget, EvaluationInput } from '../state';

/**
 * Escaped change failures (issue 28 item 5), as `canary-eval history --dora` reads them
 * (lib/report/dora.ts): a release the evaluator passed, followed by a deployment that puts back the
 * version it replaced. DORA counts such a deployment as a change failure ("change fail rate: the ratio of
 * deployments that require immediate intervention following a deployment", a rollback or a hotfix) and as
 * rework (DORA, "DORA's software delivery metrics: the four keys", dora.dev/guides/dora-metrics-four-keys).
 * *Caught* failures are the evaluator's own rollbacks (the `Rollbacks` metric).
 *
 * CodeDeploy's own rollback deployments are not escapes: `rollbackInfo.rollbackTriggeringDeploymentId`
 * names "the deployment that was underway and triggered a rollback deployment because it failed or was
 * stopped" (CodeDeploy API Reference, RollbackInfo), never a deployment that completed; a person undoing a
 * promoted release creates a new deployment of the old revision, which this rule recognizes by version.
 */

/** The last promotion of a deployment group: what the next deployment is compared with. */
export interface PromotionRecord {
  readonly deploymentId: string;
  readonly applicationName: string;
  readonly deploymentGroupName: string;
  /** Lambda: the version promoted; ECS: the replacement task definition (ARN). */
  readonly targetVersion: string;
  /**
   * The version it replaced. Lambda: the alias's version before the deployment. ECS: the hook's input
   * does not name the original task definition, so it is the previous promotion's `targetVersion`
   * (unknown for a group's first recorded promotion).
   */
  readonly currentVersion?: string;
  /** The evaluator's passing verdict promoted it (not a dry run, not a deadline without a verdict). */
  readonly judged: boolean;
}

/** The versions a deployment moves between, as its execution input names them. */
export function deploymentVersions(target: DeploymentTarget): { readonly targetVersion: string; readonly currentVersion?: string } {
  return target.type === 'lambda' ? { targetVersion: target.targetVersion, currentVersion: target.currentVersion } : { targetVersion: target.taskDefinition };
}

/**
 * The promotion a reported verdict records, or undefined when the verdict promotes nothing yet: only the
 * bake's (`AfterAllowTraffic`) report that CodeDeploy accepted as Succeeded ends a deployment with the
 * new version serving all traffic. A dry run, or a pass for lack of a verdict, is recorded as not judged,
 * so the next deployment is still compared with what is really deployed, but no escape is counted.
 */
export function promotionOf(input: EvaluationInput, event: VerdictEvent, previous: PromotionRecord | undefined): PromotionRecord | undefined {
  if (event.lifecycleEvent !== 'AfterAllowTraffic' || event.status !== 'Succeeded') return undefined;
  const versions = deploymentVersions(input.target);
  // A retried publish finds its own record: it keeps what that one found replaced.
  const replaced = versions.currentVersion ?? (previous?.deploymentId === input.deploymentId ? previous.currentVersion : previous?.targetVersion);
  return {
    deploymentId: input.deploymentId,
    applicationName: input.applicationName,
    deploymentGroupName: input.deploymentGroupName,
    targetVersion: versions.targetVersion,
    ...(replaced !== undefined && replaced !== versions.targetVersion ? { currentVersion: replaced } : {}),
    judged: event.decision === 'pass' && !event.dryRun,
  };
}

/**
 * Whether deployment `next` undoes `promotion`: another deployment of the same group that deploys the
 * version the promotion replaced (the same rule as `doraMetrics`: next.targetVersion === release.currentVersion).
 */
export function undoesPromotion(promotion: PromotionRecord, next: Pick<EvaluationInput, 'deploymentId' | 'applicationName' | 'deploymentGroupName'> & { readonly targetVersion: string }): boolean {
  return (
    promotion.deploymentId !== next.deploymentId &&
    promotion.applicationName === next.applicationName &&
    promotion.deploymentGroupName === next.deploymentGroupName &&
    promotion.currentVersion !== undefined &&
    promotion.currentVersion === next.targetVersion
  );
}

/** Checks a stored promotion record; an error names the field. */
export function parsePromotionRecord(value: unknown, path = 'promotion'): PromotionRecord {
  const record = object(value, path);
  const currentVersion = optionalString(record.currentVersion, `${path}.currentVersion`);
  return {
    deploymentId: string(record.deploymentId, `${path}.deploymentId`),
    applicationName: string(record.applicationName, `${path}.applicationName`),
    deploymentGroupName: string(record.deploymentGroupName, `${path}.deploymentGroupName`),
    targetVersion: string(record.targetVersion, `${path}.targetVersion`),
    ...(currentVersion !== undefined ? { currentVersion } : {}),
    judged: boolean(record.judged, `${path}.judged`),
  };
}
