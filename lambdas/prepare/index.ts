import { S3Client } from '@aws-sdk/client-s3';
import { S3PolicyStore } from '../../lib/adapters/aws/s3-policy-store';
import { createPrepareHandler } from '../../lib/evaluation/handlers/prepare';
import { lazyHandler, runtime, traced } from '../shared';

export const handler = lazyHandler(() => createPrepareHandler({ policies: new S3PolicyStore(traced(new S3Client({}))) }, runtime));
