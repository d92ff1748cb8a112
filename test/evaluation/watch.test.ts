import { CodeDeployClient, GetDeploymentTargetCommand, ListDeploymentTargetsCommand } from '@aws-sdk/client-codedeploy';
import { mockClient } from 'aws-sdk-client-mock';
import { CodeDeployDeploymentControl } from '../../lib/adapters/aws/codedeploy';
import { watchTick, type DeploymentControl, type EvaluateRequest, type MetricSource, type VerdictSink } from '../../lib/evaluation';
import { parsePolicy } from '../../lib/policy';
import { LAMBDA_EXECUTION_INPUT } from '../fixtures/codedeploy/events';

const T0 = Date.parse('2026-11-26T10:00:00Z') / 1000;
const request: EvaluateRequest = {
  input: LAMBDA_EXECUTION_INPUT,
  plan: {
    phase: 'pre-traffic',
    windowStart: T0,
    windowEnd: T0 + 1800,
    periodSeconds: 60,
    lagSeconds: 120,
    metricCount: 1,
    baselineOffsetSeconds: 0,
    reportBy: T0 + 3300,
    smokeTests: 0,
    canaryWatch: true,
    stopDeploymentOnFail: true,
    dryRun: false,
    onEvaluatorError: 'fail',
  },
};
const policy = parsePolicy({ metrics: [{ preset: 'lambda-error-rate' }] });
const sink: VerdictSink = { publishTick: async () => undefined, publishVerdictMetrics: async () => undefined, publishVerdictEvent: async () => undefined };
const noData: MetricSource = { getMetricData: async (queries) => queries.map((q) => ({ id: q.id, timestamps: [], values: [] })) };

describe('canary watch and the end of the traffic shift', () => {
  test('ends as soon as all traffic is on the new version with a last judgment: no evidence is inconclusive, and nothing is stopped or ticked', async () => {
    let stops = 0;
    let ticks = 0;
    const counting: VerdictSink = { publishTick: async () => void (ticks += 1), publishVerdictMetrics: async () => undefined, publishVerdictEvent: async () => undefined };
    const control: DeploymentControl = { readStatus: async () => 'InProgress', readShift: async () => ({ complete: true, detail: 'target version weight 1' }), stop: async () => ((stops += 1), 'stopped') };
    const tick = await watchTick(request, policy, { metrics: noData, control, sink: counting }, new Date((T0 + 360) * 1000));
    expect(tick).toMatchObject({ done: true, decision: 'inconclusive' });
    expect(tick.reason).toMatch(/^traffic shift complete \(target version weight 1\); canary watch ended without a verdict; last verdict: no verdict by the deadline \(traffic too low: 0 requests on the new version\): lambda-error-rate undecided$/);
    expect(stops).toBe(0);
    expect(ticks).toBe(0);
  });

  test('keeps watching while the shift is under way', async () => {
    const control: DeploymentControl = { readStatus: async () => 'InProgress', readShift: async () => ({ complete: false, detail: 'target version weight 0.1' }), stop: async () => 'stopped' };
    const metrics: MetricSource = { getMetricData: async (queries) => queries.map((q) => ({ id: q.id, timestamps: [], values: [] })) };
    const tick = await watchTick(request, policy, { metrics, control, sink }, new Date((T0 + 240) * 1000));
    expect(tick).toMatchObject({ done: false, decision: 'continue', waitSeconds: 60 });
    // A wait the Wait state cannot take (1.5 s) is an error where the watch tick is made, not at the Wait.
    const fractional = { ...request, plan: { ...request.plan, periodSeconds: 1.5 } };
    await expect(watchTick(fractional, policy, { metrics, control, sink }, new Date((T0 + 240) * 1000))).rejects.toThrow('watch.waitSeconds: expected a whole number of seconds in [0, 3600], got 1.5');
  });
});

describe('CodeDeployDeploymentControl.readShift (GetDeploymentTarget)', () => {
  const codedeploy = mockClient(CodeDeployClient);
  beforeEach(() => {
    codedeploy.reset();
    codedeploy.on(ListDeploymentTargetsCommand).resolves({ targetIds: ['orders:live'] });
  });
  const control = () => new CodeDeployDeploymentControl(new CodeDeployClient({}));

  test.each([
    [{ lambdaTarget: { lambdaFunctionInfo: { targetVersionWeight: 0.1 } } }, false, 'target version weight 0.1'],
    [{ lambdaTarget: { lambdaFunctionInfo: { targetVersionWeight: 1 } } }, true, 'target version weight 1'],
    [{ lambdaTarget: { lifecycleEvents: [{ lifecycleEventName: 'AllowTraffic', status: 'Succeeded' as const }], lambdaFunctionInfo: { targetVersionWeight: 0.1 } } }, true, 'AllowTraffic Succeeded'],
    [{ ecsTarget: { taskSetsInfo: [{ taskSetLabel: 'Blue' as const, trafficWeight: 90 }, { taskSetLabel: 'Green' as const, trafficWeight: 10 }] } }, false, 'Green task set weight 10 %'],
    [{ ecsTarget: { taskSetsInfo: [{ taskSetLabel: 'Blue' as const, trafficWeight: 0 }, { taskSetLabel: 'Green' as const, trafficWeight: 100 }] } }, true, 'Green task set weight 100 %'],
  ])('%j → complete %s', async (deploymentTarget, complete, detail) => {
    codedeploy.on(GetDeploymentTargetCommand).resolves({ deploymentTarget });
    await expect(control().readShift('d-A1B2C3D4E')).resolves.toEqual({ complete, detail });
    expect(codedeploy.commandCalls(GetDeploymentTargetCommand)[0].args[0].input).toEqual({ deploymentId: 'd-A1B2C3D4E', targetId: 'orders:live' });
  });
});
