import { PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import type { ReportStore } from '../../evaluation/ports';

/**
 * Keeps evaluation reports in the evaluator's report bucket. The link is the S3 console's object page:
 * the bucket blocks public access, so whoever opens it signs in (a presigned URL would expire with the
 * Lambda's session credentials within hours: Amazon S3 User Guide, "Sharing objects with presigned URLs").
 */
export class S3ReportStore implements ReportStore {
  constructor(
    private readonly s3: S3Client,
    private readonly bucket: string,
    private readonly region: string,
  ) {}

  async put(key: string, html: string): Promise<{ url: string }> {
    await this.s3.send(new PutObjectCommand({ Bucket: this.bucket, Key: key, Body: html, ContentType: 'text/html; charset=utf-8' }));
    return { url: `https://${this.region}.console.aws.amazon.com/s3/object/${this.bucket}?region=${this.region}&prefix=${encodeURIComponent(key)}` };
  }
}
