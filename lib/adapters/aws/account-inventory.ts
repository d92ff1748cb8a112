import { BatchGetDeploymentGroupsCommand, ListApplicationsCommand, ListDeploymentGroupsCommand, ListTagsForResourceCommand, type CodeDeployClient, type DeploymentGroupInfo } from '@aws-sdk/client-codedeploy';
import { DescribeServicesCommand, ListClustersCommand, ListServicesCommand, type ECSClient, type Service } from '@aws-sdk/client-ecs';
import { GetFunctionConfigurationCommand, ListTagsCommand, type LambdaClient } from '@aws-sdk/client-lambda';
import { readCall, type ReadRetry } from './read-call';

/**
 * Read-only inventory of an account and Region for `canary-eval coverage`: the CodeDeploy deployment groups
 * with their tags, the configuration of a Lambda function, and the ECS services with their deployment
 * strategy, lifecycle hooks and tags. Every call is named by its IAM action (`readCall`), and each follows
 * its API reference:
 * - CodeDeploy API Reference: `ListApplications`, `ListDeploymentGroups`, `BatchGetDeploymentGroups`
 *   (DeploymentGroupInfo: computePlatform, lastAttemptedDeployment), `ListTagsForResource` (a deployment
 *   group's ARN, `arn:<partition>:codedeploy:<region>:<account>:deploymentgroup:<application>/<group>`);
 * - Lambda API Reference: `GetFunctionConfiguration` (LoggingConfig.LogFormat, TracingConfig.Mode), `ListTags`;
 * - Amazon ECS API Reference: `ListClusters`, `ListServices`, `DescribeServices` with `include: ["TAGS"]`
 *   (at most 10 services a call; Service.deploymentController.type, deploymentConfiguration.strategy
 *   `ROLLING | BLUE_GREEN | LINEAR | CANARY` and `lifecycleHooks[].hookTargetArn` / `lifecycleStages`,
 *   deployments[]).
 */

export interface InventoryGroup {
  readonly application: string;
  readonly group: string;
  readonly computePlatform?: string;
  readonly arn: string;
  readonly lastAttempted?: { readonly deploymentId: string; readonly status?: string; readonly createTime?: string };
}

export interface InventoryEcsService {
  readonly clusterArn: string;
  readonly cluster: string;
  readonly service: string;
  /** `ECS`, `CODE_DEPLOY` or `EXTERNAL` (DeploymentController.type; ECS when absent). */
  readonly controller: string;
  /** `ROLLING`, `BLUE_GREEN`, `LINEAR`, `CANARY` (DeploymentConfiguration.strategy; ROLLING when absent). */
  readonly strategy: string;
  readonly tags: Readonly<Record<string, string>>;
  readonly lifecycleHooks: ReadonlyArray<{ readonly hookTargetArn: string; readonly stages: readonly string[] }>;
  readonly lastDeployment?: { readonly id: string; readonly status?: string; readonly rolloutState?: string; readonly createdAt?: string };
}

/** BatchGetDeploymentGroups: 25 names a call, well inside CodeDeploy's quota (as the other batch reads). */
const GROUP_BATCH = 25;
/** DescribeServices: "You may specify up to 10 services to describe in a single operation" (Amazon ECS API Reference). */
const SERVICE_BATCH = 10;

/** The account and partition of a deployment group, read from its service role's ARN (`arn:<partition>:iam::<account>:role/…`). */
function accountOf(info: DeploymentGroupInfo): { partition: string; account: string } | undefined {
  const match = /^arn:([^:]+):iam::(\d{12}):/.exec(info.serviceRoleArn ?? '');
  return match ? { partition: match[1], account: match[2] } : undefined;
}

const lastSegment = (arn: string) => arn.slice(arn.lastIndexOf('/') + 1);

export class AccountInventoryReader {
  constructor(
    private readonly clients: { readonly codedeploy: CodeDeployClient; readonly lambda: LambdaClient; readonly ecs: ECSClient },
    private readonly region: string,
    private readonly retry: ReadRetry = {},
  ) {}

  /** Every deployment group of every CodeDeploy application, with its last attempted deployment. */
  async deploymentGroups(onProgress?: (text: string) => void): Promise<InventoryGroup[]> {
    const applications: string[] = [];
    let nextToken: string | undefined;
    do {
      const page = await readCall('codedeploy:ListApplications', () => this.clients.codedeploy.send(new ListApplicationsCommand({ nextToken })), this.retry);
      applications.push(...(page.applications ?? []));
      nextToken = page.nextToken;
    } while (nextToken);
    const groups: InventoryGroup[] = [];
    for (const applicationName of applications) {
      onProgress?.(`listing deployment groups of ${applicationName}…`);
      const names: string[] = [];
      let token: string | undefined;
      do {
        const page = await readCall('codedeploy:ListDeploymentGroups', () => this.clients.codedeploy.send(new ListDeploymentGroupsCommand({ applicationName, nextToken: token })), this.retry);
        names.push(...(page.deploymentGroups ?? []));
        token = page.nextToken;
      } while (token);
      for (let offset = 0; offset < names.length; offset += GROUP_BATCH) {
        const { deploymentGroupsInfo } = await readCall(
          'codedeploy:BatchGetDeploymentGroups',
          () => this.clients.codedeploy.send(new BatchGetDeploymentGroupsCommand({ applicationName, deploymentGroupNames: names.slice(offset, offset + GROUP_BATCH) })),
          this.retry,
        );
        for (const info of deploymentGroupsInfo ?? []) {
          const group = info.deploymentGroupName ?? '(unnamed)';
          const owner = accountOf(info);
          const last = info.lastAttemptedDeployment;
          groups.push({
            application: applicationName,
            group,
            ...(info.computePlatform ? { computePlatform: info.computePlatform } : {}),
            arn: `arn:${owner?.partition ?? 'aws'}:codedeploy:${this.region}:${owner?.account ?? '*'}:deploymentgroup:${applicationName}/${group}`,
            ...(last?.deploymentId
              ? { lastAttempted: { deploymentId: last.deploymentId, ...(last.status ? { status: last.status } : {}), ...(last.createTime ? { createTime: last.createTime.toISOString() } : {}) } }
              : {}),
          });
        }
      }
    }
    return groups;
  }

