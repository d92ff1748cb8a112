import { DeleteObjectCommand, GetObjectCommand, ListObjectsV2Command, PutObjectCommand, S3Client, S3ServiceException } from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { parsePendingPublication, S3PublicationLedger } from '../../lib/adapters/aws/s3-publication-ledger';
import type { PendingPublication } from '../../lib/evaluation/ports';

const s3 = mockClient(S3Client);
beforeEach(() => s3.reset());

const ledger = () => new S3PublicationLedger(new S3Client({ region: 'us-east-1' }), 'report-bucket');
/** An S3 error response with its HTTP status, as the SDK raises it. */
const s3Error = (name: string, status: number) => new S3ServiceException({ name, $fault: 'client', $metadata: { httpStatusCode: status }, message: name });
/** A GetObject body as the SDK gives it (the ledger reads it with `transformToString`). */
const body = (text: string) => ({ transformToString: async () => text });
const record: PendingPublication = {
  key: 'd-A1-AfterAllowTraffic',
  event: { deploymentId: 'd-A1', applicationName: 'app', deploymentGroupName: 'group', lifecycleEvent: 'AfterAllowTraffic', status: 'Failed', decision: 'fail', cause: 'verdict', reason: 'r', dryRun: false, timeToVerdictSeconds: 60 },
  executionArn: 'arn:aws:states:us-east-1:123456789012:execution:Evaluation:d-A1',
  acceptedAt: '2026-11-26T10:00:00.000Z',
};

