import { GetObjectCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import type { OverrideStore } from '../../evaluation/override/look';
import type { OverrideRecord } from '../../evaluation/override/record';

/** Override records in the evaluator's report bucket (`overrides/`), as each look of an evaluation reads them. */
export class S3OverrideStore implements OverrideStore {
  constructor(private readonly client: S3Client) {}

  async read(bucket: string, key: string): Promise<unknown> {
    let text: string | undefined;
    try {
      const object = await this.client.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
      text = await object.Body?.transformToString('utf8');
    } catch (error) {
      // No record: the usual case (Amazon S3 API Reference, GetObject: NoSuchKey).
      if ((error as { name?: string }).name === 'NoSuchKey') return undefined;
      throw error;
    }
    try {
      return JSON.parse(text ?? '');
    } catch {
      return text; // not JSON: the look refuses it as malformed, and says so
    }
  }
}

/** The CLI's side (`canary-eval override`): a record written once. Its own class: the evaluator's functions only read. */
export class S3OverrideWriter {
  constructor(private readonly client: S3Client) {}

  /**
   * Writes a record only if none exists (`If-None-Match: *`, a conditional write: Amazon S3 User Guide,
   * "How to prevent object overwrites with conditional writes"; S3 answers 412 PreconditionFailed when
   * the key exists): the first override of a hook stands.
   */
  async create(bucket: string, key: string, record: OverrideRecord): Promise<'created' | 'exists'> {
    try {
      await this.client.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: JSON.stringify(record), ContentType: 'application/json', IfNoneMatch: '*' }));
      return 'created';
    } catch (error) {
      const name = (error as { name?: string; $metadata?: { httpStatusCode?: number } }).name;
      if (name === 'PreconditionFailed' || (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode === 412) return 'exists';
      throw error;
    }
  }
}
