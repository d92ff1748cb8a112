import { LambdaClient } from '@aws-sdk/client-lambda';
import { S3Client } from '@aws-sdk/client-s3';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SSMClient } from '@aws-sdk/client-ssm';
import { LambdaFunctionInvoker } from '../../lib/adapters/aws/lambda-invoker';
import { S3PolicyStore } from '../../lib/adapters/aws/s3-policy-store';
import { AwsSecretResolver } from '../../lib/adapters/aws/secret-resolver';
import { PinnedHttpClient } from '../../lib/adapters/http/pinned-http-client';
import { outgoingTraceHeaders } from '../../lib/adapters/telemetry/tracing';
import { version } from '../../package.json';
import { createSmokeHandler } from '../../lib/evaluation/handlers/smoke';
import { lazyHandler, runtime, traced } from '../shared';

export const handler = lazyHandler(() =>
  createSmokeHandler(
    {
      policies: new S3PolicyStore(traced(new S3Client({}))),
      // Lambda smoke invocations carry the evaluation's trace context: X-Amzn-Trace-Id on the Invoke request (traced), traceparent in ClientContext.
      invoker: new LambdaFunctionInvoker(traced(new LambdaClient({})), { traceContext: outgoingTraceHeaders }),
      // Smoke requests carry the evaluation's trace context and say who sends them.
      http: new PinnedHttpClient({ defaultHeaders: () => ({ 'User-Agent': `canary-evaluator/${version}`, ...outgoingTraceHeaders() }) }),
      stopwatch: () => performance.now(),
      secrets: new AwsSecretResolver(traced(new SecretsManagerClient({})), traced(new SSMClient({}))),
    },
    runtime,
  ),
);
