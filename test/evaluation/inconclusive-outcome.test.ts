import { codeDeployAction } from '../../lib/evaluation/action';
import { DEFAULT_SWITCHES, hookStatusFor, reportSwitchesOf } from '../../lib/evaluation/conclude';
import { parseOutcome, parseReportSwitches } from '../../lib/evaluation/state';
import { judge, type Observations } from '../../lib/judge';
import { parsePolicy } from '../../lib/policy';

const inconclusive = { decision: 'inconclusive', cause: 'verdict', reason: 'no verdict by the deadline (traffic too low)' } as const;

describe('inconclusive: a deadline without a verdict', () => {
  test('onInconclusive decides what CodeDeploy hears; its default is pass', () => {
    expect(parsePolicy({ metrics: [{ preset: 'lambda-error-rate' }] })).toMatchObject({ onInconclusive: 'pass', onTimeout: 'inconclusive', onNoData: 'inconclusive' });
    expect(hookStatusFor(inconclusive, DEFAULT_SWITCHES)).toBe('Succeeded');
    expect(hookStatusFor(inconclusive, { ...DEFAULT_SWITCHES, onInconclusive: 'fail' })).toBe('Failed');
    // Every report path reads it from the execution input's switches: only an explicit `fail` rolls back.
    expect(reportSwitchesOf({ switches: { dryRun: false, onEvaluatorError: 'fail', onInconclusive: 'fail' } }).onInconclusive).toBe('fail');
    expect(reportSwitchesOf({ switches: { dryRun: false, onEvaluatorError: 'fail' } }).onInconclusive ?? 'pass').toBe('pass');
    expect(hookStatusFor(inconclusive, reportSwitchesOf({ switches: { dryRun: false, onEvaluatorError: 'fail', onInconclusive: 'maybe' } }))).toBe('Succeeded');
  });

  test('travels through state: the outcome accepts it, and a bad switch names its path', () => {
    expect(parseOutcome(inconclusive).decision).toBe('inconclusive');
    expect(() => parseReportSwitches({ dryRun: false, onEvaluatorError: 'fail', onInconclusive: 'maybe' }, 'execution.switches')).toThrow(/execution\.switches\.onInconclusive/);
  });

  test('every view says "promoted without a verdict", never just "promoted"', () => {
    expect(codeDeployAction({ lifecycleEvent: 'AfterAllowTraffic', status: 'Succeeded', decision: 'inconclusive', dryRun: false })).toBe('promoted without a verdict');
    expect(codeDeployAction({ lifecycleEvent: 'AfterAllowTraffic', status: 'Failed', decision: 'inconclusive', dryRun: false })).toBe('rolled back without a verdict (onInconclusive: fail)');
    expect(codeDeployAction({ lifecycleEvent: 'AfterAllowTraffic', status: 'Succeeded', decision: 'pass', dryRun: false })).toBe('promoted');
  });

  test('the judge says why at the deadline: which metric, how little traffic, what would have decided', () => {
    const policy = parsePolicy({ metrics: [{ preset: 'lambda-error-rate' }] });
    const periods = Array.from({ length: 10 }, (_, i) => ({ t: i * 60, count: i % 5 === 0 ? 1 : 0, total: 3 }));
    const observations: Observations = { 'lambda-error-rate': { kind: 'count', canary: periods, baseline: periods.map((p) => ({ ...p, total: 30, count: p.count * 10 })) } };
    const undecided = judge(policy, observations, { deadlineReached: false });
    expect(undecided.decision).toBe('continue');
    const verdict = judge(policy, observations, { deadlineReached: true });
    expect(verdict).toMatchObject({ decision: 'inconclusive', final: true, inconclusive: { lowTraffic: true, metrics: ['lambda-error-rate'] } });
    expect(verdict.reason).toMatch(/^no verdict by the deadline \(traffic too low: 30 requests on the new version, roughly [\d,]+ would have decided\): lambda-error-rate undecided$/);
  });
});
