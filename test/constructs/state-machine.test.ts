import aslValidator from 'asl-validator';
import { STATE, TASK_STATES } from '../../lib/constructs';
import { PUBLICATION_GRACE_SECONDS, REPORT_FUNCTION_TIMEOUT_SECONDS } from '../../lib/evaluation/contracts';
import { parsePolicy } from '../../lib/policy';
import { synthesizeEvaluationDefinition } from '../../lib/simulate/definition';
import { simulateDeployment } from '../../lib/simulate/deployment';
import { SteadyMetricSource } from '../../lib/simulate/steady-metric-source';

const definition = synthesizeEvaluationDefinition();
// Errors and p99 only: the noise-free SteadyMetricSource answers Invocations, Errors and Duration.
const policy = parsePolicy({
  metrics: [
    { preset: 'lambda-error-rate', method: { type: 'threshold', maxRatioToBaseline: 2, failureLimit: 3 } },
    { preset: 'lambda-p99-duration', critical: false, method: { type: 'threshold', maxRatioToBaseline: 1.5, failureLimit: 3 } },
  ],
  bake: { duration: '10m', period: '60s' },
  metricLag: '2m',
});
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

  test('the publish Tasks retry every error, then go on; their last attempt ends before the sweep may publish (issue 11)', () => {
    interface Retrier { ErrorEquals: string[]; MaxAttempts?: number; IntervalSeconds?: number; BackoffRate?: number; MaxDelaySeconds?: number }
    const states = definition.States as Record<string, { TimeoutSeconds?: number; Retry?: Retrier[]; Catch?: Array<{ ErrorEquals: string[] }> }>;
    for (const name of [STATE.publish, STATE.publishError]) {
      const task = states[name];
      const retriers = task.Retry ?? [];
      expect(retriers.some((r) => r.ErrorEquals.includes('States.ALL') && (r.MaxAttempts ?? 3) >= 2)).toBe(true);
      expect(task.Catch?.some((c) => c.ErrorEquals.includes('States.ALL'))).toBe(true);
      // Each attempt ends by the Task's timeout, which leaves the function its whole own timeout.
      expect(task.TimeoutSeconds).toBeGreaterThan(REPORT_FUNCTION_TIMEOUT_SECONDS);
      // Worst case: every retrier used up (Step Functions defaults: 3 attempts, 1 s, rate 2), each attempt to its timeout, each wait its longest.
      const attempts = 1 + retriers.reduce((sum, r) => sum + (r.MaxAttempts ?? 3), 0);
      const waits = retriers.reduce((sum, r) => {
        let total = 0;
        for (let i = 0; i < (r.MaxAttempts ?? 3); i++) total += Math.min((r.IntervalSeconds ?? 1) * (r.BackoffRate ?? 2) ** i, r.MaxDelaySeconds ?? Infinity);
        return sum + total;
      }, 0);
      expect(attempts * task.TimeoutSeconds! + waits).toBeLessThan(PUBLICATION_GRACE_SECONDS);
    }
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

  test('an evaluate step that throws reports Failed exactly once, naming the error', async () => {
    const result = await simulateDeployment(definition, {
      ...deployment(0.01),
      wrapTask: (state, handler) =>
        state === STATE.evaluate
          ? async () => {
              throw new Error('GetMetricData: AccessDenied');
            }
          : handler,
    });
    expect(result.reports.map((r) => r.status)).toEqual(['Failed']);
    expect(result.verdictEvents).toEqual([expect.objectContaining({ status: 'Failed', cause: 'evaluator-error', reason: expect.stringContaining('AccessDenied') })]);
    // The execution still fails (visible in the console); the reaper then finds the hook already reported.
    expect(result.execution.status).toBe('FAILED');
    expect(result.execution.statesEntered).toEqual([STATE.prepare, STATE.routePhase, STATE.startBake, STATE.evaluate, STATE.reportError, STATE.publishErrorNeeded, STATE.publishError, STATE.evaluatorFailed]);
    expect(result.reaper).toEqual({ status: 'Failed', result: 'already-completed' });
  });
});
