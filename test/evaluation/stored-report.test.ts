import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { S3ReportStore } from '../../lib/adapters/aws/s3-report-store';
import { publishAccepted } from '../../lib/evaluation/conclude';
import type { VerdictEvent, VerdictSink } from '../../lib/evaluation/ports';
import { reportKey } from '../../lib/evaluation/stored-report';
import { renderVerdictReport } from '../../lib/report/verdict-report';

const QUIET = { info: () => undefined, error: () => undefined };
const event: VerdictEvent = {
  deploymentId: 'd-A1B2C3D4E',
  applicationName: 'orders app',
  deploymentGroupName: 'orders-group',
  lifecycleEvent: 'AfterAllowTraffic',
  status: 'Succeeded',
  decision: 'inconclusive',
  cause: 'verdict',
  reason: 'no verdict by the deadline (traffic too low): lambda-error-rate: 28 requests on the new version',
  dryRun: false,
  codeDeploy: 'promoted without a verdict',
  timeToVerdictSeconds: 900,
};

function recordingSink() {
  const published: VerdictEvent[] = [];
  const sink: VerdictSink = { publishTick: async () => undefined, publishVerdictMetrics: async () => undefined, publishVerdictEvent: async (e) => void published.push(e) };
  return { sink, published };
}

describe('the stored report of an accepted verdict (issue 13 item 3)', () => {
  const s3 = mockClient(S3Client);
  beforeEach(() => s3.reset());

  test('the publish step writes the report under reports/, then publishes the event linking it', async () => {
    s3.on(PutObjectCommand).resolves({});
    const { sink, published } = recordingSink();
    const store = new S3ReportStore(new S3Client({ region: 'us-east-1' }), 'report-bucket', 'us-east-1');
    await expect(publishAccepted({ event }, { sink, log: QUIET, reports: { store, render: (e) => renderVerdictReport(e, new Date('2026-11-26T10:15:00Z')) } })).resolves.toEqual({ published: true });
    const put = s3.commandCalls(PutObjectCommand)[0].args[0].input;
    expect(put).toMatchObject({ Bucket: 'report-bucket', Key: 'reports/orders_app/orders-group/d-A1B2C3D4E-AfterAllowTraffic.html', ContentType: 'text/html; charset=utf-8' });
    expect(reportKey(event)).toBe(put.Key);
    expect(String(put.Body)).toContain('promoted without a verdict');
    expect(String(put.Body)).toContain('class="outcome inconclusive"');
    expect(published).toEqual([
      { ...event, reportUrl: 'https://us-east-1.console.aws.amazon.com/s3/object/report-bucket?region=us-east-1&prefix=reports%2Forders_app%2Forders-group%2Fd-A1B2C3D4E-AfterAllowTraffic.html' },
    ]);
  });

  test('a report that cannot be written never stops the verdict: published without the link, and logged', async () => {
    s3.on(PutObjectCommand).rejects(new Error('AccessDenied'));
    const { sink, published } = recordingSink();
    const errors: string[] = [];
    const store = new S3ReportStore(new S3Client({ region: 'us-east-1' }), 'report-bucket', 'us-east-1');
    await publishAccepted({ event }, { sink, reports: { store, render: renderVerdictReport }, log: { info: () => undefined, error: (message, details) => void errors.push(`${message}: ${String(details.error)}`) } });
    expect(published).toEqual([event]);
    expect(errors).toEqual(['could not write the evaluation report; the verdict is published without it: AccessDenied']);
  });

  test('nothing to publish writes nothing', async () => {
    const { sink, published } = recordingSink();
    const store = { put: jest.fn() };
    await expect(publishAccepted({}, { sink, log: QUIET, reports: { store, render: renderVerdictReport } })).resolves.toEqual({ published: false });
    expect(store.put).not.toHaveBeenCalled();
    expect(published).toEqual([]);
  });
});
