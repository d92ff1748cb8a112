import type { VerdictEvent, VerdictSubject } from '../ports';
import type { EvaluationInput } from '../state';
import { deploymentVersions, promotionOf, undoesPromotion, type PromotionRecord } from './escape';

/** Where change failures are kept: under this prefix of the evaluator's report bucket. */
export const CHANGE_FAILURES_STORE = { prefix: 'change-failures/' } as const;

/** `ChangeFailures` in the verdict namespace, with `Kind=Escaped`: 1 per promotion later undone. */
export const CHANGE_FAILURES_METRIC = { name: 'ChangeFailures', escaped: 'Escaped' } as const;

/** The durable per-group record of the last promotion, and the once-only marker of each escape counted. */
export interface PromotionStore {
  lastPromotion(group: Pick<VerdictSubject, 'applicationName' | 'deploymentGroupName'>): Promise<PromotionRecord | undefined>;
  recordPromotion(record: PromotionRecord): Promise<void>;
  /** Whether the escape of this promotion was already counted. */
  escapeCounted(promotion: PromotionRecord): Promise<boolean>;
  /** Marks it counted; `already-marked` when another publisher marked it first. */
  markEscapeCounted(promotion: PromotionRecord, undoneBy: string): Promise<'marked' | 'already-marked'>;
}

/** `PutMetricData` of `ChangeFailures{ApplicationName, DeploymentGroupName, Kind=Escaped}` = 1. */
export interface ChangeFailureSink {
  publishEscaped(promotion: PromotionRecord): Promise<void>;
}

export interface ChangeFailureDependencies {
  readonly store: PromotionStore;
  readonly sink: ChangeFailureSink;
  readonly log: { error(message: string, details: Record<string, unknown>): void; info(message: string, details: Record<string, unknown>): void };
}

export interface ChangeFailureResult {
  /** The promotion this deployment undoes, whose escape this call published. */
  readonly escaped?: string;
  /** This verdict's promotion, now the group's last. */
  readonly recorded?: string;
}

/**
 * Called with each verdict CodeDeploy accepted (the publish step), for the deployment its execution
 * input describes: counts the group's last judged promotion as escaped when this deployment puts back
 * the version it replaced, then records this verdict's promotion, if it is one. Each escape is published
 * once across retries: the marker is read first and written after the metric (as the publication ledger
 * does), so a publisher that dies between the two is the only way to count one twice. Errors are thrown:
 * the publish Task retries, and what was done is not done again.
 */
export async function trackChangeFailures(input: EvaluationInput, event: VerdictEvent, deps: ChangeFailureDependencies): Promise<ChangeFailureResult> {
  const last = await deps.store.lastPromotion(input);
  let escaped: string | undefined;
  if (last?.judged && undoesPromotion(last, { ...input, ...deploymentVersions(input.target) }) && !(await deps.store.escapeCounted(last))) {
    await deps.sink.publishEscaped(last);
    if ((await deps.store.markEscapeCounted(last, input.deploymentId)) === 'already-marked') deps.log.error('an escaped change failure was counted twice (a concurrent publisher)', { promotion: last.deploymentId });
    deps.log.info('escaped change failure', { promotion: last.deploymentId, undoneBy: input.deploymentId, version: last.currentVersion });
    escaped = last.deploymentId;
  }
  const promotion = promotionOf(input, event, last);
  if (promotion) await deps.store.recordPromotion(promotion);
  return { ...(escaped ? { escaped } : {}), ...(promotion ? { recorded: promotion.deploymentId } : {}) };
}
