import { STATE, type TaskState } from '../../lib/constructs';
import { handleHookEvent, type HookDependencies, type HookIds, type HookStatus } from '../../lib/evaluation';
import { parsePolicy, type PolicyInput } from '../../lib/policy';
import { synthesizeEvaluationDefinition } from '../../lib/simulate/definition';
import { simulateDeployment, type SimulatedDeployment } from '../../lib/simulate/deployment';
import type { TaskHandler } from '../../lib/simulate/run-local';
import { FAULT_GRID_START, faultGridDeployment } from '../../lib/simulate/fault-grid';

/**
 * Issue 11 finding 7: whichever path reports an evaluator error (the hook, *Report evaluator error*
 * before or after a plan exists, the reaper), the status follows the registration's
 * `onEvaluatorError` and `dryRun`, read from the same execution input.
 */
const definition = synthesizeEvaluationDefinition();
const START = FAULT_GRID_START;

const POLICY: PolicyInput = {
  metrics: [{ preset: 'lambda-error-rate', method: { type: 'threshold', maxRatioToBaseline: 2, failureLimit: 2 } }],
  bake: { duration: '5m', period: '60s' },
  metricLag: '2m',
};

const deployment = (policy: Partial<PolicyInput>, wrapTask: SimulatedDeployment['wrapTask']): SimulatedDeployment =>
  faultGridDeployment({ lifecycleEvent: 'AfterAllowTraffic', policy: parsePolicy({ ...POLICY, ...policy }), wrapTask });

const boom: TaskHandler = async () => Promise.reject(new Error('boom: S3 AccessDenied'));
const failing = (target: TaskState) => (state: TaskState, handler: TaskHandler) => (state === target ? boom : handler);
const hang: TaskHandler = async () => ({ decision: 'continue', final: false, reason: 'slow', waitSeconds: 3600, periodsJudged: 0 });
const hanging = (state: TaskState, handler: TaskHandler) => (state === STATE.evaluate ? hang : handler);

const PATHS: ReadonlyArray<readonly [string, SimulatedDeployment['wrapTask']]> = [
  ['Prepare fails (no plan yet)', failing(STATE.prepare)],
  ['a tick fails (plan made)', failing(STATE.evaluate)],
  ['the execution times out (the reaper reports)', hanging],
];

const SETTINGS: ReadonlyArray<readonly [string, Partial<PolicyInput>, HookStatus]> = [
  ['onEvaluatorError=pass', { onEvaluatorError: 'pass' }, 'Succeeded'],
  ['onEvaluatorError=fail', { onEvaluatorError: 'fail' }, 'Failed'],
  ['dryRun', { dryRun: true }, 'Succeeded'],
];

describe('one onEvaluatorError rule on every evaluator-error path', () => {
  const cases = PATHS.flatMap(([path, wrap]) => SETTINGS.map(([setting, policy, status]) => [`${path}, ${setting}: ${status}`, wrap, policy, status] as const));
  test.each(cases)('%s', async (_name, wrap, policy, status) => {
    const result = await simulateDeployment(definition, deployment(policy, wrap));
    expect(result.reports.map((report) => report.status)).toEqual([status]);
    const events = result.verdictEvents.filter((event) => event.status !== 'NotReported');
    expect(events).toEqual([expect.objectContaining({ status, decision: 'error' })]);
  });

  describe('the hook, when it cannot start an evaluation', () => {
    function hookDeps(switches: HookDependencies['switches'], reports: HookStatus[]): HookDependencies {
      return {
        lifecycleEvent: 'BeforeAllowTraffic',
        policyRef: { bucket: 'b', key: 'k' },
        switches,
        deployments: { readDeployment: async () => Promise.reject(new Error('GetDeployment throttled')), readEcsTarget: async () => Promise.reject(new Error('unused')) },
        starter: { start: async () => 'started', exists: async () => false },
        reporter: { report: async (_ids: HookIds, status: HookStatus) => (reports.push(status), 'reported') },
        now: () => START,
        log: { info: () => undefined, error: () => undefined },
      };
    }
    const event = { DeploymentId: 'd-RULE00001', LifecycleEventHookExecutionId: 'hook-1' };

    test.each([
      ['pass', { dryRun: false, onEvaluatorError: 'pass' }, 'Succeeded'],
      ['fail', { dryRun: false, onEvaluatorError: 'fail' }, 'Failed'],
      ['dryRun', { dryRun: true, onEvaluatorError: 'fail' }, 'Succeeded'],
    ] as const)('%s', async (_name, switches, status) => {
      const reports: HookStatus[] = [];
      const outcome = await handleHookEvent(event, hookDeps(switches, reports));
      expect(reports).toEqual([status]);
      expect(outcome).toEqual(expect.objectContaining({ outcome: 'reported', status, reason: expect.stringContaining('GetDeployment throttled') }));
    });
  });
});
