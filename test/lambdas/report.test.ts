import { CloudWatchClient, PutMetricDataCommand } from '@aws-sdk/client-cloudwatch';
import { CodeDeployClient, GetDeploymentTargetCommand, LifecycleEventAlreadyCompletedException, ListDeploymentTargetsCommand, PutLifecycleEventHookExecutionStatusCommand } from '@aws-sdk/client-codedeploy';
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { DescribeExecutionCommand, ListExecutionsCommand, SFNClient, type ExecutionStatus } from '@aws-sdk/client-sfn';
import { mockClient } from 'aws-sdk-client-mock';
import { handler } from '../../lambdas/report';
import { sweepEvent, SWEEP_LOOKBACK_SECONDS } from '../../lib/evaluation/contracts';
import { HOOK_EVENT } from '../fixtures/codedeploy/events';
import { executionStatusChange } from '../fixtures/stepfunctions/events';

const codedeploy = mockClient(CodeDeployClient);
const cloudwatch = mockClient(CloudWatchClient);
const eventbridge = mockClient(EventBridgeClient);
const sfn = mockClient(SFNClient);

const execution = {
  deploymentId: HOOK_EVENT.DeploymentId,
  lifecycleEventHookExecutionId: HOOK_EVENT.LifecycleEventHookExecutionId,
  lifecycleEvent: 'AfterAllowTraffic',
  applicationName: 'orders-app',
  deploymentGroupName: 'orders-group',
  target: { type: 'lambda', functionName: 'orders', alias: 'live', currentVersion: '1', targetVersion: '2' },
  policyRef: { bucket: 'assets', key: 'policy.json' },
  hookInvokedAt: '2026-11-26T10:00:00.000Z',
};
const plan = { phase: 'bake', windowStart: 0, windowEnd: 600, periodSeconds: 60, lagSeconds: 120, metricCount: 1, baselineOffsetSeconds: 600, reportBy: 3000, smokeTests: 0, canaryWatch: false, stopDeploymentOnFail: false, dryRun: false, onEvaluatorError: 'fail' };
const tick = { decision: 'pass', final: true, reason: 'all 1 metric(s) passed', waitSeconds: 60, periodsJudged: 10, verdict: { decision: 'pass', final: true, reason: 'all 1 metric(s) passed', metrics: [] } };
const verdictRequest = (state: object) => ({ mode: 'verdict', execution, state: { plan, tick, outcome: { decision: 'pass', cause: 'verdict' }, ...state } });

/** The state machine's two Tasks: *Report verdict* (returns the event to publish), then *Publish verdict*. */
async function reportAndPublish(request: object) {
  const { event, ...report } = (await handler(request)) as { event?: unknown };
  await handler({ mode: 'publish', event });
  return report;
}

/** The hook is completed in CodeDeploy with `status` (GetDeploymentTarget's lifecycle events), whoever reported it. */
function codeDeployHolds(status: 'Succeeded' | 'Failed' | 'InProgress') {
  codedeploy.on(PutLifecycleEventHookExecutionStatusCommand).rejects(new LifecycleEventAlreadyCompletedException({ message: 'already completed', $metadata: {} }));
  codedeploy.on(ListDeploymentTargetsCommand).resolves({ targetIds: ['orders:live'] });
  codedeploy.on(GetDeploymentTargetCommand).resolves({
    deploymentTarget: { deploymentTargetType: 'LambdaTarget', lambdaTarget: { targetId: 'orders:live', lifecycleEvents: [{ lifecycleEventName: 'BeforeAllowTraffic', status: 'Succeeded' }, { lifecycleEventName: 'AfterAllowTraffic', status }] } },
  });
}

function verdictEvents() {
  return eventbridge.commandCalls(PutEventsCommand).map((call) => ({ ...call.args[0].input.Entries![0], Detail: JSON.parse(call.args[0].input.Entries![0].Detail!) }));
}
beforeEach(() => {
  for (const mock of [codedeploy, cloudwatch, eventbridge, sfn]) mock.reset();
  codedeploy.on(PutLifecycleEventHookExecutionStatusCommand).resolves({});
  cloudwatch.on(PutMetricDataCommand).resolves({});
  eventbridge.on(PutEventsCommand).resolves({ FailedEntryCount: 0, Entries: [{ EventId: '1' }] });
});

