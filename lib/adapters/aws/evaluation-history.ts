import { DescribeExecutionCommand, GetExecutionHistoryCommand, ListStateMachinesCommand, SFNClient, type HistoryEvent } from '@aws-sdk/client-sfn';
import type { SmokeSummary } from '../../evaluation/smoke';
import { executionName, parseEvaluationInput, parseEvaluationPlan, type EvaluationInput, type EvaluationPlan, type LifecycleEvent, type StateVerdict } from '../../evaluation/state';
import type { HookStatus } from '../../evaluation/ports';
import { STATE } from '../../evaluation/state-names';
import { AwsReadError, readCall, type ReadRetry } from './read-call';

/**
 * Reads back what the evaluator did for one hook from its Step Functions execution (Step Functions API
 * Reference: `DescribeExecution`, `GetExecutionHistory` with `includeExecutionData`): each Task's
 * output is the whole state after it (the evaluation definition's `resultPath`s), so every look of the
 * bake (`$.tick`) and of the canary watch (`$.watch`), the smoke-test summaries (`$.smoke`) and the
 * hook report (`$.report`) can be recovered with its time. Read-only.
 */

export interface EvaluationLook {
  readonly at: Date;
  readonly step: 'evaluate' | 'watch';
  readonly decision: 'pass' | 'fail' | 'continue' | 'inconclusive';
  readonly periodsJudged: number;
  readonly reason: string;
  readonly done: boolean;
  readonly stopped?: 'stopped' | 'not-in-progress';
  readonly verdict?: StateVerdict;
}

export interface EvaluationRecord {
  readonly executionName: string;
  readonly executionArn: string;
  /** `RUNNING`, `SUCCEEDED`, `FAILED`, `TIMED_OUT`, `ABORTED` (DescribeExecution.status). */
  readonly status: string;
  readonly startDate?: Date;
  readonly stopDate?: Date;
  readonly input: EvaluationInput;
  readonly plan?: EvaluationPlan;
  readonly looks: readonly EvaluationLook[];
  readonly smoke: ReadonlyArray<{ readonly at: Date; readonly phase: 'pre-traffic' | 'post-deploy'; readonly summary: SmokeSummary }>;
  /** The hook report the state machine made (absent while running, or when the reaper reported). */
  readonly report?: { readonly at: Date; readonly status: HookStatus };
  readonly outcome?: { readonly decision: string; readonly cause: string; readonly reason?: string };
  /** The execution's error (ExecutionFailed / caught Task error), when there was one. */
  readonly error?: string;
}

const asObject = (value: unknown): Record<string, unknown> | undefined => (typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined);

function parseJson(text: string | undefined): Record<string, unknown> | undefined {
  if (!text) return undefined;
  try {
    return asObject(JSON.parse(text));
  } catch {
    return undefined;
  }
}

function look(at: Date, step: EvaluationLook['step'], value: unknown): EvaluationLook | undefined {
  const tick = asObject(value);
  if (!tick || typeof tick.decision !== 'string' || !['pass', 'fail', 'continue', 'inconclusive'].includes(tick.decision)) return undefined;
  return {
    at,
    step,
    decision: tick.decision as EvaluationLook['decision'],
    periodsJudged: typeof tick.periodsJudged === 'number' ? tick.periodsJudged : 0,
    reason: typeof tick.reason === 'string' ? tick.reason : '',
    done: step === 'evaluate' ? tick.final === true : tick.done === true,
    ...(tick.stopped === 'stopped' || tick.stopped === 'not-in-progress' ? { stopped: tick.stopped } : {}),
    ...(asObject(tick.verdict) ? { verdict: tick.verdict as StateVerdict } : {}),
  };
}

