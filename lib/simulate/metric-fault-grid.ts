import { CloudWatchMetricSource } from '../adapters/aws/cloudwatch-metric-source';
import type { LifecycleEvent } from '../evaluation';
import { simulateDeployment } from './deployment';
import { FAULT_GRID_START, faultGridDeployment, faultOutcomeOf, type FaultOutcome } from './fault-grid';
import { SimulatedCloudWatch, type CloudWatchFaults } from './simulated-cloudwatch';
import { SteadyMetricSource } from './steady-metric-source';

/**
 * The fault grid's CloudWatch rows (issues 22.1 and 23.5): GetMetricData throttled (once, for minutes,
 * until the deadline) and the new version's Errors result not `Complete` (once, or every time), read
 * by the real `CloudWatchMetricSource` from a simulated CloudWatch in the documented response shape,
 * in both phases. Besides the grid's guarantees (one accepted report, one matching verdict event, no
 * hang), a case must not end as an evaluator error: missing data skips a look or ends inconclusive.
 */
export interface MetricFaultCase {
  readonly name: string;
  readonly lifecycleEvent: LifecycleEvent;
  readonly faults: CloudWatchFaults;
}

export interface MetricFaultOutcome extends FaultOutcome {
  /** The verdict event's cause was `evaluator-error` (what throttling used to end in). */
  readonly evaluatorError: boolean;
  /** The bake's last verdict, or the watch's last decision. */
  readonly decision?: string;
}

const minutesSinceStart = (now: Date) => (now.getTime() - FAULT_GRID_START.getTime()) / 60000;
const CANARY_ERRORS = 'm0_canary_count';

const FAULTS: ReadonlyArray<readonly [string, CloudWatchFaults]> = [
  ['GetMetricData throttled once', { throttled: (_now, call) => call === 1 }],
  ['GetMetricData throttled for 3 minutes', { throttled: (now) => minutesSinceStart(now) >= 2 && minutesSinceStart(now) < 5 }],
  ['GetMetricData throttled for 10 minutes', { throttled: (now) => minutesSinceStart(now) < 10 }],
  ['GetMetricData throttled until the deadline', { throttled: () => true }],
  ['canary Errors InternalError once', { result: (id, _now, call) => (id === CANARY_ERRORS && call === 1 ? { statusCode: 'InternalError' } : undefined) }],
  ['canary Errors PartialData every time', { result: (id) => (id === CANARY_ERRORS ? { statusCode: 'PartialData', datapoints: 'all-but-newest' } : undefined) }],
  ['canary Errors Forbidden every time', { result: (id) => (id === CANARY_ERRORS ? { statusCode: 'Forbidden' } : undefined) }],
];

export function metricFaultGrid(): MetricFaultCase[] {
  const phases: LifecycleEvent[] = ['BeforeAllowTraffic', 'AfterAllowTraffic'];
  return phases.flatMap((lifecycleEvent) => FAULTS.map(([fault, faults]) => ({ name: `${lifecycleEvent}: ${fault}`, lifecycleEvent, faults })));
}

/** The truth the simulated CloudWatch answers from: the fault grid's healthy deployment. */
const baseline = { requestsPerMinute: 900, errorRate: 0.01, p99Ms: 300 };
const truth = new SteadyMetricSource({ '1': baseline, '2': { ...baseline, requestsPerMinute: 100 } });

export async function runMetricFaultCase(definition: Record<string, unknown>, testCase: MetricFaultCase): Promise<MetricFaultOutcome> {
  const result = await simulateDeployment(
    definition,
    faultGridDeployment({
      lifecycleEvent: testCase.lifecycleEvent,
      metrics: (now) => new CloudWatchMetricSource(new SimulatedCloudWatch(truth, now, testCase.faults), { sleep: async () => undefined }),
    }),
  );
  return {
    ...faultOutcomeOf(testCase.name, result, false),
    evaluatorError: result.verdictEvents.some((event) => event.cause === 'evaluator-error'),
    decision: testCase.lifecycleEvent === 'AfterAllowTraffic' ? result.ticks.at(-1)?.tick.decision : result.watchTicks.at(-1)?.tick.decision,
  };
}
