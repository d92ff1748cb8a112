import { parsePolicy, PolicyError } from '../../lib/policy';
import { ecsNativeDeploymentLimits, ecsNativeExecutionTimeoutSeconds } from '../../lib/evaluation/ecs-native/contract';
import { synthesizeEvaluationDefinition } from '../../lib/simulate/definition';
import { simulateEcsNativeDeployment, SIMULATED_TARGET_GROUPS, type SimulatedEcsNativeDeployment } from '../../lib/simulate/ecs-native/deployment';
import { ecsNativeFaultDeployment, ecsNativeFaultGrid, ecsNativeFaultOutcomeOf, ecsNativeFaultProblems, LONG_BAKE_HOOK_TIMEOUT_MINUTES, LONG_BAKE_POLICY } from '../../lib/simulate/ecs-native/fault-grid';
import { SimulatedTargetGroupMetrics } from '../../lib/simulate/ecs-native/target-group-metrics';

/** Issue 27 item 3, "no one-hour limit": a two-hour bake under a four-hour ECS hook, through the local state machine. */

let definition: Record<string, unknown>;
beforeAll(() => {
  definition = synthesizeEvaluationDefinition();
}, 600_000);

const START = new Date('2026-12-07T12:00:00Z');
const HOOK_TIMEOUT_MS = LONG_BAKE_HOOK_TIMEOUT_MINUTES * 60_000;

function deployment(greenErrorRate: number): SimulatedEcsNativeDeployment {
  return {
    policy: LONG_BAKE_POLICY,
    start: START,
    strategy: 'LINEAR',
    percent: 50,
    stages: ['PRODUCTION_TRAFFIC_SHIFT', 'POST_PRODUCTION_TRAFFIC_SHIFT'],
    hookTimeoutMinutes: LONG_BAKE_HOOK_TIMEOUT_MINUTES,
    metrics: (now, greenWeightAt) =>
      new SimulatedTargetGroupMetrics({ ...SIMULATED_TARGET_GROUPS, requestsPerMinute: 2000, greenBehaviour: { errorRate: greenErrorRate }, blueBehaviour: { errorRate: 0.01 }, greenWeightAt, metricLagMinutes: 2, seed: 31 }, now),
  };
}

