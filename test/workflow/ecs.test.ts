import { STATE } from '../../lib/constructs';
import type { HttpRequest } from '../../lib/evaluation';
import { parsePolicy, type PolicyInput } from '../../lib/policy';
import { synthesizeEvaluationDefinition } from '../../lib/simulate/definition';
import { simulateDeployment, type SimulatedEcsAppSpec } from '../../lib/simulate/deployment';
import { SteadyMetricSource } from '../../lib/simulate/steady-metric-source';
import { ECS_TARGET_ID, ECS_TARGETS } from '../fixtures/codedeploy/events';

/**
 * An ECS blue/green deployment's pre-traffic hook (AfterAllowTestTraffic) through the synthesized state
 * machine: the real hook resolves Green/Blue from the deployment target, the HTTP smoke test calls the
 * test listener, the report goes out, then the canary watch compares the two target groups' ALB metrics.
 */
const definition = synthesizeEvaluationDefinition();
const START = new Date('2026-11-26T10:00:00Z');
const BLUE = ECS_TARGETS.targetGroups['web-blue'];
const GREEN = ECS_TARGETS.targetGroups['web-green'];
const original = { requestsPerMinute: 900, errorRate: 0.01, p99Ms: 120 };
const shifted = { ...original, requestsPerMinute: 100 };

function ecsAppSpec(green = 'web-green', blue = 'web-blue'): SimulatedEcsAppSpec {
  return {
    type: 'ecs',
    taskDefinition: 'arn:aws:ecs:us-east-1:111222333444:task-definition/web:7',
    containerName: 'web',
    containerPort: 80,
    targets: ECS_TARGETS,
    deploymentTarget: {
      targetId: ECS_TARGET_ID,
      taskSets: [
        { label: 'Blue', targetGroupName: blue, trafficWeight: 100 },
        { label: 'Green', targetGroupName: green, trafficWeight: 0 },
      ],
    },
  };
}
const policy = (extra: PolicyInput = {}) =>
  parsePolicy({
    metrics: [{ preset: 'alb-5xx-rate', method: { type: 'threshold', maxRatioToBaseline: 2, failureLimit: 2 } }],
    smokeTests: [{ type: 'http', name: 'test-listener', url: 'http://web-alb.example:8080/health', expect: { status: 200 } }],
    canaryWatch: { period: '60s', maxDuration: '15m', stopDeploymentOnFail: true },
    metricLag: '2m',
    ...extra,
  });
const base = { deploymentId: 'd-ECS000001', start: START, lifecycleEvent: 'AfterAllowTestTraffic' as const };

