import { createEvaluateHandler } from '../../lambdas/evaluate';
import { createHookHandler } from '../../lambdas/hook';
import { createPrepareHandler } from '../../lambdas/prepare';
import { createReportHandler } from '../../lambdas/report';
import { STATE } from '../constructs/evaluation-definition';
import type { DeploymentInfo, EvaluationInput, HookIds, HookStatus, MetricSource, TickResult } from '../evaluation';
import type { Policy } from '../policy';
import { VirtualClock } from './clock';
import { runLocally, type LocalRunResult } from './run-local';

/** What a simulated deployment ended with: what CodeDeploy heard, and the verdict timeline. */
export interface SimulatedDeploymentResult {
  readonly reports: ReadonlyArray<{ readonly status: HookStatus; readonly at: Date }>;
  readonly ticks: ReadonlyArray<{ readonly at: Date; readonly tick: TickResult }>;
  readonly execution: LocalRunResult;
}

export interface SimulatedDeployment {
  readonly deploymentId: string;
  readonly policy: Policy;
  readonly metrics: MetricSource;
  readonly start: Date;
  /** The AppSpec CodeDeploy would hold for this deployment. */
  readonly appSpec: { readonly functionName: string; readonly alias: string; readonly currentVersion: string; readonly targetVersion: string };
  readonly lifecycleEvent?: 'BeforeAllowTraffic' | 'AfterAllowTraffic';
}

/**
 * Runs one hook end to end, locally: the real hook handler receives the CodeDeploy event, the
 * synthesized state machine runs with the real prepare/evaluate/report handlers bound to simulated
 * adapters, and time passes only on the virtual clock.
 */
export async function simulateDeployment(definition: Record<string, unknown>, deployment: SimulatedDeployment): Promise<SimulatedDeploymentResult> {
  const clock = new VirtualClock(deployment.start);
  const lifecycleEvent = deployment.lifecycleEvent ?? 'AfterAllowTraffic';
  const reports: Array<{ status: HookStatus; at: Date }> = [];
  const ticks: Array<{ at: Date; tick: TickResult }> = [];
  const reporter = {
    async report(_ids: HookIds, status: HookStatus) {
      if (reports.length > 0) return 'already-completed' as const;
      reports.push({ status, at: clock.now() });
      return 'reported' as const;
    },
  };
  const policies = { load: async () => deployment.policy };
  const { functionName, alias, currentVersion, targetVersion } = deployment.appSpec;
  const deploymentInfo: DeploymentInfo = {
    deploymentId: deployment.deploymentId,
    applicationName: 'demo-app',
    deploymentGroupName: 'demo-group',
    creator: 'user',
    appSpecContent: JSON.stringify({
      version: 0.0,
      Resources: [{ service: { Type: 'AWS::Lambda::Function', Properties: { Name: functionName, Alias: alias, CurrentVersion: currentVersion, TargetVersion: targetVersion } } }],
    }),
  };

  let executionInput: EvaluationInput | undefined;
  const hook = createHookHandler({
    lifecycleEvent,
    policyRef: { bucket: 'simulated', key: `${deployment.deploymentId}.json` },
    deployments: { readDeployment: async () => deploymentInfo },
    starter: {
      async start(_name, input) {
        if (executionInput) return 'already-exists';
        executionInput = input as EvaluationInput;
        return 'started';
      },
    },
    reporter,
    now: () => clock.now(),
    log: { info: () => undefined, error: () => undefined },
  });
  await hook({ DeploymentId: deployment.deploymentId, LifecycleEventHookExecutionId: `hook-${deployment.deploymentId}` });
  if (!executionInput) {
    return { reports, ticks, execution: { status: 'FAILED', error: 'the hook did not start an evaluation', statesEntered: [] } };
  }

  const evaluate = createEvaluateHandler({ policies, metrics: deployment.metrics, now: () => clock.now() });
  let pendingWait = 0;
  const report = createReportHandler({ reporter });
  const execution = await runLocally(definition, executionInput, {
    [STATE.prepare]: createPrepareHandler({ policies }),
    [STATE.evaluate]: async (input) => {
      // The Wait state before this tick lasted `waitSeconds` of the previous tick.
      clock.advance(pendingWait);
      const tick = await evaluate(input);
      pendingWait = tick.waitSeconds;
      ticks.push({ at: clock.now(), tick });
      return tick;
    },
    [STATE.report]: report,
    [STATE.reportError]: report,
  });
  return { reports, ticks, execution };
}
