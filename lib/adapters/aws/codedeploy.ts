import {
  CodeDeployClient,
  DeploymentAlreadyCompletedException,
  StopDeploymentCommand,
  GetApplicationRevisionCommand,
  GetDeploymentCommand,
  GetDeploymentTargetCommand,
  ListDeploymentTargetsCommand,
  LifecycleEventAlreadyCompletedException,
  PutLifecycleEventHookExecutionStatusCommand,
} from '@aws-sdk/client-codedeploy';
import { GetObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import type { RevisionLocation } from '@aws-sdk/client-codedeploy';
import type { DeploymentControl, DeploymentInfo, DeploymentReader, EcsDeploymentTarget, HookIds, HookReporter, HookStatus, HookStatusReader, TrafficShift } from '../../evaluation/ports';

/**
 * `GetDeployment` + `GetApplicationRevision`: who deployed what, and the AppSpec of the revision. A
 * revision stored in S3 (`revisionType: S3`) carries only its location: `GetApplicationRevision` returns
 * no content for it (CodeDeploy API Reference, `RevisionLocation`), so the AppSpec file, a YAML or JSON
 * object for Lambda and ECS deployments, is read from S3 (`s3:GetObject` on the revision bucket).
 */
export class CodeDeployDeploymentReader implements DeploymentReader {
  constructor(
    private readonly client: CodeDeployClient,
    private readonly s3?: S3Client,
  ) {}

  async readDeployment(deploymentId: string): Promise<DeploymentInfo> {
    const { deploymentInfo } = await this.client.send(new GetDeploymentCommand({ deploymentId }));
    if (!deploymentInfo?.applicationName || !deploymentInfo.deploymentGroupName) {
      throw new Error(`GetDeployment(${deploymentId}) returned no application or deployment group`);
    }
    let appSpecContent = deploymentInfo.revision?.appSpecContent?.content;
    if (!appSpecContent && deploymentInfo.revision?.revisionType === 'S3') {
      appSpecContent = await this.readS3Revision(deploymentId, deploymentInfo.revision);
    } else if (!appSpecContent && deploymentInfo.revision) {
      const { revision } = await this.client.send(
        new GetApplicationRevisionCommand({ applicationName: deploymentInfo.applicationName, revision: deploymentInfo.revision }),
      );
      appSpecContent = revision?.appSpecContent?.content ?? revision?.string?.content;
    }
    if (!appSpecContent) throw new Error(`deployment ${deploymentId} has no AppSpec content in its revision`);
    return {
      deploymentId,
      applicationName: deploymentInfo.applicationName,
      deploymentGroupName: deploymentInfo.deploymentGroupName,
      creator: deploymentInfo.creator,
      status: deploymentInfo.status,
      appSpecContent,
      ...(deploymentInfo.createTime ? { createTime: deploymentInfo.createTime } : {}),
      ...(deploymentInfo.computePlatform ? { computePlatform: deploymentInfo.computePlatform } : {}),
    };
  }

  private async readS3Revision(deploymentId: string, revision: RevisionLocation): Promise<string> {
    const location = revision.s3Location;
    if (!location?.bucket || !location.key) throw new Error(`deployment ${deploymentId}: its S3 revision names no bucket or key`);
    const where = `s3://${location.bucket}/${location.key}${location.version ? ` (version ${location.version})` : ''}`;
    if (location.bundleType && !['YAML', 'JSON'].includes(location.bundleType)) {
      throw new Error(`deployment ${deploymentId}: revision ${where} is a ${location.bundleType} bundle; Lambda and ECS revisions in S3 are a YAML or JSON AppSpec file`);
    }
    if (!this.s3) throw new Error(`deployment ${deploymentId}: revision ${where} is stored in S3, but this hook has no S3 client`);
    try {
      const object = await this.s3.send(new GetObjectCommand({ Bucket: location.bucket, Key: location.key, VersionId: location.version }));
      const text = await object.Body?.transformToString('utf8');
      if (!text) throw new Error('the object is empty');
      return text;
    } catch (error) {
      throw new Error(
        `deployment ${deploymentId}: could not read the AppSpec revision ${where}: ${(error as Error).message}. Register the group with \`revisionBucket\` so the hooks may read it`,
      );
    }
  }

  /** An ECS deployment has one target, `<cluster>:<service>`; its task sets carry the Blue/Green labels and target groups. */
  async readEcsTarget(deploymentId: string): Promise<EcsDeploymentTarget> {
    const targetIds: string[] = [];
    let nextToken: string | undefined;
    do {
      const page = await this.client.send(new ListDeploymentTargetsCommand({ deploymentId, nextToken }));
      targetIds.push(...(page.targetIds ?? []));
      nextToken = page.nextToken;
    } while (nextToken);
    if (targetIds.length !== 1) {
      throw new Error(`ListDeploymentTargets(${deploymentId}) returned ${targetIds.length} targets (${targetIds.join(', ') || 'none'}); an ECS deployment has one service`);
    }
    const { deploymentTarget } = await this.client.send(new GetDeploymentTargetCommand({ deploymentId, targetId: targetIds[0] }));
    const ecsTarget = deploymentTarget?.ecsTarget;
    if (!ecsTarget) throw new Error(`GetDeploymentTarget(${deploymentId}, ${targetIds[0]}) returned no ecsTarget (type ${deploymentTarget?.deploymentTargetType ?? 'unknown'})`);
    return {
      targetId: ecsTarget.targetId ?? targetIds[0],
      taskSets: (ecsTarget.taskSetsInfo ?? []).map((set) => ({
        label: set.taskSetLabel ?? '(unlabelled)',
        ...(set.targetGroup?.name ? { targetGroupName: set.targetGroup.name } : {}),
        ...(set.trafficWeight !== undefined ? { trafficWeight: set.trafficWeight } : {}),
        ...(set.identifer ? { identifier: set.identifer } : {}),
      })),
    };
  }
}

/** `PutLifecycleEventHookExecutionStatus`; reporting a hook twice is not an error (the first report stands). */
export class CodeDeployHookReporter implements HookReporter {
  constructor(private readonly client: CodeDeployClient) {}

  async report(ids: HookIds, status: HookStatus): Promise<'reported' | 'already-completed'> {
    try {
      await this.client.send(
        new PutLifecycleEventHookExecutionStatusCommand({
          deploymentId: ids.deploymentId,
          lifecycleEventHookExecutionId: ids.lifecycleEventHookExecutionId,
          status,
        }),
      );
      return 'reported';
    } catch (error) {
      if (error instanceof LifecycleEventAlreadyCompletedException) return 'already-completed';
      throw error;
    }
  }
}

/**
 * The status CodeDeploy holds for a lifecycle event: `ListDeploymentTargets` (a Lambda or ECS deployment
 * has one target), then `GetDeploymentTarget`'s `lambdaTarget` or `ecsTarget` `lifecycleEvents[]`
 * (CodeDeploy API Reference, `LifecycleEvent.status`: Pending | InProgress | Succeeded | Failed |
 * Skipped | Unknown). Anything but Succeeded or Failed throws: the hook is not completed yet, as far as
 * this read shows, and the caller retries.
 */
export class CodeDeployHookStatusReader implements HookStatusReader {
  constructor(private readonly client: CodeDeployClient) {}

  async readStatus(deploymentId: string, lifecycleEvent: string): Promise<HookStatus> {
    const { targetIds } = await this.client.send(new ListDeploymentTargetsCommand({ deploymentId }));
    if (!targetIds || targetIds.length !== 1) throw new Error(`ListDeploymentTargets(${deploymentId}) returned ${targetIds?.length ?? 0} targets; a Lambda or ECS deployment has one`);
    const { deploymentTarget } = await this.client.send(new GetDeploymentTargetCommand({ deploymentId, targetId: targetIds[0] }));
    const target = deploymentTarget?.lambdaTarget ?? deploymentTarget?.ecsTarget;
    const status = target?.lifecycleEvents?.find((event) => event.lifecycleEventName === lifecycleEvent)?.status;
    if (status === 'Succeeded' || status === 'Failed') return status;
    throw new Error(`GetDeploymentTarget(${deploymentId}, ${targetIds[0]}): lifecycle event ${lifecycleEvent} is ${status ?? 'not listed'}, not Succeeded or Failed`);
  }
}

/** The canary watch's view of a deployment: its status, and `StopDeployment` with automatic rollback. */
export class CodeDeployDeploymentControl implements DeploymentControl {
  constructor(private readonly client: CodeDeployClient) {}

  async readStatus(deploymentId: string): Promise<string> {
    const { deploymentInfo } = await this.client.send(new GetDeploymentCommand({ deploymentId }));
    if (!deploymentInfo?.status) throw new Error(`GetDeployment(${deploymentId}) returned no status`);
    return deploymentInfo.status;
  }

  /**
   * The deployment target's view of the shift (CodeDeploy API Reference, `GetDeploymentTarget`): Lambda
   * `lambdaFunctionInfo.targetVersionWeight` (0–1), ECS `taskSetsInfo[].trafficWeight` of the Green
   * task set (0–100), and the target's `AllowTraffic` lifecycle event.
   */
  async readShift(deploymentId: string): Promise<TrafficShift> {
    const { targetIds } = await this.client.send(new ListDeploymentTargetsCommand({ deploymentId }));
    if (!targetIds || targetIds.length !== 1) return { complete: false, detail: `${targetIds?.length ?? 0} deployment targets` };
    const { deploymentTarget } = await this.client.send(new GetDeploymentTargetCommand({ deploymentId, targetId: targetIds[0] }));
    const target = deploymentTarget?.lambdaTarget ?? deploymentTarget?.ecsTarget;
    const allowTraffic = target?.lifecycleEvents?.find((event) => event.lifecycleEventName === 'AllowTraffic');
    if (allowTraffic?.status === 'Succeeded') return { complete: true, detail: 'AllowTraffic Succeeded' };
    const lambdaWeight = deploymentTarget?.lambdaTarget?.lambdaFunctionInfo?.targetVersionWeight;
    if (lambdaWeight !== undefined) return { complete: lambdaWeight >= 1, detail: `target version weight ${lambdaWeight}` };
    const green = deploymentTarget?.ecsTarget?.taskSetsInfo?.find((set) => set.taskSetLabel === 'Green');
    if (green?.trafficWeight !== undefined) return { complete: green.trafficWeight >= 100, detail: `Green task set weight ${green.trafficWeight} %` };
    return { complete: false, detail: 'no weights' };
  }

  async stop(deploymentId: string): Promise<'stopped' | 'not-in-progress'> {
    try {
      await this.client.send(new StopDeploymentCommand({ deploymentId, autoRollbackEnabled: true }));
      return 'stopped';
    } catch (error) {
      if (error instanceof DeploymentAlreadyCompletedException) return 'not-in-progress';
      throw error;
    }
  }
}
