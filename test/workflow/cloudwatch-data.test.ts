import { CloudWatchMetricSource } from '../../lib/adapters/aws/cloudwatch-metric-source';
import type { LifecycleEvent } from '../../lib/evaluation';
import { parsePolicy, type PolicyInput } from '../../lib/policy';
import { synthesizeEvaluationDefinition } from '../../lib/simulate/definition';
import { simulateDeployment } from '../../lib/simulate/deployment';
import { SimulatedCloudWatch, type CloudWatchFaults, type ResultFault } from '../../lib/simulate/simulated-cloudwatch';
import { SteadyMetricSource } from '../../lib/simulate/steady-metric-source';

/**
 * Issue 22 item 1 and issue 23 item 5, end to end: the synthesized state machine with the real handlers,
 * the real CloudWatch adapter and a simulated CloudWatch answering in the documented response shape
 * (CloudWatch API Reference, GetMetricData / MetricDataResult). A result that is not `Complete` is
 * never read as zero errors, and throttling skips a look instead of rolling back.
 */
const definition = synthesizeEvaluationDefinition();
const START = new Date('2026-11-26T10:00:00Z');
const baseline = { requestsPerMinute: 900, errorRate: 0.01, p99Ms: 300 };
const healthy = new SteadyMetricSource({ '1': baseline, '2': { ...baseline, requestsPerMinute: 300 } });
/** ×5 errors on the new version. */
const regressed = new SteadyMetricSource({ '1': baseline, '2': { ...baseline, requestsPerMinute: 300, errorRate: 0.05 } });
const CANARY_ERRORS = 'm0_canary_count';

const METHODS = {
  sequential: { type: 'sequential' },
  threshold: { type: 'threshold', maxRatioToBaseline: 2, failureLimit: 2 },
} as const;

function run(options: { truth: SteadyMetricSource; faults: CloudWatchFaults; lifecycleEvent?: LifecycleEvent; method?: keyof typeof METHODS; policy?: Partial<PolicyInput> }) {
  const policy = parsePolicy({
    metrics: [{ preset: 'lambda-error-rate', method: METHODS[options.method ?? 'sequential'] }],
    bake: { duration: '10m', period: '60s' },
    canaryWatch: { period: '60s', maxDuration: '10m' },
    metricLag: '2m',
    ...options.policy,
  });
  let cloudwatch: SimulatedCloudWatch | undefined;
  const result = simulateDeployment(definition, {
    deploymentId: 'd-CWDATA001',
    start: START,
    appSpec: { functionName: 'orders', alias: 'live', currentVersion: '1', targetVersion: '2' },
    lifecycleEvent: options.lifecycleEvent ?? 'AfterAllowTraffic',
    policy,
    metrics: (now) => {
      cloudwatch = new SimulatedCloudWatch(options.truth, now, options.faults);
      return new CloudWatchMetricSource(cloudwatch, { sleep: async () => undefined });
    },
  });
  return result.then((outcome) => ({ ...outcome, cloudwatch: cloudwatch! }));
}

const always = (fault: ResultFault) => (id: string) => (id === CANARY_ERRORS ? fault : undefined);
const STATUSES = ['InternalError', 'Forbidden', 'PartialData'] as const;

