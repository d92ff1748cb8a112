import { parsePolicy } from '../../lib/policy';
import { checkPolicyFitsPlatform } from '../../lib/constructs/platform-fit';

/** Issue 26: a policy with `logs` validates only if the bake will run it. */
const logs = { logGroups: ['/aws/lambda/orders'], errorFilter: { type: 'json-level' as const }, versioning: { type: 'lambda-stream' as const }, requestsFrom: 'lambda-error-rate' };
const metrics = [{ preset: 'lambda-error-rate' as const }];

describe('policy `logs`', () => {
  test('validates with its defaults: 10 GB budget, 24 h lookback, critical', () => {
    const policy = parsePolicy({ metrics, logs });
    expect(policy.logs).toMatchObject({ bytesScannedBudget: 10e9, critical: true, errorRate: true, newSignatures: { lookback: 86_400, maxSignatures: 10 } });
  });

  test.each([
    [{ metrics, logs: { ...logs, requestsFrom: 'nope' } }, /logs\.requestsFrom.*"nope" is not a metric of this policy/s],
    [{ metrics: [...metrics, { preset: 'lambda-p99-duration' as const }], logs: { ...logs, requestsFrom: 'lambda-p99-duration' } }, /logs\.requestsFrom.*a gauge metric/s],
    [{ metrics, logs, bake: { period: '5m' } }, /set bake\.period to 60s/],
    [{ metrics, logs, bake: { enabled: false } }, /bake\.enabled: false/],
    [{ metrics, logs: { ...logs, logGroups: [] } }, /logs\.logGroups/],
    [{ metrics, logs: { ...logs, bytesScannedBudget: 0 } }, /logs\.bytesScannedBudget/],
    [{ metrics, logs: { ...logs, versioning: undefined } }, /logs\.versioning/],
  ])('refuses %j', (input, message) => {
    expect(() => parsePolicy(input as never)).toThrow(message);
  });

  test('an ECS group cannot have it (versions are told for Lambda only)', () => {
    expect(() => checkPolicyFitsPlatform(parsePolicy({ metrics: [{ preset: 'alb-5xx-rate' }], logs: { ...logs, requestsFrom: 'alb-5xx-rate' } }), 'ecs', 'Stack/Web')).toThrow(/logs: the log signal tells versions apart for Lambda/);
  });
});
