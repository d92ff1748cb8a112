import type { SpanExporter } from '@opentelemetry/sdk-trace';
import { EVALUATION_SPAN_ATTRIBUTES, EvaluatorTracing, evaluationAttributes } from '../adapters/telemetry/tracing';
import { NO_TELEMETRY, SILENT_LOG, type HandlerRuntime } from '../evaluation/handlers/runtime';

/**
 * The local run's trace, carried the way AWS carries it. On AWS: CodeDeploy invokes the hook Lambda,
 * whose active tracing starts the trace; the hook's `StartExecution` passes its trace header; Step
 * Functions with tracing enabled records a segment per state and invokes each Task's Lambda with a
 * header whose parent is that state's segment, which Lambda hands the function as `_X_AMZN_TRACE_ID`
 * (Step Functions Developer Guide, "AWS X-Ray and Step Functions"). Locally: the header the hook would
 * send is kept, a span per Task state stands in for Step Functions' segment, and each handler reads
 * its incoming header from here instead of the environment. The reaper (EventBridge → report Lambda)
 * starts a trace of its own, as on AWS: the status-change event carries no trace header.
 */
export class SimulatedTracing {
  readonly tracing: EvaluatorTracing;
  readonly runtime: HandlerRuntime;
  private incoming: string | undefined;
  private hookLifecycleEvent: string | undefined;

  constructor(exporter: SpanExporter, onExportError: (message: string, error: unknown) => void) {
    this.tracing = new EvaluatorTracing({
      exporter,
      onExportError,
      incomingTraceHeader: () => this.incoming,
      // As the hook Lambda's environment names its lifecycle event (lambdas/shared.ts).
      attributes: () => (this.hookLifecycleEvent ? { [EVALUATION_SPAN_ATTRIBUTES.lifecycleEvent]: this.hookLifecycleEvent } : {}),
      invocationName: 'canary-evaluator',
    });
    this.runtime = { log: SILENT_LOG, telemetry: NO_TELEMETRY, tracer: this.tracing };
  }

  /** The header `StartExecution` sends: the hook's current span. */
  executionTraceHeader(): string | undefined {
    return this.tracing.traceHeader();
  }

  /** CodeDeploy's invocation of the hook Lambda: no trace header, so the hook's span starts the trace. */
  async hook<R>(lifecycleEvent: string, invoke: () => Promise<R>): Promise<R> {
    this.incoming = undefined;
    this.hookLifecycleEvent = lifecycleEvent;
    try {
      return await invoke();
    } finally {
      this.hookLifecycleEvent = undefined;
    }
  }

  /** The reaper's invocation (EventBridge → report Lambda): its own trace, the event carries no header. */
  untraced<R>(invoke: () => Promise<R>): Promise<R> {
    this.incoming = undefined;
    return invoke();
  }

  /** A Task as Step Functions runs it: in the state's span, the Lambda invoked with a header naming that span. */
  task<R>(state: string, executionTraceHeader: string | undefined, input: unknown, invoke: () => Promise<R>): Promise<R> {
    return this.tracing.inSpan(state, executionTraceHeader, evaluationAttributes(input), async () => {
      this.incoming = this.tracing.traceHeader();
      try {
        return await invoke();
      } finally {
        this.incoming = undefined;
      }
    });
  }
}