  /** A deployment group's tags (CodeDeploy ListTagsForResource). */
  async groupTags(group: InventoryGroup): Promise<Record<string, string>> {
    const { Tags } = await readCall('codedeploy:ListTagsForResource', () => this.clients.codedeploy.send(new ListTagsForResourceCommand({ ResourceArn: group.arn })), this.retry);
    return Object.fromEntries((Tags ?? []).flatMap((tag) => (tag.Key ? [[tag.Key, tag.Value ?? '']] : [])));
  }

  /** A function's log format and tracing mode (`Text` / `PassThrough` when Lambda reports none). */
  async functionConfiguration(functionName: string): Promise<{ name: string; logFormat?: string; tracingMode?: string }> {
    const configuration = await readCall('lambda:GetFunctionConfiguration', () => this.clients.lambda.send(new GetFunctionConfigurationCommand({ FunctionName: functionName })), this.retry);
    return {
      name: configuration.FunctionName ?? functionName,
      ...(configuration.LoggingConfig?.LogFormat ? { logFormat: configuration.LoggingConfig.LogFormat } : {}),
      ...(configuration.TracingConfig?.Mode ? { tracingMode: configuration.TracingConfig.Mode } : {}),
    };
  }

  /** A function's tags (Lambda ListTags; a version's or alias's ARN is read as its function's). */
  async functionTags(functionArn: string): Promise<Record<string, string>> {
    // ListTags takes the function ARN; a hook target may name a version or alias (`…:function:name:qualifier`).
    const unqualified = functionArn.split(':').slice(0, 7).join(':');
    const { Tags } = await readCall('lambda:ListTags', () => this.clients.lambda.send(new ListTagsCommand({ Resource: unqualified })), this.retry);
    return { ...(Tags ?? {}) };
  }

  /** Every ECS service of every cluster, with its deployment controller, strategy, lifecycle hooks and tags. */
  async ecsServices(onProgress?: (text: string) => void): Promise<InventoryEcsService[]> {
    const clusters: string[] = [];
    let nextToken: string | undefined;
    do {
      const page = await readCall('ecs:ListClusters', () => this.clients.ecs.send(new ListClustersCommand({ nextToken })), this.retry);
      clusters.push(...(page.clusterArns ?? []));
      nextToken = page.nextToken;
    } while (nextToken);
    const services: InventoryEcsService[] = [];
    for (const cluster of clusters) {
      onProgress?.(`listing ECS services of ${lastSegment(cluster)}…`);
      const arns: string[] = [];
      let token: string | undefined;
      do {
        const page = await readCall('ecs:ListServices', () => this.clients.ecs.send(new ListServicesCommand({ cluster, nextToken: token })), this.retry);
        arns.push(...(page.serviceArns ?? []));
        token = page.nextToken;
      } while (token);
      for (let offset = 0; offset < arns.length; offset += SERVICE_BATCH) {
        const page = await readCall(
          'ecs:DescribeServices',
          () => this.clients.ecs.send(new DescribeServicesCommand({ cluster, services: arns.slice(offset, offset + SERVICE_BATCH), include: ['TAGS'] })),
          this.retry,
        );
        for (const service of page.services ?? []) services.push(ecsService(cluster, service));
      }
    }
    return services;
  }
}

function ecsService(clusterArn: string, service: Service): InventoryEcsService {
  const newest = [...(service.deployments ?? [])].sort((a, b) => (b.createdAt?.getTime() ?? 0) - (a.createdAt?.getTime() ?? 0))[0];
  return {
    clusterArn,
    cluster: lastSegment(clusterArn),
    service: service.serviceName ?? lastSegment(service.serviceArn ?? '(unnamed)'),
    controller: service.deploymentController?.type ?? 'ECS',
    strategy: service.deploymentConfiguration?.strategy ?? 'ROLLING',
    tags: Object.fromEntries((service.tags ?? []).flatMap((tag) => (tag.key ? [[tag.key, tag.value ?? '']] : []))),
    lifecycleHooks: (service.deploymentConfiguration?.lifecycleHooks ?? []).flatMap((hook) => (hook.hookTargetArn ? [{ hookTargetArn: hook.hookTargetArn, stages: [...(hook.lifecycleStages ?? [])] }] : [])),
    ...(newest?.id
      ? { lastDeployment: { id: newest.id, ...(newest.status ? { status: newest.status } : {}), ...(newest.rolloutState ? { rolloutState: newest.rolloutState } : {}), ...(newest.createdAt ? { createdAt: newest.createdAt.toISOString() } : {}) } }
      : {}),
  };
}
