import { parseReaperStatus, reportSwitchesOf, type ReaperEvent } from './conclude';
import { PUBLICATION_GRACE_SECONDS, PUBLICATION_RETRY_SECONDS, SWEEP_LOOKBACK_SECONDS } from './contracts';
import type { EndedExecution, PendingPublication, PublicationLedger } from './ports';
import { publishAndNotify, type PublishDependencies } from './publication';

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
  return { pending: records.length, givenUp, published, failures };
}
