import { BatchGetDeploymentGroupsCommand, BatchGetDeploymentsCommand, GetDeploymentCommand, ListApplicationsCommand, ListDeploymentGroupsCommand, ListDeploymentsCommand, ListTagsForResourceCommand } from '@aws-sdk/client-codedeploy';
import { DescribeServicesCommand, ECSClient, ListClustersCommand, ListServicesCommand } from '@aws-sdk/client-ecs';
import { GetFunctionConfigurationCommand, LambdaClient, ListTagsCommand } from '@aws-sdk/client-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { coverageCommand, type CoverageClients } from '../../lib/cli/coverage-command';
import { CLI_ACTION_USES } from '../../lib/cli/iam-policy';
import { ACCOUNT, APP, DEPLOYMENT_IDS, FUNCTION, GROUP, REGION, at, deploymentInfo } from '../fixtures/aws/deployments';
import { mockAws } from '../fixtures/aws/mock-aws';

/**
 * `canary-eval coverage` against recorded-shape responses, field by field as the API references document them:
 * - CodeDeploy: ListApplications (applications, nextToken), ListDeploymentGroups (deploymentGroups),
 *   BatchGetDeploymentGroups (deploymentGroupsInfo: computePlatform, serviceRoleArn, lastAttemptedDeployment),
 *   ListTagsForResource (Tags: [{ Key, Value }]);
 * - Lambda: GetFunctionConfiguration (LoggingConfig.LogFormat, TracingConfig.Mode), ListTags (Tags: map);
 * - ECS: ListClusters (clusterArns), ListServices (serviceArns), DescribeServices with include TAGS (services[]:
 *   deploymentController.type, deploymentConfiguration.strategy and lifecycleHooks, tags: [{ key, value }], deployments).
 */

const ROLE = `arn:aws:iam::${ACCOUNT}:role/CodeDeployServiceRole`;
const STAGING = 'orders-staging';
const LEGACY_APP = 'legacy-app';
const LEGACY_GROUP = 'legacy-prod';
const CLUSTER = `arn:aws:ecs:${REGION}:${ACCOUNT}:cluster/shop`;
const HOOK_FUNCTION = `arn:aws:lambda:${REGION}:${ACCOUNT}:function:EvaluatorEcsHook`;
const groupArn = (application: string, group: string) => `arn:aws:codedeploy:${REGION}:${ACCOUNT}:deploymentgroup:${application}/${group}`;
const NOW = at(60 * 24);