describe('S3PublicationLedger (conditional writes under publications/)', () => {
  test('a marker is created with If-None-Match: * under publications/done/<key>/<step>', async () => {
    s3.on(PutObjectCommand).resolves({});
    await expect(ledger().markDone('d-A1-AfterAllowTraffic', 'event')).resolves.toBe('marked');
    expect(s3.commandCalls(PutObjectCommand)[0].args[0].input).toMatchObject({ Bucket: 'report-bucket', Key: 'publications/done/d-A1-AfterAllowTraffic/event', IfNoneMatch: '*' });
  });

  test('412 Precondition Failed means the marker exists: already done, not an error', async () => {
    s3.on(PutObjectCommand).rejects(s3Error('PreconditionFailed', 412));
    await expect(ledger().markDone('d-A1-AfterAllowTraffic', 'metrics')).resolves.toBe('already-marked');
  });

  test('409 ConditionalRequestConflict (a concurrent write) is retried; other errors are thrown', async () => {
    s3.on(PutObjectCommand).rejectsOnce(s3Error('ConditionalRequestConflict', 409)).resolves({});
    await expect(ledger().markDone('k', 'event')).resolves.toBe('marked');
    expect(s3.commandCalls(PutObjectCommand)).toHaveLength(2);
    s3.reset();
    s3.on(PutObjectCommand).rejects(s3Error('AccessDenied', 403));
    await expect(ledger().markDone('k', 'event')).rejects.toThrow('AccessDenied');
  });

  test('the steps done are the markers listed under the verdict’s prefix', async () => {
    s3.on(ListObjectsV2Command).resolves({ Contents: [{ Key: 'publications/done/k/metrics' }, { Key: 'publications/done/k/notification' }, { Key: 'publications/done/k/unknown' }] });
    expect([...(await ledger().doneSteps('k'))]).toEqual(['metrics', 'notification']);
    expect(s3.commandCalls(ListObjectsV2Command)[0].args[0].input).toMatchObject({ Bucket: 'report-bucket', Prefix: 'publications/done/k/' });
  });

  test('a pending record is written once: a second report of the hook gets the first record back', async () => {
    s3.on(PutObjectCommand).resolvesOnce({}).rejects(s3Error('PreconditionFailed', 412));
    s3.on(GetObjectCommand, { Key: 'publications/pending/d-A1-AfterAllowTraffic.json' }).resolves({ Body: body(JSON.stringify(record)) as never });
    await expect(ledger().recordPending(record)).resolves.toEqual(record);
    const later = { ...record, acceptedAt: '2026-11-26T10:01:05.000Z', event: { ...record.event, timeToVerdictSeconds: 125 } };
    await expect(ledger().recordPending(later)).resolves.toEqual(record);
    expect(s3.commandCalls(PutObjectCommand).map((c) => c.args[0].input)).toEqual([
      expect.objectContaining({ Key: 'publications/pending/d-A1-AfterAllowTraffic.json', IfNoneMatch: '*', Body: JSON.stringify(record) }),
      expect.objectContaining({ Key: 'publications/pending/d-A1-AfterAllowTraffic.json', IfNoneMatch: '*' }),
    ]);
  });

  test('lists the pending records (every page) and completes one by deleting it', async () => {
    s3.on(ListObjectsV2Command, { Prefix: 'publications/pending/' })
      .resolvesOnce({ Contents: [{ Key: 'publications/pending/d-A1-AfterAllowTraffic.json' }], IsTruncated: true, NextContinuationToken: 't' })
      .resolvesOnce({ Contents: [{ Key: 'publications/pending/d-B2-AfterAllowTraffic.json' }] });
    s3.on(GetObjectCommand).callsFake((input: { Key: string }) => ({ Body: body(JSON.stringify({ ...record, key: input.Key.slice('publications/pending/'.length, -'.json'.length) })) }));
    s3.on(DeleteObjectCommand).resolves({});
    const l = ledger();
    expect((await l.listPending()).records.map((r) => r.key)).toEqual(['d-A1-AfterAllowTraffic', 'd-B2-AfterAllowTraffic']);
    expect(s3.commandCalls(ListObjectsV2Command)[1].args[0].input.ContinuationToken).toBe('t');
    await l.complete('d-A1-AfterAllowTraffic');
    expect(s3.commandCalls(DeleteObjectCommand)[0].args[0].input).toEqual({ Bucket: 'report-bucket', Key: 'publications/pending/d-A1-AfterAllowTraffic.json' });
  });

  test('an unreadable pending record is named, and does not hide the readable ones', async () => {
    s3.on(ListObjectsV2Command, { Prefix: 'publications/pending/' }).resolves({
      Contents: [{ Key: 'publications/pending/d-A1-AfterAllowTraffic.json' }, { Key: 'publications/pending/d-BAD-AfterAllowTraffic.json' }],
    });
    s3.on(GetObjectCommand, { Key: 'publications/pending/d-A1-AfterAllowTraffic.json' }).resolves({ Body: body(JSON.stringify(record)) } as never);
    s3.on(GetObjectCommand, { Key: 'publications/pending/d-BAD-AfterAllowTraffic.json' }).resolves({ Body: body('{') } as never);
    const { records, unreadable } = await ledger().listPending();
    expect(records.map((r) => r.key)).toEqual([record.key]);
    expect(unreadable).toEqual([expect.stringMatching(/^publications\/pending\/d-BAD-AfterAllowTraffic\.json: s3:\/\/report-bucket\/publications\/pending\/d-BAD-AfterAllowTraffic\.json: a pending publication must be JSON/)]);
  });

  test('a stored record that is not a pending publication is refused, naming the object and the field', () => {
    expect(() => parsePendingPublication('{', 's3://b/k')).toThrow(/^s3:\/\/b\/k: a pending publication must be JSON/);
    expect(() => parsePendingPublication(JSON.stringify({ ...record, event: { deploymentId: 'd-A1' } }), 's3://b/k')).toThrow('s3://b/k.event.lifecycleEvent: expected a non-empty string, got nothing');
    expect(() => parsePendingPublication(JSON.stringify({ ...record, acceptedAt: undefined }), 's3://b/k')).toThrow('s3://b/k.acceptedAt: expected a non-empty string');
  });
});
