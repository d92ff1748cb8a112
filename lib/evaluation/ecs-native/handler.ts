import { SILENT_RUNTIME, wrapHandler, type HandlerRuntime } from '../handlers/runtime';
import type { EcsHookResponse } from './contract';
import { handleEcsHookEvent, type EcsHookDependencies } from './hook';

/** The ECS hook handler with its dependencies injected (tests and the local simulation bind their own). Returns what ECS reads. */
export function createEcsHookHandler(deps: EcsHookDependencies, runtime: HandlerRuntime = SILENT_RUNTIME) {
  return wrapHandler(runtime, async (event): Promise<EcsHookResponse> => {
    const resourceArn = (event as { resourceArn?: unknown } | null)?.resourceArn;
    if (typeof resourceArn === 'string') runtime.log.setCorrelationId(resourceArn);
    const answer = await handleEcsHookEvent(event, deps);
    runtime.log.info('ecs hook answer', { hookStatus: answer.response.hookStatus, reason: answer.reason, evaluationId: answer.evaluationId, started: answer.started });
    runtime.telemetry.count(answer.response.hookStatus === 'IN_PROGRESS' ? 'EcsHookInProgress' : answer.response.hookStatus === 'SUCCEEDED' ? 'HooksSucceeded' : 'HooksFailed', 1);
    return answer.response;
  });
}

/**
 * Wires the handler from the environment; if that fails (a mis-deployed function), every invocation is
 * answered FAILED: the switches are part of what could not be read, so fail closed, and a function that
 * threw would roll back all the same, without saying why.
 */
export function createConfiguredEcsHookHandler(configure: () => EcsHookDependencies, runtime: HandlerRuntime = SILENT_RUNTIME) {
  let wired: ReturnType<typeof createEcsHookHandler> | undefined;
  return async (event: unknown, context?: unknown): Promise<EcsHookResponse> => {
    try {
      wired ??= createEcsHookHandler(configure(), runtime);
    } catch (error) {
      runtime.log.error('ECS hook function is misconfigured; answering FAILED', { error: (error as Error).message, event });
      return { hookStatus: 'FAILED' };
    }
    return wired(event, context);
  };
}