/** Builds the record from the execution's description and its history events (oldest first). */
export function recordFromHistory(description: { executionArn: string; name: string; status: string; startDate?: Date; stopDate?: Date; input?: string; output?: string }, events: readonly HistoryEvent[]): EvaluationRecord {
  const input = parseEvaluationInput(JSON.parse(description.input ?? '{}'), `execution ${description.name} input`);
  let plan: EvaluationPlan | undefined;
  const looks: EvaluationLook[] = [];
  const smoke: Array<EvaluationRecord['smoke'][number]> = [];
  let report: EvaluationRecord['report'];
  let outcome: EvaluationRecord['outcome'];
  let error: string | undefined;
  for (const event of events) {
    const at = event.timestamp ?? new Date(0);
    if (event.type === 'ExecutionFailed' || event.type === 'ExecutionTimedOut' || event.type === 'ExecutionAborted') {
      const details = event.executionFailedEventDetails ?? event.executionTimedOutEventDetails ?? event.executionAbortedEventDetails;
      error = [details?.error, details?.cause].filter(Boolean).join(': ') || event.type;
      continue;
    }
    if (event.type !== 'TaskStateExited' || !event.stateExitedEventDetails) continue;
    const { name } = event.stateExitedEventDetails;
    const state = parseJson(event.stateExitedEventDetails.output);
    if (!state) continue;
    if (!plan && state.plan) {
      try {
        plan = parseEvaluationPlan(state.plan);
      } catch {
        // a malformed plan is the evaluator's own error; the record shows the execution's error instead
      }
    }
    const caught = asObject(state.error);
    if (caught && typeof caught.Error === 'string') error = `${caught.Error}${typeof caught.Cause === 'string' ? `: ${caught.Cause.slice(0, 500)}` : ''}`;
    if (name === STATE.evaluate) {
      const entry = look(at, 'evaluate', state.tick);
      if (entry) looks.push(entry);
    } else if (name === STATE.watch) {
      const entry = look(at, 'watch', state.watch);
      if (entry) looks.push(entry);
    } else if (name === STATE.preSmoke || name === STATE.postSmoke) {
      const summary = asObject(state.smoke);
      if (summary && typeof summary.passed === 'boolean') smoke.push({ at, phase: name === STATE.preSmoke ? 'pre-traffic' : 'post-deploy', summary: summary as unknown as SmokeSummary });
    } else if (name === STATE.report || name === STATE.reportError) {
      const result = asObject(state.report);
      if (result?.status === 'Succeeded' || result?.status === 'Failed') report = { at, status: result.status };
      const reached = asObject(state.outcome);
      if (reached && typeof reached.decision === 'string') outcome = { decision: reached.decision, cause: String(reached.cause ?? ''), ...(typeof reached.reason === 'string' ? { reason: reached.reason } : {}) };
      if (name === STATE.reportError && !outcome) outcome = { decision: 'error', cause: 'evaluator-error', ...(error ? { reason: error } : {}) };
    }
  }
  return {
    executionName: description.name,
    executionArn: description.executionArn,
    status: description.status,
    ...(description.startDate ? { startDate: description.startDate } : {}),
    ...(description.stopDate ? { stopDate: description.stopDate } : {}),
    input,
    ...(plan ? { plan } : {}),
    looks,
    smoke,
    ...(report ? { report } : {}),
    ...(outcome ? { outcome } : {}),
    ...(error ? { error } : {}),
  };
}

/** `arn:aws:states:<region>:<account>:stateMachine:<name>` → the ARN of one of its executions. */
export function executionArnOf(stateMachineArn: string, name: string): string {
  const match = /^arn:([^:]+):states:([^:]+):(\d{12}):stateMachine:([^:]+)$/.exec(stateMachineArn);
  if (!match) throw new Error(`"${stateMachineArn}" is not a state machine ARN (arn:aws:states:<region>:<account>:stateMachine:<name>)`);
  return `arn:${match[1]}:states:${match[2]}:${match[3]}:execution:${match[4]}:${name}`;
}

export class EvaluationHistoryReader {
  constructor(
    private readonly client: SFNClient,
    private readonly retry: ReadRetry = {},
  ) {}

  /**
   * The evaluator's state machine: the one given, or the single state machine whose name says it was
   * made by the CanaryEvaluator construct (`…CanaryEvaluator…StateMachine…`, CloudFormation's generated name).
   */
  async resolveStateMachine(explicit: string | undefined): Promise<string> {
    if (explicit) return explicit;
    const found: string[] = [];
    let nextToken: string | undefined;
    do {
      const page = await readCall('states:ListStateMachines', () => this.client.send(new ListStateMachinesCommand({ nextToken })), this.retry);
      for (const machine of page.stateMachines ?? []) if (machine.stateMachineArn && /evaluator/i.test(machine.name ?? '') && /statemachine/i.test(machine.name ?? '')) found.push(machine.stateMachineArn);
      nextToken = page.nextToken;
    } while (nextToken);
    if (found.length === 1) return found[0];
    throw new Error(
      found.length === 0
        ? 'no CanaryEvaluator state machine found in this account and region; pass --state-machine <arn> (or set CANARY_EVAL_STATE_MACHINE)'
        : `several CanaryEvaluator state machines: ${found.join(', ')}; pass --state-machine <arn> (or set CANARY_EVAL_STATE_MACHINE)`,
    );
  }

  /** The evaluation of one hook, or `undefined` when that hook started none. */
  async read(stateMachineArn: string, deploymentId: string, lifecycleEvent: LifecycleEvent): Promise<EvaluationRecord | undefined> {
    const name = executionName(deploymentId, lifecycleEvent);
    const executionArn = executionArnOf(stateMachineArn, name);
    let description;
    try {
      description = await readCall('states:DescribeExecution', () => this.client.send(new DescribeExecutionCommand({ executionArn })), this.retry);
    } catch (error) {
      if (error instanceof AwsReadError && error.kind === 'not-found') return undefined;
      throw error;
    }
    const events: HistoryEvent[] = [];
    let nextToken: string | undefined;
    do {
      const page = await readCall(
        'states:GetExecutionHistory',
        () => this.client.send(new GetExecutionHistoryCommand({ executionArn, includeExecutionData: true, maxResults: 1000, nextToken })),
        this.retry,
      );
      events.push(...(page.events ?? []));
      nextToken = page.nextToken;
    } while (nextToken);
    return recordFromHistory(
      { executionArn, name, status: description.status ?? 'UNKNOWN', startDate: description.startDate, stopDate: description.stopDate, input: description.input, output: description.output },
      events,
    );
  }
}
