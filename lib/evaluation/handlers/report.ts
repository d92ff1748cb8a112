import {
  conclude,
  parsePublishRequest,
  parseReaperEvent,
  parseReportRequest,
  publishAccepted,
  reaperReportRequest,
  type ConcludeResult,
  type ReaperEvent,
  type ReportRequest,
} from '../conclude';
import { trackChangeFailures, type ChangeFailureSink, type PromotionStore } from '../change-failures/track';
import type { NotificationChannel } from '../notify';
import type { ReportWriter } from '../stored-report';
import { ENDED_EXECUTION_STATUSES, EXECUTION_PUBLICATION_LOOKBACK_SECONDS, REAPED_EXECUTION_STATUSES } from '../contracts';
import type { EndedExecutionLister, ExecutionInputReader, ExecutionRecordReader, HookReporter, HookStatusReader, PublicationLedger, VerdictSink } from '../ports';
import { parseEvaluationInput } from '../state';
import { executionsToSweep, parseSweepEvent, publishFromExecutions, publishPending, sweepSince, type SweepRequest } from '../sweep';
import { SILENT_RUNTIME, wrapHandler, type HandlerRuntime } from './runtime';

export interface ReportDependencies {
  readonly reporter: HookReporter;
  readonly sink: VerdictSink;
  readonly executions: ExecutionInputReader;
  /** The sweep's `ListExecutions`. */
  readonly endedExecutions: EndedExecutionLister;
  readonly now: () => Date;
  /** The report bucket and renderer. @default - no report is stored */
  readonly reports?: ReportWriter;
  /** The notification topic and the evaluator's default `on`. @default - no notification is sent */
  readonly notifications?: NotificationChannel;
  /** The publication ledger: each verdict's steps once, a failed publish finished by the sweep. @default - none */
  readonly ledger?: PublicationLedger;
  /** The sweep's `GetExecutionHistory`: verdicts the executions accepted, published if the ledger has no record of them. @default - the ledger alone */
  readonly records?: ExecutionRecordReader;
  /** CodeDeploy's status of a hook the state machine finds already completed (`conclude`). @default - none */
  readonly hookStatus?: HookStatusReader;
  /** The last promotion of each group and the `ChangeFailures{Kind=Escaped}` metric (report bucket). @default - escapes are not tracked */
  readonly changeFailures?: { readonly store: PromotionStore; readonly sink: ChangeFailureSink };
}

/**
 * What a sweep did: executions it found ended, and how many of them it reported (the rest were already
 * completed); pending verdicts whose publication it took up, and how many it finished.
 */
export interface SweepResult {
  readonly swept: number;
  readonly reported: number;
  readonly pendingPublications?: number;
  readonly published?: number;
  /** Ended executions whose history was read, and the accepted verdicts found there unpublished and published. */
  readonly executionsRead?: number;
  readonly publishedFromExecutions?: number;
}

export type ReportResult = ConcludeResult | SweepResult | { published: boolean } | { ignored: string };

/**
 * The one reporting code path. Called by the state machine (verdict, or any caught error) and, as the
 * reaper, by EventBridge when an execution FAILED, TIMED_OUT or was ABORTED: a hook is reported once
 * whichever comes first, the other finds it already completed. A schedule sweeps the executions that
 * ended, in case their status event was lost (`lib/evaluation/sweep.ts`).
 */
export function createReportHandler(deps: ReportDependencies, runtime: HandlerRuntime = SILENT_RUNTIME) {
  return wrapHandler(runtime, async (event): Promise<ReportResult> => {
    // The state machine's publish states: the verdict event of a report CodeDeploy accepted, published once.
    const publish = parsePublishRequest(event);
    if (publish) {
      const result = await publishAccepted(publish, publishing(deps, runtime));
      // After the verdict's own publication, so a failure here retries only what is left (the ledger skips the rest).
      if (publish.event && deps.changeFailures) {
        if (publish.execution === undefined) runtime.log.error('a published verdict has no execution input: its deployment is not compared with the last promotion', { deploymentId: publish.event.deploymentId });
        else await trackChangeFailures(parseEvaluationInput(publish.execution, 'execution'), publish.event, { ...deps.changeFailures, log: runtime.log });
      }
      return result;
    }
    const sweep = parseSweepEvent(event);
    if (sweep) return sweepEnded(sweep, deps, runtime);
    const reaped = parseReaperEvent(event);
    const request = reaped ? await reaperRequest(reaped, deps) : parseReportRequest(event);
    if (!request) return { ignored: 'not an execution status this reaper handles' };
    return report(request, deps, runtime);
  });
}

