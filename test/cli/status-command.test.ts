import { GetDeploymentCommand } from '@aws-sdk/client-codedeploy';
import { GetExecutionHistoryCommand, ListStateMachinesCommand } from '@aws-sdk/client-sfn';
import { statusCommand } from '../../lib/cli/status-command';
import { main } from '../../bin/canary-eval';
import { DEPLOYMENT_IDS, STATE_MACHINE_ARN, at, type Kind } from '../fixtures/aws/deployments';
import { mockAws } from '../fixtures/aws/mock-aws';

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
    expect(await run(['--help'], mocks)).toMatchObject({ code: 0, stdout: expect.stringContaining('usage: canary-eval status <deployment-id>'), stderr: '' });
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
