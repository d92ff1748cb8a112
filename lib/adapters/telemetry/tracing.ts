import { context, createContextKey, defaultTextMapGetter, defaultTextMapSetter, ROOT_CONTEXT, SpanKind, SpanStatusCode, trace, type Attributes, type Context, type Span } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { AWSXRAY_TRACE_ID_HEADER, AWSXRayPropagator } from '@opentelemetry/propagator-aws-xray';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { SimpleSpanProcessor, TracerProvider, type Span as SdkSpan, type SpanExporter, type SpanProcessor } from '@opentelemetry/sdk-trace';
import type { FinalizeHandlerArguments, HandlerExecutionContext, InitializeHandler, InitializeHandlerArguments, MiddlewareStack } from '@smithy/types';
import type { InvocationTracer } from '../../evaluation/handlers/runtime';

/** The evaluation's identity, on every span of its trace. */
export const EVALUATION_SPAN_ATTRIBUTES = { deploymentId: 'codedeploy.deployment.id', lifecycleEvent: 'codedeploy.lifecycle_event' } as const;

export interface EvaluatorTracingOptions {
  readonly exporter: SpanExporter;
  /** Told of an export that failed or outlasted `flushTimeoutMs`; the invocation goes on. */
  readonly onExportError: (message: string, error: unknown) => void;
  /**
   * The X-Ray trace header this invocation came with. On Lambda with active tracing, the runtime sets
   * `_X_AMZN_TRACE_ID` per invocation; Step Functions with tracing on passes its own to each Task
   * (Step Functions Developer Guide, "AWS X-Ray and Step Functions").
   * @default () => process.env._X_AMZN_TRACE_ID
   */
  readonly incomingTraceHeader?: () => string | undefined;
  /** @default the Lambda function's name (`AWS_LAMBDA_FUNCTION_NAME`), else "canary-evaluator" */
  readonly invocationName?: string;
  /** On every span of an invocation, e.g. the hook's lifecycle event from its environment. @default none */
  readonly attributes?: () => Attributes;
  /** The longest wait for the export after an invocation: the hook must report before its deadline. @default 300 */
  readonly flushTimeoutMs?: number;
}

// Any client's stack: the middleware only reads `$metadata`, which every AWS SDK v3 output has.
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- each client's input and output unions differ
type AnyMiddlewareStack = Pick<MiddlewareStack<any, any>, 'add'>;

const EVALUATION_ATTRIBUTES = createContextKey('canary-evaluator evaluation attributes');
const xray = new AWSXRayPropagator();
const w3c = new W3CTraceContextPropagator();

/**
 * The evaluator's OpenTelemetry trace: each invocation is a span continuing the X-Ray trace it was
 * invoked in (so hook → state machine → Tasks is one trace), AWS SDK calls are child spans, and the
 * deployment id and lifecycle event are on every span. OpenTelemetry rather than the X-Ray SDK: the
 * X-Ray SDKs are in maintenance from 25 February 2026 (AWS X-Ray Developer Guide).
 */
export class EvaluatorTracing implements InvocationTracer {
  private readonly provider: TracerProvider;
  private readonly tracer;
  private readonly incomingTraceHeader: () => string | undefined;

  constructor(private readonly options: EvaluatorTracingOptions) {
    installContextManager();
    const functionName = process.env.AWS_LAMBDA_FUNCTION_NAME;
    this.provider = new TracerProvider({
      resource: resourceFromAttributes({ 'service.name': 'canary-evaluator', 'cloud.provider': 'aws', ...(functionName ? { 'faas.name': functionName } : {}) }),
      spanProcessors: [evaluationAttributesProcessor, new SimpleSpanProcessor({ exporter: options.exporter })],
    });
    this.tracer = this.provider.getTracer('canary-evaluator');
    this.incomingTraceHeader = options.incomingTraceHeader ?? (() => process.env._X_AMZN_TRACE_ID);
  }

