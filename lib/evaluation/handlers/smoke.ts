import { smokeHostProblem } from '../../policy/smoke-safety';
import type { FunctionInvoker, HttpClient, PolicyStore, SecretResolver } from '../ports';
import { runSmokeTests, smokeTestsFor, type SmokeSummary } from '../smoke';
import { parseSmokeRequest } from '../state';
import { loadPolicy, workflowSettings } from '../policy-loading';
import { SILENT_RUNTIME, wrapHandler, type HandlerRuntime } from './runtime';

export interface SmokeDependencies {
  readonly policies: PolicyStore;
  readonly invoker: FunctionInvoker;
  readonly http: HttpClient;
  readonly stopwatch: () => number;
  /** Reads header secrets. @default - a test whose headers name a secret fails, saying it cannot be read */
  readonly secrets?: SecretResolver;
}

/** Runs the policy's smoke tests of one phase against the new version; returns a small summary for state. */
export function createSmokeHandler(deps: SmokeDependencies, runtime: HandlerRuntime = SILENT_RUNTIME) {
  return wrapHandler(runtime, async (event): Promise<SmokeSummary> => {
    const request = parseSmokeRequest(event);
    runtime.log.setCorrelationId(request.input.deploymentId);
    const policy = await loadPolicy(deps.policies, request.input);
    const settings = workflowSettings(policy);
    const tests = smokeTestsFor(settings.smokeTests, request.phase);
    // The registration's hosts only (none when the input names none); loopback and link-local never.
    const allowedHosts = request.input.allowedHosts ?? [];
    const hostProblem = (host: string) => smokeHostProblem(host, allowedHosts);
    const { summary, results } = await runSmokeTests(tests, request.input.target, { ...deps, hostProblem, concurrency: settings.smokeTestConcurrency });
    for (const result of results) runtime.telemetry.milliseconds('SmokeTestLatency', result.latencyMs);
    runtime.telemetry.count('SmokeTestsFailed', summary.failed);
    runtime.log.info('smoke tests', { phase: request.phase, passed: summary.passed, results });
    return summary;
  });
}
