import { DeleteObjectCommand, GetObjectCommand, ListObjectsV2Command, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { object, string } from '../../evaluation/check';
import { PUBLICATION_LEDGER } from '../../evaluation/contracts';
import { PUBLICATION_STEPS, type PendingPublication, type PublicationLedger, type PublicationStep } from '../../evaluation/ports';
import { parseVerdictEvent } from '../../evaluation/publication';

const DONE = `${PUBLICATION_LEDGER.prefix}done/`;
const PENDING = `${PUBLICATION_LEDGER.prefix}pending/`;

/** The HTTP status of an S3 error (`$metadata.httpStatusCode`), if it has one. */
function httpStatus(error: unknown): number | undefined {
  return (error as { $metadata?: { httpStatusCode?: number } } | undefined)?.$metadata?.httpStatusCode;
}

/**
 * The publication ledger in the evaluator's report bucket, under `publications/` (`PUBLICATION_LEDGER`).
 * Markers and pending records are created with S3 conditional writes, `If-None-Match: *`: S3 refuses
 * to overwrite an existing key with 412 Precondition Failed, which here means "already done" (the first
 * record stands), and answers 409 ConditionalRequestConflict to a concurrent conditional write of the
 * same key, to be retried (Amazon S3 User Guide, "How to prevent object overwrites with conditional
 * writes", https://docs.aws.amazon.com/AmazonS3/latest/userguide/conditional-writes.html).
 */
export class S3PublicationLedger implements PublicationLedger {
  constructor(
    private readonly s3: S3Client,
    private readonly bucket: string,
  ) {}

  async doneSteps(key: string): Promise<ReadonlySet<PublicationStep>> {
    const prefix = `${DONE}${key}/`;
    const keys = await this.list(prefix);
    return new Set(PUBLICATION_STEPS.filter((step) => keys.includes(`${prefix}${step}`)));
  }

  async markDone(key: string, step: PublicationStep): Promise<'marked' | 'already-marked'> {
    return (await this.create(`${DONE}${key}/${step}`, '')) ? 'marked' : 'already-marked';
  }

  async recordPending(record: PendingPublication): Promise<PendingPublication> {
    const objectKey = `${PENDING}${record.key}.json`;
    if (await this.create(objectKey, JSON.stringify(record))) return record;
    return this.read(objectKey);
  }

  async listPending(): Promise<{ records: readonly PendingPublication[]; unreadable: readonly string[] }> {
    const keys = (await this.list(PENDING)).filter((key) => key.endsWith('.json'));
    const read = await Promise.allSettled(keys.map((key) => this.read(key)));
    return {
      records: read.flatMap((result) => (result.status === 'fulfilled' ? [result.value] : [])),
      unreadable: read.flatMap((result, index) => (result.status === 'rejected' ? [`${keys[index]}: ${(result.reason as Error).message}`] : [])),
    };
  }

  async complete(key: string): Promise<void> {
    await this.s3.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: `${PENDING}${key}.json` }));
  }

  /** Creates the object unless its key exists: true if this call created it. */
  private async create(key: string, body: string): Promise<boolean> {
    for (let attempt = 1; ; attempt++) {
      try {
        await this.s3.send(new PutObjectCommand({ Bucket: this.bucket, Key: key, Body: body, ContentType: 'application/json', IfNoneMatch: '*' }));
        return true;
      } catch (error) {
        if (httpStatus(error) === 412) return false;
        if (httpStatus(error) !== 409 || attempt >= 3) throw error;
      }
    }
  }

  private async list(prefix: string): Promise<string[]> {
    const keys: string[] = [];
    let token: string | undefined;
    do {
      const page = await this.s3.send(new ListObjectsV2Command({ Bucket: this.bucket, Prefix: prefix, ContinuationToken: token }));
      keys.push(...(page.Contents ?? []).flatMap((item) => (item.Key ? [item.Key] : [])));
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
    return keys;
  }

  private async read(key: string): Promise<PendingPublication> {
    const response = await this.s3.send(new GetObjectCommand({ Bucket: this.bucket, Key: key }));
    const text = (await response.Body?.transformToString()) ?? '';
    return parsePendingPublication(text, `s3://${this.bucket}/${key}`);
  }
}

/** A pending record as stored: JSON with `key`, `acceptedAt` and an `event` naming its deployment. */
export function parsePendingPublication(text: string, where: string): PendingPublication {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new Error(`${where}: a pending publication must be JSON (${(error as Error).message})`);
  }
  const record = object(value, where);
  return {
    key: string(record.key, `${where}.key`),
    acceptedAt: string(record.acceptedAt, `${where}.acceptedAt`),
    event: parseVerdictEvent(record.event, `${where}.event`),
    ...(record.execution !== undefined ? { execution: record.execution } : {}),
    ...(typeof record.executionArn === 'string' ? { executionArn: record.executionArn } : {}),
  };
}
