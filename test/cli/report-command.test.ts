import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GetMetricDataCommand } from '@aws-sdk/client-cloudwatch';
import { GetObjectCommand } from '@aws-sdk/client-s3';
import { reportCommand } from '../../lib/cli/report-command';
import { loadPolicyFile } from '../../lib/policy';
import { DEPLOYMENT_IDS, POLICY_REF, STATE_MACHINE_ARN, T0, at } from '../fixtures/aws/deployments';
import { fakeGetMetricData } from '../fixtures/aws/metrics';
import { mockAws } from '../fixtures/aws/mock-aws';
import { CLUSTER, SERVICE, evaluationId, serviceDeploymentArn } from '../fixtures/aws/ecs-native';
import { HAS_CHROMIUM, measureLayout } from '../report/chromium';

const policy = loadPolicyFile(join(__dirname, '..', 'fixtures', 'aws', 'policy.yaml'));

/** The rolled-back deployment's CloudWatch: the new version errs at 3 % against 1 %. */
export function mockRolledBackAws() {
  const mocks = mockAws();
  mocks.s3.on(GetObjectCommand, { Bucket: POLICY_REF.bucket, Key: POLICY_REF.key }).resolves({ Body: { transformToString: async () => JSON.stringify(policy) } } as never);
  mocks.cloudwatch.on(GetMetricDataCommand).callsFake(
    fakeGetMetricData(
      {
        canary: { invocations: 100, errors: (m) => (m % 3 === 0 ? 4 : 3), p99: (m) => 820 + (m % 4) * 10 },
        baseline: { invocations: 900, errors: (m) => (m % 2 === 0 ? 10 : 8), p99: (m) => 800 + (m % 3) * 10 },
      },
      T0,
      4,
    ),
  );
  return mocks;
}

async function run(argv: string[], mocks: ReturnType<typeof mockAws>) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await reportCommand(argv, { stdout: (s) => out.push(s), stderr: (s) => err.push(s) }, { clients: mocks.clients, now: () => at(30) });
  return { code, stdout: out.join('\n'), stderr: err.join('\n') };
}

