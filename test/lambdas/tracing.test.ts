import { createSocket, type Socket } from 'node:dgram';
import { GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { OTLP_SPANS_PREFIX, XRAY_DAEMON_HEADER } from '../../lib/adapters/telemetry/xray-daemon-exporter';
import { parsePolicy } from '../../lib/policy';

const s3 = mockClient(S3Client);
const policy = parsePolicy({ metrics: [{ preset: 'lambda-error-rate' }], bake: { duration: '10m', period: '60s' }, metricLag: '3m' });
const target = { type: 'lambda', functionName: 'orders', alias: 'live', currentVersion: '1', targetVersion: '2' };
const hook = { deploymentId: 'd-WIRE00001', lifecycleEventHookExecutionId: 'hook', lifecycleEvent: 'AfterAllowTraffic', applicationName: 'orders-app', deploymentGroupName: 'orders-group' };
const input = { ...hook, target, policyRef: { bucket: 'assets', key: 'prepare.json' }, hookInvokedAt: '2026-11-26T10:00:00.000Z', deploymentCreatedAt: '2026-11-26T09:50:00.000Z' };

describe('a deployed handler sends its spans to the X-Ray daemon Lambda names', () => {
  let daemon: Socket;
  const previous = { ...process.env };

  beforeAll(async () => {
    daemon = createSocket('udp4');
    await new Promise<void>((resolve) => daemon.bind(0, '127.0.0.1', resolve));
    process.env.AWS_XRAY_DAEMON_ADDRESS = `127.0.0.1:${daemon.address().port}`;
    process.env.AWS_LAMBDA_FUNCTION_NAME = 'canary-evaluator-prepare';
    process.env._X_AMZN_TRACE_ID = 'Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1';
    s3.on(GetObjectCommand).resolves({ Body: { transformToString: async () => JSON.stringify(policy) } } as never);
  });
  afterAll(() => {
    daemon.close();
    process.env = previous;
  });

  test('the prepare Lambda’s invocation span arrives as OTLP over UDP, in Lambda’s trace, with the deployment id', async () => {
    const received = new Promise<Buffer>((resolve) => daemon.once('message', resolve));
    // Required after the environment is set: lambdas/shared.ts reads it when the container starts.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { handler } = require('../../lambdas/prepare') as typeof import('../../lambdas/prepare');
    await expect(handler(input)).resolves.toMatchObject({ phase: 'bake' });
    const [header, body] = (await received).toString().split('\n');
    expect(header).toBe(XRAY_DAEMON_HEADER);
    const otlp = Buffer.from(body.slice(OTLP_SPANS_PREFIX.length), 'base64');
    expect(otlp.includes(Buffer.from('5759e988bd862e3fe1be46a994272793', 'hex'))).toBe(true);
    expect(otlp.includes(Buffer.from('53995c3f42cd8ad8', 'hex'))).toBe(true); // parent: Lambda's segment
    expect(otlp.includes(Buffer.from('canary-evaluator-prepare'))).toBe(true);
    expect(otlp.includes(Buffer.from('d-WIRE00001'))).toBe(true);
  });
});
