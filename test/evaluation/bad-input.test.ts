import { loadPolicy } from '../../lib/evaluation/steps';
import { parseReaperEvent, reaperReportRequest } from '../../lib/evaluation/conclude';
import { StateError } from '../../lib/evaluation/check';

/** Issue 11 finding 9: bad input gets an error naming what and where, never a raw SyntaxError or TypeError. */
describe('clear errors for bad run-time input', () => {
  const reaped = parseReaperEvent({
    'detail-type': 'Step Functions Execution Status Change',
    detail: { status: 'FAILED', executionArn: 'arn:aws:states:us-east-1:111111111111:execution:m:d-1-AfterAllowTraffic' },
  })!;

  test('a reaper input that is not JSON', () => {
    expect(() => reaperReportRequest(reaped, '{not json')).toThrow(StateError);
    expect(() => reaperReportRequest(reaped, '{not json')).toThrow(/execution arn:aws:states:.*d-1-AfterAllowTraffic: its input is not JSON/);
  });

  test('a reaper input without the hook ids names the missing field', () => {
    expect(() => reaperReportRequest(reaped, '{"deploymentId":"d-1"}')).toThrow(/input\.lifecycleEventHookExecutionId: expected a non-empty string/);
  });

  test.each([
    [[null], 'metrics[0]: expected an object, got null'],
    [[{ kind: 'count' }], 'metrics[0]: expected a metric with a name and a kind'],
    [[{ name: 'm', kind: 'count' }, 'x'], 'metrics[1]: expected an object'],
  ])('a stored policy with metrics %j', async (metrics, message) => {
    const store = { load: async () => ({ metrics, bake: { duration: 600, period: 60 } }) };
    await expect(loadPolicy(store, { policyRef: { bucket: 'b', key: 'k' } })).rejects.toThrow(StateError);
    await expect(loadPolicy(store, { policyRef: { bucket: 'b', key: 'k' } })).rejects.toThrow(`policy s3://b/k: ${message}`);
  });
});
