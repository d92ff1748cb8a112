import { CodeDeployClient } from '@aws-sdk/client-codedeploy';
import { SFNClient } from '@aws-sdk/client-sfn';
import { S3Client } from '@aws-sdk/client-s3';
import { CodeDeployDeploymentReader, CodeDeployHookReporter } from '../../lib/adapters/aws/codedeploy';
import { StepFunctionsEvaluationStarter } from '../../lib/adapters/aws/step-functions';
import { handleHookEvent, parseEcsTargets, parseHookEvent, parseLifecycleEvent, type HookDependencies, type HookReporter } from '../../lib/evaluation';
import { logger, requiredEnv, stepLog } from '../shared';

/** The handler with its dependencies injected (tests and the local simulation bind their own). */
export function createHookHandler(deps: HookDependencies) {
  return async (event: unknown) => {
    const deploymentId = (event as { DeploymentId?: unknown } | null)?.DeploymentId;
    if (typeof deploymentId === 'string') logger.setCorrelationId(deploymentId);
    return handleHookEvent(event, deps);
  };
}

/**
 * Wires the handler from the environment; if that fails (a mis-deployed function), the hook is still
 * reported `Failed` when the event names it: an unreported hook holds the deployment for an hour.
 */
export function createConfiguredHookHandler(configure: () => HookDependencies, fallbackReporter: HookReporter) {
  let wired: ReturnType<typeof createHookHandler> | undefined;
  return async (event: unknown) => {
    try {
      wired ??= createHookHandler(configure());
    } catch (error) {
      const ids = parseHookEvent(event);
      stepLog.error('hook function is misconfigured; reporting the hook Failed', { error: (error as Error).message, event });
      if ('problems' in ids) return { outcome: 'invalid-event' as const, reason: ids.problems };
      await fallbackReporter.report(ids, 'Failed');
      return { outcome: 'reported' as const, status: 'Failed' as const, reason: `hook function is misconfigured: ${(error as Error).message}` };
    }
    return wired(event);
  };
}

/** CodeDeploy invokes this asynchronously for one lifecycle event (LIFECYCLE_EVENT). ECS hooks also get ECS_TARGETS. */
export const handler = createConfiguredHookHandler(
  () => ({
    ...(process.env.ECS_TARGETS ? { ecsTargets: parseEcsTargets(process.env.ECS_TARGETS) } : {}),
    lifecycleEvent: parseLifecycleEvent(requiredEnv('LIFECYCLE_EVENT'), 'LIFECYCLE_EVENT'),
    policyRef: { bucket: requiredEnv('POLICY_BUCKET'), key: requiredEnv('POLICY_KEY') },
    deployments: new CodeDeployDeploymentReader(new CodeDeployClient({}), new S3Client({})),
    // The trace header (_X_AMZN_TRACE_ID) is read per start: Lambda sets it per invocation.
    starter: new StepFunctionsEvaluationStarter(new SFNClient({}), requiredEnv('STATE_MACHINE_ARN')),
    reporter: new CodeDeployHookReporter(new CodeDeployClient({})),
    now: () => new Date(),
    log: stepLog,
  }),
  new CodeDeployHookReporter(new CodeDeployClient({})),
);
