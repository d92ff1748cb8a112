import { STATE } from '../../lib/constructs';
import { parsePolicy, type PolicyInput } from '../../lib/policy';
import { synthesizeEvaluationDefinition } from '../../lib/simulate/definition';
import { simulateDeployment } from '../../lib/simulate/deployment';
import { SteadyMetricSource } from '../../lib/simulate/steady-metric-source';

const definition = synthesizeEvaluationDefinition();
const START = new Date('2026-11-26T10:00:00Z');
const baseline = { requestsPerMinute: 900, errorRate: 0.01, p99Ms: 300 };
const healthy = new SteadyMetricSource({ '1': baseline, '2': { ...baseline, requestsPerMinute: 100 } });
const regressed = new SteadyMetricSource({ '1': baseline, '2': { ...baseline, requestsPerMinute: 100, errorRate: 0.05 } });
const policy = (extra: PolicyInput = {}) =>
  parsePolicy({
    metrics: [{ preset: 'lambda-error-rate', method: { type: 'threshold', maxRatioToBaseline: 2, failureLimit: 2 } }],
    smokeTests: [{ name: 'health', expect: { statusCode: 200 } }],
    canaryWatch: { period: '60s', maxDuration: '15m', stopDeploymentOnFail: true },
    metricLag: '2m',
    ...extra,
  });
const base = { deploymentId: 'd-PHASE0001', start: START, appSpec: { functionName: 'orders', alias: 'live', currentVersion: '1', targetVersion: '2' } };

describe('pre-traffic: smoke tests, report, canary watch', () => {
  test('reports Succeeded after the smoke tests, then watches until the deployment ends', async () => {
    const result = await simulateDeployment(definition, { ...base, policy: policy(), metrics: healthy, lifecycleEvent: 'BeforeAllowTraffic', deploymentEndsAt: new Date(START.getTime() + 8 * 60000) });
    expect(result.reports).toEqual([{ status: 'Succeeded', at: START }]);
    expect(result.watchTicks.length).toBeGreaterThan(3);
    expect(result.watchTicks.at(-1)?.tick).toMatchObject({ done: true, reason: expect.stringContaining('deployment is Succeeded') });
    expect(result.verdictFailed.every((v) => v === 0)).toBe(true);
    expect(result.stops).toBe(0);
    expect(result.execution.statesEntered.slice(0, 6)).toEqual([STATE.prepare, STATE.routePhase, STATE.preSmokeNeeded, STATE.preSmoke, STATE.preSmokeResult, STATE.preTrafficPassed]);
  });

  test('a failing smoke test reports Failed with its reason and does not watch', async () => {
    const result = await simulateDeployment(definition, {
      ...base,
      policy: policy(),
      metrics: healthy,
      lifecycleEvent: 'BeforeAllowTraffic',
      invoker: { invoke: async () => ({ payload: '{"statusCode":500}' }) },
    });
    expect(result.reports.map((r) => r.status)).toEqual(['Failed']);
    expect(result.verdictEvents[0]).toMatchObject({ cause: 'smoke-tests', reason: expect.stringContaining('statusCode is 500, expected 200') });
    expect(result.watchTicks).toHaveLength(0);
  });

  test('a regression during the shift publishes VerdictFailed=1, stops the deployment and says so', async () => {
    const result = await simulateDeployment(definition, { ...base, policy: policy(), metrics: regressed, lifecycleEvent: 'BeforeAllowTraffic' });
    expect(result.reports.map((r) => r.status)).toEqual(['Succeeded']);
    expect(result.verdictFailed.at(-1)).toBe(1);
    expect(result.stops).toBe(1);
    expect(result.verdictEvents.at(-1)).toMatchObject({ cause: 'canary-watch', status: 'NotReported', reason: expect.stringContaining('deployment stopped with rollback') });
  });

  test('a regression during the shift notifies on call once, of the rollback the watch asked for', async () => {
    const sent: Array<{ subject: string; message: string }> = [];
    const notifications = { notifier: { publish: async (_topic: string, message: string, subject: string) => void sent.push({ subject, message }) }, topicArn: 'arn:aws:sns:us-east-1:123456789012:on-call', region: 'us-east-1' };
    const result = await simulateDeployment(definition, { ...base, policy: policy(), metrics: regressed, lifecycleEvent: 'BeforeAllowTraffic', notifications });
    expect(result.stops).toBe(1);
    // The pre-traffic report (Succeeded, a pass) is not one to notify by default; the watch's failure is.
    expect(sent).toHaveLength(1);
    const { content } = JSON.parse(sent[0].message) as { content: { title: string; description: string } };
    expect(content.title).toMatch(/^:x: Rolled back: /);
    expect(content.description).toContain('*CodeDeploy:* stopped with rollback by the canary watch');
    expect(content.description).toContain('*Metric:* lambda-error-rate');
  });

  test('the watch ends at maxDuration when the deployment stays in progress', async () => {
    const result = await simulateDeployment(definition, { ...base, policy: policy(), metrics: healthy, lifecycleEvent: 'BeforeAllowTraffic' });
    const last = result.watchTicks.at(-1)!;
    expect(last.tick).toMatchObject({ done: true, reason: expect.stringContaining('maximum duration') });
    expect(last.at.getTime() - START.getTime()).toBeLessThanOrEqual((15 + 2 + 1) * 60000);
  });

  test('phases can be switched off', async () => {
    const result = await simulateDeployment(definition, {
      ...base,
      policy: policy({ smokeTestSettings: { enabled: false }, canaryWatch: { enabled: false } }),
      metrics: regressed,
      lifecycleEvent: 'BeforeAllowTraffic',
    });
    expect(result.reports.map((r) => r.status)).toEqual(['Succeeded']);
    expect(result.usage.invocations).toEqual({ [STATE.prepare]: 1, [STATE.report]: 1, [STATE.publish]: 1 });
  });
});

describe('bake: judge at 100 %, post-deploy smoke tests, report', () => {
  test('a healthy bake runs the post-deploy smoke tests and reports Succeeded with the verdict', async () => {
    const result = await simulateDeployment(definition, { ...base, policy: policy({ bake: { duration: '5m', period: '60s' } }), metrics: healthy });
    expect(result.reports.map((r) => r.status)).toEqual(['Succeeded']);
    expect(result.execution.statesEntered).toContain(STATE.postSmoke);
    expect(result.verdictEvents[0]).toMatchObject({ cause: 'verdict', verdict: expect.objectContaining({ decision: 'pass' }) });
    expect(Buffer.byteLength(JSON.stringify(result.verdictEvents[0].verdict))).toBeLessThan(8 * 1024);
  });

  test('a failing post-deploy smoke test fails the hook', async () => {
    const result = await simulateDeployment(definition, {
      ...base,
      policy: policy({ bake: { duration: '5m', period: '60s' } }),
      metrics: healthy,
      invoker: { invoke: async () => ({ functionError: 'Unhandled', payload: '{}' }) },
    });
    expect(result.reports.map((r) => r.status)).toEqual(['Failed']);
    expect(result.verdictEvents[0]).toMatchObject({ cause: 'smoke-tests' });
  });
});
