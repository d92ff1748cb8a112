import type { LogSignalState } from '../../lib/evaluation/logs';
import { parsePolicy } from '../../lib/policy';
import { synthesizeEvaluationDefinition } from '../../lib/simulate/definition';
import { simulateDeployment } from '../../lib/simulate/deployment';
import { BakeLogs } from '../../lib/simulate/logs/bake-logs';
import type { LogProfile } from '../../lib/simulate/logs/log-lines';
import { SteadyMetricSource } from '../../lib/simulate/steady-metric-source';

/**
 * Issue 26 end to end: the synthesized state machine with the real evaluate handler, its log look on a
 * simulated Logs Insights (lib/simulate/logs), the log signal's state carried from tick to tick.
 */
const definition = synthesizeEvaluationDefinition();
const START = new Date('2026-11-26T10:00:00Z');
const metrics = { requestsPerMinute: 900, errorRate: 0.01, p99Ms: 300 };
const healthyMetrics = new SteadyMetricSource({ '1': metrics, '2': { ...metrics, requestsPerMinute: 300 } });
const policy = parsePolicy({
  metrics: [{ preset: 'lambda-error-rate' }],
  bake: { duration: '10m', period: '60s' },
  metricLag: '2m',
  logs: { logGroups: ['/aws/lambda/orders'], errorFilter: { type: 'json-level' }, versioning: { type: 'json-field', field: 'service.version' }, requestsFrom: 'lambda-error-rate' },
});

async function bake(profile: LogProfile, seed = 1) {
  let logs: BakeLogs | undefined;
  const outcome = await simulateDeployment(definition, {
    deploymentId: 'd-LOGSIGNAL',
    start: START,
    appSpec: { functionName: 'orders', alias: 'live', currentVersion: '1', targetVersion: '2' },
    lifecycleEvent: 'AfterAllowTraffic',
    policy,
    metrics: healthyMetrics,
    logs: (now) => (logs = new BakeLogs({ seed, profile, versions: { canary: '2', baseline: '1' }, start: START, canaryRequestsPerMinute: 300, baselineRequestsPerMinute: 900 }, now)),
  });
  const states = outcome.ticks.map(({ tick }) => tick.logSignal as LogSignalState);
  return { outcome, logs: logs!, states, last: outcome.ticks.at(-1)!.tick };
}

describe('the log signal in the bake (issue 26)', () => {
  test('a new exception on 2 % of requests: rolled back, the verdict names its signature with up to 3 masked samples', async () => {
    const { outcome, last } = await bake({ newExceptionRate: 0.02 });
    expect(outcome.reports.at(-1)?.status).toBe('Failed');
    expect(last.decision).toBe('fail');
    const logs = last.verdict.logs!;
    expect(logs.decision).toBe('fail');
    expect(logs.signature).toBeDefined();
    expect(last.reason).toContain(logs.signature!);
    expect(logs.samples!.length).toBeGreaterThan(0);
    expect(logs.samples!.length).toBeLessThanOrEqual(3);
    expect(last.reason).toMatch(/MB scanned \(\$\d/);
    expect(outcome.verdictEvents.at(-1)?.decision).toBe('fail');
  }, 600_000);

  test('a healthy release with 20 new benign lines is promoted; the bytes scanned are in the verdict', async () => {
    const { outcome, last } = await bake({ newBenignLines: 20 });
    expect(outcome.reports.at(-1)?.status).toBe('Succeeded');
    // The Errors metric alone is too little traffic to decide in 10 minutes (inconclusive, promoted): the log signal passes.
    expect(last.decision).not.toBe('fail');
    expect(last.verdict.logs?.decision).toBe('pass');
    expect(last.verdict.logs!.bytesScanned).toBeGreaterThan(0);
    expect(last.verdict.logs!.reason).toMatch(/MB scanned/);
  }, 600_000);

  test('the lookback is queried once per evaluation, and no look runs more than 4 queries', async () => {
    const { logs, states, outcome } = await bake({ newBenignLines: 20 }, 2);
    expect(outcome.ticks.length).toBeGreaterThan(3);
    expect(logs.requests.filter((request) => request.query.includes('| pattern @message'))).toHaveLength(1);
    // Each tick's queries: the difference of the carried query counts.
    const perLook = states.map((state, index) => state.queries - (index > 0 ? states[index - 1].queries : 0));
    expect(Math.max(...perLook)).toBeLessThanOrEqual(4);
    expect(perLook.reduce((a, b) => a + b, 0)).toBe(logs.requests.length);
    expect(states.at(-1)!.mostQueriesPerLook).toBeLessThanOrEqual(4);
  }, 600_000);
});
