import type { OverrideStore } from '../../lib/evaluation/override/look';
import { OVERRIDES, overrideKey, type OverrideAction, type OverrideRecord } from '../../lib/evaluation/override/record';
import { parsePolicy } from '../../lib/policy';
import { synthesizeEvaluationDefinition } from '../../lib/simulate/definition';
import { SIMULATED_REPORT_BUCKET } from '../../lib/simulate/deployment';
import { simulateEcsNativeDeployment, SIMULATED_TARGET_GROUPS, type SimulatedEcsNativeDeployment } from '../../lib/simulate/ecs-native/deployment';
import { SimulatedTargetGroupMetrics } from '../../lib/simulate/ecs-native/target-group-metrics';
import { ON_CALL_ARN, signedOverrideRecord, simulatedSts } from './override-support';

/**
 * Break-glass overrides of an Amazon ECS native deployment through the local state machine (issue 27 with
 * issue 28 item 4): the hook passes the registration's override settings to every evaluation it starts;
 * each stage's and each production step's evaluation looks for its own record
 * (`overrideKey(<evaluation id>, <lifecycle event>)`), honours it at its next look within 60 s, and its one
 * verdict says so; the hook answers ECS what the evaluation recorded. The next step is judged again.
 */
let definition: Record<string, unknown>;
beforeAll(() => {
  definition = synthesizeEvaluationDefinition();
}, 600_000);

const START = new Date('2026-12-07T12:00:00Z');
const POLICY = parsePolicy({ metrics: [{ preset: 'alb-5xx-rate' }], canaryWatch: { maxDuration: '10m' }, bake: { duration: '10m' } });
const STEP_25 = 'SimDeployment01_PRODUCTION_TRAFFIC_SHIFT_w25';
const STEP_50 = 'SimDeployment01_PRODUCTION_TRAFFIC_SHIFT_w50';
const BAKE = 'SimDeployment01_POST_PRODUCTION_TRAFFIC_SHIFT';
/** On call writes the record this long after the evaluation's first look, so it is seen at a later look. */
const WRITE_AFTER_FIRST_LOOK_SECONDS = 30;

/**
 * The report bucket's `overrides/` for one evaluation: on call writes the record `WRITE_AFTER_FIRST_LOOK_SECONDS`
 * after that evaluation first looked (the virtual clock), signed at that instant; a read sees it from then on.
 */
function overrideOf(evaluationId: string, action: OverrideAction) {
  const key = overrideKey(evaluationId, 'AfterAllowTraffic');
  const seen: { firstLook?: Date; written?: OverrideRecord; looks: Date[] } = { looks: [] };
  const store = (now: () => Date): OverrideStore => ({
    read: async (bucket, asked) => {
      if (bucket !== SIMULATED_REPORT_BUCKET || asked !== key) return undefined;
      seen.firstLook ??= now();
      seen.looks.push(now());
      seen.written ??= signedOverrideRecord({ deploymentId: evaluationId, lifecycleEvent: 'AfterAllowTraffic', action, reason: 'INC-4800: the 5xx metric counts a health check' }, new Date(seen.firstLook.getTime() + WRITE_AFTER_FIRST_LOOK_SECONDS * 1000));
      return now() >= new Date(seen.written.requestedAt) ? JSON.parse(JSON.stringify(seen.written)) : undefined;
    },
  });
  return { store, seen };
}

function deployment(greenErrorRate: number, override: ReturnType<typeof overrideOf>, allowed = true): SimulatedEcsNativeDeployment {
  let clockNow = () => START;
  return {
    policy: POLICY,
    start: START,
    strategy: 'LINEAR',
    percent: 25,
    metrics: (now, greenWeightAt) =>
      new SimulatedTargetGroupMetrics({ ...SIMULATED_TARGET_GROUPS, requestsPerMinute: 2000, greenBehaviour: { errorRate: greenErrorRate }, blueBehaviour: { errorRate: 0.01 }, greenWeightAt, metricLagMinutes: 2, seed: 7 }, now),
    overrides: { allowed, store: (now) => ((clockNow = now), override.store(now)), identity: simulatedSts(() => clockNow()) },
  };
}

const summary = (result: Awaited<ReturnType<typeof simulateEcsNativeDeployment>>) => result.answers.map((a) => `${a.stage}@${a.weight}:${a.response.hookStatus}${a.rollback ? ' (rollback)' : ''}`);

