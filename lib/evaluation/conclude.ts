import type { CostPerRequestFigure } from './verdict-metric';
import type { Policy } from '../policy';
import { POLICY_DEFAULTS } from '../policy/defaults';
import { codeDeployAction } from './action';
import type { NotificationChannel, NotificationSource, NotifyDependencies } from './notify';
import { parseVerdictEvent, publicationKey, publishAndNotify, type PublishDependencies } from './publication';
import type { ReportWriter } from './stored-report';
import { overrideOutcomeOf, overrideWords, type OverrideOutcome } from './override/record';
import { object, oneOf, StateError, string, type Json } from './check';
import { EXECUTION_STATUS_CHANGE, REAPED_EXECUTION_STATUSES } from './contracts';
import type { HookIds, HookReporter, HookStatus, HookStatusReader, PendingPublication, PolicyRef, PublicationLedger, VerdictEvent, VerdictSink, VerdictSubject } from './ports';
import { parseEvaluationPlan, parseOutcome, parseReportSwitches, type Cause, type Outcome, type ReportSwitches } from './state';

export type { ReportSwitches } from './state';

/** Switches absent or malformed: the policy defaults, which fail closed (`onEvaluatorError: fail`). */
export const DEFAULT_SWITCHES: ReportSwitches = reportSwitchesFromPolicy({});

/** The switches of a registration's policy, known at synth; the hook copies them into every execution input. */
export function reportSwitchesFromPolicy(policy: Partial<Pick<Policy, 'dryRun' | 'onEvaluatorError' | 'onInconclusive'>>): ReportSwitches {
  return {
    dryRun: policy.dryRun ?? POLICY_DEFAULTS.dryRun,
    onEvaluatorError: policy.onEvaluatorError ?? POLICY_DEFAULTS.onEvaluatorError,
    onInconclusive: policy.onInconclusive ?? POLICY_DEFAULTS.onInconclusive,
  };
}

/**
 * The one source of the switches for every report of an execution (*Report verdict*, *Report evaluator
 * error* before or after Prepare made a plan, the reaper): the execution input's `switches`, which the
 * hook copies from the registration's policy (known at synth). The hook's own failure uses the same
 * switches before it starts the execution. Absent or malformed: fail-closed defaults (issue 11 finding 7).
 */
export function reportSwitchesOf(executionInput: unknown): ReportSwitches {
  const switches = typeof executionInput === 'object' && executionInput !== null ? (executionInput as Json).switches : undefined;
  if (switches === undefined) return DEFAULT_SWITCHES;
  try {
    return parseReportSwitches(switches, 'execution.switches');
  } catch {
    return DEFAULT_SWITCHES;
  }
}

/** What an evaluator error reports under these switches (every path: hook, state machine, reaper). */
export function evaluatorErrorStatus(switches: ReportSwitches): HookStatus {
  return hookStatusFor({ decision: 'error', cause: 'evaluator-error', reason: '' }, switches);
}

/** `dryRun` always reports `Succeeded`; an evaluator error reports what `onEvaluatorError` says. */
export function hookStatusFor(outcome: Outcome, switches: ReportSwitches): HookStatus {
  if (switches.dryRun) return 'Succeeded';
  if (outcome.decision === 'error') return switches.onEvaluatorError === 'pass' ? 'Succeeded' : 'Failed';
  if (outcome.decision === 'inconclusive' && outcome.metricsUnread) return switches.onEvaluatorError === 'pass' ? 'Succeeded' : 'Failed';
  if (outcome.decision === 'inconclusive') return (switches.onInconclusive ?? POLICY_DEFAULTS.onInconclusive) === 'pass' ? 'Succeeded' : 'Failed';
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
  /** From the execution input (`reportSwitchesOf`), whichever path reports. */
  readonly switches: ReportSwitches;
  readonly verdict?: unknown;
  /** An override the last look found (honoured: the outcome's cause is `override`; or refused). */
  readonly override?: OverrideOutcome;
  /**
   * For *Report evaluator error*: the report *Report verdict* would have made from the same state, if
   * the state holds one. When the hook is already completed, that report is the one CodeDeploy
   * accepted (nothing else reports while the execution runs), so it is what gets published.
   */
  readonly acceptedIfCompleted?: ReportRequest;
  /** The execution (input, ARN, `on`), for the verdict's notification, wherever it is sent from. */
  readonly notification?: NotificationSource;
}

const REAPED_STATUSES: Record<(typeof REAPED_EXECUTION_STATUSES)[number], Cause> = { FAILED: 'execution-failed', TIMED_OUT: 'execution-timed-out', ABORTED: 'execution-aborted' };

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