describe('canary-eval report (aws-sdk-client-mock: CodeDeploy, Step Functions, S3 and CloudWatch GetMetricData shapes)', () => {
  let mocks: ReturnType<typeof mockAws>;
  let folder: string;
  beforeEach(() => {
    mocks = mockRolledBackAws();
    folder = mkdtempSync(join(tmpdir(), 'report-command-'));
  });
  afterEach(() => {
    mocks.restore();
    rmSync(folder, { recursive: true, force: true });
  });

  test('--json: the renderer model of the rolled-back evaluation, re-read from CloudWatch over paged GetMetricData', async () => {
    const { code, stdout } = await run([DEPLOYMENT_IDS['rolled-back'], '--json', '--state-machine', STATE_MACHINE_ARN], mocks);
    expect(code).toBe(0);
    const { evaluations } = JSON.parse(stdout);
    expect(evaluations).toHaveLength(1);
    const [report] = evaluations;
    expect(report.outcome).toMatchObject({ action: 'rolled-back', minute: 11, regressedMetrics: ['lambda-error-rate'] });
    expect(report.decision).toEqual({ judgedThroughMinute: 9, decidedAtMinute: 11 });
    expect(report.policy).toMatchObject({ alpha: 0.01, metrics: [{ name: 'lambda-error-rate', method: 'sequential', toleranceRatio: 1.5 }, { name: 'lambda-p99-duration', method: 'threshold', toleranceRatio: 1.5 }] });
    const errors = report.charts.find((c: { metric: string }) => c.metric === 'lambda-error-rate');
    // Minute 0: canary 4/100, baseline 10/900, the fake's values read back through the adapter.
    expect(errors.points[0]).toEqual({ minute: 0, canary: 0.04, baseline: 10 / 900 });
    expect(errors.points).toHaveLength(9);
    expect(report.smokeTests).toEqual([{ phase: 'pre-traffic', summary: { passed: true, ran: 1, failed: 0, reason: '1 smoke test(s) passed' } }]);
    expect(report.links.map((l: { label: string }) => l.label)).toEqual(['CodeDeploy deployment d-ROLLEDBK1', 'Step Functions execution', 'CloudWatch metrics of orders-fn']);
    // 9 minutes in pages of 4 datapoints: 3 GetMetricData pages, NextToken followed.
    expect(mocks.cloudwatch.commandCalls(GetMetricDataCommand).map((c) => c.args[0].input.NextToken ?? '0')).toEqual(['0', '1', '2']);
  });

  test('writes the HTML with the failing chart first, the stop marked and the console links', async () => {
    const out = join(folder, 'r.html');
    const { code, stderr } = await run([DEPLOYMENT_IDS['rolled-back'], '--out', out], mocks);
    expect(code).toBe(0);
    expect(stderr).toContain(`HTML report written to ${out}`);
    const html = readFileSync(out, 'utf8');
    expect(html).toContain('<h1>canary-evaluator: deployment d-ROLLEDBK1</h1>');
    expect(html).toContain('What CodeDeploy did: the canary watch stopped the deployment at minute 11: lambda-error-rate regressed');
    expect(html.indexOf('data-metric="lambda-error-rate"')).toBeLessThan(html.indexOf('data-metric="lambda-p99-duration"'));
    expect(html).toContain('https://us-east-1.console.aws.amazon.com/codesuite/codedeploy/deployments/d-ROLLEDBK1?region=us-east-1');
  });

  test('a missing CloudWatch permission is named, and the report says why it has no charts', async () => {
    mocks.cloudwatch.on(GetMetricDataCommand).rejects(Object.assign(new Error('not authorized to perform: cloudwatch:GetMetricData'), { name: 'AccessDenied' }));
    const { code, stderr } = await run([DEPLOYMENT_IDS['rolled-back'], '--out', join(folder, 'x.html')], mocks);
    expect(code).toBe(0);
    expect(stderr).toContain('no charts: cloudwatch:GetMetricData was denied (AccessDenied');
  });

  test('--stored fetches the report the evaluator stored for each evaluation (GetObject under reports/)', async () => {
    mocks.s3.on(GetObjectCommand, { Bucket: 'report-bucket' }).callsFake((input: { Key: string }) => ({ Body: { transformToString: async () => `<html>stored ${input.Key}</html>` } }));
    const { code, stderr } = await run([DEPLOYMENT_IDS['rolled-back'], '--stored', 'report-bucket', '--out', join(folder, 'stored.html')], mocks);
    expect(code).toBe(0);
    const keys = mocks.s3.commandCalls(GetObjectCommand).map((call) => call.args[0].input).filter((input) => input.Bucket === 'report-bucket').map((input) => input.Key!);
    expect(keys.length).toBeGreaterThan(0);
    for (const key of keys) {
      expect(key).toMatch(new RegExp(`^reports/[^/]+/[^/]+/${DEPLOYMENT_IDS['rolled-back']}-[A-Za-z]+\\.html$`));
      const event = key.split('-').at(-1)!.replace('.html', '');
      expect(readFileSync(join(folder, `stored-${event}.html`), 'utf8')).toBe(`<html>stored ${key}</html>`);
      expect(stderr).toContain(`stored report s3://report-bucket/${key} written to`);
    }
  });

  test('--stored: a missing permission is named by its action', async () => {
    mocks.s3.on(GetObjectCommand, { Bucket: 'report-bucket' }).rejects(Object.assign(new Error('Access Denied'), { name: 'AccessDenied' }));
    const { code, stderr } = await run([DEPLOYMENT_IDS['rolled-back'], '--stored', 'report-bucket', '--out', join(folder, 'stored.html')], mocks);
    expect(code).toBe(6);
    expect(stderr).toContain('s3:GetObject');
  });

  test('an ECS native deployment by service deployment ARN: one report per evaluated stage and step, the failing step named by its stage and weight', async () => {
    const { code, stdout } = await run([serviceDeploymentArn('native-rolled-back'), '--json', '--state-machine', STATE_MACHINE_ARN], mocks);
    expect(code).toBe(0);
    const { deploymentId, evaluations } = JSON.parse(stdout);
    expect(deploymentId).toBe(serviceDeploymentArn('native-rolled-back'));
    expect(evaluations.map((e: { title: string }) => e.title)).toEqual([
      `${evaluationId('native-rolled-back', 'POST_TEST_TRAFFIC_SHIFT')} (POST_TEST_TRAFFIC_SHIFT)`,
      `${evaluationId('native-rolled-back', 'PRODUCTION_TRAFFIC_SHIFT', 50)} (PRODUCTION_TRAFFIC_SHIFT 50%)`,
    ]);
    const step = evaluations[1];
    expect(step.outcome).toMatchObject({ action: 'rolled-back', status: 'Failed', regressedMetrics: ['target-5xx-rate'] });
    expect(step.outcome.summary).toMatch(/^the PRODUCTION_TRAFFIC_SHIFT 50% hook reported Failed at minute \d+: target-5xx-rate regressed/);
    expect(step.description).toMatch(/^Production traffic-shift step at 50 %, green against blue/);
    expect(step.subtitle).toBe(`${CLUSTER} / ${SERVICE}`);
    expect(step.links[0]).toEqual({ label: `ECS service ${CLUSTER}/${SERVICE} (deployments)`, href: `https://us-east-1.console.aws.amazon.com/ecs/v2/clusters/${CLUSTER}/services/${SERVICE}/deployments?region=us-east-1` });
  });

  test('an ECS native evaluation id: that evaluation only; --stored names each file by its evaluation id', async () => {
    const one = await run([evaluationId('native-rolled-back', 'PRODUCTION_TRAFFIC_SHIFT', 50), '--json'], mocks);
    expect(one.code).toBe(0);
    expect(JSON.parse(one.stdout).evaluations.map((e: { id: string }) => e.id)).toEqual([`${evaluationId('native-rolled-back', 'PRODUCTION_TRAFFIC_SHIFT', 50)}-AfterAllowTraffic`]);
    mocks.s3.on(GetObjectCommand, { Bucket: 'report-bucket' }).callsFake((input: { Key: string }) => ({ Body: { transformToString: async () => `<html>stored ${input.Key}</html>` } }));
    const stored = await run([serviceDeploymentArn('native-rolled-back'), '--stored', 'report-bucket', '--out', join(folder, 'native.html')], mocks);
    expect(stored.code).toBe(0);
    for (const id of [evaluationId('native-rolled-back', 'POST_TEST_TRAFFIC_SHIFT'), evaluationId('native-rolled-back', 'PRODUCTION_TRAFFIC_SHIFT', 50)]) {
      expect(readFileSync(join(folder, `native-${id}.html`), 'utf8')).toMatch(new RegExp(`^<html>stored reports/${CLUSTER}/${SERVICE}/${id}-(AfterAllowTestTraffic|AfterAllowTraffic)\\.html</html>$`));
    }
  });

  test('a deployment without evaluations is explained', async () => {
    const { code, stderr } = await run([DEPLOYMENT_IDS.rollback, '--json'], mocks);
    expect(code).toBe(1);
    expect(stderr).toContain('deployment d-ROLLBACK9 has no evaluation');
  });
});

