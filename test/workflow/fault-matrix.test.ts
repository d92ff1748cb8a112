import { STATE, type TaskState } from '../../lib/constructs';
import type { HookIds, HookStatus, MetricSource } from '../../lib/evaluation';
import { parsePolicy, type PolicyInput } from '../../lib/policy';
import { synthesizeEvaluationDefinition } from '../../lib/simulate/definition';
import { simulateDeployment, type SimulatedDeployment } from '../../lib/simulate/deployment';
import type { TaskHandler } from '../../lib/simulate/run-local';
import { SteadyMetricSource } from '../../lib/simulate/steady-metric-source';

/**
 * The always-report guarantee, checked on the synthesized definition run by aws-local-stepfunctions
 * with the real handlers: whatever fails, CodeDeploy hears exactly one report, `Failed` unless the
 * policy says otherwise, and the verdict event names the cause.
 */
const definition = synthesizeEvaluationDefinition();
const START = new Date('2026-11-26T10:00:00Z');
const baseline = { requestsPerMinute: 900, errorRate: 0.01, p99Ms: 300 };
const healthy = new SteadyMetricSource({ '1': baseline, '2': { ...baseline, requestsPerMinute: 100 } });
const regressed = new SteadyMetricSource({ '1': baseline, '2': { ...baseline, requestsPerMinute: 100, errorRate: 0.05 } });
const silent: MetricSource = { getMetricData: async () => [] };

const POLICY: PolicyInput = {
  metrics: [{ preset: 'lambda-error-rate', method: { type: 'threshold', maxRatioToBaseline: 2, failureLimit: 2 } }],
  smokeTests: [{ name: 'health', payload: { path: '/health' }, expect: { statusCode: 200 } }],
  bake: { duration: '5m', period: '60s' },
  canaryWatch: { period: '60s', maxDuration: '10m' },
  metricLag: '2m',
};

function deployment(overrides: Omit<Partial<SimulatedDeployment>, 'policy'> & { policy?: PolicyInput } = {}): SimulatedDeployment {
  return {
    deploymentId: 'd-FAULT0001',
    start: START,
    appSpec: { functionName: 'orders', alias: 'live', currentVersion: '1', targetVersion: '2' },
    metrics: healthy,
    lifecycleEvent: 'AfterAllowTraffic',
    ...overrides,
    policy: parsePolicy({ ...POLICY, ...(overrides.policy as object) }),
  };
}

function lambdaError(name: string, message: string): Error {
  const error = new Error(message);
  error.name = name;
  return error;
}

/** Each error class a Task can end with. `expect` is what the verdict reason must mention. */
const ERROR_CLASSES: ReadonlyArray<{ readonly name: string; readonly fault: TaskHandler; readonly mentions: string }> = [
  { name: 'Lambda service error', fault: async () => Promise.reject(lambdaError('Lambda.ServiceException', 'Lambda is unavailable')), mentions: 'Lambda.ServiceException' },
  { name: 'Lambda throttling', fault: async () => Promise.reject(lambdaError('Lambda.TooManyRequestsException', 'Rate exceeded')), mentions: 'Lambda.TooManyRequestsException' },
  { name: 'task timeout', fault: async () => Promise.reject(lambdaError('States.Timeout', 'task timed out')), mentions: 'States.Timeout' },
  { name: 'thrown error', fault: async () => Promise.reject(new Error('boom: GetMetricData AccessDenied')), mentions: 'AccessDenied' },
  { name: 'malformed result', fault: async () => ({ unexpected: 'shape' }), mentions: 'MalformedResult' },
];

/** Runs the real handler (its report or publish happens), then fails the first `times` calls. */
function afterReport(target: TaskState, fault: TaskHandler, times: number) {
  let calls = 0;
  return (state: TaskState, handler: TaskHandler): TaskHandler =>
    state === target
      ? async (input) => {
          const result = await handler(input);
          return ++calls <= times ? fault(input) : result;
        }
      : handler;
}
const failing = (target: TaskState, fault: TaskHandler) => (state: TaskState, handler: TaskHandler) => (state === target ? fault : handler);
/** Fails the first `times` calls, then behaves. */
function flaky(times: number, fault: TaskHandler, target: TaskState) {
  let calls = 0;
  return (state: TaskState, handler: TaskHandler): TaskHandler => (state === target ? (input) => (++calls <= times ? fault(input) : handler(input)) : handler);
}

interface Case {
  readonly name: string;
  readonly deployment: SimulatedDeployment;
  readonly status: HookStatus;
  /** The verdict event's cause; `null`: no verdict event by design (a rollback is reported by the hook). */
  readonly cause: string | null;
  readonly mentions?: string;
  /** The publish Task never succeeds: the publication sweep finishes the one pending verdict. */
  readonly publishedBySweep?: boolean;
}

