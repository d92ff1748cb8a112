import { parsePolicy } from '../../lib/policy';
import { synthesizeEvaluationDefinition } from '../../lib/simulate/definition';
import { simulateEcsNativeDeployment, SIMULATED_TARGET_GROUPS, type SimulatedEcsNativeDeployment } from '../../lib/simulate/ecs-native/deployment';
import { SimulatedTargetGroupMetrics } from '../../lib/simulate/ecs-native/target-group-metrics';

let definition: Record<string, unknown>;
beforeAll(() => {
  definition = synthesizeEvaluationDefinition();
}, 600_000);

const POLICY = parsePolicy({ metrics: [{ preset: 'alb-5xx-rate' }], canaryWatch: { maxDuration: '10m' }, bake: { duration: '10m' } });

function deployment(greenErrorRate: number, overrides: Partial<SimulatedEcsNativeDeployment> = {}): SimulatedEcsNativeDeployment {
  return {
    policy: POLICY,
    start: new Date('2026-12-07T12:00:00Z'),
    strategy: 'LINEAR',
    percent: 25,
    metrics: (now, greenWeightAt) =>
      new SimulatedTargetGroupMetrics(
        { ...SIMULATED_TARGET_GROUPS, requestsPerMinute: 2000, greenBehaviour: { errorRate: greenErrorRate }, blueBehaviour: { errorRate: 0.01 }, greenWeightAt, metricLagMinutes: 2, seed: 7 },
        now,
      ),
    ...overrides,
  };
}

describe('ECS native deployment, simulated end to end (real hook, state machine, report path)', () => {
  test('healthy LINEAR 25 %: one answer per stage and step, all SUCCEEDED, exactly one verdict event each', async () => {
    const result = await simulateEcsNativeDeployment(definition, deployment(0.01));
    expect(result.outcome).toBe('deployed');
    expect(result.answers.map((a) => `${a.stage}@${a.weight}:${a.response.hookStatus}`)).toEqual([
      'POST_TEST_TRAFFIC_SHIFT@0:SUCCEEDED',
      'PRODUCTION_TRAFFIC_SHIFT@25:SUCCEEDED',
      'PRODUCTION_TRAFFIC_SHIFT@50:SUCCEEDED',
      'PRODUCTION_TRAFFIC_SHIFT@75:SUCCEEDED',
      'PRODUCTION_TRAFFIC_SHIFT@100:SUCCEEDED',
      'POST_PRODUCTION_TRAFFIC_SHIFT@100:SUCCEEDED',
    ]);
    // The hook was invoked repeatedly while each evaluation ran.
    expect(result.inProgress).toBeGreaterThan(6);
    expect(result.executions).toHaveLength(6);
    expect(result.verdictEvents.map((e) => e.deploymentId)).toEqual(result.executions.map((e) => e.input.deploymentId));
    expect(new Set(result.verdictEvents.map((e) => e.deploymentId)).size).toBe(6);
    expect(result.verdictMetrics).toHaveLength(6);
    // Each step judged green against blue over the same periods, at its weight.
    const steps = result.executions.filter((e) => e.input.ecsNative?.role === 'step');
    expect(steps.map((e) => e.input.ecsNative?.productionWeight)).toEqual([25, 50, 75, 100]);
    for (const step of steps) expect(step.ticks.at(-1)?.periodsJudged).toBeGreaterThan(0);
  }, 600_000);

  test('×3 errors on green: the first step fails, ECS rolls back, the rollback re-invocation is answered SUCCEEDED at once', async () => {
    const result = await simulateEcsNativeDeployment(definition, deployment(0.03));
    expect(result.outcome).toBe('rolled-back');
    expect(result.answers.map((a) => `${a.stage}@${a.weight}:${a.response.hookStatus}${a.rollback ? ' (rollback)' : ''}`)).toEqual([
      'POST_TEST_TRAFFIC_SHIFT@0:SUCCEEDED',
      'PRODUCTION_TRAFFIC_SHIFT@25:FAILED',
      'PRODUCTION_TRAFFIC_SHIFT@0:SUCCEEDED (rollback)',
    ]);
    expect(result.executions).toHaveLength(2);
    expect(result.verdictEvents.map((e) => [e.deploymentId, e.status])).toEqual([
      ['SimDeployment01_POST_TEST_TRAFFIC_SHIFT', 'Succeeded'],
      ['SimDeployment01_PRODUCTION_TRAFFIC_SHIFT_w25', 'Failed'],
    ]);
  }, 600_000);
});
