import { STATE, TASK_STATES, type TaskState } from '../constructs/evaluation-definition';
import type { LifecycleEvent, PublicationLedger } from '../evaluation';
import { parsePolicy } from '../policy';
import { simulateDeployment, type SimulatedDeployment, type SimulatedDeploymentResult } from './deployment';
import { mulberry32 } from './random';
import type { TaskHandler } from './run-local';
import { SteadyMetricSource } from './steady-metric-source';

/**
 * The fault grid (issue 11): every Task × every fault × {permanent, once}, in both phases, plus the
 * report failing after it reported, the publish failing after it published, and both report paths
 * down. Each case runs the synthesized state machine with the real handlers (`simulateDeployment`) and
 * is counted: accepted reports (exactly one, inside the hour), verdict events and `Verdicts` counts
 * (exactly one each, with the status CodeDeploy accepted, even when a publish Task fails every attempt:
 * the publication ledger's sweep finishes it), and hung executions (a hook not reported in the hour: none).
 */
export const FAULT_ERROR_NAMES = [
  'Lambda.ServiceException',
  'Lambda.AWSLambdaException',
  'Lambda.SdkClientException',
  'Lambda.TooManyRequestsException',
  'States.TaskFailed',
  'States.Timeout',
] as const;

/** Besides the error names: a malformed output, and a hang (a tick asking for the longest wait, past the execution's timeout). */
export type FaultKind = (typeof FAULT_ERROR_NAMES)[number] | 'malformed-output' | 'hang';
export const FAULT_KINDS: readonly FaultKind[] = [...FAULT_ERROR_NAMES, 'malformed-output', 'hang'];

export interface FaultCase {
  readonly name: string;
  readonly lifecycleEvent: LifecycleEvent;
  /** The Tasks the fault is injected into (both report Tasks for "both report paths down"). */
  readonly targets: readonly TaskState[];
  readonly kind: FaultKind;
  /** `once`: the first call fails, then the Task behaves. */
  readonly mode: 'permanent' | 'once';
  /** Run the real handler first (its report or publish happens), then fail. */
  readonly afterRunning?: boolean;
  /** Issue 23: a fault outside the Tasks (`PUBLICATION_FAULTS`). */
  readonly publicationFault?: PublicationFault;
}

/**
 * Issue 23 items 3, 4 and 8, beside the Task faults:
 * - `ledger-down`: the publication ledger fails every call while `during` Tasks run (item 3);
 * - `start-error-after-creating`: StartExecution creates the execution, then errs; the lookup by name
 *   finds it (`lookup: 'finds'`) or cannot tell (`'fails'`: the hook reports, item 4);
 * - `event-field`: the report step returns its event with `lifecycleEvent` missing or a number (item 8).
 */
export type PublicationFault =
  | { readonly type: 'ledger-down'; readonly during: readonly (TaskState | 'reaper')[] }
  | { readonly type: 'start-error-after-creating'; readonly lookup: 'finds' | 'fails' | 'not-yet-visible' }
  | { readonly type: 'event-field'; readonly value: 'missing' | 'number' };

export const PUBLICATION_FAULTS: ReadonlyArray<{ readonly label: string; readonly fault: PublicationFault }> = [
  { label: 'ledger down while the report and publish steps run', fault: { type: 'ledger-down', during: [STATE.report, STATE.publish] } },
  { label: 'ledger down while the report step runs', fault: { type: 'ledger-down', during: [STATE.report] } },
  { label: 'ledger down while the publish step runs', fault: { type: 'ledger-down', during: [STATE.publish] } },
  { label: 'ledger down while the error report and its publish run', fault: { type: 'ledger-down', during: [STATE.reportError, STATE.publishError] } },
  { label: 'both report paths down, ledger down while the reaper reports', fault: { type: 'ledger-down', during: ['reaper'] } },
  { label: 'StartExecution errs after creating the execution, lookup finds it', fault: { type: 'start-error-after-creating', lookup: 'finds' } },
  { label: 'StartExecution errs after creating the execution, lookup fails', fault: { type: 'start-error-after-creating', lookup: 'fails' } },
  { label: 'StartExecution errs after creating the execution, lookup does not see it yet', fault: { type: 'start-error-after-creating', lookup: 'not-yet-visible' } },
  { label: 'report returns its event without lifecycleEvent', fault: { type: 'event-field', value: 'missing' } },
  { label: 'report returns its event with a numeric lifecycleEvent', fault: { type: 'event-field', value: 'number' } },
];

export interface FaultOutcome {
  readonly name: string;
  readonly acceptedReports: number;
  readonly verdictEvents: number;
  /** Verdicts whose metrics were published (`Verdicts` 1 each). */
  readonly verdictsCounted: number;
  /** The verdict event says what CodeDeploy accepted (vacuously true without an event). */
  readonly eventMatchesReport: boolean;
  readonly hung: boolean;
  /** A publish Task was faulted (for reporting: its event must still go out once). */
  readonly publishFaulted: boolean;
}