async function report(request: ReportRequest, deps: ReportDependencies, runtime: HandlerRuntime): Promise<ConcludeResult> {
  runtime.log.setCorrelationId(request.ids.deploymentId);
  const result = await conclude(request, { reporter: deps.reporter, now: deps.now, hookStatus: deps.hookStatus, ...publishing(deps, runtime) });
  runtime.telemetry.count(result.status === 'Succeeded' ? 'HooksSucceeded' : 'HooksFailed', 1);
  return result;
}

/** What publishing a verdict needs: the sink, the ledger, its report, its notification, the log and the telemetry. */
function publishing(deps: ReportDependencies, runtime: HandlerRuntime) {
  return { sink: deps.sink, ledger: deps.ledger, log: runtime.log, reports: deps.reports, notifications: deps.notifications, count: (name: string, value: number) => runtime.telemetry.count(name, value) };
}

/**
 * Reports each recently ended execution as the reaper would, then finishes the publication of each
 * verdict left pending (`publishPending`), then publishes the verdicts ended executions accepted that
 * the ledger has no record of (`publishFromExecutions`). One that cannot be reported or published does
 * not stop the others; the sweep then fails (the function's errors alarm), and the next sweeps retry it.
 */
async function sweepEnded(sweep: SweepRequest, deps: ReportDependencies, runtime: HandlerRuntime): Promise<SweepResult> {
  const since = sweepSince(deps.now());
  const readRecords = deps.ledger && deps.records;
  const publicationSince = sweepSince(deps.now(), EXECUTION_PUBLICATION_LOOKBACK_SECONDS);
  // One listing serves both: the reaped statuses within the reaper's lookback, every ended one within the publication lookback.
  const listed = await deps.endedExecutions.listEnded(sweep.stateMachineArn, readRecords ? publicationSince : since, readRecords ? ENDED_EXECUTION_STATUSES : REAPED_EXECUTION_STATUSES);
  const ended = executionsToSweep(listed, since);
  let reported = 0;
  const failures: string[] = [];
  for (const reaped of ended) {
    try {
      const result = await report(await reaperRequest(reaped, deps), deps, runtime);
      if (result.result === 'reported') reported += 1;
    } catch (error) {
      failures.push(`${reaped.executionArn}: ${(error as Error).message}`);
    }
  }
  const publications = deps.ledger ? await publishPending({ ...publishing(deps, runtime), ledger: deps.ledger, now: deps.now }) : undefined;
  const fromExecutions =
    deps.ledger && deps.records && publications
      ? await publishFromExecutions(listed, publicationSince, { ...publishing(deps, runtime), ledger: deps.ledger, records: deps.records, now: deps.now, pendingKeys: publications.listedKeys, hookStatus: deps.hookStatus })
      : undefined;
  runtime.log.info('sweep', {
    swept: ended.length,
    reported,
    failed: failures.length,
    pendingPublications: publications?.pending,
    published: publications?.published,
    publishFailed: publications?.failures.length,
    publicationsGivenUp: publications?.givenUp,
    executionsRead: fromExecutions?.checked,
    publishedFromExecutions: fromExecutions?.published,
  });
  const problems = [
    ...(failures.length > 0 ? [`could not report ${failures.length} of ${ended.length} ended executions: ${failures.join('; ')}`] : []),
    ...(publications && publications.failures.length > 0 ? [`could not finish ${publications.failures.length} pending publication(s) (${publications.pending} due): ${publications.failures.join('; ')}`] : []),
    ...(fromExecutions && fromExecutions.failures.length > 0 ? [`could not check or publish the verdicts of ${fromExecutions.failures.length} ended execution(s): ${fromExecutions.failures.join('; ')}`] : []),
  ];
  if (problems.length > 0) throw new Error(`sweep ${problems.join('; ')}`);
  return {
    swept: ended.length,
    reported,
    ...(publications ? { pendingPublications: publications.pending, published: publications.published } : {}),
    ...(fromExecutions ? { executionsRead: fromExecutions.checked, publishedFromExecutions: fromExecutions.published } : {}),
  };
}

/** The reaper's request: the ended execution's input (from the event, or `DescribeExecution`), whose switches it reports under. */
async function reaperRequest(reaped: ReaperEvent, deps: ReportDependencies): Promise<ReportRequest> {
  const input = reaped.input ?? (await deps.executions.readInput(reaped.executionArn));
  if (!input) throw new Error(`execution ${reaped.executionArn} has no input; its hook cannot be reported`);
  return reaperReportRequest(reaped, input);
}