describe('report handler (state machine)', () => {
  test('reports the verdict, then publishes the explained verdict and the verdict metrics', async () => {
    await expect(reportAndPublish(verdictRequest({}))).resolves.toEqual({ status: 'Succeeded', result: 'reported' });
    expect(codedeploy.commandCalls(PutLifecycleEventHookExecutionStatusCommand)[0].args[0].input).toEqual({
      deploymentId: HOOK_EVENT.DeploymentId,
      lifecycleEventHookExecutionId: HOOK_EVENT.LifecycleEventHookExecutionId,
      status: 'Succeeded',
    });
    const [event] = verdictEvents();
    expect(event).toMatchObject({ Source: 'canary-evaluator', DetailType: 'Canary Verdict' });
    expect(event.Detail).toMatchObject({ status: 'Succeeded', decision: 'pass', cause: 'verdict', reason: 'all 1 metric(s) passed', applicationName: 'orders-app', verdict: tick.verdict });
    const metrics = cloudwatch.commandCalls(PutMetricDataCommand)[0].args[0].input;
    expect(metrics.Namespace).toBe('CanaryEvaluator');
    expect(metrics.MetricData!.map((d) => [d.MetricName, d.Value])).toEqual([
      ['Verdicts', 1],
      ['Rollbacks', 0],
      ['Inconclusive', 0],
      ['TimeToVerdictSeconds', expect.any(Number)],
    ]);
    expect(metrics.MetricData![0].Dimensions).toEqual([
      { Name: 'ApplicationName', Value: 'orders-app' },
      { Name: 'DeploymentGroupName', Value: 'orders-group' },
    ]);
  });

  test.each([
    ['pass', 'Succeeded'],
    ['fail', 'Failed'],
  ])('an inconclusive verdict with onInconclusive=%s reports %s, says so in words and counts as Inconclusive', async (onInconclusive, status) => {
    const reason = 'no verdict by the deadline (traffic too low): lambda-error-rate: 28 requests on the new version';
    const undecided = { ...tick, decision: 'inconclusive', reason, verdict: { decision: 'inconclusive', final: true, reason, metrics: [] } };
    // onInconclusive travels with the other switches in the execution input (one source for every report path).
    const request = { ...verdictRequest({ tick: undecided, outcome: { decision: 'inconclusive', cause: 'verdict' } }), execution: { ...execution, switches: { dryRun: false, onEvaluatorError: 'fail', onInconclusive } } };
    await expect(reportAndPublish(request)).resolves.toEqual({ status, result: 'reported' });
    expect(codedeploy.commandCalls(PutLifecycleEventHookExecutionStatusCommand)[0].args[0].input.status).toBe(status);
    const codeDeploy = status === 'Succeeded' ? 'promoted without a verdict' : 'rolled back without a verdict (onInconclusive: fail)';
    expect(verdictEvents()[0].Detail).toMatchObject({ status, decision: 'inconclusive', cause: 'verdict', reason, codeDeploy });
    const data = cloudwatch.commandCalls(PutMetricDataCommand)[0].args[0].input.MetricData!;
    expect(data.map((d) => [d.MetricName, d.Value])).toEqual([
      ['Verdicts', 1],
      ['Rollbacks', status === 'Failed' ? 1 : 0],
      ['Inconclusive', 1],
      ['TimeToVerdictSeconds', expect.any(Number)],
    ]);
  });

  test('a failing smoke test reports Failed with the smoke summary as the reason', async () => {
    const smoke = { passed: false, ran: 2, failed: 1, reason: '1 of 2 smoke test(s) failed: health: statusCode is 500, expected 200' };
    await expect(reportAndPublish(verdictRequest({ outcome: { decision: 'fail', cause: 'smoke-tests' }, smoke, tick: undefined }))).resolves.toEqual({ status: 'Failed', result: 'reported' });
    expect(verdictEvents()[0].Detail).toMatchObject({ cause: 'smoke-tests', reason: smoke.reason });
  });

  test('dryRun reports Succeeded for a failing verdict and says so in the event', async () => {
    const request = { ...verdictRequest({ outcome: { decision: 'fail', cause: 'verdict' } }), execution: { ...execution, switches: { dryRun: true, onEvaluatorError: 'fail' } } };
    await expect(reportAndPublish(request)).resolves.toMatchObject({ status: 'Succeeded' });
    expect(verdictEvents()[0].Detail).toMatchObject({ decision: 'fail', status: 'Succeeded', dryRun: true });
  });

  // The switches come from the execution input, plan or no plan (issue 11 finding 7).
  test.each([
    ['fail-closed without switches in the input', undefined, undefined, 'Failed'],
    ['fail-closed with malformed switches', { onEvaluatorError: 'yes' }, plan, 'Failed'],
    ['fail as the input says', { dryRun: false, onEvaluatorError: 'fail' }, plan, 'Failed'],
    ['onEvaluatorError=pass without a plan', { dryRun: false, onEvaluatorError: 'pass' }, undefined, 'Succeeded'],
    ['onEvaluatorError=pass with a plan', { dryRun: false, onEvaluatorError: 'pass' }, plan, 'Succeeded'],
  ])('an evaluator error reports %s', async (_case, switches, statePlan, status) => {
    const error = { Error: 'Lambda.ServiceException', Cause: '{"errorMessage":"Rate exceeded"}' };
    const input = switches ? { ...execution, switches } : execution;
    await expect(reportAndPublish({ mode: 'error', execution: input, state: { plan: statePlan, error } })).resolves.toEqual({ status, result: 'reported' });
    expect(verdictEvents()[0].Detail).toMatchObject({ cause: 'evaluator-error', reason: 'evaluator error: Lambda.ServiceException: Rate exceeded' });
  });

  test('treats an already-completed hook as done', async () => {
    codeDeployHolds('Succeeded');
    await expect(handler(verdictRequest({}))).resolves.toMatchObject({ status: 'Succeeded', result: 'already-completed' });
    expect(codedeploy.commandCalls(GetDeploymentTargetCommand)[0].args[0].input).toEqual({ deploymentId: HOOK_EVENT.DeploymentId, targetId: 'orders:live' });
  });

  // Issue 23 item 4: the hook reported Failed itself (StartExecution erred after creating this execution).
  test('a hook CodeDeploy holds Failed is never published as this execution’s pass: the event says what CodeDeploy holds', async () => {
    codeDeployHolds('Failed');
    const result = await reportAndPublish(verdictRequest({}));
    expect(result).toEqual({ status: 'Failed', result: 'already-completed' });
    expect(verdictEvents().map((event) => event.Detail)).toEqual([
      expect.objectContaining({ status: 'Failed', decision: 'error', cause: 'evaluator-error', reason: expect.stringContaining('reported outside this evaluation') }),
    ]);
    expect(cloudwatch.commandCalls(PutMetricDataCommand)[0].args[0].input.MetricData!.find((d) => d.MetricName === 'Rollbacks')?.Value).toBe(1);
  });

  test('a completed hook whose status CodeDeploy does not show yet is an error (the Task retries), and nothing is published', async () => {
    codeDeployHolds('InProgress');
    await expect(handler(verdictRequest({}))).rejects.toThrow('lifecycle event AfterAllowTraffic is InProgress, not Succeeded or Failed');
    expect(eventbridge.calls()).toHaveLength(0);
  });

  test('reporting never publishes: a report retried after it succeeded cannot publish twice (issue 11 finding 1)', async () => {
    const first = (await handler(verdictRequest({ outcome: { decision: 'fail', cause: 'verdict' } }))) as { event?: { status: string } };
    codeDeployHolds('Failed');
    const retried = (await handler(verdictRequest({ outcome: { decision: 'fail', cause: 'verdict' } }))) as { event?: { status: string } };
    expect(eventbridge.calls()).toHaveLength(0);
    expect(cloudwatch.calls()).toHaveLength(0);
    expect(retried.event).toEqual(first.event);
    expect(first.event).toMatchObject({ status: 'Failed', cause: 'verdict' });
  });

  test('Report evaluator error after Report verdict reported publishes what CodeDeploy holds, not an evaluator error', async () => {
    codeDeployHolds('Succeeded');
    const error = { Error: 'States.Timeout', Cause: 'report timed out' };
    const result = await reportAndPublish({ mode: 'error', execution, state: { plan, tick, outcome: { decision: 'pass', cause: 'verdict' }, error } });
    expect(result).toEqual({ status: 'Succeeded', result: 'already-completed' });
    expect(verdictEvents().map((event) => event.Detail)).toEqual([expect.objectContaining({ status: 'Succeeded', cause: 'verdict' })]);
    const metrics = cloudwatch.commandCalls(PutMetricDataCommand)[0].args[0].input.MetricData!;
    expect(metrics.find((d) => d.MetricName === 'Rollbacks')?.Value).toBe(0);
  });

  test('surfaces other CodeDeploy errors so Step Functions retries them', async () => {
    codedeploy.on(PutLifecycleEventHookExecutionStatusCommand).rejects(new Error('ThrottlingException'));
    await expect(handler(verdictRequest({}))).rejects.toThrow('ThrottlingException');
    expect(eventbridge.calls()).toHaveLength(0);
  });

  test('a publishing failure does not undo the report: the publish Task fails alone', async () => {
    eventbridge.on(PutEventsCommand).resolves({ FailedEntryCount: 1, Entries: [{ ErrorCode: 'InternalFailure' }] });
    const { event, ...report } = (await handler(verdictRequest({}))) as { event?: unknown };
    expect(report).toEqual({ status: 'Succeeded', result: 'reported' });
    await expect(handler({ mode: 'publish', event })).rejects.toThrow('PutEvents rejected the verdict event: InternalFailure');
    expect(codedeploy.commandCalls(PutLifecycleEventHookExecutionStatusCommand)).toHaveLength(1);
  });

  test('a publish request without an event publishes nothing', async () => {
    await expect(handler({ mode: 'publish' })).resolves.toEqual({ published: false });
    expect(eventbridge.calls()).toHaveLength(0);
  });

  test('rejects a request it does not understand, naming the field', async () => {
    await expect(handler({ mode: 'skip', execution })).rejects.toThrow(/mode: expected one of "verdict", "error"/);
    await expect(handler({ mode: 'verdict', execution: { deploymentId: 'd-1' }, state: {} })).rejects.toThrow('execution.lifecycleEventHookExecutionId');
    expect(codedeploy.calls()).toHaveLength(0);
  });
});

