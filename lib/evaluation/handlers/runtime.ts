/**
 * What every evaluator handler needs from its runtime, as ports: a structured log, the evaluator's
 * own telemetry and, optionally, its trace. The Lambdas bind Powertools (`lib/adapters/aws/powertools.ts`)
 * and OpenTelemetry (`lib/adapters/telemetry`); tests and the local simulation bind their own or nothing.
 */
export interface HandlerLog {
  info(message: string, details?: Record<string, unknown>): void;
  error(message: string, details?: Record<string, unknown>): void;
  /** Every later line of this invocation carries it (the deployment id). */
  setCorrelationId(id: string): void;
  /** The Lambda context (request id, function name, cold start) on every line of this invocation. */
  addContext(context: unknown): void;
}

export interface Telemetry {
  count(name: string, value: number): void;
  milliseconds(name: string, value: number): void;
  seconds(name: string, value: number): void;
  /** Writes what was recorded (one EMF line); the wrapper calls it once per invocation. */
  flush(): void;
}

/** Each invocation in one span of the evaluation's trace (the span continues the trace it was invoked in). */
export interface InvocationTracer {
  /** Settles as `body` does; exporting the spans is bounded in time and never throws. */
  invocation<R>(event: unknown, body: () => Promise<R>): Promise<R>;
}

export interface HandlerRuntime {
  readonly log: HandlerLog;
  readonly telemetry: Telemetry;
  /** @default - no spans */
  readonly tracer?: InvocationTracer;
}

export const NO_TELEMETRY: Telemetry = { count: () => undefined, milliseconds: () => undefined, seconds: () => undefined, flush: () => undefined };

export const SILENT_LOG: HandlerLog = { info: () => undefined, error: () => undefined, setCorrelationId: () => undefined, addContext: () => undefined };

export const SILENT_RUNTIME: HandlerRuntime = { log: SILENT_LOG, telemetry: NO_TELEMETRY };

/**
 * The one wrapper of the evaluator's handlers: the Lambda context on every log line, the invocation in
 * its span, and the telemetry flushed in `finally`, so the figures of a step that threw are not lost.
 */
export function wrapHandler<R>(runtime: HandlerRuntime, body: (event: unknown) => Promise<R>): (event: unknown, context?: unknown) => Promise<R> {
  return async (event, context) => {
    if (context !== undefined) runtime.log.addContext(context);
    const run = async () => {
      try {
        return await body(event);
      } finally {
        runtime.telemetry.flush();
      }
    };
    return runtime.tracer ? runtime.tracer.invocation(event, run) : run();
  };
}