export const FAULT_GRID_START = new Date('2026-11-26T10:00:00Z');
const baseline = { requestsPerMinute: 900, errorRate: 0.01, p99Ms: 300 };
const metrics = new SteadyMetricSource({ '1': baseline, '2': { ...baseline, requestsPerMinute: 100 } });
const policy = parsePolicy({
  metrics: [{ preset: 'lambda-error-rate', method: { type: 'threshold', maxRatioToBaseline: 2, failureLimit: 2 } }],
  smokeTests: [{ name: 'health', payload: { path: '/health' }, expect: { statusCode: 200 }, phase: 'both' }],
  bake: { duration: '5m', period: '60s' },
  canaryWatch: { period: '60s', maxDuration: '10m' },
  metricLag: '2m',
});
const PUBLISH_TASKS: readonly TaskState[] = [STATE.publish, STATE.publishError];
/** The error paths' Tasks run only after a failure: Prepare fails too, so that they are entered. */
const ERROR_PATH_TASKS: readonly TaskState[] = [STATE.reportError, STATE.publishError];

function faultHandler(kind: FaultKind): TaskHandler {
  if (kind === 'malformed-output') return async () => ({ unexpected: 'shape' });
  if (kind === 'hang') return async () => ({ decision: 'continue', done: false, final: false, reason: 'slow', waitSeconds: 3600, periodsJudged: 0 });
  return async () => {
    const error = new Error(`injected ${kind}`);
    error.name = kind;
    throw error;
  };
}

export function faultGrid(): FaultCase[] {
  const phases: LifecycleEvent[] = ['BeforeAllowTraffic', 'AfterAllowTraffic'];
  const grid: FaultCase[] = [];
  for (const lifecycleEvent of phases) {
    for (const target of TASK_STATES) {
      for (const kind of FAULT_KINDS) {
        for (const mode of ['permanent', 'once'] as const) grid.push({ name: `${lifecycleEvent}: ${target} ${kind} ${mode}`, lifecycleEvent, targets: [target], kind, mode });
      }
    }
    for (const mode of ['permanent', 'once'] as const) {
      grid.push({ name: `${lifecycleEvent}: report fails after reporting, ${mode}`, lifecycleEvent, targets: [STATE.report], kind: 'States.Timeout', mode, afterRunning: true });
    }
    for (const mode of ['permanent', 'once'] as const) {
      grid.push({ name: `${lifecycleEvent}: publish fails after publishing, ${mode}`, lifecycleEvent, targets: [STATE.publish], kind: 'States.Timeout', mode, afterRunning: true });
    }
    grid.push({ name: `${lifecycleEvent}: both report paths down`, lifecycleEvent, targets: [STATE.report, STATE.reportError], kind: 'Lambda.ServiceException', mode: 'permanent' });
    for (const { label, fault } of PUBLICATION_FAULTS) {
      // The reaper reports only when both report paths are down.
      const targets = fault.type === 'ledger-down' && fault.during.includes('reaper') ? [STATE.report, STATE.reportError] : [];
      grid.push({ name: `${lifecycleEvent}: ${label}`, lifecycleEvent, targets, kind: 'Lambda.ServiceException', mode: 'permanent', publicationFault: fault });
    }
  }
  return grid;
}

function wrapFor(testCase: FaultCase, outage: LedgerOutage): SimulatedDeployment['wrapTask'] {
  const calls = new Map<TaskState, number>();
  const fault = faultHandler(testCase.kind);
  const extra = testCase.publicationFault;
  const outageDuring: readonly string[] = extra?.type === 'ledger-down' ? extra.during : [];
  const enterErrorPath = [...testCase.targets, ...outageDuring].some((target) => (ERROR_PATH_TASKS as readonly string[]).includes(target));
  return (state, handler) => {
    if (enterErrorPath && state === STATE.prepare) return faultHandler('States.TaskFailed');
    if (outageDuring.includes(state)) return outage.during(handler);
    if (extra?.type === 'event-field' && state === STATE.report) return withEventField(handler, extra.value);
    if (!testCase.targets.includes(state)) return handler;
    return async (input) => {
      const call = (calls.get(state) ?? 0) + 1;
      calls.set(state, call);
      const faulted = testCase.mode === 'permanent' || call === 1;
      if (!faulted) return handler(input);
      if (testCase.afterRunning) await handler(input);
      return fault(input);
    };
  };
}

/** The ledger fails every call while a wrapped Task runs (an S3 outage over those steps). */
class LedgerOutage {
  private down = false;

  during(handler: TaskHandler): TaskHandler {
    return async (input) => {
      this.down = true;
      try {
        return await handler(input);
      } finally {
        this.down = false;
      }
    };
  }

  wrap(ledger: PublicationLedger): PublicationLedger {
    const guard =
      <A extends unknown[], R>(call: (...args: A) => Promise<R>) =>
      async (...args: A): Promise<R> => {
        if (this.down) throw Object.assign(new Error('S3: ServiceUnavailable (simulated ledger outage)'), { name: 'ServiceUnavailable' });
        return call(...args);
      };
    return {
      doneSteps: guard((key) => ledger.doneSteps(key)),
      markDone: guard((key, step) => ledger.markDone(key, step)),
      recordPending: guard((record) => ledger.recordPending(record)),
      listPending: guard(() => ledger.listPending()),
      complete: guard((key) => ledger.complete(key)),
    };
  }
}

