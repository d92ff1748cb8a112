import { BatchGetDeploymentsCommand, ListDeploymentsCommand } from '@aws-sdk/client-codedeploy';
import { historyCommand } from '../../lib/cli/history-command';
import { APP, DEPLOYMENT_IDS, GROUP, at, deploymentInfo, type Kind } from '../fixtures/aws/deployments';
import { mockAws } from '../fixtures/aws/mock-aws';
import { CLUSTER, NATIVE_IDS, SERVICE, serviceDeploymentArn } from '../fixtures/aws/ecs-native';
import { ListServiceDeploymentsCommand } from '@aws-sdk/client-ecs';

async function run(argv: string[], mocks: ReturnType<typeof mockAws>) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await historyCommand(argv, { stdout: (s) => out.push(s), stderr: (s) => err.push(s) }, { clients: mocks.clients, now: () => at(60 * 24) });
  return { code, stdout: out.join('\n'), stderr: err.join('\n') };
}

describe('canary-eval history (ListDeployments + BatchGetDeployments pages, CodeDeploy API Reference)', () => {
  let mocks: ReturnType<typeof mockAws>;
  const kinds: Kind[] = ['promoted', 'rolled-back', 'pre-traffic-failed', 'inconclusive', 'rollback', 'running'];
  beforeEach(() => {
    mocks = mockAws();
    const ids = kinds.map((kind) => DEPLOYMENT_IDS[kind]);
    mocks.codedeploy.on(ListDeploymentsCommand).resolves({ deployments: ids.slice(0, 3), nextToken: 'more' });
    mocks.codedeploy.on(ListDeploymentsCommand, { nextToken: 'more' }).resolves({ deployments: ids.slice(3) });
    mocks.codedeploy.on(BatchGetDeploymentsCommand).resolves({ deploymentsInfo: kinds.map((kind, i) => deploymentInfo(kind, i * 60)) });
  });
  afterEach(() => mocks.restore());

  test('outcomes, time to verdict, the deciding metric, change failure rate and median time to verdict', async () => {
    const { code, stdout } = await run(['--application', APP, '--group', GROUP, '--json'], mocks);
    expect(code).toBe(0);
    const history = JSON.parse(stdout);
    expect(mocks.codedeploy.commandCalls(ListDeploymentsCommand)[0].args[0].input).toMatchObject({ applicationName: APP, deploymentGroupName: GROUP, createTimeRange: { start: at(60 * 24 - 30 * 24 * 60), end: at(60 * 24) } });
    const byId = Object.fromEntries(history.deployments.map((d: { deploymentId: string }) => [d.deploymentId, d]));
    expect(byId[DEPLOYMENT_IDS['rolled-back']]).toMatchObject({ result: 'rolled-back', decidedBy: ['lambda-error-rate'], timeToVerdictSeconds: 660 });
    expect(byId[DEPLOYMENT_IDS.promoted]).toMatchObject({ result: 'promoted', timeToVerdictSeconds: 180 });
    expect(byId[DEPLOYMENT_IDS.inconclusive]).toMatchObject({ result: 'inconclusive' });
    expect(history.counts).toEqual({ promoted: 1, 'rolled-back': 3, running: 1, inconclusive: 1 });
    // Releases that ended: promoted, rolled-back, pre-traffic-failed, inconclusive (the rollback deployment and the running one excluded).
    expect(history.changeFailureRate).toBe(0.5);
    expect(history.medianTimeToVerdictSeconds).toBe(420);
  });

  test('as a table, newest first, with the period figures', async () => {
    const { stdout, stderr } = await run(['--application', APP, '--group', GROUP], mocks);
    expect(stdout.split('\n')[2]).toMatch(/^DEPLOYMENT +PLATFORM +CREATED +OUTCOME +TO VERDICT +DECIDED BY +SUMMARY$/);
    expect(stdout.split('\n')[3]).toMatch(/^d-RUNNING01 /);
    expect(stdout).toContain('change failure rate 50% (rolled-back releases over finished releases; rollback deployments not counted)');
    expect(stdout).toContain('median time to verdict 7 min (hook invocation to the first deciding look)');
    expect(stderr).toContain('reading evaluations of');
  });

  test('--dora: DORA metrics over the period from the same records, rollbacks read from CodeDeploy error codes', async () => {
    const { code, stdout } = await run(['--application', APP, '--group', GROUP, '--dora', '--json'], mocks);
    expect(code).toBe(0);
    const { dora } = JSON.parse(stdout);
    // Releases that finished: promoted, rolled-back (ALARM_ACTIVE), pre-traffic-failed (HOOK_EXECUTION_FAILURE), inconclusive.
    expect(dora).toMatchObject({ deployments: 6, releases: 4, failedToDeploy: 0, changeFailRate: 0.5, failuresByKind: { caught: 2, escaped: 0, unjudged: 0 }, rework: [DEPLOYMENT_IDS.rollback] });
    // The canary watch stopped the rolled-back one after 11 minutes at the configuration's 10 %.
    expect(dora.failures.find((f: { deploymentId: string }) => f.deploymentId === DEPLOYMENT_IDS['rolled-back'])).toMatchObject({ kind: 'caught', remediatedBy: DEPLOYMENT_IDS.rollback, exposureTrafficMinutes: 1.1 });
    const text = await run(['--application', APP, '--group', GROUP, '--dora'], mocks);
    expect(text.stdout).toMatch(/\n {2}change fail rate {10}50%: 2 caught by the evaluator, 0 escaped \(passed, then rolled back\), 0 unjudged/);
    expect(text.stdout).toContain('change lead time          not available: CodeDeploy\'s deployment records carry no commit time');
  });

  test('--ecs-service: the ECS native service deployments (ListServiceDeployments + DescribeServiceDeployments) beside the CodeDeploy ones, a PLATFORM column telling them apart', async () => {
    const { code, stdout } = await run(['--application', APP, '--group', GROUP, '--ecs-service', `${CLUSTER}/${SERVICE}`, '--json'], mocks);
    expect(code).toBe(0);
    const history = JSON.parse(stdout);
    expect(mocks.ecs.commandCalls(ListServiceDeploymentsCommand)[0].args[0].input).toMatchObject({ cluster: CLUSTER, service: SERVICE, createdAt: { after: at(60 * 24 - 30 * 24 * 60), before: at(60 * 24) } });
    expect(history.ecsService).toBe(`${CLUSTER}/${SERVICE}`);
    const native = history.deployments.filter((d: { platform: string }) => d.platform === 'ECS native');
    expect(native.map((d: { deploymentId: string }) => d.deploymentId).sort()).toEqual([serviceDeploymentArn('native-rolled-back'), serviceDeploymentArn('native-running')].sort());
    // The failing 50 % step decided 6 minutes after its hook (10:03 → 10:09); LINEAR 50 %: the first step's share is 50 %.
    expect(native.find((d: { deploymentId: string }) => d.deploymentId === serviceDeploymentArn('native-rolled-back'))).toMatchObject({ status: 'ROLLBACK_SUCCESSFUL', result: 'rolled-back', decidedBy: ['target-5xx-rate'], timeToVerdictSeconds: 360, canaryPercent: 50, evaluated: true });
    expect(native.find((d: { deploymentId: string }) => d.deploymentId === serviceDeploymentArn('native-running'))).toMatchObject({ status: 'IN_PROGRESS', result: 'running' });
    expect(history.deployments.filter((d: { platform: string }) => d.platform === 'CodeDeploy')).toHaveLength(kinds.length);
    expect(history.counts).toEqual({ promoted: 1, 'rolled-back': 4, running: 2, inconclusive: 1 });
    const text = await run(['--ecs-service', `${CLUSTER}/${SERVICE}`], mocks);
    expect(text.stdout.split('\n')[0]).toMatch(new RegExp(`^ECS service ${CLUSTER}/${SERVICE} since .*: 2 deployment\\(s\\)$`));
    expect(text.stdout).toMatch(new RegExp(`\\n${CLUSTER}/${SERVICE}/${NATIVE_IDS['native-rolled-back']} +ECS native +.* rolled-back +6 min +target-5xx-rate +ROLLBACK_SUCCESSFUL and rolled back: target-5xx-rate regressed`));
    expect(mocks.codedeploy.commandCalls(ListDeploymentsCommand)).toHaveLength(2);
  });

  test('usage', async () => {
    expect(await run(['--ecs-service', 'orders-cluster'], mocks)).toMatchObject({ code: 2, stderr: expect.stringContaining('--ecs-service: expected <cluster>/<service> (names: letters, digits, - and _), got "orders-cluster"') });
    expect(await run(['--ecs-service', `${CLUSTER}/${SERVICE}`, '--group', GROUP], mocks)).toMatchObject({ code: 2, stderr: expect.stringContaining('--application is required with --application or --group') });
    expect(await run(['--group', GROUP], mocks)).toMatchObject({ code: 2, stderr: expect.stringContaining('--application is required') });
    expect(await run(['--application', APP, '--group', GROUP, '--since', '1w'], mocks)).toMatchObject({ code: 2, stderr: expect.stringContaining('--since: expected a duration') });
  });
});
