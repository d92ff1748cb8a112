import { AppSpecMismatchError, checkLambdaAppSpec, parseAppSpec, type LambdaRegistrationTarget } from './appspec';
import { resolveEcsTarget, type EcsTargets } from './ecs';
import { evaluatorErrorStatus, hookStatusFor } from './conclude';
import type { DeploymentInfo, DeploymentReader, EvaluationStarter, HookIds, HookReporter, HookStatus, PolicyRef } from './ports';
import { executionName, type DeploymentTarget, type EvaluationInput, type LifecycleEvent, type OverrideSettings, type ReportSwitches } from './state';

/**
 * Reads the event CodeDeploy sends a hook function (CodeDeploy User Guide, "AppSpec 'hooks' section
 * for an AWS Lambda deployment"): the deployment id and the hook execution id, nothing else.
 * Returns the ids, or the problems found.
 */
export function parseHookEvent(event: unknown): HookIds | { readonly problems: string } {
  const body = typeof event === 'object' && event !== null ? (event as Record<string, unknown>) : undefined;
  const problems: string[] = [];
  if (!body) return { problems: '(event): expected an object' };
  if (typeof body.DeploymentId !== 'string' || !/^d-[A-Z0-9]+$/.test(body.DeploymentId)) problems.push('DeploymentId: expected a deployment id such as "d-ABCDEF123"');
  if (typeof body.LifecycleEventHookExecutionId !== 'string' || body.LifecycleEventHookExecutionId.length === 0) problems.push('LifecycleEventHookExecutionId: expected a non-empty string');
  if (problems.length > 0) return { problems: problems.join('; ') };
  return { deploymentId: body.DeploymentId as string, lifecycleEventHookExecutionId: body.LifecycleEventHookExecutionId as string };
}

/**
 * CodeDeploy's `creator` of a rollback deployment (CodeDeploy API Reference, `DeploymentInfo.creator`):
 * `codeDeployRollback` (automatic or manual rollback) and `CloudFormationRollback` (a CloudFormation
 * stack rollback redeploying the previous version, with `AWS::CodeDeploy::BlueGreen`). `rollback` is
 * kept for older documentation; the SDK's `DeploymentCreator` enum has no such value.
 */
export const ROLLBACK_CREATORS: readonly string[] = ['codeDeployRollback', 'CloudFormationRollback', 'rollback'];

export interface HookDependencies {
  readonly lifecycleEvent: LifecycleEvent;
  readonly policyRef: PolicyRef;
  /** The registration's `dryRun` and `onEvaluatorError` (`REPORT_SWITCHES`): passed to the execution, and used here when it cannot start. */
  readonly switches: ReportSwitches;
  readonly deployments: DeploymentReader;
  readonly starter: EvaluationStarter;
  readonly reporter: HookReporter;
  readonly now: () => Date;
  readonly log: HookLog;
  /** The hosts the registration's HTTP smoke tests may call (`SMOKE_ALLOWED_HOSTS`), passed to the execution. */
  readonly allowedHosts?: readonly string[];
  /** Where this hook's break-glass override would be and whether the registration allows one (`OVERRIDE_SETTINGS`), passed to the execution. @default - none looked for */
  readonly override?: OverrideSettings;
  /** Lambda hooks registered with their alias (`LAMBDA_TARGET`): the function and alias the AppSpec must name. */
  readonly lambdaTarget?: LambdaRegistrationTarget;
  /** ECS hooks only (`ECS_TARGETS`): the load balancer and target groups of the registered group. */
  readonly ecsTargets?: EcsTargets;
}

export interface HookLog {
  info(message: string, details?: Record<string, unknown>): void;
  error(message: string, details?: Record<string, unknown>): void;
}

export type HookOutcome =
  | { readonly outcome: 'started' | 'duplicate'; readonly executionName: string }
  | { readonly outcome: 'reported'; readonly status: HookStatus; readonly reason: string }
  | { readonly outcome: 'invalid-event'; readonly reason: string };

/**
 * What the evaluation compares. Lambda: the AppSpec names both versions. ECS: the AppSpec names only
 * the new task definition; CodeDeploy's deployment target says which target group serves which task set.
 */
async function targetOf(deployment: DeploymentInfo, deps: HookDependencies): Promise<DeploymentTarget> {
  const appSpec = parseAppSpec(deployment.appSpecContent);
  if (appSpec.type === 'lambda') {
    if (deps.lifecycleEvent === 'AfterAllowTestTraffic') throw new Error('AfterAllowTestTraffic is an ECS lifecycle event, but the deployment has a Lambda AppSpec');
    return checkLambdaAppSpec(appSpec, deps.lambdaTarget);
  }
  if (!deps.ecsTargets) {
    throw new Error('the deployment has an ECS AppSpec, but this hook has no ECS_TARGETS: register the ECS deployment group with registerEcsDeploymentGroup and name its hooks in the AppSpec');
  }
  return resolveEcsTarget(appSpec, await deps.deployments.readEcsTarget(deployment.deploymentId), deps.ecsTargets);
}

