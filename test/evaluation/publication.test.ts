import { conclude, publishAccepted, type ReportRequest } from '../../lib/evaluation/conclude';
import { PUBLICATION_GRACE_SECONDS, PUBLICATION_RETRY_SECONDS } from '../../lib/evaluation/contracts';
import type { Notifier, PendingPublication, VerdictEvent, VerdictSink } from '../../lib/evaluation/ports';
import { publicationKey, publishAndNotify } from '../../lib/evaluation/publication';
import { pendingToPublish, publishPending } from '../../lib/evaluation/sweep';
import { InMemoryPublicationLedger } from '../../lib/simulate/publication-ledger';
import { failedVerdictEvent } from '../fixtures/evaluation/verdict-event';

const NOW = new Date('2026-11-26T11:00:00Z');
const event: VerdictEvent = failedVerdictEvent('d-LEDGER01');
const execution = { target: { type: 'lambda', functionName: 'orders', alias: 'live', currentVersion: '1', targetVersion: '2' }, switches: { dryRun: false, onEvaluatorError: 'fail', notify: ['rollback'] } };

/** A sink whose steps can fail a given number of times, counting what went out. */
function harness(fail: { metrics?: number; event?: number; sns?: number } = {}) {
  const remaining = { metrics: fail.metrics ?? 0, event: fail.event ?? 0, sns: fail.sns ?? 0 };
  const out = { verdicts: 0, events: 0, notifications: 0 };
  const errors: string[] = [];
  const sink: VerdictSink = {
    publishTick: async () => undefined,
    publishVerdictMetrics: async () => {
      if (remaining.metrics-- > 0) throw new Error('PutMetricData: ServiceUnavailable');
      out.verdicts += 1;
    },
    publishVerdictEvent: async () => {
      if (remaining.event-- > 0) throw new Error('PutEvents rejected the verdict event: InternalFailure');
      out.events += 1;
    },
  };
  const notifier: Notifier = {
    publish: async () => {
      if (remaining.sns-- > 0) throw new Error('SNS: InternalError');
      out.notifications += 1;
    },
  };
  const ledger = new InMemoryPublicationLedger();
  const deps = {
    sink,
    ledger,
    notifications: { notifier, topicArn: 'arn:aws:sns:us-east-1:123456789012:oncall' },
    log: { info: () => undefined, error: (message: string) => void errors.push(message) },
    now: () => NOW,
  };
  return { deps, ledger, out, errors };
}

const source = { execution, on: ['rollback' as const] };
const pending = (secondsAgo: number, overrides: Partial<VerdictEvent> = {}): PendingPublication => {
  const e = { ...event, ...overrides };
  return { key: publicationKey(e), event: e, execution, acceptedAt: new Date(NOW.getTime() - secondsAgo * 1000).toISOString() };
};

