import { CloudWatchClient, PutMetricDataCommand } from '@aws-sdk/client-cloudwatch';
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { mockClient } from 'aws-sdk-client-mock';
import { AwsVerdictSink } from '../../lib/adapters/aws/verdict-sink';
import type { VerdictEvent } from '../../lib/evaluation/ports';

const cloudwatch = mockClient(CloudWatchClient);
beforeEach(() => {
  cloudwatch.reset();
  cloudwatch.on(PutMetricDataCommand).resolves({});
});

const subject = { deploymentId: 'd-1', applicationName: 'app', deploymentGroupName: 'group', lifecycleEvent: 'AfterAllowTraffic' };

describe('the final verdict in two publication steps, each markable on its own (issue 11)', () => {
  const eventbridge = mockClient(EventBridgeClient);
  beforeEach(() => {
    eventbridge.reset();
    eventbridge.on(PutEventsCommand).resolves({ FailedEntryCount: 0, Entries: [{ EventId: 'e-1' }] });
  });
  const verdict: VerdictEvent = { ...subject, status: 'Failed', decision: 'fail', cause: 'verdict', reason: 'r', dryRun: false, timeToVerdictSeconds: 300 };
  const sink = () => new AwsVerdictSink(new CloudWatchClient({}), new EventBridgeClient({}), () => new Date('2026-11-26T10:05:00Z'));

  test('the metrics step sends Verdicts, Rollbacks, Inconclusive and TimeToVerdictSeconds in one call, and no event', async () => {
    await sink().publishVerdictMetrics(verdict);
    const calls = cloudwatch.commandCalls(PutMetricDataCommand);
    expect(calls).toHaveLength(1);
    expect(calls[0].args[0].input.MetricData!.map((d) => [d.MetricName, d.Value])).toEqual([
      ['Verdicts', 1],
      ['Rollbacks', 1],
      ['Inconclusive', 0],
      ['TimeToVerdictSeconds', 300],
    ]);
    expect(eventbridge.commandCalls(PutEventsCommand)).toHaveLength(0);
  });

  test('the event step sends the Canary Verdict event only, and a rejected entry is an error', async () => {
    await sink().publishVerdictEvent(verdict);
    expect(cloudwatch.commandCalls(PutMetricDataCommand)).toHaveLength(0);
    expect(JSON.parse(eventbridge.commandCalls(PutEventsCommand)[0].args[0].input.Entries![0].Detail!)).toEqual(verdict);
    eventbridge.on(PutEventsCommand).resolves({ FailedEntryCount: 1, Entries: [{ ErrorCode: 'InternalFailure', ErrorMessage: 'try again' }] });
    await expect(sink().publishVerdictEvent(verdict)).rejects.toThrow('PutEvents rejected the verdict event: InternalFailure try again');
  });
});
