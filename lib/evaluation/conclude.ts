import { object, oneOf, StateError, string, type Json } from './check';
import type { HookIds, HookReporter, HookStatus, PolicyRef, VerdictEvent, VerdictSink, VerdictSubject } from './ports';
import { parseEvaluationPlan, parseOutcome, type Cause, type EvaluationPlan, type OnEvaluatorError, type Outcome } from './state';

/** The policy switches that turn an outcome into a hook status. Defaults: fail-closed, no dry run. */
export interface ReportSwitches {
  readonly dryRun: boolean;
  readonly onEvaluatorError: OnEvaluatorError;
}

export const DEFAULT_SWITCHES: ReportSwitches = { dryRun: false, onEvaluatorError: 'fail' };

/** `dryRun` always reports `Succeeded`; an evaluator error reports what `onEvaluatorError` says. */
export function hookStatusFor(outcome: Outcome, switches: ReportSwitches): HookStatus {
  if (switches.dryRun) return 'Succeeded';
  if (outcome.decision === 'error') return switches.onEvaluatorError === 'pass' ? 'Succeeded' : 'Failed';
  return outcome.decision === 'pass' ? 'Succeeded' : 'Failed';
}

/** Everything one report needs, whichever path produced it (the state machine or the reaper). */
export interface ReportRequest {
  readonly source: 'state-machine' | 'reaper';
  readonly ids: HookIds;
  readonly subject: VerdictSubject;
  readonly hookInvokedAt?: string;
  readonly policyRef?: PolicyRef;
  readonly outcome: Outcome;
  /** Known when the plan was made; the reaper loads them from the policy (default: fail-closed). */
  readonly switches?: ReportSwitches;
  readonly verdict?: unknown;
}

/** The event EventBridge sends the reaper (Step Functions Developer Guide, "Step Functions events": Execution Status Change). */
export const EXECUTION_STATUS_CHANGE = 'Step Functions Execution Status Change';
const REAPED_STATUSES = { FAILED: 'execution-failed', TIMED_OUT: 'execution-timed-out', ABORTED: 'execution-aborted' } as const;

/**
 * Reads the execution input leniently: an evaluator error must be reportable even when the input is
 * not what the evaluator expects, as long as the hook ids are there.
 */
function idsAndSubject(value: unknown, path: string): Pick<ReportRequest, 'ids' | 'subject' | 'hookInvokedAt' | 'policyRef'> {
  const input = object(value, path);
  const ids = { deploymentId: string(input.deploymentId, `${path}.deploymentId`), lifecycleEventHookExecutionId: string(input.lifecycleEventHookExecutionId, `${path}.lifecycleEventHookExecutionId`) };
  const text = (key: string) => (typeof input[key] === 'string' ? (input[key] as string) : 'unknown');
  const ref = input.policyRef as Json | undefined;
  const policyRef = ref && typeof ref.bucket === 'string' && typeof ref.key === 'string' ? { bucket: ref.bucket, key: ref.key } : undefined;
  return {
    ids,
    subject: { deploymentId: ids.deploymentId, applicationName: text('applicationName'), deploymentGroupName: text('deploymentGroupName'), lifecycleEvent: text('lifecycleEvent') },
    hookInvokedAt: typeof input.hookInvokedAt === 'string' ? input.hookInvokedAt : undefined,
    policyRef,
  };
}

function switchesOf(plan: unknown): ReportSwitches | undefined {
  try {
    const parsed: EvaluationPlan = parseEvaluationPlan(plan);
    return { dryRun: parsed.dryRun, onEvaluatorError: parsed.onEvaluatorError };
  } catch {
    return undefined;
  }
}

function errorReason(error: unknown): string {
  const value = typeof error === 'object' && error !== null ? (error as Json) : {};
  const name = typeof value.Error === 'string' ? value.Error : 'UnknownError';
  const cause = typeof value.Cause === 'string' ? value.Cause : '';
  // Lambda errors arrive as a JSON Cause ({"errorMessage": …}); keep the message only.
  let message = cause;
  try {
    const parsed = JSON.parse(cause) as Json;
    if (typeof parsed.errorMessage === 'string') message = parsed.errorMessage;
  } catch {
    // not JSON: use as is
  }
  return `${name}${message ? `: ${message.slice(0, 500)}` : ''}`;
}

/**
 * Parses what the report Lambda receives:
 * - `{ mode: "verdict", execution, state }` from the state machine's report state (`state.outcome` says what happened);
 * - `{ mode: "error", execution, state }` from every Catch (`state.error` is the caught error, `state.plan` may hold the switches);
 * An EventBridge `Step Functions Execution Status Change` event (the reaper) gives `undefined`: see `parseReaperEvent`.
 */