describe('the publication ledger: each step of a verdict once (issue 11)', () => {
  test('a publish run again (a Task retried after it published) skips every step already marked', async () => {
    const { deps, out, ledger } = harness();
    await ledger.recordPending(pending(0));
    await publishAndNotify(event, source, deps);
    await publishAndNotify(event, source, deps);
    expect(out).toEqual({ verdicts: 1, events: 1, notifications: 1 });
    expect([...(await ledger.doneSteps(publicationKey(event)))].sort()).toEqual(['event', 'metrics', 'notification']);
    expect((await ledger.listPending()).records).toEqual([]);
  });

  test('metrics done, event failed: the error is rethrown, and the retry publishes only the event (Verdicts counted once)', async () => {
    const { deps, out, ledger } = harness({ event: 1 });
    await ledger.recordPending(pending(0));
    await expect(publishAndNotify(event, source, deps)).rejects.toThrow('PutEvents rejected the verdict event: InternalFailure');
    // The notification does not wait for the event.
    expect(out).toEqual({ verdicts: 1, events: 0, notifications: 1 });
    expect((await ledger.listPending()).records).toHaveLength(1);
    await publishAndNotify(event, source, deps);
    expect(out).toEqual({ verdicts: 1, events: 1, notifications: 1 });
    expect((await ledger.listPending()).records).toEqual([]);
  });

  test('a failed notification is not thrown, and leaves the verdict pending for the sweep, which sends only it', async () => {
    const { deps, out, ledger } = harness({ sns: 1 });
    await ledger.recordPending(pending(PUBLICATION_GRACE_SECONDS));
    await expect(publishAndNotify(event, source, deps)).resolves.toBeUndefined();
    expect(out).toEqual({ verdicts: 1, events: 1, notifications: 0 });
    await expect(publishPending(deps)).resolves.toMatchObject({ pending: 1, givenUp: 0, published: 1, failures: [] });
    expect(out).toEqual({ verdicts: 1, events: 1, notifications: 1 });
    expect((await ledger.listPending()).records).toEqual([]);
  });

  test('an unreadable pending record fails the sweep by name, and the readable ones are still published', async () => {
    const { deps, out, ledger } = harness();
    await ledger.recordPending(pending(PUBLICATION_GRACE_SECONDS));
    const listing = ledger.listPending.bind(ledger);
    const withBadRecord = Object.assign(Object.create(ledger) as InMemoryPublicationLedger, {
      listPending: async () => ({ records: (await listing()).records, unreadable: ['publications/pending/d-BAD.json: not JSON'] }),
    });
    await expect(publishPending({ ...deps, ledger: withBadRecord })).resolves.toMatchObject({ pending: 1, givenUp: 0, published: 1, failures: ['unreadable pending record publications/pending/d-BAD.json: not JSON'] });
    expect(out).toEqual({ verdicts: 1, events: 1, notifications: 1 });
  });

  test('without a ledger every call publishes every step (the canary watch, which is not retried after it ran)', async () => {
    const { deps, out } = harness();
    await publishAndNotify(event, source, { ...deps, ledger: undefined });
    await publishAndNotify(event, source, { ...deps, ledger: undefined });
    expect(out).toEqual({ verdicts: 2, events: 2, notifications: 2 });
  });

  test('a marker that cannot be written is logged; the record stays pending rather than being called complete', async () => {
    const { deps, out, ledger, errors } = harness();
    await ledger.recordPending(pending(0));
    const broken = Object.assign(Object.create(ledger) as InMemoryPublicationLedger, { markDone: async () => Promise.reject(new Error('S3: SlowDown')) });
    await publishAndNotify(event, source, { ...deps, ledger: broken });
    expect(out).toEqual({ verdicts: 1, events: 1, notifications: 1 });
    expect(errors.filter((e) => e.includes('could not be marked done'))).toHaveLength(3);
    expect((await ledger.listPending()).records).toHaveLength(1);
  });
});

describe('the sweep finishes pending publications', () => {
  test('takes up records past the grace and within the retry window only', () => {
    const records = [pending(PUBLICATION_GRACE_SECONDS - 1), pending(PUBLICATION_GRACE_SECONDS), pending(PUBLICATION_RETRY_SECONDS), pending(PUBLICATION_RETRY_SECONDS + 1)];
    expect(pendingToPublish(records, NOW)).toEqual([records[1], records[2]]);
  });

  test('a record past the retry window is given up (counted, not published)', async () => {
    const { deps, out, ledger } = harness();
    await ledger.recordPending(pending(PUBLICATION_RETRY_SECONDS + 1));
    await expect(publishPending(deps)).resolves.toMatchObject({ pending: 0, givenUp: 1, published: 0, failures: [] });
    expect(out).toEqual({ verdicts: 0, events: 0, notifications: 0 });
  });

  test('publishes only the missing steps of the incomplete records, and completes the ones already done', async () => {
    const { deps, out, ledger } = harness();
    const young = pending(30, { deploymentId: 'd-YOUNG' });
    const incomplete = pending(PUBLICATION_GRACE_SECONDS + 60, { deploymentId: 'd-INCOMPLETE' });
    const done = pending(PUBLICATION_GRACE_SECONDS + 60, { deploymentId: 'd-DONE' });
    for (const record of [young, incomplete, done]) await ledger.recordPending(record);
    await ledger.markDone(incomplete.key, 'metrics');
    for (const step of ['metrics', 'event', 'notification'] as const) await ledger.markDone(done.key, step);
    await expect(publishPending(deps)).resolves.toMatchObject({ pending: 2, givenUp: 0, published: 2, failures: [] });
    // The incomplete one: its event and notification; its Verdicts was already counted.
    expect(out).toEqual({ verdicts: 0, events: 1, notifications: 1 });
    expect((await ledger.listPending()).records.map((r) => r.key)).toEqual([young.key]);
  });

  test('a record it cannot finish is named in the failures, and the others are still published', async () => {
    const { deps, out, ledger } = harness({ event: 1 });
    await ledger.recordPending(pending(PUBLICATION_GRACE_SECONDS, { deploymentId: 'd-FIRST' }));
    await ledger.recordPending(pending(PUBLICATION_GRACE_SECONDS, { deploymentId: 'd-SECOND' }));
    const result = await publishPending(deps);
    expect(result).toMatchObject({ pending: 2, published: 1, failures: ['d-FIRST-AfterAllowTraffic: PutEvents rejected the verdict event: InternalFailure'] });
    expect(out.events).toBe(1);
  });
});

