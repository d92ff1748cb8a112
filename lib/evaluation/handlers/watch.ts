import { TICK_LOG_MESSAGES } from '../contracts';
import type { PolicyStore } from '../ports';
import { parseEvaluateRequest } from '../state';
import { loadPolicy } from '../steps';
import { watchTick, type WatchDependencies, type WatchTickResult } from '../watch';
import { SILENT_RUNTIME, wrapHandler, type HandlerRuntime } from './runtime';

export interface WatchHandlerDependencies extends WatchDependencies {
  readonly policies: PolicyStore;
  readonly now: () => Date;
}

/** One look at the canary window while CodeDeploy shifts traffic (after the pre-traffic hook reported). */
export function createWatchHandler(deps: WatchHandlerDependencies, runtime: HandlerRuntime = SILENT_RUNTIME) {
  return wrapHandler(runtime, async (event): Promise<WatchTickResult> => {
    const request = parseEvaluateRequest(event);
    runtime.log.setCorrelationId(request.input.deploymentId);
    const policy = await loadPolicy(deps.policies, request.input);
    const tick = await watchTick(request, policy, deps, deps.now());
    runtime.log.info(TICK_LOG_MESSAGES.watch, { ...tick });
    return tick;
  });
}
