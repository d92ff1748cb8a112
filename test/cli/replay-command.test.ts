import { join } from 'node:path';
import { GetMetricDataCommand, type GetMetricDataCommandInput } from '@aws-sdk/client-cloudwatch';
import { BatchGetDeploymentTargetsCommand, BatchGetDeploymentsCommand, ListDeploymentTargetsCommand, ListDeploymentsCommand } from '@aws-sdk/client-codedeploy';
import { GetObjectCommand } from '@aws-sdk/client-s3';
import { DescribeExecutionCommand, GetExecutionHistoryCommand, type HistoryEvent } from '@aws-sdk/client-sfn';
import { replayCommand, upperBound95 } from '../../lib/cli/replay-command';
import { STATE } from '../../lib/constructs/evaluation-definition';
import { loadPolicyFile } from '../../lib/policy';
import { APP, FUNCTION, GROUP, POLICY_REF } from '../fixtures/aws/deployments';
import { mockAws } from '../fixtures/aws/mock-aws';
import { REPLAY_DEPLOYMENTS, REPLAY_NOW, REPLAY_STATE_MACHINE, replayExecutionInput, replayPlan, seriesKey } from '../fixtures/aws/replay';
import recorded from '../fixtures/aws/replay.json';

const fixtures = join(__dirname, '..', 'fixtures', 'aws');
const policy = loadPolicyFile(join(fixtures, 'policy.yaml'));
const series = recorded.series as Record<string, { timestamps: number[]; values: number[] }>;
const looks = recorded.looks as Record<string, Array<{ minute: number; decision: string; periodsJudged: number; reason: string; done: boolean }>>;