test('the policy is refused against a CodeDeploy hook\'s hour and accepted against the four-hour hook\'s deadline', () => {
  const input = { metrics: [{ preset: 'alb-5xx-rate' }], bake: { duration: '2h', period: '5m' }, canaryWatch: { period: '60s', maxDuration: '5m' }, metricLag: '2m' };
  expect(() => parsePolicy(input)).toThrow(PolicyError);
  expect(() => parsePolicy(input)).toThrow(/bake\.duration: 120 min \(7200 s\) does not fit the hook's hour/);
  expect(parsePolicy(input, undefined, ecsNativeDeploymentLimits(LONG_BAKE_HOOK_TIMEOUT_MINUTES)).bake.duration).toBe(7200);
  // A three-hour hook's deadline cannot hold a 2 h 50 min bake: fitted to the hook, not unlimited.
  expect(() => parsePolicy({ ...input, bake: { duration: '170m', period: '5m' } }, undefined, ecsNativeDeploymentLimits(180))).toThrow(/does not fit the hook's deadline/);
});

test('healthy: the bake runs past the hour for its two hours; one answer and one verdict event per stage and step, before the hook\'s timeout', async () => {
  const result = await simulateEcsNativeDeployment(definition, deployment(0.01));
  expect(result.outcome).toBe('deployed');
  expect(result.answers.map((a) => `${a.stage}@${a.weight}:${a.response.hookStatus}`)).toEqual(['PRODUCTION_TRAFFIC_SHIFT@50:SUCCEEDED', 'PRODUCTION_TRAFFIC_SHIFT@100:SUCCEEDED', 'POST_PRODUCTION_TRAFFIC_SHIFT@100:SUCCEEDED']);
  expect(result.executions).toHaveLength(3);
  expect(result.verdictEvents.map((e) => e.deploymentId).sort()).toEqual(result.executions.map((e) => e.input.deploymentId).sort());
  expect(result.verdictMetrics).toHaveLength(3);
  const bake = result.executions.find((e) => e.input.ecsNative?.role === 'bake')!;
  expect(bake.run.status).toBe('SUCCEEDED');
  const invokedAt = Date.parse(bake.input.hookInvokedAt);
  const bakeAnswer = result.answers.find((a) => a.stage === 'POST_PRODUCTION_TRAFFIC_SHIFT')!;
  // The bake judged its two hours: 24 five-minute periods, the answer well past CodeDeploy's hour and before the hook's timeout.
  expect(bake.ticks.at(-1)?.periodsJudged).toBe(24);
  expect(bake.ticks.at(-1)?.decision).toBe('pass');
  expect(bakeAnswer.at.getTime() - invokedAt).toBeGreaterThan(120 * 60_000);
  expect(bakeAnswer.at.getTime() - invokedAt).toBeLessThan(HOOK_TIMEOUT_MS);
  for (const execution of result.executions) {
    const answer = result.answers.find((a) => execution.input.deploymentId.endsWith(a.stage === 'PRODUCTION_TRAFFIC_SHIFT' ? `_w${a.weight}` : a.stage))!;
    expect(answer.at.getTime()).toBeLessThan(Date.parse(execution.input.hookInvokedAt) + HOOK_TIMEOUT_MS);
  }
}, 600_000);

test('×3 errors on green: FAILED once, at the first stage or step that judges it, before the timeout', async () => {
  const result = await simulateEcsNativeDeployment(definition, deployment(0.03));
  expect(result.outcome).toBe('rolled-back');
  const forward = result.answers.filter((a) => !a.rollback);
  expect(forward.map((a) => `${a.stage}@${a.weight}:${a.response.hookStatus}`).at(-1)).toMatch(/:FAILED$/);
  expect(forward.filter((a) => a.response.hookStatus === 'FAILED')).toHaveLength(1);
  expect(result.verdictEvents.filter((e) => e.status === 'Failed')).toHaveLength(1);
  expect(new Set(result.verdictEvents.map((e) => e.deploymentId)).size).toBe(result.verdictEvents.length);
  for (const answer of forward) expect(answer.at.getTime() - START.getTime()).toBeLessThan(HOOK_TIMEOUT_MS);
}, 600_000);

describe.each(ecsNativeFaultGrid().filter((c) => c.longBake).map((c) => [c.name, c] as const))('%s', (_name, testCase) => {
  test('exactly one answer per stage and step, before the four-hour timeout; one verdict event per evaluation', async () => {
    const result = await simulateEcsNativeDeployment(definition, ecsNativeFaultDeployment(testCase));
    expect(ecsNativeFaultProblems(ecsNativeFaultOutcomeOf(testCase.name, result, LONG_BAKE_HOOK_TIMEOUT_MINUTES))).toEqual([]);
    if (testCase.kind === 'hang') {
      // The first evaluation hung, ran far past CodeDeploy's hour and timed out at the machine's timeout for this
      // hook (ecsNativeExecutionTimeoutSeconds): the reaper recorded FAILED, the hook answered it before its timeout.
      const hung = result.executions.find((e) => e.input.ecsNative?.role !== 'smoke')!;
      expect(hung.input.ecsNative?.role).toBe('step');
      expect(hung.run.status).toBe('TIMED_OUT');
      const answer = result.answers.find((a) => !a.rollback && hung.input.deploymentId.endsWith(a.stage === 'PRODUCTION_TRAFFIC_SHIFT' ? `_w${a.weight}` : a.stage))!;
      expect(answer.response.hookStatus).toBe('FAILED');
      const after = answer.at.getTime() - Date.parse(hung.input.hookInvokedAt);
      expect(after).toBeGreaterThanOrEqual(ecsNativeExecutionTimeoutSeconds(LONG_BAKE_HOOK_TIMEOUT_MINUTES) * 1000);
      expect(after).toBeLessThan(HOOK_TIMEOUT_MS);
    }
  }, 600_000);
});

// KNOWN GAP (why registerEcsService requires hookTimeout = ecsNativeMaxHookTimeout on the extended machine): with a
// shorter hook, a hung evaluation outlives the hook's answer guard. On a real account the guard records its status
// first; the reaper then finds it recorded and, like every reaper report it did not make, publishes nothing, so that
// evaluation has no verdict event at all. The simulation runs each execution to its end before the hook's later
// calls, so here the reaper records first and its events contradict the answer ECS got: either way not exactly one
// matching event. `test.failing` passes while the gap exists and fails once it is fixed.
test.failing('a hook timeout below the evaluator\'s most: a hung evaluation outlives the hook; the late reaper must not contradict the answer', async () => {
  // ecsNativeMaxHookTimeout 240, this hook 180: the extended machine's timeout (236 min) is past this hook's.
  const hang = ecsNativeFaultGrid().find((c) => c.longBake && c.kind === 'hang')!;
  const result = await simulateEcsNativeDeployment(definition, { ...ecsNativeFaultDeployment(hang), hookTimeoutMinutes: 180, executionTimeoutSeconds: ecsNativeExecutionTimeoutSeconds(240) });
  const outcome = ecsNativeFaultOutcomeOf(hang.name, result, 180);
  expect(ecsNativeFaultProblems(outcome)).toEqual([]);
  const hung = result.executions.find((e) => e.input.ecsNative?.role !== 'smoke')!;
  expect(hung.run.status).toBe('TIMED_OUT');
  const answer = result.answers.find((a) => !a.rollback && hung.input.deploymentId.endsWith(a.stage === 'PRODUCTION_TRAFFIC_SHIFT' ? `_w${a.weight}` : a.stage))!;
  expect(answer.at.getTime() - Date.parse(hung.input.hookInvokedAt)).toBeLessThan(180 * 60_000);
}, 600_000);
