import { CodeDeployClient } from '@aws-sdk/client-codedeploy';
import { SFNClient } from '@aws-sdk/client-sfn';
import { S3Client } from '@aws-sdk/client-s3';
import { CodeDeployDeploymentReader, CodeDeployHookReporter } from '../../lib/adapters/aws/codedeploy';
import { StepFunctionsEvaluationStarter } from '../../lib/adapters/aws/step-functions';
import { HOOK_ENVIRONMENT } from '../../lib/evaluation/contracts';
import { parseLambdaRegistrationTarget } from '../../lib/evaluation/appspec';
import { parseEcsTargets } from '../../lib/evaluation/ecs';
import { createConfiguredHookHandler } from '../../lib/evaluation/handlers/hook';
import { parseHostList, parseLifecycleEvent, parseOverrideSettings, parseReportSwitches } from '../../lib/evaluation/state';
import { requiredEnv, runtime, traced, tracing } from '../shared';

/** CodeDeploy invokes this asynchronously for one lifecycle event. ECS hooks also get the target groups. */
export const handler = createConfiguredHookHandler(
  () => {
    const ecsTargets = process.env[HOOK_ENVIRONMENT.ecsTargets];
    const lambdaTarget = process.env[HOOK_ENVIRONMENT.lambdaTarget];
    const allowedHosts = process.env[HOOK_ENVIRONMENT.smokeAllowedHosts];
    const override = process.env[HOOK_ENVIRONMENT.overrideSettings];
    return {
      ...(override ? { override: parseOverrideSettings(JSON.parse(override), HOOK_ENVIRONMENT.overrideSettings) } : {}),
      ...(allowedHosts ? { allowedHosts: parseHostList(JSON.parse(allowedHosts), HOOK_ENVIRONMENT.smokeAllowedHosts) } : {}),
      ...(ecsTargets ? { ecsTargets: parseEcsTargets(ecsTargets, HOOK_ENVIRONMENT.ecsTargets) } : {}),
      ...(lambdaTarget ? { lambdaTarget: parseLambdaRegistrationTarget(lambdaTarget, HOOK_ENVIRONMENT.lambdaTarget) } : {}),
      lifecycleEvent: parseLifecycleEvent(requiredEnv(HOOK_ENVIRONMENT.lifecycleEvent), HOOK_ENVIRONMENT.lifecycleEvent),
      policyRef: { bucket: requiredEnv(HOOK_ENVIRONMENT.policyBucket), key: requiredEnv(HOOK_ENVIRONMENT.policyKey) },
      switches: parseReportSwitches(JSON.parse(requiredEnv(HOOK_ENVIRONMENT.reportSwitches)), HOOK_ENVIRONMENT.reportSwitches),
      deployments: new CodeDeployDeploymentReader(traced(new CodeDeployClient({})), traced(new S3Client({}))),
      // The state machine continues the hook's trace (StartExecution's X-Amzn-Trace-Id, else this traceHeader).
      starter: new StepFunctionsEvaluationStarter(traced(new SFNClient({})), requiredEnv(HOOK_ENVIRONMENT.stateMachineArn), () => tracing.traceHeader()),
      reporter: new CodeDeployHookReporter(traced(new CodeDeployClient({}))),
      now: () => new Date(),
      log: runtime.log,
    };
  },
  new CodeDeployHookReporter(traced(new CodeDeployClient({}))),
  runtime,
);