function hasPlan(plan: unknown): boolean {
  try {
    parseEvaluationPlan(plan);
    return true;
  } catch {
    return false;
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
 * - `{ mode: "error", execution, state }` from every Catch (`state.error` is the caught error);
 * the switches come from `execution` on both (`reportSwitchesOf`).
 * An EventBridge `Step Functions Execution Status Change` event (the reaper) gives `undefined`: see `parseReaperEvent`.
 */
export function parseReportRequest(event: unknown): ReportRequest | undefined {
  const body = object(event, 'event');
  if (body['detail-type'] === EXECUTION_STATUS_CHANGE) return undefined; // handled by parseReaperEvent (needs I/O)
  const mode = oneOf(body.mode, ['verdict', 'error'] as const, 'mode');
  const state = object(body.state ?? {}, 'state');
  const switches = reportSwitchesOf(body.execution);
  const notification: NotificationSource = { execution: body.execution, on: switches.notify, ...(typeof body.executionArn === 'string' ? { executionArn: body.executionArn } : {}) };
  const base = { ...idsAndSubject(body.execution, 'execution'), switches, notification };
  if (mode === 'error') {
    const outcome: Outcome = { decision: 'error', cause: 'evaluator-error', reason: `evaluator error: ${errorReason(state.error)}` };
    let verdictPath: ReportRequest | undefined;
    try {
      verdictPath = state.outcome !== undefined ? verdictRequest(base, state) : undefined;
    } catch {
      verdictPath = undefined; // no verdict in the state: Report verdict cannot have reported
    }
    return { source: 'state-machine', ...base, outcome, ...(verdictPath ? { acceptedIfCompleted: verdictPath } : {}) };
  }
  return verdictRequest(base, state);
}

function verdictRequest(base: Pick<ReportRequest, 'ids' | 'subject' | 'hookInvokedAt' | 'policyRef' | 'switches' | 'notification'>, state: Json): ReportRequest {
  const parsed = parseOutcome(state.outcome);
  const tick = typeof state.tick === 'object' && state.tick !== null ? (state.tick as Json) : undefined;
  const smoke = typeof state.smoke === 'object' && state.smoke !== null ? (state.smoke as Json) : undefined;
  const verdict = parsed.cause === 'verdict' || parsed.cause === 'override' ? tick?.verdict : undefined;
  const override = overrideOutcomeOf(tick?.override);
  // The outcome states are constants; the reason comes from the step that decided.
  const reason =
    parsed.reason ||
    (parsed.cause === 'verdict' || parsed.cause === 'override'
      ? [tick?.reason, smoke?.reason].filter((r) => typeof r === 'string').join('; ') || 'no verdict reason'
      : typeof smoke?.reason === 'string'
        ? smoke.reason
        : 'no smoke tests in this phase');
  const unread = parsed.decision === 'inconclusive' ? metricsUnreadOf(tick?.verdict) : [];
  const outcome: Outcome = { ...parsed, reason, ...(unread.length > 0 && { metricsUnread: unread }) };
  if (!hasPlan(state.plan)) {
    // A verdict without a plan cannot happen in the definition: an evaluator error, under the same switches.
    return { source: 'state-machine', ...base, outcome: { decision: 'error', cause: 'evaluator-error', reason: 'evaluator error: state.plan is missing or malformed' } };
  }
  return { source: 'state-machine', ...base, outcome, verdict, ...(override ? { override } : {}) };
}

/** The critical metrics a final verdict could not read (`Verdict.inconclusive.unread`), leniently: none when absent or malformed. */
function metricsUnreadOf(verdict: unknown): string[] {
  const inconclusive = typeof verdict === 'object' && verdict !== null ? (verdict as Json).inconclusive : undefined;
  const unread = typeof inconclusive === 'object' && inconclusive !== null ? (inconclusive as Json).unread : undefined;
  return Array.isArray(unread) ? unread.filter((metric): metric is string => typeof metric === 'string') : [];
}

/** The reaper's part: which execution ended how, and its input (from the event, or `DescribeExecution`). */
export interface ReaperEvent {
  readonly status: keyof typeof REAPED_STATUSES;
  readonly executionArn: string;
  readonly input?: string;
  readonly error?: string;
  readonly cause?: string;
}

/** The status, if it is one the reaper reports. */
export function parseReaperStatus(status: unknown): ReaperEvent['status'] | undefined {
  return typeof status === 'string' && Object.hasOwn(REAPED_STATUSES, status) ? (status as ReaperEvent['status']) : undefined;
}

export function parseReaperEvent(event: unknown): ReaperEvent | undefined {
  const body = object(event, 'event');
  if (body['detail-type'] !== EXECUTION_STATUS_CHANGE) return undefined;
  const detail = object(body.detail, 'event.detail');
  const status = parseReaperStatus(detail.status);
  if (!status) return undefined;
  return {
    status,
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
  const switches = reportSwitchesOf(parsed);
  return { source: 'reaper', ...base, switches, outcome: { decision: 'error', cause, reason }, notification: { execution: parsed, executionArn: event.executionArn, on: switches.notify } };
}

export interface ConcludeDependencies {
  readonly reporter: HookReporter;
  readonly sink: VerdictSink;
  readonly now: () => Date;
  readonly log: { info(message: string, details: Record<string, unknown>): void; error(message: string, details: Record<string, unknown>): void };
  /** The report bucket: the reaper stores the report of what it reported. @default - no report is stored */
  readonly reports?: ReportWriter;
  /** The notification topic: the reaper notifies of what it reported. @default - no notification */
  readonly notifications?: NotificationChannel;
  readonly count?: NotifyDependencies['count'];
  /**
   * The publication ledger: an accepted verdict is recorded pending before its event is returned, and
   * each publication step is made once (`publishAndNotify`). @default - no ledger: a publish that fails is not finished by the sweep
   */
  readonly ledger?: PublicationLedger;
  /**
   * The status CodeDeploy holds, read when the state machine finds its hook already completed: what it
   * publishes then must match it. @default - none: a completed hook is taken as this execution's report
   */
  readonly hookStatus?: HookStatusReader;
}

export interface ConcludeResult {
  readonly status: HookStatus;
  readonly result: 'reported' | 'already-completed';
  /**
   * State machine: the verdict event for *Publish verdict*, describing what CodeDeploy holds; absent
   * when nothing of this path's should be published. Publishing is a separate Task, retried on its own;
   * the ledger's pending record, written here, lets the sweep finish a publish that kept failing.
   */
  readonly event?: VerdictEvent;
}

/**
 * The verdict the reaper publishes for an execution it reported (its status and input): what the sweep
 * rebuilds when that publication left no trace in the ledger (`publishFromExecutions`).
 */
export function reaperVerdictEvent(event: ReaperEvent, input: string, now: () => Date): VerdictEvent {
  return verdictEventOf(reaperReportRequest(event, input), { now });
}

function verdictEventOf(request: ReportRequest, deps: Pick<ConcludeDependencies, 'now'>): VerdictEvent {
  const switches = request.switches;
  const invokedAt = request.hookInvokedAt ? Date.parse(request.hookInvokedAt) : NaN;
  const status = hookStatusFor(request.outcome, switches);
  return {
    ...request.subject,
    status,
    decision: request.outcome.decision,
    cause: request.outcome.cause,
    // A refused override is said with the verdict it did not change (an honoured one is the reason itself).
    reason: request.override && !request.override.honoured ? `${request.outcome.reason}; ${overrideWords(request.override)}` : request.outcome.reason,
    dryRun: switches.dryRun,
    codeDeploy: codeDeployAction({ lifecycleEvent: request.subject.lifecycleEvent, status, decision: request.outcome.decision, dryRun: switches.dryRun, dataUnread: request.outcome.metricsUnread !== undefined }),
    timeToVerdictSeconds: Number.isFinite(invokedAt) ? Math.max(0, Math.round((deps.now().getTime() - invokedAt) / 1000)) : 0,
    ...(request.verdict !== undefined ? { verdict: request.verdict } : {}),
    ...(request.override ? { override: request.override } : {}),
  };
}

/**
 * The one reporting code path (state machine and reaper): turn the outcome into a status and report
 * it once (a hook already reported counts as done). What is published is what CodeDeploy accepted:
 * - a report this call made;
 * - in the state machine, a hook already completed was reported by this execution: by an earlier
 *   attempt of the same Task (same state, same status), or, for *Report evaluator error*, by
 *   *Report verdict* (the verdict in the state, `acceptedIfCompleted`);
 * - the reaper publishes only the reports it made; otherwise the state machine already did.
 * The state machine publishes in its own Task (`publishAccepted`); the reaper, never retried by a
 * state machine, publishes here, best effort.
 */
export async function conclude(request: ReportRequest, deps: ConcludeDependencies): Promise<ConcludeResult> {
  const switches = request.switches;
  const status = hookStatusFor(request.outcome, switches);
  const result = await deps.reporter.report(request.ids, status);
  const event = result === 'reported' ? verdictEventOf(request, deps) : request.source === 'state-machine' ? await completedVerdict(request, deps) : undefined;
  deps.log.info('hook verdict', { ...(event ?? {}), verdict: undefined, reportedStatus: status, result, source: request.source, switches, publishes: event !== undefined });
  const pending = event ? await recordPending(event, request.notification ?? {}, deps) : undefined;
  if (request.source === 'reaper') {
    if (pending) await publishBestEffort(pending, request.notification ?? {}, deps);
    return { status, result };
  }
  return { status: pending && pending.status !== 'NotReported' ? pending.status : status, result, ...(pending ? { event: pending } : {}) };
}

/**
 * The state machine found its hook already completed. Most often this execution reported it (an earlier
 * attempt of the same Task, or *Report verdict* before *Report evaluator error*: `acceptedIfCompleted`),
 * but the hook function reports too when StartExecution failed and it could not confirm that this
 * execution exists (issue 23 item 4). So the status CodeDeploy holds decides: the execution's own
 * verdict when it matches, else an event saying what CodeDeploy holds and that this verdict was not
 * reported. An execution never publishes a verdict contradicting the hook's report; a status that
 * cannot be read throws (the Task retries; in the end nothing is published rather than a guess).
 */
async function completedVerdict(request: ReportRequest, deps: Pick<ConcludeDependencies, 'now' | 'hookStatus'>): Promise<VerdictEvent> {
  const own = verdictEventOf(request.acceptedIfCompleted ?? request, deps);
  if (!deps.hookStatus) return own;
  const held = await deps.hookStatus.readStatus(request.ids.deploymentId, request.subject.lifecycleEvent);
  if (held === own.status) return own;
  return {
    ...own,
    status: held,
    decision: 'error',
    cause: 'evaluator-error',
    reason: `CodeDeploy already holds ${held} for this hook, reported outside this evaluation (by the hook function, which could not confirm that the evaluation had started); this evaluation's own verdict was not reported: ${own.decision}, ${own.reason}`,
    codeDeploy: codeDeployAction({ lifecycleEvent: own.lifecycleEvent, status: held, decision: 'error', dryRun: own.dryRun }),
  };
}

/**
 * Records the accepted verdict pending, before anything publishes it; the first record of a hook stands
 * (a report retried after it reported returns the event first recorded). Best effort: without the
 * record the publish Task still publishes, only the sweep could not finish a publish that kept failing.
 */
async function recordPending(event: VerdictEvent, source: NotificationSource, deps: Pick<ConcludeDependencies, 'ledger' | 'log' | 'now'>): Promise<VerdictEvent> {
  if (!deps.ledger) return event;
  const record: PendingPublication = {
    key: publicationKey(event),
    event,
    acceptedAt: deps.now().toISOString(),
    ...(source.execution !== undefined ? { execution: source.execution } : {}),
    ...(source.executionArn ? { executionArn: source.executionArn } : {}),
  };
  try {
    return (await deps.ledger.recordPending(record)).event;
  } catch (error) {
    deps.log.error('could not record the accepted verdict pending; the sweep cannot finish its publication', { key: record.key, error: (error as Error).message });
    return event;
  }
}

async function publishBestEffort(event: VerdictEvent, source: NotificationSource, deps: PublishDependencies): Promise<void> {
  try {
    await publishAndNotify(event, source, deps);
  } catch (error) {
    deps.log.error('could not publish the verdict; the sweep retries what is missing', { error: (error as Error).message });
  }
}

/** `{ mode: "publish", event, execution, executionArn }` from *Publish verdict*: the event the report step returned. */
export interface PublishRequest extends Omit<NotificationSource, 'on'> {
  readonly event?: VerdictEvent;
}

export function parsePublishRequest(event: unknown): PublishRequest | undefined {
  if (typeof event !== 'object' || event === null || (event as Json).mode !== 'publish') return undefined;
  const { event: verdict, execution, executionArn } = event as Json;
  const source = { ...(execution !== undefined ? { execution } : {}), ...(typeof executionArn === 'string' ? { executionArn } : {}) };
  if (verdict === undefined || verdict === null) return source;
  return { ...source, event: parseVerdictEvent(verdict, 'event') };
}

/**
 * Publishes the accepted verdict: each step once, whatever the retries (the ledger skips the steps
 * already done), so the Task retries every error. The report of that verdict is stored first, so the
 * event and the notification link it.
 */
export async function publishAccepted(request: PublishRequest, deps: PublishDependencies): Promise<{ published: boolean }> {
  if (!request.event) return { published: false };
  await publishAndNotify(request.event, { ...request, on: reportSwitchesOf(request.execution).notify }, deps);
  return { published: true };
}

/**
 * A `VerdictFailed` tick (bake or watch) is telemetry for the verdict alarm, not the verdict: a failed
 * `PutMetricData` is logged and never turns a tick into an evaluator error, so a CloudWatch outage
 * does not roll back every deployment. The final verdict still decides the hook, and the verdict
 * alarm misses at most the ticks of the outage (decided once for both, issue 11 finding 8).
 */
export async function publishTickBestEffort(sink: VerdictSink, subject: VerdictSubject, failed: boolean, log: { error(message: string, details: Record<string, unknown>): void }, costs: readonly CostPerRequestFigure[] = []): Promise<boolean> {
  try {
    await sink.publishTick(subject, failed, costs);
    return true;
  } catch (error) {
    log.error('could not publish the VerdictFailed tick; the verdict stands', { error: (error as Error).message, failed });
    return false;
  }
}