/** The recorded set behind CodeDeploy, Step Functions, S3 and CloudWatch (GetMetricData pages of 5 datapoints). */
function mockReplayAws() {
  const mocks = mockAws([]);
  const ids = REPLAY_DEPLOYMENTS.map((d) => d.id);
  mocks.codedeploy.on(ListDeploymentsCommand).resolves({ deployments: ids.slice(0, 2), nextToken: 'page-2' });
  mocks.codedeploy.on(ListDeploymentsCommand, { nextToken: 'page-2' }).resolves({ deployments: ids.slice(2) });
  mocks.codedeploy.on(BatchGetDeploymentsCommand).resolves({
    deploymentsInfo: REPLAY_DEPLOYMENTS.map((d) => ({ deploymentId: d.id, applicationName: APP, deploymentGroupName: GROUP, status: d.status, creator: 'user', computePlatform: 'Lambda', createTime: new Date(d.createTime) })),
  });
  mocks.codedeploy.on(ListDeploymentTargetsCommand).resolves({ targetIds: [`${FUNCTION}:live`] });
  mocks.codedeploy.on(BatchGetDeploymentTargetsCommand).resolves({
    deploymentTargets: [{ deploymentTargetType: 'LambdaTarget', lambdaTarget: { lifecycleEvents: [{ lifecycleEventName: 'BeforeAllowTraffic', status: 'Succeeded' }, { lifecycleEventName: 'AllowTraffic', status: 'Succeeded' }] } }],
  });
  for (const deployment of REPLAY_DEPLOYMENTS) {
    const name = `${deployment.id}-BeforeAllowTraffic`;
    const executionArn = `${REPLAY_STATE_MACHINE.replace(':stateMachine:', ':execution:')}:${name}`;
    const input = replayExecutionInput(deployment);
    const start = Date.parse(deployment.createTime);
    let state: Record<string, unknown> = { plan: replayPlan(deployment) };
    const events: HistoryEvent[] = [{ id: 1, type: 'TaskStateExited', timestamp: new Date(start), stateExitedEventDetails: { name: STATE.prepare, output: JSON.stringify(state) } }];
    state = { ...state, outcome: { decision: 'pass', cause: 'smoke-tests' }, report: { status: 'Succeeded' } };
    events.push({ id: 2, type: 'TaskStateExited', timestamp: new Date(start + 60_000), stateExitedEventDetails: { name: STATE.report, output: JSON.stringify(state) } });
    for (const look of looks[deployment.id]) {
      state = { ...state, watch: { done: look.done, decision: look.decision, reason: look.reason, waitSeconds: 60, periodsJudged: look.periodsJudged } };
      events.push({ id: events.length + 1, type: 'TaskStateExited', timestamp: new Date(start + look.minute * 60_000), stateExitedEventDetails: { name: STATE.watch, output: JSON.stringify(state) } });
    }
    mocks.sfn.on(DescribeExecutionCommand, { executionArn }).resolves({ executionArn, name, status: 'SUCCEEDED', startDate: new Date(start), input: JSON.stringify(input) });
    mocks.sfn.on(GetExecutionHistoryCommand, { executionArn }).resolves({ events });
  }
  mocks.s3.on(GetObjectCommand, { Bucket: POLICY_REF.bucket, Key: POLICY_REF.key }).resolves({ Body: { transformToString: async () => JSON.stringify(policy) } } as never);
  mocks.cloudwatch.on(GetMetricDataCommand).callsFake((request: GetMetricDataCommandInput) => {
    const from = request.StartTime!.getTime() / 1000;
    const to = request.EndTime!.getTime() / 1000;
    const page = Number(request.NextToken ?? 0);
    let more = false;
    const results = request.MetricDataQueries!.map((query) => {
      const stat = query.MetricStat!;
      const dimension = (name: string) => stat.Metric!.Dimensions!.find((d) => d.Name === name)!.Value!;
      const deployment = REPLAY_DEPLOYMENTS.find((d) => Date.parse(d.createTime) / 1000 <= from + 1 && from < Date.parse(d.createTime) / 1000 + 3600)!;
      const recordedSeries = series[seriesKey(deployment.id, stat.Metric!.MetricName!, dimension('ExecutedVersion'), stat.Stat!)];
      const inWindow = recordedSeries.timestamps.map((t, i) => [t, recordedSeries.values[i]] as const).filter(([t]) => t >= from && t < to);
      const slice = inWindow.slice(page * 5, page * 5 + 5);
      if (inWindow.length > page * 5 + 5) more = true;
      return { Id: query.Id, Label: query.Id, Timestamps: slice.map(([t]) => new Date(t * 1000)), Values: slice.map(([, v]) => v), StatusCode: 'Complete' as const };
    });
    return { MetricDataResults: results, ...(more ? { NextToken: String(page + 1) } : {}) };
  });
  return mocks;
}

async function run(argv: string[], mocks: ReturnType<typeof mockAws>) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await replayCommand(argv, { stdout: (s) => out.push(s), stderr: (s) => err.push(s) }, { clients: mocks.clients, now: () => new Date(REPLAY_NOW) });
  return { code, stdout: out.join('\n'), stderr: err.join('\n') };
}

const args = (candidate: string) => ['--application', APP, '--group', GROUP, '--policy', join(fixtures, candidate), '--state-machine', REPLAY_STATE_MACHINE];

