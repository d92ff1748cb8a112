import { parseReaperStatus, reaperVerdictEvent, reportSwitchesOf, type ReaperEvent } from './conclude';
import { PUBLICATION_GRACE_SECONDS, PUBLICATION_RETRY_SECONDS, REPORT_FUNCTION_TIMEOUT_SECONDS, SWEEP_LOOKBACK_SECONDS } from './contracts';
import type { EndedExecution, ExecutionRecord, ExecutionRecordReader, HookStatusReader, PendingPublication, PublicationLedger, VerdictEvent } from './ports';
import { parseVerdictEvent, publicationKey, publishAndNotify, type PublishDependencies } from './publication';
import { executionName, LIFECYCLE_EVENTS } from './state';

/** The sweep rule's event (`sweepEvent` in contracts.ts): which state machine to sweep. */
export interface SweepRequest {
  readonly stateMachineArn: string;
}

export function parseSweepEvent(event: unknown): SweepRequest | undefined {
  if (typeof event !== 'object' || event === null || !('sweep' in event)) return undefined;
  const sweep = (event as { sweep: unknown }).sweep;
  const arn = typeof sweep === 'object' && sweep !== null ? (sweep as { stateMachineArn?: unknown }).stateMachineArn : undefined;
  if (typeof arn !== 'string' || !arn.startsWith('arn:')) {
    throw new Error(`sweep event: sweep.stateMachineArn must be a state machine ARN, got ${JSON.stringify(arn)}`);
  }
  return { stateMachineArn: arn };
}

/** Where a sweep starts looking: `SWEEP_LOOKBACK_SECONDS` before now. */
export function sweepSince(now: Date, lookbackSeconds = SWEEP_LOOKBACK_SECONDS): Date {
  return new Date(now.getTime() - lookbackSeconds * 1000);
}

/**
 * The executions a sweep reports, as the reaper events that may have been lost: those that ended
 * FAILED, TIMED_OUT or ABORTED since `since`, each once. One whose event did arrive is reported
 * again and found already completed, which counts as done and publishes nothing (`conclude`).
 */
export function executionsToSweep(executions: readonly EndedExecution[], since: Date): ReaperEvent[] {
  const seen = new Set<string>();
  const swept: ReaperEvent[] = [];
  for (const execution of executions) {
    const status = parseReaperStatus(execution.status);
    if (!status || !execution.stopDate || execution.stopDate < since || seen.has(execution.executionArn)) continue;
    seen.add(execution.executionArn);
    swept.push({ status, executionArn: execution.executionArn });
  }
  return swept;
}

/**
 * The pending verdicts a sweep publishes: accepted at least `PUBLICATION_GRACE_SECONDS` ago (the publish
 * Task has made its last attempt), and not more than `PUBLICATION_RETRY_SECONDS` ago.
 */
export function pendingToPublish(records: readonly PendingPublication[], now: Date): PendingPublication[] {
  return records.filter((record) => {
    const age = ageSeconds(record, now);
    return age >= PUBLICATION_GRACE_SECONDS && age <= PUBLICATION_RETRY_SECONDS;
  });
}

function ageSeconds(record: PendingPublication, now: Date): number {
  return (now.getTime() - Date.parse(record.acceptedAt)) / 1000;
}

/** What a sweep of the ledger did: pending verdicts it took up, and the keys it could not finish. */
export interface PendingSweepResult {
  /** Every key the ledger lists pending, due or not: the ledger's sweep owns them. */
  readonly listedKeys: ReadonlySet<string>;
  readonly pending: number;
  /** Pending past `PUBLICATION_RETRY_SECONDS`: given up, left to expire (logged by the sweep). */
  readonly givenUp: number;
  readonly published: number;
  readonly failures: readonly string[];
}

/**
 * Finishes the publication of each pending verdict the publish Task (or the reaper) could not finish:
 * only its steps not marked done (`publishAndNotify`), then completes it. Runs outside the state
 * machine, so a publish Task that fails every attempt loses nothing.
 */
