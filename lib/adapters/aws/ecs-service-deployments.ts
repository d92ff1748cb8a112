import { DescribeServiceDeploymentsCommand, ListServiceDeploymentsCommand, type ECSClient, type ServiceDeployment } from '@aws-sdk/client-ecs';
import { ECS_DEPLOYMENT_STRATEGIES, ECS_EVALUATED_STAGES, parseServiceDeploymentArn, type EcsDeploymentStrategy, type EcsEvaluatedStage } from '../../evaluation/ecs-native/contract';
import type { DeploymentView } from './deployment-status';
import { AwsReadError, readCall, type ReadRetry } from './read-call';

/**
 * Read-only views of Amazon ECS service deployments for the CLI (`status`, `report`, `history`,
 * `override` of an ECS native deployment), following the Amazon ECS API Reference:
 * - `DescribeServiceDeployments` (at most 20 ARNs per call; answers `serviceDeployments` and `failures`)
 *   → `ServiceDeployment`: `status` (PENDING, IN_PROGRESS, SUCCESSFUL, STOPPED, STOP_REQUESTED,
 *   ROLLBACK_REQUESTED, ROLLBACK_IN_PROGRESS, ROLLBACK_SUCCESSFUL, ROLLBACK_FAILED), `statusReason`,
 *   `lifecycleStage`, `createdAt`/`startedAt`/`finishedAt`/`stoppedAt`, `targetServiceRevision`,
 *   `rollback`, and `deploymentConfiguration` (`strategy`, `linearConfiguration.stepPercent`,
 *   `canaryConfiguration.canaryPercent`, `lifecycleHooks[].lifecycleStages`);
 * - `ListServiceDeployments` (`service`, `cluster`, `createdAt` {`after`, `before`}, `nextToken`)
 *   → `ServiceDeploymentBrief`s (newest first is not documented; the CLI sorts).
 * The Developer Guide ("View service history using Amazon ECS service deployments") groups the statuses:
 * pending (PENDING), ongoing (IN_PROGRESS, STOP_REQUESTED, ROLLBACK_REQUESTED, ROLLBACK_IN_PROGRESS),
 * completed (SUCCESSFUL, STOPPED, ROLLBACK_SUCCESSFUL, ROLLBACK_FAILED), and keeps 90 days of history.
 */

/** An ECS native service deployment as the CLI shows it. */
export interface EcsServiceDeploymentView {
  readonly serviceDeploymentArn: string;
  readonly cluster: string;
  readonly service: string;
  /** The ECS status word, e.g. `ROLLBACK_SUCCESSFUL`. */
  readonly status: string;
  readonly statusReason?: string;
  /** The stage the deployment is at (`ServiceDeployment.lifecycleStage`). */
  readonly lifecycleStage?: string;
  readonly strategy?: EcsDeploymentStrategy;
  /** LINEAR `stepPercent` or CANARY `canaryPercent`. */
  readonly stepPercent?: number;
  /** The evaluated stages some lifecycle hook of the deployment is registered at; empty when the configuration names none. */
  readonly hookStages: readonly EcsEvaluatedStage[];
  readonly createdAt?: Date;
  readonly finishedAt?: Date;
  readonly targetServiceRevisionArn?: string;
  readonly rollbackReason?: string;
}

/** ECS statuses mapped to the CodeDeploy words the shared status logic reads (`FINISHED_STATUSES`, `Succeeded`). */
const CODEDEPLOY_WORD: Readonly<Record<string, string>> = {
  PENDING: 'Created',
  IN_PROGRESS: 'InProgress',
  STOP_REQUESTED: 'InProgress',
  ROLLBACK_REQUESTED: 'InProgress',
  ROLLBACK_IN_PROGRESS: 'InProgress',
  SUCCESSFUL: 'Succeeded',
  STOPPED: 'Stopped',
  ROLLBACK_SUCCESSFUL: 'Failed',
  ROLLBACK_FAILED: 'Failed',
};

/** Where `DescribeServiceDeployments` takes at most this many ARNs (API Reference, `serviceDeploymentArns`). */
const DESCRIBE_BATCH = 20;

function viewOf(deployment: ServiceDeployment, arn: string): EcsServiceDeploymentView {
  const { cluster, service } = parseServiceDeploymentArn(arn, 'serviceDeploymentArn');
  const configuration = deployment.deploymentConfiguration;
  const strategy = (ECS_DEPLOYMENT_STRATEGIES as readonly string[]).includes(configuration?.strategy ?? '') ? (configuration!.strategy as EcsDeploymentStrategy) : undefined;
  const stepPercent = strategy === 'LINEAR' ? configuration?.linearConfiguration?.stepPercent : strategy === 'CANARY' ? configuration?.canaryConfiguration?.canaryPercent : undefined;
  const hooked = new Set((configuration?.lifecycleHooks ?? []).flatMap((hook) => hook.lifecycleStages ?? []));
  const finishedAt = deployment.finishedAt ?? deployment.stoppedAt;
  return {
    serviceDeploymentArn: arn,
    cluster,
    service,
    status: deployment.status ?? 'UNKNOWN',
    ...(deployment.statusReason ? { statusReason: deployment.statusReason } : {}),
    ...(deployment.lifecycleStage ? { lifecycleStage: deployment.lifecycleStage } : {}),
    ...(strategy ? { strategy } : {}),
    ...(stepPercent !== undefined ? { stepPercent } : {}),
    hookStages: ECS_EVALUATED_STAGES.filter((stage) => hooked.has(stage)),
    ...(deployment.createdAt ? { createdAt: deployment.createdAt } : {}),
    ...(finishedAt ? { finishedAt } : {}),
    ...(deployment.targetServiceRevision?.arn ? { targetServiceRevisionArn: deployment.targetServiceRevision.arn } : {}),
    ...(deployment.rollback?.reason ? { rollbackReason: deployment.rollback.reason } : {}),
  };
}