  async invocation<R>(event: unknown, body: () => Promise<R>): Promise<R> {
    const attributes = { ...this.options.attributes?.(), ...evaluationAttributes(event) };
    const parent = contextOf(this.incomingTraceHeader()).setValue(EVALUATION_ATTRIBUTES, attributes);
    const name = this.options.invocationName ?? process.env.AWS_LAMBDA_FUNCTION_NAME ?? 'canary-evaluator';
    const span = this.tracer.startSpan(name, { kind: SpanKind.SERVER }, parent);
    try {
      return await context.with(trace.setSpan(parent, span), body);
    } catch (error) {
      failed(span, error);
      throw error;
    } finally {
      span.end();
      await this.flush();
    }
  }

  /** Runs `body` in a span continuing the trace of `traceHeader` (the local run's Step Functions states). */
  async inSpan<R>(name: string, traceHeader: string | undefined, attributes: Attributes, body: () => Promise<R>): Promise<R> {
    return this.tracer.startActiveSpan(name, {}, contextOf(traceHeader).setValue(EVALUATION_ATTRIBUTES, attributes), async (span) => {
      try {
        return await body();
      } catch (error) {
        failed(span, error);
        throw error;
      } finally {
        span.end();
      }
    });
  }

  /** The current span as an X-Ray trace header: what `StartExecution` passes on to the state machine. */
  traceHeader(): string | undefined {
    const carrier: Record<string, string> = {};
    xray.inject(context.active(), carrier, defaultTextMapSetter);
    return carrier[AWSXRAY_TRACE_ID_HEADER];
  }

  /** For every log line: the trace and span it was written in (OpenTelemetry's log correlation fields). */
  logFields(): { trace_id: string; span_id: string } | undefined {
    const span = trace.getActiveSpan()?.spanContext();
    return span && trace.isSpanContextValid(span) ? { trace_id: span.traceId, span_id: span.spanId } : undefined;
  }

  /**
   * A span per AWS SDK call (`CloudWatch.GetMetricData`), and the call's `X-Amzn-Trace-Id` header so
   * the service it calls continues the trace (a smoke test's Lambda invocation does).
   */
  instrument<C extends { middlewareStack: AnyMiddlewareStack }>(client: C): C {
    client.middlewareStack.add(
      (next: InitializeHandler<object, object>, call: HandlerExecutionContext) => async (args: InitializeHandlerArguments<object>) => {
        const service = call.clientName?.replace(/Client$/, '') ?? 'AWS';
        const method = call.commandName?.replace(/Command$/, '') ?? 'call';
        const attributes = { 'rpc.system': 'aws-api', 'rpc.service': service, 'rpc.method': method };
        return this.tracer.startActiveSpan(`${service}.${method}`, { kind: SpanKind.CLIENT, attributes }, async (span) => {
          try {
            const result = await next(args);
            const requestId = (result.output as { $metadata?: { requestId?: string } }).$metadata?.requestId;
            if (requestId) span.setAttribute('aws.request_id', requestId);
            return result;
          } catch (error) {
            failed(span, error);
            throw error;
          } finally {
            span.end();
          }
        });
      },
      { step: 'initialize', name: 'canaryEvaluatorTraceSpan' },
    );
    client.middlewareStack.add(
      (next) => async (args: FinalizeHandlerArguments<object>) => {
        const header = this.traceHeader();
        const request = args.request as { headers?: Record<string, string> };
        if (header && request.headers) request.headers['X-Amzn-Trace-Id'] = header;
        return next(args);
      },
      { step: 'finalizeRequest', name: 'canaryEvaluatorTraceHeader' },
    );
    return client;
  }

