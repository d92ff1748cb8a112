import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { parsePolicy } from '../../lib/policy';

const s3 = mockClient(S3Client);
const policy = parsePolicy({ metrics: [{ preset: 'lambda-error-rate' }], bake: { duration: '10m', period: '60s' }, metricLag: '3m' });
const target = { type: 'lambda', functionName: 'orders', alias: 'live', currentVersion: '1', targetVersion: '2' };
const hook = { deploymentId: 'd-WIRE00001', lifecycleEventHookExecutionId: 'hook', lifecycleEvent: 'AfterAllowTraffic', applicationName: 'orders-app', deploymentGroupName: 'orders-group' };
const input = { ...hook, target, policyRef: { bucket: 'assets', key: 'prepare.json' }, hookInvokedAt: '2026-11-26T10:00:00.000Z', deploymentCreatedAt: '2026-11-26T09:50:00.000Z' };

describe('a deployed handler sends its spans to the X-Ray OTLP traces endpoint, signed as its role (issue 24 item 8)', () => {
  let endpoint: Server;
  const received: Array<{ path: string; headers: IncomingHttpHeaders; body: string }> = [];
  const previous = { ...process.env };

  beforeAll(async () => {
    endpoint = createServer((request, response) => {
      let body = '';
      request.on('data', (chunk: Buffer) => (body += chunk.toString()));
      request.on('end', () => {
        received.push({ path: request.url ?? '', headers: request.headers, body });
        response.writeHead(200, { 'content-type': 'application/json' }).end('{}');
      });
    });
    await new Promise<void>((resolve) => endpoint.listen(0, '127.0.0.1', resolve));
    // On Lambda the endpoint is https://xray.<AWS_REGION>.amazonaws.com/v1/traces; OpenTelemetry's variable points it here.
    process.env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT = `http://127.0.0.1:${(endpoint.address() as AddressInfo).port}/v1/traces`;
    process.env.AWS_REGION = 'us-east-1';
    Object.assign(process.env, { AWS_ACCESS_KEY_ID: 'ASIAEXAMPLE', AWS_SECRET_ACCESS_KEY: 'secret', AWS_SESSION_TOKEN: 'token' });
    process.env.AWS_LAMBDA_FUNCTION_NAME = 'canary-evaluator-prepare';
    process.env._X_AMZN_TRACE_ID = 'Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1';
    s3.on(GetObjectCommand).resolves({ Body: { transformToString: async () => JSON.stringify(policy) } } as never);
  });
  afterAll(() => {
    endpoint.closeAllConnections();
    endpoint.close();
    process.env = previous;
  });

  test('the prepare Lambda’s invocation span arrives as OTLP/JSON, in Lambda’s trace, with the deployment id, before the handler returns', async () => {
    // Required after the environment is set: lambdas/shared.ts reads it when the container starts.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { handler } = require('../../lambdas/prepare') as typeof import('../../lambdas/prepare');
    await expect(handler(input)).resolves.toMatchObject({ phase: 'bake' });
    // The flush after the invocation waited for the export: it has arrived by the time the handler returns.
    expect(received.map((r) => r.path)).toEqual(['/v1/traces']);
    const [request] = received;
    expect(request.headers.authorization).toMatch(/^AWS4-HMAC-SHA256 Credential=ASIAEXAMPLE\/\d{8}\/us-east-1\/xray\/aws4_request, /);
    expect(request.headers['x-amz-security-token']).toBe('token');
    const spans = (JSON.parse(request.body) as { resourceSpans: Array<{ resource: { attributes: Array<{ key: string; value: { stringValue?: string } }> }; scopeSpans: Array<{ spans: Array<{ traceId: string; parentSpanId?: string; attributes: Array<{ key: string; value: { stringValue?: string } }> }> }> }> }).resourceSpans;
    const invocation = spans.flatMap((r) => r.scopeSpans.flatMap((s) => s.spans)).find((span) => span.parentSpanId === '53995c3f42cd8ad8');
    expect(invocation?.traceId).toBe('5759e988bd862e3fe1be46a994272793');
    expect(invocation?.attributes).toContainEqual({ key: 'codedeploy.deployment.id', value: { stringValue: 'd-WIRE00001' } });
    expect(spans[0].resource.attributes).toContainEqual({ key: 'faas.name', value: { stringValue: 'canary-evaluator-prepare' } });
  });
});
