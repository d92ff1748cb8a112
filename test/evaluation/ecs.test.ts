import {
  buildQueries,
  parseEcsTargets,
  parseEvaluationInput,
  parseLifecycleEvent,
  phaseOf,
  planEvaluation,
  resolveEcsTarget,
  runSmokeTests,
  versionDimensions,
  type EcsDeploymentTarget,
  type EcsTarget,
  type EvaluationInput,
} from '../../lib/evaluation';
import { parsePolicy } from '../../lib/policy';
import { ECS_TARGET_ID, ECS_TARGETS } from '../fixtures/codedeploy/events';

const appSpec = { type: 'ecs' as const, taskDefinition: 'arn:aws:ecs:us-east-1:111222333444:task-definition/web:7', containerName: 'web', containerPort: 80 };
const taskSets = (green: string, blue: string): EcsDeploymentTarget => ({
  targetId: ECS_TARGET_ID,
  taskSets: [
    { label: 'Blue', targetGroupName: blue, trafficWeight: 100, identifier: 'ecs-svc/1' },
    { label: 'Green', targetGroupName: green, trafficWeight: 0, identifier: 'ecs-svc/2' },
  ],
});
const ecsTarget: EcsTarget = {
  type: 'ecs',
  loadBalancer: ECS_TARGETS.loadBalancer,
  canaryTargetGroup: ECS_TARGETS.targetGroups['web-green'],
  baselineTargetGroup: ECS_TARGETS.targetGroups['web-blue'],
  taskDefinition: appSpec.taskDefinition,
  service: ECS_TARGET_ID,
};
const lambdaTarget = { type: 'lambda' as const, functionName: 'orders', alias: 'live', currentVersion: '1', targetVersion: '2' };
const input: EvaluationInput = {
  deploymentId: 'd-A1B2C3D4E',
  lifecycleEventHookExecutionId: 'hook-1',
  lifecycleEvent: 'AfterAllowTestTraffic',
  applicationName: 'web-app',
  deploymentGroupName: 'web-group',
  target: ecsTarget,
  policyRef: { bucket: 'b', key: 'k' },
  hookInvokedAt: '2026-11-26T10:00:30.000Z',
};

describe('resolveEcsTarget', () => {
  test('the Green task set is the canary and the Blue one the baseline, whichever target group each uses', () => {
    expect(resolveEcsTarget(appSpec, taskSets('web-green', 'web-blue'), ECS_TARGETS)).toEqual(ecsTarget);
    // The next deployment: blue/green swapped the target groups.
    expect(resolveEcsTarget(appSpec, taskSets('web-blue', 'web-green'), ECS_TARGETS)).toMatchObject({
      canaryTargetGroup: 'targetgroup/web-blue/73e2d6bc24d8a067',
      baselineTargetGroup: 'targetgroup/web-green/943f017f100becff',
    });
  });

  test('fails naming a target group missing from ECS_TARGETS', () => {
    expect(() => resolveEcsTarget(appSpec, taskSets('web-canary', 'web-blue'), ECS_TARGETS)).toThrow(
      `deployment target ${ECS_TARGET_ID}: the Green task set's target group "web-canary" is not one of the registered target groups (web-blue, web-green)`,
    );
  });

  test('fails when a label is missing or repeated, or a task set has no target group', () => {
    const onlyBlue = { targetId: ECS_TARGET_ID, taskSets: [{ label: 'Blue', targetGroupName: 'web-blue' }] };
    expect(() => resolveEcsTarget(appSpec, onlyBlue, ECS_TARGETS)).toThrow('expected one Green task set, found 0 (task sets: Blue)');
    const noGroup = { targetId: ECS_TARGET_ID, taskSets: [{ label: 'Green' }, { label: 'Blue', targetGroupName: 'web-blue' }] };
    expect(() => resolveEcsTarget(appSpec, noGroup, ECS_TARGETS)).toThrow('the Green task set has no target group');
  });
});

describe('parseEcsTargets', () => {
  test('reads what the construct writes, and names what is wrong', () => {
    expect(parseEcsTargets(JSON.stringify(ECS_TARGETS))).toEqual(ECS_TARGETS);
    expect(() => parseEcsTargets('{')).toThrow('ECS_TARGETS: not JSON');
    expect(() => parseEcsTargets(JSON.stringify({ loadBalancer: 'app/x/1', targetGroups: { blue: '' } }))).toThrow('ECS_TARGETS.targetGroups.blue: expected a non-empty string');
  });
});

describe('lifecycle events and the ECS execution input', () => {
  test('AfterAllowTestTraffic is the ECS pre-traffic phase; AfterAllowTraffic stays the bake', () => {
    expect(parseLifecycleEvent('AfterAllowTestTraffic')).toBe('AfterAllowTestTraffic');
    expect(phaseOf('AfterAllowTestTraffic')).toBe('pre-traffic');
    expect(phaseOf('BeforeAllowTraffic')).toBe('pre-traffic');
    expect(phaseOf('AfterAllowTraffic')).toBe('bake');
    expect(() => parseLifecycleEvent('BeforeInstall')).toThrow('expected one of "BeforeAllowTraffic", "AfterAllowTestTraffic", "AfterAllowTraffic"');
  });

  test('an ECS target survives the round trip through state; a Lambda one still does', () => {
    expect(parseEvaluationInput(JSON.parse(JSON.stringify(input)))).toEqual(input);
    expect(parseEvaluationInput({ ...input, target: lambdaTarget }).target).toEqual(lambdaTarget);
    expect(() => parseEvaluationInput({ ...input, target: { ...ecsTarget, canaryTargetGroup: undefined } })).toThrow('input.target.canaryTargetGroup: expected a non-empty string');
    expect(() => parseEvaluationInput({ ...input, target: { type: 'ec2' } })).toThrow('input.target.type: expected one of "lambda", "ecs"');
  });

  test('AfterAllowTestTraffic plans the pre-traffic phase: smoke tests, then the canary watch', () => {
    const policy = parsePolicy({ metrics: [{ preset: 'alb-5xx-rate' }], smokeTests: [{ type: 'http', name: 'test-listener', url: 'http://alb:8080/health' }] });
    expect(planEvaluation(input, policy)).toMatchObject({ phase: 'pre-traffic', smokeTests: 1, canaryWatch: true, baselineOffsetSeconds: 0 });
  });
});

