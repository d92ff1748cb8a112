import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import type { HandlerLog, HandlerRuntime, InvocationTracer, Telemetry } from '../../evaluation/handlers/runtime';
import { TELEMETRY_NAMESPACE } from '../../evaluation/contracts';

/**
 * JSON logs through Powertools; the deployment id is the correlation id of every line, and `traceFields`
 * (the active span's trace and span ids) are on every line written inside a span.
 */
export function powertoolsLog(traceFields: () => Record<string, string> | undefined = () => undefined): HandlerLog {
  const logger = new Logger({ serviceName: 'canary-evaluator' });
  return {
    info: (message, details = {}) => logger.info(message, { ...traceFields(), ...details }),
    error: (message, details = {}) => logger.error(message, { ...traceFields(), ...details }),
    setCorrelationId: (id) => logger.setCorrelationId(id),
    addContext: (context) => logger.addContext(context as Parameters<Logger['addContext']>[0]),
  };
}

/** The evaluator's own telemetry, as EMF log lines (no PutMetricData call, no extra IAM). */
export function powertoolsTelemetry(): Telemetry {
  const metrics = new Metrics({ namespace: TELEMETRY_NAMESPACE, serviceName: 'canary-evaluator' });
  let recorded = false;
  const add = (name: string, unit: (typeof MetricUnit)[keyof typeof MetricUnit], value: number) => ((recorded = true), metrics.addMetric(name, unit, value));
  return {
    count: (name, value) => add(name, MetricUnit.Count, value),
    milliseconds: (name, value) => add(name, MetricUnit.Milliseconds, value),
    seconds: (name, value) => add(name, MetricUnit.Seconds, value),
    // Only when something was recorded: Powertools warns on an empty flush.
    flush: () => {
      if (recorded) metrics.publishStoredMetrics();
      recorded = false;
    },
  };
}

/** Powertools logs and EMF metrics; with `tracing`, each invocation a span and every log line its trace id. */
export function powertoolsRuntime(tracing?: InvocationTracer & { logFields(): Record<string, string> | undefined }): HandlerRuntime {
  return { log: powertoolsLog(() => tracing?.logFields()), telemetry: powertoolsTelemetry(), ...(tracing ? { tracer: tracing } : {}) };
}
