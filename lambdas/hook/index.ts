import { CodeDeployClient } from '@aws-sdk/client-codedeploy';
import { SFNClient } from '@aws-sdk/client-sfn';
import { CodeDeployDeploymentReader, CodeDeployHookReporter } from '../../lib/adapters/aws/codedeploy';
import { StepFunctionsEvaluationStarter } from '../../lib/adapters/aws/step-functions';
import { handleHookEvent, lifecycleEventSchema, type HookDependencies } from '../../lib/evaluation';
import { logger, requiredEnv } from '../shared';

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
    lifecycleEvent: lifecycleEventSchema.parse(requiredEnv('LIFECYCLE_EVENT')),
    policyRef: { bucket: requiredEnv('POLICY_BUCKET'), key: requiredEnv('POLICY_KEY') },
    deployments: new CodeDeployDeploymentReader(new CodeDeployClient({})),
    starter: new StepFunctionsEvaluationStarter(new SFNClient({}), requiredEnv('STATE_MACHINE_ARN')),
    reporter: new CodeDeployHookReporter(new CodeDeployClient({})),
    now: () => new Date(),
    log: {
      info: (message, details = {}) => logger.info(message, details),
      error: (message, details = {}) => logger.error(message, details),
    },
  });
  return wired(event);
};