const cases: Case[] = [
  // Every Task of the bake failing in turn with each error class.
  ...[STATE.prepare, STATE.evaluate, STATE.postSmoke].flatMap((task) =>
    ERROR_CLASSES.map((error) => ({
      name: `bake: ${task} fails with a ${error.name}`,
      deployment: deployment({ wrapTask: failing(task, error.fault) }),
      status: 'Failed' as const,
      cause: 'evaluator-error',
      mentions: error.mentions,
    })),
  ),
  // Every Task of the pre-traffic phase before the report.
  ...[STATE.prepare, STATE.preSmoke].flatMap((task) =>
    ERROR_CLASSES.map((error) => ({
      name: `pre-traffic: ${task} fails with a ${error.name}`,
      deployment: deployment({ lifecycleEvent: 'BeforeAllowTraffic', wrapTask: failing(task, error.fault) }),
      status: 'Failed' as const,
      cause: 'evaluator-error',
      mentions: error.mentions,
    })),
  ),
  // The canary watch runs after the report: its failure ends the watch, the report stands.
  ...ERROR_CLASSES.map((error) => ({
    name: `canary watch fails with a ${error.name} after the report`,
    deployment: deployment({ lifecycleEvent: 'BeforeAllowTraffic', wrapTask: failing(STATE.watch, error.fault) }),
    status: 'Succeeded' as const,
    cause: 'smoke-tests',
  })),
  // The report Task failing transiently is retried: still one report, with the verdict's status.
  ...ERROR_CLASSES.filter((error) => error.name !== 'malformed result').map((error) => ({
    name: `report fails once with a ${error.name}`,
    deployment: deployment({ metrics: regressed, wrapTask: flaky(1, error.fault, STATE.report) }),
    status: 'Failed' as const,
    cause: 'verdict',
    mentions: 'lambda-error-rate',
  })),
  // The report Task failing after CodeDeploy accepted the report (a timeout after PutLifecycleEventHookExecutionStatus):
  // once, it is retried and finds the hook completed; every time, Report evaluator error finds it completed.
  // Either way exactly one verdict event, with the status CodeDeploy holds (issue 11 finding 1).
  ...ERROR_CLASSES.filter((error) => error.name !== 'malformed result').flatMap((error) => [
    {
      name: `report fails once with a ${error.name} after reporting`,
      deployment: deployment({ metrics: regressed, wrapTask: afterReport(STATE.report, error.fault, 1) }),
      status: 'Failed' as const,
      cause: 'verdict',
      mentions: 'lambda-error-rate',
    },
    {
      name: `report fails every time with a ${error.name} after reporting`,
      deployment: deployment({ wrapTask: afterReport(STATE.report, error.fault, Infinity) }),
      status: 'Succeeded' as const,
      cause: 'verdict',
    },
  ]),
  {
    // Issue 11: the report step recorded the verdict pending; the first sweep past the grace publishes it.
    name: 'publishing the verdict fails every attempt: the report stands, the sweep publishes one event',
    deployment: deployment({ wrapTask: failing(STATE.publish, ERROR_CLASSES[3].fault) }),
    status: 'Succeeded',
    cause: 'verdict',
    publishedBySweep: true,
  },
  {
    name: 'publishing fails after publishing: retried, still one event',
    deployment: deployment({ wrapTask: afterReport(STATE.publish, ERROR_CLASSES[0].fault, Infinity) }),
    status: 'Succeeded',
    cause: 'verdict',
  },
  // Malformed waits (issue 11 finding 2): Malformed step result, not States.Runtime or a failing Wait.
  ...[{ decision: 'continue' }, { decision: 'continue', waitSeconds: -5 }, { decision: 'continue', waitSeconds: 1e12 }, { decision: 'continue', waitSeconds: 'soon' }].map((tick) => ({
    name: `the bake tick returns ${JSON.stringify(tick)}`,
    deployment: deployment({ wrapTask: failing(STATE.evaluate, async () => ({ final: false, reason: 'x', periodsJudged: 0, ...tick })) }),
    status: 'Failed' as const,
    cause: 'evaluator-error',
    mentions: 'MalformedResult',
  })),
  {
    // The report stands; the event it returned for publishing is lost with the result (publishing
    // inside the report step instead is what let a retried report publish twice).
    // "Verdict reported?" sends it to Report evaluator error, which finds the hook reported and publishes that verdict.
    name: 'the report Task returns a malformed result after reporting',
    deployment: deployment({ wrapTask: (state, handler) => (state === STATE.report ? async (input) => (await handler(input), 'ok') : handler) }),
    status: 'Succeeded',
    cause: 'verdict',
  },
  {
    name: 'CodeDeploy throttles the first two reports',
    deployment: deployment({ wrapReport: flakyReporter(2) }),
    status: 'Succeeded',
    cause: 'verdict',
  },
  {
    name: 'both report states fail every attempt: the reaper reports',
    deployment: deployment({ wrapTask: (state, handler) => (state === STATE.report || state === STATE.reportError ? ERROR_CLASSES[3].fault : handler) }),
    status: 'Failed',
    cause: 'execution-failed',
  },
  {
    name: 'both report states fail and the FAILED status event is lost: the sweep reports',
    deployment: deployment({ statusEvent: 'lost', wrapTask: (state, handler) => (state === STATE.report || state === STATE.reportError ? ERROR_CLASSES[3].fault : handler) }),
    status: 'Failed',
    cause: 'execution-failed',
  },
  {
    name: 'the state machine times out and the TIMED_OUT status event is lost: the sweep reports before the hour',
    deployment: deployment({ statusEvent: 'lost', wrapTask: (state, handler) => (state === STATE.evaluate ? hang : handler) }),
    status: 'Failed',
    cause: 'execution-timed-out',
  },
  {
    name: 'duplicate hook invocations start one evaluation',
    deployment: deployment({ hookInvocations: 3 }),
    status: 'Succeeded',
    cause: 'verdict',
  },
  {
    name: 'deadline reached without data, onNoData=fail',
    deployment: deployment({ metrics: silent, policy: { onNoData: 'fail' } }),
    status: 'Failed',
    cause: 'verdict',
    mentions: 'onNoData=fail',
  },
  {
    name: 'deadline reached without data, default onNoData (pass)',
    deployment: deployment({ metrics: silent }),
    status: 'Succeeded',
    cause: 'verdict',
  },
  {
    name: 'the state machine times out (a tick hangs past 55 minutes): the reaper reports',
    deployment: deployment({ wrapTask: (state, handler) => (state === STATE.evaluate ? hang : handler) }),
    status: 'Failed',
    cause: 'execution-timed-out',
  },
  {
    name: 'an evaluator error with onEvaluatorError=pass',
    deployment: deployment({ policy: { onEvaluatorError: 'pass' }, wrapTask: failing(STATE.evaluate, ERROR_CLASSES[3].fault) }),
    status: 'Succeeded',
    cause: 'evaluator-error',
    mentions: 'AccessDenied',
  },
  {
    name: 'a timed-out execution with onEvaluatorError=pass (the reaper reads the policy)',
    deployment: deployment({ policy: { onEvaluatorError: 'pass' }, wrapTask: (state, handler) => (state === STATE.evaluate ? hang : handler) }),
    status: 'Succeeded',
    cause: 'execution-timed-out',
  },
  {
    name: 'dryRun reports Succeeded for a regression',
    deployment: deployment({ metrics: regressed, policy: { dryRun: true } }),
    status: 'Succeeded',
    cause: 'verdict',
    mentions: 'lambda-error-rate',
  },
  {
    name: 'a rollback deployment is reported Succeeded without judging',
    deployment: deployment({ creator: 'codeDeployRollback', metrics: regressed }),
    status: 'Succeeded',
    cause: null,
  },
];