describe('canary-eval replay on a recorded set of past deployments (GetMetricData pages)', () => {
  let mocks: ReturnType<typeof mockAws>;
  beforeEach(() => {
    mocks = mockReplayAws();
  });
  afterEach(() => mocks.restore());

  test('with the policy the evaluator used, every recorded decision is reproduced and nothing differs (exit 0)', async () => {
    const { code, stdout, stderr } = await run([...args('policy.yaml'), '--json'], mocks);
    const summary = JSON.parse(stdout);
    expect(summary.evaluations).toHaveLength(3);
    expect(summary.reproduced).toBe(3);
    expect(summary.differences).toBe(0);
    for (const evaluation of summary.evaluations) expect(evaluation.samePolicy).toEqual(looks[evaluation.deploymentId].map((l) => l.decision));
    // Newest first, as ListDeployments + BatchGetDeployments are sorted by creation time.
    expect(summary.evaluations.map((e: { deploymentId: string; recordedOutcome: unknown }) => [e.deploymentId, e.recordedOutcome])).toEqual([['d-REPLAYC01', { result: 'promoted' }], ['d-REPLAYB01', { result: 'rolled-back', minute: 10 }], ['d-REPLAYA01', { result: 'promoted' }]]);
    expect(summary.calibration).toEqual({ healthy: 2, candidateFailures: 0, falseAlarmEstimate: 0, upperBound95: expect.closeTo(0.776, 3) });
    expect(stderr).toContain('replaying d-REPLAYA01 (3 of 3)…');
    expect(code).toBe(0);
    // One GetMetricData read per evaluation and policy, paged (looks are served from it): not one per look.
    const firstPages = mocks.cloudwatch.commandCalls(GetMetricDataCommand).filter((c) => c.args[0].input.NextToken === undefined);
    expect(firstPages).toHaveLength(3);
  });

  test('a stricter candidate: shows where it decides differently, and its A/A false-alarm estimate (exit 3)', async () => {
    const { code, stdout } = await run(args('candidate-strict.yaml'), mocks);
    expect(code).toBe(3);
    expect(stdout).toContain('Replay of orders-app / orders-prod since 2025-12-27: 3 deployment(s), 3 evaluation(s) re-judged');
    // Earlier on the regression…
    expect(stdout).toContain('≠ d-REPLAYB01 BeforeAllowTraffic: happened rolled-back at minute 10; candidate rolled-back at minute 5  [rolled-back 5 min earlier (minute 10 → 5)]');
    // …but a per-period threshold on ~100 requests a minute also fails the healthy releases: the A/A
    // replay (d-REPLAYA01 is 1 % vs 1 %) shows the false alarms before the candidate gates anything.
    expect(stdout).toContain('≠ d-REPLAYC01 BeforeAllowTraffic: happened promoted (the watch never failed); candidate rolled-back at minute 14');
    expect(stdout).toContain('≠ d-REPLAYA01 BeforeAllowTraffic: happened promoted (the watch never failed); candidate rolled-back at minute 11');
    expect(stdout).toContain('recorded policy reproduced 8/8 looks; candidate fails on lambda-error-rate');
    expect(stdout).toContain('Differences: 3 of 3; the recorded policy reproduced 3 of 3 evaluation(s) look by look.');
    expect(stdout).toContain('A/A calibration on your traffic: the candidate fails 2 of 2 healthy evaluation(s): false-alarm estimate 100% (95% upper bound 100%, n=2)');
  });

  test('usage errors name what is missing or unknown', async () => {
    expect(await run(['--application', APP], mocks)).toMatchObject({ code: 2, stderr: expect.stringContaining('--group is required') });
    expect(await run([...args('policy.yaml'), '--since', 'two weeks'], mocks)).toMatchObject({ code: 2, stderr: expect.stringContaining('--since: expected a duration such as 14d or 36h, got "two weeks"') });
    expect(await run([...args('policy.yaml'), '--dry'], mocks)).toMatchObject({ code: 2, stderr: expect.stringContaining("Unknown option '--dry'") });
    expect(await run(['--help'], mocks)).toMatchObject({ code: 0, stdout: expect.stringContaining('A/A calibration') });
  });
});

describe('upperBound95', () => {
  test('is the exact one-sided Clopper–Pearson bound', () => {
    // 0 of n: 1 − 0.05^(1/n) (≈ 3/n, the rule of three).
    expect(upperBound95(0, 30)).toBeCloseTo(1 - 0.05 ** (1 / 30), 6);
    expect(upperBound95(1, 2)).toBeCloseTo(0.9747, 3);
    expect(upperBound95(2, 2)).toBe(1);
  });
});
