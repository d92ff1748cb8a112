import { z } from 'zod';
import { parseLambdaAppSpec } from './appspec';
import type { DeploymentReader, EvaluationStarter, HookIds, HookReporter, PolicyRef } from './ports';
import { executionName, type EvaluationInput, type LifecycleEvent } from './state';

/**
 * The event CodeDeploy sends a hook function (CodeDeploy User Guide, "AppSpec 'hooks' section for an
 * AWS Lambda deployment"): the deployment id and the hook execution id, nothing else.
 */
export const hookEventSchema = z.looseObject({
  DeploymentId: z.string().regex(/^d-[A-Z0-9]+$/, 'expected a deployment id such as "d-ABCDEF123"'),
  LifecycleEventHookExecutionId: z.string().min(1),
});

export interface HookDependencies {
  readonly lifecycleEvent: LifecycleEvent;
  readonly policyRef: PolicyRef;
  readonly deployments: DeploymentReader;
  readonly starter: EvaluationStarter;
  readonly reporter: HookReporter;
  readonly now: () => Date;
  readonly log: HookLog;
}

export interface HookLog {
  info(message: string, details?: Record<string, unknown>): void;
  error(message: string, details?: Record<string, unknown>): void;
}

export type HookOutcome =
  | { readonly outcome: 'started' | 'duplicate'; readonly executionName: string }
  | { readonly outcome: 'reported'; readonly status: 'Failed'; readonly reason: string }
  | { readonly outcome: 'invalid-event'; readonly reason: string };

/**
 * Starts one evaluation for a hook invocation. Whatever fails after the ids are known, the hook is
 * reported `Failed` here: an unreported hook holds the deployment for an hour.
 */
export async function handleHookEvent(event: unknown, deps: HookDependencies): Promise<HookOutcome> {
  const parsed = hookEventSchema.safeParse(event);
  if (!parsed.success) {
    const reason = parsed.error.issues.map((issue) => `${issue.path.join('.') || '(event)'}: ${issue.message}`).join('; ');
    deps.log.error('hook event is not a CodeDeploy lifecycle event; nothing can be reported', { reason, event });
    return { outcome: 'invalid-event', reason };
  }
  const ids: HookIds = { deploymentId: parsed.data.DeploymentId, lifecycleEventHookExecutionId: parsed.data.LifecycleEventHookExecutionId };

  try {
    const deployment = await deps.deployments.readDeployment(ids.deploymentId);
    const input: EvaluationInput = {
      ...ids,
      lifecycleEvent: deps.lifecycleEvent,
      applicationName: deployment.applicationName,
      deploymentGroupName: deployment.deploymentGroupName,
      target: parseLambdaAppSpec(deployment.appSpecContent),
      policyRef: deps.policyRef,
      hookInvokedAt: deps.now().toISOString(),
    };
    const name = executionName(ids.deploymentId, deps.lifecycleEvent);
    const started = await deps.starter.start(name, input);
    const outcome = started === 'started' ? 'started' : 'duplicate';
    deps.log.info(outcome === 'started' ? 'evaluation started' : 'duplicate hook invocation; evaluation already started', { executionName: name });
    return { outcome, executionName: name };
  } catch (error) {
    const reason = `could not start the evaluation: ${(error as Error).message}`;
    deps.log.error(reason, { error: error as Error });
    // If this report fails too, the invocation fails and Lambda's asynchronous retries run the hook again.
    await deps.reporter.report(ids, 'Failed');
    return { outcome: 'reported', status: 'Failed', reason };
  }
}
