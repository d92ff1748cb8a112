import { conclude, parsePublishRequest, parseReaperEvent, parseReportRequest, publishAccepted, reaperReportRequest, type ConcludeResult, type ReportRequest } from '../conclude';
import type { ExecutionInputReader, HookReporter, VerdictSink } from '../ports';
import { SILENT_RUNTIME, wrapHandler, type HandlerRuntime } from './runtime';

export interface ReportDependencies {
  readonly reporter: HookReporter;
  readonly sink: VerdictSink;
  readonly executions: ExecutionInputReader;
  readonly now: () => Date;
}

export type ReportResult = ConcludeResult | { published: boolean } | { ignored: string };

/**
 * The one reporting code path. Called by the state machine (verdict, or any caught error) and, as the
 * reaper, by EventBridge when an execution FAILED, TIMED_OUT or was ABORTED: a hook is reported once
 * whichever comes first, the other finds it already completed.
 */
export function createReportHandler(deps: ReportDependencies, runtime: HandlerRuntime = SILENT_RUNTIME) {
  return wrapHandler(runtime, async (event): Promise<ReportResult> => {
    // The state machine's publish states: the verdict event of a report CodeDeploy accepted, published once.
    const publish = parsePublishRequest(event);
    if (publish) return publishAccepted(publish, deps.sink);
    const request = (await reaperRequest(event, deps)) ?? parseReportRequest(event);
    if (!request) return { ignored: 'not an execution status this reaper handles' };
    runtime.log.setCorrelationId(request.ids.deploymentId);
    const result = await conclude(request, { reporter: deps.reporter, sink: deps.sink, now: deps.now, log: runtime.log });
    runtime.telemetry.count(result.status === 'Succeeded' ? 'HooksSucceeded' : 'HooksFailed', 1);
    return result;
  });
}

/** The reaper's request: the ended execution's input (from the event, or `DescribeExecution`), whose switches it reports under. */
async function reaperRequest(event: unknown, deps: ReportDependencies): Promise<ReportRequest | undefined> {
  const reaped = parseReaperEvent(event);
  if (!reaped) return undefined;
  const input = reaped.input ?? (await deps.executions.readInput(reaped.executionArn));
  if (!input) throw new Error(`execution ${reaped.executionArn} has no input; its hook cannot be reported`);
  return reaperReportRequest(reaped, input);
}
