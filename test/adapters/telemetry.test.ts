import { createSocket } from 'node:dgram';
import { SpanStatusCode } from '@opentelemetry/api';
import { ExportResultCode, type ExportResult } from '@opentelemetry/core';
import { InMemorySpanExporter, type ReadableSpan, type SpanExporter } from '@opentelemetry/sdk-trace';
import { powertoolsRuntime } from '../../lib/adapters/aws/powertools';
import { EVALUATION_SPAN_ATTRIBUTES, EvaluatorTracing, evaluationAttributes } from '../../lib/adapters/telemetry/tracing';
import { OTLP_SPANS_PREFIX, XRAY_DAEMON_HEADER, XRayDaemonSpanExporter } from '../../lib/adapters/telemetry/xray-daemon-exporter';
import { wrapHandler } from '../../lib/evaluation/handlers/runtime';

const LAMBDA_HEADER = 'Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1';
const TRACE_ID = '5759e988bd862e3fe1be46a994272793';

function tracingWith(exporter: SpanExporter, header: string | undefined, exportErrors: string[] = [], flushTimeoutMs?: number) {
  return new EvaluatorTracing({ exporter, incomingTraceHeader: () => header, onExportError: (message) => exportErrors.push(message), ...(flushTimeoutMs ? { flushTimeoutMs } : {}) });
}

describe('log lines carry the trace id', () => {
  test('every line written in an invocation has the trace and span ids of its span (and Powertools’ X-Ray trace id)', async () => {
    const exporter = new InMemorySpanExporter();
    const tracing = tracingWith(exporter, LAMBDA_HEADER);
    const previous = { level: process.env.POWERTOOLS_LOG_LEVEL, trace: process.env._X_AMZN_TRACE_ID };
    process.env.POWERTOOLS_LOG_LEVEL = 'INFO';
    process.env._X_AMZN_TRACE_ID = LAMBDA_HEADER;
    const written: string[] = [];
    const capture = (chunk: string | Uint8Array) => (written.push(String(chunk)), true);
    const writes = [jest.spyOn(process.stdout, 'write').mockImplementation(capture), jest.spyOn(process.stderr, 'write').mockImplementation(capture)];
    try {
      const runtime = powertoolsRuntime(tracing);
      const handler = wrapHandler(runtime, async () => {
        runtime.log.setCorrelationId('d-LOGS00001');
        runtime.log.info('evaluation planned', { plan: 'bake' });
        runtime.log.error('something failed', { error: 'boom' });
      });
      await handler({ deploymentId: 'd-LOGS00001' });
    } finally {
      for (const write of writes) write.mockRestore();
      process.env.POWERTOOLS_LOG_LEVEL = previous.level;
      if (previous.trace === undefined) delete process.env._X_AMZN_TRACE_ID;
      else process.env._X_AMZN_TRACE_ID = previous.trace;
    }
    const lines = written.join('').trim().split('\n').map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(lines.map((line) => line.message)).toEqual(['evaluation planned', 'something failed']);
    const [span] = exporter.getFinishedSpans();
    for (const line of lines) {
      expect(line).toMatchObject({ trace_id: TRACE_ID, span_id: span.spanContext().spanId, xray_trace_id: '1-5759e988-bd862e3fe1be46a994272793', correlation_id: 'd-LOGS00001' });
    }
  });

  test('outside a span a line has no trace fields (nothing made up)', () => {
    const tracing = tracingWith(new InMemorySpanExporter(), undefined);
    expect(tracing.logFields()).toBeUndefined();
  });
});

describe('EvaluatorTracing', () => {
  test('an invocation continues the Lambda trace header: same trace, Lambda’s segment as parent, evaluation attributes', async () => {
    const exporter = new InMemorySpanExporter();
    const tracing = tracingWith(exporter, LAMBDA_HEADER);
    const header = await tracing.invocation({ input: { deploymentId: 'd-ATTR00001', lifecycleEvent: 'BeforeAllowTraffic' } }, async () => tracing.traceHeader());
    const [span] = exporter.getFinishedSpans();
    expect(span.spanContext().traceId).toBe(TRACE_ID);
    expect(span.parentSpanContext?.spanId).toBe('53995c3f42cd8ad8');
    expect(span.attributes).toEqual({ [EVALUATION_SPAN_ATTRIBUTES.deploymentId]: 'd-ATTR00001', [EVALUATION_SPAN_ATTRIBUTES.lifecycleEvent]: 'BeforeAllowTraffic' });
    expect(header).toBe(`Root=1-5759e988-bd862e3fe1be46a994272793;Parent=${span.spanContext().spanId};Sampled=1`);
  });

  test('a header that says not sampled records no span (X-Ray’s sampling decision stands)', async () => {
    const exporter = new InMemorySpanExporter();
    const tracing = tracingWith(exporter, LAMBDA_HEADER.replace('Sampled=1', 'Sampled=0'));
    await tracing.invocation({}, async () => undefined);
    expect(exporter.getFinishedSpans()).toEqual([]);
  });

  test('a failing invocation rejects as it did, its span marked as an error', async () => {
    const exporter = new InMemorySpanExporter();
    const tracing = tracingWith(exporter, LAMBDA_HEADER);
    await expect(tracing.invocation({}, async () => Promise.reject(new Error('GetMetricData throttled')))).rejects.toThrow('GetMetricData throttled');
    const [span] = exporter.getFinishedSpans();
    expect(span.status).toEqual({ code: SpanStatusCode.ERROR, message: 'GetMetricData throttled' });
    expect(span.events.map((event) => event.name)).toEqual(['exception']);
  });

  test('an export that never completes is reported and abandoned after the flush timeout; the result stands', async () => {
    const hanging: SpanExporter = { export: () => undefined, shutdown: async () => undefined };
    const errors: string[] = [];
    const tracing = tracingWith(hanging, LAMBDA_HEADER, errors, 20);
    await expect(tracing.invocation({}, async () => 'reported')).resolves.toBe('reported');
    expect(errors).toEqual(['trace spans were not exported in time']);
  });

  test('an export that fails is reported, never thrown', async () => {
    const failing: SpanExporter = { export: (_spans, done: (result: ExportResult) => void) => done({ code: ExportResultCode.FAILED, error: new Error('no daemon') }), shutdown: async () => undefined };
    const tracing = tracingWith(failing, LAMBDA_HEADER);
    await expect(tracing.invocation({}, async () => 'reported')).resolves.toBe('reported');
  });
});

