import { handleHookEvent, parseHookEvent, type HookDependencies } from '../hook';
import type { HookReporter } from '../ports';
import { SILENT_RUNTIME, wrapHandler, type HandlerRuntime } from './runtime';

/** The hook handler with its dependencies injected (tests and the local simulation bind their own). */
export function createHookHandler(deps: HookDependencies, runtime: HandlerRuntime = SILENT_RUNTIME) {
  return wrapHandler(runtime, async (event) => {
    const deploymentId = (event as { DeploymentId?: unknown } | null)?.DeploymentId;
    if (typeof deploymentId === 'string') runtime.log.setCorrelationId(deploymentId);
    return handleHookEvent(event, deps);
  });
}

/**
 * Wires the handler from the environment; if that fails (a mis-deployed function), the hook is still
 * reported when the event names it: an unreported hook holds the deployment for an hour. The switches
 * are part of what could not be read, so this one report is fail-closed (`Failed`).
 */
export function createConfiguredHookHandler(configure: () => HookDependencies, fallbackReporter: HookReporter, runtime: HandlerRuntime = SILENT_RUNTIME) {
  let wired: ReturnType<typeof createHookHandler> | undefined;
  return async (event: unknown, context?: unknown) => {
    try {
      wired ??= createHookHandler(configure(), runtime);
    } catch (error) {
      const ids = parseHookEvent(event);
      runtime.log.error('hook function is misconfigured; reporting the hook Failed', { error: (error as Error).message, event });
      if ('problems' in ids) return { outcome: 'invalid-event' as const, reason: ids.problems };
      await fallbackReporter.report(ids, 'Failed');
      return { outcome: 'reported' as const, status: 'Failed' as const, reason: `hook function is misconfigured: ${(error as Error).message}` };
    }
    return wired(event, context);
  };
}