function mockCoverage(options: { legacyTagged?: boolean } = {}) {
  const aws = mockAws();
  const lambda = mockClient(LambdaClient);
  const ecs = mockClient(ECSClient);
  const { codedeploy } = aws;
  codedeploy.on(ListApplicationsCommand).resolves({ applications: [APP], nextToken: 'apps-2' }).on(ListApplicationsCommand, { nextToken: 'apps-2' }).resolves({ applications: [LEGACY_APP] });
  codedeploy.on(ListDeploymentGroupsCommand, { applicationName: APP }).resolves({ applicationName: APP, deploymentGroups: [GROUP, STAGING] });
  codedeploy.on(ListDeploymentGroupsCommand, { applicationName: LEGACY_APP }).resolves({ applicationName: LEGACY_APP, deploymentGroups: [LEGACY_GROUP] });
  codedeploy.on(BatchGetDeploymentGroupsCommand, { applicationName: APP }).resolves({
    deploymentGroupsInfo: [
      { applicationName: APP, deploymentGroupName: GROUP, computePlatform: 'Lambda', serviceRoleArn: ROLE, lastAttemptedDeployment: { deploymentId: DEPLOYMENT_IDS.promoted, status: 'Succeeded', createTime: at(60) } },
      { applicationName: APP, deploymentGroupName: STAGING, computePlatform: 'Lambda', serviceRoleArn: ROLE, lastAttemptedDeployment: { deploymentId: DEPLOYMENT_IDS['rolled-back'], status: 'Stopped', createTime: at(0) } },
    ],
  });
  codedeploy.on(BatchGetDeploymentGroupsCommand, { applicationName: LEGACY_APP }).resolves({
    deploymentGroupsInfo: [{ applicationName: LEGACY_APP, deploymentGroupName: LEGACY_GROUP, computePlatform: 'ECS', serviceRoleArn: ROLE, lastAttemptedDeployment: { deploymentId: 'd-LEGACY001', status: 'Succeeded', createTime: at(30) } }],
  });
  codedeploy.on(ListTagsForResourceCommand, { ResourceArn: groupArn(APP, GROUP) }).resolves({ Tags: [{ Key: 'team', Value: 'orders' }, { Key: 'canary-evaluator', Value: 'OrdersEvaluator' }] });
  codedeploy.on(ListTagsForResourceCommand, { ResourceArn: groupArn(APP, STAGING) }).resolves({ Tags: [{ Key: 'canary-evaluator', Value: 'StagingEvaluator' }] });
  codedeploy.on(ListTagsForResourceCommand, { ResourceArn: groupArn(LEGACY_APP, LEGACY_GROUP) }).resolves({ Tags: options.legacyTagged ? [{ Key: 'canary-evaluator', Value: 'OrdersEvaluator' }] : [] });
  // orders-prod: two releases in the period, both evaluated (the promoted one is the newest); orders-staging: none.
  codedeploy.on(ListDeploymentsCommand, { applicationName: APP, deploymentGroupName: GROUP }).resolves({ deployments: [DEPLOYMENT_IDS.promoted, DEPLOYMENT_IDS.inconclusive] });
  codedeploy.on(ListDeploymentsCommand, { applicationName: APP, deploymentGroupName: STAGING }).resolves({ deployments: [] });
  codedeploy.on(ListDeploymentsCommand, { applicationName: LEGACY_APP }).resolves({ deployments: [] });
  codedeploy.on(BatchGetDeploymentsCommand).resolves({ deploymentsInfo: [deploymentInfo('promoted', 60), deploymentInfo('inconclusive', 0)] });
  lambda.on(GetFunctionConfigurationCommand, { FunctionName: FUNCTION }).resolves({ FunctionName: FUNCTION, LoggingConfig: { LogFormat: 'JSON', LogGroup: `/aws/lambda/${FUNCTION}` }, TracingConfig: { Mode: 'Active' } });
  lambda.on(ListTagsCommand, { Resource: HOOK_FUNCTION }).resolves({ Tags: { 'canary-evaluator': 'OrdersEvaluator' } });
  ecs.on(ListClustersCommand).resolves({ clusterArns: [CLUSTER] });
  const service = (name: string) => `arn:aws:ecs:${REGION}:${ACCOUNT}:service/shop/${name}`;
  ecs.on(ListServicesCommand, { cluster: CLUSTER }).resolves({ serviceArns: ['web', 'api', 'worker', 'checkout'].map(service) });
  ecs.on(DescribeServicesCommand).resolves({
    services: [
      {
        serviceName: 'web',
        serviceArn: service('web'),
        deploymentController: { type: 'ECS' },
        deploymentConfiguration: { strategy: 'BLUE_GREEN', lifecycleHooks: [{ hookTargetArn: `${HOOK_FUNCTION}:live`, roleArn: ROLE, lifecycleStages: ['POST_PRODUCTION_TRAFFIC_SHIFT'] }] },
        deployments: [
          { id: 'ecs-svc/111', status: 'PRIMARY', rolloutState: 'COMPLETED', createdAt: at(100) },
          { id: 'ecs-svc/100', status: 'INACTIVE', createdAt: at(10) },
        ],
      },
      { serviceName: 'api', serviceArn: service('api'), deploymentController: { type: 'ECS' }, deploymentConfiguration: { strategy: 'CANARY' }, tags: [{ key: 'team', value: 'api' }] },
      { serviceName: 'worker', serviceArn: service('worker'), deploymentController: { type: 'ECS' }, deploymentConfiguration: { strategy: 'ROLLING' } },
      { serviceName: 'checkout', serviceArn: service('checkout'), deploymentController: { type: 'CODE_DEPLOY' } },
    ],
  });
  const clients = (): CoverageClients => ({ ...aws.clients(), lambda: new LambdaClient({ region: REGION }), ecs: new ECSClient({ region: REGION }) });
  return { ...aws, lambda, ecs, clients, restore: () => [aws, lambda, ecs].forEach((mock) => mock.restore()) };
}

