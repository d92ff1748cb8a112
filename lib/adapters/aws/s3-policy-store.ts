import { GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import type { PolicyRef, PolicyStore } from '../../evaluation/ports';

/**
 * Policies are S3 assets whose keys are content hashes, so a key never changes content: caching by key
 * for the life of the Lambda container is safe and saves a GetObject per tick.
 */
export class S3PolicyStore implements PolicyStore {
  private readonly cache = new Map<string, unknown>();

  constructor(private readonly client: S3Client) {}

  async load(ref: PolicyRef): Promise<unknown> {
    const cacheKey = `${ref.bucket}/${ref.key}`;
    if (this.cache.has(cacheKey)) return this.cache.get(cacheKey);
    const object = await this.client.send(new GetObjectCommand({ Bucket: ref.bucket, Key: ref.key }));
    const text = await object.Body?.transformToString('utf8');
    if (text === undefined) throw new Error(`policy s3://${cacheKey} is empty`);
    let document: unknown;
    try {
      document = JSON.parse(text);
    } catch (error) {
      throw new Error(`policy s3://${cacheKey} is not JSON: ${(error as Error).message}`);
    }
    this.cache.set(cacheKey, document);
    return document;
  }
}
