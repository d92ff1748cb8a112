/**
 * What every evaluator handler needs from its runtime, as ports: a structured log and the evaluator's
 * own telemetry. The Lambdas bind Powertools (`lib/adapters/aws/powertools.ts`); tests and the local
 * simulation bind their own or nothing.
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

export interface HandlerRuntime {
  readonly log: HandlerLog;
  readonly telemetry: Telemetry;
}

export const NO_TELEMETRY: Telemetry = { count: () => undefined, milliseconds: () => undefined, seconds: () => undefined, flush: () => undefined };

export const SILENT_LOG: HandlerLog = { info: () => undefined, error: () => undefined, setCorrelationId: () => undefined, addContext: () => undefined };

export const SILENT_RUNTIME: HandlerRuntime = { log: SILENT_LOG, telemetry: NO_TELEMETRY };

/**
 * The one wrapper of the evaluator's handlers: the Lambda context on every log line, and the telemetry
 * flushed in `finally`, so the figures of a step that threw are not lost.
 */
export function wrapHandler<R>(runtime: HandlerRuntime, body: (event: unknown) => Promise<R>): (event: unknown, context?: unknown) => Promise<R> {
  return async (event, context) => {
    if (context !== undefined) runtime.log.addContext(context);
    try {
      return await body(event);
    } finally {
      runtime.telemetry.flush();
    }
  };
}