describe('evaluationAttributes', () => {
  test.each([
    ['the hook’s CodeDeploy event', { DeploymentId: 'd-1', LifecycleEventHookExecutionId: 'h' }, { [EVALUATION_SPAN_ATTRIBUTES.deploymentId]: 'd-1' }],
    ['the execution input', { deploymentId: 'd-2', lifecycleEvent: 'AfterAllowTraffic' }, { [EVALUATION_SPAN_ATTRIBUTES.deploymentId]: 'd-2', [EVALUATION_SPAN_ATTRIBUTES.lifecycleEvent]: 'AfterAllowTraffic' }],
    ['a report request', { mode: 'verdict', execution: { deploymentId: 'd-3', lifecycleEvent: 'BeforeAllowTraffic' } }, { [EVALUATION_SPAN_ATTRIBUTES.deploymentId]: 'd-3', [EVALUATION_SPAN_ATTRIBUTES.lifecycleEvent]: 'BeforeAllowTraffic' }],
    ['the reaper’s status change', { detail: { input: JSON.stringify({ deploymentId: 'd-4', lifecycleEvent: 'AfterAllowTraffic' }) } }, { [EVALUATION_SPAN_ATTRIBUTES.deploymentId]: 'd-4', [EVALUATION_SPAN_ATTRIBUTES.lifecycleEvent]: 'AfterAllowTraffic' }],
    ['an event naming no deployment', { detail: { input: 'not json' } }, {}],
  ])('%s', (_case, event, expected) => expect(evaluationAttributes(event)).toEqual(expected));
});

describe('XRayDaemonSpanExporter', () => {
  async function spansOf(count: number, attributeBytes = 0): Promise<ReadableSpan[]> {
    const exporter = new InMemorySpanExporter();
    const tracing = tracingWith(exporter, LAMBDA_HEADER);
    await tracing.invocation({}, async () => {
      for (let i = 1; i < count; i++) await tracing.inSpan('child', LAMBDA_HEADER, { padding: 'x'.repeat(attributeBytes) }, async () => undefined);
    });
    return exporter.getFinishedSpans();
  }

  test('sends one datagram: the daemon header line, then T1S and the base64 OTLP request', async () => {
    const server = createSocket('udp4');
    await new Promise<void>((resolve) => server.bind(0, '127.0.0.1', resolve));
    const received = new Promise<string>((resolve) => server.once('message', (message) => resolve(message.toString())));
    const errors: unknown[] = [];
    const exporter = new XRayDaemonSpanExporter((_message, error) => errors.push(error), `127.0.0.1:${server.address().port}`);
    const spans = await spansOf(1);
    const result = await new Promise<ExportResult>((resolve) => exporter.export(spans, resolve));
    const message = await received;
    server.close();
    expect(result.code).toBe(ExportResultCode.SUCCESS);
    const [header, body] = message.split('\n');
    expect(header).toBe(XRAY_DAEMON_HEADER);
    expect(body.startsWith(OTLP_SPANS_PREFIX)).toBe(true);
    const otlp = Buffer.from(body.slice(OTLP_SPANS_PREFIX.length), 'base64');
    // The OTLP protobuf holds the span's trace id as raw bytes and its name as text.
    expect(otlp.includes(Buffer.from(TRACE_ID, 'hex'))).toBe(true);
    expect(otlp.includes(Buffer.from('canary-evaluator'))).toBe(true);
    expect(errors).toEqual([]);
  });

  test('spans it cannot serialize fail the export, reported, never thrown', () => {
    const errors: unknown[] = [];
    const exporter = new XRayDaemonSpanExporter((_message, error) => errors.push(error), '127.0.0.1:9');
    const results: ExportResult[] = [];
    exporter.export([{ name: 'not a span' } as unknown as ReadableSpan], (result) => results.push(result));
    expect(results.map((r) => r.code)).toEqual([ExportResultCode.FAILED]);
    expect(errors).toHaveLength(1);
  });

  test('a batch too large for one datagram fails with the sizes, reported and not sent', async () => {
    const errors: string[] = [];
    const exporter = new XRayDaemonSpanExporter((_message, error) => errors.push((error as Error).message), '127.0.0.1:9');
    const spans = await spansOf(10, 8000);
    const result = await new Promise<ExportResult>((resolve) => exporter.export(spans, resolve));
    expect(result.code).toBe(ExportResultCode.FAILED);
    expect(errors).toEqual([expect.stringMatching(/^10 spans make a \d+-byte datagram \(at most 65507\)$/)]);
  });

  test.each(['localhost', ':2000', '127.0.0.1:http', '127.0.0.1:70000'])('AWS_XRAY_DAEMON_ADDRESS %s is refused with what is expected', (address) => {
    expect(() => new XRayDaemonSpanExporter(() => undefined, address)).toThrow(`AWS_XRAY_DAEMON_ADDRESS is "${address}"; expected host:port, e.g. 127.0.0.1:2000`);
  });
});
