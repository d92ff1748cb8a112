import type { PromotionRecord } from '../evaluation/change-failures/escape';
import type { ChangeFailureSink, PromotionStore } from '../evaluation/change-failures/track';

/**
 * Escaped change failures offline, as the report bucket's `change-failures/` and CloudWatch keep them:
 * one last promotion per group (overwritten), one marker per escape (the first stands), and the
 * `ChangeFailures{Kind=Escaped}` data points published. Shared by the simulated deployments of a group,
 * so a later deployment is compared with an earlier one's promotion.
 */
export class InMemoryChangeFailures implements PromotionStore, ChangeFailureSink {
  private readonly promotions = new Map<string, PromotionRecord>();
  private readonly markers = new Map<string, string>();
  /** The promotions published as escaped, in order (one `ChangeFailures` data point each). */
  readonly escaped: PromotionRecord[] = [];

  async lastPromotion(group: { readonly applicationName: string; readonly deploymentGroupName: string }): Promise<PromotionRecord | undefined> {
    return this.promotions.get(`${group.applicationName}/${group.deploymentGroupName}`);
  }

  async recordPromotion(record: PromotionRecord): Promise<void> {
    this.promotions.set(`${record.applicationName}/${record.deploymentGroupName}`, record);
  }

  async escapeCounted(promotion: PromotionRecord): Promise<boolean> {
    return this.markers.has(promotion.deploymentId);
  }

  async markEscapeCounted(promotion: PromotionRecord, undoneBy: string): Promise<'marked' | 'already-marked'> {
    if (this.markers.has(promotion.deploymentId)) return 'already-marked';
    this.markers.set(promotion.deploymentId, undoneBy);
    return 'marked';
  }

  async publishEscaped(promotion: PromotionRecord): Promise<void> {
    this.escaped.push(promotion);
  }
}
