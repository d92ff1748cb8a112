import { DeploymentDoesNotExistException, GetDeploymentCommand } from '@aws-sdk/client-codedeploy';
import { PutObjectCommand, S3ServiceException } from '@aws-sdk/client-s3';
import { DescribeExecutionCommand } from '@aws-sdk/client-sfn';
import { main } from '../../bin/canary-eval';
import { callerArnOf, CALLER_IDENTITY_BODY } from '../../lib/adapters/aws/sts-identity';
import { overrideCommand } from '../../lib/cli/override-command';
import { OVERRIDES, overrideBinding, parseOverrideRecord, type IdentityProof } from '../../lib/evaluation/override/record';
import { identityProofProblem } from '../../lib/evaluation/override/look';
import { DEPLOYMENT_IDS, STATE_MACHINE_ARN, at, executionInput, executions } from '../fixtures/aws/deployments';
import { mockAws } from '../fixtures/aws/mock-aws';
import { REPORT_BUCKET as NATIVE_REPORT_BUCKET, evaluationId, serviceDeploymentArn } from '../fixtures/aws/ecs-native';

const ARN = 'arn:aws:sts::123456789012:assumed-role/OnCall/alice';
const CREDENTIALS = { accessKeyId: 'AKIAONCALLEXAMPLE', secretAccessKey: 'on-call-secret', sessionToken: 'session-token' };
const REPORTS = 'evaluator-reports-bucket';
const RUNNING = DEPLOYMENT_IDS.running;

/**
 * GetCallerIdentity's response as the STS API Reference documents it (GetCallerIdentity, "Examples":
 * the XML a Query API call returns), and its error response (Common Errors: `ErrorResponse`/`Error`/`Code`).
 */
const STS_RESPONSE = `<GetCallerIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">
  <GetCallerIdentityResult>
    <Arn>${ARN}</Arn>
    <UserId>AROACLKWSDQRAOEXAMPLE:alice</UserId>
    <Account>123456789012</Account>
  </GetCallerIdentityResult>
  <ResponseMetadata>
    <RequestId>01234567-89ab-cdef-0123-456789abcdef</RequestId>
  </ResponseMetadata>
</GetCallerIdentityResponse>`;
const STS_ERROR = `<ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><Error><Type>Sender</Type><Code>ExpiredToken</Code><Message>The security token included in the request is expired</Message></Error><RequestId>x</RequestId></ErrorResponse>`;

/** The running deployment's pre-traffic evaluation (its canary watch runs), with override settings in its input. */
function withOverrideSettings(mocks: ReturnType<typeof mockAws>, settings: { bucket: string; allowed: boolean } | undefined) {
  const [execution] = executions('running');
  const input = { ...executionInput('running', 'BeforeAllowTraffic'), ...(settings ? { override: settings } : {}) };
  mocks.sfn.on(DescribeExecutionCommand, { executionArn: execution.executionArn }).resolves({ ...execution.describe, input: JSON.stringify(input) });
}

async function run(argv: string[], mocks: ReturnType<typeof mockAws>, sts: (proof: IdentityProof) => Promise<string> = async () => ARN) {
  const out: string[] = [];
  const err: string[] = [];
  const proofs: IdentityProof[] = [];
  const code = await overrideCommand(argv, { stdout: (s) => out.push(s), stderr: (s) => err.push(s) }, {
    clients: mocks.clients,
    now: () => at(8),
    credentials: async () => CREDENTIALS,
    sts: async (proof) => (proofs.push(proof), sts(proof)),
  });
  return { code, stdout: out.join('\n'), stderr: err.join('\n'), proofs };
}