export async function publishPending(deps: PublishDependencies & { readonly ledger: PublicationLedger; readonly now: () => Date }): Promise<PendingSweepResult> {
  const { records: listed, unreadable } = await deps.ledger.listPending();
  const now = deps.now();
  const records = pendingToPublish(listed, now);
  const givenUp = listed.filter((record) => ageSeconds(record, now) > PUBLICATION_RETRY_SECONDS).length;
  let published = 0;
  // A record that cannot be read fails every sweep (the errors alarm) without holding up the others.
  const failures: string[] = unreadable.map((problem) => `unreadable pending record ${problem}`);
  for (const record of records) {
    try {
      await publishAndNotify(record.event, { execution: record.execution, executionArn: record.executionArn, on: reportSwitchesOf(record.execution).notify }, deps);
      published += 1;
    } catch (error) {
      failures.push(`${record.key}: ${(error as Error).message}`);
    }
  }
  return { listedKeys: new Set(listed.map((record) => record.key)), pending: records.length, givenUp, published, failures };
}

/** A verdict an execution's history says CodeDeploy accepted, with what its notification needs. */
export interface AcceptedInExecution {
  readonly event: VerdictEvent;
  /** The execution input (`ExecutionStarted`), for the notification's target and switches. */
  readonly execution?: unknown;
}

/**
 * The verdict the state machine accepted, from its history: the last report state result that
 * reported the hook (or found it completed, `conclude`) and returned an event to publish. None when
 * the state machine accepted none (the hook function or the reaper reported; those publish their own).
 * A malformed event is an error naming the execution and the field.
 */
export function acceptedInRecord(record: ExecutionRecord, executionArn: string): AcceptedInExecution | undefined {
  const accepted = record.reportResults.findLast((result): result is { event: unknown } => {
    const body = typeof result === 'object' && result !== null ? (result as { result?: unknown; event?: unknown }) : {};
    return (body.result === 'reported' || body.result === 'already-completed') && body.event !== undefined && body.event !== null;
  });
  if (!accepted) return undefined;
  const event = parseVerdictEvent(accepted.event, `execution ${executionArn}: report.event`);
  if (event.status === 'NotReported') return undefined;
  let execution: unknown;
  try {
    execution = record.input === undefined ? undefined : JSON.parse(record.input);
  } catch {
    execution = undefined; // the notification then names the deployment only
  }
  return { event, ...(execution !== undefined ? { execution } : {}) };
}

/**
 * The ledger key of an execution's verdict, from its name alone (`executionName`), so a sweep need not
 * read the history of an execution whose publication is marked done. Undefined when the name is not
 * one the hook gives (a hashed or foreign name): the history then says.
 */
export function publicationKeyOfExecution(executionArn: string): string | undefined {
  const name = executionArn.slice(executionArn.lastIndexOf(':') + 1);
  for (const lifecycleEvent of LIFECYCLE_EVENTS) {
    const deploymentId = name.slice(0, -(lifecycleEvent.length + 1));
    if (name.endsWith(`-${lifecycleEvent}`) && deploymentId && executionName(deploymentId, lifecycleEvent) === name) return publicationKey({ deploymentId, lifecycleEvent });
  }
  return undefined;
}

/** What the sweep of the executions did: those it read, the verdicts it published, and what it could not. */
export interface ExecutionSweepResult {
  readonly checked: number;
  readonly published: number;
  readonly failures: readonly string[];
}

export interface ExecutionSweepDependencies extends PublishDependencies {
  readonly ledger: PublicationLedger;
  readonly records: ExecutionRecordReader;
  readonly now: () => Date;
  /** The keys the ledger lists pending: `publishPending` finishes those. */
  readonly pendingKeys: ReadonlySet<string>;
  /** CodeDeploy's status of a hook: a reaper's verdict is rebuilt only when it matches. @default - reaper verdicts are not rebuilt */
  readonly hookStatus?: HookStatusReader;
}

