import { LambdaClient } from '@aws-sdk/client-lambda';
import { S3Client } from '@aws-sdk/client-s3';
import { LambdaFunctionInvoker } from '../../lib/adapters/aws/lambda-invoker';
import { S3PolicyStore } from '../../lib/adapters/aws/s3-policy-store';
import { FetchHttpClient } from '../../lib/adapters/http/fetch-client';
import { type FunctionInvoker, type HttpClient, type PolicyStore } from '../../lib/evaluation/ports';
import { runSmokeTests, smokeTestsFor, type SmokeSummary } from '../../lib/evaluation/smoke';
import { parseSmokeRequest } from '../../lib/evaluation/state';
import { loadPolicy, workflowSettings } from '../../lib/evaluation/steps';
import { logger, NO_TELEMETRY, powertoolsTelemetry, type Telemetry } from '../shared';

export interface SmokeDependencies {
  readonly policies: PolicyStore;
  readonly invoker: FunctionInvoker;
  readonly http: HttpClient;
  readonly stopwatch: () => number;
  readonly telemetry?: Telemetry;
}

/** Runs the policy's smoke tests of one phase against the new version; returns a small summary for state. */
export function createSmokeHandler(deps: SmokeDependencies) {
  const telemetry = deps.telemetry ?? NO_TELEMETRY;
  return async (event: unknown): Promise<SmokeSummary> => {
    const request = parseSmokeRequest(event);
    logger.setCorrelationId(request.input.deploymentId);
    const policy = await loadPolicy(deps.policies, request.input);
    const settings = workflowSettings(policy);
    const tests = smokeTestsFor(settings.smokeTests, request.phase);
    const { summary, results } = await runSmokeTests(tests, request.input.target, { ...deps, concurrency: settings.smokeTestConcurrency });
    for (const result of results) telemetry.milliseconds('SmokeTestLatency', result.latencyMs);
    telemetry.count('SmokeTestsFailed', summary.failed);
    logger.info('smoke tests', { phase: request.phase, passed: summary.passed, results });
    telemetry.flush();
    return summary;
  };
}

let wired: ReturnType<typeof createSmokeHandler> | undefined;

export const handler = async (event: unknown) => {
  wired ??= createSmokeHandler({
    policies: new S3PolicyStore(new S3Client({})),
    invoker: new LambdaFunctionInvoker(new LambdaClient({})),
    http: new FetchHttpClient(),
    stopwatch: () => performance.now(),
    telemetry: powertoolsTelemetry(),
  });
  return wired(event);
};