describe('report handler (reaper)', () => {
  test.each([
    ['TIMED_OUT', 'execution-timed-out'],
    ['FAILED', 'execution-failed'],
    ['ABORTED', 'execution-aborted'],
  ] as const)('reports Failed for an execution that %s, under the switches of its input', async (status, cause) => {
    await expect(handler(executionStatusChange(status, execution))).resolves.toEqual({ status: 'Failed', result: 'reported' });
    expect(verdictEvents()[0].Detail).toMatchObject({ status: 'Failed', cause, decision: 'error' });
  });

  test('honours onEvaluatorError=pass from the execution input, and fails closed without it', async () => {
    await expect(handler(executionStatusChange('TIMED_OUT', { ...execution, switches: { dryRun: false, onEvaluatorError: 'pass' } }))).resolves.toMatchObject({ status: 'Succeeded' });
    await expect(handler(executionStatusChange('TIMED_OUT', execution))).resolves.toMatchObject({ status: 'Failed' });
  });

  test('reads the input with DescribeExecution when the event does not carry it', async () => {
    sfn.on(DescribeExecutionCommand).resolves({ input: JSON.stringify(execution) });
    await expect(handler(executionStatusChange('FAILED'))).resolves.toMatchObject({ status: 'Failed' });
    expect(sfn.commandCalls(DescribeExecutionCommand)[0].args[0].input.executionArn).toContain('d-A1B2C3D4E-AfterAllowTraffic');
  });

  test('a hook the state machine already reported stays as it is, and no second verdict is published', async () => {
    codedeploy.on(PutLifecycleEventHookExecutionStatusCommand).rejects(new LifecycleEventAlreadyCompletedException({ message: 'already completed', $metadata: {} }));
    await expect(handler(executionStatusChange('FAILED', execution))).resolves.toEqual({ status: 'Failed', result: 'already-completed' });
    expect(eventbridge.calls()).toHaveLength(0);
  });

  test('ignores statuses it does not reap', async () => {
    await expect(handler(executionStatusChange('SUCCEEDED', execution))).resolves.toEqual({ ignored: expect.any(String) });
    expect(codedeploy.calls()).toHaveLength(0);
  });
});

