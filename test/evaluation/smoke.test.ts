import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { PinnedHttpClient } from '../../lib/adapters/http/pinned-http-client';
import { readJsonPath, runSmokeTests, type FunctionInvoker } from '../../lib/evaluation';
import { parsePolicy } from '../../lib/policy';

const target = { type: 'lambda' as const, functionName: 'orders', alias: 'live', currentVersion: '1', targetVersion: '2' };
let server: Server;
let base: string;
let flakyCalls = 0;

beforeAll(async () => {
  // A real HTTP server on the loopback interface only, on a free port.
  server = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk) => (body += chunk));
    request.on('end', () => {
      const reply = (status: number, payload: unknown) => {
        response.writeHead(status, { 'content-type': 'application/json' });
        response.end(JSON.stringify(payload));
      };
      if (request.url === '/health') return reply(200, { status: 'ok', version: '2.4.1', items: [{ id: 7 }] });
      if (request.url === '/echo') return reply(201, { method: request.method, header: request.headers['x-test'], body: JSON.parse(body || 'null') });
      if (request.url === '/broken') return reply(503, { status: 'down' });
      if (request.url === '/flaky') return reply(++flakyCalls < 3 ? 500 : 200, {});
      if (request.url === '/slow') return void setTimeout(() => reply(200, {}), 400);
      reply(404, {});
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

const noLambda: FunctionInvoker = { invoke: async () => Promise.reject(new Error('no Lambda in this test')) };
function deps(invoker: FunctionInvoker = noLambda) {
  // This file's server listens on loopback, which the default host check denies (tested below).
  return { invoker, http: new PinnedHttpClient({ addressProblem: () => undefined }), stopwatch: () => performance.now(), concurrency: 2, hostProblem: () => undefined };
}
/**
 * The policy validator refuses loopback URLs (a smoke test never calls the Lambda runtime API), so the
 * tests are validated against a stand-in host and then pointed at this file's loopback server.
 */
function tests(smokeTests: unknown[]) {
  const standIn = 'http://smoke-server.test';
  const written = JSON.parse(JSON.stringify(smokeTests).split(base).join(standIn));
  return parsePolicy({ metrics: [{ preset: 'lambda-error-rate' }], smokeTests: written }).smokeTests.map((test) => (test.type === 'http' ? { ...test, url: test.url.replace(standIn, base) } : test));
}

describe('HTTP smoke tests against a local server', () => {
  test('pass on the expected status, JSON-path equals/matches, method, headers and body', async () => {
    const { summary } = await runSmokeTests(
      tests([
        { type: 'http', name: 'health', url: `${base}/health`, expect: { json: [{ path: '$.status', equals: 'ok' }, { path: '$.version', matches: '^2\\.' }, { path: '$.items[0].id', equals: 7 }] } },
        { type: 'http', name: 'echo', url: `${base}/echo`, method: 'POST', headers: { 'x-test': 'yes' }, body: { order: 1 }, expect: { status: 201, json: [{ path: '$.body', equals: { order: 1 } }, { path: '$.header', equals: 'yes' }] } },
      ]),
      target,
      deps(),
    );
    expect(summary).toEqual({ passed: true, ran: 2, failed: 0, reason: '2 smoke test(s) passed' });
  });

  test.each([
    ['a wrong status', { url: '/broken' }, 'returned 503, expected 200'],
    ['a failing assertion', { url: '/health', expect: { json: [{ path: '$.status', equals: 'degraded' }] } }, '$.status is "ok", expected "degraded"'],
    ['a missing field', { url: '/health', expect: { json: [{ path: '$.build', matches: '.' }] } }, '$.build is missing from the response'],
    ['a timeout', { url: '/slow', timeoutMs: 100 }, 'no response within 100 ms'],
    ['a latency bound', { url: '/slow', expect: { maxLatencyMs: 50 } }, 'more than 50 ms'],
  ])('fail with the reason on %s', async (_case, spec, reason) => {
    const { url, ...rest } = spec;
    const { summary } = await runSmokeTests(tests([{ type: 'http', name: 'check', url: `${base}${url}`, ...rest }]), target, deps());
    expect(summary.passed).toBe(false);
    expect(summary.reason).toContain(reason);
  });

  test('retries a failing check', async () => {
    flakyCalls = 0;
    const { results } = await runSmokeTests(tests([{ type: 'http', name: 'flaky', url: `${base}/flaky`, retries: 2 }]), target, deps());
    expect(results[0]).toMatchObject({ passed: true, attempts: 3 });
  });
});

describe('Lambda smoke tests', () => {
  test('invoke the target version with the payload; statusCode, function error and API Gateway bodies are checked', async () => {
    const calls: unknown[] = [];
    const invoker: FunctionInvoker = {
      invoke: async (functionName, qualifier, payload) => {
        calls.push([functionName, qualifier, JSON.parse(payload)]);
        return { payload: JSON.stringify({ statusCode: 200, body: JSON.stringify({ status: 'ok' }) }) };
      },
    };
    const { summary } = await runSmokeTests(tests([{ name: 'health', payload: { path: '/health' }, expect: { statusCode: 200, json: [{ path: '$.body.status', equals: 'ok' }] } }]), target, deps(invoker));
    expect(summary.passed).toBe(true);
    expect(calls).toEqual([['orders', '2', { path: '/health' }]]);

    const failing: FunctionInvoker = { invoke: async () => ({ functionError: 'Unhandled', payload: '{"errorMessage":"boom"}' }) };
    const failed = await runSmokeTests(tests([{ name: 'health' }]), target, deps(failing));
    expect(failed.summary.reason).toContain('function error (Unhandled)');
  });

  test('run with bounded concurrency', async () => {
    let inFlight = 0;
    let peak = 0;
    const invoker: FunctionInvoker = {
      invoke: async () => {
        peak = Math.max(peak, ++inFlight);
        await new Promise((resolve) => setTimeout(resolve, 10));
        inFlight--;
        return { payload: '{"statusCode":200}' };
      },
    };
    const { summary } = await runSmokeTests(tests(Array.from({ length: 7 }, (_, i) => ({ name: `t${i}` }))), target, deps(invoker));
    expect(summary.ran).toBe(7);
    expect(peak).toBe(2);
  });

  test('readJsonPath reads nested fields and indexes', () => {
    expect(readJsonPath({ a: [{ b: 1 }] }, '$.a[0].b')).toEqual({ found: true, value: 1 });
    expect(readJsonPath({ a: 1 }, '$.a.b')).toEqual({ found: false });
  });
});

describe('smoke tests are not fooled or held by what the new version answers (issue 11 findings 5, 6, 10)', () => {
  const respond = (payload: unknown): FunctionInvoker => ({ invoke: async () => ({ payload: JSON.stringify(payload) }) });
  const lambdaDeps = (invoker: FunctionInvoker) => ({ invoker, http: { request: async () => Promise.reject(new Error('no HTTP')) }, stopwatch: () => performance.now(), concurrency: 1 });

  test.each(['$.toString', '$.constructor', '$.__proto__', '$.hasOwnProperty', '$.body.valueOf'])('an assertion on %s is missing from {"ok":true}', async (path) => {
    const smoke = parsePolicy({ metrics: [{ preset: 'lambda-error-rate' }], smokeTests: [{ name: 'proto', expect: { json: [{ path, matches: '.' }] } }] }).smokeTests;
    const { summary } = await runSmokeTests(smoke, target, lambdaDeps(respond({ ok: true, body: '{"a":1}' })));
    expect(summary).toMatchObject({ passed: false, reason: expect.stringContaining(`${path} is missing from the response`) });
  });

  test('readJsonPath reads own properties only, also of a JSON text met on the way', () => {
    expect(readJsonPath({ ok: true }, '$.constructor')).toEqual({ found: false });
    expect(readJsonPath('{"a":{}}', '$.a.toString')).toEqual({ found: false });
    expect(readJsonPath(JSON.parse('{"__proto__":{"x":1}}'), '$.__proto__.x')).toEqual({ found: true, value: 1 });
  });

  test('a catastrophic pattern on a hostile response finishes in linear time', async () => {
    const smoke = parsePolicy({ metrics: [{ preset: 'lambda-error-rate' }], smokeTests: [{ name: 'redos', expect: { json: [{ path: '$.v', matches: '^(a+)+$' }] } }] }).smokeTests;
    const started = performance.now();
    const { summary } = await runSmokeTests(smoke, target, lambdaDeps(respond({ v: `${'a'.repeat(5000)}b` })));
    // A backtracking engine takes seconds at 28 characters and forever at 5,000.
    expect(performance.now() - started).toBeLessThan(1000);
    expect(summary.passed).toBe(false);
  });

  test.each([
    ['instance metadata', 'http://169.254.169.254/latest/meta-data/iam/security-credentials/'],
    ['the Lambda runtime API', 'http://127.0.0.1:9001/2018-06-01/runtime/invocation/next'],
    ['IPv6 loopback', 'http://[::1]/'],
  ])('a stored policy naming %s is not called at run time', async (_name, url) => {
    const calls: string[] = [];
    const test = { name: 'ssrf', type: 'http' as const, url, method: 'GET' as const, headers: {}, timeoutMs: 1000, retries: 0, phase: 'both' as const, expect: { status: 200, json: [] } };
    const { summary } = await runSmokeTests([test], target, { invoker: noLambda, http: { request: async (request) => (calls.push(request.url), { status: 200, body: '{}' }) }, stopwatch: () => 0, concurrency: 1 });
    expect(calls).toEqual([]);
    expect(summary).toMatchObject({ passed: false, reason: expect.stringContaining('not called') });
  });
});
