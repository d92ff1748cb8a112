import {
  BatchGetDeploymentTargetsCommand,
  BatchGetDeploymentsCommand,
  CodeDeployClient,
  GetDeploymentCommand,
  ListDeploymentTargetsCommand,
  ListDeploymentsCommand,
  type DeploymentInfo as SdkDeploymentInfo,
  type DeploymentTarget as SdkDeploymentTarget,
} from '@aws-sdk/client-codedeploy';
import { readCall, type ReadRetry } from './read-call';

/**
 * Read-only CodeDeploy views for the CLI (`status`, `report`, `history`, `replay`), following the
 * CodeDeploy API Reference: `GetDeployment` (DeploymentInfo), `ListDeploymentTargets` +
 * `BatchGetDeploymentTargets` (LambdaTarget / ECSTarget: lifecycle events and traffic), and
 * `ListDeployments` + `BatchGetDeployments` for a group's history. Nothing here changes a deployment.
 */

export interface LifecycleEventView {
  readonly name: string;
  /** `Pending`, `InProgress`, `Succeeded`, `Failed`, `Skipped`, `Unknown` (LifecycleEvent.status). */
  readonly status: string;
  readonly startTime?: Date;
  readonly endTime?: Date;
  readonly diagnostics?: string;
}

export interface TrafficView {
  /** Share of production traffic on the new version, 0–100. */
  readonly canaryPercent: number;
  readonly currentVersion?: string;
  readonly targetVersion?: string;
}

export interface DeploymentView {
  readonly deploymentId: string;
  readonly applicationName: string;
  readonly deploymentGroupName: string;
  /** `Created`, `Queued`, `InProgress`, `Baking`, `Succeeded`, `Failed`, `Stopped`, `Ready` (DeploymentInfo.status). */
  readonly status: string;
  readonly creator?: string;
  readonly createTime?: Date;
  readonly completeTime?: Date;
  readonly deploymentConfigName?: string;
  readonly computePlatform?: string;
  readonly error?: { readonly code?: string; readonly message?: string };
  readonly rollback?: { readonly rollbackDeploymentId?: string; readonly rollbackTriggeringDeploymentId?: string; readonly message?: string };
  readonly lifecycleEvents: readonly LifecycleEventView[];
  readonly traffic?: TrafficView;
  /** Lambda: the function the deployment shifts (LambdaTarget.lambdaFunctionInfo.functionName). */
  readonly lambdaFunction?: string;
  /** An Amazon ECS native service deployment (lib/adapters/aws/ecs-service-deployments.ts): its ECS status and stage, which `status` mirrors in CodeDeploy's words. */
  readonly ecsNative?: { readonly serviceDeploymentArn: string; readonly status: string; readonly lifecycleStage?: string; readonly strategy?: string };
}

/** CodeDeploy statuses after which nothing changes any more. */
export const FINISHED_STATUSES: readonly string[] = ['Succeeded', 'Failed', 'Stopped'];

/** BatchGetDeployments and BatchGetDeploymentTargets take at most 25 ids (CodeDeploy API Reference). */
const BATCH = 25;

function deploymentView(info: SdkDeploymentInfo, target?: SdkDeploymentTarget): DeploymentView {
  const lambda = target?.lambdaTarget;
  const ecs = target?.ecsTarget;
  const events = lambda?.lifecycleEvents ?? ecs?.lifecycleEvents ?? [];
  let traffic: TrafficView | undefined;
  const weight = lambda?.lambdaFunctionInfo?.targetVersionWeight;
  if (weight !== undefined) {
    // Documented as "the percentage of production traffic"; Lambda alias routing weights are fractions
    // (0–1), so a value ≤ 1 is read as a fraction.
    traffic = {
      canaryPercent: weight <= 1 ? weight * 100 : weight,
      ...(lambda?.lambdaFunctionInfo?.currentVersion ? { currentVersion: lambda.lambdaFunctionInfo.currentVersion } : {}),
      ...(lambda?.lambdaFunctionInfo?.targetVersion ? { targetVersion: lambda.lambdaFunctionInfo.targetVersion } : {}),
    };
  }
  const green = ecs?.taskSetsInfo?.find((set) => set.taskSetLabel === 'Green');
  if (green?.trafficWeight !== undefined) traffic = { canaryPercent: green.trafficWeight };
  return {
    deploymentId: info.deploymentId ?? '(unknown)',
    applicationName: info.applicationName ?? '(unknown)',
    deploymentGroupName: info.deploymentGroupName ?? '(unknown)',
    status: info.status ?? 'Unknown',
    ...(info.creator ? { creator: info.creator } : {}),
    ...(info.createTime ? { createTime: info.createTime } : {}),
    ...(info.completeTime ? { completeTime: info.completeTime } : {}),
    ...(info.deploymentConfigName ? { deploymentConfigName: info.deploymentConfigName } : {}),
    ...(info.computePlatform ? { computePlatform: info.computePlatform } : {}),
    ...(info.errorInformation ? { error: { code: info.errorInformation.code, message: info.errorInformation.message } } : {}),
    ...(info.rollbackInfo
      ? { rollback: { rollbackDeploymentId: info.rollbackInfo.rollbackDeploymentId, rollbackTriggeringDeploymentId: info.rollbackInfo.rollbackTriggeringDeploymentId, message: info.rollbackInfo.rollbackMessage } }
      : {}),
    lifecycleEvents: events.map((event) => ({
      name: event.lifecycleEventName ?? '(unnamed)',
      status: event.status ?? 'Unknown',
      ...(event.startTime ? { startTime: event.startTime } : {}),
      ...(event.endTime ? { endTime: event.endTime } : {}),
      ...(event.diagnostics?.message ? { diagnostics: event.diagnostics.message } : {}),
    })),
    ...(traffic ? { traffic } : {}),
    ...(lambda?.lambdaFunctionInfo?.functionName ? { lambdaFunction: lambda.lambdaFunctionInfo.functionName } : {}),
  };
}

