import { BatchGetDeploymentsCommand, ListDeploymentsCommand } from '@aws-sdk/client-codedeploy';
import { historyCommand } from '../../lib/cli/history-command';
import { APP, DEPLOYMENT_IDS, GROUP, at, deploymentInfo, type Kind } from '../fixtures/aws/deployments';
import { mockAws } from '../fixtures/aws/mock-aws';

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
    expect(stdout.split('\n')[2]).toMatch(/^DEPLOYMENT +CREATED +OUTCOME +TO VERDICT +DECIDED BY +SUMMARY$/);
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

  test('usage', async () => {
    expect(await run(['--group', GROUP], mocks)).toMatchObject({ code: 2, stderr: expect.stringContaining('--application is required') });
    expect(await run(['--application', APP, '--group', GROUP, '--since', '1w'], mocks)).toMatchObject({ code: 2, stderr: expect.stringContaining('--since: expected a duration') });
  });
});
