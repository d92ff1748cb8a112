import type { HookIds, HookReporter, HookStatus, HookStatusReader } from '../ports';
import { ECS_NATIVE_HOOK_EXECUTION_PREFIX, isCodeDeployDeploymentId } from './contract';
import type { EcsHookStatusStore } from './hook';

/**
 * The report step's reporter for both platforms: a CodeDeploy hook is reported to CodeDeploy, an ECS
 * native evaluation (its hook execution id carries `ECS_NATIVE_HOOK_EXECUTION_PREFIX`) has its status
 * recorded in the store its hook function reads. Everything else in the report path (verdict event,
 * metrics, report, notification, ledger, reaper, sweep) is shared unchanged: "already completed" means
 * here what it means for CodeDeploy, a status is held and the first one stands.
 */
export class PlatformHookReporter implements HookReporter, HookStatusReader {
  constructor(
    private readonly codeDeploy: HookReporter,
    private readonly ecsNative: EcsHookStatusStore,
    private readonly codeDeployStatus?: HookStatusReader,
  ) {}

  async report(ids: HookIds, status: HookStatus): Promise<'reported' | 'already-completed'> {
    if (!ids.lifecycleEventHookExecutionId.startsWith(ECS_NATIVE_HOOK_EXECUTION_PREFIX)) return this.codeDeploy.report(ids, status);
    return (await this.ecsNative.record(ids.deploymentId, status)) === 'recorded' ? 'reported' : 'already-completed';
  }

  /** CodeDeploy deployment ids are `d-…`; every other id is an ECS native evaluation's (`ecsNativeEvaluationId`). */
  async readStatus(deploymentId: string, lifecycleEvent: string): Promise<HookStatus> {
    if (isCodeDeployDeploymentId(deploymentId)) {
      if (!this.codeDeployStatus) throw new Error(`no CodeDeploy status reader to read ${deploymentId} ${lifecycleEvent}`);
      return this.codeDeployStatus.readStatus(deploymentId, lifecycleEvent);
    }
    const held = await this.ecsNative.read(deploymentId);
    if (!held) throw new Error(`ECS native evaluation ${deploymentId}: no hook status recorded yet`);
    return held;
  }
}
