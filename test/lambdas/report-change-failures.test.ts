import { CloudWatchClient, PutMetricDataCommand } from '@aws-sdk/client-cloudwatch';
import { GetObjectCommand, ListObjectsV2Command, PutObjectCommand, S3Client, S3ServiceException } from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { CloudWatchChangeFailureSink, S3PromotionStore } from '../../lib/adapters/aws/s3-change-failures';
import { createReportHandler } from '../../lib/evaluation/handlers/report';
import type { VerdictEvent } from '../../lib/evaluation/ports';

const s3 = mockClient(S3Client);
const cloudwatch = mockClient(CloudWatchClient);

/** A bucket kept in memory, with S3's conditional create (`If-None-Match: *` on an existing key: 412). */
function fakeBucket(): Map<string, string> {
  const objects = new Map<string, string>();
  s3.on(PutObjectCommand).callsFake((input: { Key: string; Body: string; IfNoneMatch?: string }) => {
    if (input.IfNoneMatch === '*' && objects.has(input.Key)) throw new S3ServiceException({ name: 'PreconditionFailed', $fault: 'client', $metadata: { httpStatusCode: 412 }, message: 'PreconditionFailed' });
    objects.set(input.Key, input.Body);
    return {};
  });
  s3.on(GetObjectCommand).callsFake((input: { Key: string }) => {
    const text = objects.get(input.Key);
    if (text === undefined) throw new S3ServiceException({ name: 'AccessDenied', $fault: 'client', $metadata: { httpStatusCode: 403 }, message: 'AccessDenied' });
    return { Body: { transformToString: async () => text } };
  });
  s3.on(ListObjectsV2Command).callsFake((input: { Prefix: string }) => ({ Contents: [...objects.keys()].filter((key) => key.startsWith(input.Prefix)).map((Key) => ({ Key })) }));
  return objects;
}

const unused = () => Promise.reject(new Error('not used by a publish'));
const handler = createReportHandler({
  reporter: { report: unused },
  sink: { publishTick: unused, publishVerdictMetrics: async () => undefined, publishVerdictEvent: async () => undefined },
  executions: { readInput: unused },
  endedExecutions: { listEnded: unused },
  now: () => new Date('2026-12-07T10:00:00Z'),
  changeFailures: { store: new S3PromotionStore(new S3Client({ region: 'us-east-1' }), 'report-bucket'), sink: new CloudWatchChangeFailureSink(new CloudWatchClient({ region: 'us-east-1' })) },
});

const execution = (deploymentId: string, lifecycleEvent: string, currentVersion: string, targetVersion: string) => ({
  deploymentId,
  lifecycleEventHookExecutionId: `h-${deploymentId}-${lifecycleEvent}`,
  lifecycleEvent,
  applicationName: 'orders-app',
  deploymentGroupName: 'orders-group',
  target: { type: 'lambda', functionName: 'orders', alias: 'live', currentVersion, targetVersion },
  policyRef: { bucket: 'assets', key: 'policy.json' },
  hookInvokedAt: '2026-12-07T09:00:00.000Z',
});
const event = (input: ReturnType<typeof execution>, status: VerdictEvent['status'] = 'Succeeded', decision: VerdictEvent['decision'] = 'pass'): VerdictEvent => ({
  deploymentId: input.deploymentId,
  applicationName: input.applicationName,
  deploymentGroupName: input.deploymentGroupName,
  lifecycleEvent: input.lifecycleEvent,
  status,
  decision,
  cause: 'verdict',
  reason: 'r',
  dryRun: false,
  timeToVerdictSeconds: 600,
});
/** The *Publish verdict* Task, as the state machine calls it (evaluation-definition.ts). */
const publish = (input: ReturnType<typeof execution>, verdict = event(input)) => handler({ mode: 'publish', event: verdict, execution: input, executionArn: `arn:aws:states:us-east-1:123456789012:execution:Evaluation:${input.deploymentId}` });
const escapedMetrics = () => cloudwatch.commandCalls(PutMetricDataCommand).map((call) => call.args[0].input);

