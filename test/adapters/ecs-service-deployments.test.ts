import { DescribeServiceDeploymentsCommand, ECSClient, ListServiceDeploymentsCommand, type ServiceDeployment } from '@aws-sdk/client-ecs';
import { mockClient } from 'aws-sdk-client-mock';
import { FINISHED_STATUSES } from '../../lib/adapters/aws/deployment-status';
import { deploymentViewOf, EcsServiceDeploymentReader } from '../../lib/adapters/aws/ecs-service-deployments';
import { AwsReadError } from '../../lib/adapters/aws/read-call';

/** Shapes from the Amazon ECS API Reference: DescribeServiceDeployments (serviceDeployments, failures), ListServiceDeployments (ServiceDeploymentBrief, nextToken). */
const arn = (id: string) => `arn:aws:ecs:us-east-1:123456789012:service-deployment/c1/s1/${id}`;
const deployment = (id: string, status: ServiceDeployment['status'], extra: Partial<ServiceDeployment> = {}): ServiceDeployment => ({ serviceDeploymentArn: arn(id), status, createdAt: new Date(Date.UTC(2026, 11, 7, 10, Number(id.replace(/\D/g, '')) % 60)), ...extra });

describe('EcsServiceDeploymentReader (DescribeServiceDeployments, ListServiceDeployments)', () => {
  const ecs = mockClient(ECSClient);
  afterEach(() => ecs.reset());
  afterAll(() => ecs.restore());
  const reader = () => new EcsServiceDeploymentReader(new ECSClient({ region: 'us-east-1' }), { maxAttempts: 1 });

  test('every ECS status maps to the CodeDeploy word of the same meaning: completed ones are finished, ongoing ones running', () => {
    // Developer Guide, "View service history using Amazon ECS service deployments": pending, ongoing, completed.
    const words = Object.fromEntries(
      ['PENDING', 'IN_PROGRESS', 'STOP_REQUESTED', 'ROLLBACK_REQUESTED', 'ROLLBACK_IN_PROGRESS', 'SUCCESSFUL', 'STOPPED', 'ROLLBACK_SUCCESSFUL', 'ROLLBACK_FAILED'].map((status) => [
        status,
        deploymentViewOf({ serviceDeploymentArn: arn('d1'), cluster: 'c1', service: 's1', status, hookStages: [] }).status,
      ]),
    );
    const finished = Object.entries(words).filter(([, word]) => FINISHED_STATUSES.includes(word)).map(([status]) => status);
    expect(finished.sort()).toEqual(['ROLLBACK_FAILED', 'ROLLBACK_SUCCESSFUL', 'STOPPED', 'SUCCESSFUL']);
    expect(words.SUCCESSFUL).toBe('Succeeded');
    expect(words.ROLLBACK_SUCCESSFUL).toBe('Failed');
  });

  test('the strategy, its step percent and the evaluated stages its hooks name are read; other stages are not', async () => {
    ecs.on(DescribeServiceDeploymentsCommand).resolves({
      serviceDeployments: [
        deployment('d1', 'IN_PROGRESS', {
          lifecycleStage: 'PRODUCTION_TRAFFIC_SHIFT',
          deploymentConfiguration: { strategy: 'CANARY', canaryConfiguration: { canaryPercent: 5, canaryBakeTimeInMinutes: 10 }, lifecycleHooks: [{ hookTargetArn: 'arn:aws:lambda:us-east-1:123456789012:function:h', lifecycleStages: ['PRE_SCALE_UP', 'PRODUCTION_TRAFFIC_SHIFT', 'POST_PRODUCTION_TRAFFIC_SHIFT'] }] },
        }),
      ],
      failures: [],
    });
    const view = await reader().read(arn('d1'));
    expect(view).toMatchObject({ cluster: 'c1', service: 's1', status: 'IN_PROGRESS', lifecycleStage: 'PRODUCTION_TRAFFIC_SHIFT', strategy: 'CANARY', stepPercent: 5, hookStages: ['PRODUCTION_TRAFFIC_SHIFT', 'POST_PRODUCTION_TRAFFIC_SHIFT'] });
    expect(deploymentViewOf(view)).toMatchObject({ deploymentId: arn('d1'), applicationName: 'c1', deploymentGroupName: 's1', computePlatform: 'ECS native', deploymentConfigName: 'CANARY 5%', ecsNative: { status: 'IN_PROGRESS', lifecycleStage: 'PRODUCTION_TRAFFIC_SHIFT', strategy: 'CANARY' } });
  });

  test('an ARN ECS reports among failures is a not-found naming the action and the 90 days ECS keeps', async () => {
    ecs.on(DescribeServiceDeploymentsCommand).resolves({ serviceDeployments: [], failures: [{ arn: arn('gone'), reason: 'MISSING' }] });
    const error = await reader().read(arn('gone')).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AwsReadError);
    expect(error).toMatchObject({ action: 'ecs:DescribeServiceDeployments', kind: 'not-found', message: expect.stringContaining('ECS keeps 90 days of service deployments') });
  });

  test('list: ListServiceDeployments pages followed, DescribeServiceDeployments in batches of at most 20, newest first', async () => {
    const ids = Array.from({ length: 25 }, (_, i) => `d${i + 1}`);
    ecs.on(ListServiceDeploymentsCommand).resolves({ serviceDeployments: ids.slice(0, 12).map((id) => ({ serviceDeploymentArn: arn(id) })), nextToken: 'p2' });
    ecs.on(ListServiceDeploymentsCommand, { nextToken: 'p2' }).resolves({ serviceDeployments: ids.slice(12).map((id) => ({ serviceDeploymentArn: arn(id) })) });
    ecs.on(DescribeServiceDeploymentsCommand).callsFake((input: { serviceDeploymentArns: string[] }) => ({ serviceDeployments: input.serviceDeploymentArns.map((a) => deployment(a.split('/').at(-1)!, 'SUCCESSFUL')), failures: [] }));
    const since = new Date(Date.UTC(2026, 10, 7));
    const until = new Date(Date.UTC(2026, 11, 7));
    const views = await reader().list('c1', 's1', since, until);
    expect(ecs.commandCalls(ListServiceDeploymentsCommand).map((call) => call.args[0].input)).toEqual([
      { cluster: 'c1', service: 's1', createdAt: { after: since, before: until }, nextToken: undefined },
      { cluster: 'c1', service: 's1', createdAt: { after: since, before: until }, nextToken: 'p2' },
    ]);
    expect(ecs.commandCalls(DescribeServiceDeploymentsCommand).map((call) => call.args[0].input.serviceDeploymentArns!.length)).toEqual([20, 5]);
    expect(views).toHaveLength(25);
    expect(views.map((view) => view.createdAt!.getTime())).toEqual([...views.map((view) => view.createdAt!.getTime())].sort((a, b) => b - a));
  });
});
