import { GetObjectCommand, NoSuchKey } from '@aws-sdk/client-s3';
import { DescribeExecutionCommand } from '@aws-sdk/client-sfn';
import { statusCommand } from '../../lib/cli/status-command';
import { overrideBinding, type OverrideRecord } from '../../lib/evaluation/override/record';
import { DEPLOYMENT_IDS, STATE_MACHINE_ARN, at, executions, type Kind } from '../fixtures/aws/deployments';
import { mockAws } from '../fixtures/aws/mock-aws';

const BUCKET = 'evaluator-reports';
const PROMOTED = DEPLOYMENT_IDS.promoted;
const ARN = 'arn:aws:sts::123456789012:assumed-role/OnCall/alice';
const key = (event: string) => `overrides/${PROMOTED}-${event}.json`;

async function run(argv: string[], mocks: ReturnType<typeof mockAws>) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await statusCommand(argv, { stdout: (s) => out.push(s), stderr: (s) => err.push(s) }, { clients: mocks.clients, now: () => at(30), sleep: async () => undefined });
  return { code, stdout: out.join('\n'), stderr: err.join('\n') };
}

/** The executions of a deployment as a registration of this evaluator starts them: the input names the bucket of the override records (`override`). */
function lookingForOverrides(mocks: ReturnType<typeof mockAws>, kind: Kind): void {
  for (const execution of executions(kind)) {
    const input = { ...JSON.parse(execution.describe.input ?? '{}'), override: { bucket: BUCKET, allowed: true } };
    mocks.sfn.on(DescribeExecutionCommand, { executionArn: execution.executionArn }).resolves({ ...execution.describe, input: JSON.stringify(input) });
  }
}

/** A record as `canary-eval override` writes it (lib/evaluation/override/record.ts). */
function record(reason: string): OverrideRecord {
  const content = { deploymentId: PROMOTED, lifecycleEvent: 'AfterAllowTraffic' as const, action: 'promote' as const, reason, requestedAt: at(20).toISOString() };
  return {
    ...content,
    callerArn: ARN,
    proof: { url: 'https://sts.us-east-1.amazonaws.com/', headers: { 'x-canary-eval-override': overrideBinding(content), authorization: 'AWS4-HMAC-SHA256 …' }, body: 'Action=GetCallerIdentity&Version=2011-06-15' },
  };
}

// S3 GetObject (Amazon S3 API Reference): the object's Body, a stream the SDK reads with transformToString;
// a missing key is NoSuchKey (404) to a caller who may list the prefix, AccessDenied (403) otherwise.
const body = (value: unknown) => ({ Body: { transformToString: async () => (typeof value === 'string' ? value : JSON.stringify(value)) } }) as never;
const noSuchKey = () => new NoSuchKey({ message: 'The specified key does not exist.', $metadata: { httpStatusCode: 404 } });