describe('the report step records the accepted verdict pending', () => {
  const request: ReportRequest = {
    source: 'state-machine',
    ids: { deploymentId: event.deploymentId, lifecycleEventHookExecutionId: 'hook-1' },
    subject: { deploymentId: event.deploymentId, applicationName: 'app', deploymentGroupName: 'group', lifecycleEvent: 'AfterAllowTraffic' },
    hookInvokedAt: '2026-11-26T10:53:00Z',
    outcome: { decision: 'fail', cause: 'verdict', reason: 'errors: canary 5% vs baseline 1%' },
    switches: { dryRun: false, onEvaluatorError: 'fail', onInconclusive: 'fail' },
    notification: { execution, executionArn: 'arn:aws:states:us-east-1:123456789012:execution:Evaluation:d-LEDGER01' },
  };

  test('before returning its event; a report retried after it reported returns the event first recorded', async () => {
    const { deps, ledger } = harness();
    let reported = false;
    const reporter = { report: async () => (reported ? 'already-completed' : ((reported = true), 'reported')) as 'reported' | 'already-completed' };
    let clock = NOW.getTime();
    const first = await conclude(request, { ...deps, reporter, now: () => new Date(clock) });
    clock += 65_000;
    const retried = await conclude(request, { ...deps, reporter, now: () => new Date(clock) });
    expect(first.event?.timeToVerdictSeconds).toBe(420);
    expect(retried.event).toEqual(first.event);
    expect((await ledger.listPending()).records).toEqual([
      { key: 'd-LEDGER01-AfterAllowTraffic', event: first.event, execution, executionArn: request.notification?.executionArn, acceptedAt: NOW.toISOString() },
    ]);
  });

  test('a publish Task that fails every attempt leaves the verdict to the sweep, which publishes it once', async () => {
    const { deps, ledger, out } = harness({ metrics: 99, event: 99 });
    const reporter = { report: async () => 'reported' as const };
    const { event: accepted } = await conclude(request, { ...deps, reporter });
    for (let attempt = 0; attempt < 4; attempt++) await expect(publishAccepted({ event: accepted, execution }, deps)).rejects.toThrow('PutMetricData: ServiceUnavailable');
    expect(out).toEqual({ verdicts: 0, events: 0, notifications: 1 });
    const healthy = harness();
    const later = new Date(NOW.getTime() + PUBLICATION_GRACE_SECONDS * 1000);
    await expect(publishPending({ ...healthy.deps, ledger, now: () => later })).resolves.toMatchObject({ pending: 1, givenUp: 0, published: 1, failures: [] });
    expect(healthy.out).toEqual({ verdicts: 1, events: 1, notifications: 0 });
    await expect(publishPending({ ...healthy.deps, ledger, now: () => later })).resolves.toMatchObject({ pending: 0, givenUp: 0, published: 0, failures: [] });
  });
});
