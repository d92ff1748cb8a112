import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { LambdaClient } from '@aws-sdk/client-lambda';
import { InMemorySpanExporter } from '@opentelemetry/sdk-trace';
import { CLIENT_CONTEXT_MAX_BYTES, LambdaFunctionInvoker } from '../../lib/adapters/aws/lambda-invoker';
import { PinnedHttpClient } from '../../lib/adapters/http/pinned-http-client';
import { EvaluatorTracing, outgoingTraceHeaders } from '../../lib/adapters/telemetry/tracing';
import { version } from '../../package.json';

/**
 * Issue 28 item 3: a smoke request shows in the service's own traces next to the evaluation's — it carries
 * the invocation's trace context (W3C `traceparent`, X-Ray `X-Amzn-Trace-Id`) and says who sent it.
 */
const ROOT = '1-67891233-abcdef012345678912345678';
const LAMBDA_HEADER = `Root=${ROOT};Parent=53995c3f42cd8ad8;Sampled=1`;

let server: Server;
let port: number;
const received: IncomingHttpHeaders[] = [];
beforeAll(async () => {
  server = createServer((request, response) => {
    received.push(request.headers);
    response.end('{}');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as AddressInfo).port;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));
beforeEach(() => (received.length = 0));

// The smoke Lambda's wiring (lambdas/smoke/index.ts), against a local server the test allows.
const client = new PinnedHttpClient({
  lookup: async () => [{ address: '127.0.0.1', family: 4 }],
  addressProblem: () => undefined,
  defaultHeaders: () => ({ 'User-Agent': `canary-evaluator/${version}`, ...outgoingTraceHeaders() }),
});
const get = (headers: Record<string, string> = {}) => ({ url: `http://orders.example.com:${port}/health`, method: 'GET' as const, headers, timeoutMs: 2000 });

describe('smoke requests carry the evaluation\'s trace context', () => {
  test('inside an invocation: traceparent and X-Amzn-Trace-Id of the invocation\'s trace, and a canary-evaluator User-Agent', async () => {
    const tracing = new EvaluatorTracing({ exporter: new InMemorySpanExporter(), incomingTraceHeader: () => LAMBDA_HEADER, onExportError: () => undefined });
    await tracing.invocation({}, () => client.request(get()));
    const [headers] = received;
    expect(headers['user-agent']).toBe(`canary-evaluator/${version}`);
    // W3C Trace Context: version-traceid-spanid-flags; the X-Ray root's 32 hex digits are the trace id.
    expect(headers.traceparent).toMatch(new RegExp(`^00-${ROOT.slice(2).replace('-', '')}-[0-9a-f]{16}-01$`));
    expect(headers['x-amzn-trace-id']).toMatch(new RegExp(`^Root=${ROOT};Parent=[0-9a-f]{16};Sampled=1$`));
    // The parent is the invocation's own span, the same in both headers.
    expect(String(headers.traceparent).split('-')[2]).toBe(/Parent=([0-9a-f]{16})/.exec(String(headers['x-amzn-trace-id']))![1]);
  });

  test('a header the smoke test sets is its own (names compared case-insensitively)', async () => {
    await client.request(get({ 'user-agent': 'orders-probe/1', Traceparent: '00-11111111111111111111111111111111-2222222222222222-01' }));
    const [headers] = received;
    expect(headers['user-agent']).toBe('orders-probe/1');
    expect(headers.traceparent).toBe('00-11111111111111111111111111111111-2222222222222222-01');
  });

  test('outside a traced invocation there is no trace context to send, only the User-Agent', async () => {
    expect(outgoingTraceHeaders()).toEqual({});
    await client.request(get());
    expect(received[0]['user-agent']).toBe(`canary-evaluator/${version}`);
    expect(received[0].traceparent).toBeUndefined();
  });
});

describe("Lambda smoke invocations carry the evaluation's trace context", () => {
  /** A real Lambda client (its middleware runs, as in the smoke Lambda) whose HTTP layer records each Invoke request's headers. */
  function recordingLambdaClient(sent: Array<Record<string, string>>): LambdaClient {
    return new LambdaClient({
      region: 'us-east-1',
      credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret' },
      requestHandler: {
        handle: async (request: { headers: Record<string, string> }) => {
          sent.push({ ...request.headers });
          return { response: { statusCode: 200, headers: { 'x-amzn-requestid': 'req-1' }, body: new TextEncoder().encode('{"ok":true}') } };
        },
      },
    });
  }
  const clientContextOf = (headers: Record<string, string>) => {
    const name = Object.keys(headers).find((key) => key.toLowerCase() === 'x-amz-client-context');
    return name === undefined ? undefined : JSON.parse(Buffer.from(headers[name], 'base64').toString('utf8'));
  };

  test('inside an invocation: X-Amzn-Trace-Id on the Invoke request, traceparent and X-Amzn-Trace-Id in ClientContext.Custom, all of one trace', async () => {
    const sent: Array<Record<string, string>> = [];
    const tracing = new EvaluatorTracing({ exporter: new InMemorySpanExporter(), incomingTraceHeader: () => LAMBDA_HEADER, onExportError: () => undefined });
    // The smoke Lambda's wiring (lambdas/smoke/index.ts).
    const invoker = new LambdaFunctionInvoker(tracing.instrument(recordingLambdaClient(sent)), { traceContext: outgoingTraceHeaders });
    const result = await tracing.invocation({}, () => invoker.invoke('orders-fn', '7', '{}'));
    expect(result).toEqual({ payload: '{"ok":true}' });
    const [headers] = sent;
    expect(headers['X-Amzn-Trace-Id']).toMatch(new RegExp(`^Root=${ROOT};Parent=[0-9a-f]{16};Sampled=1$`));
    const context = clientContextOf(headers);
    expect(Object.keys(context)).toEqual(['Custom']);
    expect(context.Custom.traceparent).toMatch(new RegExp(`^00-${ROOT.slice(2).replace('-', '')}-[0-9a-f]{16}-01$`));
    expect(context.Custom['x-amzn-trace-id']).toMatch(new RegExp(`^Root=${ROOT};Parent=[0-9a-f]{16};Sampled=1$`));
  });

  test('outside a traced invocation: no ClientContext; a context beyond the 3,583 bytes Lambda takes is left out, not sent to fail', async () => {
    const sent: Array<Record<string, string>> = [];
    await new LambdaFunctionInvoker(recordingLambdaClient(sent), { traceContext: outgoingTraceHeaders }).invoke('orders-fn', '7', '{}');
    await new LambdaFunctionInvoker(recordingLambdaClient(sent), { traceContext: () => ({ baggage: 'x'.repeat(CLIENT_CONTEXT_MAX_BYTES) }) }).invoke('orders-fn', '7', '{}');
    await new LambdaFunctionInvoker(recordingLambdaClient(sent), { traceContext: () => ({ traceparent: '00-11111111111111111111111111111111-2222222222222222-01' }) }).invoke('orders-fn', '7', '{}');
    expect(sent.map(clientContextOf)).toEqual([undefined, undefined, { Custom: { traceparent: '00-11111111111111111111111111111111-2222222222222222-01' } }]);
  });
});
