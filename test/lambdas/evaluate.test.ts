import { CloudWatchClient, GetMetricDataCommand, PutMetricDataCommand } from '@aws-sdk/client-cloudwatch';
import { GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { createEvaluateHandler } from '../../lib/evaluation/handlers';
import { CloudWatchMetricSource } from '../../lib/adapters/aws/cloudwatch-metric-source';
import { S3PolicyStore } from '../../lib/adapters/aws/s3-policy-store';
import { AwsVerdictSink } from '../../lib/adapters/aws/verdict-sink';
import { planEvaluation, type EvaluationInput } from '../../lib/evaluation';
import { parsePolicy } from '../../lib/policy';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';

const cloudwatch = mockClient(CloudWatchClient);
const s3 = mockClient(S3Client);
const policy = parsePolicy({ metrics: [{ preset: 'lambda-error-rate' }], bake: { duration: '10m', period: '60s' }, metricLag: '3m' });
const input: EvaluationInput = {
  deploymentId: 'd-A1B2C3D4E',
  lifecycleEventHookExecutionId: 'hook',
  lifecycleEvent: 'AfterAllowTraffic',
  applicationName: 'orders-app',
  deploymentGroupName: 'orders-group',
  target: { type: 'lambda', functionName: 'orders', alias: 'live', currentVersion: '1', targetVersion: '2' },
  policyRef: { bucket: 'assets', key: 'evaluate.json' },
  hookInvokedAt: '2026-11-26T10:00:00.000Z',
  deploymentCreatedAt: '2026-11-26T09:50:00.000Z',
};
const T0 = Date.parse(input.hookInvokedAt);

beforeEach(() => {
  cloudwatch.reset();
  s3.reset();
  s3.on(GetObjectCommand).resolves({ Body: { transformToString: async () => JSON.stringify(policy) } } as never);
  cloudwatch.on(PutMetricDataCommand).resolves({});
});

describe('evaluate handler (CloudWatch mocked)', () => {
  const handlerAt = (minutes: number) =>
    createEvaluateHandler({
      policies: new S3PolicyStore(new S3Client({})),
      metrics: new CloudWatchMetricSource(new CloudWatchClient({})),
      sink: new AwsVerdictSink(new CloudWatchClient({}), new EventBridgeClient({})),
      now: () => new Date(T0 + minutes * 60000),
    });

  test('judges only complete periods older than the lag, and publishes VerdictFailed for the tick', async () => {
    cloudwatch.on(GetMetricDataCommand).resolves({ MetricDataResults: [] });
    const tick = await handlerAt(7.5)({ input, plan: planEvaluation(input, policy) });
    const request = cloudwatch.commandCalls(GetMetricDataCommand)[0].args[0].input;
    // now − 3 min lag = 10:04:30 → the complete periods end at 10:04; the baseline window ends at deployment creation.
    expect(request.EndTime).toEqual(new Date(T0 + 4 * 60000));
    expect(request.StartTime).toEqual(new Date(T0 - 20 * 60000));
    expect(tick).toMatchObject({ decision: 'continue', periodsJudged: 4 });
    const published = cloudwatch.commandCalls(PutMetricDataCommand)[0].args[0].input;
    expect(published).toMatchObject({ Namespace: 'CanaryEvaluator', MetricData: [{ MetricName: 'VerdictFailed', Value: 0 }] });
  });

  test('series without datapoints are no data, not zero errors: no traffic cannot pass or fail the canary', async () => {
    // Only the canary's error count has a datapoint: without its invocations there is no period to judge.
    const empty = (Id: string) => ({ Id, Timestamps: [], Values: [], StatusCode: 'Complete' as const });
    cloudwatch.on(GetMetricDataCommand).resolves({
      MetricDataResults: [{ Id: 'm0_canary_count', Timestamps: [new Date(T0)], Values: [50], StatusCode: 'Complete' }, empty('m0_canary_total'), empty('m0_baseline_count'), empty('m0_baseline_total')],
    });
    const tick = await handlerAt(7.5)({ input, plan: planEvaluation(input, policy) });
    expect(tick.verdict.metrics[0]).toMatchObject({ decision: 'nodata', canary: { periods: 0 } });
  });

  test('series CloudWatch returns no result for are not judged, and say so (issue 22.1)', async () => {
    cloudwatch.on(GetMetricDataCommand).resolves({ MetricDataResults: [{ Id: 'm0_canary_count', Timestamps: [new Date(T0)], Values: [50], StatusCode: 'Complete' }] });
    const tick = await handlerAt(7.5)({ input, plan: planEvaluation(input, policy) });
    expect(tick.verdict.metrics[0]).toMatchObject({ decision: 'continue' });
    expect(tick.verdict.metrics[0].dataIncomplete).toContain("CloudWatch returned no result for the new version's total (query m0_canary_total)");
  });

  test('a dry run publishes no VerdictFailed (its alarm would stop the deployment)', async () => {
    cloudwatch.on(GetMetricDataCommand).resolves({ MetricDataResults: [] });
    await handlerAt(7.5)({ input, plan: { ...planEvaluation(input, policy), dryRun: true } });
    expect(cloudwatch.commandCalls(PutMetricDataCommand)).toHaveLength(0);
  });

  test('rejects a malformed request naming the field', async () => {
    await expect(handlerAt(1)({ input, plan: { ...planEvaluation(input, policy), periodSeconds: 'x' } })).rejects.toThrow('plan.periodSeconds: expected an integer');
  });
});
