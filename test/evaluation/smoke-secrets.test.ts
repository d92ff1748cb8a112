import { runSmokeTests, type HttpClient, type HttpRequest, type SecretResolver } from '../../lib/evaluation';
import { parsePolicy, type SecretReference } from '../../lib/policy';

const target = { type: 'lambda' as const, functionName: 'orders', alias: 'live', currentVersion: '1', targetVersion: '2' };
const SECRET = 'arn:aws:secretsmanager:us-east-1:123456789012:secret:orders/smoke-token-AbC123';
const TOKEN = 's3cr3t-token-value';

/** An HTTP client that records each request and answers with what `reply` says. */
function recordingHttp(reply: (request: HttpRequest) => { status: number; body: string }) {
  const requests: HttpRequest[] = [];
  const http: HttpClient = { request: async (request) => (requests.push(request), reply(request)) };
  return { http, requests };
}

function countingResolver(values: Record<string, string>) {
  const reads: SecretReference[] = [];
  const secrets: SecretResolver = {
    resolve: async (reference) => {
      reads.push(reference);
      const value = values[reference.secret ?? reference.parameter!];
      if (value === undefined) {
        const error = new Error(`User is not authorized to read ${reference.secret ?? reference.parameter}`);
        error.name = 'AccessDeniedException';
        throw error;
      }
      return value;
    },
  };
  return { secrets, reads };
}

const testsOf = (smokeTests: unknown[]) => parsePolicy({ metrics: [{ preset: 'lambda-error-rate' }], smokeTests }).smokeTests;
const run = (tests: ReturnType<typeof testsOf>, http: HttpClient, secrets?: SecretResolver) =>
  runSmokeTests(tests, target, { invoker: { invoke: async () => ({ payload: '{}' }) }, http, stopwatch: () => 0, concurrency: 2, hostProblem: () => undefined, ...(secrets ? { secrets } : {}) });

describe('smoke-test headers read from secrets at run time', () => {
  test('the value (with its prefix) goes into the request; a secret named by two tests is read once per run', async () => {
    const { http, requests } = recordingHttp(() => ({ status: 200, body: '{}' }));
    const { secrets, reads } = countingResolver({ [SECRET]: TOKEN, '/orders/api-key': 'k-12345678' });
    const tests = testsOf([
      { name: 'a', type: 'http', url: 'https://orders.example.com/a', headers: { Authorization: { secret: SECRET, prefix: 'Bearer ' } } },
      { name: 'b', type: 'http', url: 'https://orders.example.com/b', headers: { Authorization: { secret: SECRET, prefix: 'Bearer ' }, 'X-Api-Key': { parameter: '/orders/api-key' } } },
    ]);
    const { summary } = await run(tests, http, secrets);
    expect(summary.passed).toBe(true);
    expect(requests.map((request) => request.headers.Authorization)).toEqual([`Bearer ${TOKEN}`, `Bearer ${TOKEN}`]);
    expect(requests[1].headers['X-Api-Key']).toBe('k-12345678');
    expect(reads).toHaveLength(2);
  });

  test('a response that echoes the secret is masked in the reason and the summary', async () => {
    const { http } = recordingHttp((request) => ({ status: 200, body: JSON.stringify({ echoed: request.headers.Authorization }) }));
    const { secrets } = countingResolver({ [SECRET]: TOKEN });
    const tests = testsOf([
      { name: 'echo', type: 'http', url: 'https://orders.example.com/echo', headers: { Authorization: { secret: SECRET } }, expect: { json: [{ path: '$.echoed', equals: 'something else' }] } },
    ]);
    const { summary, results } = await run(tests, http, secrets);
    expect(summary.passed).toBe(false);
    expect(results[0].reason).toContain('$.echoed is "***"');
    expect(JSON.stringify({ summary, results })).not.toContain(TOKEN);
  });

  test('a secret with characters JSON escapes is masked as the reason quotes it too', async () => {
    const quoted = 'to"k\\en-token';
    const { http } = recordingHttp((request) => ({ status: 200, body: JSON.stringify({ echoed: request.headers.Authorization }) }));
    const { secrets } = countingResolver({ [SECRET]: quoted });
    const tests = testsOf([
      { name: 'echo', type: 'http', url: 'https://orders.example.com/echo', headers: { Authorization: { secret: SECRET } }, expect: { json: [{ path: '$.echoed', equals: 'x' }] } },
    ]);
    const { results } = await run(tests, http, secrets);
    expect(results[0].reason).toContain('$.echoed is "***"');
    expect(results[0].reason).not.toContain('k\\\\en');
  });

  test('a secret that cannot be read fails its test without calling the host, naming the reference and the error, never a value', async () => {
    const { http, requests } = recordingHttp(() => ({ status: 200, body: '{}' }));
    const { secrets } = countingResolver({});
    const tests = testsOf([{ name: 'denied', type: 'http', url: 'https://orders.example.com/a', headers: { Authorization: { secret: SECRET } } }]);
    const { summary, results } = await run(tests, http, secrets);
    expect(summary.passed).toBe(false);
    expect(requests).toHaveLength(0);
    expect(results[0].reason).toBe(`GET https://orders.example.com/a not called: header Authorization: could not read Secrets Manager secret ${SECRET}: AccessDeniedException`);
  });

  test('without a resolver a test with a reference fails and says why (fail closed, never sent without its credential)', async () => {
    const { http, requests } = recordingHttp(() => ({ status: 200, body: '{}' }));
    const tests = testsOf([{ name: 'p', type: 'http', url: 'https://orders.example.com/a', headers: { 'X-Api-Key': { parameter: '/orders/api-key' } } }]);
    const { results } = await run(tests, http);
    expect(requests).toHaveLength(0);
    expect(results[0]).toMatchObject({ passed: false, reason: 'GET https://orders.example.com/a not called: header X-Api-Key: SSM parameter /orders/api-key cannot be read here (no secret resolver)' });
  });
});
