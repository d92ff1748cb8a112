import { MetricUnit, type Metrics } from '@aws-lambda-powertools/metrics';

/**
 * Demo service example: per-version token metrics with Powertools for AWS Lambda Metrics (EMF), in the
 * shape the `bedrock-cost-per-request` preset reads. `AWS/Bedrock` publishes tokens by `ModelId` only,
 * with no version, so canary and baseline can only be told apart by the application's own metrics.
 *
 * One EMF document per request, dimensions {Version, ModelId} (CloudWatch "Embedded metric format
 * specification"); Version is the Lambda version that served the request (`AWS_LAMBDA_FUNCTION_VERSION`
 * behind the alias CodeDeploy shifts). Token names mirror `AWS/Bedrock` and the Converse API usage:
 * `inputTokens` there excludes cache reads and writes, as the price catalog expects.
 *
 * ```ts
 * const tokenMetrics = new Metrics({ namespace: 'Chat', serviceName: 'chat' });
 * const response = await bedrock.send(new ConverseCommand({ modelId, messages }));
 * publishTokenUsage(tokenMetrics, { modelId, version: process.env.AWS_LAMBDA_FUNCTION_VERSION!, usage: response.usage! });
 * ```
 */
export interface ConverseUsage {
  readonly inputTokens?: number;
  readonly outputTokens?: number;
  readonly cacheReadInputTokens?: number;
  readonly cacheWriteInputTokens?: number;
}

export interface TokenUsageRecord {
  readonly modelId: string;
  readonly version: string;
  readonly usage: ConverseUsage;
  readonly failed?: boolean;
}

/** Publishes one request's token metrics (an EMF document on stdout). */
export function publishTokenUsage(metrics: Metrics, request: TokenUsageRecord): void {
  tokenUsageMetrics(metrics, request).publishStoredMetrics();
}

/**
 * Records one request's token metrics on `metrics`, not yet published. Give it a `Metrics` of its own
 * (not `singleMetric()`, which publishes at every `addMetric`), so the service's other metrics keep
 * their dimensions.
 */
export function tokenUsageMetrics(metrics: Metrics, request: TokenUsageRecord): Metrics {
  const single = metrics;
  // Exactly {Version, ModelId}: a CloudWatch query matches a whole dimension set, so the default
  // `service` dimension is left out of these metrics.
  single.clearDefaultDimensions();
  single.addDimension('Version', request.version);
  single.addDimension('ModelId', request.modelId);
  single.addMetric('Invocations', MetricUnit.Count, 1);
  single.addMetric('InputTokenCount', MetricUnit.Count, request.usage.inputTokens ?? 0);
  single.addMetric('OutputTokenCount', MetricUnit.Count, request.usage.outputTokens ?? 0);
  single.addMetric('CacheReadInputTokenCount', MetricUnit.Count, request.usage.cacheReadInputTokens ?? 0);
  single.addMetric('CacheWriteInputTokenCount', MetricUnit.Count, request.usage.cacheWriteInputTokens ?? 0);
  // Failures, for cost per successful request (`per: successful-request`, `errorsFrom` a count metric on `Errors`).
  single.addMetric('Errors', MetricUnit.Count, request.failed ? 1 : 0);
  return single;
}