/**
 * The service deployment in the shape `status`, `report` and `history` share with CodeDeploy deployments:
 * the ARN as the deployment id, the cluster and service where CodeDeploy has the application and group
 * (as the verdict metrics label them), the status as the CodeDeploy word of the same meaning, and the ECS
 * details in `ecsNative`.
 */
export function deploymentViewOf(view: EcsServiceDeploymentView): DeploymentView {
  const failed = ['ROLLBACK_SUCCESSFUL', 'ROLLBACK_FAILED', 'STOPPED'].includes(view.status);
  return {
    deploymentId: view.serviceDeploymentArn,
    applicationName: view.cluster,
    deploymentGroupName: view.service,
    status: CODEDEPLOY_WORD[view.status] ?? 'Unknown',
    ...(view.createdAt ? { createTime: view.createdAt } : {}),
    ...(view.finishedAt ? { completeTime: view.finishedAt } : {}),
    computePlatform: 'ECS native',
    ...(view.strategy ? { deploymentConfigName: `${view.strategy}${view.stepPercent !== undefined ? ` ${view.stepPercent}%` : ''}` } : {}),
    ...(failed && (view.statusReason ?? view.rollbackReason) ? { error: { code: view.status, message: view.statusReason ?? view.rollbackReason } } : {}),
    ...(view.rollbackReason ? { rollback: { message: view.rollbackReason } } : {}),
    lifecycleEvents: [],
    ecsNative: { serviceDeploymentArn: view.serviceDeploymentArn, status: view.status, ...(view.lifecycleStage ? { lifecycleStage: view.lifecycleStage } : {}), ...(view.strategy ? { strategy: view.strategy } : {}) },
  };
}

export class EcsServiceDeploymentReader {
  constructor(
    private readonly client: ECSClient,
    private readonly retry: ReadRetry = {},
  ) {}

  /** One service deployment; a clear not-found when ECS reports it among `failures` (or returns nothing). */
  async read(serviceDeploymentArn: string): Promise<EcsServiceDeploymentView> {
    const [view] = await this.describe([serviceDeploymentArn]);
    if (!view) throw new AwsReadError('ecs:DescribeServiceDeployments', 'not-found', `ecs:DescribeServiceDeployments: no service deployment ${serviceDeploymentArn} (ECS keeps 90 days of service deployments; check the region)`);
    return view;
  }

  /** The deployments ECS describes, in the order asked; those it reports as failures are left out. */
  async describe(arns: readonly string[]): Promise<EcsServiceDeploymentView[]> {
    const views: EcsServiceDeploymentView[] = [];
    for (let offset = 0; offset < arns.length; offset += DESCRIBE_BATCH) {
      const batch = arns.slice(offset, offset + DESCRIBE_BATCH);
      const { serviceDeployments } = await readCall('ecs:DescribeServiceDeployments', () => this.client.send(new DescribeServiceDeploymentsCommand({ serviceDeploymentArns: batch })), this.retry);
      for (const arn of batch) {
        const found = (serviceDeployments ?? []).find((deployment) => deployment.serviceDeploymentArn === arn);
        if (found) views.push(viewOf(found, arn));
      }
    }
    return views;
  }

  /** The service deployments of a service created in `[since, until)`, newest first. */
  async list(cluster: string, service: string, since: Date, until: Date, onProgress?: (text: string) => void): Promise<EcsServiceDeploymentView[]> {
    const arns: string[] = [];
    let nextToken: string | undefined;
    do {
      const page = await readCall('ecs:ListServiceDeployments', () => this.client.send(new ListServiceDeploymentsCommand({ cluster, service, createdAt: { after: since, before: until }, nextToken })), this.retry);
      arns.push(...(page.serviceDeployments ?? []).flatMap((brief) => (brief.serviceDeploymentArn ? [brief.serviceDeploymentArn] : [])));
      nextToken = page.nextToken;
      onProgress?.(`listing service deployments of ${cluster}/${service}: ${arns.length}…`);
    } while (nextToken);
    const views = await this.describe(arns);
    return views.sort((a, b) => (b.createdAt?.getTime() ?? 0) - (a.createdAt?.getTime() ?? 0));
  }
}