async function run(argv: string[], mocks: ReturnType<typeof mockCoverage>) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await coverageCommand(argv, { stdout: (s) => out.push(s), stderr: (s) => err.push(s) }, { clients: mocks.clients, now: () => NOW });
  return { code, stdout: out.join('\n'), stderr: err.join('\n') };
}

/** Every AWS call the mocks answered, as the IAM action it needs (`codedeploy:ListApplications`). */
function actionsCalled(mocks: ReturnType<typeof mockCoverage>): string[] {
  const prefix: Array<[string, { calls: () => Array<{ args: unknown[] }> }]> = [
    ['codedeploy', mocks.codedeploy],
    ['states', mocks.sfn],
    ['lambda', mocks.lambda],
    ['ecs', mocks.ecs],
    ['s3', mocks.s3],
    ['cloudwatch', mocks.cloudwatch],
  ];
  return [...new Set(prefix.flatMap(([service, mock]) => mock.calls().map((call) => `${service}:${(call.args[0] as object).constructor.name.replace(/Command$/, '')}`)))].sort();
}

describe('canary-eval coverage', () => {
  let mocks: ReturnType<typeof mockCoverage>;
  beforeEach(() => (mocks = mockCoverage()));
  afterEach(() => mocks.restore());

  test('classifies every group and native ECS service, with evidence; exit 3 while one is unprotected', async () => {
    const { code, stdout } = await run(['--json'], mocks);
    expect(code).toBe(3);
    const report = JSON.parse(stdout);
    expect(report).toMatchObject({ region: REGION, since: '2025-12-08T10:00:00.000Z', summary: { total: 5, protected: 3, unprotected: 2, mature: 1 } });
    const [legacy, prod, staging] = report.deploymentGroups;
    expect(prod).toMatchObject({
      application: APP,
      group: GROUP,
      computePlatform: 'Lambda',
      protection: { protected: true, evaluatorTag: 'OrdersEvaluator', evidence: 'deployment group tagged canary-evaluator=OrdersEvaluator' },
      lastDeployment: { deploymentId: DEPLOYMENT_IDS.promoted, outcome: 'promoted' },
    });
    expect(prod.maturity).toEqual([
      { criterion: 'structured-logs', status: 'met', evidence: `${FUNCTION}: LoggingConfig.LogFormat JSON` },
      { criterion: 'tracing', status: 'met', evidence: `${FUNCTION}: TracingConfig.Mode Active` },
      { criterion: 'check-on-each-deployment', status: 'met', evidence: '2 of 2 release(s) since 2025-12-08 evaluated' },
      { criterion: 'smoke-tests', status: 'met', evidence: `the latest evaluation (${DEPLOYMENT_IDS.promoted}) ran pre-traffic smoke tests` },
      { criterion: 'trace-context', status: 'met', evidence: `smoke tests send it and ${FUNCTION}: TracingConfig.Mode Active` },
    ]);
    // Protected by another evaluator's tag (no --tag: any counts); no deployment in the period to judge by.
    expect(staging).toMatchObject({ protection: { protected: true, evaluatorTag: 'StagingEvaluator' }, lastDeployment: { deploymentId: DEPLOYMENT_IDS['rolled-back'], outcome: 'not-read', summary: 'CodeDeploy: Stopped' } });
    expect(staging.maturity.find((c: { criterion: string }) => c.criterion === 'check-on-each-deployment')).toEqual({ criterion: 'check-on-each-deployment', status: 'unknown', evidence: 'no release since 2025-12-08' });
    expect(legacy).toMatchObject({ application: LEGACY_APP, computePlatform: 'ECS', protection: { protected: false } });
    expect(legacy.maturity.map((c: { status: string }) => c.status)).toEqual(['unknown', 'unknown', 'not-met', 'not-met', 'unknown']);
    // Native services: web is protected through its hook function's tag; rolling and CodeDeploy-controlled services are not listed.
    expect(report.ecsServices.map((s: { service: string }) => s.service)).toEqual(['api', 'web']);
    const [api, web] = report.ecsServices;
    expect(web).toMatchObject({
      strategy: 'BLUE_GREEN',
      protection: { protected: true, evaluatorTag: 'OrdersEvaluator', evidence: `lifecycle hook ${HOOK_FUNCTION}:live (POST_PRODUCTION_TRAFFIC_SHIFT) tagged canary-evaluator=OrdersEvaluator` },
      lastDeployment: { deploymentId: 'ecs-svc/111', summary: 'ECS: PRIMARY, COMPLETED' },
    });
    expect(web.maturity[2]).toMatchObject({ criterion: 'check-on-each-deployment', status: 'met' });
    expect(api).toMatchObject({ strategy: 'CANARY', protection: { protected: false } });
    // The hook function's tags are read from its unqualified ARN (ListTags takes a function ARN).
    expect(mocks.lambda.commandCalls(ListTagsCommand).map((call) => call.args[0].input.Resource)).toEqual([HOOK_FUNCTION]);
    expect(mocks.ecs.commandCalls(DescribeServicesCommand)[0].args[0].input).toMatchObject({ cluster: CLUSTER, include: ['TAGS'] });
  });

  test('every call it makes is in the read-only policy of the README', async () => {
    await run(['--json'], mocks);
    const called = actionsCalled(mocks);
    expect(called).toEqual(expect.arrayContaining(['codedeploy:ListApplications', 'lambda:GetFunctionConfiguration', 'ecs:DescribeServices']));
    expect(called.filter((action) => !(action in CLI_ACTION_USES))).toEqual([]);
  });

  test('--tag counts only that evaluator: the staging group tagged for another one is unprotected', async () => {
    const { code, stdout } = await run(['--json', '--tag', 'OrdersEvaluator'], mocks);
    expect(code).toBe(3);
    const report = JSON.parse(stdout);
    expect(report.evaluatorTag).toBe('OrdersEvaluator');
    expect(report.deploymentGroups[2]).toMatchObject({ group: STAGING, protection: { protected: false, evidence: 'deployment group has no canary-evaluator=OrdersEvaluator tag: no evaluator is registered for it' } });
    expect(report.summary).toMatchObject({ protected: 2, unprotected: 3 });
  });

  test('exit 0 when every group and native service listed is protected', async () => {
    mocks.restore();
    mocks = mockCoverage({ legacyTagged: true });
    const { code, stdout } = await run(['--json', '--skip-ecs'], mocks);
    expect(JSON.parse(stdout).summary).toMatchObject({ total: 3, protected: 3, unprotected: 0 });
    expect(code).toBe(0);
    expect(mocks.ecs.calls()).toHaveLength(0);
  });

  test('a last deployment CodeDeploy no longer has leaves the function criteria unknown, not the command failed', async () => {
    mocks.codedeploy.on(GetDeploymentCommand, { deploymentId: DEPLOYMENT_IDS['rolled-back'] }).rejects(Object.assign(new Error('gone'), { name: 'DeploymentDoesNotExistException' }));
    const { code, stdout } = await run(['--json', '--skip-ecs'], mocks);
    expect(code).toBe(3);
    const staging = JSON.parse(stdout).deploymentGroups.find((group: { group: string }) => group.group === STAGING);
    expect(staging.maturity[0]).toEqual({ criterion: 'structured-logs', status: 'unknown', evidence: 'no deployment CodeDeploy still has names its Lambda function' });
  });

  test('a table for people, then the evidence of each entry', async () => {
    const { stdout, stderr } = await run([], mocks);
    const lines = stdout.split('\n');
    expect(lines[0]).toBe('Coverage of us-east-1 (any canary-evaluator tag), deployments since 2025-12-08 10:00 UTC: 3 of 5 protected, 1 meeting every criterion');
    expect(lines[2]).toMatch(/^DEPLOYMENT GROUP +PLATFORM +PROTECTED +LAST DEPLOYMENT +OUTCOME +LOGS +TRACING +EACH +SMOKE +CONTEXT$/);
    expect(lines[3]).toMatch(/^legacy-app\/legacy-prod +ECS +NO +d-LEGACY001 2026-01-06 10:30 UTC +CodeDeploy: Succeeded +\? +\? +✗ +✗ +\?$/);
    expect(lines[4]).toMatch(/^orders-app\/orders-prod +Lambda +yes +d-PROMOTED1 2026-01-06 11:00 UTC +promoted +✓ +✓ +✓ +✓ +✓$/);
    expect(stdout).toMatch(/\nECS SERVICE \(native\) +STRATEGY +PROTECTED/);
    expect(stdout).toContain('    NOT protected: service (and none of its lifecycle hooks’ functions) has no canary-evaluator tag: no evaluator is registered for it');
    expect(stdout).toContain(`    ✓ tracing: ${FUNCTION}: TracingConfig.Mode Active`);
    expect(stdout).toContain('Criteria (✓ met, ✗ not met, ? unknown): LOGS structured JSON logs');
    expect(stderr).toContain('reading orders-app/orders-prod (1 of 3)');
  });

  test('names from AWS are escaped on the terminal', async () => {
    mocks.codedeploy.on(ListDeploymentGroupsCommand, { applicationName: LEGACY_APP }).resolves({ deploymentGroups: ['evil\x1b]0;owned\x07'] });
    mocks.codedeploy.on(BatchGetDeploymentGroupsCommand, { applicationName: LEGACY_APP }).resolves({ deploymentGroupsInfo: [{ applicationName: LEGACY_APP, deploymentGroupName: 'evil\x1b]0;owned\x07', computePlatform: 'Server', serviceRoleArn: ROLE }] });
    mocks.codedeploy.on(ListTagsForResourceCommand, { ResourceArn: groupArn(LEGACY_APP, 'evil\x1b]0;owned\x07') }).resolves({ Tags: [] });
    const { stdout } = await run(['--skip-ecs'], mocks);
    expect(stdout).not.toContain('\x1b');
    expect(stdout).not.toContain('\x07');
    expect(stdout).toContain('legacy-app/evil');
  });

  test('an AWS refusal names the action; exit 6', async () => {
    const denied = Object.assign(new Error('User is not authorized to perform: ecs:ListClusters'), { name: 'AccessDeniedException' });
    mocks.ecs.on(ListClustersCommand).rejects(denied);
    const { code, stderr } = await run([], mocks);
    expect(code).toBe(6);
    expect(stderr).toMatch(/(^|\n)canary-eval coverage: ecs:ListClusters was denied \(AccessDeniedException/);
    expect(stderr).toContain('--skip-ecs');
  });

  test('usage errors name the flag; --help', async () => {
    expect(await run(['--frob'], mocks)).toMatchObject({ code: 2, stderr: expect.stringContaining("Unknown option '--frob'") });
    expect(await run(['--since', '1w'], mocks)).toMatchObject({ code: 2, stderr: expect.stringContaining('--since: expected a duration such as 14d or 36h, got "1w"') });
    expect(await run(['--tag', 'a\nb'], mocks)).toMatchObject({ code: 2, stderr: expect.stringContaining('--tag: "a\nb" is not a tag value') });
    expect(await run(['--tag'], mocks)).toMatchObject({ code: 2, stderr: expect.stringContaining("Option '--tag <value>' argument missing") });
    const help = await run(['--help'], mocks);
    expect(help).toMatchObject({ code: 0, stdout: expect.stringContaining('Exit codes: 0 every group and service listed is protected, 2 usage, 3 at least one is unprotected') });
    expect(mocks.codedeploy.calls()).toHaveLength(0);
  });
});