export function parseReportRequest(event: unknown): ReportRequest | undefined {
  const body = object(event, 'event');
  if (body['detail-type'] === EXECUTION_STATUS_CHANGE) return undefined; // handled by parseReaperEvent (needs I/O)
  const mode = oneOf(body.mode, ['verdict', 'error'] as const, 'mode');
  const state = object(body.state ?? {}, 'state');
  const base = idsAndSubject(body.execution, 'execution');
  if (mode === 'error') {
    const outcome: Outcome = { decision: 'error', cause: 'evaluator-error', reason: `evaluator error: ${errorReason(state.error)}` };
    return { source: 'state-machine', ...base, outcome, switches: switchesOf(state.plan) ?? DEFAULT_SWITCHES };
  }
  const parsed = parseOutcome(state.outcome);
  const tick = typeof state.tick === 'object' && state.tick !== null ? (state.tick as Json) : undefined;
  const smoke = typeof state.smoke === 'object' && state.smoke !== null ? (state.smoke as Json) : undefined;
  const verdict = parsed.cause === 'verdict' ? tick?.verdict : undefined;
  // The outcome states are constants; the reason comes from the step that decided.
  const reason =
    parsed.reason ||
    (parsed.cause === 'verdict'
      ? [tick?.reason, smoke?.reason].filter((r) => typeof r === 'string').join('; ') || 'no verdict reason'
      : typeof smoke?.reason === 'string'
        ? smoke.reason
        : 'no smoke tests in this phase');
  const outcome: Outcome = { ...parsed, reason };
  const switches = switchesOf(state.plan);
  if (!switches) {
    // A verdict without a plan cannot happen in the definition; fail closed rather than guess.
    return { source: 'state-machine', ...base, outcome: { decision: 'error', cause: 'evaluator-error', reason: 'evaluator error: state.plan is missing or malformed' }, switches: DEFAULT_SWITCHES };
  }
  return { source: 'state-machine', ...base, outcome, switches, verdict };
}

/** The reaper's part: which execution ended how, and its input (from the event, or `DescribeExecution`). */
export interface ReaperEvent {
  readonly status: keyof typeof REAPED_STATUSES;
  readonly executionArn: string;
  readonly input?: string;
  readonly error?: string;
  readonly cause?: string;
}

export function parseReaperEvent(event: unknown): ReaperEvent | undefined {
  const body = object(event, 'event');
  if (body['detail-type'] !== EXECUTION_STATUS_CHANGE) return undefined;
  const detail = object(body.detail, 'event.detail');
  if (typeof detail.status !== 'string' || !(detail.status in REAPED_STATUSES)) return undefined;
  return {
    status: detail.status as ReaperEvent['status'],
    executionArn: string(detail.executionArn, 'event.detail.executionArn'),
    input: typeof detail.input === 'string' ? detail.input : undefined,
    error: typeof detail.error === 'string' ? detail.error : undefined,
    cause: typeof detail.cause === 'string' ? detail.cause : undefined,
  };
}

export function reaperReportRequest(event: ReaperEvent, input: string): ReportRequest {
  let parsed: unknown;
  try {
    parsed = JSON.parse(input);
  } catch (error) {
    throw new StateError(`execution ${event.executionArn}: its input is not JSON (${(error as Error).message}); its hook cannot be reported from it`);
  }
  const base = idsAndSubject(parsed, `execution ${event.executionArn} input`);
  const cause: Cause = REAPED_STATUSES[event.status];
  const detail = [event.error, event.cause].filter(Boolean).join(': ');
  const reason = `evaluation execution ${event.status.toLowerCase().replace('_', ' ')}${detail ? ` (${detail.slice(0, 300)})` : ''}; reported by the reaper`;
  return { source: 'reaper', ...base, outcome: { decision: 'error', cause, reason } };
}

/** Switches from a stored policy; any problem reading it means the fail-closed defaults. */
export function switchesFromPolicy(document: unknown): ReportSwitches {
  const policy = typeof document === 'object' && document !== null ? (document as Json) : {};
  return {
    dryRun: policy.dryRun === true,
    onEvaluatorError: policy.onEvaluatorError === 'pass' ? 'pass' : 'fail',
  };
}

export interface ConcludeDependencies {
  readonly reporter: HookReporter;
  readonly sink: VerdictSink;
  readonly now: () => Date;
  readonly log: { info(message: string, details: Record<string, unknown>): void; error(message: string, details: Record<string, unknown>): void };
}

/**
 * The one reporting code path (state machine and reaper): turn the outcome into a status, report it
 * once (a hook already reported counts as done), then publish the explained verdict and log the decision.
 * Publishing is best effort: it never turns a made report into a failure that would be retried.
 */
export async function conclude(request: ReportRequest, deps: ConcludeDependencies): Promise<{ status: HookStatus; result: 'reported' | 'already-completed' }> {
  const switches = request.switches ?? DEFAULT_SWITCHES;
  const status = hookStatusFor(request.outcome, switches);
  const result = await deps.reporter.report(request.ids, status);
  const invokedAt = request.hookInvokedAt ? Date.parse(request.hookInvokedAt) : NaN;
  const event: VerdictEvent = {
    ...request.subject,
    status,
    decision: request.outcome.decision,
    cause: request.outcome.cause,
    reason: request.outcome.reason,
    dryRun: switches.dryRun,
    timeToVerdictSeconds: Number.isFinite(invokedAt) ? Math.max(0, Math.round((deps.now().getTime() - invokedAt) / 1000)) : 0,
    ...(request.verdict !== undefined ? { verdict: request.verdict } : {}),
  };
  deps.log.info('hook verdict', { ...event, verdict: undefined, result, source: request.source, switches });
  // The reaper publishes only when it made the report: otherwise the state machine already did.
  if (result === 'reported' || request.source === 'state-machine') {
    try {
      await deps.sink.publishVerdict(event);
    } catch (error) {
      deps.log.error('could not publish the verdict', { error: (error as Error).message });
    }
  }
  return { status, result };
}
