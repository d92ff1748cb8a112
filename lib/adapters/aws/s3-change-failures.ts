import { PutMetricDataCommand, type CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { GetObjectCommand, ListObjectsV2Command, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { parsePromotionRecord, type PromotionRecord } from '../../evaluation/change-failures/escape';
import { CHANGE_FAILURES_METRIC, CHANGE_FAILURES_STORE, type ChangeFailureSink, type PromotionStore } from '../../evaluation/change-failures/track';
import type { VerdictSubject } from '../../evaluation/ports';
import { VERDICT_NAMESPACE } from '../../evaluation/verdict-metric';

const safe = (text: string) => text.replace(/[^A-Za-z0-9_.-]/g, '_');
const groupPrefix = (group: Pick<VerdictSubject, 'applicationName' | 'deploymentGroupName'>) => `${CHANGE_FAILURES_STORE.prefix}${safe(group.applicationName)}/${safe(group.deploymentGroupName)}/`;
/** One object per group, overwritten by each promotion. */
export const promotionKey = (group: Pick<VerdictSubject, 'applicationName' | 'deploymentGroupName'>) => `${groupPrefix(group)}last-promotion.json`;
/** One marker per promotion whose escape was counted. */
export const escapeMarkerKey = (promotion: PromotionRecord) => `${groupPrefix(promotion)}escaped/${safe(promotion.deploymentId)}`;

const httpStatus = (error: unknown) => (error as { $metadata?: { httpStatusCode?: number } } | undefined)?.$metadata?.httpStatusCode;

/**
 * The last promotion of each group and the escape markers, under `change-failures/` of the report bucket.
 * Whether an object exists is asked with `ListObjectsV2` on its exact key: without `s3:ListBucket` a
 * missing key answers 403, not 404 (Amazon S3 API Reference, GetObject, "Permissions"), and the role's
 * `s3:ListBucket` is limited to this prefix. Markers are created with `If-None-Match: *` (412: another
 * publisher made it first), as the publication ledger's are (S3 User Guide, conditional writes).
 */
export class S3PromotionStore implements PromotionStore {
  constructor(
    private readonly s3: S3Client,
    private readonly bucket: string,
  ) {}

  async lastPromotion(group: Pick<VerdictSubject, 'applicationName' | 'deploymentGroupName'>): Promise<PromotionRecord | undefined> {
    const key = promotionKey(group);
    if (!(await this.exists(key))) return undefined;
    const object = await this.s3.send(new GetObjectCommand({ Bucket: this.bucket, Key: key }));
    const text = (await object.Body?.transformToString()) ?? '';
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      throw new Error(`s3://${this.bucket}/${key}: expected a promotion record (JSON), got ${JSON.stringify(text.slice(0, 80))}`);
    }
    return parsePromotionRecord(parsed, `s3://${this.bucket}/${key}`);
  }

  async recordPromotion(record: PromotionRecord): Promise<void> {
    await this.s3.send(new PutObjectCommand({ Bucket: this.bucket, Key: promotionKey(record), Body: JSON.stringify(record), ContentType: 'application/json' }));
  }

  async escapeCounted(promotion: PromotionRecord): Promise<boolean> {
    return this.exists(escapeMarkerKey(promotion));
  }

  async markEscapeCounted(promotion: PromotionRecord, undoneBy: string): Promise<'marked' | 'already-marked'> {
    try {
      await this.s3.send(new PutObjectCommand({ Bucket: this.bucket, Key: escapeMarkerKey(promotion), Body: JSON.stringify({ undoneBy }), ContentType: 'application/json', IfNoneMatch: '*' }));
      return 'marked';
    } catch (error) {
      if (httpStatus(error) === 412) return 'already-marked';
      throw error;
    }
  }

  private async exists(key: string): Promise<boolean> {
    const page = await this.s3.send(new ListObjectsV2Command({ Bucket: this.bucket, Prefix: key, MaxKeys: 1 }));
    return (page.Contents ?? []).some((item) => item.Key === key);
  }
}

/** `ChangeFailures{ApplicationName, DeploymentGroupName, Kind=Escaped}` = 1, in the verdict namespace. */
export class CloudWatchChangeFailureSink implements ChangeFailureSink {
  constructor(
    private readonly cloudwatch: CloudWatchClient,
    private readonly now: () => Date = () => new Date(),
  ) {}

  async publishEscaped(promotion: PromotionRecord): Promise<void> {
    await this.cloudwatch.send(
      new PutMetricDataCommand({
        Namespace: VERDICT_NAMESPACE,
        MetricData: [
          {
            MetricName: CHANGE_FAILURES_METRIC.name,
            Dimensions: [
              { Name: 'ApplicationName', Value: promotion.applicationName },
              { Name: 'DeploymentGroupName', Value: promotion.deploymentGroupName },
              { Name: 'Kind', Value: CHANGE_FAILURES_METRIC.escaped },
            ],
            Value: 1,
            Unit: 'Count',
            Timestamp: this.now(),
          },
        ],
      }),
    );
  }
}

