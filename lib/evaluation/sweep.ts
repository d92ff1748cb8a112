import { parseReaperStatus, type ReaperEvent } from './conclude';
import { SWEEP_LOOKBACK_SECONDS } from './contracts';
import type { EndedExecution } from './ports';

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
