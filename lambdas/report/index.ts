import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { CodeDeployClient } from '@aws-sdk/client-codedeploy';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { S3Client } from '@aws-sdk/client-s3';
import { SFNClient } from '@aws-sdk/client-sfn';
import { CodeDeployHookReporter } from '../../lib/adapters/aws/codedeploy';
import { S3PolicyStore } from '../../lib/adapters/aws/s3-policy-store';
import { StepFunctionsExecutionInputReader } from '../../lib/adapters/aws/step-functions';
import { AwsVerdictSink } from '../../lib/adapters/aws/verdict-sink';
import { conclude, DEFAULT_SWITCHES, parsePublishRequest, parseReaperEvent, parseReportRequest, publishAccepted, reaperReportRequest, switchesFromPolicy, type ConcludeResult, type ReportRequest } from '../../lib/evaluation/conclude';
import { type ExecutionInputReader, type HookReporter, type PolicyStore, type VerdictSink } from '../../lib/evaluation/ports';
import { logger, NO_TELEMETRY, powertoolsTelemetry, stepLog, type Telemetry } from '../shared';

export interface ReportDependencies {
  readonly reporter: HookReporter;
  readonly sink: VerdictSink;
  readonly policies: PolicyStore;
  readonly executions: ExecutionInputReader;
  readonly now: () => Date;
  readonly telemetry?: Telemetry;
}

export type ReportResult = ConcludeResult | { published: boolean } | { ignored: string };

/**
 * The one reporting code path. Called by the state machine (verdict, or any caught error) and, as the
 * reaper, by EventBridge when an execution FAILED, TIMED_OUT or was ABORTED: a hook is reported once
 * whichever comes first, the other finds it already completed.
 */
export function createReportHandler(deps: ReportDependencies) {
  const telemetry = deps.telemetry ?? NO_TELEMETRY;
  return async (event: unknown): Promise<ReportResult> => {
    const publish = parsePublishRequest(event);
    if (publish) return publishAccepted(publish, deps.sink);
    const request = (await reaperRequest(event, deps)) ?? parseReportRequest(event);
    if (!request) return { ignored: 'not an execution status this reaper handles' };
    logger.setCorrelationId(request.ids.deploymentId);
    const result = await conclude(request, { reporter: deps.reporter, sink: deps.sink, now: deps.now, log: stepLog });
    telemetry.count(result.status === 'Succeeded' ? 'HooksSucceeded' : 'HooksFailed', 1);
    telemetry.flush();
    return result;
  };
}

async function reaperRequest(event: unknown, deps: ReportDependencies): Promise<ReportRequest | undefined> {
  const reaped = parseReaperEvent(event);
  if (!reaped) return undefined;
  const input = reaped.input ?? (await deps.executions.readInput(reaped.executionArn));
  if (!input) throw new Error(`execution ${reaped.executionArn} has no input; its hook cannot be reported`);
  const request = reaperReportRequest(reaped, input);
  let switches = DEFAULT_SWITCHES;
  if (request.policyRef) {
    try {
      switches = switchesFromPolicy(await deps.policies.load(request.policyRef));
    } catch (error) {
      // Fail closed: without the policy, onEvaluatorError is its default, fail.
      logger.error('reaper could not read the policy; reporting with the defaults', { error: (error as Error).message });
    }
  }
  return { ...request, switches };
}

let wired: ReturnType<typeof createReportHandler> | undefined;

export const handler = async (event: unknown) => {
  wired ??= (() => {
    const cloudwatch = new CloudWatchClient({});
    return createReportHandler({
      reporter: new CodeDeployHookReporter(new CodeDeployClient({})),
      sink: new AwsVerdictSink(cloudwatch, new EventBridgeClient({})),
      policies: new S3PolicyStore(new S3Client({})),
      executions: new StepFunctionsExecutionInputReader(new SFNClient({})),
      now: () => new Date(),
      telemetry: powertoolsTelemetry(),
    });
  })();
  return wired(event);
};
