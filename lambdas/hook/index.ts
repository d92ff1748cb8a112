import { CodeDeployClient } from '@aws-sdk/client-codedeploy';
import { SFNClient } from '@aws-sdk/client-sfn';
import { S3Client } from '@aws-sdk/client-s3';
import { CodeDeployDeploymentReader, CodeDeployHookReporter } from '../../lib/adapters/aws/codedeploy';
import { StepFunctionsEvaluationStarter } from '../../lib/adapters/aws/step-functions';
import { HOOK_ENVIRONMENT } from '../../lib/evaluation/contracts';
import { parseLambdaRegistrationTarget } from '../../lib/evaluation/appspec';
import { parseEcsTargets } from '../../lib/evaluation/ecs';
import { createConfiguredHookHandler } from '../../lib/evaluation/handlers/hook';
import { parseHostList, parseLifecycleEvent, parseReportSwitches } from '../../lib/evaluation/state';
import { requiredEnv, runtime } from '../shared';

/** CodeDeploy invokes this asynchronously for one lifecycle event. ECS hooks also get the target groups. */
export const handler = createConfiguredHookHandler(
  () => {
    const ecsTargets = process.env[HOOK_ENVIRONMENT.ecsTargets];
    const lambdaTarget = process.env[HOOK_ENVIRONMENT.lambdaTarget];
    const allowedHosts = process.env[HOOK_ENVIRONMENT.smokeAllowedHosts];
    return {
      ...(allowedHosts ? { allowedHosts: parseHostList(JSON.parse(allowedHosts), HOOK_ENVIRONMENT.smokeAllowedHosts) } : {}),
      ...(ecsTargets ? { ecsTargets: parseEcsTargets(ecsTargets, HOOK_ENVIRONMENT.ecsTargets) } : {}),
      ...(lambdaTarget ? { lambdaTarget: parseLambdaRegistrationTarget(lambdaTarget, HOOK_ENVIRONMENT.lambdaTarget) } : {}),
      lifecycleEvent: parseLifecycleEvent(requiredEnv(HOOK_ENVIRONMENT.lifecycleEvent), HOOK_ENVIRONMENT.lifecycleEvent),
      policyRef: { bucket: requiredEnv(HOOK_ENVIRONMENT.policyBucket), key: requiredEnv(HOOK_ENVIRONMENT.policyKey) },
      switches: parseReportSwitches(JSON.parse(requiredEnv(HOOK_ENVIRONMENT.reportSwitches)), HOOK_ENVIRONMENT.reportSwitches),
      deployments: new CodeDeployDeploymentReader(new CodeDeployClient({}), new S3Client({})),
      // The trace header (_X_AMZN_TRACE_ID) is read per start: Lambda sets it per invocation.
      starter: new StepFunctionsEvaluationStarter(new SFNClient({}), requiredEnv(HOOK_ENVIRONMENT.stateMachineArn)),
      reporter: new CodeDeployHookReporter(new CodeDeployClient({})),
      now: () => new Date(),
      log: runtime.log,
    };
  },
  new CodeDeployHookReporter(new CodeDeployClient({})),
  runtime,
);
