import { LambdaClient } from '@aws-sdk/client-lambda';
import { InMemorySpanExporter, type ReadableSpan } from '@opentelemetry/sdk-trace';
import { LambdaFunctionInvoker } from '../../lib/adapters/aws/lambda-invoker';
import { EVALUATION_SPAN_ATTRIBUTES } from '../../lib/adapters/telemetry/tracing';
import { STATE } from '../../lib/constructs';
import { parsePolicy } from '../../lib/policy';
import { synthesizeEvaluationDefinition } from '../../lib/simulate/definition';
import { simulateDeployment } from '../../lib/simulate/deployment';
import { SteadyMetricSource } from '../../lib/simulate/steady-metric-source';
import { SimulatedTracing } from '../../lib/simulate/tracing';

const definition = synthesizeEvaluationDefinition();
const START = new Date('2026-11-26T10:00:00Z');
const baseline = { requestsPerMinute: 900, errorRate: 0.01, p99Ms: 300 };
const metrics = new SteadyMetricSource({ '1': baseline, '2': { ...baseline, requestsPerMinute: 100 } });
const policy = parsePolicy({
  metrics: [{ preset: 'lambda-error-rate', method: { type: 'threshold', maxRatioToBaseline: 2, failureLimit: 2 } }],
  smokeTests: [{ name: 'health', expect: { statusCode: 200 } }],
  bake: { duration: '3m', period: '60s' },
  metricLag: '2m',
});

/** A real Lambda client (its middleware runs) whose HTTP layer answers every Invoke with `{ "statusCode": 200 }`. */
function answeringLambdaClient(sentTraceHeaders: string[]): LambdaClient {
  return new LambdaClient({
    region: 'us-east-1',
    credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret' },
    requestHandler: {
      handle: async (request: { headers: Record<string, string> }) => {
        sentTraceHeaders.push(request.headers['X-Amzn-Trace-Id']);
        return { response: { statusCode: 200, headers: { 'x-amzn-requestid': 'req-1' }, body: new TextEncoder().encode('{"statusCode":200}') } };
      },
    },
  });
}

describe('one simulated evaluation is one trace', () => {
  const exporter = new InMemorySpanExporter();
  const exportErrors: unknown[] = [];
  const tracing = new SimulatedTracing(exporter, (_message, error) => exportErrors.push(error));
  const sentTraceHeaders: string[] = [];
  let spans: ReadableSpan[];
  let sweepSpans: ReadableSpan[];
  let statesEntered: readonly string[];

  beforeAll(async () => {
    const invoker = new LambdaFunctionInvoker(tracing.tracing.instrument(answeringLambdaClient(sentTraceHeaders)));
    const result = await simulateDeployment(definition, {
      deploymentId: 'd-TRACE0001',
      start: START,
      appSpec: { functionName: 'orders', alias: 'live', currentVersion: '1', targetVersion: '2' },
      policy,
      metrics,
      invoker,
      tracing,
    });
    expect(result.reports.map((r) => r.status)).toEqual(['Succeeded']);
    // The scheduled sweep that runs after the execution ends is its own trace, as on AWS (an EventBridge
    // schedule starts it): it is set apart here, and everything else must be the evaluation's one trace.
    const all = exporter.getFinishedSpans();
    const sweepRoots = all.filter((span) => !span.parentSpanContext && span.attributes[EVALUATION_SPAN_ATTRIBUTES.deploymentId] === undefined);
    const sweepTraces = new Set(sweepRoots.map((span) => span.spanContext().traceId));
    sweepSpans = all.filter((span) => sweepTraces.has(span.spanContext().traceId));
    spans = all.filter((span) => !sweepTraces.has(span.spanContext().traceId));
    statesEntered = result.execution.statesEntered;
  });

  test('each sweep after the execution (the next one, and the first past the publication grace) is a separate trace of its own', () => {
    const roots = sweepSpans.filter((span) => !span.parentSpanContext);
    expect(roots).toHaveLength(2);
    expect(new Set(sweepSpans.map((span) => span.spanContext().traceId)).size).toBe(2);
  });

  test('every span shares the hook span’s trace id, and only the hook span has no parent', () => {
    const roots = spans.filter((span) => !span.parentSpanContext);
    expect(roots.map((span) => span.name)).toEqual(['canary-evaluator']);
    const traceId = roots[0].spanContext().traceId;
    expect(new Set(spans.map((span) => span.spanContext().traceId))).toEqual(new Set([traceId]));
    expect(exportErrors).toEqual([]);
  });

  test('each Task state is a span whose child is the handler’s invocation, and parents resolve within the trace', () => {
    const byId = new Map(spans.map((span) => [span.spanContext().spanId, span]));
    const taskSpans = spans.filter((span) => (Object.values(STATE) as string[]).includes(span.name));
    const tasksEntered = statesEntered.filter((state) => [STATE.prepare, STATE.postSmoke, STATE.evaluate, STATE.report, STATE.publish].includes(state as never));
    expect(taskSpans.map((span) => span.name).sort()).toEqual([...tasksEntered].sort());
    for (const task of taskSpans) {
      const invocations = spans.filter((span) => span.parentSpanContext?.spanId === task.spanContext().spanId);
      expect(invocations.map((span) => span.name)).toEqual(['canary-evaluator']);
    }
    for (const span of spans.filter((s) => s.parentSpanContext)) expect(byId.has(span.parentSpanContext!.spanId)).toBe(true);
  });

  test('the smoke test’s Lambda Invoke is a client span under the smoke Task, and carries the trace on the wire', () => {
    const invoke = spans.filter((span) => span.name === 'Lambda.Invoke');
    expect(invoke).toHaveLength(1);
    expect(invoke[0].attributes).toMatchObject({ 'rpc.system': 'aws-api', 'rpc.service': 'Lambda', 'rpc.method': 'Invoke', 'aws.request_id': 'req-1' });
    const byId = new Map(spans.map((span) => [span.spanContext().spanId, span]));
    const invocation = byId.get(invoke[0].parentSpanContext!.spanId)!;
    expect(byId.get(invocation.parentSpanContext!.spanId)?.name).toBe(STATE.postSmoke);
    const { traceId, spanId } = invoke[0].spanContext();
    expect(sentTraceHeaders).toEqual([`Root=1-${traceId.slice(0, 8)}-${traceId.slice(8)};Parent=${spanId};Sampled=1`]);
  });

  test('the deployment id and the lifecycle event are on every span', () => {
    expect(spans.length).toBeGreaterThan(8);
    for (const span of spans) {
      expect([span.name, span.attributes[EVALUATION_SPAN_ATTRIBUTES.deploymentId]]).toEqual([span.name, 'd-TRACE0001']);
    }
    // The hook knows its lifecycle event from its environment (lambdas/shared.ts); the Tasks from the execution input.
    for (const span of spans) expect([span.name, span.attributes[EVALUATION_SPAN_ATTRIBUTES.lifecycleEvent]]).toEqual([span.name, 'AfterAllowTraffic']);
  });
});