describe('a result that is not Complete is never read as zero errors (issue 22.1)', () => {
  test.each(STATUSES.flatMap((statusCode) => (['sequential', 'threshold'] as const).map((method) => [statusCode, method] as const)))(
    'bake, ×5 errors, the canary Errors query stays %s (%s): inconclusive with the reason, never pass',
    async (statusCode, method) => {
      const outcome = await run({ truth: regressed, method, faults: { result: always({ statusCode, message: `Errors: ${statusCode} from CloudWatch` }) } });
      const event = outcome.verdictEvents.at(-1)!;
      expect(event.decision).toBe('inconclusive');
      expect(event.reason).toContain(`CloudWatch returned ${statusCode}`);
      expect(event.reason).toContain(`Errors: ${statusCode} from CloudWatch`);
      expect(outcome.reports).toHaveLength(1);
    },
  );

  test.each(STATUSES)('bake, ×5 errors, the canary Errors query stays %s under onInconclusive: fail: CodeDeploy hears Failed', async (statusCode) => {
    const outcome = await run({ truth: regressed, faults: { result: always({ statusCode }) }, policy: { onInconclusive: 'fail' } });
    expect(outcome.reports.map((report) => report.status)).toEqual(['Failed']);
  });

  // A gate that cannot read a critical metric is blind, not undecided: under the default policy it rolls back as
  // for an evaluator error (onEvaluatorError: fail), never promotes; onInconclusive is for traffic too low to decide.
  test.each(STATUSES.flatMap((statusCode) => (['regressed', 'healthy'] as const).map((truth) => [statusCode, truth] as const)))(
    'bake, the canary Errors query stays %s (%s release), default policy: CodeDeploy hears Failed, and the action says why',
    async (statusCode, truth) => {
      const outcome = await run({ truth: truth === 'regressed' ? regressed : healthy, faults: { result: always({ statusCode }) } });
      expect(outcome.reports.map((report) => report.status)).toEqual(['Failed']);
      const event = outcome.verdictEvents.at(-1)!;
      expect(event).toMatchObject({ decision: 'inconclusive', status: 'Failed' });
      expect(event.codeDeploy).toBe('rolled back without a verdict: the metric data could not be read (onEvaluatorError: fail)');
    },
  );

  test.each(STATUSES)('bake, the canary Errors query stays %s under onEvaluatorError: pass: promoted, and the action says it was unjudged', async (statusCode) => {
    const outcome = await run({ truth: healthy, faults: { result: always({ statusCode }) }, policy: { onEvaluatorError: 'pass' } });
    expect(outcome.reports.map((report) => report.status)).toEqual(['Succeeded']);
    expect(outcome.verdictEvents.at(-1)!.codeDeploy).toBe('promoted without a verdict: the metric data could not be read (onEvaluatorError: pass)');
  });

  test.each(STATUSES)('bake, ×5 errors, %s in the first two reads, then Complete: re-read, the regression fails', async (statusCode) => {
    const outcome = await run({ truth: regressed, faults: { result: (id, _now, call) => (id === CANARY_ERRORS && call <= 2 ? { statusCode } : undefined) } });
    expect(outcome.verdictEvents.at(-1)).toMatchObject({ decision: 'fail', status: 'Failed' });
  });

  test('bake, ×5 errors, the newest canary Errors datapoint missing from a PartialData result at every look: not judged on partial data', async () => {
    const outcome = await run({ truth: regressed, faults: { result: always({ statusCode: 'PartialData', datapoints: 'all-but-newest' }) } });
    // Re-read and still partial at every look, so the metric is not judged; it stays inconclusive with the reason.
    expect(outcome.verdictEvents.at(-1)?.decision).toBe('inconclusive');
    expect(outcome.verdictEvents.at(-1)?.reason).toContain('CloudWatch returned PartialData');
  });

  test.each(STATUSES)('canary watch, ×5 errors, the canary Errors query stays %s: the watch does not pass', async (statusCode) => {
    const outcome = await run({ truth: regressed, lifecycleEvent: 'BeforeAllowTraffic', faults: { result: always({ statusCode }) } });
    const last = outcome.watchTicks.at(-1)!.tick;
    expect(last.decision).not.toBe('pass');
    expect(last.reason).toContain(`CloudWatch returned ${statusCode}`);
  });

  test('canary watch, ×5 errors, InternalError in the first read only: the verdict alarm fires', async () => {
    const outcome = await run({ truth: regressed, lifecycleEvent: 'BeforeAllowTraffic', faults: { result: (id, _now, call) => (id === CANARY_ERRORS && call === 1 ? { statusCode: 'InternalError' } : undefined) } });
    expect(outcome.verdictFailed).toContain(1);
    expect(outcome.watchTicks.at(-1)!.tick.decision).toBe('fail');
  });

  test('a healthy release whose results are Complete still passes (control)', async () => {
    const outcome = await run({ truth: healthy, method: 'threshold', faults: {} });
    expect(outcome.verdictEvents.at(-1)).toMatchObject({ decision: 'pass', status: 'Succeeded' });
  });
});

describe('throttling skips a look, it does not roll back a healthy release (issue 23.5)', () => {
  const minutes = (now: Date) => (now.getTime() - START.getTime()) / 60000;

  test.each([
    ['3 minutes', 4, 7],
    ['8 minutes', 2, 10],
  ] as const)('bake: GetMetricData throttled for %s: looks skipped, the healthy release passes', async (_name, from, until) => {
    const outcome = await run({ truth: healthy, method: 'threshold', faults: { throttled: (now) => minutes(now) >= from && minutes(now) < until } });
    expect(outcome.cloudwatch.throttledCalls).toBeGreaterThan(0);
    expect(outcome.ticks.some(({ tick }) => tick.reason.includes('throttled'))).toBe(true);
    expect(outcome.verdictEvents.at(-1)).toMatchObject({ decision: 'pass', status: 'Succeeded' });
  });

  test('bake: throttled at every call until the deadline: inconclusive with the reason, reported as onEvaluatorError says (fail)', async () => {
    const outcome = await run({ truth: healthy, faults: { throttled: () => true } });
    const event = outcome.verdictEvents.at(-1)!;
    expect(event).toMatchObject({ decision: 'inconclusive', cause: 'verdict', status: 'Failed' });
    expect(event.codeDeploy).toContain('the metric data could not be read');
    expect(event.reason).toContain('throttled');
    expect(outcome.reports).toHaveLength(1);
  });

  test('bake: a regression is still found once the throttling stops', async () => {
    const outcome = await run({ truth: regressed, faults: { throttled: (now) => minutes(now) < 6 } });
    expect(outcome.verdictEvents.at(-1)).toMatchObject({ decision: 'fail', status: 'Failed' });
  });

  test('canary watch: throttled for 4 minutes, the watch goes on and ends without an error', async () => {
    const outcome = await run({ truth: healthy, method: 'threshold', lifecycleEvent: 'BeforeAllowTraffic', faults: { throttled: (now) => minutes(now) >= 2 && minutes(now) < 6 } });
    expect(outcome.watchTicks.some(({ tick }) => tick.reason.includes('throttled'))).toBe(true);
    expect(outcome.watchTicks.at(-1)!.tick.decision).toBe('pass');
    expect(outcome.reports.map((report) => report.status)).toEqual(['Succeeded']);
  });
});
