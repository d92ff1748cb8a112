import { S3Client } from '@aws-sdk/client-s3';
import { SFNClient } from '@aws-sdk/client-sfn';
import { S3HookStatusStore } from '../../lib/adapters/aws/s3-hook-status-store';
import { StepFunctionsEvaluationStarter, StepFunctionsEvaluationTracker } from '../../lib/adapters/aws/step-functions';
import { parseEcsTargets } from '../../lib/evaluation/ecs';
import { ECS_HOOK_ENVIRONMENT, parseEcsHookTimeout, parseEcsNativeService } from '../../lib/evaluation/ecs-native/contract';
import { createConfiguredEcsHookHandler } from '../../lib/evaluation/ecs-native/handler';
import { parseHostList, parseOverrideSettings, parseReportSwitches } from '../../lib/evaluation/state';
import { requiredEnv, runtime, traced, tracing } from '../shared';

/** ECS invokes this synchronously at each registered lifecycle stage, and again after each IN_PROGRESS. */
export const handler = createConfiguredEcsHookHandler(() => {
  const allowedHosts = process.env[ECS_HOOK_ENVIRONMENT.smokeAllowedHosts];
  const stateMachineArn = requiredEnv(ECS_HOOK_ENVIRONMENT.stateMachineArn);
  const sfn = traced(new SFNClient({}));
  const override = process.env[ECS_HOOK_ENVIRONMENT.overrideSettings];
  return {
    ...(override ? { override: parseOverrideSettings(JSON.parse(override), ECS_HOOK_ENVIRONMENT.overrideSettings) } : {}),
    ...(allowedHosts ? { allowedHosts: parseHostList(JSON.parse(allowedHosts), ECS_HOOK_ENVIRONMENT.smokeAllowedHosts) } : {}),
    policyRef: { bucket: requiredEnv(ECS_HOOK_ENVIRONMENT.policyBucket), key: requiredEnv(ECS_HOOK_ENVIRONMENT.policyKey) },
    switches: parseReportSwitches(JSON.parse(requiredEnv(ECS_HOOK_ENVIRONMENT.reportSwitches)), ECS_HOOK_ENVIRONMENT.reportSwitches),
    ecsTargets: parseEcsTargets(requiredEnv(ECS_HOOK_ENVIRONMENT.ecsTargets), ECS_HOOK_ENVIRONMENT.ecsTargets),
    service: parseEcsNativeService(requiredEnv(ECS_HOOK_ENVIRONMENT.service)),
    hookTimeout: parseEcsHookTimeout(requiredEnv(ECS_HOOK_ENVIRONMENT.hookTimeout)),
    // The state machine continues the hook's trace (StartExecution's X-Amzn-Trace-Id, else this traceHeader).
    starter: new StepFunctionsEvaluationStarter(sfn, stateMachineArn, () => tracing.traceHeader()),
    executions: new StepFunctionsEvaluationTracker(sfn, stateMachineArn),
    statuses: new S3HookStatusStore(traced(new S3Client({})), requiredEnv(ECS_HOOK_ENVIRONMENT.reportBucket)),
    now: () => new Date(),
    log: runtime.log,
  };
}, runtime);