(HAS_CHROMIUM ? describe : describe.skip)('the HTML report of a real (mocked) deployment in headless Chromium', () => {
  test('failing chart first and highlighted, band, tolerance and marker drawn, no text clipped or overflowing; the measurement catches a clipped label', async () => {
    const mocks = mockRolledBackAws();
    const folder = mkdtempSync(join(tmpdir(), 'report-chromium-'));
    try {
      const out = join(folder, 'real.html');
      expect((await run([DEPLOYMENT_IDS['rolled-back'], '--out', out], mocks)).code).toBe(0);
      const html = readFileSync(out, 'utf8');
      // A negative control in the same page: a label deliberately past its chart's edge must be reported.
      // And a word forced to break mid-word in a narrow table cell (the report's own body style breaks long words).
      const control =
        '<section class="evaluation" id="control"><svg class="chart" data-metric="control" width="100" height="40" viewBox="0 0 100 40"><text x="-30" y="20">.7/1k req</text></svg>' +
        '<table style="width:60px;table-layout:fixed"><tr><td style="overflow-wrap:anywhere">supercalifragilistic</td></tr></table></section>';
      const layout = await measureLayout(html.replace('</body>', `${control}\n</body>`), folder);
      const real = layout.sections.find((s) => s.id === `${DEPLOYMENT_IDS['rolled-back']}-BeforeAllowTraffic`)!;
      expect(real.firstChart).toEqual({ metric: 'lambda-error-rate', failing: true });
      expect(real.markers).toBe(2);
      expect(real.bands).toBeGreaterThanOrEqual(1);
      // The recorded verdict judged only the error rate: the p99 chart has no interval or tolerance to draw.
      expect(real.tolerances).toBe(1);
      expect(layout.clippedSvgText).toEqual([expect.stringContaining('control: ".7/1k req"')]);
      expect(layout.overflowingBoxes).toEqual([]);
      expect(layout.brokenWords).toEqual([expect.stringContaining('TD "supercalifragilistic": broken at')]);
    } finally {
      mocks.restore();
      rmSync(folder, { recursive: true, force: true });
    }
  }, 90_000);
});