  /** Bounded: a slow or failing export is reported and dropped, never waited for past the timeout. */
  private async flush(): Promise<void> {
    const timeoutMs = this.options.flushTimeoutMs ?? 300;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<'timeout'>((resolve) => (timer = setTimeout(() => resolve('timeout'), timeoutMs)));
    try {
      // The provider's own flush timer (30 s by default) would outlive an abandoned export and hold the
      // process open: it ends just after ours.
      const flushed = this.provider.forceFlush({ timeoutMillis: timeoutMs + 5 }).then(() => 'flushed' as const);
      const outcome = await Promise.race([flushed, timeout]);
      if (outcome === 'timeout') this.options.onExportError('trace spans were not exported in time', new Error(`export took longer than ${timeoutMs} ms`));
    } catch (error) {
      this.options.onExportError('trace spans were not exported', error);
    } finally {
      clearTimeout(timer);
    }
  }
}

let contextManagerInstalled = false;

/** Once per process: the context API is global (async_hooks carry the active span across awaits). */
function installContextManager(): void {
  if (contextManagerInstalled) return;
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  contextManagerInstalled = true;
}

function contextOf(traceHeader: string | undefined): Context {
  return traceHeader ? xray.extract(ROOT_CONTEXT, { [AWSXRAY_TRACE_ID_HEADER]: traceHeader }, defaultTextMapGetter) : ROOT_CONTEXT;
}

/** Every span started inside an invocation gets the evaluation's attributes (SDK calls included). */
const evaluationAttributesProcessor: SpanProcessor = {
  onStart: (span: SdkSpan, parent: Context) => span.setAttributes((parent.getValue(EVALUATION_ATTRIBUTES) as Attributes | undefined) ?? {}),
  onEnd: () => undefined,
  forceFlush: async () => undefined,
  shutdown: async () => undefined,
};

function failed(span: Span, error: unknown): void {
  span.recordException(error instanceof Error ? error : String(error));
  span.setStatus({ code: SpanStatusCode.ERROR, message: (error as Error)?.message ?? String(error) });
}

type Json = Record<string, unknown>;

/**
 * The deployment id and lifecycle event of any evaluator event: the hook's CodeDeploy event, the
 * execution input, a Task's `{ input }`, a report's `{ execution }`, a publish's `{ event }`, or the
 * reaper's status change (`detail.input`, a JSON string). Absent when the event names none.
 */
export function evaluationAttributes(event: unknown): Attributes {
  const candidates = [event, field(event, 'input'), field(event, 'execution'), field(event, 'event'), parsed(field(field(event, 'detail'), 'input'))];
  const first = (names: readonly string[]) => candidates.map((c) => names.map((n) => field(c, n)).find((v) => typeof v === 'string')).find((v) => v !== undefined) as string | undefined;
  const deploymentId = first(['deploymentId', 'DeploymentId']);
  const lifecycleEvent = first(['lifecycleEvent']);
  return {
    ...(deploymentId ? { [EVALUATION_SPAN_ATTRIBUTES.deploymentId]: deploymentId } : {}),
    ...(lifecycleEvent ? { [EVALUATION_SPAN_ATTRIBUTES.lifecycleEvent]: lifecycleEvent } : {}),
  };
}

function field(value: unknown, name: string): unknown {
  return typeof value === 'object' && value !== null ? (value as Json)[name] : undefined;
}

function parsed(value: unknown): unknown {
  if (typeof value !== 'string') return undefined;
  try {
    return JSON.parse(value);
  } catch {
    return undefined;
  }
}

/**
 * The active span's trace context as request headers, so a smoke request shows in the service's own
 * traces beside the evaluation's: W3C `traceparent` (W3C Trace Context, for OpenTelemetry-instrumented
 * services) and `X-Amzn-Trace-Id` (X-Ray tracing header, for services X-Ray traces: AWS X-Ray Developer
 * Guide, "Tracing header"). Empty outside a traced invocation.
 */
export function outgoingTraceHeaders(): Record<string, string> {
  const headers: Record<string, string> = {};
  w3c.inject(context.active(), headers, defaultTextMapSetter);
  xray.inject(context.active(), headers, defaultTextMapSetter);
  return headers;
}
