/**
 * The log signal's state as it travels from one evaluate tick to the next through the state machine
 * (`$.tick.logSignal`): checked where a tick reads it, and kept under a bound so that the execution's
 * state stays far below Step Functions' 256 KB payload limit (Step Functions Developer Guide, "Step
 * Functions service quotas": maximum input or output size for a task, state, or execution, 256 KiB).
 */
import { integer, object, StateError } from '../check';
import { EMPTY_LOG_STATE, type LogSignalState } from './log-look';

/**
 * Most bytes of the carried log state (JSON). The rest of the state is the plan, the execution input
 * and a verdict compacted to ≤ 8 KB (MAX_STATE_VERDICT_BYTES), together well under 64 KB.
 */
export const MAX_CARRIED_LOG_STATE_BYTES = 96 * 1024;

/** `{}` (no log signal yet: "Start bake", or a policy without `logs`) or a LogSignalState. */
export function parseCarriedLogState(value: unknown, path = 'logSignal'): LogSignalState | undefined {
  if (value === undefined) return undefined;
  const state = object(value, path);
  if (Object.keys(state).length === 0) return undefined;
  integer(state.bytesScanned, `${path}.bytesScanned`);
  integer(state.queries, `${path}.queries`);
  for (const field of ['signatures', 'truncatedMinutes', 'problems'] as const) {
    if (!Array.isArray(state[field])) throw new StateError(`${path}.${field}: expected a list, got ${JSON.stringify(state[field])}`);
  }
  object(state.errorsByMinute, `${path}.errorsByMinute`);
  return state as unknown as LogSignalState;
}

/**
 * The state to carry, under MAX_CARRIED_LOG_STATE_BYTES. Known signatures already hold no counts nor
 * samples (log-look.ts), so only a bake with thousands of distinct signatures comes near it. Then the
 * signal stops: it keeps the bytes scanned, forgets the signatures (a forgotten known one would be
 * taken for new later) and says why; its verdict is left undecided (the lookback reads incomplete).
 */
export function boundedLogState(state: LogSignalState, maxBytes = MAX_CARRIED_LOG_STATE_BYTES): LogSignalState {
  if (Buffer.byteLength(JSON.stringify(state)) <= maxBytes) return state;
  const problem = `log signal stopped: ${state.signatures.length} distinct error signatures are more than the state machine can carry (${Math.round(maxBytes / 1024)} KB)`;
  return {
    ...EMPTY_LOG_STATE,
    readUntil: state.readUntil,
    bytesScanned: state.bytesScanned,
    queries: state.queries,
    mostQueriesPerLook: state.mostQueriesPerLook,
    stopped: problem,
    lookback: { complete: false, patterns: [], seconds: 0, problem },
    problems: [...state.problems.slice(-4), problem],
  };
}
