import { StateError } from '../../lib/evaluation/check';
import { publishAccepted } from '../../lib/evaluation/conclude';
import { createReportHandler } from '../../lib/evaluation/handlers/report';
import type { VerdictEvent, VerdictSink } from '../../lib/evaluation/ports';
import { publicationKey, publishAndNotify } from '../../lib/evaluation/publication';
import { publishPending } from '../../lib/evaluation/sweep';
import { InMemoryPublicationLedger } from '../../lib/simulate/publication-ledger';
import { failedVerdictEvent } from '../fixtures/evaluation/verdict-event';

/**
 * Issue 23 item 8: a verdict event whose `lifecycleEvent` (or another field that names the verdict) is
 * missing or not a string made the publish steps throw raw TypeErrors. Each bad value × field × way in
 * (the publish Task, the sweep's pending record, a direct publish) must give an error naming the field.
 */
const NOW = new Date('2026-11-26T11:00:00Z');
const good: VerdictEvent = failedVerdictEvent('d-INPUT01');
const BAD_VALUES: ReadonlyArray<readonly [string, unknown]> = [
  ['missing', undefined],
  ['null', null],
  ['a number', 7],
  ['a boolean', true],
  ['an object', { name: 'AfterAllowTraffic' }],
  ['an array', ['AfterAllowTraffic']],
  ['empty', ''],
];
const FIELDS = ['lifecycleEvent', 'deploymentId', 'applicationName', 'deploymentGroupName'] as const;

function withField(field: string, label: string, value: unknown): VerdictEvent {
  const event: Record<string, unknown> = { ...good };
  if (label === 'missing') delete event[field];
  else event[field] = value;
  return event as unknown as VerdictEvent;
}

function deps() {
  const out = { verdicts: 0, events: 0 };
  const sink: VerdictSink = {
    publishTick: async () => undefined,
    publishVerdictMetrics: async () => void (out.verdicts += 1),
    publishVerdictEvent: async () => void (out.events += 1),
  };
  const ledger = new InMemoryPublicationLedger();
  const reports = { store: { put: async () => ({ url: 'https://example.com/report' }) }, render: () => '<html></html>' };
  const notifications = { notifier: { publish: async () => undefined }, topicArn: 'arn:aws:sns:us-east-1:123456789012:oncall', on: 'every-verdict' as const };
  return { out, ledger, sink, reports, notifications, log: { info: () => undefined, error: () => undefined }, now: () => NOW };
}

const CASES = FIELDS.flatMap((field) => BAD_VALUES.map(([label, value]) => [field, label, value] as const));

describe('a malformed verdict event gets an error naming the field, never a TypeError (issue 23 item 8)', () => {
  test('the cases cover every field that names a verdict with every kind of bad value', () => {
    expect(CASES).toHaveLength(FIELDS.length * BAD_VALUES.length);
  });

  test.each(CASES)('event.%s %s: the publish Task (report handler, with and without a ledger)', async (field, label, value) => {
    for (const ledgered of [true, false]) {
      const d = deps();
      const handler = createReportHandler({
        reporter: { report: async () => 'reported' },
        sink: d.sink,
        executions: { readInput: async () => undefined },
        endedExecutions: { listEnded: async () => [] },
        now: d.now,
        notifications: d.notifications,
        ...(ledgered ? { ledger: d.ledger, reports: d.reports } : {}),
      });
      const publish = handler({ mode: 'publish', event: withField(field, label, value), execution: {}, executionArn: 'arn:aws:states:us-east-1:123456789012:execution:Evaluation:x' });
      await expect(publish).rejects.toThrow(StateError);
      await expect(publish).rejects.toThrow(`event.${field}: expected a non-empty string`);
      expect(d.out).toEqual({ verdicts: 0, events: 0 });
    }
  });

  test.each(CASES)('event.%s %s: a direct publish and publishAccepted', async (field, label, value) => {
    const d = deps();
    const event = withField(field, label, value);
    await expect(publishAndNotify(event, {}, d)).rejects.toThrow(`event.${field}: expected a non-empty string`);
    await expect(publishAccepted({ event }, d)).rejects.toThrow(`event.${field}: expected a non-empty string`);
    if (field === 'deploymentId' || field === 'lifecycleEvent') expect(() => publicationKey(event)).toThrow(`event.${field}: expected a non-empty string`);
  });

  test.each(CASES)('event.%s %s: a pending record the sweep cannot publish is named in its failures; the good one is published', async (field, label, value) => {
    const d = deps();
    const acceptedAt = new Date(NOW.getTime() - 900 * 1000).toISOString();
    await d.ledger.recordPending({ key: 'bad-record', event: withField(field, label, value), acceptedAt });
    await d.ledger.recordPending({ key: publicationKey(good), event: good, acceptedAt });
    const result = await publishPending({ ...d, ledger: d.ledger });
    expect(result.published).toBe(1);
    expect(result.failures).toEqual([expect.stringMatching(new RegExp(`^bad-record: .*event\\.${field}: expected a non-empty string`))]);
    expect(d.out).toEqual({ verdicts: 1, events: 1 });
  });
});
