import { GetDeploymentCommand } from '@aws-sdk/client-codedeploy';
import { GetExecutionHistoryCommand, ListStateMachinesCommand } from '@aws-sdk/client-sfn';
import { statusCommand } from '../../lib/cli/status-command';
import { main } from '../../bin/canary-eval';
import { DEPLOYMENT_IDS, STATE_MACHINE_ARN, at, type Kind } from '../fixtures/aws/deployments';
import { mockAws } from '../fixtures/aws/mock-aws';
import { REPORT_BUCKET, evaluationId, serviceDeploymentArn } from '../fixtures/aws/ecs-native';
import { GetObjectCommand } from '@aws-sdk/client-s3';
import { DescribeServiceDeploymentsCommand } from '@aws-sdk/client-ecs';

async function run(argv: string[], mocks: ReturnType<typeof mockAws>, now = at(8)) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await statusCommand(argv, { stdout: (s) => out.push(s), stderr: (s) => err.push(s) }, { clients: mocks.clients, now: () => now, sleep: async () => undefined });
  return { code, stdout: out.join('\n'), stderr: err.join('\n') };
}

describe('canary-eval status (aws-sdk-client-mock, CodeDeploy and Step Functions API Reference shapes)', () => {
  let mocks: ReturnType<typeof mockAws>;
  beforeEach(() => {
    mocks = mockAws();
  });
  afterEach(() => mocks.restore());

  const cases: Array<[Kind, number, RegExp]> = [
    ['running', 4, /Result: … running — InProgress, 10% of traffic on the new version/],
    ['promoted', 0, /Result: ✓ promoted — promoted after a verdict \(AfterAllowTraffic, pass\); verdict 3 min after the hook/],
    ['rolled-back', 3, /Result: ✗ rolled-back — stopped and rolled back: lambda-error-rate regressed; verdict 11 min after the hook/],
    ['pre-traffic-failed', 3, /Result: ✗ rolled-back — failed and rolled back: the BeforeAllowTraffic hook reported Failed \(smoke tests failed\)/],
    ['inconclusive', 5, /Result: \? inconclusive — promoted without a verdict/],
    ['rollback', 3, /Result: ✗ rolled-back — automatic rollback of d-ROLLEDBK1 \(Succeeded\): restores the previous version, not judged/],
  ];
  test.each(cases)('%s deployment: exit %d and the result line', async (kind, exit, result) => {
    const { code, stdout, stderr } = await run([DEPLOYMENT_IDS[kind], '--state-machine', STATE_MACHINE_ARN], mocks);
    expect(stderr).toBe('');
    expect(stdout).toMatch(result);
    expect(code).toBe(exit);
  });

  test('a running deployment shows the traffic split, lifecycle, time left before the hook deadline and the latest verdict per metric', async () => {
    const { stdout } = await run([DEPLOYMENT_IDS.running], mocks, at(8));
    expect(stdout).toContain('traffic: 10% on the new version (version 7, current 6)');
    expect(stdout).toContain('lifecycle: BeforeAllowTraffic Succeeded 10:00–10:02 · AllowTraffic InProgress 10:02– · AfterAllowTraffic Pending');
    // Hook invoked 10:00, CodeDeploy's hour ends 11:00; the hook is already reported, so no deadline is shown for it.
    expect(stdout).toMatch(/BeforeAllowTraffic {2}RUNNING {2}pre-traffic, hook reported Succeeded 10:02 UTC/);
    expect(stdout).toContain('latest look 10:07 UTC (watch, 5 period(s)): continue');
    // Where the watch is: a 30-minute window from 10:00 whose last period is judged 2 minutes after it ends.
    expect(stdout).toMatch(/\n {4}look \d+ of about 30, 24 min left in the canary window\n/);
    // Each metric in the words of every other view; the statistics only with --verbose.
    expect(stdout).toContain('\n    … lambda-error-rate 0.6 % on the new version vs 1.0 % on the current one (×0.6): not decided yet\n');
    expect(stdout).not.toContain('details:');
    expect(stdout).toContain('AfterAllowTraffic  NOT_STARTED');
    // The state machine was found over two ListStateMachines pages.
    expect(mocks.sfn.commandCalls(ListStateMachinesCommand)).toHaveLength(2);
  });

  test('--verbose adds the statistics behind each metric: counts, interval, evidence, method and α', async () => {
    const { stdout } = await run([DEPLOYMENT_IDS.running, '--verbose'], mocks, at(8));
    expect(stdout).toMatch(/\n {4}… lambda-error-rate 0\.6 % .*\n {8}details: 9 of 1,500 requests on the new version vs 140 of 13,400 on the current one; 99\.5 % interval 0\.2–1\.4; sequential, α 0\.005\n/);
  });

  test('--json writes only JSON, with the full numbers', async () => {
    const { stdout, code } = await run([DEPLOYMENT_IDS['rolled-back'], '--json'], mocks);
    expect(code).toBe(3);
    const status = JSON.parse(stdout);
    expect(status.result).toBe('rolled-back');
    expect(status.decidedBy).toEqual(['lambda-error-rate']);
    expect(status.evaluations[0].metrics[0]).toMatchObject({ metric: 'lambda-error-rate', decision: 'fail', effect: 2.89, interval: [1, 6.31], canary: { count: 24, total: 895 } });
  });

  test('history pages are followed (GetExecutionHistory nextToken)', async () => {
    await run([DEPLOYMENT_IDS.promoted], mocks);
    const calls = mocks.sfn.commandCalls(GetExecutionHistoryCommand).map((call) => call.args[0].input.nextToken ?? 'first');
    expect(calls).toEqual(['first', `${DEPLOYMENT_IDS.promoted}-BeforeAllowTraffic-page-2`, 'first', `${DEPLOYMENT_IDS.promoted}-AfterAllowTraffic-page-2`]);
  });

  test('throttling is retried, then the status is shown', async () => {
    const throttled = Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' });
    mocks.codedeploy.on(GetDeploymentCommand, { deploymentId: DEPLOYMENT_IDS.promoted }).rejectsOnce(throttled).resolvesOnce((await import('../fixtures/aws/deployments')).getDeployment('promoted'));
    const { code, stdout } = await run([DEPLOYMENT_IDS.promoted], mocks);
    expect(code).toBe(0);
    expect(stdout).toContain('Result: ✓ promoted');
    expect(mocks.codedeploy.commandCalls(GetDeploymentCommand)).toHaveLength(2);
  });

  test('a missing permission gives a clear error naming the action, exit 6', async () => {
    mocks.sfn.on(GetExecutionHistoryCommand).rejects(Object.assign(new Error('User: arn:aws:sts::123456789012:assumed-role/ci is not authorized to perform: states:GetExecutionHistory'), { name: 'AccessDeniedException' }));
    const { code, stdout, stderr } = await run([DEPLOYMENT_IDS.promoted], mocks);
    expect(code).toBe(6);
    expect(stdout).toBe('');
    expect(stderr).toMatch(/^canary-eval status: states:GetExecutionHistory was denied \(AccessDeniedException: .*\); the CLI's read-only policy \(README, "CLI permissions"\) grants it$/);
  });

  test('--watch without a terminal prints one line per change until the deployment ends', async () => {
    // The deployment is InProgress for two reads, then Succeeded.
    const { getDeployment } = await import('../fixtures/aws/deployments');
    mocks.codedeploy
      .on(GetDeploymentCommand, { deploymentId: DEPLOYMENT_IDS.running })
      .resolvesOnce(getDeployment('running'))
      .resolvesOnce(getDeployment('running'))
      .resolves({ deploymentInfo: { ...getDeployment('running').deploymentInfo, status: 'Succeeded' } });
    const { code, stdout } = await run([DEPLOYMENT_IDS.running, '--watch', '--interval', '1'], mocks);
    const lines = stdout.split('\n');
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(/^10:08 UTC d-RUNNING01 InProgress 10% BeforeAllowTraffic RUNNING continue \(5 periods\) → running$/);
    expect(lines[1]).toMatch(/d-RUNNING01 Succeeded 10% .* → inconclusive$/);
    expect(code).toBe(5);
  });

  test('usage: --help on stdout exit 0, unknown flags named, a bad id explained', async () => {
    expect(await run(['--help'], mocks)).toMatchObject({ code: 0, stdout: expect.stringContaining('usage: canary-eval status <deployment>'), stderr: '' });
    expect(await run([DEPLOYMENT_IDS.running, '--frobnicate'], mocks)).toMatchObject({ code: 2, stderr: expect.stringContaining("Unknown option '--frobnicate'") });
    expect(await run(['deployment-7'], mocks)).toMatchObject({ code: 2, stderr: expect.stringContaining('"deployment-7" is not a CodeDeploy deployment id') });
  });

  test('is in the command table', async () => {
    const out: string[] = [];
    expect(await main(['status', '--help'], { stdout: (s) => out.push(s), stderr: () => undefined })).toBe(0);
    expect(out.join('')).toContain('--watch');
  });
});

describe('hookStatus', () => {
  test('a running evaluation that has not reported yet shows the time left before CodeDeploy’s hour runs out', async () => {
    const { hookStatus } = await import('../../lib/cli/deployment-report');
    const { executionInput, plan } = await import('../fixtures/aws/deployments');
    const { parseEvaluationInput, parseEvaluationPlan } = await import('../../lib/evaluation/state');
    const record = {
      executionName: 'd-RUNNING01-AfterAllowTraffic',
      executionArn: 'arn:aws:states:us-east-1:123456789012:execution:M:d-RUNNING01-AfterAllowTraffic',
      status: 'RUNNING',
      input: parseEvaluationInput(executionInput('running', 'AfterAllowTraffic')),
      plan: parseEvaluationPlan(plan('AfterAllowTraffic')),
      looks: [],
      smoke: [],
    };
    // Hook invoked at 10:17; CodeDeploy fails an unreported hook after an hour: 11:17.
    const status = hookStatus('AfterAllowTraffic', record.executionName, record, at(47));
    expect(status).toMatchObject({ state: 'RUNNING', phase: 'bake', secondsLeftBeforeHookDeadline: 1800, hookDeadline: '2026-01-06T11:17:00.000Z' });
    // The bake's window is 10:17–10:47 with a 2-minute lag: at 10:47, 2 minutes left.
    expect(status.progress).toEqual({ look: 0, looksAbout: 30, secondsLeft: 120, window: 'bake' });
    const { renderStatus } = await import('../../lib/cli/status-command');
    const text = renderStatus({ deployment: { deploymentId: 'd-RUNNING01', applicationName: 'a', deploymentGroupName: 'g', status: 'InProgress', lifecycleEvents: [] }, evaluations: [status], result: 'running', summary: 'InProgress', decidedBy: [] }, at(47));
    expect(text).toContain('AfterAllowTraffic  RUNNING  bake, 30 min left before the hook deadline (11:17 UTC)');
    expect(text).toContain('    look 0 of about 30, 2 min left in the bake');
  });
});

describe('canary-eval status of an Amazon ECS native deployment (ECS DescribeServiceDeployments, Step Functions, S3 hook statuses)', () => {
  let mocks: ReturnType<typeof mockAws>;
  beforeEach(() => {
    mocks = mockAws();
  });
  afterEach(() => mocks.restore());

  test('by service deployment ARN: every evaluated stage and LINEAR step with its evaluation, verdict and recorded hook status', async () => {
    const { code, stdout, stderr } = await run([serviceDeploymentArn('native-running'), '--state-machine', STATE_MACHINE_ARN], mocks);
    expect(stderr).toBe('');
    expect(code).toBe(4);
    expect(stdout).toContain(`Deployment ${serviceDeploymentArn('native-running')}  orders-cluster / orders-svc  InProgress  (ECS native, LINEAR 50%)`);
    expect(stdout).toContain('  Amazon ECS: IN_PROGRESS at PRODUCTION_TRAFFIC_SHIFT');
    // The smoke stage: its execution reported, and the status the ECS hook answers is the one recorded in S3.
    expect(stdout).toMatch(/\n {2}POST_TEST_TRAFFIC_SHIFT {2}SUCCEEDED {2}pre-traffic, hook reported Succeeded 10:02 UTC, hook status Succeeded recorded {2}\(EZe5RNVLH6PPzHXINuP28_POST_TEST_TRAFFIC_SHIFT\)\n/);
    // The 50 % step, running, against the ECS hook's own timeout (3600 s from its invocation at 10:03), not CodeDeploy's hour.
    expect(stdout).toMatch(/\n {2}PRODUCTION_TRAFFIC_SHIFT 50% {2}RUNNING {2}step, 55 min left before the hook deadline \(11:03 UTC\) {2}\(EZe5RNVLH6PPzHXINuP28_PRODUCTION_TRAFFIC_SHIFT_w50\)\n/);
    expect(stdout).toContain('look 2 of about 10, 6 min left in the step');
    expect(stdout).toContain('target-5xx-rate 0.22 % on the new version vs 0.33 % on the current one');
    // LINEAR 50 %: steps at 50 and 100, then the bake; the ones not reached yet are listed as such.
    expect(stdout).toContain('PRODUCTION_TRAFFIC_SHIFT 100%  NOT_STARTED');
    expect(stdout).toContain('POST_PRODUCTION_TRAFFIC_SHIFT  NOT_STARTED');
    expect(stdout).toContain('Result: … running — IN_PROGRESS at PRODUCTION_TRAFFIC_SHIFT');
    // DescribeServiceDeployments takes the ARN as given (API Reference: serviceDeploymentArns, at most 20).
    expect(mocks.ecs.commandCalls(DescribeServiceDeploymentsCommand).map((call) => call.args[0].input.serviceDeploymentArns)).toEqual([[serviceDeploymentArn('native-running')]]);
  });

  test('a rolled-back deployment: the failing step, its recorded Failed status, the metric that decided, exit 3; --json carries the native fields', async () => {
    const { code, stdout } = await run([serviceDeploymentArn('native-rolled-back')], mocks);
    expect(code).toBe(3);
    expect(stdout).toContain('  Amazon ECS: ROLLBACK_SUCCESSFUL at CLEAN_UP');
    expect(stdout).toMatch(/PRODUCTION_TRAFFIC_SHIFT 50% {2}SUCCEEDED {2}step, hook reported Failed 10:10 UTC, hook status Failed recorded/);
    expect(stdout).toContain('Result: ✗ rolled-back — ROLLBACK_SUCCESSFUL and rolled back: target-5xx-rate regressed');
    const json = JSON.parse((await run([serviceDeploymentArn('native-rolled-back'), '--json'], mocks)).stdout);
    expect(json.deployment.ecsNative).toEqual({ serviceDeploymentArn: serviceDeploymentArn('native-rolled-back'), status: 'ROLLBACK_SUCCESSFUL', lifecycleStage: 'CLEAN_UP', strategy: 'LINEAR' });
    expect(json.evaluations.map((e: { ecsNative: { evaluationId: string; hookStatus?: string } }) => [e.ecsNative.evaluationId, e.ecsNative.hookStatus ?? null])).toEqual([
      [evaluationId('native-rolled-back', 'POST_TEST_TRAFFIC_SHIFT'), 'Succeeded'],
      [evaluationId('native-rolled-back', 'PRODUCTION_TRAFFIC_SHIFT', 50), 'Failed'],
      [evaluationId('native-rolled-back', 'PRODUCTION_TRAFFIC_SHIFT', 100), null],
      [evaluationId('native-rolled-back', 'POST_PRODUCTION_TRAFFIC_SHIFT'), null],
    ]);
    expect(json.decidedBy).toEqual(['target-5xx-rate']);
  });

  test("a step's override record is shown under the step, read at the evaluation's own key in the bucket its input names", async () => {
    const step = evaluationId('native-running', 'PRODUCTION_TRAFFIC_SHIFT', 50);
    const record = { deploymentId: step, lifecycleEvent: 'AfterAllowTraffic', action: 'promote', reason: 'INC-4712 step looks fine', requestedAt: at(6).toISOString(), callerArn: 'arn:aws:sts::123456789012:assumed-role/OnCall/alice', proof: { url: 'https://sts.us-east-1.amazonaws.com/', headers: {}, body: '' } };
    mocks.s3.on(GetObjectCommand, { Bucket: REPORT_BUCKET, Key: `overrides/${step}-AfterAllowTraffic.json` }).resolves({ Body: { transformToString: async () => JSON.stringify(record) } } as never);
    const { stdout } = await run([serviceDeploymentArn('native-running')], mocks);
    expect(stdout).toMatch(/\n {2}PRODUCTION_TRAFFIC_SHIFT 50% {2}RUNNING[^\n]*\n {4}override: promote by arn:aws:sts::123456789012:assumed-role\/OnCall\/alice at 10:06 UTC — INC-4712 step looks fine \(s3:\/\/canary-evaluator-reports\/overrides\/EZe5RNVLH6PPzHXINuP28_PRODUCTION_TRAFFIC_SHIFT_w50-AfterAllowTraffic\.json\)\n/);
    expect(stdout.match(/override:/g)).toHaveLength(1);
  });

  test('by evaluation id: the deployment is found from the execution input, and shown whole', async () => {
    const { code, stdout } = await run([evaluationId('native-running', 'PRODUCTION_TRAFFIC_SHIFT', 50)], mocks);
    expect(code).toBe(4);
    expect(stdout).toContain(`Deployment ${serviceDeploymentArn('native-running')}`);
    expect(stdout).toContain('PRODUCTION_TRAFFIC_SHIFT 50%  RUNNING');
  });

  test('an evaluation id with no execution, a malformed ARN, another region, an unknown form: each said, naming the expected forms', async () => {
    const missing = await run([`${'X'.repeat(21)}_POST_PRODUCTION_TRAFFIC_SHIFT`], mocks);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain(`no ECS native evaluation ${'X'.repeat(21)}_POST_PRODUCTION_TRAFFIC_SHIFT-AfterAllowTraffic in ${STATE_MACHINE_ARN}`);
    const arn = await run(['arn:aws:ecs:us-east-1:123456789012:service/orders-cluster/orders-svc'], mocks);
    expect(arn.code).toBe(2);
    expect(arn.stderr).toContain('expected a service deployment ARN "arn:aws:ecs:<region>:<account>:service-deployment/<cluster>/<service>/<id>", got "arn:aws:ecs:us-east-1:123456789012:service/orders-cluster/orders-svc"');
    const region = await run([serviceDeploymentArn('native-running').replace(':us-east-1:', ':eu-west-1:')], mocks);
    expect(region.code).toBe(1);
    expect(region.stderr).toContain('is in eu-west-1, the CLI reads us-east-1: pass --region eu-west-1');
    const unknown = await run(['deploy-42'], mocks);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('"deploy-42" is not a CodeDeploy deployment id (d-XXXXXXXXX), an Amazon ECS service deployment ARN');
    expect(unknown.stderr).toContain('or an ECS native evaluation id (<id>_<STAGE>, <id>_PRODUCTION_TRAFFIC_SHIFT_w<weight>)');
  });
});
