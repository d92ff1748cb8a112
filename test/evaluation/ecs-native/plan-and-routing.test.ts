import { ECS_ANSWER_GUARD_SECONDS, ecsNativeExecutionTimeoutSeconds } from '../../../lib/evaluation/ecs-native/contract';
import type { EcsHookStatusStore } from '../../../lib/evaluation/ecs-native/hook';
import { PlatformHookReporter } from '../../../lib/evaluation/ecs-native/routing';
import { REPORT_RESERVE_SECONDS } from '../../../lib/evaluation/contracts';
import type { HookStatus } from '../../../lib/evaluation/ports';
import type { EvaluationInput } from '../../../lib/evaluation/state';
import { planEvaluation } from '../../../lib/evaluation/steps';
import { parsePolicy } from '../../../lib/policy';

const policy = parsePolicy({ metrics: [{ preset: 'alb-5xx-rate' }], smokeTests: [{ type: 'http', name: 'health', url: 'http://alb:8080/health', phase: 'both' }], canaryWatch: { period: '60s', maxDuration: '10m' }, bake: { duration: '20m', period: '60s' }, metricLag: '2m' });
const invokedAt = '2026-12-07T12:00:00Z';
const invoked = Date.parse(invokedAt) / 1000;

function input(role: 'smoke' | 'step' | 'bake', hookTimeoutSeconds = 86_400): EvaluationInput {
  return {
    deploymentId: `X_${role}`,
    lifecycleEventHookExecutionId: 'ecs-native:e',
    lifecycleEvent: role === 'smoke' ? 'AfterAllowTestTraffic' : 'AfterAllowTraffic',
    applicationName: 'c',
    deploymentGroupName: 's',
    target: { type: 'ecs', loadBalancer: 'app/a/1', canaryTargetGroup: 'targetgroup/g/2', baselineTargetGroup: 'targetgroup/b/1', taskDefinition: 'rev' },
    policyRef: { bucket: 'b', key: 'k' },
    hookInvokedAt: invokedAt,
    ecsNative: { stage: 'S', role, productionWeight: role === 'step' ? 10 : role === 'bake' ? 100 : 0, hookTimeoutSeconds, serviceDeploymentArn: 'arn', targetServiceRevisionArn: 'rev' },
  };
}

describe('the plan of an ECS native evaluation', () => {
  test('the deadline comes from the hook timeout, not CodeDeploy hour', () => {
    for (const role of ['smoke', 'step', 'bake'] as const) {
      expect(planEvaluation(input(role), policy).reportBy).toBe(invoked + 86_400 - ECS_ANSWER_GUARD_SECONDS - REPORT_RESERVE_SECONDS);
    }
    // The state machine's timeout is past the deadline and before the hook answers on its own.
    expect(ecsNativeExecutionTimeoutSeconds(1440)).toBeGreaterThan(86_400 - ECS_ANSWER_GUARD_SECONDS - REPORT_RESERVE_SECONDS);
    expect(ecsNativeExecutionTimeoutSeconds(1440)).toBeLessThan(86_400 - ECS_ANSWER_GUARD_SECONDS);
  });

  test('a production step: green against blue over the same periods, the watch window, no smoke tests, no watch after', () => {
    expect(planEvaluation(input('step'), policy)).toMatchObject({ phase: 'bake', baselineOffsetSeconds: 0, windowStart: invoked, windowEnd: invoked + 600, smokeTests: 0, canaryWatch: false, stopDeploymentOnFail: false });
  });

  test('the test stage: smoke tests, then nothing more (the steps judge production)', () => {
    expect(planEvaluation(input('smoke'), policy)).toMatchObject({ phase: 'pre-traffic', smokeTests: 1, canaryWatch: false });
  });

  test('the bake: the policy bake against blue before the deployment, post-deploy smoke tests', () => {
    const plan = planEvaluation(input('bake'), policy);
    expect(plan).toMatchObject({ phase: 'bake', windowStart: invoked, windowEnd: invoked + 1200, smokeTests: 1 });
    expect(plan.baselineOffsetSeconds).toBe(1200);
  });

  test('a CodeDeploy input is planned as before (the hour)', () => {
    const codeDeploy: EvaluationInput = { ...input('bake'), ecsNative: undefined };
    expect(planEvaluation(codeDeploy, policy).reportBy).toBe(invoked + 3600 - REPORT_RESERVE_SECONDS - 300);
  });
});

describe('the report step reports each platform its own way', () => {
  const statuses = new Map<string, HookStatus>();
  const store: EcsHookStatusStore = {
    read: async (id) => statuses.get(id),
    record: async (id, status) => (statuses.has(id) ? 'already-recorded' : (statuses.set(id, status), 'recorded')),
  };
  const codeDeployCalls: string[] = [];
  const reporter = new PlatformHookReporter(
    { report: async (ids, status) => (codeDeployCalls.push(`${ids.deploymentId}:${status}`), 'reported') },
    store,
    { readStatus: async () => 'Failed' },
  );

  test('ECS native: recorded once, the first status stands; CodeDeploy never called', async () => {
    await expect(reporter.report({ deploymentId: 'X_POST_TEST_TRAFFIC_SHIFT', lifecycleEventHookExecutionId: 'ecs-native:e1' }, 'Succeeded')).resolves.toBe('reported');
    await expect(reporter.report({ deploymentId: 'X_POST_TEST_TRAFFIC_SHIFT', lifecycleEventHookExecutionId: 'ecs-native:e1' }, 'Failed')).resolves.toBe('already-completed');
    await expect(reporter.readStatus('X_POST_TEST_TRAFFIC_SHIFT', 'AfterAllowTestTraffic')).resolves.toBe('Succeeded');
    expect(codeDeployCalls).toEqual([]);
  });

  test('CodeDeploy: reported and read there', async () => {
    await expect(reporter.report({ deploymentId: 'd-ABC123', lifecycleEventHookExecutionId: 'hook-1' }, 'Failed')).resolves.toBe('reported');
    await expect(reporter.readStatus('d-ABC123', 'AfterAllowTraffic')).resolves.toBe('Failed');
    expect(codeDeployCalls).toEqual(['d-ABC123:Failed']);
  });

  test('an ECS native status not recorded yet cannot be read', async () => {
    await expect(reporter.readStatus('Y_POST_PRODUCTION_TRAFFIC_SHIFT', 'AfterAllowTraffic')).rejects.toThrow(/no hook status recorded yet/);
  });
});