beforeEach(() => {
  s3.reset();
  cloudwatch.reset();
  cloudwatch.on(PutMetricDataCommand).resolves({});
});

describe('report function, publish step: escaped change failures', () => {
  test('the bake’s pass records the group’s last promotion; a later redeploy of the replaced version publishes ChangeFailures Kind=Escaped once', async () => {
    const objects = fakeBucket();
    const release = execution('d-R', 'AfterAllowTraffic', '1', '2');
    await expect(publish(release)).resolves.toEqual({ published: true });
    expect(JSON.parse(objects.get('change-failures/orders-app/orders-group/last-promotion.json')!)).toEqual({ deploymentId: 'd-R', applicationName: 'orders-app', deploymentGroupName: 'orders-group', targetVersion: '2', currentVersion: '1', judged: true });
    expect(escapedMetrics()).toEqual([]);

    // d-N puts version 1 back: its pre-traffic publish (retried once) and its bake count R escaped once.
    const undoBefore = execution('d-N', 'BeforeAllowTraffic', '2', '1');
    await publish(undoBefore);
    await publish(undoBefore);
    await publish(execution('d-N', 'AfterAllowTraffic', '2', '1'));
    expect(escapedMetrics()).toEqual([
      {
        Namespace: 'CanaryEvaluator',
        MetricData: [
          {
            MetricName: 'ChangeFailures',
            Dimensions: [
              { Name: 'ApplicationName', Value: 'orders-app' },
              { Name: 'DeploymentGroupName', Value: 'orders-group' },
              { Name: 'Kind', Value: 'Escaped' },
            ],
            Value: 1,
            Unit: 'Count',
            Timestamp: expect.any(Date),
          },
        ],
      },
    ]);
    expect(JSON.parse(objects.get('change-failures/orders-app/orders-group/escaped/d-R')!)).toEqual({ undoneBy: 'd-N' });
    expect(JSON.parse(objects.get('change-failures/orders-app/orders-group/last-promotion.json')!)).toMatchObject({ deploymentId: 'd-N', targetVersion: '1' });
  });

  test('a rollback the evaluator made is not a promotion, and a forward release is no escape', async () => {
    const objects = fakeBucket();
    const release = execution('d-1', 'AfterAllowTraffic', '1', '2');
    await publish(release);
    const failed = execution('d-2', 'AfterAllowTraffic', '2', '3');
    await publish(failed, event(failed, 'Failed', 'fail'));
    expect(JSON.parse(objects.get('change-failures/orders-app/orders-group/last-promotion.json')!)).toMatchObject({ deploymentId: 'd-1' });
    await publish(execution('d-4', 'AfterAllowTraffic', '2', '4'));
    expect(escapedMetrics()).toEqual([]);
  });

  test('a metric that fails is thrown (the publish Task retries) and published by the retry, once', async () => {
    fakeBucket();
    await publish(execution('d-R', 'AfterAllowTraffic', '1', '2'));
    cloudwatch.on(PutMetricDataCommand).rejectsOnce(new Error('Throttling')).resolves({});
    const undo = execution('d-N', 'AfterAllowTraffic', '2', '1');
    await expect(publish(undo)).rejects.toThrow('Throttling');
    await publish(undo);
    await publish(undo);
    expect(escapedMetrics()).toHaveLength(2); // the failed call and the one that succeeded
  });

  test('a promotion record that is not one is an error naming the object and the field', async () => {
    const objects = fakeBucket();
    objects.set('change-failures/orders-app/orders-group/last-promotion.json', JSON.stringify({ deploymentId: 'd-R', applicationName: 'orders-app', deploymentGroupName: 'orders-group', targetVersion: '2' }));
    await expect(publish(execution('d-N', 'AfterAllowTraffic', '2', '1'))).rejects.toThrow('s3://report-bucket/change-failures/orders-app/orders-group/last-promotion.json.judged: expected true or false');
  });
});
