import { GetObjectCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { object, oneOf } from '../../evaluation/check';
import { ECS_HOOK_STATUS_STORE } from '../../evaluation/ecs-native/contract';
import type { EcsHookStatusStore } from '../../evaluation/ecs-native/hook';
import type { HookStatus } from '../../evaluation/ports';

function httpStatus(error: unknown): number | undefined {
  return (error as { $metadata?: { httpStatusCode?: number } } | undefined)?.$metadata?.httpStatusCode;
}

/**
 * The hook statuses of ECS native evaluations in the evaluator's report bucket, under
 * `ECS_HOOK_STATUS_STORE.prefix`, one object per evaluation. Created with `If-None-Match: *` so the first
 * status stands (412: already recorded; 409: a concurrent conditional write, retried), as the
 * publication ledger does (Amazon S3 User Guide, "How to prevent object overwrites with conditional writes").
 */
export class S3HookStatusStore implements EcsHookStatusStore {
  constructor(
    private readonly s3: S3Client,
    private readonly bucket: string,
  ) {}

  private key(evaluationId: string): string {
    return `${ECS_HOOK_STATUS_STORE.prefix}${evaluationId}.json`;
  }

  async read(evaluationId: string): Promise<HookStatus | undefined> {
    try {
      const response = await this.s3.send(new GetObjectCommand({ Bucket: this.bucket, Key: this.key(evaluationId) }));
      const text = (await response.Body?.transformToString()) ?? '';
      const where = `s3://${this.bucket}/${this.key(evaluationId)}`;
      let value: unknown;
      try {
        value = JSON.parse(text);
      } catch (error) {
        throw new Error(`${where}: a hook status must be JSON (${(error as Error).message})`);
      }
      return oneOf(object(value, where).status, ['Succeeded', 'Failed'] as const, `${where}.status`);
    } catch (error) {
      // NoSuchKey is 404 with s3:ListBucket, 403 without it (the hook is granted no listing).
      if (httpStatus(error) === 404 || (error as Error).name === 'NoSuchKey') return undefined;
      throw error;
    }
  }

  async record(evaluationId: string, status: HookStatus): Promise<'recorded' | 'already-recorded'> {
    const body = JSON.stringify({ status, recordedAt: new Date().toISOString() });
    for (let attempt = 1; ; attempt++) {
      try {
        await this.s3.send(new PutObjectCommand({ Bucket: this.bucket, Key: this.key(evaluationId), Body: body, ContentType: 'application/json', IfNoneMatch: '*' }));
        return 'recorded';
      } catch (error) {
        if (httpStatus(error) === 412) return 'already-recorded';
        if (httpStatus(error) !== 409 || attempt >= 3) throw error;
      }
    }
  }
}

/** The store in the report bucket, or, without one (`REPORT_BUCKET` unset), a store whose every call fails saying so. */
export function hookStatusStoreIn(s3: S3Client, bucket: string | undefined): EcsHookStatusStore {
  if (bucket) return new S3HookStatusStore(s3, bucket);
  const missing = () => Promise.reject(new Error('REPORT_BUCKET is not set: ECS native hook statuses are kept in the report bucket'));
  return { read: missing, record: missing };
}
