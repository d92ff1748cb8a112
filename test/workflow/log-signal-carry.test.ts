import { STATE } from '../../lib/constructs';
import { parsePolicy } from '../../lib/policy';
import { synthesizeEvaluationDefinition } from '../../lib/simulate/definition';
import { simulateDeployment } from '../../lib/simulate/deployment';
import type { TaskHandler } from '../../lib/simulate/run-local';
import { SteadyMetricSource } from '../../lib/simulate/steady-metric-source';

/**
 * Issue 26: the bake's Evaluate Task hands `$.tick.logSignal` to the next tick, through the real
 * synthesized state machine ("Start bake" puts `{}` in place before the first tick).
 */
const definition = synthesizeEvaluationDefinition();
const START = new Date('2026-11-26T10:00:00Z');
const baseline = { requestsPerMinute: 900, errorRate: 0.01, p99Ms: 300 };
const healthy = new SteadyMetricSource({ '1': baseline, '2': { ...baseline, requestsPerMinute: 300 } });
const policy = parsePolicy({ metrics: [{ preset: 'lambda-error-rate' }], bake: { duration: '5m', period: '60s' }, metricLag: '2m' });

function run(wrap: (handler: TaskHandler) => TaskHandler) {
  return simulateDeployment(definition, {
    deploymentId: 'd-LOGCARRY1',
    start: START,
    appSpec: { functionName: 'orders', alias: 'live', currentVersion: '1', targetVersion: '2' },
    lifecycleEvent: 'AfterAllowTraffic',
    policy,
    metrics: healthy,
    wrapTask: (state, handler) => (state === STATE.evaluate ? wrap(handler) : handler),
  });
}

describe('the log signal state travels from tick to tick', () => {
  test('each tick receives what the previous one returned; the first receives nothing', async () => {
    const received: unknown[] = [];
    const outcome = await run((handler) => async (input) => {
      received.push((input as { logSignal?: unknown }).logSignal);
      const tick = (await handler(input)) as Record<string, unknown>;
      // Stand in for the log look: a minimal LogSignalState counting the looks.
      const looks = received.length;
      return { ...tick, logSignal: { bytesScanned: looks, queries: looks, mostQueriesPerLook: 1, errorsByMinute: {}, signatures: [], truncatedMinutes: [], problems: [] } };
    });
    expect(outcome.reports.at(-1)?.status).toBe('Succeeded');
    expect(received.length).toBeGreaterThan(2);
    expect(received[0]).toEqual({});
    received.slice(1).forEach((state, index) => expect(state).toMatchObject({ bytesScanned: index + 1 }));
  }, 600_000);

  test('without a log signal the handler hands on `{}`', async () => {
    const returned: unknown[] = [];
    const outcome = await run((handler) => async (input) => {
      const tick = (await handler(input)) as { logSignal?: unknown };
      returned.push(tick.logSignal);
      return tick;
    });
    expect(outcome.reports.at(-1)?.status).toBe('Succeeded');
    expect(returned.length).toBeGreaterThan(2);
    returned.forEach((state) => expect(state).toEqual({}));
  }, 600_000);

  test('a continuing tick without `logSignal` is a malformed result, not a States.Runtime failure', async () => {
    const outcome = await run((handler) => async (input) => {
      const tick = { ...((await handler(input)) as Record<string, unknown>) };
      delete tick.logSignal;
      return tick;
    });
    expect(outcome.execution.statesEntered).toContain(STATE.malformed);
    expect(outcome.reports.at(-1)?.status).toBe('Failed');
  }, 600_000);
});
