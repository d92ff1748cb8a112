import { powertoolsRuntime } from '../lib/adapters/aws/powertools';
import { EVALUATION_SPAN_ATTRIBUTES, EvaluatorTracing } from '../lib/adapters/telemetry/tracing';
import { TRACE_EXPORT_TIMEOUT_MS, XRayOtlpSpanExporter } from '../lib/adapters/telemetry/xray-otlp-exporter';
import { HOOK_ENVIRONMENT } from '../lib/evaluation/contracts';
import type { HandlerRuntime } from '../lib/evaluation/handlers/runtime';

const lifecycleEvent = process.env[HOOK_ENVIRONMENT.lifecycleEvent];
const logExportError = (message: string, error: unknown) => runtime.log.error(message, { error: String(error) });
/** One OpenTelemetry tracer per container; a failed export is logged, never thrown. */
export const tracing = new EvaluatorTracing({
  exporter: new XRayOtlpSpanExporter({ onError: logExportError }),
  onExportError: logExportError,
  flushTimeoutMs: TRACE_EXPORT_TIMEOUT_MS,
  // The hook's lifecycle event is in its environment; the Tasks' is in their input.
  attributes: () => (lifecycleEvent ? { [EVALUATION_SPAN_ATTRIBUTES.lifecycleEvent]: lifecycleEvent } : {}),
});

/** One Powertools logger, EMF telemetry and the tracer per container. */
export const runtime: HandlerRuntime = powertoolsRuntime(tracing);

/** An AWS SDK client whose calls are spans of the invocation's trace. */
export const traced = <C extends Parameters<EvaluatorTracing['instrument']>[0]>(client: C): C => tracing.instrument(client);

/** An environment variable the construct always sets; a missing one is a deployment error. */
export function requiredEnv(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`environment variable ${name} is not set; deploy this function with the CanaryEvaluator construct`);
  return value;
}

/** Builds the handler on the first invocation (clients are created once per container), then calls it. */
export function lazyHandler<H extends (event: unknown, context?: unknown) => Promise<unknown>>(build: () => H) {
  let wired: H | undefined;
  return (event: unknown, context?: unknown) => (wired ??= build())(event, context);
}