export class DeploymentStatusReader {
  constructor(
    private readonly client: CodeDeployClient,
    private readonly retry: ReadRetry = {},
  ) {}

  /** A deployment with its lifecycle events and traffic split. */
  async read(deploymentId: string): Promise<DeploymentView> {
    const { deploymentInfo } = await readCall('codedeploy:GetDeployment', () => this.client.send(new GetDeploymentCommand({ deploymentId })), this.retry);
    if (!deploymentInfo) throw new Error(`GetDeployment(${deploymentId}) returned no deploymentInfo`);
    // EC2/on-premises deployments have instance targets; only Lambda and ECS carry lifecycle events per target here.
    const target = deploymentInfo.computePlatform === 'Server' ? undefined : await this.readTarget(deploymentId);
    return deploymentView(deploymentInfo, target);
  }

  private async readTarget(deploymentId: string): Promise<SdkDeploymentTarget | undefined> {
    const targetIds: string[] = [];
    let nextToken: string | undefined;
    do {
      const page = await readCall('codedeploy:ListDeploymentTargets', () => this.client.send(new ListDeploymentTargetsCommand({ deploymentId, nextToken })), this.retry);
      targetIds.push(...(page.targetIds ?? []));
      nextToken = page.nextToken;
    } while (nextToken);
    if (targetIds.length === 0) return undefined;
    // A Lambda or ECS deployment has one target (the function or the service).
    const { deploymentTargets } = await readCall(
      'codedeploy:BatchGetDeploymentTargets',
      () => this.client.send(new BatchGetDeploymentTargetsCommand({ deploymentId, targetIds: targetIds.slice(0, BATCH) })),
      this.retry,
    );
    return deploymentTargets?.[0];
  }

  /** Deployments of a group created in `[since, until)`, newest first, each with its lifecycle events. */
  async list(applicationName: string, deploymentGroupName: string, since: Date, until: Date, onProgress?: (text: string) => void): Promise<DeploymentView[]> {
    const ids: string[] = [];
    let nextToken: string | undefined;
    do {
      const page = await readCall(
        'codedeploy:ListDeployments',
        () => this.client.send(new ListDeploymentsCommand({ applicationName, deploymentGroupName, createTimeRange: { start: since, end: until }, nextToken })),
        this.retry,
      );
      ids.push(...(page.deployments ?? []));
      nextToken = page.nextToken;
      onProgress?.(`listing deployments of ${applicationName}/${deploymentGroupName}: ${ids.length}…`);
    } while (nextToken);
    const infos: SdkDeploymentInfo[] = [];
    for (let offset = 0; offset < ids.length; offset += BATCH) {
      const { deploymentsInfo } = await readCall('codedeploy:BatchGetDeployments', () => this.client.send(new BatchGetDeploymentsCommand({ deploymentIds: ids.slice(offset, offset + BATCH) })), this.retry);
      infos.push(...(deploymentsInfo ?? []));
      onProgress?.(`reading deployments: ${infos.length} of ${ids.length}…`);
    }
    const views: DeploymentView[] = [];
    for (const info of infos) views.push(deploymentView(info, info.computePlatform === 'Server' || !info.deploymentId ? undefined : await this.readTarget(info.deploymentId)));
    return views.sort((a, b) => (b.createTime?.getTime() ?? 0) - (a.createTime?.getTime() ?? 0));
  }
}