describe('ECS AfterAllowTestTraffic: test-listener smoke test, report, canary watch on the target groups', () => {
  test('reports Succeeded after the HTTP smoke test, then watches Green against Blue until the deployment ends', async () => {
    const requests: HttpRequest[] = [];
    const queried = new Set<string>();
    const metrics = new SteadyMetricSource({ [BLUE]: original, [GREEN]: shifted }, 'TargetGroup');
    const result = await simulateDeployment(definition, {
      ...base,
      appSpec: ecsAppSpec(),
      policy: policy(),
      metrics: {
        getMetricData: async (queries, window) => {
          for (const query of queries) if ('dimensions' in query) queried.add(`${query.id} ${query.dimensions.LoadBalancer} ${query.dimensions.TargetGroup}`);
          return metrics.getMetricData(queries, window);
        },
      },
      http: { request: async (request) => (requests.push(request), { status: 200, body: '{"status":"ok"}' }) },
      deploymentEndsAt: new Date(START.getTime() + 8 * 60000),
    });
    expect(result.hookOutcomes).toEqual(['started']);
    expect(requests.map((r) => `${r.method} ${r.url}`)).toEqual(['GET http://web-alb.example:8080/health']);
    expect(result.reports).toEqual([{ status: 'Succeeded', at: START }]);
    expect(result.execution.statesEntered.slice(0, 6)).toEqual([STATE.prepare, STATE.routePhase, STATE.preSmokeNeeded, STATE.preSmoke, STATE.preSmokeResult, STATE.preTrafficPassed]);
    expect(result.watchTicks.length).toBeGreaterThan(3);
    expect(result.watchTicks.at(-1)?.tick).toMatchObject({ done: true, reason: expect.stringContaining('deployment is Succeeded') });
    expect(result.verdictFailed.every((v) => v === 0)).toBe(true);
    expect([...queried].sort()).toEqual([
      `m0_baseline_count ${ECS_TARGETS.loadBalancer} ${BLUE}`,
      `m0_baseline_total ${ECS_TARGETS.loadBalancer} ${BLUE}`,
      `m0_canary_count ${ECS_TARGETS.loadBalancer} ${GREEN}`,
      `m0_canary_total ${ECS_TARGETS.loadBalancer} ${GREEN}`,
    ]);
  });

  test('a header read from a secret: the smoke test runs offline with a placeholder, and the value is never in the execution history', async () => {
    const requests: HttpRequest[] = [];
    const secret = 'arn:aws:secretsmanager:us-east-1:111222333444:secret:web/smoke-token';
    const result = await simulateDeployment(definition, {
      ...base,
      appSpec: ecsAppSpec(),
      policy: policy({ smokeTests: [{ type: 'http', name: 'test-listener', url: 'http://web-alb.example:8080/health', headers: { Authorization: { secret, prefix: 'Bearer ' } }, expect: { json: [{ path: '$.echoed', equals: 'anything else' }] } }] }),
      metrics: new SteadyMetricSource({ [BLUE]: original, [GREEN]: shifted }, 'TargetGroup'),
      // The new version echoes the header back, so the failing assertion's reason would quote it.
      http: { request: async (request) => (requests.push(request), { status: 200, body: JSON.stringify({ echoed: request.headers.Authorization }) }) },
      deploymentEndsAt: new Date(START.getTime() + 3 * 60000),
    });
    expect(requests[0].headers.Authorization).toBe(`Bearer simulated-secret:${secret}`);
    expect(result.reports).toEqual([{ status: 'Failed', at: START }]);
    expect(result.verdictEvents[0].reason).toContain('$.echoed is "Bearer ***"');
    expect(JSON.stringify(result)).not.toContain('simulated-secret');
  });

  test.each([
    ['web-green serves the replacement', 'web-green', 'web-blue'],
    ['blue/green swapped: web-blue serves the replacement', 'web-blue', 'web-green'],
  ])('a 5xx regression of the replacement task set stops the deployment (%s)', async (_case, green, blue) => {
    const regressedGreen = ECS_TARGETS.targetGroups[green as keyof typeof ECS_TARGETS.targetGroups];
    const healthyBlue = ECS_TARGETS.targetGroups[blue as keyof typeof ECS_TARGETS.targetGroups];
    const metrics = new SteadyMetricSource({ [healthyBlue]: original, [regressedGreen]: { ...shifted, errorRate: 0.05 } }, 'TargetGroup');
    const result = await simulateDeployment(definition, { ...base, appSpec: ecsAppSpec(green, blue), policy: policy(), metrics });
    expect(result.reports.map((r) => r.status)).toEqual(['Succeeded']);
    expect(result.verdictFailed.at(-1)).toBe(1);
    expect(result.stops).toBe(1);
    expect(result.verdictEvents.at(-1)).toMatchObject({ cause: 'canary-watch', lifecycleEvent: 'AfterAllowTestTraffic', reason: expect.stringContaining('deployment stopped with rollback') });
  });

  test('a Lambda smoke test in an ECS evaluation fails the hook, saying to use an HTTP test', async () => {
    const metrics = new SteadyMetricSource({ [BLUE]: original, [GREEN]: shifted }, 'TargetGroup');
    const result = await simulateDeployment(definition, { ...base, appSpec: ecsAppSpec(), policy: policy({ smokeTests: [{ name: 'invoke' }] }), metrics });
    expect(result.reports.map((r) => r.status)).toEqual(['Failed']);
    expect(result.verdictEvents[0]).toMatchObject({ cause: 'smoke-tests', reason: expect.stringContaining('this is an ECS deployment; use an http smoke test') });
    expect(result.watchTicks).toHaveLength(0);
  });

  test('the bake (AfterAllowTraffic) judges Green at 100 % against Blue before the deployment', async () => {
    const metrics = new SteadyMetricSource({ [BLUE]: original, [GREEN]: original }, 'TargetGroup');
    const result = await simulateDeployment(definition, {
      ...base,
      lifecycleEvent: 'AfterAllowTraffic',
      appSpec: ecsAppSpec(),
      policy: policy({ bake: { duration: '5m', period: '60s' } }),
      metrics,
    });
    expect(result.reports.map((r) => r.status)).toEqual(['Succeeded']);
    expect(result.verdictEvents[0]).toMatchObject({ cause: 'verdict', verdict: expect.objectContaining({ decision: 'pass' }) });
  });
});
