import { CodeDeployClient } from '@aws-sdk/client-codedeploy';
import { SFNClient } from '@aws-sdk/client-sfn';
import { CodeDeployDeploymentReader, CodeDeployHookReporter } from '../../lib/adapters/aws/codedeploy';
import { StepFunctionsEvaluationStarter } from '../../lib/adapters/aws/step-functions';
import { handleHookEvent, parseLifecycleEvent, type HookDependencies } from '../../lib/evaluation';
import { logger, requiredEnv, stepLog } from '../shared';

/** The handler with its dependencies injected (tests and the local simulation bind their own). */
export function createHookHandler(deps: HookDependencies) {
  return async (event: unknown) => {
    const deploymentId = (event as { DeploymentId?: unknown } | null)?.DeploymentId;
    if (typeof deploymentId === 'string') logger.setCorrelationId(deploymentId);
    return handleHookEvent(event, deps);
  };
}

let wired: ReturnType<typeof createHookHandler> | undefined;

/** CodeDeploy invokes this asynchronously for one lifecycle event (LIFECYCLE_EVENT). */
export const handler = async (event: unknown) => {
  wired ??= createHookHandler({
    lifecycleEvent: parseLifecycleEvent(requiredEnv('LIFECYCLE_EVENT'), 'LIFECYCLE_EVENT'),
    policyRef: { bucket: requiredEnv('POLICY_BUCKET'), key: requiredEnv('POLICY_KEY') },
    deployments: new CodeDeployDeploymentReader(new CodeDeployClient({})),
    // The trace header (_X_AMZN_TRACE_ID) is read per start: Lambda sets it per invocation.
    starter: new StepFunctionsEvaluationStarter(new SFNClient({}), requiredEnv('STATE_MACHINE_ARN')),
    reporter: new CodeDeployHookReporter(new CodeDeployClient({})),
    now: () => new Date(),
    log: stepLog,
  });
  return wired(event);
};