describe('queries for an ECS target', () => {
  const alb = parsePolicy({ metrics: [{ preset: 'alb-5xx-rate' }, { preset: 'alb-slow-requests', thresholdSeconds: 0.5 }] });

  test('select each arm by LoadBalancer and its task set target group', () => {
    const { queries } = buildQueries(alb, ecsTarget, 60);
    expect(queries.find((q) => q.id === 'm0_canary_count')).toEqual({
      id: 'm0_canary_count',
      namespace: 'AWS/ApplicationELB',
      metricName: 'HTTPCode_Target_5XX_Count',
      stat: 'Sum',
      period: 60,
      dimensions: { LoadBalancer: 'app/web-alb/50dc6c495c0c9188', TargetGroup: 'targetgroup/web-green/943f017f100becff' },
    });
    expect(queries.find((q) => q.id === 'm0_baseline_total')).toMatchObject({ dimensions: { LoadBalancer: 'app/web-alb/50dc6c495c0c9188', TargetGroup: 'targetgroup/web-blue/73e2d6bc24d8a067' } });
    // RequestCount per arm is shared by both metrics: 2 arms × (5xx, slow, requests).
    expect(queries).toHaveLength(6);
  });

  test('a metric versioned for the other platform fails naming the metric and what to use instead', () => {
    const lambda = parsePolicy({ metrics: [{ preset: 'lambda-error-rate' }] });
    expect(() => buildQueries(lambda, ecsTarget, 60)).toThrow('metric lambda-error-rate: versioning lambda-alias reads Lambda per-version metrics, but this is an ECS deployment; use alb-target-group');
    expect(() => buildQueries(alb, lambdaTarget, 60)).toThrow('metric alb-5xx-rate: versioning alb-target-group reads ALB target-group metrics of an ECS blue/green deployment, but this is a Lambda deployment; use lambda-alias');
  });

  test('fills a metric-math expression with each arm\'s target group', () => {
    const math = parsePolicy({
      metrics: [{ name: 'errors', kind: 'gauge', value: { expression: 'SUM(SEARCH(\'{AWS/ApplicationELB,LoadBalancer,TargetGroup} MetricName="HTTPCode_Target_5XX_Count" TargetGroup="${VERSION}"\', \'Sum\', 60))' }, versioning: { type: 'alb-target-group' } }],
    });
    const expressions = buildQueries(math, ecsTarget, 60).queries.map((query) => ('expression' in query ? query.expression : ''));
    expect(expressions[0]).toContain(`TargetGroup="${ecsTarget.canaryTargetGroup}"`);
    expect(expressions[1]).toContain(`TargetGroup="${ecsTarget.baselineTargetGroup}"`);
  });

  test('dimension versioning is rejected for ECS: the original task set has no version in the AppSpec', () => {
    const stat = { namespace: 'Web', metricName: 'Latency', stat: 'Average', dimensions: {} };
    expect(() => versionDimensions(stat, { type: 'dimension', dimension: 'Version' }, ecsTarget, 'canary', 'latency')).toThrow(
      'metric latency: versioning by the Version dimension is not supported for ECS deployments',
    );
  });
});

describe('smoke tests with an ECS target', () => {
  test('HTTP tests run; a Lambda test fails saying to use an HTTP test against the test listener', async () => {
    const tests = parsePolicy({ metrics: [{ preset: 'alb-5xx-rate' }], smokeTests: [{ type: 'http', name: 'listener', url: 'http://alb:8080/health' }, { name: 'lambda' }] }).smokeTests;
    const invoked: string[] = [];
    const { summary, results } = await runSmokeTests(tests, ecsTarget, {
      invoker: { invoke: async (fn) => (invoked.push(fn), { payload: '{}' }) },
      http: { request: async () => ({ status: 200, body: '{}' }) },
      stopwatch: () => 0,
      concurrency: 1,
    });
    expect(results[0]).toMatchObject({ name: 'listener', passed: true });
    expect(results[1]).toMatchObject({ name: 'lambda', passed: false, reason: expect.stringContaining('this is an ECS deployment; use an http smoke test') });
    expect(summary.passed).toBe(false);
    expect(invoked).toEqual([]);
  });
});

describe('the target-group allow-list (issue 11 finding 5)', () => {
  test.each(['constructor', 'toString', '__proto__', 'hasOwnProperty'])('a task set on a target group named %s is not registered', (name) => {
    expect(() => resolveEcsTarget(appSpec, taskSets(name, 'web-blue'), ECS_TARGETS)).toThrow(`the Green task set's target group "${name}" is not one of the registered target groups`);
  });
});