describe('break-glass overrides of an ECS native deployment through the local state machine', () => {
  test('promote the failing 25 % step: honoured at its next look within 60 s, the step answered SUCCEEDED; the 50 % step is judged again and fails', async () => {
    const override = overrideOf(STEP_25, 'promote');
    const result = await simulateEcsNativeDeployment(definition, deployment(0.05, override));
    // Every evaluation carries the registration's override settings (the hook passes them).
    expect(result.executions.every((e) => e.input.override?.bucket === SIMULATED_REPORT_BUCKET && e.input.override.allowed)).toBe(true);
    const step = result.executions.find((e) => e.input.deploymentId === STEP_25)!;
    const honoured = step.ticks.find((tick) => tick.override?.honoured)!;
    expect(honoured).toBeDefined();
    expect(step.ticks.at(-1)).toBe(honoured);
    // The looks before the write saw nothing; the first one after it honoured it, within OVERRIDES.lookSeconds of the write.
    const written = Date.parse(override.seen.written!.requestedAt);
    const honouredAt = override.seen.looks.find((look) => look.getTime() >= written)!.getTime();
    expect(override.seen.looks.at(-1)!.getTime()).toBe(honouredAt);
    expect(honouredAt).toBeGreaterThanOrEqual(written);
    expect(honouredAt - written).toBeLessThanOrEqual(OVERRIDES.lookSeconds * 1000);
    expect(step.ticks.slice(0, -1).every((tick) => tick.override === undefined)).toBe(true);
    expect(summary(result)).toEqual(['POST_TEST_TRAFFIC_SHIFT@0:SUCCEEDED', 'PRODUCTION_TRAFFIC_SHIFT@25:SUCCEEDED', 'PRODUCTION_TRAFFIC_SHIFT@50:FAILED', 'PRODUCTION_TRAFFIC_SHIFT@0:SUCCEEDED (rollback)']);
    // One verdict per stage and step; the overridden one says who and why, the next is the metrics'.
    const byEvaluation = result.verdictEvents.map((e) => [e.deploymentId, e.status, e.cause]);
    expect(byEvaluation).toEqual([
      ['SimDeployment01_POST_TEST_TRAFFIC_SHIFT', 'Succeeded', 'smoke-tests'],
      [STEP_25, 'Succeeded', 'override'],
      [STEP_50, 'Failed', 'verdict'],
    ]);
    expect(result.verdictEvents[1].override).toEqual({ action: 'promote', reason: 'INC-4800: the 5xx metric counts a health check', by: ON_CALL_ARN, requestedAt: override.seen.written!.requestedAt, honoured: true });
  }, 600_000);

  test('roll back at the bake: the bake answers FAILED at its next look, ECS rolls back; the steps before were judged as usual', async () => {
    const override = overrideOf(BAKE, 'rollback');
    const result = await simulateEcsNativeDeployment(definition, deployment(0.01, override));
    expect(summary(result)).toEqual([
      'POST_TEST_TRAFFIC_SHIFT@0:SUCCEEDED',
      'PRODUCTION_TRAFFIC_SHIFT@25:SUCCEEDED',
      'PRODUCTION_TRAFFIC_SHIFT@50:SUCCEEDED',
      'PRODUCTION_TRAFFIC_SHIFT@75:SUCCEEDED',
      'PRODUCTION_TRAFFIC_SHIFT@100:SUCCEEDED',
      'POST_PRODUCTION_TRAFFIC_SHIFT@100:FAILED',
      'PRODUCTION_TRAFFIC_SHIFT@0:SUCCEEDED (rollback)',
    ]);
    const written = Date.parse(override.seen.written!.requestedAt);
    const honouredAt = override.seen.looks.find((look) => look.getTime() >= written)!.getTime();
    expect(honouredAt - written).toBeLessThanOrEqual(OVERRIDES.lookSeconds * 1000);
    const events = result.verdictEvents.filter((e) => e.deploymentId === BAKE);
    expect(events).toEqual([expect.objectContaining({ status: 'Failed', cause: 'override', decision: 'fail' })]);
    expect(result.verdictEvents.filter((e) => e.cause === 'override')).toHaveLength(1);
  }, 600_000);

  test('a registration that forbids overrides (allowOverrides: false): the step judges on and fails, its one verdict records the refusal', async () => {
    const override = overrideOf(STEP_25, 'promote');
    const result = await simulateEcsNativeDeployment(definition, deployment(0.05, override, false));
    expect(result.executions.every((e) => e.input.override?.allowed === false)).toBe(true);
    expect(summary(result)).toEqual(['POST_TEST_TRAFFIC_SHIFT@0:SUCCEEDED', 'PRODUCTION_TRAFFIC_SHIFT@25:FAILED', 'PRODUCTION_TRAFFIC_SHIFT@0:SUCCEEDED (rollback)']);
    const step = result.verdictEvents.filter((e) => e.deploymentId === STEP_25);
    expect(step).toEqual([expect.objectContaining({ status: 'Failed', cause: 'verdict' })]);
    expect(step[0].override).toEqual(expect.objectContaining({ honoured: false, refused: 'this registration forbids overrides (allowOverrides: false)', by: ON_CALL_ARN }));
  }, 600_000);
});
