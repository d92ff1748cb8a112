import { PutMetricDataCommand, type CloudWatchClient, type MetricDatum } from '@aws-sdk/client-cloudwatch';
import { PutEventsCommand, type EventBridgeClient } from '@aws-sdk/client-eventbridge';
import type { VerdictEvent, VerdictSink, VerdictSubject } from '../../evaluation/ports';
import { COST_PER_REQUEST_METRIC, overrideMetricAction, VERDICT_METRIC, VERDICT_NAMESPACE, type CostPerRequestFigure } from '../../evaluation/verdict-metric';

/** The `Canary Verdict` event on the default bus: source and detail type rules match on. */
export const VERDICT_EVENT_SOURCE = 'canary-evaluator';
export const VERDICT_DETAIL_TYPE = 'Canary Verdict';

/** "Each request is also limited to no more than 1000 different metrics" (CloudWatch API Reference, PutMetricData). */
export const PUT_METRIC_DATA_MAX_METRICS = 1000;

function dimensions(subject: VerdictSubject) {
  return [
    { Name: 'ApplicationName', Value: subject.applicationName },
    { Name: 'DeploymentGroupName', Value: subject.deploymentGroupName },
  ];
}

/**
 * Publishes verdicts as the verdict-metric contract says (`lib/evaluation/verdict-metric.ts`):
 * `PutMetricData` in the `CanaryEvaluator` namespace (IAM allows no other) and `PutEvents` on the default bus.
 */
export class AwsVerdictSink implements VerdictSink {
  constructor(
    private readonly cloudwatch: CloudWatchClient,
    private readonly eventbridge: EventBridgeClient,
    private readonly now: () => Date = () => new Date(),
  ) {}

  async publishTick(subject: VerdictSubject, failed: boolean, costs: readonly CostPerRequestFigure[] = []): Promise<void> {
    const at = this.now();
    // One call per tick for any policy of up to 499 cost metrics; beyond, `putMetrics` splits it.
    await this.putMetrics([
      { MetricName: VERDICT_METRIC.failed, Dimensions: dimensions(subject), Value: failed ? 1 : 0, Unit: 'Count', Timestamp: at },
      ...costs.map((cost) => ({
        MetricName: COST_PER_REQUEST_METRIC,
        Dimensions: [...dimensions(subject), { Name: 'Metric', Value: cost.metric }, { Name: 'Arm', Value: cost.arm }],
        Value: cost.usd,
        Unit: 'None' as const,
        Timestamp: at,
      })),
    ]);
  }

  async publishVerdictMetrics(event: VerdictEvent): Promise<void> {
    const at = this.now();
    const metrics: MetricDatum[] = [
      { MetricName: VERDICT_METRIC.verdicts, Dimensions: dimensions(event), Value: 1, Unit: 'Count', Timestamp: at },
      // A rollback is a failing verdict that acted: reported Failed, or a canary watch that failed outside a dry run.
      { MetricName: VERDICT_METRIC.rollbacks, Dimensions: dimensions(event), Value: isRollback(event) ? 1 : 0, Unit: 'Count', Timestamp: at },
      { MetricName: VERDICT_METRIC.inconclusive, Dimensions: dimensions(event), Value: event.decision === 'inconclusive' ? 1 : 0, Unit: 'Count', Timestamp: at },
      { MetricName: VERDICT_METRIC.timeToVerdict, Dimensions: dimensions(event), Value: event.timeToVerdictSeconds, Unit: 'Seconds', Timestamp: at },
      ...(event.override
        ? [{ MetricName: VERDICT_METRIC.overrides, Dimensions: [...dimensions(event), { Name: 'Action', Value: overrideMetricAction(event.override) }], Value: 1, Unit: 'Count' as const, Timestamp: at }]
        : []),
    ];
    await this.putMetrics(metrics);
  }

  async publishVerdictEvent(event: VerdictEvent): Promise<void> {
    const result = await this.eventbridge.send(
      new PutEventsCommand({ Entries: [{ Source: VERDICT_EVENT_SOURCE, DetailType: VERDICT_DETAIL_TYPE, Detail: JSON.stringify(event), Resources: [], Time: this.now() }] }),
    );
    if (result.FailedEntryCount) {
      const entry = result.Entries?.find((e) => e.ErrorCode);
      throw new Error(`PutEvents rejected the verdict event: ${entry?.ErrorCode ?? 'unknown'} ${entry?.ErrorMessage ?? ''}`.trim());
    }
  }

  /** In calls of at most 1,000 datums, in order: `VerdictFailed` (first) goes out in the first call. */
  private async putMetrics(data: MetricDatum[]): Promise<void> {
    for (let start = 0; start < data.length; start += PUT_METRIC_DATA_MAX_METRICS) {
      await this.cloudwatch.send(new PutMetricDataCommand({ Namespace: VERDICT_NAMESPACE, MetricData: data.slice(start, start + PUT_METRIC_DATA_MAX_METRICS) }));
    }
  }
}

export function isRollback(event: VerdictEvent): boolean {
  return !event.dryRun && (event.status === 'Failed' || (event.status === 'NotReported' && event.decision === 'fail'));
}