describe('canary-eval override (aws-sdk-client-mock, CodeDeploy, Step Functions, S3 and STS API Reference shapes)', () => {
  let mocks: ReturnType<typeof mockAws>;
  beforeEach(() => {
    mocks = mockAws();
  });
  afterEach(() => mocks.restore());

  test('records the override of the running evaluation: who (the ARN STS returned), what, why, and a proof bound to it; written only if none exists', async () => {
    withOverrideSettings(mocks, { bucket: REPORTS, allowed: true });
    mocks.s3.on(PutObjectCommand).resolves({});
    const { code, stdout, stderr, proofs } = await run([RUNNING, '--rollback', '--reason', 'INC-4711 errors spiking', '--state-machine', STATE_MACHINE_ARN], mocks);
    expect(stderr).toBe('');
    expect(code).toBe(0);
    expect(stdout).toContain(`Override recorded: rollback ${RUNNING}-BeforeAllowTraffic by ${ARN} — INC-4711 errors spiking`);
    expect(stdout).toContain(`within ${OVERRIDES.lookSeconds} s`);
    const [put] = mocks.s3.commandCalls(PutObjectCommand);
    expect(put.args[0].input).toEqual(expect.objectContaining({ Bucket: REPORTS, Key: `overrides/${RUNNING}-BeforeAllowTraffic.json`, IfNoneMatch: '*', ContentType: 'application/json' }));
    const record = parseOverrideRecord(JSON.parse(put.args[0].input.Body as string));
    expect(record).toEqual(expect.objectContaining({ deploymentId: RUNNING, lifecycleEvent: 'BeforeAllowTraffic', action: 'rollback', reason: 'INC-4711 errors spiking', callerArn: ARN, requestedAt: at(8).toISOString() }));
    // The proof STS was sent is the one stored, signed for this record, to STS's Regional endpoint.
    expect(proofs).toEqual([record.proof]);
    expect(record.proof.url).toBe('https://sts.us-east-1.amazonaws.com/');
    expect(record.proof.body).toBe(CALLER_IDENTITY_BODY);
    expect(record.proof.headers[OVERRIDES.bindingHeader]).toBe(overrideBinding(record));
    expect(record.proof.headers['x-amz-security-token']).toBe('session-token');
    expect(identityProofProblem(record)).toBeUndefined();
  });

  test('an ECS native deployment by service deployment ARN: the running step is overridden, its record keyed by its evaluation id (one per stage and step)', async () => {
    mocks.s3.on(PutObjectCommand).resolves({});
    const step = evaluationId('native-running', 'PRODUCTION_TRAFFIC_SHIFT', 50);
    const { code, stdout, stderr } = await run([serviceDeploymentArn('native-running'), '--promote', '--reason', 'INC-4712 step looks fine', '--state-machine', STATE_MACHINE_ARN], mocks);
    expect(stderr).toBe('');
    expect(code).toBe(0);
    expect(stdout).toContain(`Override recorded: promote ${step}-AfterAllowTraffic by ${ARN} — INC-4712 step looks fine`);
    const [put] = mocks.s3.commandCalls(PutObjectCommand);
    // The key the evaluation looks at: overrideKey(its deploymentId, its lifecycleEvent), in the bucket its input names.
    expect(put.args[0].input).toEqual(expect.objectContaining({ Bucket: NATIVE_REPORT_BUCKET, Key: `overrides/${step}-AfterAllowTraffic.json`, IfNoneMatch: '*' }));
    const record = parseOverrideRecord(JSON.parse(put.args[0].input.Body as string));
    expect(record).toEqual(expect.objectContaining({ deploymentId: step, lifecycleEvent: 'AfterAllowTraffic', action: 'promote', callerArn: ARN }));
    expect(record.proof.headers[OVERRIDES.bindingHeader]).toBe(overrideBinding(record));
  });

  test('an ECS native evaluation id: that evaluation, which must be running; a finished one is refused naming ECS', async () => {
    mocks.s3.on(PutObjectCommand).resolves({});
    const running = await run([evaluationId('native-running', 'PRODUCTION_TRAFFIC_SHIFT', 50), '--skip', '--reason', 'INC-4713'], mocks);
    expect(running.code).toBe(0);
    const smoke = evaluationId('native-running', 'POST_TEST_TRAFFIC_SHIFT');
    const ended = await run([smoke, '--skip', '--reason', 'INC-4713'], mocks);
    expect(ended.code).toBe(1);
    expect(ended.stderr).toContain(`no evaluation of ${smoke} is running (POST_TEST_TRAFFIC_SHIFT SUCCEEDED (hook reported Succeeded))`);
    expect(ended.stderr).toContain('Use Amazon ECS itself (aws ecs stop-service-deployment)');
    const over = await run([serviceDeploymentArn('native-rolled-back'), '--rollback', '--reason', 'INC-4713'], mocks);
    expect(over.code).toBe(1);
    expect(over.stderr).toContain('PRODUCTION_TRAFFIC_SHIFT 50% SUCCEEDED (hook reported Failed)');
    expect(mocks.s3.commandCalls(PutObjectCommand)).toHaveLength(1);
  });

  test.each([
    [['--skip', '--reason', 'x'], 'a deployment id is required'],
    [['d-RUNNING01', '--reason', 'x'], 'one action is required: --skip, --promote or --rollback'],
    [['d-RUNNING01', '--skip', '--promote', '--reason', 'x'], 'one action only, got --skip and --promote'],
    [['d-RUNNING01', '--skip'], 'a reason is required (--reason "…")'],
    [['d-RUNNING01', '--skip', '--reason', '   '], 'a reason is required (--reason "…")'],
    [['d-RUNNING01', '--skip', '--reason', 'x'.repeat(501)], 'the reason is 501 characters; at most 500'],
    [['not-a-deployment', '--skip', '--reason', 'x'], '"not-a-deployment" is not a CodeDeploy deployment id'],
    [['d-RUNNING01', '--skip', '--reason', 'x', '--force'], "Unknown option '--force'"],
  ])('usage error %j: exit 2, says what is wrong, writes nothing', async (argv, message) => {
    const { code, stderr } = await run(argv, mocks);
    expect(code).toBe(2);
    expect(stderr).toContain(message);
    expect(stderr).toContain('usage: canary-eval override');
    expect(mocks.s3.commandCalls(PutObjectCommand)).toHaveLength(0);
  });

  test('an unknown deployment: the CodeDeploy error, named by its action (exit 6)', async () => {
    mocks.codedeploy.on(GetDeploymentCommand, { deploymentId: 'd-UNKNOWN01' }).rejects(new DeploymentDoesNotExistException({ message: 'The deployment d-UNKNOWN01 could not be found', $metadata: {} }));
    const { code, stderr } = await run(['d-UNKNOWN01', '--promote', '--reason', 'x'], mocks);
    expect(code).toBe(6);
    expect(stderr).toMatch(/canary-eval override: codedeploy:GetDeployment: DeploymentDoesNotExistException: The deployment d-UNKNOWN01 could not be found/);
  });

  test.each([
    ['the evaluation already decided (no execution running)', DEPLOYMENT_IDS.promoted, undefined, /no evaluation of d-PROMOTED1 is running \(BeforeAllowTraffic SUCCEEDED \(hook reported Succeeded\), AfterAllowTraffic SUCCEEDED \(hook reported Succeeded\)\): its verdict is in, and an override after the verdict changes nothing/],
    ['the registration forbids overrides', RUNNING, { bucket: REPORTS, allowed: false }, /forbids overrides \(allowOverrides: false\)/],
    ['the registration predates overrides or came through an imported evaluator', RUNNING, undefined, /does not look for overrides: its group was registered through an imported evaluator/],
  ] as const)('refused when %s: exit 1, nothing written, STS not asked', async (_name, deploymentId, settings, message) => {
    if (deploymentId === RUNNING) withOverrideSettings(mocks, settings);
    const { code, stderr, proofs } = await run([deploymentId, '--skip', '--reason', 'x'], mocks);
    expect(stderr).toMatch(message);
    expect(code).toBe(1);
    expect(proofs).toHaveLength(0);
    expect(mocks.s3.commandCalls(PutObjectCommand)).toHaveLength(0);
  });

  test('a second override of the same hook is refused: S3 answers the conditional write 412 PreconditionFailed', async () => {
    withOverrideSettings(mocks, { bucket: REPORTS, allowed: true });
    mocks.s3.on(PutObjectCommand).rejects(new S3ServiceException({ name: 'PreconditionFailed', $fault: 'client', message: 'At least one of the pre-conditions you specified did not hold', $metadata: { httpStatusCode: 412 } }));
    const { code, stderr } = await run([RUNNING, '--promote', '--reason', 'x'], mocks);
    expect(code).toBe(1);
    expect(stderr).toContain(`${RUNNING}-BeforeAllowTraffic is already overridden (s3://${REPORTS}/overrides/${RUNNING}-BeforeAllowTraffic.json): the first override of a hook stands`);
  });

  test('without the override permission: the S3 AccessDenied, named by its action (exit 6)', async () => {
    withOverrideSettings(mocks, { bucket: REPORTS, allowed: true });
    mocks.s3.on(PutObjectCommand).rejects(new S3ServiceException({ name: 'AccessDenied', $fault: 'client', message: 'Access Denied', $metadata: { httpStatusCode: 403 } }));
    const { code, stderr } = await run([RUNNING, '--promote', '--reason', 'x'], mocks);
    expect(code).toBe(6);
    expect(stderr).toContain('canary-eval override: s3:PutObject');
    expect(stderr).toContain('AccessDenied');
  });

  test('STS refuses the credentials: named by its action (exit 6), nothing written', async () => {
    withOverrideSettings(mocks, { bucket: REPORTS, allowed: true });
    const { code, stderr } = await run([RUNNING, '--promote', '--reason', 'x'], mocks, async () => callerArnOf(403, STS_ERROR));
    expect(code).toBe(6);
    expect(stderr).toContain('sts:GetCallerIdentity');
    expect(stderr).toContain('ExpiredToken: The security token included in the request is expired');
    expect(mocks.s3.commandCalls(PutObjectCommand)).toHaveLength(0);
  });

  test('the documented GetCallerIdentity response gives the ARN', () => {
    expect(callerArnOf(200, STS_RESPONSE)).toBe(ARN);
  });

  test('is listed by canary-eval --help and has its own --help', async () => {
    const out: string[] = [];
    expect(await main(['--help'], { stdout: (s) => out.push(s), stderr: () => undefined })).toBe(0);
    expect(out.join('\n')).toContain('override <deployment> --skip|--promote|--rollback --reason');
    const help: string[] = [];
    expect(await main(['override', '--help'], { stdout: (s) => help.push(s), stderr: () => undefined })).toBe(0);
    expect(help.join('\n')).toContain('Break glass');
  });
});