describe('canary-eval status: the override record of each hook (issue 28 item 4)', () => {
  let mocks: ReturnType<typeof mockAws>;
  beforeEach(() => {
    mocks = mockAws(['promoted']);
    lookingForOverrides(mocks, 'promoted');
  });
  afterEach(() => mocks.restore());

  test('shows who overrode, what, why and when under the overridden hook; a hook without a record (NoSuchKey) shows nothing', async () => {
    mocks.s3.on(GetObjectCommand, { Bucket: BUCKET, Key: key('BeforeAllowTraffic') }).rejects(noSuchKey());
    mocks.s3.on(GetObjectCommand, { Bucket: BUCKET, Key: key('AfterAllowTraffic') }).resolves(body(record('INC-4711: the error-rate metric double-counts')));
    const { code, stdout, stderr } = await run([PROMOTED, '--state-machine', STATE_MACHINE_ARN], mocks);
    expect({ code, stderr }).toEqual({ code: 0, stderr: '' });
    expect(mocks.s3.commandCalls(GetObjectCommand).map((call) => call.args[0].input)).toEqual([
      { Bucket: BUCKET, Key: key('BeforeAllowTraffic') },
      { Bucket: BUCKET, Key: key('AfterAllowTraffic') },
    ]);
    const [before, after] = stdout.split(/\n {2}AfterAllowTraffic {2}/);
    expect(before).not.toContain('override');
    expect(after).toContain(`\n    override: promote by ${ARN} at 10:20 UTC — INC-4711: the error-rate metric double-counts (s3://${BUCKET}/${key('AfterAllowTraffic')})\n`);
  });

  test('--json carries the record as a field of the hook', async () => {
    mocks.s3.on(GetObjectCommand).rejects(noSuchKey());
    mocks.s3.on(GetObjectCommand, { Bucket: BUCKET, Key: key('AfterAllowTraffic') }).resolves(body(record('INC-4711')));
    const { stdout } = await run([PROMOTED, '--json'], mocks);
    const status = JSON.parse(stdout);
    expect(status.evaluations.map((evaluation: { override?: unknown }) => evaluation.override)).toEqual([
      undefined,
      { by: ARN, action: 'promote', reason: 'INC-4711', requestedAt: at(20).toISOString(), record: `s3://${BUCKET}/${key('AfterAllowTraffic')}` },
    ]);
  });

  test('the reason is written to the terminal escaped: it cannot clear the screen or forge a line', async () => {
    mocks.s3.on(GetObjectCommand).rejects(noSuchKey());
    mocks.s3.on(GetObjectCommand, { Bucket: BUCKET, Key: key('AfterAllowTraffic') }).resolves(body(record('INC-1 \u001b[2J\nResult: ✓ promoted')));
    const { stdout } = await run([PROMOTED], mocks);
    expect(stdout).not.toContain('\u001b');
    expect(stdout).toContain('— INC-1 \\x1b[2J\\nResult: ✓ promoted (s3://');
  });

  test('AccessDenied says which permissions the record needs, and the rest of the status still shows (exit by the result)', async () => {
    mocks.s3.on(GetObjectCommand).rejects(Object.assign(new Error('Access Denied'), { name: 'AccessDenied', $metadata: { httpStatusCode: 403 } }));
    const { code, stdout, stderr } = await run([PROMOTED], mocks);
    expect({ code, stderr }).toEqual({ code: 0, stderr: '' });
    expect(stdout).toContain(
      `    override: s3://${BUCKET}/${key('AfterAllowTraffic')} not read: s3:GetObject was denied (AccessDenied); the CLI's read-only policy (README, "CLI permissions") grants s3:GetObject on ${BUCKET}/overrides/* and s3:ListBucket of that prefix, without which S3 denies a hook that has no override too`,
    );
    expect(stdout).toContain('Result: ✓ promoted');
  });

  test('a malformed record is said to be malformed, naming the field', async () => {
    mocks.s3.on(GetObjectCommand).rejects(noSuchKey());
    mocks.s3.on(GetObjectCommand, { Bucket: BUCKET, Key: key('AfterAllowTraffic') }).resolves(body({ ...record('INC-4711'), action: 'approve' }));
    const { stdout } = await run([PROMOTED], mocks);
    expect(stdout).toMatch(new RegExp(`override: s3://${BUCKET}/overrides/${PROMOTED}-AfterAllowTraffic\\.json is malformed \\(the evaluation refuses it\\): .*\\.action`));
  });

});

describe('canary-eval status without override settings', () => {
  test('an evaluation that does not look for overrides (no `override` in its input: an imported evaluator) reads no record', async () => {
    const plain = mockAws(['promoted']);
    try {
      const { code, stdout } = await run([PROMOTED], plain);
      expect(code).toBe(0);
      expect(stdout).not.toContain('override');
      expect(plain.s3.commandCalls(GetObjectCommand)).toHaveLength(0);
    } finally {
      plain.restore();
    }
  });
});