describe('report handler (sweep: status events lost)', () => {
  const STATE_MACHINE = 'arn:aws:states:us-east-1:123456789012:stateMachine:Evaluation';
  const arn = (name: string) => `arn:aws:states:us-east-1:123456789012:execution:Evaluation:${name}`;
  const ago = (seconds: number) => new Date(Date.now() - seconds * 1000);
  const summary = (name: string, status: ExecutionStatus, stoppedSecondsAgo: number) => ({ executionArn: arn(name), stateMachineArn: STATE_MACHINE, name, status, startDate: ago(3000), stopDate: ago(stoppedSecondsAgo) });

  beforeEach(() => {
    sfn.on(ListExecutionsCommand).resolves({ executions: [] });
    sfn.on(DescribeExecutionCommand).resolves({ input: JSON.stringify(execution) });
  });

  test('reports each execution that ended within the lookback, once, and publishes its verdict once', async () => {
    sfn.on(ListExecutionsCommand, { statusFilter: 'TIMED_OUT' }).resolves({ executions: [summary('lost', 'TIMED_OUT', 60), summary('old', 'TIMED_OUT', SWEEP_LOOKBACK_SECONDS + 60)] });
    await expect(handler(sweepEvent(STATE_MACHINE))).resolves.toEqual({ swept: 1, reported: 1 });
    expect(sfn.commandCalls(ListExecutionsCommand).map((call) => call.args[0].input)).toEqual(
      ['FAILED', 'TIMED_OUT', 'ABORTED'].map((statusFilter) => ({ stateMachineArn: STATE_MACHINE, statusFilter, maxResults: 100 })),
    );
    expect(sfn.commandCalls(DescribeExecutionCommand).map((call) => call.args[0].input.executionArn)).toEqual([arn('lost')]);
    expect(codedeploy.commandCalls(PutLifecycleEventHookExecutionStatusCommand)[0].args[0].input.status).toBe('Failed');
    expect(verdictEvents().map((event) => event.Detail)).toEqual([expect.objectContaining({ status: 'Failed', cause: 'execution-timed-out' })]);
  });

  test('pages on while a page reaches into the lookback, and stops at the first that reaches before it', async () => {
    sfn
      .on(ListExecutionsCommand, { statusFilter: 'FAILED' })
      .resolvesOnce({ executions: [summary('a', 'FAILED', 30)], nextToken: 'page-2' })
      .resolvesOnce({ executions: [summary('b', 'FAILED', 90), summary('c', 'FAILED', SWEEP_LOOKBACK_SECONDS + 30)], nextToken: 'page-3' });
    await expect(handler(sweepEvent(STATE_MACHINE))).resolves.toEqual({ swept: 2, reported: 2 });
    const failedPages = sfn.commandCalls(ListExecutionsCommand).filter((call) => call.args[0].input.statusFilter === 'FAILED');
    expect(failedPages.map((call) => call.args[0].input.nextToken)).toEqual([undefined, 'page-2']);
  });

  test('an execution whose event did arrive is found already completed: nothing published', async () => {
    codedeploy.on(PutLifecycleEventHookExecutionStatusCommand).rejects(new LifecycleEventAlreadyCompletedException({ message: 'already completed', $metadata: {} }));
    sfn.on(ListExecutionsCommand, { statusFilter: 'ABORTED' }).resolves({ executions: [summary('reaped', 'ABORTED', 100)] });
    await expect(handler(sweepEvent(STATE_MACHINE))).resolves.toEqual({ swept: 1, reported: 0 });
    expect(eventbridge.calls()).toHaveLength(0);
  });

  test('one execution it cannot report does not stop the others; the sweep then fails naming it', async () => {
    sfn.on(ListExecutionsCommand, { statusFilter: 'FAILED' }).resolves({ executions: [summary('unreadable', 'FAILED', 20), summary('fine', 'FAILED', 40)] });
    sfn.on(DescribeExecutionCommand, { executionArn: arn('unreadable') }).resolves({});
    await expect(handler(sweepEvent(STATE_MACHINE))).rejects.toThrow(`sweep could not report 1 of 2 ended executions: ${arn('unreadable')}: execution ${arn('unreadable')} has no input`);
    expect(codedeploy.commandCalls(PutLifecycleEventHookExecutionStatusCommand)).toHaveLength(1);
  });

  test('a sweep event without a state machine ARN is rejected, naming the field', async () => {
    await expect(handler({ sweep: { stateMachineArn: 'Evaluation' } })).rejects.toThrow('sweep event: sweep.stateMachineArn must be a state machine ARN, got "Evaluation"');
    expect(sfn.calls()).toHaveLength(0);
  });
});
