import aslValidator from 'asl-validator';
import { STATE, TASK_STATES } from '../../lib/constructs';
import type { HookStatus } from '../../lib/evaluation';
import { loadPolicyFile } from '../../lib/policy';
import { DEMO_POLICY_FILE } from '../../lib/demo/demo-stack';
import { synthesizeEvaluationDefinition } from '../../lib/simulate/definition';
import { simulateDeployment } from '../../lib/simulate/deployment';
import { runLocally } from '../../lib/simulate/run-local';
import { SteadyMetricSource } from '../../lib/simulate/steady-metric-source';

const definition = synthesizeEvaluationDefinition();
const policy = loadPolicyFile(DEMO_POLICY_FILE);
const appSpec = { functionName: 'orders', alias: 'live', currentVersion: '1', targetVersion: '2' };
const baseline = { requestsPerMinute: 900, errorRate: 0.01, p99Ms: 300 };
const deployment = (canaryErrorRate: number) => ({
  deploymentId: 'd-TEST00001',
  policy,
  start: new Date('2026-11-26T10:00:00Z'),
  appSpec,
  metrics: new SteadyMetricSource({ '1': baseline, '2': { ...baseline, requestsPerMinute: 100, errorRate: canaryErrorRate } }),
});

describe('evaluation state machine (synthesized definition, run locally)', () => {
  test('passes asl-validator', () => {
    const { isValid, errorsText } = aslValidator(structuredClone(definition));
    expect(errorsText()).toBe('');
    expect(isValid).toBe(true);
  });

  test('is a JSONPath definition whose every Task is bound locally', () => {
    const states = definition.States as Record<string, { Type: string; QueryLanguage?: string }>;
    const tasks = Object.entries(states).filter(([, state]) => state.Type === 'Task').map(([name]) => name);
    expect(tasks.sort()).toEqual([...TASK_STATES].sort());
    expect(definition.QueryLanguage ?? 'JSONPath').toBe('JSONPath');
  });

  test('a healthy deployment reports Succeeded exactly once', async () => {
    const result = await simulateDeployment(definition, deployment(0.01));
    expect(result.reports.map((r) => r.status)).toEqual(['Succeeded']);
    expect(result.execution.status).toBe('SUCCEEDED');
    expect(result.execution.statesEntered).toContain(STATE.passed);
  });

  test('a regression reports Failed exactly once, before the bake ends', async () => {
    const result = await simulateDeployment(definition, deployment(0.05));
    expect(result.reports.map((r) => r.status)).toEqual(['Failed']);
    expect(result.execution.statesEntered).toContain(STATE.failed);
    expect(result.ticks.at(-1)?.tick.reason).toContain('lambda-error-rate');
  });

  test('an evaluate step that throws reports Failed exactly once and fails the execution', async () => {
    const reports: Array<{ status: HookStatus; reason: string }> = [];
    const report = async (input: unknown) => {
      const { status, reason } = input as { status: HookStatus; reason: string };
      reports.push({ status, reason });
      return { status, result: 'reported' };
    };
    const result = await runLocally(
      definition,
      { deploymentId: 'd-TEST00002', lifecycleEventHookExecutionId: 'hook-2' },
      {
        [STATE.prepare]: async () => ({ windowStart: 0, windowEnd: 600, periodSeconds: 60, lagSeconds: 120, metricCount: 1 }),
        [STATE.evaluate]: async () => {
          throw new Error('GetMetricData: AccessDenied');
        },
        [STATE.report]: report,
        [STATE.reportError]: report,
      },
    );
    expect(reports).toEqual([{ status: 'Failed', reason: expect.stringContaining('AccessDenied') }]);
    expect(result.status).toBe('FAILED');
    expect(result.statesEntered).toEqual([STATE.prepare, STATE.evaluate, STATE.reportError, STATE.evaluatorFailed]);
  });
});