/** A tick asking for an hour's wait (the longest valid): the next Task finds the execution past its 55-minute timeout. */
const hang: TaskHandler = async () => ({ decision: 'continue', final: false, reason: 'slow', waitSeconds: 3600, periodsJudged: 0 });

function flakyReporter(times: number) {
  let calls = 0;
  return (report: (ids: HookIds, status: HookStatus) => Promise<'reported' | 'already-completed'>) => async (ids: HookIds, status: HookStatus) => {
    if (++calls <= times) throw lambdaError('ThrottlingException', 'Rate exceeded');
    return report(ids, status);
  };
}

describe('fault matrix: exactly one report, whatever fails', () => {
  test('has at least 30 cases', () => {
    expect(cases.length).toBeGreaterThanOrEqual(30);
  });

  test.each(cases.map((c) => [c.name, c] as const))('%s', async (_name, testCase) => {
    const result = await simulateDeployment(definition, testCase.deployment);
    expect(result.reports.map((report) => report.status)).toEqual([testCase.status]);
    expect(result.reports[0].at.getTime() - START.getTime()).toBeLessThan(3600 * 1000);
    // The sweep runs after every execution (none without one): it reports only what no status event did.
    const sweptEnded = result.execution.status === 'SUCCEEDED' ? 0 : 1;
    const started = result.execution.statesEntered.length > 0;
    // The next sweep leaves a pending verdict to the publish Task (within the grace); the first past it finishes what that Task could not.
    expect(result.sweep).toEqual(started ? { swept: sweptEnded, reported: testCase.deployment.statusEvent === 'lost' ? 1 : 0, pendingPublications: 0, published: 0, executionsRead: 0, publishedFromExecutions: 0 } : undefined);
    const finished = testCase.publishedBySweep ? 1 : 0;
    if (started) expect(result.publicationSweep).toMatchObject({ pendingPublications: finished, published: finished });
    if (testCase.cause === null) {
      expect(result.verdictEvents).toEqual([]);
      return;
    }
    const hookEvents = result.verdictEvents.filter((event) => event.status !== 'NotReported');
    // Exactly one verdict event, and it says what CodeDeploy accepted.
    expect(hookEvents).toEqual([expect.objectContaining({ status: testCase.status, cause: testCase.cause })]);
    expect(hookEvents[0].status).toBe(result.reports[0].status);
    if (testCase.mentions) expect(result.verdictEvents[0].reason).toContain(testCase.mentions);
    expect(JSON.stringify(result.execution.output ?? {}).length).toBeLessThan(256 * 1024);
  });
});