/**
 * An execution that failed, timed out or was aborted before any report state accepted a verdict had its
 * hook reported by the reaper (or the sweep acting as one), which publishes only from the ledger. Past
 * `PUBLICATION_GRACE_SECONDS` (the reaper's own publication is over), its verdict is rebuilt from the
 * execution's status and input, as the reaper made it, and taken only when CodeDeploy holds that status.
 */
async function reaperVerdictOf(execution: EndedExecution, record: ExecutionRecord, deps: ExecutionSweepDependencies): Promise<AcceptedInExecution | undefined> {
  const status = parseReaperStatus(execution.status);
  const graceOver = execution.stopDate && execution.stopDate.getTime() <= deps.now().getTime() - PUBLICATION_GRACE_SECONDS * 1000;
  if (!status || !graceOver || !deps.hookStatus || record.input === undefined) return undefined;
  const event = reaperVerdictEvent({ status, executionArn: execution.executionArn }, record.input, deps.now);
  if ((await deps.hookStatus.readStatus(event.deploymentId, event.lifecycleEvent)) !== event.status) return undefined;
  return { event, execution: JSON.parse(record.input) as unknown };
}

/**
 * Issue 23 item 3: the record that a verdict was accepted must not live only in the ledger. With the
 * ledger down while the report and publish steps ran, no pending record exists and nothing is marked
 * done; the execution's own history still holds the verdict its report step accepted. For each
 * execution that ended at least `REPORT_FUNCTION_TIMEOUT_SECONDS` ago (no publish Task of it still
 * runs) and whose key is neither pending nor has its metrics and event marked done, the verdict is
 * read from the history, recorded pending (so a notification that fails is retried by the ledger's
 * sweep), and its missing steps published (`publishAndNotify`: each step once). A ledger that cannot
 * be read fails that execution (no blind publishing); the next sweeps, within the lookback, retry it.
 */
export async function publishFromExecutions(executions: readonly EndedExecution[], since: Date, deps: ExecutionSweepDependencies): Promise<ExecutionSweepResult> {
  const settled = deps.now().getTime() - REPORT_FUNCTION_TIMEOUT_SECONDS * 1000;
  let checked = 0;
  let published = 0;
  const failures: string[] = [];
  const seen = new Set<string>();
  const finished = async (key: string) => {
    if (deps.pendingKeys.has(key)) return true;
    const done = await deps.ledger.doneSteps(key);
    return done.has('metrics') && done.has('event');
  };
  for (const execution of executions) {
    const { executionArn, stopDate } = execution;
    if (!stopDate || stopDate < since || stopDate.getTime() > settled || seen.has(executionArn)) continue;
    seen.add(executionArn);
    try {
      const named = publicationKeyOfExecution(executionArn);
      if (named && (await finished(named))) continue;
      checked += 1;
      const record = await deps.records.readRecord(executionArn);
      const accepted = acceptedInRecord(record, executionArn) ?? (await reaperVerdictOf(execution, record, deps));
      if (!accepted) continue;
      const key = publicationKey(accepted.event);
      if (key !== named && (await finished(key))) continue;
      const standing = await deps.ledger.recordPending({ key, event: accepted.event, acceptedAt: deps.now().toISOString(), executionArn, ...(accepted.execution !== undefined ? { execution: accepted.execution } : {}) });
      deps.log.error('an accepted verdict was found unpublished in its execution (the ledger held no record of it); publishing it', { key, executionArn });
      await publishAndNotify(standing.event, { execution: standing.execution, executionArn, on: reportSwitchesOf(standing.execution).notify }, deps);
      published += 1;
    } catch (error) {
      failures.push(`${executionArn}: ${(error as Error).message}`);
    }
  }
  return { checked, published, failures };
}
