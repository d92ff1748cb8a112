import type { EvaluationInput, HttpRequest } from '../../lib/evaluation';
import { createSmokeHandler } from '../../lib/evaluation/handlers';
import { parsePolicy } from '../../lib/policy';
import { LAMBDA_EXECUTION_INPUT } from '../fixtures/codedeploy/events';

/**
 * Issue 11 finding 10: the smoke Lambda is shared by every registration, so it calls only the hosts the
 * execution's registration allows (`allowedHosts` in the input), never loopback or link-local.
 */
const policy = parsePolicy({
  metrics: [{ preset: 'lambda-error-rate' }],
  smokeTests: [
    { name: 'orders', type: 'http', url: 'https://orders.example.com/health' },
    { name: 'payments', type: 'http', url: 'https://payments.example.com/health' },
  ],
});
const input = (allowedHosts?: readonly string[]): EvaluationInput => ({ ...LAMBDA_EXECUTION_INPUT, ...(allowedHosts ? { allowedHosts } : {}) });

function handler(called: string[]) {
  return createSmokeHandler({
    policies: { load: async () => policy },
    invoker: { invoke: async () => ({ payload: '{}' }) },
    http: { request: async (request: HttpRequest) => (called.push(new URL(request.url).hostname), { status: 200, body: '{}' }) },
    stopwatch: () => 0,
  });
}

describe('smoke Lambda host allow-list', () => {
  test('calls the allowed host only, and names the refused one and the option', async () => {
    const called: string[] = [];
    const summary = await handler(called)({ input: input(['orders.example.com']), phase: 'pre-traffic' });
    expect(called).toEqual(['orders.example.com']);
    expect(summary).toMatchObject({ passed: false, ran: 2, failed: 1 });
    expect(summary.reason).toContain("payments.example.com is not one of this registration's smoke-test hosts (orders.example.com); add it to allowedSmokeTestHosts");
  });

  test('an execution input without allowedHosts calls no host (fail closed)', async () => {
    const called: string[] = [];
    const summary = await handler(called)({ input: input(), phase: 'pre-traffic' });
    expect(called).toEqual([]);
    expect(summary).toMatchObject({ passed: false, failed: 2 });
  });

  test('malformed allowedHosts is a clear input error', async () => {
    await expect(handler([])({ input: { ...input(), allowedHosts: 'orders.example.com' }, phase: 'pre-traffic' })).rejects.toThrow('input.allowedHosts: expected a list of host names, got "orders.example.com"');
  });
});
