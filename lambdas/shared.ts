import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';

/** JSON logs through Powertools; the deployment id is the correlation id of every line. */
export const logger = new Logger({ serviceName: 'canary-evaluator' });

/**
 * The evaluator's own telemetry, as EMF log lines (no PutMetricData call, no extra IAM). A namespace of its
 * own: `CanaryEvaluator` holds the verdict metrics only (`lib/evaluation/verdict-metric.ts`).
 */
export const TELEMETRY_NAMESPACE = 'CanaryEvaluatorTelemetry';

export interface Telemetry {
  count(name: string, value: number): void;
  milliseconds(name: string, value: number): void;
  seconds(name: string, value: number): void;
  /** Writes what was recorded (one EMF line); call once per invocation. */
  flush(): void;
}

export function powertoolsTelemetry(): Telemetry {
  const metrics = new Metrics({ namespace: TELEMETRY_NAMESPACE, serviceName: 'canary-evaluator' });
  return {
    count: (name, value) => metrics.addMetric(name, MetricUnit.Count, value),
    milliseconds: (name, value) => metrics.addMetric(name, MetricUnit.Milliseconds, value),
    seconds: (name, value) => metrics.addMetric(name, MetricUnit.Seconds, value),
    flush: () => metrics.publishStoredMetrics(),
  };
}

export const NO_TELEMETRY: Telemetry = { count: () => undefined, milliseconds: () => undefined, seconds: () => undefined, flush: () => undefined };

/** The logger as the evaluation steps' small log port. */
export const stepLog = {
  info: (message: string, details: Record<string, unknown> = {}) => logger.info(message, details),
  error: (message: string, details: Record<string, unknown> = {}) => logger.error(message, details),
};

/** An environment variable the construct always sets; a missing one is a deployment error. */
export function requiredEnv(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`environment variable ${name} is not set; deploy this function with the CanaryEvaluator construct`);
  return value;
}
