import { CloudWatchClient, PutMetricDataCommand } from '@aws-sdk/client-cloudwatch';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { mockClient } from 'aws-sdk-client-mock';
import { AwsVerdictSink } from '../../lib/adapters/aws/verdict-sink';
import { buildNotification, notificationText, shouldNotify } from '../../lib/evaluation/notification';
import type { OverrideOutcome } from '../../lib/evaluation/override/outcome';
import { overrideWords } from '../../lib/evaluation/override/outcome';
import { parseOverrideRecord } from '../../lib/evaluation/override/record';
import type { VerdictEvent } from '../../lib/evaluation/ports';
import { parseVerdictEvent } from '../../lib/evaluation/publication';
import { renderVerdictReport } from '../../lib/report/verdict-report';

const BY = 'arn:aws:sts::123456789012:assumed-role/OnCall/alice';
const honoured: OverrideOutcome = { action: 'promote', reason: 'INC-1 <!channel> [fix](https://evil.example) <script>', by: BY, requestedAt: '2026-11-26T10:04:17.000Z', honoured: true };
const event: VerdictEvent = {
  deploymentId: 'd-ABC123',
  applicationName: 'orders-app',
  deploymentGroupName: 'orders-group',
  lifecycleEvent: 'AfterAllowTraffic',
  status: 'Succeeded',
  decision: 'pass',
  cause: 'override',
  reason: overrideWords(honoured),
  dryRun: false,
  codeDeploy: 'promoted',
  timeToVerdictSeconds: 300,
  override: honoured,
};

describe('an override in every view of the verdict', () => {
  test('plain words: who, what, why; a refusal says why it was refused', () => {
    expect(overrideWords(honoured)).toBe(`Overridden by ${BY}: promote — ${honoured.reason}`);
    expect(overrideWords({ ...honoured, action: 'skip' })).toBe(`Overridden by ${BY}: skip (reported without judging) — ${honoured.reason}`);
    expect(overrideWords({ ...honoured, honoured: false, refused: 'this registration forbids overrides (allowOverrides: false)' })).toBe(
      `Override refused (this registration forbids overrides (allowOverrides: false)): ${BY} asked to promote — ${honoured.reason}`,
    );
  });

  test('the Overrides metric: one datum with the action as a dimension, in the verdict metrics call; refused ones as Action=refused', async () => {
    const cloudwatch = mockClient(CloudWatchClient);
    cloudwatch.on(PutMetricDataCommand).resolves({});
    const sink = new AwsVerdictSink(new CloudWatchClient({}), new EventBridgeClient({}));
    await sink.publishVerdictMetrics(event);
    await sink.publishVerdictMetrics({ ...event, cause: 'verdict', override: { ...honoured, honoured: false, refused: 'no' } });
    await sink.publishVerdictMetrics({ ...event, cause: 'verdict', override: undefined });
    const calls = cloudwatch.commandCalls(PutMetricDataCommand).map((call) => call.args[0].input.MetricData!);
    expect(calls).toHaveLength(3);
    const overrides = calls.map((data) => data.filter((datum) => datum.MetricName === 'Overrides'));
    expect(overrides[0]).toEqual([expect.objectContaining({ Value: 1, Unit: 'Count', Dimensions: [{ Name: 'ApplicationName', Value: 'orders-app' }, { Name: 'DeploymentGroupName', Value: 'orders-group' }, { Name: 'Action', Value: 'promote' }] })]);
    expect(overrides[1]).toEqual([expect.objectContaining({ Dimensions: expect.arrayContaining([{ Name: 'Action', Value: 'refused' }]) })]);
    expect(overrides[2]).toEqual([]);
    cloudwatch.restore();
  });

  test('the notification: always sent, headline and an Override line, the reason escaped for Slack and Teams', () => {
    expect(shouldNotify(event, ['rollback'])).toBe(true);
    const message = buildNotification({ event, links: {} });
    expect(message.content.title).toMatch(/^:rotating_light: Overridden \(promote\)/);
    const line = message.content.description.split('\n').find((l) => l.startsWith('*Override:*'))!;
    expect(line).toContain(BY);
    expect(line).not.toContain('<!channel>');
    expect(line).toContain('&lt;!channel&gt;');
    expect(line).toContain('\\[fix\\]');
    expect(notificationText(message)).toContain(`Override: Overridden by ${BY}: promote — INC-1 <!channel> [fix](https://evil.example) <script>`);
  });

  test('the stored report says it, HTML-escaped', () => {
    const html = renderVerdictReport(event, new Date('2026-11-26T10:05:00Z'));
    expect(html).toContain(`Overridden by ${BY}: promote — INC-1 &lt;!channel&gt;`);
    expect(html).not.toContain('<script>');
  });

  test('the verdict event contract: an override that is not one is named', () => {
    expect(parseVerdictEvent(event).override).toEqual(honoured);
    expect(() => parseVerdictEvent({ ...event, override: { action: 'delete' } })).toThrow(/event\.override: expected \{ action, reason, by, requestedAt, honoured\[, refused\] \}/);
  });

  test('a malformed record is named by path', () => {
    expect(() => parseOverrideRecord({ deploymentId: 'd-1', lifecycleEvent: 'AfterAllowTraffic', action: 'nuke', reason: 'x', requestedAt: '2026-11-26T10:00:00Z', callerArn: BY, proof: { url: 'u', headers: {} } })).toThrow('override.action: expected one of "skip", "promote", "rollback", got "nuke"');
    expect(() => parseOverrideRecord({ deploymentId: 'd-1', lifecycleEvent: 'AfterAllowTraffic', action: 'skip', reason: ' ', requestedAt: '2026-11-26T10:00:00Z', callerArn: BY, proof: { url: 'u', headers: {} } })).toThrow('override.reason: a reason is required');
  });
});