/**
 * `StartExecution`; when it fails, the execution is looked up by its deterministic name, since the call
 * may have failed after it created the execution (a timeout, a lost response): one that exists reports
 * the hook itself, so this invocation must not (issue 23 item 4). When the lookup cannot tell either,
 * the start error stands and the hook is reported here; an execution that exists all the same then
 * finds the hook completed and publishes what CodeDeploy holds, never its own contradicting verdict
 * (`conclude`).
 */
async function startEvaluation(name: string, input: EvaluationInput, deps: HookDependencies): Promise<'started' | 'already-exists'> {
  try {
    return await deps.starter.start(name, input);
  } catch (error) {
    let exists: boolean;
    try {
      exists = await deps.starter.exists(name);
    } catch (lookupError) {
      deps.log.error('StartExecution failed and the execution could not be looked up; reporting the hook', { executionName: name, error: (error as Error).message, lookupError: (lookupError as Error).message });
      throw error;
    }
    if (!exists) throw error;
    deps.log.info('StartExecution failed after it created the execution; the execution reports the hook', { executionName: name, error: (error as Error).message });
    return 'started';
  }
}

/**
 * Starts one evaluation for a hook invocation. Whatever fails after the ids are known is reported
 * here: an AppSpec that does not deploy the registered target is `Failed` (unless dryRun); anything
 * else is an evaluator error, under the registration's switches (`evaluatorErrorStatus`, the rule
 * every other path follows). An unreported hook holds the deployment for an hour.
 */
export async function handleHookEvent(event: unknown, deps: HookDependencies): Promise<HookOutcome> {
  const ids = parseHookEvent(event);
  if ('problems' in ids) {
    deps.log.error('hook event is not a CodeDeploy lifecycle event; nothing can be reported', { reason: ids.problems, event });
    return { outcome: 'invalid-event', reason: ids.problems };
  }

  try {
    const deployment = await deps.deployments.readDeployment(ids.deploymentId);
    if (deployment.creator && ROLLBACK_CREATORS.includes(deployment.creator)) {
      // A rollback restores the version that ran before the failed release: there is no new version to
      // judge, and blocking it would keep the version that just failed in service.
      const reason = `rollback deployment (creator ${deployment.creator}) is not judged`;
      const result = await deps.reporter.report(ids, 'Succeeded');
      deps.log.info(reason, { status: 'Succeeded', result });
      return { outcome: 'reported', status: 'Succeeded', reason };
    }
    const input: EvaluationInput = {
      ...ids,
      lifecycleEvent: deps.lifecycleEvent,
      applicationName: deployment.applicationName,
      deploymentGroupName: deployment.deploymentGroupName,
      target: await targetOf(deployment, deps),
      policyRef: deps.policyRef,
      switches: deps.switches,
      ...(deps.allowedHosts ? { allowedHosts: deps.allowedHosts } : {}),
      ...(deps.override ? { override: deps.override } : {}),
      hookInvokedAt: deps.now().toISOString(),
      ...(deployment.createTime ? { deploymentCreatedAt: deployment.createTime.toISOString() } : {}),
    };
    const name = executionName(ids.deploymentId, deps.lifecycleEvent);
    const started = await startEvaluation(name, input, deps);
    const outcome = started === 'started' ? 'started' : 'duplicate';
    deps.log.info(outcome === 'started' ? 'evaluation started' : 'duplicate hook invocation; evaluation already started', { executionName: name });
    return { outcome, executionName: name };
  } catch (error) {
    const reason = `could not start the evaluation: ${(error as Error).message}`;
    deps.log.error(reason, { error: error as Error });
    // If this report fails too, the invocation fails and Lambda's asynchronous retries run the hook again.
    // A deployment that is not the registered one is a failing decision (Failed unless dryRun), not an evaluator error.
    const status = error instanceof AppSpecMismatchError ? hookStatusFor({ decision: 'fail', cause: 'verdict', reason }, deps.switches) : evaluatorErrorStatus(deps.switches);
    const result = await deps.reporter.report(ids, status);
    // Already completed: an execution that exists after all reported first; its report stands.
    if (result === 'already-completed') deps.log.info('the hook was already reported (by its execution); that report stands', { status });
    return { outcome: 'reported', status, reason };
  }
}