/** The report step's result with its event's `lifecycleEvent` removed or made a number (a malformed state). */
function withEventField(handler: TaskHandler, value: 'missing' | 'number'): TaskHandler {
  return async (input) => {
    const result = (await handler(input)) as { event?: Record<string, unknown> } | undefined;
    if (!result?.event) return result;
    const event: Record<string, unknown> = { ...result.event, lifecycleEvent: 42 };
    if (value === 'missing') delete event.lifecycleEvent;
    return { ...result, event };
  };
}

/** StartExecution that creates the execution, then errs (a lost response); the lookup by name as the case says. */
function startErrorAfterCreating(lookup: 'finds' | 'fails' | 'not-yet-visible'): SimulatedDeployment['wrapStarter'] {
  return (starter) => ({
    start: async (name, input) => {
      await starter.start(name, input);
      throw Object.assign(new Error('StartExecution: socket hang up (the response was lost)'), { name: 'TimeoutError' });
    },
    exists: async (name) => {
      if (lookup === 'fails') throw Object.assign(new Error('DescribeExecution: Rate exceeded'), { name: 'ThrottlingException' });
      return lookup === 'finds' ? starter.exists(name) : false;
    },
  });
}

/** A healthy Lambda deployment starting at `FAULT_GRID_START`, with the grid's policy unless overridden. */
export function faultGridDeployment(overrides: Partial<SimulatedDeployment>): SimulatedDeployment {
  return { deploymentId: 'd-FAULTGRID1', start: FAULT_GRID_START, appSpec: { functionName: 'orders', alias: 'live', currentVersion: '1', targetVersion: '2' }, metrics, policy, ...overrides };
}

/** The simulated deployment of one case, its faults injected. */
export function faultCaseDeployment(testCase: FaultCase): SimulatedDeployment {
  const outage = new LedgerOutage();
  const extra = testCase.publicationFault;
  return faultGridDeployment({
    lifecycleEvent: testCase.lifecycleEvent,
    wrapTask: wrapFor(testCase, outage),
    wrapLedger: (ledger) => outage.wrap(ledger),
    ...(extra?.type === 'ledger-down' && extra.during.includes('reaper') ? { wrapReaper: (handler: TaskHandler) => outage.during(handler) } : {}),
    ...(extra?.type === 'start-error-after-creating' ? { wrapStarter: startErrorAfterCreating(extra.lookup) } : {}),
  });
}

export async function runFaultCase(definition: Record<string, unknown>, testCase: FaultCase): Promise<FaultOutcome> {
  const result = await simulateDeployment(definition, faultCaseDeployment(testCase));
  return faultOutcomeOf(testCase.name, result, testCase.targets.some((target) => PUBLISH_TASKS.includes(target)));
}

/** What a fault case's simulated deployment ended with, counted as the grid checks it. */
export function faultOutcomeOf(name: string, result: SimulatedDeploymentResult, publishFaulted: boolean): FaultOutcome {
  const events = result.verdictEvents.filter((event) => event.status !== 'NotReported');
  const inTime = result.reports.length > 0 && result.reports[0].at.getTime() - FAULT_GRID_START.getTime() < 3600 * 1000;
  return {
    name,
    acceptedReports: result.reports.length,
    verdictEvents: events.length,
    verdictsCounted: result.verdictMetrics.filter((event) => event.status !== 'NotReported').length,
    eventMatchesReport: events.every((event) => event.status === result.reports[0]?.status),
    hung: !inTime,
    publishFaulted,
  };
}

/** What must hold for every case; the problems of one outcome, empty when it holds. */
export function faultOutcomeProblems(outcome: FaultOutcome): string[] {
  const problems: string[] = [];
  if (outcome.acceptedReports !== 1) problems.push(`${outcome.acceptedReports} accepted reports, expected exactly 1`);
  if (outcome.hung) problems.push('the hook was not reported within the hour');
  if (!outcome.eventMatchesReport) problems.push('a verdict event contradicts the status CodeDeploy accepted');
  if (outcome.verdictEvents !== 1) problems.push(`${outcome.verdictEvents} verdict events, expected exactly 1`);
  if (outcome.verdictsCounted !== 1) problems.push(`Verdicts counted ${outcome.verdictsCounted} times, expected exactly 1`);
  return problems;
}

/** A seeded subset (mulberry32) for the unit tests; the full grid runs in `npm run bench:faults`. */
export function seededSubset<T>(items: readonly T[], size: number, seed: number): T[] {
  const next = mulberry32(seed);
  const pool = [...items];
  for (let i = pool.length - 1; i > 0; i--) {
    const j = Math.floor(next() * (i + 1));
    [pool[i], pool[j]] = [pool[j], pool[i]];
  }
  return pool.slice(0, size);
}
